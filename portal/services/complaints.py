"""Complaints: sending a draft, and reading where a complaint has got to."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from portal import fields, stages, wording
from portal.clock import local_date, now_utc, today_local
from portal.contact import lookup_for
from portal.extensions import db
from portal.flows import JOURNEYS, engine, rules
from portal.flows.model import TEXT_KINDS, Journey
from portal.flows.present import describe, summary_label
from portal.models import AdvocacyReferral, Complaint, ComplaintPoint, Draft, Event
from portal.references import new_reference, normalise_reference
from portal.services import casework, messages, safety
from portal.services.staff import audit
from portal.timescales import add_working_days, deadline_from_receipt
from portal.types import Advocacy, Consent, EventType, Procedure, Stage, Urgency, Voice

COMPLAINANT = "complainant"


def _by_draft(draft_id: int) -> Complaint | None:
    return db.session.scalars(select(Complaint).where(Complaint.draft_id == draft_id)).one_or_none()


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


def _build(
    journey: Journey,
    answers: dict[str, Any],
    received: datetime,
    arrived_by: str = "portal",
    *,
    draft: Draft | None = None,
    recorded: datetime | None = None,
    actor: str = COMPLAINANT,
    how_received: dict[str, Any] | None = None,
    language: str | None = None,
) -> Complaint:
    """Turn finished answers into a complaint: decisions, points, events, flags and clocks.

    Every way in comes through here: the portal (a draft, received and recorded now) and staff
    logging one that came by phone, email, letter, in person or through an advocate (received
    on the day they say, recorded now by them, `how_received` on its received event). The
    clocks start from the day it was received.
    """
    recorded = recorded or received
    answered = dict((s.id, v) for s, v in engine.answered_path(journey, answers))
    state = journey.state(answered)
    decided = _decided(state)
    complaint = Complaint(
        public_id=secrets.token_hex(16),
        reference=new_reference(),
        draft_id=draft.id if draft is not None else None,
        arrived_by=arrived_by,
        journey=journey.id,
        voice=state.voice,
        complainant_role=state.role,
        age_group=state.age_group,
        contact_method=state.contact_method,
        contact_safe=state.contact_safe,
        status_link_version=1,  # set now: the message queued below signs a link with it
        contact_lookup=lookup_for(state.contact_method, answered, current_app.config["SECRET_KEY"]),
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
            theme=fields.suggested_theme(p.topic, current_app.config["THEMES"]),
        )
        for n, p in enumerate(rules.points(state), start=1)
    ]
    complaint.procedure = stages.overall_procedure([p.procedure for p in complaint.points])
    complaint.stage = Stage.TRIAGE
    complaint.next_deadline_on = deadline_from_receipt(
        complaint.received_on,
        current_app.config["ACKNOWLEDGE_WORKING_DAYS"],
        current_app.config["RECEIVED_ON_A_NON_WORKING_DAY"],
    )
    received_data = {**(how_received or {}), **messages.received_event_data(language)}
    _record_events(complaint, state, decided, recorded, actor, received_data)
    free_text = [
        v
        for s, v in engine.answered_path(journey, answered)
        if s.kind in TEXT_KINDS and isinstance(v, str)
    ]
    safety.flag_urgent(
        complaint,
        safety.urgent_reasons_at_submit(
            draft, free_text, said_not_safe=rules.urgency(state) is not None
        ),
        at=recorded,
    )
    if draft is not None:
        safety.link_help_requests(draft, complaint)
    messages.on_arrival(complaint)  # by the route they chose, in the same transaction
    return complaint


def _record_events(
    complaint: Complaint,
    state,
    decided: dict,
    at: datetime,
    actor: str = COMPLAINANT,
    how_received: dict[str, Any] | None = None,
) -> None:
    def add(event_type: EventType, **data: Any) -> None:
        complaint.events.append(Event(type=event_type, at_utc=at, actor=actor, data=data))

    add(EventType.COMPLAINT_RECEIVED, **(how_received or {}))
    complaint.events[-1].happened_on = complaint.received_on  # the day it reached the council
    for name, decision in decided.items():
        if decision is not None and decision.needs_a_person:
            add(FLAG_EVENTS[name], value=decision.value, reason=decision.reason)
    if state.wants_advocate:
        add(EventType.ADVOCATE_REQUESTED)
        settings = current_app.config
        complaint.advocacy_referral = AdvocacyReferral(
            service_name=wording.setting_in_english("ADVOCACY_SERVICE_NAME"),
            service_contact=settings["ADVOCACY_SERVICE_CONTACT"],
            made_utc=at,
        )
        add(
            EventType.ADVOCACY_REFERRAL_MADE,
            service=wording.setting_in_english("ADVOCACY_SERVICE_NAME"),
        )


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
        complaint = _build(
            journey, draft.answers, now_utc(), draft=draft, language=messages.page_language()
        )
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
    """Return when the complaint ended (closed, withdrawn, not considered), if it has."""
    if complaint.stage != Stage.CLOSED:
        return None
    ended = [e.at_utc for e in complaint.events if e.type in stages.ENDINGS]
    return ended[-1] if ended else None


def withdraw(complaint: Complaint, reason: str | None = None, risks: Iterable[str] = ()) -> None:
    """Record that the person withdrew their complaint from their status page.

    Anyone holding the link could press the button, so staff are shown the withdrawal on the
    tracker and check with the complainant before they let it rest.
    """
    safety.flag_urgent(complaint, list(risks))  # with the words, in the same transaction
    if complaint.stage == Stage.CLOSED:
        db.session.commit()
        return
    try:
        complaint.withdrawal_to_check = True
        casework.advance(
            complaint, stages.Action.WITHDRAW, casework.COMPLAINANT, None, {"reason": reason or ""}
        )
    except StaleDataError as error:  # a staff move landed first (seen while flushing)
        db.session.rollback()
        raise casework.Conflict from error


def withdrawal_checked(complaint: Complaint, by: str) -> None:
    """Staff checked a withdrawal made from the private link with the complainant (audited)."""
    if not complaint.withdrawal_to_check:
        return
    complaint.withdrawal_to_check = False
    complaint.events.append(
        Event(type=EventType.WITHDRAWAL_CHECKED, at_utc=now_utc(), actor=by, data={})
    )
    audit(by, "withdrawal_checked", f"complaint:{complaint.reference}")
    db.session.commit()


def still_not_happy(complaint: Complaint, words: str | None, risks: Iterable[str] = ()) -> bool:
    """Ask for the next stage from the status page; late requests go to a manager to decide."""
    safety.flag_urgent(complaint, list(risks))  # with the words, in the same transaction
    state = casework.state_of(complaint)
    action = state.next_action
    if action is None or not casework.can(complaint, action, casework.COMPLAINANT, state):
        db.session.commit()
        return False
    try:
        casework.advance(complaint, action, casework.COMPLAINANT, None, {"words": words or ""})
    except StaleDataError as error:
        db.session.rollback()
        raise casework.Conflict from error
    return True


@dataclass(frozen=True)
class TimelineEntry:
    kind: str
    on: date
    done: bool
    note: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    wording: str | None = None  # a stage move's public wording (portal/stages.py)


@dataclass(frozen=True)
class Status:
    reference: str
    received_on: date
    closed_on: date | None
    acknowledge_by: date
    reply_by: date | None
    timeline: list[TimelineEntry]
    case: stages.CaseState
    withdrawn: bool = False
    # "I'm still not happy": what it would ask for, and whether asking now is late.
    can_ask_again: bool = False
    ask_late: bool = False

    @property
    def is_closed(self) -> bool:
        return self.closed_on is not None

    @property
    def offer_ombudsman(self) -> bool:
        """After the last stage of either procedure, or an early close, point to the
        Ombudsman (with its own 12-month limit)."""
        return self.case.ombudsman_by is not None

    @property
    def moved_to_corporate(self) -> bool:
        """Staff routed it to the general complaints process, so the reply date changed."""
        return any(e.kind == EventType.MOVED_TO_CORPORATE for e in self.timeline)


# Events a complainant sees on their own timeline, in plain words (staff notes stay inside):
# what happened when they sent it, and every stage move that declares public wording.
PUBLIC_EVENTS = frozenset(
    {EventType.COMPLAINT_RECEIVED, EventType.ADVOCACY_REFERRAL_MADE, EventType.HELP_REQUESTED}
    | {t.event for t in stages.TRANSITIONS.values() if t.public}
)


def _entry(event) -> TimelineEntry:
    """One past event on the complainant's timeline, dated the day it happened."""
    transition = stages.BY_EVENT.get(event.type)
    return TimelineEntry(
        event.type,
        event.happened_on or local_date(event.at_utc),
        True,
        event.note,
        event.data or {},
        transition.public if transition else None,
    )


def first_reply_by(received_on: date, procedure: str, acknowledge_by: date) -> date | None:
    """The first reply date the procedure promises: the Children Act's Stage 1 counts from
    receipt; the council's general process from the acknowledgement; none when the council
    is not the place to complain."""
    if procedure == Procedure.CORPORATE:
        return deadline_from_receipt(acknowledge_by, stages.CORPORATE_STAGE_1)
    if procedure == Procedure.NOT_COUNCIL:
        return None
    config = current_app.config
    return deadline_from_receipt(
        received_on, config["STAGE1_WORKING_DAYS"], config["RECEIVED_ON_A_NON_WORKING_DAY"]
    )


def status_of(complaint: Complaint) -> Status:
    """Work out where a complaint is now, and what comes next, from its events."""
    config = current_app.config
    case = casework.state_of(complaint)
    receipt = config["RECEIVED_ON_A_NON_WORKING_DAY"]
    acknowledge_by = deadline_from_receipt(
        complaint.received_on, config["ACKNOWLEDGE_WORKING_DAYS"], receipt
    )
    reply_by = first_reply_by(complaint.received_on, case.procedure, acknowledge_by)
    closed = closed_utc(complaint)
    timeline = [_entry(e) for e in complaint.events if e.type in PUBLIC_EVENTS]
    if case.due is not None:
        timeline.append(TimelineEntry(f"due_{case.due_what}", case.due, False))
        waiting = (stages.Step.TRIAGE, stages.Step.S1_TO_ACKNOWLEDGE, stages.Step.C1_TO_ACKNOWLEDGE)
        if case.step in waiting and reply_by is not None:
            reply_by = add_working_days(reply_by, case.paused_days)
            timeline.append(TimelineEntry("due_stage_1_response", reply_by, False))
    next_action = case.next_action
    can_ask = next_action is not None and casework.can(
        complaint, next_action, casework.COMPLAINANT, case
    )
    return Status(
        reference=complaint.reference,
        received_on=complaint.received_on,
        closed_on=local_date(closed) if closed else None,
        acknowledge_by=acknowledge_by,
        reply_by=reply_by,
        timeline=timeline,
        case=case,
        withdrawn=case.outcome == "withdrawn",
        can_ask_again=can_ask,
        ask_late=can_ask and case.ask_again_by is not None and today_local() > case.ask_again_by,
    )


def decisions_of(complaint: Complaint) -> list[rules.Decision]:
    """Return what the rules decided at intake, as stored, in the order people are told."""
    stored = [
        (complaint.urgent and Urgency.URGENT, _urgent_reason(complaint)),
        (complaint.eligibility, complaint.eligibility_reason),
        (complaint.time_limit, complaint.time_limit_reason),
        (complaint.legal_proceedings, complaint.legal_proceedings_reason),
        (complaint.consent, complaint.consent_reason),
        # Told to whoever speaks for a young person (not to a carer complaining for themselves).
        (complaint.consent != Consent.NOT_NEEDED and Consent.NOT_NEEDED, "no_private_information"),
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


def refresh(complaint: Complaint) -> None:
    """Read a complaint again from the database (after someone else changed it)."""
    db.session.refresh(complaint)


def told_us(complaint: Complaint) -> list[dict[str, Any]]:
    """What the person told us, question by question, in the words they picked or wrote."""
    journey = JOURNEYS.get(complaint.journey)
    if journey is None:
        return []
    voice = Voice(complaint.voice)
    return [
        {"label": summary_label(s, voice), "answer": describe(s, v, voice)}
        for s, v in engine.summary(journey, complaint.answers)
    ]
