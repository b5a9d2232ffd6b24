"""Who hears about what, by which route and in which language: messages for the outbox.

The words are declared once in `portal/notifications.py`. Here each message is addressed and
queued in the caller's transaction, so it goes out exactly when the change that caused it is
stored (the sender, portal/outbox/, delivers it):

- To the complainant, by the route they chose in the conversation: their own email address
  or mobile number, only when they said it is safe for messages to come there, with their
  private link; through their advocate or social worker, to that person, with the reference
  and never the link; nothing at all for "no messages, I will use my private link".
- When a complaint arrives (`on_arrival`, from `complaints._build`, for every way in) and when
  a stage move that declares a message is made (`for_move`, from `casework.advance`): the
  date changed, a message from staff, the answer is ready, it was stopped; and, to the member
  of staff a case is assigned to, a link to it.
- Every working morning, to each member of staff who has not turned it off, one digest of
  their cases due soon or overdue, and for managers every case past its deadline (a job the
  sender runs; one a day per person, however many senders run it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from flask import current_app, has_request_context
from flask_babel import force_locale, format_date, get_locale, gettext
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from portal import stages, wording
from portal.clock import LONDON, now_utc
from portal.extensions import db
from portal.links import public_url, staff_url
from portal.models import Complaint, OutboxMessage, StaffUser
from portal.notifications import (
    COMPLAINT_RECEIVED,
    FOR_STAFF,
    STAFF_DIGEST,
    For,
    Message,
    notice,
)
from portal.outbox.schedule import job
from portal.timescales import add_working_days, is_working_day
from portal.types import EventType, StaffRole, Stage

ENGLISH = "en"
# Audiences as the outbox records them.
COMPLAINANT = "complainant"
ADVOCATE = "advocate"
SOCIAL_WORKER = "social_worker"
STAFF = "staff"
# The digest: cases due within this many working days, and at most this many lines a list.
DIGEST_DAYS = 2
DIGEST_MOST = 50


@dataclass(frozen=True)
class Recipient:
    """Where one message for a complainant goes, and how it is worded."""

    audience: str  # complainant, advocate or social_worker
    channel: str  # email or sms
    to: str
    language: str
    to_whom: For  # PERSON (with the private link) or GO_BETWEEN (the reference only)


# The language ----------------------------------------------------------------------------


def page_language() -> str:
    """The language of the page being shown (a visitor's choice), or English outside one."""
    if not has_request_context():
        return ENGLISH
    language = str(get_locale() or ENGLISH)
    return language if language in current_app.config["LANGUAGES"] else ENGLISH


def received_event_data(language: str | None) -> dict[str, Any]:
    """What the received event keeps about how to write to the complainant: their language."""
    return {"language": language} if language else {}


def language_of(complaint: Complaint) -> str:
    """The language the complaint was sent in (kept on its received event), else English."""
    for event in complaint.events:
        if event.type == EventType.COMPLAINT_RECEIVED:
            language = (event.data or {}).get("language")
            if language in current_app.config["LANGUAGES"]:
                return language
    return ENGLISH


# The route the complainant chose ---------------------------------------------------------


def _inbox(setting: str) -> str:
    """A service's inbox for messages passed on to a young person; the complaints team's when
    the council has not set one (they pass it on)."""
    config = current_app.config
    return config.get(setting) or config["COUNCIL_COMPLAINTS_EMAIL"]


def recipients(complaint: Complaint) -> list[Recipient]:
    """Who hears about this complaint, by the route the complainant chose (maybe nobody)."""
    if complaint.anonymised_utc is not None:
        return []
    answers = complaint.answers or {}
    language = language_of(complaint)
    method = complaint.contact_method
    if method in ("email", "text"):
        address = answers.get("email" if method == "email" else "phone")
        if not address or complaint.contact_safe is not True:
            return []  # only a yes to "Is it safe for messages to come here?" lets us send
        channel = "email" if method == "email" else "sms"
        return [Recipient(COMPLAINANT, channel, address, language, For.PERSON)]
    if method == "advocate":
        if complaint.advocate_email:  # the advocate who made the complaint, in their language
            return [
                Recipient(ADVOCATE, "email", complaint.advocate_email, language, For.GO_BETWEEN)
            ]
        return [
            Recipient(ADVOCATE, "email", _inbox("ADVOCACY_SERVICE_EMAIL"), ENGLISH, For.GO_BETWEEN)
        ]
    if method == "social_worker":
        return [
            Recipient(SOCIAL_WORKER, "email", _inbox("SOCIAL_WORK_EMAIL"), ENGLISH, For.GO_BETWEEN)
        ]
    return []  # "No messages. I will use my private link."


# Wording, in the recipient's language ----------------------------------------------------


def _private_link(complaint: Complaint) -> str:
    from portal.services import status_links  # it reaches casework, which queues through here

    return public_url("status.open_link", token=status_links.token_for(complaint, commit=False))


def _values(
    complaint: Complaint, recipient: Recipient, more: dict[str, Any] | None
) -> dict[str, Any]:
    """What a complainant's message may say, worked out in the language in force."""
    values: dict[str, Any] = {
        "council": wording.setting("COUNCIL_NAME"),
        "reference": complaint.reference,
        "phone": current_app.config.get("COUNCIL_COMPLAINTS_PHONE") or None,
    }
    if recipient.to_whom == For.PERSON:
        values["link"] = _private_link(complaint)
    for name, value in (more or {}).items():
        if isinstance(value, date):
            value = format_date(value, "EEEE d MMMM y")
        elif name == "reason" and value:
            value = gettext(value)  # a move's own public wording, declared in portal/stages.py
        values[name] = value
    return values


def _message_for(
    complaint: Complaint, kind: str, recipient: Recipient, more: dict[str, Any] | None = None
) -> Message:
    with force_locale(recipient.language):
        return notice(kind, recipient.to_whom).render(**_values(complaint, recipient, more))


def _queue(
    complaint: Complaint,
    kind: str,
    more: dict[str, Any] | None = None,
    key: str | None = None,
) -> int:
    """Queue one message of this kind to everyone who hears about the complaint."""
    found = recipients(complaint)
    for recipient in found:
        message = _message_for(complaint, kind, recipient, more)
        complaint.outbox.append(
            OutboxMessage(
                kind=kind,
                channel=recipient.channel,
                audience=recipient.audience,
                language=recipient.language,
                to_address=recipient.to,
                subject=message.subject,
                body=message.body,
                created_utc=now_utc(),
                **({"idempotency_key": f"{key}:{recipient.audience}"} if key else {}),
            )
        )
    return len(found)


def on_arrival(complaint: Complaint) -> int:
    """The complaint arrived: its reference, and the private link for the person themselves.

    Called while the complaint is being built, in the same transaction; its key is the
    complaint's own, so it is queued once.
    """
    return _queue(complaint, COMPLAINT_RECEIVED, key=f"received:{complaint.public_id}")


def for_move(
    complaint: Complaint, transition: stages.Transition, state: stages.CaseState, actor: str
) -> int:
    """Queue what a stage move declares it sends (`Transition.message`), in its transaction."""
    kind = transition.message
    if kind is None:
        return 0
    if kind in FOR_STAFF:
        return _tell_assignee(complaint, kind, actor)
    return _queue(complaint, kind, {"date": state.due, "reason": transition.public})


def _tell_assignee(complaint: Complaint, kind: str, actor: str) -> int:
    """The member of staff a case was given to: a link to it, never its content."""
    person = complaint.assigned_to
    if person is None or person.disabled or person.email == actor:
        return 0  # nobody to tell, or they gave it to themselves
    link = staff_url(f"/staff/cases/{complaint.reference}")
    message = notice(kind, For.STAFF).render(link=link)
    complaint.outbox.append(_to_staff(person, kind, message))
    return 1


def _to_staff(person, kind: str, message, **more) -> OutboxMessage:
    """An email to one member of staff (always English: the staff area is in English)."""
    return OutboxMessage(
        kind=kind,
        channel="email",
        audience=STAFF,
        language=ENGLISH,
        to_address=person.email,
        subject=message.subject,
        body=message.body,
        created_utc=now_utc(),
        **more,
    )


# Daily digests for staff -----------------------------------------------------------------


@dataclass(frozen=True)
class DigestLine:
    reference: str
    step: str
    due: date


def _open_cases():
    return select(Complaint.reference, Complaint.step, Complaint.next_deadline_on).where(
        Complaint.stage != Stage.CLOSED, Complaint.next_deadline_on.is_not(None)
    )


def _lines(query) -> list[DigestLine]:
    return [
        DigestLine(r.reference, r.step, r.next_deadline_on)
        for r in db.session.execute(
            query.order_by(Complaint.next_deadline_on, Complaint.reference).limit(DIGEST_MOST)
        )
    ]


def _words(lines: list[DigestLine], today: date) -> str | None:
    """One line a case: the reference, where it is, when it is due, and a link. Nothing else."""
    if not lines:
        return None
    return "\n".join(
        f"- {line.reference}: {stages.STEP_LABELS.get(line.step, line.step)}, due "
        f"{line.due:%-d %b %Y}{' (overdue)' if line.due < today else ''}: "
        + staff_url(f"/staff/cases/{line.reference}")
        for line in lines
    )


def digest_for(person: StaffUser, today: date) -> Message | None:
    """Today's digest for one person, or None when there is nothing to tell them."""
    soon = add_working_days(today, DIGEST_DAYS)
    yours = _lines(
        _open_cases().where(
            Complaint.assigned_to_id == person.id, Complaint.next_deadline_on <= soon
        )
    )
    overdue: list[DigestLine] = []
    more = None
    if person.role == StaffRole.MANAGER:
        late = Complaint.stage != Stage.CLOSED, Complaint.next_deadline_on < today
        overdue = _lines(_open_cases().where(*late))
        total = db.session.scalar(select(func.count(Complaint.id)).where(*late)) or 0
        if total > len(overdue):
            more = f"And {total - len(overdue)} more past their deadline: " + staff_url(
                "/staff/cases?overdue=1"
            )
    if not yours and not overdue:
        return None
    return notice(STAFF_DIGEST, For.STAFF).render(
        day=f"{today:%A %-d %B %Y}",
        days=DIGEST_DAYS,
        yours=_words(yours, today),
        overdue=_words(overdue, today),
        more=more,
        link=staff_url("/staff/cases"),
        account=staff_url("/staff/account"),
    )


def digest_key(person: StaffUser, today: date) -> str:
    """One digest per person per day, whichever sender makes it first."""
    return f"digest:{person.id}:{today.isoformat()}"


def _digest_due(now: datetime) -> date | None:
    local = now.astimezone(LONDON)
    if not is_working_day(local.date()) or local.hour < current_app.config["DIGEST_HOUR"]:
        return None
    return local.date()


@job("staff_digests", timedelta(minutes=10))
def send_digests(now: datetime) -> int:
    """Queue today's digest for everyone who wants one and has something in it (once a day)."""
    today = _digest_due(now)
    if today is None:
        return 0
    people = list(
        db.session.scalars(
            select(StaffUser)
            .where(
                StaffUser.disabled.is_(False),
                StaffUser.wants_digest.is_(True),
                StaffUser.role != StaffRole.ADMIN,
            )
            .order_by(StaffUser.id)
        )
    )
    done = set(
        db.session.scalars(
            select(OutboxMessage.idempotency_key).where(
                OutboxMessage.idempotency_key.in_([digest_key(p, today) for p in people])
            )
        )
    )
    queued = 0
    for person in people:
        key = digest_key(person, today)
        message = None if key in done else digest_for(person, today)
        if message is None:
            continue
        db.session.add(_to_staff(person, STAFF_DIGEST, message, idempotency_key=key))
        try:
            db.session.commit()
            queued += 1
        except IntegrityError:
            db.session.rollback()  # another sender queued it first: one a day is enough
    return queued
