"""The sender against a real SMTP server (aiosmtpd in this process): outages, refusals, crashes,
and two senders at once. Each message is counted at the server by its Message-ID."""

from __future__ import annotations

import random
import threading
import time
from datetime import timedelta

import pytest
import time_machine

from portal.clock import now_utc
from portal.outbox.sender import Sender
from portal.outbox.transports import Outgoing, SmtpTransport, message_id_for
from tests.conftest import ON_POSTGRESQL
from tests.outbox.conftest import FAST, QuickPages, drain, messages, queue, send_once
from tests.portal.journey import PARENT, send_complaint
from tests.staff.conftest import sign_in

WORRYING = "My foster carer hits me and I am scared to go home"


@ON_POSTGRESQL  # 20 walks through the conversation take a while: once is enough
def test_smtp_down_while_20_complaints_are_sent_then_every_message_arrives_once(
    smtp_app, smtp, outbox_ids
):
    smtp.stop()
    for n in range(20):
        answers = {**PARENT, "email": f"parent{n}@example.com", "what_happened": WORRYING}
        send_complaint(QuickPages(smtp_app.test_client()), answers)
    queued = messages(smtp_app)
    assert len(queued) >= 20, "each worrying complaint queues at least the duty team's alert"

    down = send_once(smtp_app)
    assert (down.sent, down.retrying) == (0, len(queued))
    assert down.errors == {"smtp_unavailable_ConnectionRefusedError": len(queued)}
    rows = messages(smtp_app)
    assert {(r.status, r.attempts) for r in rows} == {("queued", 1)}
    assert {r.last_error for r in rows} == {"smtp_unavailable_ConnectionRefusedError"}
    assert all(r.claimed_by is None and r.next_attempt_utc for r in rows)

    smtp.start()
    up = drain(smtp_app)
    assert up.sent == len(queued) and not up.failed, str(up)
    # Once in a full CI run a message still had to wait after the restart (40 sent, 1 tried
    # again; the run was 99% busy). A connection that drops or a reply past the 5 s timeout
    # is what retries are for; a refusal or an error in our code is not.
    assert all(code.startswith("smtp_unavailable_") for code in up.errors), str(up)
    assert up.retrying == sum(up.errors.values())
    rows = messages(smtp_app)
    assert {r.status for r in rows} == {"sent"}
    arrived = smtp.message_ids()
    assert set(arrived) == outbox_ids(rows), "every message arrived"
    assert set(arrived.values()) == {1}, "and none twice"
    assert drain(smtp_app).sent == 0, "nothing is sent again"
    assert len(smtp.messages) == len(rows)
    alert = next(m for m in smtp.messages if m["To"] == smtp_app.config["DUTY_TEAM_EMAIL"])
    assert "hits me" not in alert.get_content() and "scared" not in alert.get_content()


def test_a_message_goes_from_mail_from_with_its_key_as_message_id(smtp_app, smtp):
    [message_id] = queue(smtp_app, to="jo.bloggs@example.com")
    assert send_once(smtp_app).sent == 1
    [row] = messages(smtp_app)
    [email] = smtp.messages
    assert email["Message-ID"] == message_id_for(row.idempotency_key) == row.provider_ref
    assert email["From"] == "Speak Up <speakup@council.example>"
    assert email["To"] == "jo.bloggs@example.com" and email["Subject"] == row.subject
    assert email.get_content().strip() == row.body
    assert smtp.inbox.envelopes == [("speakup@council.example", ["jo.bloggs@example.com"])]
    assert row.sent_utc and row.attempts == 1 and row.last_error is None and row.id == message_id


def test_a_refused_address_fails_at_once_and_staff_see_it_masked_and_try_again(
    smtp_app, smtp, make_staff
):
    smtp.refuse("jo.bloggs@example.com")
    queue(smtp_app, to="jo.bloggs@example.com", kind="acknowledgement")
    report = send_once(smtp_app)
    assert (report.sent, report.failed) == (0, 1)
    [row] = messages(smtp_app)
    assert (row.status, row.attempts, row.last_error) == ("failed", 1, "smtp_recipient_refused_550")
    assert row.failed_utc and row.claimed_by is None

    officer = sign_in(smtp_app, make_staff("officer"))
    tracker = officer.get("/staff/cases")
    panel = tracker.select_one("#undelivered")
    assert "j***@example.com" in panel.text and "jo.bloggs" not in tracker.text
    assert "smtp_recipient_refused_550" in panel.text
    assert "The mail server refused the address." in panel.text
    assert "Acknowledgement" in panel.text and "Failed" in panel.text

    page = officer.submit(tracker, selector=f"#retry-{row.id}")
    assert page.path == "/staff/messages"
    assert "Queued again" in page.select_one("#done").text
    [row] = messages(smtp_app)
    assert (row.status, row.attempts, row.failed_utc) == ("queued", 0, None)
    assert row.next_attempt_utc <= now_utc()
    again = officer.submit(tracker, selector=f"#retry-{row.id}")  # a second press does nothing
    assert "Nothing to try again" in again.select_one("#done").text
    with smtp_app.app_context():
        from sqlalchemy import select

        from portal.extensions import db
        from portal.models import AuditEntry

        retried = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "outbox_message_retried")
        ).all()
    assert [(a.actor, a.target) for a in retried] == [
        ("officer@council.example", f"outbox_message:{row.id}")
    ]
    assert "jo.bloggs" not in str(retried[0].data)

    smtp.accept("jo.bloggs@example.com")
    assert send_once(smtp_app).sent == 1
    assert len(smtp.messages) == 1
    assert messages(smtp_app)[0].status == "sent"
    assert officer.get("/staff/cases").select_one("#undelivered") is None


def test_a_temporary_refusal_is_tried_again_until_the_limit(make_app, smtp):
    app = make_app(MAIL_URL=smtp.url, OUTBOX_MAX_ATTEMPTS=3, **FAST)
    smtp.refuse("jo.bloggs@example.com", "451 4.3.0 Try again later")
    queue(app)
    first = send_once(app)
    assert first.retrying == 1
    [row] = messages(app)
    assert (row.status, row.attempts, row.last_error) == ("queued", 1, "smtp_recipient_refused_451")
    report = drain(app)
    assert (report.retrying, report.failed) == (1, 1)
    assert report.errors == {"smtp_recipient_refused_451": 2}
    assert str(report).endswith("1 failed, 0 not sendable (smtp_recipient_refused_451 x2)")
    [row] = messages(app)
    assert (row.status, row.attempts) == ("failed", 3) and row.failed_utc
    assert smtp.messages == []


def test_staff_see_how_many_wait_and_how_long_the_oldest_has(smtp_app, smtp, make_staff):
    smtp.stop()
    with time_machine.travel(now_utc() - timedelta(minutes=42), tick=False):
        queue(smtp_app, 2)
    send_once(smtp_app)
    queue(smtp_app)
    manager = sign_in(smtp_app, make_staff("manager"))
    tracker = manager.get("/staff/cases")
    summary = tracker.select_one("#queued-count").text
    tried = tracker.select(".alerts .retrying")
    assert [t.text for t in tried] == ["(tried 1 time: The mail server could not be reached.)"] * 2
    assert "3 messages waiting to be sent" in summary
    assert "the oldest has waited 42 minutes" in summary
    assert "2 of them could not be sent yet" in summary
    page = manager.get("/staff/messages")
    assert "3 messages waiting" in page.select_one("#queued-count").text
    investigator = sign_in(smtp_app, make_staff("investigator"))
    investigator.get("/staff/messages", expect=403)


def test_a_text_message_with_smtp_is_not_sendable_and_staff_are_told(smtp_app, smtp, make_staff):
    queue(smtp_app, to="07700 900123", channel="sms")
    report = send_once(smtp_app)
    assert report.not_sendable == 1
    [row] = messages(smtp_app)
    assert (row.status, row.last_error) == ("not_sendable", "sms_needs_notify")
    assert smtp.messages == []
    panel = sign_in(smtp_app, make_staff("manager")).get("/staff/cases").select_one("#undelivered")
    assert "Cannot be sent" in panel.text and "(text message)" in panel.text
    assert "********123" in panel.text and "900123" not in panel.text
    assert "GOV.UK Notify" in panel.text


def test_a_sender_that_dies_mid_send_leaves_its_claim_to_run_out_then_it_is_sent_again(
    smtp_app, smtp
):
    """At least once: a crash after the server took the message but before it was recorded."""
    [first, second] = queue(smtp_app, 2)

    class Crash(BaseException):
        pass

    class DiesAfterSending(SmtpTransport):
        def send(self, message: Outgoing) -> str:
            super().send(message)
            raise Crash  # the process dies here: nothing is recorded

    with smtp_app.app_context():
        dying = DiesAfterSending(smtp.url, "speakup@council.example", 5)
        with pytest.raises(Crash):
            Sender(transport=dying, run_jobs=False).run_once()
    rows = messages(smtp_app)
    assert [r.status for r in rows] == ["queued", "queued"]
    assert rows[0].claimed_by and rows[1].claimed_by, "the whole batch is still claimed"
    assert send_once(smtp_app).sent == 0, "another sender leaves a live claim alone"

    later = now_utc() + timedelta(seconds=smtp_app.config["OUTBOX_CLAIM_SECONDS"] + 1)
    with time_machine.travel(later, tick=True):
        assert send_once(smtp_app).sent == 2
    rows = messages(smtp_app)
    assert [r.status for r in rows] == ["sent", "sent"]
    arrived = smtp.message_ids()
    key = message_id_for(rows[0].idempotency_key)
    assert arrived[key] == 2, "sent again with the same Message-ID, so it can be recognised"
    assert arrived[message_id_for(rows[1].idempotency_key)] == 1
    assert (first, second) == (rows[0].id, rows[1].id)


def test_a_sender_gives_back_what_it_cannot_send_before_its_claim_runs_out(make_app, smtp):
    app = make_app(MAIL_URL=smtp.url, OUTBOX_CLAIM_SECONDS=30, MAIL_TIMEOUT_SECONDS=5)
    queue(app, 3)
    with app.app_context():
        sender = Sender(run_jobs=False)
        claim = sender.claim()
        assert len(claim.messages) == 3
        with time_machine.travel(now_utc() + timedelta(seconds=20), tick=True):
            report = sender.deliver(claim)
    assert report.sent == 0
    rows = messages(app)
    assert all(r.status == "queued" and r.claimed_by is None for r in rows), "given back"
    assert send_once(app).sent == 3


def test_a_stopping_sender_finishes_the_message_it_is_sending_and_gives_back_the_rest(
    smtp_app, smtp
):
    queue(smtp_app, 5)
    with smtp_app.app_context():
        sender = Sender(run_jobs=False)

        class StopAfterFirst(SmtpTransport):
            def send(self, message: Outgoing) -> str:
                sender.stop()  # SIGTERM arrives while the first message is on its way
                return super().send(message)

        sender.transport = StopAfterFirst(smtp.url, "speakup@council.example", 5)
        report = sender.run_once()
    assert report.sent == 1
    rows = messages(smtp_app)
    assert [r.status for r in rows] == ["sent"] + ["queued"] * 4
    assert all(r.claimed_by is None for r in rows[1:]), "given back, not left to run out"


def _two_senders_drain(app, smtp, outbox_ids, count: int) -> None:
    queue(app, count)
    reports = {}
    errors = []
    start = threading.Barrier(2)

    def run(name: str) -> None:
        try:
            with app.app_context():
                sender = Sender(run_jobs=False, worker=name)
                start.wait()
                reports[name] = sender.run_once()
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=run, args=(name,)) for name in ("one", "two")]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    rows = messages(app)
    assert {r.status for r in rows} == {"sent"}
    arrived = smtp.message_ids()
    assert set(arrived) == outbox_ids(rows) and set(arrived.values()) == {1}
    assert len(smtp.messages) == count
    assert reports["one"].sent + reports["two"].sent == count
    assert reports["one"].sent and reports["two"].sent, f"both took part: {reports}"
    assert time.monotonic() - began < 30


@ON_POSTGRESQL
def test_two_senders_drain_200_messages_on_postgresql_each_sent_exactly_once(
    make_app, smtp, outbox_ids
):
    app = make_app(MAIL_URL=smtp.url, OUTBOX_BATCH_SIZE=5, **FAST)
    _two_senders_drain(app, smtp, outbox_ids, 200)


def test_two_senders_at_once_on_either_database_never_send_twice(make_app, smtp, outbox_ids):
    app = make_app(MAIL_URL=smtp.url, OUTBOX_BATCH_SIZE=5, **FAST)
    _two_senders_drain(app, smtp, outbox_ids, 60)


class Longest(random.Random):
    """Full jitter at its longest: every wait is the whole ceiling."""

    def uniform(self, a: float, b: float) -> float:
        return b


def test_once_the_server_takes_a_message_the_ones_waiting_for_it_go_at_once(make_app, smtp):
    app = make_app(MAIL_URL=smtp.url, OUTBOX_RETRY_BASE_SECONDS=600, OUTBOX_RETRY_MAX_SECONDS=600)
    smtp.stop()
    queue(app, 5)
    assert send_once(app, rng=Longest()).retrying == 5
    smtp.refuse("nobody@example.com", "550 5.1.1 No such user here")
    smtp.start()
    assert send_once(app).sent == 0, "they wait ten minutes"
    queue(app, to="nobody@example.com")  # refused for good: not a sign the server is back
    assert send_once(app).failed == 1
    assert send_once(app).sent == 0
    queue(app)
    assert send_once(app).sent == 1
    assert send_once(app).sent == 5, "the server is back: the waiting ones go now"
    assert len(smtp.messages) == 6
