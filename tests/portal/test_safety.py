"""Keeping children safe while they complain: help, risk alerts, quick exit, privacy."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import AuditEntry, Complaint, Draft, HelpRequest, OutboxMessage
from portal.services import complaints
from tests.pages import PageClient
from tests.portal.journey import YOUNG_PERSON, answer_all, close_as_staff, open_link, send_complaint

pytestmark = pytest.mark.pages  # what pages and messages say: PostgreSQL only (tests/conftest.py)

WORRYING = "My foster carer hits me and I am scared to go home"


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def _walk_to(pages, step, answers):
    page = pages.get("/chat/who")
    while not page.path.endswith("/" + step):
        page = pages.submit(page, {"answer": answers[page.path.rsplit("/", 1)[1]]})
    return page


def test_a_worrying_answer_shows_help_on_the_next_page_only(pages):
    page = _walk_to(pages, "what_happened", YOUNG_PERSON)
    assert not page.select_one("#safety-help")
    page = pages.submit(page, {"answer": WORRYING})
    help_box = page.select_one("#safety-help")
    assert help_box and "999" in help_box.text and "0800 1111" in help_box.text
    assert page.path == "/chat/when", "it never blocks: the journey carries on"
    page = pages.submit(page, {"answer": "this_month"})
    assert not page.select_one("#safety-help"), "pages after a calm answer show no alert"


def test_a_calm_answer_shows_no_safety_help(pages):
    page = _walk_to(pages, "what_happened", YOUNG_PERSON)
    page = pages.submit(page, {"answer": "My social worker keeps cancelling visits."})
    assert not page.select_one("#safety-help")


def test_a_match_makes_one_urgent_complaint_and_one_alert_without_the_words(app, pages):
    done = send_complaint(pages, {**YOUNG_PERSON, "what_happened": WORRYING})
    assert done.select_one("#reference")
    assert _count(app, Complaint) == 1
    assert _count(app, OutboxMessage) == 1
    with app.app_context():
        complaint = db.session.scalars(select(Complaint)).one()
        alert = db.session.scalars(select(OutboxMessage)).one()
        assert complaint.urgent is True
        assert complaint.urgent_reasons == ["harm_from_others"]
        flag = next(e for e in complaint.events if e.type == "flagged_urgent")
        assert flag.data == {"reasons": ["harm_from_others"]}
        assert alert.to_address == app.config["DUTY_TEAM_EMAIL"]
        assert alert.body.startswith("An urgent complaint needs attention: ")
        assert complaint.reference in alert.body
        for words in ["hits", "scared", "foster", "complaint needs attention: " + "My"]:
            assert words not in alert.subject + alert.body + str(flag.data)


def test_words_are_checked_again_on_submit(app, pages):
    """Even if a match was missed on save (say, the lists changed), submit catches it."""
    check = answer_all(pages, {**YOUNG_PERSON, "outcome_words": "I want to kill myself"})
    with app.app_context():
        draft = db.session.scalars(select(Draft)).one()
        draft.urgent_reasons = []  # as if the lists had been updated since
        db.session.commit()
    pages.submit(check, selector="form.send-form")
    with app.app_context():
        assert db.session.scalars(select(Complaint.urgent_reasons)).one() == ["self_harm"]


def test_a_calm_complaint_is_not_urgent_and_sends_no_alert(app, pages):
    send_complaint(pages, YOUNG_PERSON)
    assert _count(app, OutboxMessage) == 0
    with app.app_context():
        assert db.session.scalars(select(Complaint.urgent)).one() is False


def test_i_dont_feel_safe_is_on_every_step_and_keeps_every_answer(app, pages):
    page = _walk_to(pages, "what_happened", YOUNG_PERSON)
    link = page.select_one(".unsafe a")
    assert link.text.strip() == "I don't feel safe"
    help_page = pages.get(link["href"])
    assert help_page.h1 == "Get help now"
    assert "999" in help_page.text and "0800 1111" in help_page.text
    sent = pages.submit(help_page, {"how": "text", "phone": "07700 900123"})
    assert sent.h1 == "We have told the team"
    back = sent.select_one("a.button")["href"]
    assert back == "/chat/what_happened"
    assert pages.get("/chat/who").select_one("input[value=self]").has_attr("checked")
    with app.app_context():
        request = db.session.scalars(select(HelpRequest)).one()
        assert (request.how, request.contact) == ("text", "07700 900123")
        alert = db.session.scalars(select(OutboxMessage)).one()
        assert (
            alert.body
            == f"Someone asked for urgent contact: http://127.0.0.1:5000/staff/help/{request.id}"
        )
        assert db.session.scalars(select(Draft.urgent_reasons)).one() == ["asked_for_help"]
    done = send_complaint(pages, YOUNG_PERSON)
    with app.app_context():
        complaint = db.session.scalars(select(Complaint)).one()
        assert complaint.urgent and "asked_for_help" in complaint.urgent_reasons
        assert db.session.scalars(select(HelpRequest.complaint_id)).one() == complaint.id
    assert done.select_one("#reference")


@pytest.mark.parametrize(
    ("how", "contact", "message"),
    [
        pytest.param(None, "", "Pick how we should contact you", id="nothing_picked"),
        pytest.param("phone", "", "Write the number we should use", id="phone_without_number"),
        pytest.param("text", "0123", "UK phone number", id="bad_number"),
        pytest.param("email", "nope", "like name@example.com", id="bad_email"),
    ],
)
def test_the_help_form_explains_mistakes(pages, how, contact, message):
    page = pages.get("/help?from=/chat/who")
    box = "email" if how == "email" else "phone"
    data = {box: contact} | ({"how": how} if how else {})
    page = pages.submit(page, data)
    assert message in page.select_one(".error-summary").text


def test_help_without_contact_just_shows_the_numbers(app, pages):
    page = pages.submit(pages.get("/help"), {"how": "none"})
    assert page.h1 == "Help is there when you need it"
    assert _count(app, HelpRequest) == 0


def test_help_only_goes_back_to_this_site(pages):
    page = pages.get("/help?from=https://evil.example/")
    assert page.select_one(".back a")["href"] == "/"
    page = pages.get("/help?from=//evil.example/")
    assert page.select_one(".back a")["href"] == "/"
    # Browsers read "/\\host" as "//host": another site.
    page = pages.get("/help", query_string={"from": "/\\evil.example/"})
    assert page.select_one(".back a")["href"] == "/"
    page = pages.get("/help?from=/chat/who")
    assert page.select_one(".back a")["href"] == "/chat/who"


def test_the_sharing_notice_comes_before_the_first_text_box(pages):
    page = _walk_to(pages, "what_happened", YOUNG_PERSON)
    assert "we may have to tell people who can help" in page.select_one(".sharing").text
    page = pages.submit(page, {"answer": "Visits cancelled."})
    page = _walk_to(pages, "outcome_words", YOUNG_PERSON)
    assert not page.select_one(".sharing")


def test_exit_ends_the_session_and_clears_the_browser(app, client, pages):
    page = _walk_to(pages, "what_happened", YOUNG_PERSON)
    response = client.get("/exit")
    assert response.status_code == 303
    assert response.headers["Location"] == app.config["EXIT_URL"]
    assert response.headers["Clear-Site-Data"] == '"cache", "cookies", "storage"'
    assert response.headers["Cache-Control"] == "no-store"
    page = pages.get("/chat/age")
    assert page.path == "/chat/who", "a new visit starts empty"
    assert not page.select_one("input[checked]")


PUBLIC_PAGES = ["/", "/chat/who", "/privacy", "/help", "/progress", "/s/not-a-link", "/nope"]


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_every_public_page_has_quick_exit_help_and_privacy(client, path):
    response = client.get(path)
    page = PageClient(client)._page(response, response.status_code)
    exit_link = page.select_one("#quick-exit")
    assert exit_link["href"] == "/exit" and exit_link.text.strip() == "Exit this page"
    panel = page.select_one("#help-panel")
    assert "999" in panel.text and "Childline 0800 1111" in panel.text
    assert panel.select_one("a[href='tel:999']") and panel.select_one("a[href='tel:08001111']")
    assert page.select_one("footer a[href='/privacy']")


@pytest.mark.parametrize("path", [*PUBLIC_PAGES, "/exit", "/static/speakup.css", "/s/x"])
def test_every_response_has_csp_and_permissions_policy(client, path):
    with client.get(path) as response:
        csp = response.headers["Content-Security-Policy"]
        assert csp.startswith("default-src 'self'")
        policy = response.headers["Permissions-Policy"]
        assert "geolocation=()" in policy and "camera=()" in policy and "microphone=()" in policy


def test_titles_and_addresses_are_neutral(pages):
    done = send_complaint(pages, {**YOUNG_PERSON, "what_happened": WORRYING})
    visited = ["/", "/chat/who", "/chat/what_happened", "/progress", "/help", done.path]
    for path in visited:
        title = pages.get(path).soup.title.text.lower()
        for word in ["complain", "abuse", "harm", "jess"]:
            assert word not in title and word not in path


def test_out_of_hours_number_is_shown_when_set(make_app):
    app = make_app(COUNCIL_OUT_OF_HOURS_PHONE="0300 999 0000")
    page = PageClient(app.test_client()).get("/")
    assert "0300 999 0000" in page.select_one("#help-panel").text
    app.extensions["database"][0].dispose()


def test_nothing_goes_into_browser_storage():
    from pathlib import Path

    script = Path("portal/static/speakup.js").read_text()
    for api in ["localStorage", "sessionStorage", "indexedDB", "document.cookie"]:
        assert api not in script


def test_privacy_notice_has_an_easy_read_summary_and_the_full_notice(pages):
    page = pages.get("/privacy")
    assert page.h1 == "Your privacy"
    assert page.select_one("#easy-read").text == "The short version"
    assert "Information Commissioner" in page.text


def test_a_person_can_download_what_they_told_us_and_withdraw(app, client, pages):
    done = send_complaint(pages, YOUNG_PERSON)
    status = open_link(pages, done.select_one("a#status-link")["href"])
    download = client.get(status.select_one("a[download]")["href"])
    assert download.headers["Content-Disposition"] == 'attachment; filename="my-answers.txt"'
    assert download.headers["Cache-Control"] == "no-store"
    text = download.get_data(as_text=True)
    assert "My social worker keeps cancelling our visits." in text
    assert done.select_one("#reference").text.strip() in text

    confirm = pages.get(status.select_one("a[href='/progress/withdraw']")["href"])
    assert confirm.h1 == "Do you want to stop this?"
    after = pages.submit(confirm)
    assert "You stopped this on" in after.select_one("#now").text
    assert not after.select_one("a[href='/progress/withdraw']")


def test_retention_anonymises_expired_complaints_and_keeps_held_ones(app, pages):
    references = []
    for _ in range(3):
        person = PageClient(app.test_client())
        done = send_complaint(person, {**YOUNG_PERSON, "what_happened": "Private words"})
        references.append(done.select_one("#reference").text.strip())
    with app.app_context():
        expired, held, recent = (complaints.by_reference(r) for r in references)
        close_as_staff(expired)
        close_as_staff(held)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["retention", "hold", references[1], "--by", "manager@council"])
    assert result.exit_code == 0, result.output

    later = datetime.now(UTC) + timedelta(days=365 * 6 + 5)
    with time_machine.travel(later, tick=False):
        with app.app_context():
            close_as_staff(complaints.by_reference(references[2]))
        result = runner.invoke(args=["retention", "run"])
    assert "Anonymised 1 complaint(s); 1 on legal hold." in result.output

    with app.app_context():
        gone, kept, fresh = (complaints.by_reference(r) for r in references)
        assert gone.answers == {} and gone.anonymised_utc is not None
        assert gone.received_on and gone.points, "numbers for reports are kept"
        assert {o.outcome for p in gone.points for o in p.outcomes} == {"resolved"}
        assert all(e.note is None for e in gone.events) and gone.contact_lookup is None
        assert kept.answers["what_happened"] == "Private words"
        assert fresh.answers["what_happened"] == "Private words"
        audit = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
        assert [(a.actor, a.action) for a in audit if not a.action.startswith("case_")] == [
            ("manager@council", "legal_hold_set"),
            ("retention", "complaint_anonymised"),
        ]
        assert "Private words" not in str([a.data for a in audit])


def test_nothing_is_pre_ticked_on_any_step(pages):
    from portal.flows import COMPLAINT

    answers = {
        **YOUNG_PERSON,
        "topics": ["other", "elsewhere", "not_safe"],
        "topic_other": "Bus",
        "elsewhere": ["school"],
        "signpost": "send_anyway",
        "contact": "text",
        "phone": "07700 900123",
        "advocate": "more",
        "advocate_more": "yes",
    }
    page = pages.get("/chat/who")
    seen = 0
    while page.path != "/chat/check":
        assert not page.select("input[checked]"), f"{page.path} has a pre-ticked answer"
        step = page.path.rsplit("/", 1)[1]
        assert COMPLAINT.get(step) is not None
        page = pages.submit(page, {"answer": answers[step]})
        seen += 1
    assert seen >= 15


def test_an_adult_with_worrying_words_is_told_what_an_adult_should_do(app, pages):
    from tests.portal.journey import PARENT

    page = _walk_to(pages, "what_happened", PARENT)
    page = pages.submit(page, {"answer": "She says she is scared to go home tonight"})
    help_box = page.select_one("#safety-help")
    assert help_box, "help is shown on the next page"
    assert "0808 800 5000" in help_box.text, "the NSPCC helpline for adults"
    assert app.config["CHILDRENS_SERVICES_PHONE"] in help_box.text
    assert "999" in help_box.text
    assert "Childline" not in help_box.text, "Childline is for children"


def test_a_young_person_with_worrying_words_is_pointed_to_childline(pages):
    page = _walk_to(pages, "what_happened", YOUNG_PERSON)
    help_box = pages.submit(page, {"answer": WORRYING}).select_one("#safety-help")
    assert "0800 1111" in help_box.text and "NSPCC" not in help_box.text


def test_an_adult_worried_a_child_is_being_harmed_gets_help_and_a_flag(app, pages):
    from tests.portal.journey import PARENT

    answers = {**PARENT, "topics": ["not_safe"], "signpost": "send_anyway"}
    page = _walk_to(pages, "topics", answers)
    choice = page.select_one("input[name=answer][value=not_safe]")
    label = page.select_one(f"label[for={choice['id']}]").get_text(" ", strip=True)
    assert "I'm worried a child is being harmed" in label
    signpost = pages.submit(page, {"answer": ["not_safe"]})
    assert signpost.path == "/chat/signpost", "it leads straight to the help"
    danger = signpost.select_one("#danger-help")
    assert "0808 800 5000" in danger.text and app.config["CHILDRENS_SERVICES_PHONE"] in danger.text
    assert "Childline" not in danger.text
    done = send_complaint(PageClient(app.test_client()), answers)
    reference = done.select_one("#reference").text.strip()
    with app.app_context():
        complaint = complaints.by_reference(reference)
        assert complaint.urgent and "said_not_safe" in complaint.urgent_reasons
