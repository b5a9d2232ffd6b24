"""Keep complaints no longer than needed: anonymise them a set time after they end."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from portal import stages
from portal.clock import local_date, now_utc
from portal.extensions import db
from portal.fields import Kind
from portal.models import AuditEntry, Complaint, HelpRequest
from portal.services.complaints import by_reference, closed_utc

RETENTION_ACTOR = "retention"


@dataclass(frozen=True)
class RetentionResult:
    anonymised: int
    held: int


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def audit(actor: str, action: str, complaint: Complaint, **data) -> None:
    """Record who did what to a complaint; never its content."""
    db.session.add(
        AuditEntry(
            at_utc=now_utc(),
            actor=actor,
            action=action,
            target=f"complaint:{complaint.id}",
            data={"reference": complaint.reference, **data},
        )
    )


def _anonymise(complaint: Complaint, at: datetime) -> None:
    complaint.answers = {}
    complaint.outcome_words = None
    complaint.child_words = None
    complaint.advocate_name = complaint.advocate_organisation = None
    complaint.advocate_email = complaint.advocate_phone = None
    complaint.contact_lookup = None
    for point in complaint.points:
        point.description = None
        for outcome in point.outcomes:
            outcome.remedy = None  # the typed outcome and remedy kinds stay for the reports
    for event in complaint.events:
        event.note = None
        event.data = _without_words(event.type, event.data or {})
    for request in db.session.scalars(
        select(HelpRequest).where(HelpRequest.complaint_id == complaint.id)
    ):
        request.contact = None
    for message in complaint.outbox:
        message.to_address = ""
        message.body = ""
    complaint.anonymised_utc = at


# Kinds of field whose values are words someone wrote (names, findings, reports).
WORDS = {Kind.TEXT, Kind.LONG_TEXT, Kind.NAMES}


def _without_words(event_type: str, data: dict) -> dict:
    """An event's data without what people wrote: dates, choices and counts stay."""
    transition = stages.BY_EVENT.get(event_type)
    if transition is None:
        return {k: v for k, v in data.items() if k not in ("taken_by", "logged_by")}
    written = {f.name for f in transition.fields if f.kind in WORDS}
    written |= {"investigating_officer_name", "assignee_name"}
    return {k: v for k, v in data.items() if k not in written}


def anonymise_expired(years: int) -> RetentionResult:
    """Anonymise complaints that ended more than `years` ago, except those on legal hold."""
    cutoff = _years_before(local_date(now_utc()), years)
    anonymised = held = 0
    candidates = db.session.scalars(
        select(Complaint)
        .where(Complaint.anonymised_utc.is_(None))
        .where(Complaint.received_on < cutoff)
    )
    for complaint in candidates:
        ended = closed_utc(complaint)
        if ended is None or local_date(ended) >= cutoff:
            continue
        if complaint.legal_hold:
            held += 1
            continue
        _anonymise(complaint, now_utc())
        audit(
            RETENTION_ACTOR,
            "complaint_anonymised",
            complaint,
            closed_on=local_date(ended).isoformat(),
        )
        anonymised += 1
    db.session.commit()
    return RetentionResult(anonymised, held)


def set_legal_hold(reference: str, on: bool, actor: str) -> Complaint | None:
    """Put a complaint on legal hold (or release it), so retention leaves it alone."""
    complaint = by_reference(reference)
    if complaint is None:
        return None
    complaint.legal_hold = on
    audit(actor, "legal_hold_set" if on else "legal_hold_released", complaint)
    db.session.commit()
    return complaint
