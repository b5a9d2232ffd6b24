"""Every working morning each officer gets one email of their cases due in the next 2 working
days or overdue, and each manager also every case past its deadline: references, steps, dates
and links, never what anyone wrote. At most one a day per person, however many senders run the
job; anyone can turn it off on their account page."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import time_machine
from sqlalchemy import select

from portal.clock import now_utc
from portal.extensions import db
from portal.models import AuditEntry
from portal.services import messages
from portal.services import staff as accounts
from tests.messages.helpers import outbox
from tests.messages.test_catalogue import forbidden_in
from tests.pages import PageClient
from tests.portal.journey import YOUNG_PERSON, send_complaint
from tests.staff.conftest import do, sign_in

MONDAY = datetime(2027, 1, 11, 9, 0, tzinfo=UTC)  # acknowledgement due Monday 18 January
FRIDAY_8AM = datetime(2027, 1, 15, 8, 0, tzinfo=UTC)  # due in 1 working day
WEDNESDAY_8AM = datetime(2027, 1, 20, 8, 0, tzinfo=UTC)  # 2 working days late
DIGEST = "staff_digest"
WORDS = YOUNG_PERSON["what_happened"]


def _run(app) -> int:
    with app.app_context():
        return messages.send_digests(now_utc())


def _run_at_once(app, senders: int = 3) -> list[int]:
    barrier, queued = threading.Barrier(senders), []

    def run() -> None:
        with app.app_context():
            barrier.wait()
            queued.append(messages.send_digests(now_utc()))

    threads = [threading.Thread(target=run) for _ in range(senders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return queued


def _case_for(app, make_staff) -> tuple[str, str, str]:
    """On Monday: a complaint, given to an officer. Returns its reference and both emails."""
    manager_email = make_staff("manager")
    officer_email = make_staff("officer", name="Olu Officer")
    done = send_complaint(PageClient(app.test_client()), YOUNG_PERSON)
    reference = done.select_one("#reference").text.strip()
    with app.app_context():
        officer_id = accounts.by_email(officer_email).id
    do(sign_in(app, manager_email), reference, "assign", assignee=str(officer_id))
    return reference, manager_email, officer_email


def test_one_digest_a_day_for_each_person_with_something_in_it(app, make_staff):
    with time_machine.travel(MONDAY, tick=False) as clock:
        reference, manager_email, officer_email = _case_for(app, make_staff)
        clock.move_to(FRIDAY_8AM.replace(hour=6))
        assert _run(app) == 0, "not before DIGEST_HOUR"
        clock.move_to(FRIDAY_8AM)
        assert sorted(_run_at_once(app)) == [0, 0, 1], "the officer's, queued once"
        assert _run(app) == 0, "once a day"
        [digest] = outbox(app, DIGEST)
        assert digest.to_address == officer_email and digest.audience == "staff"
        assert f"- {reference}: Triage, due 18 Jan 2027: " in digest.body
        assert digest.body.count(f"/staff/cases/{reference}") == 1
        clock.move_to(datetime(2027, 1, 16, 8, 0, tzinfo=UTC))
        assert _run(app) == 0, "no digest at the weekend"
        clock.move_to(WEDNESDAY_8AM)
        assert _run(app) == 2, "the officer's, and the manager's list of late cases"
    wednesday = {m.to_address: m for m in outbox(app, DIGEST)[1:]}
    officer, manager = wednesday[officer_email], wednesday[manager_email]
    assert "(overdue)" in officer.body
    assert "Every case past its deadline:" in manager.body and reference in manager.body
    assert "Your cases due" not in manager.body, "nothing of their own"


def test_a_digest_says_nothing_a_complainant_wrote(app, make_staff):
    with time_machine.travel(MONDAY, tick=False) as clock:
        _case_for(app, make_staff)
        clock.move_to(WEDNESDAY_8AM)
        _run(app)
    for digest in outbox(app, DIGEST):
        for words in (WORDS, "cancelling", "Jess", "social worker", "family"):
            assert words not in digest.body and words not in digest.subject
        assert not forbidden_in(digest.subject + digest.body, "en")


def test_staff_can_turn_the_digest_off_and_on_from_their_account(app, make_staff):
    with time_machine.travel(MONDAY, tick=False) as clock:
        _, _, officer_email = _case_for(app, make_staff)
        officer = sign_in(app, officer_email)
        account = officer.get("/staff/account")
        assert "The daily email is on." in account.select_one("#digest-state").text
        page = officer.submit(account, selector="form[action='/staff/account/digest']")
        assert "The daily email is off." in page.select_one("#digest-state").text
        clock.move_to(FRIDAY_8AM)
        assert _run(app) == 0, "turned off"
        with app.app_context():
            changes = db.session.scalars(
                select(AuditEntry.action).where(AuditEntry.actor == officer_email)
            ).all()
        assert "staff_digest_off" in changes
        officer = sign_in(app, officer_email)
        account = officer.get("/staff/account")
        page = officer.submit(account, selector="form[action='/staff/account/digest']")
        assert "The daily email is on." in page.select_one("#digest-state").text
        assert _run(app) == 1


def test_nothing_due_means_no_digest(app, make_staff):
    with time_machine.travel(MONDAY, tick=False):
        make_staff("manager")
        make_staff("officer")
        assert _run(app) == 0
        assert outbox(app, DIGEST) == []
