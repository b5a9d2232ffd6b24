"""Complaints: sending a draft, and reading where a complaint has got to."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal.clock import local_date, now_utc
from portal.extensions import db
from portal.flows import engine
from portal.flows.model import Journey
from portal.models import Complaint, Draft, Event
from portal.references import new_reference, normalise_reference
from portal.timescales import deadline_from_receipt
from portal.types import EventType

COMPLAINANT = "complainant"


def _by_draft(draft_id: int) -> Complaint | None:
    return db.session.scalars(select(Complaint).where(Complaint.draft_id == draft_id)).one_or_none()


def by_public_id(public_id: str | None) -> Complaint | None:
    """Return the complaint with this public id, if any."""
    if not public_id:
        return None
    return db.session.scalars(
        select(Complaint).where(Complaint.public_id == public_id)
    ).one_or_none()


def by_reference(reference: str) -> Complaint | None:
    """Return the complaint with this reference, however it was typed."""
    return db.session.scalars(
        select(Complaint).where(Complaint.reference == normalise_reference(reference))
    ).one_or_none()


def _build(journey: Journey, draft: Draft) -> Complaint:
    answered = dict((s.id, v) for s, v in engine.answered_path(journey, draft.answers))
    state = journey.state(answered)
    received = now_utc()
    complaint = Complaint(
        public_id=secrets.token_hex(16),
        reference=new_reference(),
        draft_id=draft.id,
        journey=journey.id,
        voice=state.voice,
        complainant_role=state.role,
        age_group=state.age_group,
        advocate_wanted=state.wants_advocate,
        contact_method=state.contact_method,
        answers=answered,
        received_on=local_date(received),
        received_utc=received,
    )
    complaint.events.append(
        Event(type=EventType.COMPLAINT_RECEIVED, at_utc=received, actor=COMPLAINANT, data={})
    )
    if state.wants_advocate:
        complaint.events.append(
            Event(type=EventType.ADVOCATE_REQUESTED, at_utc=received, actor=COMPLAINANT, data={})
        )
    return complaint


def submit_draft(key: str | None, journey: Journey) -> Complaint | None:
    """Turn a complete draft into exactly one complaint, however often it is sent.

    Returns None when there is no draft or it is not finished yet.
    """
    for _attempt in range(5):
        draft = db.session.scalars(
            select(Draft).where(Draft.key == key).with_for_update()
        ).one_or_none()
        if draft is None:
            return None
        if draft.submitted_utc is not None:
            return _by_draft(draft.id)
        if not engine.is_complete(journey, draft.answers):
            return None
        complaint = _build(journey, draft)
        db.session.add(complaint)
        draft.submitted_utc = complaint.received_utc
        draft.answers = {}  # the complaint holds them now; keep no second copy
        try:
            db.session.commit()
            return complaint
        except IntegrityError:
            # Another request sent the same draft first, or (rarely) the reference was taken.
            db.session.rollback()
    raise RuntimeError("could not store the complaint after several attempts")


def closed_utc(complaint: Complaint) -> datetime | None:
    """Return when the complaint was closed, if it is closed."""
    closed = [e.at_utc for e in complaint.events if e.type == EventType.COMPLAINT_CLOSED]
    return closed[-1] if closed else None


def close(complaint: Complaint, actor: str, note: str | None = None) -> None:
    """Record that the complaint is closed."""
    db.session.add(
        Event(
            complaint=complaint,
            type=EventType.COMPLAINT_CLOSED,
            at_utc=now_utc(),
            actor=actor,
            data={},
            note=note,
        )
    )
    db.session.commit()


@dataclass(frozen=True)
class TimelineEntry:
    kind: str
    on: date
    done: bool


@dataclass(frozen=True)
class Status:
    reference: str
    received_on: date
    closed_on: date | None
    acknowledge_by: date
    reply_by: date
    timeline: list[TimelineEntry]

    @property
    def is_closed(self) -> bool:
        return self.closed_on is not None


# Events a complainant sees on their own timeline (link changes are theirs or staff's business).
PUBLIC_EVENTS = {
    EventType.COMPLAINT_RECEIVED,
    EventType.ADVOCATE_REQUESTED,
    EventType.COMPLAINT_CLOSED,
}


def status_of(complaint: Complaint) -> Status:
    """Work out where a complaint is now, and what comes next, from its events."""
    config = current_app.config
    acknowledge_by = deadline_from_receipt(
        complaint.received_on, config["ACKNOWLEDGE_WORKING_DAYS"]
    )
    reply_by = deadline_from_receipt(complaint.received_on, config["STAGE1_WORKING_DAYS"])
    closed = closed_utc(complaint)
    timeline = [
        TimelineEntry(e.type, local_date(e.at_utc), True)
        for e in complaint.events
        if e.type in PUBLIC_EVENTS
    ]
    if closed is None:
        timeline.append(TimelineEntry("reply_due", reply_by, False))
    return Status(
        reference=complaint.reference,
        received_on=complaint.received_on,
        closed_on=local_date(closed) if closed else None,
        acknowledge_by=acknowledge_by,
        reply_by=reply_by,
        timeline=timeline,
    )
