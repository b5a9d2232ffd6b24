""" "Send me my link" (issue 17, part 2): to the address given with the complaint, or one typed
now and never saved, in neutral words, rate-limited, and delivered by the real sender."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select

from portal.extensions import db
from portal.models import Complaint, OutboxMessage
from portal.services import complaints, status_links
from tests.messages.helpers import BY_EMAIL, BY_TEXT, EMAIL, LINK
from tests.messages.test_catalogue import forbidden_in
from tests.outbox.conftest import FAST, drain
from tests.outbox.servers import NotifyServer, SmtpServer
from tests.pages import Page, PageClient
from tests.portal.journey import YOUNG_PERSON, open_link, send_complaint

pytestmark = pytest.mark.pages

TYPED = "someone.new@example.com"


def _person(app, address: str = "127.0.0.1", language: str | None = None) -> PageClient:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    if language:
        client.set_cookie("lang", language, domain="speakup.test")
    return PageClient(client)


def _send(app, answers=YOUNG_PERSON, **kwargs) -> tuple[PageClient, Page]:
    person = _person(app, **kwargs)
    return person, send_complaint(person, answers)


def _ask(person: PageClient, page: Page, fields: dict, expect: int = 200) -> Page:
    return person.submit(page, fields, selector="#send-my-link form", expect=expect)


def _sent(app) -> list[OutboxMessage]:
    with app.app_context():
        found = db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.kind == status_links.MY_LINK)
            .order_by(OutboxMessage.id)
        ).all()
        db.session.expunge_all()
        return list(found)


def _stored(app, reference: str) -> Complaint:
    with app.app_context():
        found = complaints.by_reference(reference)
        db.session.expunge(found)
        return found


def test_the_address_they_gave_is_offered_masked_and_the_link_goes_there(app):
    person, done = _send(app, BY_EMAIL)
    form = done.select_one("#send-my-link form")
    labels = [label.get_text(" ", strip=True) for label in form.select(".choice label")]
    assert labels == ["To j***@example.com", "To another email address or mobile number"]
    assert EMAIL not in done.text, "the whole address is never on the page"
    assert form.select_one("input[name=to][value=given]").has_attr("checked")
    sent = _ask(person, done, {"to": "given"})
    assert sent.path == "/progress/send-link/sent"
    assert sent.h1 == "We are sending your link"
    assert sent.select_one("a.button")["href"] == "/chat/done"
    [message] = _sent(app)
    assert (message.to_address, message.channel, message.audience) == (
        EMAIL,
        "email",
        "complainant",
    )
    link = LINK.search(message.body).group(0)
    assert len(link.split("/s/", 1)[1]) < 60
    assert open_link(_person(app), link).path == "/progress"


def test_the_message_reveals_nothing_to_whoever_else_reads_the_phone(app):
    reference = _send(app, BY_EMAIL)[1].select_one("#reference").text.strip()
    person, done = _send(app, BY_EMAIL)
    _ask(person, done, {"to": "given"})
    [message] = _sent(app)
    words = f"{message.subject}\n{message.body}"
    assert not forbidden_in(words, "en"), words
    for private in ("Jess", "social worker", "visits", reference):
        assert private not in words
    assert "You asked us to send you your private link." in message.body
    assert "Keep the link private." in message.body


def test_an_address_typed_now_is_used_once_and_never_saved(app):
    person, done = _send(app, BY_EMAIL)
    reference = done.select_one("#reference").text.strip()
    before = _stored(app, reference)
    _ask(person, done, {"to": "other", "contact": " Someone.New@Example.com "})
    [message] = _sent(app)
    assert message.to_address == TYPED
    after = _stored(app, reference)
    assert after.answers == before.answers
    assert after.contact_lookup == before.contact_lookup
    assert TYPED not in str(after.answers)


def test_a_mobile_number_typed_now_gets_a_text(app):
    person, done = _send(app, YOUNG_PERSON)
    assert not done.select_one("#send-my-link input[name=to]"), "no address given: just the box"
    _ask(person, done, {"contact": "07700 900 456"})
    [message] = _sent(app)
    assert (message.to_address, message.channel) == ("07700900456", "sms")


def test_an_address_they_said_was_not_safe_is_not_offered(app):
    person, done = _send(app, {**BY_EMAIL, "contact_safe": "no"})
    assert not done.select_one("#send-my-link input[name=to]")
    page = _ask(person, done, {"to": "given"}, expect=400)
    assert "Write an email address or mobile number." in page.select_one(".error-summary").text
    assert _sent(app) == []


def test_the_status_page_offers_the_same_and_comes_back_to_itself(app):
    _, done = _send(app, BY_EMAIL)
    other = _person(app, "10.0.0.2")
    status = open_link(other, done.select_one("a#status-link")["href"])
    assert "Keep this link, not this page." in status.select_one("#keep-link").text
    assert status.select_one("#keep-link #copy-link[hidden]"), "Copy shows only with JavaScript"
    assert status.select_one("#send-my-link input[name=back]")["value"] == "progress"
    sent = _ask(other, status, {"to": "other", "contact": TYPED})
    assert sent.select_one("a.button")["href"] == "/progress"
    assert [m.to_address for m in _sent(app)] == [TYPED]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"to": "other", "contact": ""}, "Write an email address or mobile number."),
        ({"to": "other", "contact": "not an address"}, "Write an email address like"),
        ({"to": "other", "contact": "01632 960123"}, "Or a mobile number like 07700 900123."),
        ({"to": "somewhere"}, "Choose where to send your link."),
    ],
)
def test_a_wrong_answer_says_what_to_fix_and_keeps_what_was_typed(app, fields, message):
    person, done = _send(app, BY_EMAIL)
    page = _ask(person, done, fields, expect=400)
    assert page.h1 == "Send me my link"
    assert message in page.select_one(".error-summary").text
    if fields.get("contact"):
        assert page.select_one("#contact")["value"] == fields["contact"]
    assert _sent(app) == []
    fixed = _ask(person, page, {"to": "other", "contact": TYPED})
    assert fixed.path == "/progress/send-link/sent"


@pytest.mark.parametrize(
    "typed",
    ["a\x00b@example.com", "x" * 6000, "parent@example.com\r\nBcc: x@example.com", "@@", "+"],
)
def test_hostile_input_never_fails(app, typed):
    person, done = _send(app, BY_EMAIL)
    action, fields = done.form_data("#send-my-link form")
    response = person.client.post(action, data={**fields, "to": "other", "contact": typed})
    assert response.status_code in (303, 400, 413)
    for message in _sent(app):
        assert "\n" not in message.to_address and "\x00" not in message.to_address


def test_without_the_link_nothing_can_be_sent(app):
    _send(app, BY_EMAIL)
    stranger = _person(app, "10.0.0.3")
    page = stranger.get("/progress/send-link")
    assert page.h1 == "Open your private link"
    csrf = stranger.get("/lost-link").select_one("input[name=csrf_token]")["value"]
    response = stranger.client.post(
        "/progress/send-link", data={"csrf_token": csrf, "to": "other", "contact": TYPED}
    )
    assert b"Open your private link" in response.data
    assert _sent(app) == []


def test_csrf_is_enforced(app):
    person, _ = _send(app, BY_EMAIL)
    response = person.client.post("/progress/send-link", data={"to": "given"})
    assert response.status_code == 400
    assert _sent(app) == []


def test_the_pages_are_not_stored(app):
    person, done = _send(app, BY_EMAIL)
    _ask(person, done, {"to": "given"})
    for path in ("/progress/send-link", "/progress/send-link/sent?back=done", "/chat/done"):
        assert person.client.get(path).headers["Cache-Control"] == "no-store", path


def test_one_complaint_is_limited_with_a_kind_page(app):
    person, done = _send(app, BY_EMAIL)
    codes = []
    for n in range(5):
        page = person.get("/chat/done")
        action, fields = page.form_data("#send-my-link form")
        response = person.client.post(
            action,
            data={**fields, "to": "other", "contact": f"n{n}@example.com"},
            environ_base={"REMOTE_ADDR": f"10.0.9.{n}"},
        )
        codes.append(response.status_code)
    assert codes[:3] == [303, 303, 303]
    assert codes[3:] == [429, 429]
    page = person.get("/chat/done")
    refused = person.submit(page, {"to": "given"}, selector="#send-my-link form", expect=429)
    assert refused.h1 == "Too many tries"
    assert refused.select_one("#lost-link-help")
    assert len(_sent(app)) == 3


def test_the_message_is_in_the_language_of_the_page(app):
    person, done = _send(app, BY_EMAIL, language="cy")
    _ask(person, done, {"to": "given"})
    [message] = _sent(app)
    assert message.language == "cy"
    assert "You asked us" not in message.body
    assert not forbidden_in(f"{message.subject}\n{message.body}", "cy")


# Delivered by the real sender ------------------------------------------------------------------


@pytest.fixture
def smtp_app(make_app) -> Flask:
    server = SmtpServer()
    server.start()
    app = make_app(MAIL_URL=server.url, **FAST)
    app.smtp = server
    yield app
    server.stop()


@pytest.fixture
def notify_app(make_app) -> Flask:
    server = NotifyServer()
    server.start()
    app = make_app(
        MAIL_URL="notify://",
        NOTIFY_API_KEY=server.key,
        NOTIFY_EMAIL_TEMPLATE_ID=server.email_template,
        NOTIFY_SMS_TEMPLATE_ID=server.sms_template,
        NOTIFY_BASE_URL=server.base_url,
        **FAST,
    )
    app.notify = server
    yield app
    server.stop()


def test_an_email_reaches_a_real_smtp_server_with_a_working_link(smtp_app):
    person, done = _send(smtp_app, YOUNG_PERSON)
    _ask(person, done, {"contact": TYPED})
    drain(smtp_app)
    [received] = [m for m in smtp_app.smtp.messages if TYPED in m["To"]]
    body = received.get_content()
    link = LINK.search(body).group(0)
    assert open_link(_person(smtp_app, "10.0.1.1"), link).path == "/progress"
    assert not forbidden_in(f"{received['Subject']}\n{body}", "en")


def test_a_text_reaches_notify_with_a_working_link(notify_app):
    person, done = _send(notify_app, BY_TEXT)
    _ask(person, done, {"to": "given"})
    drain(notify_app)
    [text] = [d for d in notify_app.notify.delivered if d["kind"] == "sms" and "asked us" in str(d)]
    assert text["to"] == "07700900123"
    link = LINK.search(text["personalisation"]["body"]).group(0)
    assert open_link(_person(notify_app, "10.0.1.2"), link).path == "/progress"
