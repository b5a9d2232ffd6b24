"""Complaints: sending a draft, and reading where a complaint has got to."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal.clock import local_date, now_utc
from portal.extensions import db
from portal.flows import engine, rules
from portal.flows.model import TEXT_KINDS, Journey
from portal.models import AdvocacyReferral, Complaint, ComplaintPoint, Draft, Event
from portal.references import new_reference, normalise_reference
from portal.services import safety
from portal.timescales import deadline_from_receipt
from portal.types import Advocacy, Consent, EventType, Procedure, Urgency, Voice

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


FLAG_EVENTS = {
    "eligibility": EventType.FLAGGED_SUFFICIENT_INTEREST,
    "time_limit": EventType.FLAGGED_LATE,
    "legal_proceedings": EventType.FLAGGED_LEGAL_PROCEEDINGS,
    "consent": EventType.FLAGGED_CONSENT,
}


def _decided(state) -> dict[str, rules.Decision | None]:
    return {
        "eligibility": rules.eligibility(state),
        "time_limit": rules.time_limit(state),
        "legal_proceedings": rules.legal_proceedings(state),
        "consent": rules.consent(state),
    }


def _advocate_fields(state) -> dict[str, Any]:
    if not state.is_advocate:
        return {}
    return {
        "advocate_name": state.answers.get("advocate_name"),
        "advocate_organisation": state.answers.get("advocate_organisation"),
        "advocate_email": state.answers.get("advocate_email"),
        "advocate_phone": state.answers.get("advocate_phone") or None,
        "child_words": state.answers.get("child_words"),
    }


def _build(journey: Journey, draft: Draft) -> Complaint:
    answered = dict((s.id, v) for s, v in engine.answered_path(journey, draft.answers))
    state = journey.state(answered)
    decided = _decided(state)
    received = now_utc()
    complaint = Complaint(
        public_id=secrets.token_hex(16),
        reference=new_reference(),
        draft_id=draft.id,
        journey=journey.id,
        voice=state.voice,
        complainant_role=state.role,
        age_group=state.age_group,
        contact_method=state.contact_method,
        answers=answered,
        received_on=local_date(received),
        received_utc=received,
        eligibility=decided["eligibility"].value,
        eligibility_reason=decided["eligibility"].reason,
        time_limit=decided["time_limit"].value,
        time_limit_reason=decided["time_limit"].reason,
        legal_proceedings=decided["legal_proceedings"].value,
        legal_proceedings_reason=decided["legal_proceedings"].reason,
        consent=decided["consent"].value,
        consent_reason=decided["consent"].reason,
        parental_responsibility=rules.holds_parental_responsibility(state),
        on_child_instructions=(state.child_asked == "yes") if state.is_advocate else None,
        advocacy=rules.advocacy(state).value,
        urgent=False,
        urgent_reasons=[],
        outcomes_sought=state.outcomes,
        outcome_words=answered.get("outcome_words") or None,
        **_advocate_fields(state),
    )
    complaint.points = [
        ComplaintPoint(
            position=n,
            topic=p.topic,
            description=p.description,
            procedure=p.procedure.value,
            procedure_reason=p.procedure.reason,
        )
        for n, p in enumerate(rules.points(state), start=1)
    ]
    _record_events(complaint, state, decided, received)
    free_text = [
        v
        for s, v in engine.answered_path(journey, answered)
        if s.kind in TEXT_KINDS and isinstance(v, str)
    ]
    safety.flag_urgent_on_submit(
        complaint,
        safety.urgent_reasons_at_submit(
            draft, free_text, said_not_safe=rules.urgency(state) is not None
        ),
    )
    safety.link_help_requests(draft, complaint)
    return complaint


def _record_events(complaint: Complaint, state, decided: dict, at: datetime) -> None:
    def add(event_type: EventType, **data: Any) -> None:
        complaint.events.append(Event(type=event_type, at_utc=at, actor=COMPLAINANT, data=data))

    add(EventType.COMPLAINT_RECEIVED)
    for name, decision in decided.items():
        if decision is not None and decision.needs_a_person:
            add(FLAG_EVENTS[name], value=decision.value, reason=decision.reason)
    if state.wants_advocate:
        add(EventType.ADVOCATE_REQUESTED)
        settings = current_app.config
        complaint.advocacy_referral = AdvocacyReferral(
            service_name=settings["ADVOCACY_SERVICE_NAME"],
            service_contact=settings["ADVOCACY_SERVICE_CONTACT"],
            made_utc=at,
        )
        add(EventType.ADVOCACY_REFERRAL_MADE, service=settings["ADVOCACY_SERVICE_NAME"])


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


ENDINGS = (EventType.COMPLAINT_CLOSED, EventType.COMPLAINT_WITHDRAWN)


def closed_utc(complaint: Complaint) -> datetime | None:
    """Return when the complaint was closed or withdrawn, if it has ended."""
    closed = [e.at_utc for e in complaint.events if e.type in ENDINGS]
    return closed[-1] if closed else None


def withdraw(complaint: Complaint) -> None:
    """Record that the person withdrew their complaint (allowed at any time)."""
    if closed_utc(complaint) is not None:
        return
    db.session.add(
        Event(
            complaint=complaint,
            type=EventType.COMPLAINT_WITHDRAWN,
            at_utc=now_utc(),
            actor=COMPLAINANT,
            data={},
        )
    )
    db.session.commit()


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
    withdrawn: bool = False

    @property
    def is_closed(self) -> bool:
        return self.closed_on is not None


# Events a complainant sees on their own timeline (link changes are theirs or staff's business).
PUBLIC_EVENTS = {
    EventType.COMPLAINT_RECEIVED,
    EventType.ADVOCACY_REFERRAL_MADE,
    EventType.HELP_REQUESTED,
    EventType.COMPLAINT_CLOSED,
    EventType.COMPLAINT_WITHDRAWN,
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
        withdrawn=any(e.type == EventType.COMPLAINT_WITHDRAWN for e in complaint.events),
    )


def decisions_of(complaint: Complaint) -> list[rules.Decision]:
    """Return what the rules decided at intake, as stored, in the order people are told."""
    stored = [
        (complaint.urgent and Urgency.URGENT, _urgent_reason(complaint)),
        (complaint.eligibility, complaint.eligibility_reason),
        (complaint.time_limit, complaint.time_limit_reason),
        (complaint.legal_proceedings, complaint.legal_proceedings_reason),
        (complaint.consent, complaint.consent_reason),
        (complaint.voice != Voice.SELF and Consent.NOT_NEEDED, "no_private_information"),
        (complaint.advocacy, rules.ADVOCACY_REASONS[Advocacy(complaint.advocacy)]),
    ]
    return [
        rules.Decision(value, reason)
        for value, reason in stored
        if value and reason not in rules.QUIET_REASONS
    ]


def points_of(complaint: Complaint) -> list[rules.Point]:
    """Return the complaint's points as stored, each with its procedure decision."""
    return [
        rules.Point(
            p.topic, rules.Decision(Procedure(p.procedure), p.procedure_reason), p.description
        )
        for p in complaint.points
    ]


def _urgent_reason(complaint: Complaint) -> str:
    said = safety.SAID_NOT_SAFE in (complaint.urgent_reasons or [])
    return "not_safe" if said else "urgent_noticed"
