"""Staff help with a private link: a withdrawal from the link is checked, a word is cleared."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEntry
from tests.pages import PageClient
from tests.portal.journey import YOUNG_PERSON, open_link, send_complaint
from tests.staff.conftest import load

pytestmark = pytest.mark.pages  # what pages and messages say: PostgreSQL only (tests/conftest.py)

WORD = "Biscuit the dog"


def _complainant(app):
    phone = PageClient(app.test_client())
    done = send_complaint(phone, YOUNG_PERSON)
    return phone, done, done.select_one("#reference").text.strip()


def test_a_withdrawal_from_the_link_stays_on_the_tracker_until_checked(app, manager):
    phone, _, reference = _complainant(app)
    phone.submit(phone.get("/progress/withdraw"), selector="main form")
    tracker = manager.get("/staff/cases")
    row = next(r for r in tracker.select("tbody tr") if reference in r.text)
    assert "check with them" in row.text
    case = manager.get(f"/staff/cases/{reference}")
    assert case.select_one("#withdrawal-to-check")
    checked = manager.submit(case, selector="#withdrawal-to-check form")
    assert not checked.select_one("#withdrawal-to-check")
    assert reference not in manager.get("/staff/cases").text, "closed cases leave the tracker"
    assert "Checked the withdrawal" in checked.text
    with app.app_context():
        actions = [e.action for e in db.session.scalars(select(AuditEntry))]
    assert "withdrawal_checked" in actions


def test_staff_clear_a_secret_word_after_checking_who_it_is(app, manager):
    phone, done, reference = _complainant(app)
    link = done.select_one("a#status-link")["href"]
    phone.submit(done, {"word": WORD, "again": WORD}, selector="#secret-word form")
    case = manager.get(f"/staff/cases/{reference}")
    assert "Set by the complainant" in case.select_one("#secret-word").text
    refused = manager.submit(
        case, {"how_checked": ""}, selector="form[action$='/secret-word/clear']", expect=400
    )
    assert "Write how you checked" in refused.text
    assert load(app, reference).secret_word_hash
    manager.submit(
        refused,
        {"how_checked": "Called the foster carer's landline, spoke to the young person"},
        selector="form[action$='/secret-word/clear']",
    )
    assert load(app, reference).secret_word_hash is None
    assert open_link(PageClient(app.test_client()), link).path == "/progress"
    with app.app_context():
        cleared = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "secret_word_cleared")
        ).one()
        assert cleared.actor == "manager@council.example"
        assert cleared.target == f"complaint:{reference}"
