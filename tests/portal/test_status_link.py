"""The private status link: signed, swapped for a session, revocable and expiring."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine
from sqlalchemy import select

from portal.extensions import db
from portal.models import Complaint, StatusLink
from portal.services import complaints, status_links
from tests.pages import PageClient
from tests.portal.journey import YOUNG_PERSON, close_as_staff, open_link, send_complaint


def _send(pages) -> tuple[str, str]:
    page = send_complaint(pages, YOUNG_PERSON)
    return page.select_one("#reference").text.strip(), page.select_one("a#status-link")["href"]


def _fresh(app):
    """A second visitor on another phone, with no session of their own."""
    from tests.pages import PageClient

    return PageClient(app.test_client())


def test_opening_the_link_swaps_the_token_for_a_session(app, client, pages):
    reference, link = _send(pages)
    other = app.test_client()
    shown = PageClient(other).get(link)
    assert shown.select_one("#open-link-form"), "a GET only shows a Continue button"
    response = other.post(
        link, data={"csrf_token": shown.form_data("#open-link-form")[1]["csrf_token"]}
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/progress"
    page = _fresh(app)
    page.client = other
    status = page.get("/progress")
    assert status.select_one("#reference").text.strip() == reference
    assert "will reply by" in status.select_one("#now").text


def test_status_page_headers_keep_it_private(app, pages):
    _, link = _send(pages)
    person = _fresh(app)
    open_link(person, link)
    response = person.client.get("/progress")
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["X-Robots-Tag"].startswith("noindex")


def test_what_they_wrote_is_behind_a_control(app, pages):
    _, link = _send(pages)
    status = open_link(_fresh(app), link)
    details = status.select_one("details.told-us")
    assert not details.has_attr("open")
    assert "My social worker keeps cancelling our visits." in details.text
    now = status.select_one("#now").text
    assert "cancelling" not in now


def test_timeline_shows_received_and_the_reply_date(app, pages):
    _, link = _send(pages)
    items = [
        li.get_text(" ", strip=True) for li in open_link(_fresh(app), link).select(".timeline li")
    ]
    assert any("We got what you sent." in item for item in items)
    assert any("We asked an advocate to get in touch." in item for item in items)
    assert any("They will say they have it." in item for item in items)
    assert "Answer due." in items[-1]


def test_a_tampered_link_gets_a_kind_page(app, pages):
    _, link = _send(pages)
    page = open_link(_fresh(app), link[:-3] + "xyz")
    assert page.path.startswith("/s/")
    assert page.h1 == "This link does not work"
    assert page.select_one("#link-problem")
    assert "Part of it may be missing" in page.text


def test_garbage_links_get_the_same_kind_page(app):
    for token in ["x", "a.b.c", "e30.aaaa.bbbb"]:
        page = open_link(_fresh(app), "/s/" + token)
        assert page.select_one("#link-problem")


def test_a_link_with_a_nul_byte_gets_a_plain_refusal(app):
    page = _fresh(app).get("/s/%00", expect=400)
    assert page.h1 == "Sorry, something went wrong"


def test_progress_without_a_link_explains_what_to_do(app):
    page = _fresh(app).get("/progress")
    assert page.h1 == "Open your private link"


def test_a_new_link_revokes_the_old_one(app, pages):
    _, old_link = _send(pages)
    person = _fresh(app)
    status = open_link(person, old_link)
    status = person.submit(status, selector="form[action='/progress/new-link']")
    new_link = status.select_one("a#status-link")["href"]
    assert new_link != old_link
    assert "Your old link does not work any more." in status.text
    assert person.get("/progress").select_one("#reference"), "the person keeps access"

    revoked = open_link(_fresh(app), old_link)
    assert revoked.h1 == "This link does not work"
    assert "A newer link was made" in revoked.text
    assert open_link(_fresh(app), new_link).path == "/progress"


def test_revoking_also_ends_sessions_already_open(app, pages):
    reference, link = _send(pages)
    person = _fresh(app)
    assert open_link(person, link).path == "/progress"
    with app.app_context():
        status_links.revoke(complaints.by_reference(reference), actor="staff@council.example")
    page = person.get("/progress")
    assert page.h1 == "This link does not work"


def test_revoke_from_the_command_line(app, pages):
    reference, link = _send(pages)
    result = app.test_cli_runner().invoke(args=["link", "revoke", reference.lower()])
    assert result.exit_code == 0, result.output
    assert "now stops working" in result.output
    assert open_link(_fresh(app), link).h1 == "This link does not work"
    missing = app.test_cli_runner().invoke(args=["link", "revoke", "AAAA-AAAA"])
    assert missing.exit_code != 0


def test_the_link_works_while_open_and_expires_after_closure(app, pages):
    reference, link = _send(pages)
    keep_days = app.config["STATUS_LINK_DAYS_AFTER_CLOSE"]
    start = datetime.now(UTC)
    with time_machine.travel(start + timedelta(days=400), tick=False):
        assert open_link(_fresh(app), link).path == "/progress", "open complaints keep their link"
        with app.app_context():
            close_as_staff(complaints.by_reference(reference))
    closed_at = start + timedelta(days=400)
    with time_machine.travel(closed_at + timedelta(days=keep_days - 1), tick=False):
        page = open_link(_fresh(app), link)
        assert page.path == "/progress"
        assert "It was put right on" in page.text  # closed: put right locally
    with time_machine.travel(closed_at + timedelta(days=keep_days + 1), tick=False):
        page = open_link(_fresh(app), link)
        assert page.h1 == "This link does not work"
        assert "closed a while ago" in page.text


def test_the_link_names_nothing_and_only_its_hash_is_stored(app, pages):
    reference, link = _send(pages)
    token = link.rsplit("/", 1)[1]
    with app.app_context():
        complaint = db.session.query(Complaint).filter_by(reference=reference).one()
        for word in (reference, complaint.public_id):
            assert word.lower() not in token.lower()
        rows = db.session.scalars(select(StatusLink)).all()
        secret = token.replace("-", "")[: status_links.SECRET_CHARS]
        assert status_links.secret_hash(secret) in {row.secret_hash for row in rows}
        assert all(secret not in row.secret_hash for row in rows)
        assert {row.link_version for row in rows} == {1}
