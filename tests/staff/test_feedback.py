"""Compliments and comments in the staff area, over HTTP: the list, one that came another way,
the team, the answer and what is sent, who may see them, and the audit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from portal.clock import today_local
from portal.extensions import db
from portal.models import AuditEntry, Feedback, OutboxMessage
from portal.notifications import FEEDBACK_ANSWER, FEEDBACK_ANSWER_TEXT, FEEDBACK_SAFETY_ALERT
from portal.services import feedback as service
from tests.pages import Page, PageClient
from tests.portal.test_feedback import IDEA, THANKS, send, walk
from tests.staff.conftest import sign_in

pytestmark = pytest.mark.pages  # what pages and messages say: PostgreSQL only (tests/conftest.py)

LIST = "/staff/feedback"
NEW = "/staff/feedback/new"

CARD = {
    "kind": "compliment",
    "arrived_by": "card",
    "team": "fostering",
    "about": "The fostering team",
    "message": "Thank you for finding us such a kind family.",
    "from_group": "parent",
    "language": "en",
    "contact": "",
    "received_on": today_local().isoformat(),
}


def rows(app) -> list[Feedback]:
    with app.app_context():
        found = list(db.session.scalars(select(Feedback).order_by(Feedback.id)))
        db.session.expunge_all()
        return found


def audits(app, action: str) -> list[AuditEntry]:
    with app.app_context():
        found = list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))
        db.session.expunge_all()
        return found


def messages(app, kind: str) -> list[OutboxMessage]:
    with app.app_context():
        found = list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind)))
        db.session.expunge_all()
        return found


def record(person: PageClient, expect: int = 200, **fields) -> Page:
    page = person.get(NEW)
    return person.submit(page, {**CARD, **fields}, selector="form#feedback-form", expect=expect)


def from_portal(app, answers: dict) -> Feedback:
    person = PageClient(app.test_client())
    send(person, walk(person, answers))
    return rows(app)[-1]


def test_the_staff_navigation_leads_to_the_list(officer):
    cases = officer.get("/staff/cases")
    link = cases.select_one(f"nav.staff-nav a[href='{LIST}']")
    assert link is not None and link.text == "Compliments and comments"


def test_an_officer_records_a_card_and_it_is_audited(app, officer):
    day = today_local()  # with the day after: a run across midnight (it once did, in CI)
    saved = record(officer)
    assert saved.select_one("#saved").text == "The compliment or comment is recorded."
    [item] = rows(app)
    assert (item.kind, item.arrived_by, item.team, item.from_group) == (
        "compliment",
        "card",
        "fostering",
        "parent",
    )
    assert item.received_on in {day, today_local()}
    assert item.recorded_by == "officer@council.example"
    assert item.message == CARD["message"] and item.about == "The fostering team"
    [entry] = audits(app, "feedback_recorded")
    assert entry.actor == "officer@council.example" and entry.target == f"feedback:{item.id}"
    assert "kind" in entry.data and CARD["message"] not in str(entry.data)
    listed = officer.get(LIST)
    assert listed.select_one(f"#feedback-{item.id}") is not None
    assert "Fostering" in listed.select_one(f"#feedback-{item.id}").text


def test_a_form_with_problems_says_what_to_do_and_keeps_what_was_typed(app, officer):
    page = record(
        officer,
        expect=400,
        kind="",
        arrived_by="pigeon",
        from_group="",
        received_on=(today_local() + timedelta(days=2)).isoformat(),
        message="  ",
        about="Nobody in particular",
        contact="not an address",
        team="made_up",
    )
    problems = page.select_one(".error-summary").text
    for words in (
        "Choose a compliment or a comment.",
        "The date it arrived must be today or before.",
        "Choose how it arrived.",
        "Choose who gave it.",
        "Write what they said.",
        "Write an email address or a UK phone number",
        "Choose a team from the list.",
    ):
        assert words in problems
    assert page.select_one("#about")["value"] == "Nobody in particular"
    assert rows(app) == []
    # A compliment must say who or which team it thanks.
    page = record(officer, expect=400, about="", team="")
    assert "Write the person or team thanked" in page.text
    # Too long is refused, never cut.
    page = record(officer, expect=400, message="x" * 2001)
    assert "That is too long" in page.text
    assert rows(app) == []


def test_a_portal_compliment_gets_its_team_audited(app, officer):
    item = from_portal(app, THANKS)
    assert item.arrived_by == "portal" and item.team is None
    page = officer.get(f"/staff/feedback/{item.id}")
    assert "Sam always listens to me" in page.select_one("#message").text
    bad = officer.submit(page, {"team": "nowhere"}, selector="form#team-form", expect=400)
    assert "Choose a team from the list." in bad.text
    saved = officer.submit(page, {"team": "children_in_care"}, selector="form#team-form")
    assert saved.select_one("#saved").text == "The team is saved."
    assert rows(app)[0].team == "children_in_care"
    [entry] = audits(app, "feedback_team_set")
    assert entry.data == {"team": "children_in_care", "before": None}


def test_an_answer_by_email_is_sent_in_their_language_once(app, officer):
    person = PageClient(app.test_client())
    person.get("/language/cy?next=/")
    send(person, walk(person, IDEA))
    [item] = rows(app)
    assert item.language == "cy"
    page = officer.get(f"/staff/feedback/{item.id}")
    assert "p***@example.com" in page.select_one("#route").text
    empty = officer.submit(page, {"answer": " "}, selector="form#answer-form", expect=400)
    assert "Write the answer." in empty.text
    answer = "We will try meetings after school from next month."
    day = today_local()  # with the day after: a run across midnight
    done = officer.submit(page, {"answer": answer}, selector="form#answer-form")
    assert "will be sent by email" in done.select_one("#saved").text
    assert answer in done.select_one("#answer-text").text
    [sent] = messages(app, FEEDBACK_ANSWER)
    assert (sent.channel, sent.to_address, sent.language) == ("email", item.contact, "cy")
    assert answer in sent.body and "Diolch" in sent.body
    assert IDEA["idea"] not in sent.body and IDEA["idea"] not in sent.subject
    [entry] = audits(app, "feedback_answered")
    assert entry.data == {"sent_by": "email"} and answer not in str(entry.data)
    answered = rows(app)[0]
    assert answered.answered_on in {day, today_local()}
    assert answered.answered_by == "officer@council.example"
    # A second answer (an old tab) is refused in plain words, and nothing more is sent.
    again = officer.post(
        f"/staff/feedback/{item.id}/answer",
        {"csrf_token": page.form_data("form#answer-form")[1]["csrf_token"], "answer": "More"},
        expect=409,
    )
    assert "already has an answer" in again.text
    assert len(messages(app, FEEDBACK_ANSWER)) == 1


def test_an_answer_to_a_mobile_is_a_neutral_text_and_a_call(app, officer):
    item = from_portal(app, {**IDEA, "reply": "phone", "phone": "07700 900123"})
    page = officer.get(f"/staff/feedback/{item.id}")
    assert "Call them on 07700900123" in page.select_one("#route").text
    answer = "Your idea about meetings is a good one."
    done = officer.submit(page, {"answer": answer}, selector="form#answer-form")
    assert "call them now" in done.select_one("#saved").text
    [text] = messages(app, FEEDBACK_ANSWER_TEXT)
    assert text.channel == "sms" and text.to_address == "07700900123"
    assert answer not in text.body and "meeting" not in text.body.lower()


def test_a_landline_or_no_contact_sends_nothing(app, officer):
    item = from_portal(app, {**IDEA, "reply": "phone", "phone": "01632 960123"})
    page = officer.get(f"/staff/feedback/{item.id}")
    assert "Nothing is sent" in page.select_one("#route").text
    officer.submit(page, {"answer": "Called and talked it through."}, selector="form#answer-form")
    record(officer, kind="comment", about="", message="Parking is hard at the office.")
    card = rows(app)[-1]
    page = officer.get(f"/staff/feedback/{card.id}")
    assert "left no way to reach them" in page.select_one("#route").text
    officer.submit(page, {"answer": "We asked for two more spaces."}, selector="form#answer-form")
    with app.app_context():
        assert db.session.scalars(select(OutboxMessage)).all() == []


def test_words_about_harm_lead_the_list_until_someone_opens_it(app, officer, manager):
    calm = from_portal(app, THANKS)
    worrying = from_portal(app, {**IDEA, "idea": "my foster carer hits me"})
    record(officer, message="Thank you for the new bedroom.")
    assert worrying.safety_flag and not calm.safety_flag
    assert len(messages(app, FEEDBACK_SAFETY_ALERT)) == 1
    listed = manager.get(LIST)
    flagged = listed.select_one("#flagged")
    assert flagged is not None
    assert flagged.select_one(f"a[href='/staff/feedback/{worrying.id}']")
    page = manager.get(f"/staff/feedback/{worrying.id}")
    assert page.select_one("#safety-flag")
    opened = [a for a in audits(app, "feedback_opened") if a.target == f"feedback:{worrying.id}"]
    assert [a.actor for a in opened] == ["manager@council.example"]
    assert manager.get(LIST).select_one("#flagged") is None
    assert "row-urgent" in manager.get(LIST).select_one(f"#feedback-{worrying.id}")["class"]


def test_words_about_harm_on_a_card_alert_the_duty_team_too(app, officer):
    record(officer, kind="comment", about="", message="He wrote: my dad hits me")
    [item] = rows(app)
    assert item.safety_flag
    [alert] = messages(app, FEEDBACK_SAFETY_ALERT)
    assert alert.audience == "duty" and "hits" not in alert.body


def test_the_list_filters_by_kind_answered_and_flag(app, officer):
    compliment = from_portal(app, THANKS)
    comment = from_portal(app, IDEA)
    answered = from_portal(app, IDEA)
    page = officer.get(f"/staff/feedback/{answered.id}")
    officer.submit(page, {"answer": "Thank you."}, selector="form#answer-form")

    def shown(query: str) -> set[int]:
        page = officer.get(f"{LIST}?{query}")
        return {int(r["id"].split("-")[1]) for r in page.select("tr[id^=feedback-]")}

    assert shown("") == {compliment.id, comment.id, answered.id}
    assert shown("kind=compliment") == {compliment.id}
    assert shown("kind=comment&answered=no") == {comment.id}
    assert shown("answered=yes") == {answered.id}
    assert shown("flagged=1") == set()
    assert shown("kind=<script>&answered=nonsense") == {compliment.id, comment.id, answered.id}
    newest_first = [
        int(r["id"].split("-")[1]) for r in officer.get(LIST).select("tr[id^=feedback-]")
    ]
    assert newest_first == [answered.id, comment.id, compliment.id]


@pytest.mark.parametrize("role", ["investigator", "admin"])
def test_only_officers_and_managers_see_them(app, make_staff, role):
    item = from_portal(app, THANKS)
    person = sign_in(app, make_staff(role))
    for url in (LIST, NEW, f"/staff/feedback/{item.id}"):
        assert person.client.get(url).status_code == 403, url
    nav = person.client.get("/staff/account").get_data(as_text=True)
    assert f'href="{LIST}"' not in nav


def test_signed_out_people_are_sent_to_sign_in(app, client):
    response = client.get(LIST)
    assert response.status_code in (302, 303)
    assert "/staff/sign-in" in response.location


def test_an_unknown_one_is_a_plain_404(officer):
    officer.get("/staff/feedback/999999", expect=404)
    officer.get("/staff/feedback/nope", expect=404)


TUESDAY_10AM = datetime(2027, 1, 12, 10, 0, tzinfo=UTC)  # GMT: England's time is UTC


def _run_job(app, now: datetime) -> int:
    with app.app_context():
        return service.send_unopened_alerts_again(now)


def test_words_to_check_nobody_opens_go_again_to_the_out_of_hours_team_once(app, officer):
    worrying = from_portal(app, {**IDEA, "idea": "my foster carer hits me"})
    opened = from_portal(app, {**THANKS, "thanks": "my foster carer hits me"})
    from_portal(app, THANKS)  # calm: never sent again
    with app.app_context():
        for item in db.session.scalars(select(Feedback)):
            item.created_utc = TUESDAY_10AM
        db.session.commit()
    officer.get(f"/staff/feedback/{opened.id}")
    assert _run_job(app, TUESDAY_10AM + timedelta(minutes=10)) == 0, "not yet"
    assert _run_job(app, TUESDAY_10AM + timedelta(minutes=45)) == 1
    assert _run_job(app, TUESDAY_10AM + timedelta(minutes=50)) == 0, "once"
    [again] = messages(app, "feedback_safety_alert_again")
    assert again.audience == "out_of_hours"
    assert f"/staff/feedback/{worrying.id}" in again.body and "10:00 on Tuesday" in again.body
    assert "hits" not in again.body
    assert _run_job(app, TUESDAY_10AM + timedelta(days=8)) == 0, "a week on, it leads the list"


def test_contacts_go_after_the_retention_period(app, officer):
    item = from_portal(app, IDEA)
    page = officer.get(f"/staff/feedback/{item.id}")
    officer.submit(page, {"answer": "We will look at it."}, selector="form#answer-form")
    with app.app_context():
        assert service.forget_old_contacts(6) == 0
        row = db.session.get(Feedback, item.id)
        row.received_on = today_local().replace(year=today_local().year - 7)
        db.session.commit()
    assert (
        "Removed the contact details of 1"
        in app.test_cli_runner().invoke(args=["retention", "run"]).output
    )
    with app.app_context():
        row = db.session.get(Feedback, item.id)
        assert row.contact is None and row.message == IDEA["idea"]
        [sent] = db.session.scalars(select(OutboxMessage)).all()
        assert sent.to_address == "" and sent.body == ""
    assert len(audits(app, "feedback_contact_removed")) == 1
