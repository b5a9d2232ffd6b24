"""What staff see of the outbox: messages that did not go, what still waits, and "Try again".

Staff never see an address in full here (`mask`): enough to recognise it, not to copy it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from portal.clock import now_utc
from portal.extensions import db
from portal.models import OutboxMessage
from portal.services.staff import audit
from portal.services.tracker import waited

QUEUED, FAILED, NOT_SENDABLE = "queued", "failed", "not_sendable"
UNDELIVERED = (FAILED, NOT_SENDABLE)

# The last_error codes the sender writes (portal/outbox/transports.py), in plain words.
ERROR_WORDS = {
    "sms_needs_notify": "Text messages can only be sent through GOV.UK Notify (MAIL_URL).",
    "no_notify_sms_template": "Text messages need NOTIFY_SMS_TEMPLATE_ID.",
    "smtp_recipient_refused": "The mail server refused the address.",
    "smtp_message_refused": "The mail server refused the message.",
    "smtp_unavailable": "The mail server could not be reached.",
    "smtp_login_refused": "The mail server refused our sign-in (MAIL_URL).",
    "smtp_sender_refused": "The mail server refused our sending address (MAIL_FROM).",
    "notify_400": "GOV.UK Notify refused it: check the address.",
    "notify_403": "GOV.UK Notify refused our key (NOTIFY_API_KEY).",
    "notify_unavailable": "GOV.UK Notify could not be reached.",
    "not_an_email": "The address cannot be written as email.",
}


def mask(address: str) -> str:
    """`jo.bloggs@example.com` -> `j***@example.com`; `07700 900123` -> `*******123`."""
    address = (address or "").strip()
    local, at, domain = address.rpartition("@")
    if at:
        return f"{local[:1]}***@{domain}"
    digits = [ch for ch in address if ch.isdigit()]
    if len(digits) < 4:
        return "***"
    return "*" * (len(digits) - 3) + "".join(digits[-3:])


def explain(code: str | None) -> str:
    """A last_error code in plain words (the code itself when it is new to us)."""
    if not code:
        return ""
    for prefix, words in ERROR_WORDS.items():
        if code.startswith(prefix):
            return words
    return "It could not be sent."


@dataclass(frozen=True)
class Undelivered:
    """One message that did not go, as staff see it: never the full address or the body."""

    id: int
    kind: str
    audience: str
    channel: str
    status: str
    created_utc: datetime
    given_up_utc: datetime | None
    to: str
    attempts: int
    error: str
    error_words: str
    reference: str | None
    help_request_id: int | None


@dataclass(frozen=True)
class Waiting:
    id: int
    kind: str
    subject: str
    created_utc: datetime
    attempts: int
    error_words: str  # why the last try did not go, if there was one
    reference: str | None
    help_request_id: int | None


@dataclass(frozen=True)
class Panel:
    """The tracker's messages panel: what did not go, and what still waits to go."""

    undelivered: list[Undelivered]
    undelivered_total: int
    waiting: list[Waiting]
    queued: int
    retrying: int  # queued messages that failed at least once and will be tried again
    oldest_queued_utc: datetime | None
    oldest_waited: str | None

    @property
    def total(self) -> int:
        return self.undelivered_total + self.queued


def _undelivered(row: OutboxMessage) -> Undelivered:
    return Undelivered(
        id=row.id,
        kind=row.kind,
        audience=row.audience,
        channel=row.channel,
        status=row.status,
        created_utc=row.created_utc,
        given_up_utc=row.failed_utc,
        to=mask(row.to_address),
        attempts=row.attempts,
        error=row.last_error or "",
        error_words=explain(row.last_error),
        reference=row.complaint.reference if row.complaint else None,
        help_request_id=row.help_request_id,
    )


def panel(show: int = 20) -> Panel:
    """Messages that failed or cannot be sent (newest first), and the queue's size and age."""
    message = OutboxMessage
    failed = message.status.in_(UNDELIVERED)
    queued = message.status == QUEUED
    undelivered_total = db.session.scalar(select(func.count(message.id)).where(failed)) or 0
    rows = db.session.scalars(
        select(message)
        .where(failed)
        .options(selectinload(message.complaint))
        .order_by(message.failed_utc.desc(), message.id.desc())
        .limit(show)
    ).all()
    count, retrying, oldest = db.session.execute(
        select(
            func.count(message.id),
            func.count(message.id).filter(message.attempts > 0),
            func.min(message.created_utc),
        ).where(queued)
    ).one()
    waiting = db.session.scalars(
        select(message)
        .where(queued)
        .options(selectinload(message.complaint))
        .order_by(message.id.desc())
        .limit(show)
    ).all()
    return Panel(
        undelivered=[_undelivered(row) for row in rows],
        undelivered_total=undelivered_total,
        waiting=[
            Waiting(
                row.id,
                row.kind,
                row.subject,
                row.created_utc,
                row.attempts,
                explain(row.last_error) if row.attempts else "",
                row.complaint.reference if row.complaint else None,
                row.help_request_id,
            )
            for row in waiting
        ],
        queued=count or 0,
        retrying=retrying or 0,
        oldest_queued_utc=oldest,
        oldest_waited=waited(oldest, now_utc()) if oldest else None,
    )


def retry(message_id: int, actor: str) -> bool:
    """Queue a failed or not-sendable message again, from its first try; audited.

    Returns False when there is nothing to try again (it was sent, or someone pressed first).
    """
    found = db.session.get(OutboxMessage, message_id)
    if found is None or found.status not in UNDELIVERED:
        db.session.rollback()
        return False
    kind, was, error = found.kind, found.status, found.last_error
    statement = (
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status.in_(UNDELIVERED))
        .values(
            status=QUEUED,
            attempts=0,
            next_attempt_utc=now_utc(),
            failed_utc=None,
            claimed_by=None,
            claimed_until_utc=None,
        )
    )
    changed = db.session.execute(statement, execution_options={"synchronize_session": False})
    if changed.rowcount != 1:
        db.session.rollback()
        return False
    audit(
        actor,
        "outbox_message_retried",
        f"outbox_message:{message_id}",
        kind=kind,
        was=was,
        last_error=error,
    )
    db.session.commit()
    return True
