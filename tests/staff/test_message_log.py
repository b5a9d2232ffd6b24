"""Staff see every message about a case: when, which route, where it is up to, its neutral
words, and the address only in part."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal.clock import now_utc
from portal.contact import mask
from portal.extensions import db
from portal.models import OutboxMessage
from portal.services import complaints
from portal.services.message_log import hide_private_links, messages_about, route_label
from tests.pages import PageClient
from tests.portal.journey import PARENT, send_complaint

pytestmark = pytest.mark.pages  # what pages and messages say: PostgreSQL only (tests/conftest.py)

EMAIL = "jo.bloggs@example.com"
BY_EMAIL = {**PARENT, "contact_safe": "yes", "email": EMAIL}


@pytest.mark.parametrize(
    ("address", "shown"),
    [
        ("jo.bloggs@example.com", "j***@example.com"),
        ("J@Example.com", "J***@Example.com"),
        ("07700 900123", "07*** ***123"),
        ("+44 7700 900123", "07*** ***123"),
        ("07700900123", "07*** ***123"),
        ("0300 123 4567", "03*** ***567"),
        ("@example.com", "***@example.com"),
        ("abc", "***"),
        ("", ""),
        (None, ""),
    ],
)
def test_addresses_are_masked(address, shown):
    assert mask(address) == shown


def test_private_links_in_the_words_are_hidden():
    body = "Here it is:\nhttps://speakup.test/s/eyJjIjoiYWJjIiwidiI6Mn0.Zx_y-1.abc\n\nKeep it."
    shown = hide_private_links(body)
    assert "eyJj" not in shown
    assert "https://speakup.test/s/… (private link, hidden)" in shown
    assert shown.endswith("Keep it.")
    assert hide_private_links("https://speakup.test/staff/cases/ABCD-1234") == (
        "https://speakup.test/staff/cases/ABCD-1234"
    )


def test_routes_are_in_words():
    assert route_label("email", "complainant") == "Email to the complainant"
    assert route_label("sms", "complainant") == "Text message to the complainant"
    assert route_label("email", "duty") == "Email to the duty team"
    assert route_label("email", "someone_new") == "Email to someone new"


def _case_with_messages(app) -> tuple[str, list[int]]:
    """A case with one message in each state (besides any the app queued itself)."""
    done = send_complaint(PageClient(app.test_client()), BY_EMAIL)
    reference = done.select_one("#reference").text.strip()
    now = now_utc()
    rows = [
        dict(status="sent", sent_utc=now, channel="email", to_address=EMAIL),
        dict(
            status="failed",
            failed_utc=now,
            attempts=8,
            last_error="550 mailbox unavailable",
            channel="email",
            to_address=EMAIL,
        ),
        dict(status="not_sendable", channel="sms", to_address="07700 900123"),
        dict(status="queued", channel="sms", to_address="+447700900123"),
    ]
    with app.app_context():
        complaint = complaints.by_reference(reference)
        added = []
        for n, row in enumerate(rows):
            added.append(
                OutboxMessage(
                    kind="test",
                    audience="complainant",
                    subject="A message from your council",
                    body=f"There is an update for you.\nhttps://speakup.test/s/secret-token-{n}",
                    created_utc=now - timedelta(minutes=10 - n),
                    **row,
                )
            )
        complaint.outbox.extend(added)
        db.session.commit()
        return reference, [m.id for m in added]


def test_the_case_page_lists_every_message_masked(app, manager):
    reference, ids = _case_with_messages(app)
    page = manager.get(f"/staff/cases/{reference}")
    section = page.select_one("#messages")
    assert section is not None
    every_row = section.select("#message-log > li")
    with app.app_context():
        assert len(every_row) == len(messages_about(complaints.by_reference(reference)))
    rows = [section.select_one(f"#message-{i}") for i in reversed(ids)]  # newest first
    assert every_row.index(rows[0]) < every_row.index(rows[-1])
    text = " ".join(section.get_text(" ").split())
    assert EMAIL not in text and "jo.bloggs" not in text
    assert "07700" not in text.replace("07*** ***123", "")
    assert "j***@example.com" in text and "07*** ***123" in text
    assert "secret-token" not in str(section), "staff never get a working private link here"
    statuses = [r.select_one(".message-status").get_text(strip=True) for r in rows]
    assert statuses == ["Queued", "Not sendable", "Failed", "Sent"], "newest first"
    assert "550 mailbox unavailable" in rows[2].get_text()
    assert "No way to send a text message is set up" in rows[1].get_text()
    routes = [r.select_one(".message-route").get_text(strip=True) for r in rows]
    assert routes[0] == "Text message to the complainant"
    assert routes[3] == "Email to the complainant"
    assert "There is an update for you." in text
    assert "A message from your council" in text


def test_a_case_with_no_messages_says_so(app, manager, new_complaint):
    reference = new_complaint()
    with app.app_context():
        assert messages_about(complaints.by_reference(reference)) == []
    page = manager.get(f"/staff/cases/{reference}")
    assert page.select_one("#message-log").get_text(strip=True) == "No messages yet."


def test_a_lost_link_message_shows_on_the_case(app, manager):
    done = send_complaint(PageClient(app.test_client()), BY_EMAIL)
    reference = done.select_one("#reference").text.strip()
    app.config["LOST_LINK_MIN_SECONDS"] = 0
    person = PageClient(app.test_client())
    form = person.get("/lost-link")
    person.submit(form, {"contact": EMAIL.upper()}, selector="#lost-link-form")
    section = manager.get(f"/staff/cases/{reference}").select_one("#messages")
    [row] = [r for r in section.select("#message-log > li") if "You asked" in r.get_text()]
    text = " ".join(row.get_text(" ").split())
    assert "Email to the complainant" in text
    assert "j***@example.com" in text
    assert "Queued" in text
    assert "You asked for a new private link." in text
    assert "/s/… (private link, hidden)" in text
