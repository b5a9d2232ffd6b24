"""Every way in: staff log a complaint that came by phone, email, letter, in person or through an
advocate, with the same questions, the same rules and the same clocks as the portal."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
import time_machine
from sqlalchemy import func, select

from portal.clock import LONDON, today_local
from portal.extensions import db
from portal.flows import DEFAULT_JOURNEY, JOURNEYS, engine, rules
from portal.flows.model import SINGLE_KINDS, TEXT_KINDS, Choice, Journey, Kind, Step
from portal.models import AuditEntry, Complaint, OutboxMessage
from portal.services import casework, complaints
from portal.templating import long_date
from portal.timescales import deadline_from_receipt
from portal.types import EventType
from staff import intake_form
from tests.pages import Page, PageClient
from tests.portal.journey import open_link, send_complaint
from tests.staff.conftest import load, sign_in

pytestmark = pytest.mark.pages

JOURNEY = JOURNEYS[DEFAULT_JOURNEY]
HITS_ME = "My foster carer hits me and I am scared to go home"
PLAIN_TEXT = {
    "email": "sam@example.org",
    "uk_mobile": "07700 900123",
    "uk_phone": "0300 123 4567",
}


def _plain_answer(step: Step, state: Any) -> Any:
    """An ordinary answer to a question the test does not care about."""
    offered = [c.value for c in step.choices_for(state) if c.is_an_answer]
    if step.kind == Kind.MULTI:
        return offered[:1]
    if step.kind in SINGLE_KINDS:
        return offered[0]
    if step.kind in TEXT_KINDS:
        return PLAIN_TEXT.get(step.check or "", "Visits keep being cancelled.")
    return today_local().isoformat()


def complete(wanted: dict[str, Any], journey: Journey = JOURNEY) -> dict[str, Any]:
    """Answers that finish the conversation, whatever its questions are today: what the test
    wants, and an ordinary answer to every other question on the way."""
    answers: dict[str, Any] = {}
    for _ in range(80):
        step = engine.current_step(journey, answers)
        if step is None:
            return answers
        state = journey.state(answers)
        answers[step.id] = wanted.get(step.id, _plain_answer(step, state))
    raise AssertionError(f"the answers never finish the journey: {sorted(answers)}")


def _not_yet() -> str:
    """The advocate's "the young person does not know yet", however the step words it."""
    step = JOURNEY.get("child_asked")
    return next(v for v in ("not_yet", "no") if step.choice(v) is not None)


def advocate_by_phone() -> dict[str, Any]:
    return complete(
        {
            "who": "advocate",
            "advocate_name": "Sam Jones",
            "advocate_organisation": "Local Advocacy",
            "advocate_email": "sam@advocacy.example",
            "age": "12_15",
            "topics": ["social_worker", "court_report", "elsewhere"],
            "elsewhere": ["school"],
            "what_happened": "Their social worker cancelled visits three times.",
            "when": "over_a_year",
            "court_police": "court",
            "child_asked": _not_yet(),
        }
    )


def young_person(**extra: Any) -> dict[str, Any]:
    return complete({"who": "self", "self_status": "looked_after", "topics": ["family"], **extra})


def _log(
    person: PageClient,
    answers: dict[str, Any],
    expect: int = 200,
    arrived_by: str = "phone",
    received_on: str | None = None,
    **staff: str,
) -> Page:
    page = person.get("/staff/cases/new")
    fields = {
        "arrived_by": arrived_by,
        "received_on": received_on or today_local().isoformat(),
        "taken_by": "Alex Rivers",
        **answers,
        **staff,
    }
    return person.submit(page, fields, selector="form.intake-form", expect=expect)


def _reference(page: Page) -> str:
    assert page.path.endswith("/given"), page.path
    return page.select_one("#reference").text.strip()


def _count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Complaint.id)))


def _decisions(complaint) -> dict[str, Any]:
    return {
        "eligibility": (complaint.eligibility, complaint.eligibility_reason),
        "time_limit": (complaint.time_limit, complaint.time_limit_reason),
        "legal": (complaint.legal_proceedings, complaint.legal_proceedings_reason),
        "consent": (complaint.consent, complaint.consent_reason),
        "on_instructions": complaint.on_child_instructions,
        "parental_responsibility": complaint.parental_responsibility,
        "advocacy": complaint.advocacy,
        "role": complaint.complainant_role,
        "voice": complaint.voice,
        "procedure": complaint.procedure,
        "points": [(p.topic, p.procedure, p.procedure_reason) for p in complaint.points],
        "flags": sorted(e.type for e in complaint.events if e.type.startswith("flagged_")),
        "answers": complaint.answers,
    }


# The tracker and who may use the form --------------------------------------------------------


def test_the_tracker_offers_the_form_to_officers_and_managers_only(app, make_staff):
    for role in ("officer", "manager"):
        person = sign_in(app, make_staff(role))
        cases = person.get("/staff/cases")
        link = cases.select_one("#log-a-complaint")
        assert link["href"] == "/staff/cases/new"
        assert person.get(link["href"]).h1 == "Log a complaint"
    investigator = sign_in(app, make_staff("investigator"))
    assert investigator.get("/staff/cases").select_one("#log-a-complaint") is None
    assert investigator.get("/staff/cases/new", expect=403).h1 == "This page is not for your role"
    app.config["WTF_CSRF_ENABLED"] = False  # so the role check, not CSRF, is what refuses
    response = investigator.client.post("/staff/cases/new", data=young_person())
    assert response.status_code == 403
    assert _count(app) == 0


def test_the_form_is_sent_only_with_its_csrf_token(app, officer):
    fields = {**young_person(), "arrived_by": "phone", "taken_by": "Alex"}
    fields["received_on"] = today_local().isoformat()
    response = officer.client.post("/staff/cases/new", data=fields)
    assert response.status_code == 400
    assert _count(app) == 0
    page = officer.get("/staff/cases/new")
    assert page.select_one("form.intake-form input[name=csrf_token]")["value"]
    _reference(officer.submit(page, fields, selector="form.intake-form"))
    assert _count(app) == 1


# The form comes from the conversation ---------------------------------------------------------


def test_every_question_of_the_conversation_is_on_the_form_in_staff_words(app, officer):
    page = officer.get("/staff/cases/new")
    form = page.select_one("form.intake-form")
    for question in intake_form.questions(JOURNEY):
        assert form.select(f"[name='{question.name}']"), question.name
    # Only "tell me more" leads to this follow-up: staff give the real answer at once.
    asked = {q.name for q in intake_form.questions(JOURNEY)}
    assert asked == {s.id for s in JOURNEY.steps} - {"advocate_more"}
    assert not form.select("input[name=advocate][value=more]")
    assert "Who is complaining?" in page.text
    assert "What is your name?" not in page.text
    notes = {q.name: q.note for q in intake_form.questions(JOURNEY)}
    assert notes["who"] is None
    assert (
        notes["advocate_name"]
        == "Only if “Who is complaining?” is “An advocate for a young person”."
    )
    assert notes["email"].startswith("Only if “How should the council get in touch with them?”")
    assert notes["contact"].startswith("Not if “Who is complaining?” is “An advocate")


def test_a_new_question_in_the_conversation_appears_on_the_form_without_extra_code(app):
    pets = Step(
        id="pets",
        kind=Kind.SINGLE,
        prompt={"self": "Do you have a pet?", "other": "Does the young person have a pet?"},
        choices=(Choice("yes", "Yes"), Choice("no", "No")),
        show_if=lambda state: state.who == "young_helper",
    )
    steps = JOURNEY.steps
    grown = Journey(JOURNEY.id, (*steps[:-1], pets, steps[-1]), JOURNEY.state)
    with app.test_request_context():
        question = next(q for q in intake_form.questions(grown) if q.name == "pets")
    assert question.label == "Does the young person have a pet?"
    assert [o.value for o in question.options] == ["yes", "no"]
    assert question.note == (
        "Only if “Who is complaining?” is “A young person, about a brother, sister or friend”."
    )


def test_staff_wording_only_names_questions_and_answers_the_conversation_has():
    ids = {s.id for s in JOURNEY.steps}
    assert set(intake_form.STAFF_LABELS) <= ids
    assert set(intake_form.STAFF_HINTS) <= ids
    for step_id, value in intake_form.STAFF_CHOICES:
        assert JOURNEY.get(step_id).choice(value) is not None, (step_id, value)


# The same rules as the portal -----------------------------------------------------------------


def test_an_advocate_on_the_phone_gets_the_decisions_the_portal_would_make(app, officer, pages):
    answers = advocate_by_phone()
    given = _log(officer, answers, arrived_by="phone")
    logged = load(app, _reference(given))
    online = load(app, send_complaint(pages, answers).select_one("#reference").text.strip())

    assert _decisions(logged) == _decisions(online)
    # And what the rules say for these answers, asked directly.
    state = JOURNEY.state({s.id: v for s, v in engine.answered_path(JOURNEY, answers)})
    for name, column, reason in [
        ("eligibility", "eligibility", "eligibility_reason"),
        ("time_limit", "time_limit", "time_limit_reason"),
        ("legal_proceedings", "legal_proceedings", "legal_proceedings_reason"),
        ("consent", "consent", "consent_reason"),
    ]:
        decision = getattr(rules, name)(state)
        assert (getattr(logged, column), getattr(logged, reason)) == (
            decision.value,
            decision.reason,
        ), name
    assert logged.time_limit == "late_discretion"
    assert logged.legal_proceedings == "court"
    assert logged.consent == "does_not_know_yet"
    assert [(p.topic, p.procedure, p.procedure_reason) for p in logged.points] == [
        (p.topic, p.procedure.value, p.procedure.reason) for p in rules.points(state)
    ]
    assert {p.procedure for p in logged.points} == {"statutory", "corporate", "not_council"}
    assert {"flagged_late", "flagged_legal_proceedings", "flagged_consent"} <= {
        e.type for e in logged.events
    }
    assert logged.advocate_email == "sam@advocacy.example"


def test_how_it_arrived_who_took_it_and_who_logged_it_are_recorded(app, officer, make_staff):
    day = today_local()  # with the day after: a run across midnight
    given = _log(officer, advocate_by_phone(), arrived_by="advocate", taken_by="Jo Bloggs")
    reference = _reference(given)
    complaint = load(app, reference)
    assert complaint.arrived_by == "advocate"
    received = next(e for e in complaint.events if e.type == EventType.COMPLAINT_RECEIVED)
    assert received.actor == "officer@council.example"
    assert received.data == {
        "arrived_by": "advocate",
        "taken_by": "Jo Bloggs",
        "logged_by": "officer@council.example",
    }
    assert received.happened_on == complaint.received_on
    assert complaint.received_on in {day, today_local()}
    with app.app_context():
        [entry] = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "complaint_logged")
        ).all()
    assert entry.actor == "officer@council.example"
    assert entry.target == f"complaint:{reference}"
    received_on = complaint.received_on.isoformat()
    assert entry.data == {"arrived_by": "advocate", "received_on": received_on}
    case = officer.get(f"/staff/cases/{reference}")
    assert "Complaint received through an advocate" in case.text
    assert "taken by Jo Bloggs" in case.text
    # The portal's own complaints still say they came through the portal.
    online = load(
        app,
        send_complaint(PageClient(app.test_client()), young_person())
        .select_one("#reference")
        .text.strip(),
    )
    assert online.arrived_by == "portal"


def test_words_about_harm_raise_the_urgent_flag_as_in_the_portal(app, officer):
    given = _log(officer, young_person(what_happened=HITS_ME), arrived_by="in_person")
    assert given.select_one("#urgent")
    complaint = load(app, _reference(given))
    assert complaint.urgent is True
    assert complaint.urgent_reasons == ["harm_from_others"]
    flag = next(e for e in complaint.events if e.type == EventType.FLAGGED_URGENT)
    assert flag.data == {"reasons": ["harm_from_others"]}
    with app.app_context():
        [alert] = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == "urgent_alert")
        ).all()
    assert "hits" not in alert.body and alert.complaint_id == complaint.id


# The clocks start from the day it was received --------------------------------------------------

MONDAY = datetime(2026, 3, 16, 10, 0, tzinfo=LONDON)


def test_a_letter_that_came_on_saturday_and_is_logged_on_monday(app, make_staff):
    saturday = date(2026, 3, 14)
    with time_machine.travel(MONDAY, tick=False):
        officer = sign_in(app, make_staff("officer"))
        given = _log(officer, young_person(), arrived_by="letter", received_on="2026-03-14")
        complaint = load(app, _reference(given))
        acknowledge = app.config["ACKNOWLEDGE_WORKING_DAYS"]
        expected = deadline_from_receipt(saturday, acknowledge)
        assert expected == date(2026, 3, 23)  # counted from Monday, the next working day
        assert complaint.received_on == saturday
        assert complaint.next_deadline_on == expected
        with app.app_context():
            complaint = complaints.by_reference(complaint.reference)
            assert casework.state_of(complaint).due == expected
            status = complaints.status_of(complaint)
        assert status.acknowledge_by == expected
        assert status.reply_by == deadline_from_receipt(saturday, app.config["STAGE1_WORKING_DAYS"])
        with app.test_request_context():
            assert f"by {long_date(expected)}" in given.text


def test_the_clocks_start_from_the_day_received_not_the_day_logged(app, make_staff):
    thursday = date(2026, 3, 12)
    with time_machine.travel(MONDAY, tick=False):
        officer = sign_in(app, make_staff("officer"))
        given = _log(officer, young_person(), arrived_by="email", received_on="12/3/2026")
        reference = _reference(given)
        complaint = load(app, reference)
        assert complaint.received_on == thursday
        assert complaint.next_deadline_on == deadline_from_receipt(thursday, 5) == date(2026, 3, 19)
        received = next(e for e in complaint.events if e.type == EventType.COMPLAINT_RECEIVED)
        assert received.happened_on == thursday  # the day it came; recorded on Monday
        with app.test_request_context():
            received_words = f"on {long_date(thursday)}"
        assert received_words in officer.get(f"/staff/cases/{reference}").text
        # A date after today is refused, with the words kept.
        page = _log(officer, young_person(), received_on="2026-03-17", expect=400)
        assert "cannot be after today" in page.select_one(".error-summary").text
        assert page.select_one("#received_on")["value"] == "2026-03-17"


# Mistakes: say what to do, keep what was typed, never a 500 -----------------------------------


def test_errors_say_what_to_do_and_keep_everything_typed(app, officer):
    typed = {
        "who": "parent_carer",
        "self_status": "looked_after",  # for a young person: not kept for a parent
        "topics": ["family", "money"],
        "what_happened": "Contact with her brother stopped <b>without</b> warning.",
        "when": "this_month",
    }
    page = _log(officer, typed, 400, arrived_by="", received_on="31/02/2026", taken_by="")
    summary = page.select_one(".error-summary").text
    assert "Nothing has been logged yet. Everything you typed is still here." in summary
    assert "Choose how the complaint reached the council." in summary
    assert "Enter a real date for when it was received" in summary
    assert "Write the name of the person who took the complaint." in summary
    # Questions this complaint needs and that were left out are named, in staff words.
    assert "Choose an answer to “Which of these is the parent or carer?”" in summary
    assert "Choose an answer to “Does the young person know about this complaint" in summary
    assert page.select_one("input[name=who][value=parent_carer]").has_attr("checked")
    ticked = {i["value"] for i in page.select("input[name=topics][checked]")}
    assert ticked == {"family", "money"}
    assert page.select_one("textarea#what_happened").text == typed["what_happened"]
    assert page.select_one("#received_on")["value"] == "31/02/2026"
    [skipped] = page.select(".intake-skipped")
    assert skipped.find_parent("fieldset")["id"] == "self_status"
    # Every message in the summary links to its question.
    for link in page.select(".error-summary a"):
        assert page.select_one(link["href"]), link["href"]
    assert _count(app) == 0


def test_an_answer_that_does_not_fit_the_person_is_explained(app, officer):
    answers = young_person()
    page = _log(officer, {**answers, "topics": ["adult_treated"]}, expect=400)
    assert "“How the adult complaining was treated” does not fit the answers above" in page.text
    page = _log(officer, {**answers, "when": "last_century"}, expect=400)
    assert "Choose one of the answers shown for “When did it happen?”" in page.text


def test_empty_posts_wrong_dates_huge_text_and_nul_bytes_are_never_a_500(app, officer):
    page = officer.get("/staff/cases/new")
    _, hidden = page.form_data("form.intake-form")
    empty = officer.post("/staff/cases/new", hidden, expect=400)
    assert "Choose an answer to “Who is complaining?”" in empty.text
    for day in ("tomorrow", "2026-13-01", "0000-00-00", "99999-01-01", "1/1/1899"):
        wrong = _log(officer, young_person(), received_on=day, expect=400)
        assert wrong.select_one("#received_on-error"), day
    huge = "x" * 100_000
    long = _log(officer, {**young_person(), "what_happened": huge}, expect=400)
    assert "is too long: 100,000 characters. Shorten it to 5,000" in long.text
    assert long.select_one("textarea#what_happened").text == huge
    too_big = officer.client.post(
        "/staff/cases/new", data={**hidden, "what_happened": "x" * 600_000}
    )
    assert too_big.status_code == 413
    assert "make the longest answers shorter" in too_big.get_data(as_text=True)
    nul = _log(
        officer,
        young_person(what_happened="Visits\x00 stopped.", name="Jess\x00"),
        taken_by="Alex\x00",
    )
    complaint = load(app, _reference(nul))
    assert complaint.answers["what_happened"] == "Visits stopped."
    assert complaint.answers["name"] == "Jess"
    bad_choice = _log(officer, {**young_person(), "who": "self\x00"}, expect=400)
    assert "Choose one of the answers shown for “Who is complaining?”" in bad_choice.text
    assert _count(app) == 1


def test_sending_the_same_form_twice_logs_one_complaint(app, officer):
    page = officer.get("/staff/cases/new")
    fields = {
        **young_person(),
        "arrived_by": "phone",
        "received_on": today_local().isoformat(),
        "taken_by": "Alex",
    }
    first = officer.submit(page, fields, selector="form.intake-form")
    again = officer.submit(page, fields, selector="form.intake-form")
    assert _reference(first) == _reference(again)
    assert again.select_one("#logged-once")
    assert _count(app) == 1
    # Back, and another call typed over the same form: that is a second complaint.
    other = officer.submit(page, {**fields, "what_happened": "Another call."}, "form.intake-form")
    assert _reference(other) != _reference(first)
    assert not other.select_one("#logged-once")
    assert _count(app) == 2


# The reference and the private link ----------------------------------------------------------


def test_the_link_shown_opens_the_complainants_status_page(app, officer):
    given = _log(officer, young_person())
    reference = _reference(given)
    link = given.select_one("#private-link").text.strip()
    assert given.select_one(".slip svg.qr-code")
    phone = PageClient(app.test_client())
    status = open_link(phone, link)
    assert status.path == "/progress"
    assert reference in status.text
    # Only the browser that logged it is shown the link; others go to the case page.
    with app.app_context():
        shown = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "status_link_shown")
        ).all()
    assert [e.target for e in shown] == [f"complaint:{reference}"]


def test_the_link_is_only_shown_to_the_person_who_logged_it(app, officer, manager):
    reference = _reference(_log(officer, young_person()))
    page = manager.get(f"/staff/cases/{reference}/given")
    assert page.path == f"/staff/cases/{reference}"
    assert not page.select_one("#private-link")


def test_the_link_can_be_sent_and_is_queued_until_there_is_a_sender(app, officer):
    given = _log(officer, advocate_by_phone())
    reference = _reference(given)
    assert given.select_one("#send input[name=to][value=advocate_email]").has_attr("checked")
    sent = officer.submit(given, {"to": "advocate_email"}, selector="#send form")
    assert "Queued. Speak Up does not send messages itself yet" in sent.select_one("#queued").text
    assert "sam@advocacy.example" in sent.select_one("#queued-list").text
    with app.app_context():
        [message] = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == "status_link")
        ).all()
        assert message.to_address == "sam@advocacy.example"
        assert message.sent_utc is None
        assert reference in message.body and "/s/" in message.body
        assert "complain" not in (message.subject + message.body).lower()
        [entry] = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "status_link_queued")
        ).all()
        assert entry.data == {"channel": "email"}  # never the address: no content in the audit
    wrong = officer.submit(
        sent, {"to": "other", "other_email": "not an address"}, "#send form", 400
    )
    assert "Write an email address like name@example.com." in wrong.text
    assert wrong.select_one("#other_email")["value"] == "not an address"
    nowhere = officer.submit(sent, {"to": "somewhere"}, "#send form", 400)
    assert "Choose where to send the link." in nowhere.text
