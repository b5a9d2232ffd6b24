"""Every way in: complaints that reach the council by phone, email, letter, in person or
through an advocate, logged by staff from the tracker.

They go through the portal's own builder (`complaints._build`), so the same rules decide
eligibility, the procedure for each point, consent, the time limit and the court and police
flags; the same safety lists read every word the complainant said; and the same clocks start,
from the day the complaint was received (not the day it was logged). A double click, or Back
and send again, logs it once: the form's key is kept on a draft row, as the portal's drafts are.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from email_validator import EmailNotValidError, validate_email
from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal import notifications, wording
from portal.clock import LONDON, local_date, now_utc, today_local
from portal.extensions import db
from portal.flows import engine
from portal.flows.model import TEXT_KINDS, Journey, Kind
from portal.links import public_url
from portal.models import Complaint, Draft, OutboxMessage
from portal.notifications import status_link_message
from portal.safety.boundary import screen
from portal.services import complaints, status_links
from portal.services.staff import audit
from portal.text import plain_text
from portal.types import Arrival

# Staff log what did not come through the portal.
ARRIVALS = tuple(a for a in Arrival if a != Arrival.PORTAL)
TAKEN_BY_MAX = 120
EARLIEST = date(2000, 1, 1)
FORM_KEY = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
STATUS_LINK = notifications.STATUS_LINK  # the outbox kind of a private link given to someone


class Invalid(ValueError):
    """What was entered cannot be logged; `errors` maps each field to what to do, in plain words."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


@dataclass(frozen=True)
class Logged:
    complaint: Complaint
    already: bool = False  # this form had been sent before: the first complaint, not a second


def new_form_key() -> str:
    """A fresh key for one staff form, so sending it twice logs one complaint."""
    return secrets.token_urlsafe(24)


def _fits(step, value: Any) -> bool:
    if step.kind == Kind.MULTI:
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    return isinstance(value, str)


def cleaned(journey: Journey, answers: Mapping[str, Any]) -> dict[str, Any]:
    """Every word the complainant said, through the one boundary (cleaned, then screened).

    The safety lists are read again by the builder, which flags the complaint urgent and
    queues the duty team's alert in the same transaction, exactly as for the portal. Answers
    of the wrong shape (a list for a single choice) are left out, so they count as missing.
    """
    result = {}
    for step in journey.steps:
        value = answers.get(step.id)
        if value is None or not _fits(step, value):
            continue
        result[step.id] = screen(value).text if step.kind in TEXT_KINDS else value
    return result


def _real_date(step, value: Any) -> bool:
    if step.kind != Kind.DATE or not value:
        return True
    try:
        return date.fromisoformat(value) <= today_local()
    except (TypeError, ValueError):
        return False


def _received_problem(received_on: date | None) -> str | None:
    if received_on is None:
        return "Enter the date the complaint reached the council, like 27 3 2026."
    if received_on > today_local():
        return "The date it was received cannot be after today. Enter today's date or earlier."
    if received_on < EARLIEST:
        return "Check the year of the date it was received."
    return None


def problems(
    journey: Journey,
    answers: Mapping[str, Any],
    received_on: date | None,
    arrived_by: str,
    taken_by: str,
) -> dict[str, str]:
    """Check what staff entered with the journey's own engine; return what to fix, if anything."""
    errors: dict[str, str] = {}
    if arrived_by not in ARRIVALS:
        errors["arrived_by"] = "Choose how the complaint reached the council."
    received = _received_problem(received_on)
    if received:
        errors["received_on"] = received
    if not taken_by:
        errors["taken_by"] = "Write the name of the person who took the complaint."
    elif len(taken_by) > TAKEN_BY_MAX:
        errors["taken_by"] = f"Write the name in {TAKEN_BY_MAX} characters or fewer."
    state = journey.state(answers)
    for step in engine.path(journey, answers):
        value = answers.get(step.id)
        if not engine.is_valid(step, value, state) or not _real_date(step, value):
            errors[step.id] = "Answer this question: it applies to this complaint."
    waiting = engine.current_step(journey, answers)
    if waiting is not None and not errors:
        errors[waiting.id] = "Answer this question: it applies to this complaint."
    return errors


def _draft_key(by: str, form_key: str | None, sent: Mapping[str, Any]) -> str:
    """The key of the draft row that stands for one sending of one person's form.

    The same form sent again with the same answers (a double click, or Back and send) has the
    same key; changed answers (Back, then another call typed over it) make a new complaint.
    """
    if not form_key or not FORM_KEY.match(form_key):
        form_key = new_form_key()  # a hand-made request: logged, but not protected from repeats
    content = json.dumps(sent, sort_keys=True, default=str)
    return "staff-" + hashlib.sha256(f"{by}\n{form_key}\n{content}".encode()).hexdigest()[:40]


def _logged_before(key: str) -> Complaint | None:
    draft = db.session.scalars(select(Draft).where(Draft.key == key)).one_or_none()
    if draft is None:
        return None
    return db.session.scalars(select(Complaint).where(Complaint.draft_id == draft.id)).first()


def _received_at(received_on: date, now: datetime) -> datetime:
    """When it was received: now if today, else the start of that day in England."""
    if received_on == local_date(now):
        return now
    return datetime.combine(received_on, time(0, 0), tzinfo=LONDON).astimezone(UTC)


def log_complaint(
    journey: Journey,
    answers: Mapping[str, Any],
    *,
    received_on: date | None,
    arrived_by: str,
    taken_by: str,
    by: str,
    form_key: str | None = None,
) -> Logged:
    """Log a complaint that reached the council another way; raise Invalid if it cannot be.

    Records how it arrived, who took it and who logged it on its received event, audits the
    staff action and commits, all in one transaction.
    """
    answers = cleaned(journey, answers)
    taken_by = plain_text(taken_by)
    errors = problems(journey, answers, received_on, arrived_by, taken_by)
    if errors:
        raise Invalid(errors)
    sent = {"answers": answers, "on": received_on, "by": arrived_by, "taken_by": taken_by}
    key = _draft_key(by, form_key, sent)
    for _attempt in range(5):
        earlier = _logged_before(key)
        if earlier is not None:
            return Logged(earlier, already=True)
        now = now_utc()
        draft = Draft(
            key=key,
            journey=journey.id,
            answers={},  # the complaint holds them; the row only makes a repeat harmless
            created_utc=now,
            updated_utc=now,
            submitted_utc=now,
            urgent_reasons=[],
        )
        db.session.add(draft)
        try:
            db.session.flush()
        except IntegrityError:
            db.session.rollback()  # the same form, sent at the same moment: take the first
            continue
        complaint = complaints._build(  # the portal's own builder: one path for every way in
            journey,
            answers,
            _received_at(received_on, now),
            arrived_by,
            draft=draft,
            recorded=now,
            actor=by,
            how_received={"arrived_by": arrived_by, "taken_by": taken_by, "logged_by": by},
        )
        db.session.add(complaint)
        db.session.flush()
        audit(
            by,
            "complaint_logged",
            f"complaint:{complaint.reference}",
            arrived_by=arrived_by,
            received_on=received_on.isoformat(),
        )
        try:
            db.session.commit()
            return Logged(complaint)
        except IntegrityError:
            db.session.rollback()  # (rarely) the reference was taken: try another
    raise RuntimeError("could not store the complaint after several attempts")


# Giving the complainant their reference and private link ------------------------------------


def private_link(complaint: Complaint, by: str) -> str:
    """The complainant's private link, to read out, print or send (audited: who was shown it)."""
    audit(by, "status_link_shown", f"complaint:{complaint.reference}")
    db.session.commit()
    return public_url("status.open_link", token=status_links.token_for(complaint))


@dataclass(frozen=True)
class Address:
    """Somewhere the complainant said we may send things."""

    key: str
    channel: str  # "email" or "text"
    to: str
    label: str


def addresses(complaint: Complaint) -> list[Address]:
    """The email address or mobile number the complainant gave, and an advocate's work email."""
    answers = complaint.answers or {}
    found = []
    if complaint.contact_safe is False:  # they said messages are not safe there
        answers = {}
    if complaint.contact_method == "email" and answers.get("email"):
        found.append(Address("email", "email", answers["email"], "Their email address"))
    if complaint.contact_method == "text" and answers.get("phone"):
        found.append(Address("phone", "text", answers["phone"], "Their mobile number (a text)"))
    if complaint.advocate_email:
        found.append(
            Address("advocate_email", "email", complaint.advocate_email, "The advocate's email")
        )
    return found


def _other_email(typed: str | None) -> Address:
    words = plain_text(typed or "")
    if not words:
        raise Invalid({"other_email": "Write the email address to send it to."})
    if len(words) > 254:
        raise Invalid({"other_email": "That is too long for an email address. Check it."})
    try:
        address = validate_email(words, check_deliverability=False).normalized
    except EmailNotValidError as problem:
        raise Invalid({"other_email": "Write an email address like name@example.com."}) from problem
    return Address("other", "email", address, "Another email address")


def send_link(complaint: Complaint, choice: str | None, other: str | None, by: str) -> Address:
    """Queue the reference and private link for the complainant (the sender delivers it).

    Audited without the address: the audit log never holds content.
    """
    known = {a.key: a for a in addresses(complaint)}
    if choice == "other":
        address = _other_email(other)
    elif choice in known:
        address = known[choice]
    else:
        raise Invalid({"to": "Choose where to send the link."})
    link = public_url("status.open_link", token=status_links.token_for(complaint, commit=False))
    with force_locale("en"):
        message = status_link_message(wording.setting("COUNCIL_NAME"), complaint.reference, link)
    complaint.outbox.append(
        OutboxMessage(
            kind=STATUS_LINK,
            channel="sms" if address.channel == "text" else "email",
            audience="advocate" if address.key == "advocate_email" else "complainant",
            to_address=address.to,
            subject=message.subject,
            body=message.body,
            created_utc=now_utc(),
        )
    )
    audit(by, "status_link_queued", f"complaint:{complaint.reference}", channel=address.channel)
    db.session.commit()
    return address


@dataclass(frozen=True)
class Queued:
    to: str
    created_utc: datetime
    sent_utc: datetime | None


def queued_links(complaint: Complaint) -> list[Queued]:
    """The private links queued for this complaint, oldest first, and whether each has gone."""
    return [
        Queued(m.to_address, m.created_utc, m.sent_utc)
        for m in db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.complaint_id == complaint.id, OutboxMessage.kind == STATUS_LINK)
            .order_by(OutboxMessage.id)
        )
    ]
