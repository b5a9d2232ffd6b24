"""The sender through GOV.UK Notify's official client, against a local server that follows
Notify's published API and checks the JWT bearer token as Notify does."""

from __future__ import annotations

import time

import jwt

from tests.outbox.conftest import FAST, drain, messages, queue, send_once
from tests.staff.conftest import sign_in


def test_an_email_goes_through_notify_with_its_key_as_reference(notify_app, notify):
    queue(notify_app, to="jo.bloggs@example.com")
    assert send_once(notify_app).sent == 1
    [row] = messages(notify_app)
    [delivered] = notify.delivered
    assert delivered["kind"] == "email" and delivered["to"] == "jo.bloggs@example.com"
    assert delivered["template_id"] == notify.email_template
    assert delivered["reference"] == row.idempotency_key
    assert delivered["personalisation"] == {"subject": row.subject, "body": row.body}
    assert (row.status, row.provider_ref, row.attempts) == ("sent", delivered["id"], 1)


def test_a_text_message_goes_through_notify(notify_app, notify):
    queue(notify_app, to="07700 900123", channel="sms")
    assert send_once(notify_app).sent == 1
    [delivered] = notify.delivered
    assert delivered["kind"] == "sms" and delivered["phone_number"] == "07700 900123"
    assert delivered["template_id"] == notify.sms_template
    assert messages(notify_app)[0].status == "sent"


def test_a_provider_that_answers_500_then_201_delivers_once(notify_app, notify):
    notify.script = [500]
    queue(notify_app)
    first = send_once(notify_app)
    assert (first.sent, first.retrying) == (0, 1)
    [row] = messages(notify_app)
    assert (row.status, row.attempts, row.last_error) == ("queued", 1, "notify_500_Exception")
    assert notify.delivered == []
    again = drain(notify_app)
    assert again.sent == 1
    assert len(notify.requests) == 2 and len(notify.delivered) == 1, "one delivery"
    assert {r["reference"] for r in notify.requests} == {row.idempotency_key}
    assert messages(notify_app)[0].status == "sent"


def test_notify_refusing_an_address_fails_at_once_and_staff_can_try_again(
    notify_app, notify, make_staff
):
    notify.refused.add("jo.bloggs@example.com")
    queue(notify_app, to="jo.bloggs@example.com")
    assert send_once(notify_app).failed == 1
    [row] = messages(notify_app)
    assert (row.status, row.last_error) == ("failed", "notify_400_BadRequestError")
    manager = sign_in(notify_app, make_staff("manager"))
    page = manager.get("/staff/messages")
    assert "j***@example.com" in page.select_one("#undelivered").text
    assert "jo.bloggs" not in page.text
    notify.refused.clear()
    manager.submit(page, selector=f"#retry-{row.id}")
    assert send_once(notify_app).sent == 1
    assert len(notify.delivered) == 1


def test_a_wrong_key_is_refused_by_the_server_and_tried_again_later(make_app, notify):
    wrong = f"speakup_test-{notify.service_id}-{'0' * 36}"
    app = make_app(
        MAIL_URL="notify://",
        NOTIFY_API_KEY=wrong,
        NOTIFY_EMAIL_TEMPLATE_ID=notify.email_template,
        NOTIFY_BASE_URL=notify.base_url,
        **FAST,
    )
    queue(app)
    assert send_once(app).retrying == 1, "a key to fix, not a message to give up on"
    assert messages(app)[0].last_error == "notify_403_AuthError"
    assert notify.delivered == []


def test_notify_down_is_tried_again(make_app, notify):
    app = make_app(
        MAIL_URL="notify://",
        NOTIFY_API_KEY=notify.key,
        NOTIFY_EMAIL_TEMPLATE_ID=notify.email_template,
        NOTIFY_BASE_URL="http://127.0.0.1:9",  # nothing listens there
        **FAST,
    )
    queue(app)
    assert send_once(app).retrying == 1
    assert messages(app)[0].last_error == "notify_unavailable"


def test_the_fake_notify_checks_tokens_as_notify_does(notify):
    """The local server is a fair stand-in: it refuses what Notify refuses."""
    good = jwt.encode({"iss": notify.service_id, "iat": int(time.time())}, notify.secret, "HS256")
    assert notify.check_token(f"Bearer {good}") is None
    stale = jwt.encode({"iss": notify.service_id, "iat": int(time.time()) - 60}, notify.secret)
    assert "30 seconds" in notify.check_token(f"Bearer {stale}")
    other = jwt.encode({"iss": "someone-else", "iat": int(time.time())}, notify.secret, "HS256")
    assert "service" in notify.check_token(f"Bearer {other}")
    forged = jwt.encode({"iss": notify.service_id, "iat": int(time.time())}, "x" * 36, "HS256")
    assert "signature" in notify.check_token(f"Bearer {forged}")
    assert notify.check_token(None)
