"""'Say thank you or share an idea' over HTTP: the conversation, in every language, sent once,
screened for harm, and the neutral words of an answer."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from babel.messages.pofile import read_po
from flask_babel import force_locale
from sqlalchemy import select
from wtforms import StringField

from portal.extensions import db
from portal.models import Draft, Feedback, OutboxMessage
from portal.notifications import (
    FEEDBACK_ANSWER,
    FEEDBACK_ANSWER_TEXT,
    FEEDBACK_NOTICES,
    FEEDBACK_SAFETY_ALERT,
    For,
)
from portal.services import feedback as service
from portal.services.feedback import FEEDBACK
from portal.views.forms import SCREENED_FIELDS, form_for
from tests.messages.test_catalogue import ROOT, forbidden_in
from tests.pages import Page, PageClient

START = "/thank-you-or-idea"
CHECK = f"{START}/check"
SENT = f"{START}/sent"
WORRYING = "my foster carer hits me"

THANKS = {
    "kind": "compliment",
    "about": "Sam, my support worker",
    "thanks": "Sam always listens to me and helped me move school.",
    "who": "young_person",
}
IDEA = {
    "kind": "comment",
    "idea": "Meetings after school would be better than in the morning.",
    "who": "parent",
    "reply": "email",
    "email": " Parent@Example.com ",
}


def walk(person: PageClient, answers: dict[str, Any], start: str = START) -> Page:
    """Answer each question as it comes until check-your-answers; return that page."""
    page = person.get(start)
    for _ in range(12):
        if page.path == CHECK:
            return page
        step = page.path.rsplit("/", 1)[1]
        assert step in answers, f"no answer for {step!r}"
        page = person.submit(page, {"answer": answers[step]}, selector="form.ask")
        assert not page.select(".error-summary"), f"{step}: {page.select_one('.error-summary')}"
    raise AssertionError("the conversation did not reach check your answers")


def send(person: PageClient, check: Page) -> Page:
    return person.submit(check, selector="form.send-form")


def rows(app) -> list[Feedback]:
    with app.app_context():
        found = list(db.session.scalars(select(Feedback).order_by(Feedback.id)))
        db.session.expunge_all()
        return found


def outbox(app, kind: str) -> list[OutboxMessage]:
    with app.app_context():
        found = list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind)))
        db.session.expunge_all()
        return found


def test_the_home_page_leads_to_it(pages):
    home = pages.get("/")
    link = home.select_one("a#thank-you-or-idea")
    assert link is not None and link["href"] == START
    first = pages.get(link["href"])
    assert first.path == f"{START}/kind"
    assert first.h1 == "What would you like to do?"
    assert first.select("input[type=radio][name=answer]")


def test_saying_thank_you_records_a_compliment_once(app, pages):
    check = walk(pages, THANKS)
    assert "Sam always listens to me" in check.text
    assert check.select_one("form#ask-answer"), "someone saying thank you may ask for an answer"
    done = send(pages, check)
    assert done.path == SENT
    assert "We pass your thanks on to the person or team." in done.text
    assert done.select_one("#no-reply")
    [item] = rows(app)
    assert (item.kind, item.arrived_by, item.from_group) == ("compliment", "portal", "young_person")
    assert item.about == "Sam, my support worker"
    assert item.message == THANKS["thanks"]
    assert item.contact is None and item.recorded_by is None and item.team is None
    assert item.language == "en" and not item.safety_flag
    # Pressing Send again, or going Back and answering again, records nothing more.
    token = check.form_data("form.send-form")[1]["csrf_token"]
    assert pages.post(f"{START}/send", {"csrf_token": token}).path == SENT
    again = pages.post(f"{START}/who", {"csrf_token": token, "answer": "young_person"})
    assert again.path == SENT
    assert len(rows(app)) == 1
    with app.app_context():
        draft = db.session.scalars(select(Draft).where(Draft.journey == "feedback")).one()
        assert draft.submitted_utc is not None
        assert "thanks" not in draft.answers, "the draft keeps no second copy of the words"


def test_an_idea_with_an_email_address_asks_for_an_answer(app, pages):
    done = send(pages, walk(pages, IDEA))
    assert done.select_one("#reply-by-email")
    [item] = rows(app)
    assert (item.kind, item.from_group, item.contact) == ("comment", "parent", "parent@example.com")


def test_someone_saying_thank_you_can_ask_for_an_answer_after_all(app, pages):
    check = walk(pages, THANKS)
    assert "An answer" not in check.text
    step = pages.submit(check, selector="form#ask-answer")
    assert step.path == f"{START}/reply"
    step = pages.submit(step, {"answer": "phone"}, selector="form.ask")
    assert step.path == f"{START}/phone"
    bad = pages.submit(step, {"answer": "12345"}, selector="form.ask")
    assert bad.select_one(".error-summary")
    assert "Write a UK phone number" in bad.text
    check = pages.submit(bad, {"answer": "07700 900123"}, selector="form.ask")
    assert check.path == CHECK and "07700 900123" in check.text
    done = send(pages, check)
    assert done.select_one("#reply-by-phone")
    assert rows(app)[0].contact == "07700900123"


def test_an_answer_can_be_changed_from_check_your_answers(app, pages):
    check = walk(pages, IDEA)
    change = next(a["href"] for a in check.select(".summary-change a") if "/reply" in a["href"])
    step = pages.get(change)
    page = pages.submit(step, {"answer": "none"}, selector="form.ask")
    assert page.path == CHECK
    assert "parent@example.com" not in page.text.lower()
    send(pages, page)
    assert rows(app)[0].contact is None


def test_two_browsers_and_two_tabs_record_once_each(app):
    first, second = PageClient(app.test_client()), PageClient(app.test_client())
    check_one, check_two = walk(first, THANKS), walk(second, IDEA)
    send(first, check_one)
    send(first, check_one)  # an old tab of the same browser
    send(second, check_two)
    assert sorted(i.kind for i in rows(app)) == ["comment", "compliment"]


def test_sends_at_the_same_moment_record_it_once(app, pages):
    walk(pages, {**THANKS, "thanks": "my foster carer hits me"})
    with app.app_context():
        key = db.session.scalars(select(Draft.key).where(Draft.journey == "feedback")).one()
    barrier, results = threading.Barrier(4), []

    def press_send() -> None:
        with app.app_context():
            barrier.wait()
            results.append(service.submit_draft(key, "en"))

    threads = [threading.Thread(target=press_send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(results) == 4 and all(r == service.Sent("compliment", "none") for r in results)
    assert len(rows(app)) == 1
    assert len(outbox(app, FEEDBACK_SAFETY_ALERT)) == 1, "one alert to the duty team"


@pytest.mark.parametrize(
    ("language", "heading", "direction"),
    [
        ("cy", "Beth hoffet ti ei wneud?", "ltr"),
        ("pl", None, "ltr"),
        ("ar", None, "rtl"),
    ],
)
def test_it_speaks_every_language(app, pages, language, heading, direction):
    pages.get(f"/language/{language}?next={START}")
    first = pages.get(START)
    html = first.soup.find("html")
    assert html["lang"].startswith(language) and html["dir"] == direction
    assert first.h1 != "What would you like to do?", "the question is translated"
    if heading:
        assert first.h1 == heading
    done = send(pages, walk(pages, IDEA))
    assert done.h1 != "Thank you. We have got your idea."
    [item] = rows(app)
    assert item.language == language


@pytest.mark.parametrize(
    ("answers", "box"),
    [
        (THANKS, "about"),
        (THANKS, "thanks"),
        (IDEA, "idea"),
        (IDEA, "email"),
        ({**IDEA, "reply": "phone", "phone": "01632 960123"}, "phone"),
    ],
)
def test_words_about_harm_in_any_box_show_help_flag_it_and_alert_the_duty_team(
    app, pages, answers, box
):
    page = pages.get(START)
    for _ in range(12):
        if page.path == CHECK:
            break
        step = page.path.rsplit("/", 1)[1]
        if step == box:
            page = pages.submit(page, {"answer": WORRYING}, selector="form.ask")
            assert page.select_one("#safety-help"), f"{box}: no help shown"
            if page.path != CHECK and page.path.endswith(f"/{box}"):  # refused: an email box
                page = pages.submit(page, {"answer": answers[step]}, selector="form.ask")
            continue
        page = pages.submit(page, {"answer": answers[step]}, selector="form.ask")
    assert page.path == CHECK
    send(pages, page)
    [item] = rows(app)
    assert item.safety_flag, box
    [alert] = outbox(app, FEEDBACK_SAFETY_ALERT)
    assert alert.audience == "duty" and alert.to_address == app.config["DUTY_TEAM_EMAIL"]
    assert f"/staff/feedback/{item.id}" in alert.body
    assert "hits" not in alert.body and "foster" not in alert.body, "no content in an alert"


def test_calm_words_raise_nothing(app, pages):
    page = walk(pages, THANKS)
    assert not page.select_one("#safety-help")
    send(pages, page)
    assert not rows(app)[0].safety_flag
    assert outbox(app, FEEDBACK_SAFETY_ALERT) == []


def test_every_text_question_is_a_screened_box(app):
    checked = 0
    with app.test_request_context("/", method="POST"):
        state = FEEDBACK.state({})
        for step in FEEDBACK.steps:
            field = form_for(step, state).answer
            if isinstance(field, StringField):
                assert isinstance(field, SCREENED_FIELDS), step.id
                checked += 1
    assert checked == 5


def test_bad_input_gets_plain_words_never_a_500(app, pages):
    assert pages.client.get(f"{START}/nonsense").status_code == 404
    first = pages.get(START)
    _, fields = first.form_data("form.ask")
    made_up = pages.post(f"{START}/kind", {**fields, "answer": "<script>"})
    assert "Pick one to carry on." in made_up.text
    pages.post(f"{START}/kind", {**fields, "answer": "comment"})
    too_long = pages.post(f"{START}/idea", {**fields, "answer": "a" * 2001})
    assert "That is too long" in too_long.text
    assert "a" * 2001 in too_long.response.get_data(as_text=True), "nothing typed is lost"
    empty = pages.post(f"{START}/idea", {**fields, "answer": "<b></b>   "})
    assert "Write your idea." in empty.text
    # A question further on cannot be opened before the ones before it are answered.
    jumped = pages.get(f"{START}/email")
    assert jumped.path == f"{START}/idea"
    # Sending an unfinished one goes back to the first gap; without CSRF nothing happens.
    assert pages.client.post(f"{START}/send", data={}).status_code < 500
    gap = pages.post(f"{START}/send", {"csrf_token": fields["csrf_token"]})
    assert gap.path == f"{START}/idea"
    assert rows(app) == []


def test_the_answers_need_the_csrf_token(app, pages):
    pages.get(START)
    response = pages.client.post(f"{START}/kind", data={"answer": "comment"})
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalars(select(Draft)).all() == []


def test_exit_forgets_what_was_being_written(app, pages):
    walk(pages, THANKS)
    copied = pages.client.get_cookie("su_session", domain="speakup.test").value
    assert pages.client.get(CHECK).status_code == 200
    pages.client.get("/exit")
    copy = app.test_client()
    copy.set_cookie("su_session", copied, domain="speakup.test")
    response = copy.get(CHECK)
    assert response.status_code == 303 and response.location.endswith(f"{START}/kind")


def test_the_sent_page_needs_something_sent(pages):
    response = pages.client.get(SENT)
    assert response.status_code == 303 and response.location.endswith(START)


def test_a_complaint_being_written_is_not_touched(app, pages):
    step = pages.get("/chat/who")
    pages.submit(step, {"answer": "self"}, selector="form.ask")
    send(pages, walk(pages, THANKS))
    # The complaint's draft still holds its answer.
    resumed = pages.get("/chat/who")
    assert resumed.select_one("input[value=self][checked]")


# The words of an answer ------------------------------------------------------------------

LANGUAGES = ("en", "cy", "pl", "ar")


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("notice", [n for n in FEEDBACK_NOTICES if n.to == For.PERSON])
def test_an_answer_gives_nothing_away_in_any_language(app, notice, language):
    with app.test_request_context(), force_locale(language):
        message = notice.render(council="Anytown Council", answer="ANSWER")
    for text in (message.subject, message.body):
        assert not forbidden_in(text, language), text
    if notice.kind == FEEDBACK_ANSWER:
        assert message.body.endswith(":\nANSWER")
    else:
        assert notice.kind == FEEDBACK_ANSWER_TEXT and "ANSWER" not in message.body
    if language != "en":
        with app.test_request_context(), force_locale("en"):
            english = notice.render(council="Anytown Council", answer="ANSWER")
        assert message.body != english.body, "translated"


@pytest.mark.parametrize("language", ["cy", "pl", "ar"])
def test_every_line_of_an_answer_is_in_the_catalogue(app, language):
    path = ROOT / f"portal/translations/{language}/LC_MESSAGES/messages.po"
    with path.open("rb") as po:
        catalogue = read_po(po, locale=language)
    with app.test_request_context(), force_locale("en"):
        for notice in FEEDBACK_NOTICES:
            if notice.to != For.PERSON:
                continue
            for line in (notice.subject, *notice.lines):
                english = str(line)
                if english.startswith("%("):
                    continue
                entry = catalogue.get(english)
                assert entry is not None and entry.string, (language, english)
