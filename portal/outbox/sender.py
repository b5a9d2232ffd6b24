"""The sender: claims queued messages, delivers each at least once, and records what happened.

Several senders may run at once (`flask outbox send` in more than one process or machine):

- **Claiming** marks a batch with this sender's claim token and a time the claim runs out
  (`OUTBOX_CLAIM_SECONDS`), committed before anything is sent. On PostgreSQL the batch is
  chosen with `SELECT ... FOR UPDATE SKIP LOCKED`, so two senders never pick the same rows and
  never wait on each other; on SQLite one `UPDATE ... WHERE id IN (SELECT ... LIMIT n)` claims
  atomically (SQLite runs one writer at a time), and the sender reads back what it claimed.
- **Eligible**: queued, due (`next_attempt_utc` empty or past), and not claimed, or claimed by
  a sender whose claim ran out (it died mid-batch: the message is sent again, at least once).
- **After sending**: sent (with the provider's reference), or tried again later with full
  jitter (a random wait up to `min(OUTBOX_RETRY_MAX_SECONDS, OUTBOX_RETRY_BASE_SECONDS *
  2^(tries - 1))`), or failed (`OUTBOX_MAX_ATTEMPTS` tries, or an address the provider refused
  for good), or not sendable (a text message without Notify). Staff see the last two and can
  try again (portal/services/outbox.py).
- A sender stops using a batch before its claim runs out, and gives back what it did not send,
  so a slow server never lets two senders hold the same message.
- When a message goes through, the messages waiting only because the provider was away are due
  at once: after an outage everything goes as soon as the first message does.

Each message carries its idempotency key to the provider (SMTP `Message-ID`, Notify
`reference`), so a message sent twice after a crash can be recognised as one.

The loop also runs the periodic jobs registered in portal/outbox/schedule.py (imported through
portal/outbox/jobs.py), each at most once per its interval in this process.
"""

from __future__ import annotations

import logging
import os
import random
import secrets
import signal
import socket
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask import Flask, current_app
from sqlalchemy import and_, or_, select, update

from portal.clock import now_utc
from portal.extensions import checkpoint, db
from portal.models import OutboxMessage
from portal.outbox import jobs as _jobs  # noqa: F401 - registers the periodic jobs
from portal.outbox.schedule import JOBS, Scheduled
from portal.outbox.transports import (
    DeliveryError,
    NotSendable,
    Outgoing,
    PermanentFailure,
    TemporaryFailure,
    Transport,
    transport_for,
)

log = logging.getLogger(__name__)

QUEUED, SENT, FAILED, NOT_SENDABLE = "queued", "sent", "failed", "not_sendable"
_NO_SYNC = {"synchronize_session": False}
# last_error codes that mean the provider was away, not that the message was wrong.
PROVIDER_AWAY = ("%unavailable%", "notify_5%", "smtp_tls_failed")


@dataclass(frozen=True)
class Settings:
    retry_base: float = 5
    retry_max: float = 60
    max_attempts: int = 200
    batch_size: int = 20
    claim: timedelta = timedelta(seconds=300)
    timeout: float = 20
    poll: float = 2

    @classmethod
    def of(cls, config: Any) -> Settings:
        return cls(
            retry_base=float(config["OUTBOX_RETRY_BASE_SECONDS"]),
            retry_max=float(config["OUTBOX_RETRY_MAX_SECONDS"]),
            max_attempts=max(1, int(config["OUTBOX_MAX_ATTEMPTS"])),
            batch_size=max(1, int(config["OUTBOX_BATCH_SIZE"])),
            claim=timedelta(seconds=float(config["OUTBOX_CLAIM_SECONDS"])),
            timeout=float(config["MAIL_TIMEOUT_SECONDS"]),
            poll=float(config["OUTBOX_POLL_SECONDS"]),
        )

    @property
    def margin(self) -> timedelta:
        """Stop using a claim this long before it runs out: a send can take a few timeouts."""
        return min(timedelta(seconds=3 * self.timeout), self.claim / 2)


@dataclass
class Report:
    """What one run did: counts, and the error codes of what did not go (never an address)."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0
    not_sendable: int = 0
    jobs: list[str] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)

    def add(self, other: Report) -> None:
        self.sent += other.sent
        self.retrying += other.retrying
        self.failed += other.failed
        self.not_sendable += other.not_sendable
        self.errors.update(other.errors)

    def __str__(self) -> str:
        said = (
            f"{self.sent} sent, {self.retrying} to try again, {self.failed} failed,"
            f" {self.not_sendable} not sendable"
        )
        if self.errors:
            codes = ", ".join(f"{code} x{n}" for code, n in sorted(self.errors.items()))
            said += f" ({codes})"
        return said


def backoff(attempts: int, base: float, cap: float, rng: random.Random) -> timedelta:
    """Full jitter (AWS's "Exponential Backoff and Jitter"): a random wait between nothing and
    min(cap, base * 2^(attempts - 1)), so senders that failed together do not retry together."""
    ceiling = min(cap, base * 2 ** min(max(attempts - 1, 0), 32))
    return timedelta(seconds=rng.uniform(0, ceiling))


def worker_name() -> str:
    """This process, for `claimed_by` (with a random part per batch)."""
    return f"{socket.gethostname()[:30]}:{os.getpid()}"


def _eligible(due_by: datetime, now: datetime):
    message = OutboxMessage
    return and_(
        message.status == QUEUED,
        or_(message.next_attempt_utc.is_(None), message.next_attempt_utc <= due_by),
        or_(message.claimed_until_utc.is_(None), message.claimed_until_utc < now),
    )


def _outgoing(row: OutboxMessage) -> Outgoing:
    return Outgoing(
        id=row.id,
        kind=row.kind,
        channel=row.channel,
        to_address=row.to_address,
        subject=row.subject,
        body=row.body,
        idempotency_key=row.idempotency_key,
    )


@dataclass(frozen=True)
class Claim:
    token: str
    until: datetime
    messages: list[tuple[Outgoing, int]]  # each message with its tries so far


class Sender:
    """One sender. Use it inside an app context; `run_forever` pushes its own."""

    def __init__(
        self,
        transport: Transport | None = None,
        worker: str | None = None,
        run_jobs: bool = True,
        rng: random.Random | None = None,
    ) -> None:
        self.settings = Settings.of(current_app.config)
        # Built now, so a setting that is missing stops the sender before it takes a message.
        self.transport = transport or transport_for(current_app.config, current_app.instance_path)
        self.worker = (worker or worker_name())[:50]
        self.run_jobs = run_jobs
        self.rng = rng or random.SystemRandom()
        self.stopping = threading.Event()
        self.last_run: dict[str, datetime] = {}

    # Claiming ---------------------------------------------------------------------------------

    def claim(self, due_by: datetime | None = None) -> Claim:
        """Claim up to a batch of due messages for this sender, and commit the claim."""
        session = db.session
        now = now_utc()
        token = f"{self.worker}/{secrets.token_hex(4)}"
        until = now + self.settings.claim
        eligible = _eligible(due_by or now, now)
        chosen = (
            select(OutboxMessage.id)
            .where(eligible)
            .order_by(OutboxMessage.id)
            .limit(self.settings.batch_size)
        )
        mark = update(OutboxMessage).values(claimed_by=token, claimed_until_utc=until)
        try:
            if session.get_bind().dialect.name == "postgresql":
                ids = list(session.scalars(chosen.with_for_update(skip_locked=True)))
                if ids:
                    session.execute(
                        mark.where(OutboxMessage.id.in_(ids)), execution_options=_NO_SYNC
                    )
            else:  # SQLite: one statement, one writer at a time
                session.execute(
                    mark.where(OutboxMessage.id.in_(chosen.scalar_subquery())),
                    execution_options=_NO_SYNC,
                )
            session.commit()
            rows = session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.claimed_by == token, OutboxMessage.status == QUEUED)
                .order_by(OutboxMessage.id)
            ).all()
            messages = [(_outgoing(row), row.attempts) for row in rows]
            session.commit()  # end the read: hold no snapshot or lock while sending
        except BaseException:
            session.rollback()
            raise
        return Claim(token, until, messages)

    # Recording what happened ------------------------------------------------------------------

    def _record(self, message_id: int, token: str | None, **values: Any) -> bool:
        """Write the outcome and let go of the claim; False if the message was no longer ours."""
        where = [OutboxMessage.id == message_id, OutboxMessage.status == QUEUED]
        if token is not None:
            where.append(OutboxMessage.claimed_by == token)
        statement = (
            update(OutboxMessage)
            .where(*where)
            .values(claimed_by=None, claimed_until_utc=None, **values)
        )
        try:
            done = db.session.execute(statement, execution_options=_NO_SYNC).rowcount == 1
            db.session.commit()
        except BaseException:
            db.session.rollback()
            raise
        return done

    def _sent(self, message: Outgoing, reference: str) -> None:
        # Whoever holds the claim now, the message went: record it, so it is not sent again.
        self._record(
            message.id,
            None,
            status=SENT,
            sent_utc=now_utc(),
            provider_ref=reference[:100],
            last_error=None,
            attempts=OutboxMessage.attempts + 1,
        )

    def _failed(
        self, claim: Claim, message: Outgoing, attempts: int, error: DeliveryError, report: Report
    ) -> str:
        tries = attempts + 1
        values: dict[str, Any] = {"attempts": tries, "last_error": error.code}
        if isinstance(error, NotSendable):
            outcome = NOT_SENDABLE
            values.update(status=NOT_SENDABLE, failed_utc=now_utc())
        elif isinstance(error, PermanentFailure) or tries >= self.settings.max_attempts:
            outcome = FAILED
            values.update(status=FAILED, failed_utc=now_utc())
        else:
            outcome = QUEUED
            wait = backoff(tries, self.settings.retry_base, self.settings.retry_max, self.rng)
            values.update(next_attempt_utc=now_utc() + wait)
        self._record(message.id, claim.token, **values)
        report.errors[error.code] += 1
        log.info("Message %s (%s): %s, %s", message.id, message.kind, outcome, error.code)
        return outcome

    def release(self, claim: Claim, message_ids: list[int]) -> None:
        """Give back messages claimed but not tried, so any sender can take them now."""
        if not message_ids:
            return
        statement = (
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(message_ids), OutboxMessage.claimed_by == claim.token)
            .values(claimed_by=None, claimed_until_utc=None)
        )
        try:
            db.session.execute(statement, execution_options=_NO_SYNC)
            db.session.commit()
        except BaseException:
            db.session.rollback()
            raise

    # Delivering -------------------------------------------------------------------------------

    def _deliver_one(self, claim: Claim, message: Outgoing, attempts: int, report: Report) -> str:
        try:
            reference = self.transport.send(message)
        except DeliveryError as error:
            return self._failed(claim, message, attempts, error, report)
        except Exception as error:  # a bug or a library surprise: try again, say only its class
            code = f"error_{type(error).__name__}"
            log.warning("Message %s (%s): unexpected %s", message.id, message.kind, code)
            return self._failed(claim, message, attempts, TemporaryFailure(code), report)
        self._sent(message, reference)
        return SENT

    def deliver(self, claim: Claim) -> Report:
        """Send each claimed message and record the outcome, one short transaction each."""
        report = Report()
        pending = list(claim.messages)
        try:
            while pending:
                if self.stopping.is_set() or now_utc() > claim.until - self.settings.margin:
                    break  # stopping, or the claim is about to run out: give the rest back
                message, attempts = pending.pop(0)
                outcome = self._deliver_one(claim, message, attempts, report)
                if outcome == SENT:
                    report.sent += 1
                elif outcome == QUEUED:
                    report.retrying += 1
                elif outcome == FAILED:
                    report.failed += 1
                else:
                    report.not_sendable += 1
        finally:
            self.transport.close()
        self.release(claim, [message.id for message, _ in pending])
        if report.sent:
            self.wake_waiting()
        return report

    def wake_waiting(self) -> None:
        """The provider took a message: it is back. Messages waiting because it could not be
        reached (or failed on its side) are due now, not at the end of their backoff."""
        now = now_utc()
        statement = (
            update(OutboxMessage)
            .where(
                OutboxMessage.status == QUEUED,
                OutboxMessage.attempts > 0,
                OutboxMessage.next_attempt_utc > now,
                or_(*(OutboxMessage.last_error.like(p) for p in PROVIDER_AWAY)),
            )
            .values(next_attempt_utc=now)
        )
        try:
            db.session.execute(statement, execution_options=_NO_SYNC)
            db.session.commit()
        except BaseException:
            db.session.rollback()
            raise

    # Periodic jobs ----------------------------------------------------------------------------

    def run_due_jobs(self) -> list[str]:
        """Run each registered job whose interval has passed in this process; return their names."""
        ran = []
        for scheduled in list(JOBS.values()):
            now = now_utc()
            last = self.last_run.get(scheduled.name)
            if last is not None and now - last < scheduled.every:
                continue
            self.last_run[scheduled.name] = now
            self._run_job(scheduled, now)
            ran.append(scheduled.name)
        return ran

    def _run_job(self, scheduled: Scheduled, now: datetime) -> None:
        try:
            queued = scheduled.run(now)
        except Exception as error:
            db.session.rollback()
            log.warning("Job %s failed: %s", scheduled.name, type(error).__name__)
            return
        if queued:
            log.info("Job %s queued %s message(s)", scheduled.name, queued)

    # Loops ------------------------------------------------------------------------------------

    def run_once(self) -> Report:
        """Run the due jobs, then send everything that is due now, batch after batch.

        Messages that fail during this run wait for their next try (a later run), so a server
        that is down does not keep one run busy.
        """
        report = Report()
        if self.run_jobs:
            report.jobs = self.run_due_jobs()
        started = now_utc()
        while not self.stopping.is_set():
            claim = self.claim(due_by=started)
            if not claim.messages:
                break
            report.add(self.deliver(claim))
        return report

    def stop(self, *_args: Any) -> None:
        """Finish the message being sent, give back the rest of the batch, and stop."""
        self.stopping.set()

    def run_forever(self, poll_seconds: float | None = None, app: Flask | None = None) -> None:
        """Send, then wait `poll_seconds`, until SIGTERM or SIGINT (or `stop()`)."""
        app = app or current_app._get_current_object()  # type: ignore[attr-defined]
        poll = self.settings.poll if poll_seconds is None else poll_seconds
        with _stop_on_signals(self.stop):
            while not self.stopping.is_set():
                with app.app_context():
                    try:
                        report = self.run_once()
                    except Exception as error:  # the database is away: wait and try again
                        db.session.rollback()
                        log.warning("Sending stopped for now: %s", type(error).__name__)
                    else:
                        if report.sent or report.retrying or report.failed or report.not_sendable:
                            log.info("Outbox: %s", report)
                    _checkpoint_quietly()
                self.stopping.wait(poll)


def _checkpoint_quietly() -> None:
    """On SQLite, the log's checkpoint, here rather than in a web request (make_engine)."""
    try:
        checkpoint(db.engine)
    except Exception as error:  # the database is away: the next round tries again
        log.warning("Checkpoint skipped for now: %s", type(error).__name__)


@contextmanager
def _stop_on_signals(stop) -> Iterator[None]:
    """SIGTERM and SIGINT ask the loop to stop (only the main thread can take signals)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
