"""Short private links: a random secret looked up by its SHA-256, signed, expiring and revocable
(issue 17, part 2). Long links sent before them keep working until they expire."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import time_machine
from sqlalchemy import event, func, select

from portal.extensions import db
from portal.logs import TokenFilter, fingerprint
from portal.models import Complaint, StatusLink
from portal.services import complaints, status_links
from tests.pages import PageClient
from tests.portal.journey import YOUNG_PERSON, close_as_staff, open_link, send_complaint


def _send(app) -> tuple[PageClient, str, str]:
    phone = PageClient(app.test_client())
    done = send_complaint(phone, YOUNG_PERSON)
    return (
        phone,
        done.select_one("#reference").text.strip(),
        done.select_one("a#status-link")["href"],
    )


def _stranger(app) -> PageClient:
    return PageClient(app.test_client())


def _after_host(link: str) -> str:
    parts = urlsplit(link)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _long_link(app, reference: str) -> str:
    """A link as they were made before short links: signed by itsdangerous, 120 characters."""
    with app.app_context():
        complaint = complaints.by_reference(reference)
        token = status_links._serializer().dumps(
            {"c": complaint.public_id, "v": complaint.status_link_version}
        )
    return f"/s/{token}"


def _rows(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(StatusLink))


def test_the_link_is_short_enough_to_read_out(app):
    _, _, link = _send(app)
    path = _after_host(link)
    assert link.startswith("http"), "an absolute link, to copy or send"
    assert len(path) < 60, path
    token = path.removeprefix("/s/")
    groups = token.split("-")
    assert [len(g) for g in groups] == [4] * 6, token
    assert set(token.replace("-", "")) <= set(status_links.ALPHABET)
    assert not set(token) & set("ilou"), "no letters to misread or mishear"
    assert open_link(_stranger(app), link).path == "/progress"


def test_a_link_read_out_and_typed_in_capitals_or_without_dashes_still_opens(app):
    _, reference, link = _send(app)
    token = link.rsplit("/", 1)[1]
    for typed in (token.upper(), token.replace("-", ""), token.replace("0", "O").replace("1", "l")):
        page = open_link(_stranger(app), f"/s/{typed}")
        assert page.path == "/progress", typed
        assert page.select_one("#reference").text.strip() == reference


def test_every_link_is_its_own_random_secret_and_only_its_hash_is_kept(app):
    _, reference, link = _send(app)
    with app.app_context():
        complaint = complaints.by_reference(reference)
        first = status_links.token_for(complaint)
        second = status_links.token_for(complaint)
        hashes = set(db.session.scalars(select(StatusLink.secret_hash)))
    assert first != second != link.rsplit("/", 1)[1]
    for token in (first, second):
        secret = token.replace("-", "")[: status_links.SECRET_CHARS]
        assert status_links.secret_hash(secret) in hashes
        assert not any(secret in stored for stored in hashes)
        assert open_link(_stranger(app), f"/s/{token}").path == "/progress"


def test_the_page_shows_the_same_link_all_session_and_makes_no_new_ones(app):
    phone, _, link = _send(app)
    rows = _rows(app)
    again = phone.get("/chat/done").select_one("a#status-link")["href"]
    assert again == link, "a link copied a moment ago is still the right one"
    assert _rows(app) == rows, "reloading the page makes no new links"
    other = _stranger(app)
    status = open_link(other, link)
    shown = status.select_one("a#status-link")["href"]
    assert shown != link, "each session has its own"
    assert other.get("/progress").select_one("a#status-link")["href"] == shown
    assert open_link(_stranger(app), shown).path == "/progress"


def test_the_link_works_after_the_session_that_showed_it_has_ended(app):
    phone, reference, link = _send(app)
    phone.client.get("/exit")
    page = open_link(_stranger(app), link)
    assert page.select_one("#reference").text.strip() == reference


def test_the_cookie_never_holds_the_link(app):
    phone, _, link = _send(app)
    status = open_link(phone, link)
    status = phone.submit(status, selector="form[action='/progress/new-link']")
    new = status.select_one("a#status-link")["href"].rsplit("/", 1)[1]
    cookie = phone.client.get_cookie("su_session", domain="speakup.test").value
    held = app.session_interface.get_signing_serializer(app).loads(cookie)
    assert new not in str(held) and new.replace("-", "") not in str(held)
    assert link.rsplit("/", 1)[1] not in str(held)


def test_a_new_link_is_shown_once_and_switches_every_older_one_off(app):
    phone, _, link = _send(app)
    with app.app_context():
        sent_before = status_links.token_for(complaints.by_reference(_send_ref(phone)))
    status = open_link(phone, link)
    fresh = phone.submit(status, selector="form[action='/progress/new-link']")
    assert fresh.select_one("#keep-link h2").text == "Here is your new private link"
    new_link = fresh.select_one("a#status-link")["href"]
    assert new_link != link
    again = phone.get("/progress")
    assert again.select_one("#keep-link h2").text == "Your private link", "the notice shows once"
    assert again.select_one("a#status-link")["href"] == new_link
    for old in (link, f"/s/{sent_before}"):
        assert "A newer link was made" in open_link(_stranger(app), old).text
    assert open_link(_stranger(app), new_link).path == "/progress"


def _send_ref(phone: PageClient) -> str:
    return phone.get("/chat/done").select_one("#reference").text.strip()


def test_a_made_up_link_is_refused_before_the_database_is_asked(app):
    _send(app)
    engine = app.extensions["database"][0]
    asked: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        if "status_link" in statement:
            asked.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        made_up = "-".join(["abcd"] * 6)
        page = open_link(_stranger(app), f"/s/{made_up}")
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert page.h1 == "This link does not work"
    assert asked == [], "a wrong signature never reaches the database"


def test_a_well_signed_secret_that_was_never_issued_is_refused(app):
    _send(app)
    with app.app_context():
        token = status_links._spell("0" * status_links.SECRET_CHARS)
    page = open_link(_stranger(app), f"/s/{token}")
    assert page.h1 == "This link does not work"
    assert "Part of it may be missing" in page.text


def test_a_short_link_expires_after_the_longest_time_a_link_lasts(app):
    _, _, link = _send(app)
    days = app.config["STATUS_LINK_MAX_DAYS"]
    with time_machine.travel(datetime.now(UTC) + timedelta(days=days - 1), tick=False):
        assert open_link(_stranger(app), link).path == "/progress"
    with time_machine.travel(datetime.now(UTC) + timedelta(days=days + 1), tick=False):
        assert open_link(_stranger(app), link).h1 == "This link does not work"


def test_a_short_link_stops_after_the_complaint_closed_a_while_ago(app):
    _, reference, link = _send(app)
    with app.app_context():
        close_as_staff(complaints.by_reference(reference))
    later = datetime.now(UTC) + timedelta(days=app.config["STATUS_LINK_DAYS_AFTER_CLOSE"] + 1)
    with time_machine.travel(later, tick=False):
        assert "closed a while ago" in open_link(_stranger(app), link).text


def test_staff_revoking_stops_short_and_long_links(app):
    _, reference, link = _send(app)
    long_link = _long_link(app, reference)
    assert open_link(_stranger(app), long_link).path == "/progress"
    with app.app_context():
        status_links.revoke(complaints.by_reference(reference), actor="staff@council.example")
    for old in (link, long_link):
        assert "A newer link was made" in open_link(_stranger(app), old).text


def test_long_links_sent_before_keep_working_until_they_expire(app):
    _, reference, _ = _send(app)
    long_link = _long_link(app, reference)
    assert len(long_link) > 60, "the old form, as already sent"
    page = open_link(_stranger(app), long_link)
    assert page.path == "/progress"
    assert page.select_one("#reference").text.strip() == reference
    days = app.config["STATUS_LINK_MAX_DAYS"]
    with time_machine.travel(datetime.now(UTC) + timedelta(days=days + 1), tick=False):
        assert open_link(_stranger(app), long_link).h1 == "This link does not work"


def test_a_message_and_its_link_are_stored_together_or_not_at_all(app):
    """A link made for a message is only a row in the same transaction as the message."""
    _, reference, _ = _send(app)
    rows = _rows(app)
    with app.app_context():
        status_links.token_for(complaints.by_reference(reference), commit=False)
        db.session.rollback()
    assert _rows(app) == rows


def test_deleting_a_complaint_deletes_its_links(app):
    _, reference, _ = _send(app)
    with app.app_context():
        db.session.delete(complaints.by_reference(reference))
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(Complaint)) == 0
    assert _rows(app) == 0


def test_short_links_never_reach_a_log_line(app):
    _, _, link = _send(app)
    token = link.rsplit("/", 1)[1]
    record = logging.LogRecord("access", logging.INFO, __file__, 1, f"GET /s/{token} 200", (), None)
    TokenFilter().filter(record)
    assert token not in record.getMessage()
    assert f"/s/~{fingerprint(token)}" in record.getMessage()


def test_the_status_page_is_not_stored(app):
    phone, _, link = _send(app)
    open_link(phone, link)
    for path in ("/progress", "/chat/done", link):
        response = phone.client.get(path)
        assert response.headers["Cache-Control"] == "no-store", path
