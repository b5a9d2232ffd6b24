"""Casework: every change to a case goes through `advance`, which checks the table of moves.

`advance` refuses a move the table does not allow, checks what the move was told, writes one
past-tense event, keeps the tracker's columns (stage, next deadline, procedure) in step, and
audits the change with the before and after. Two people editing one case are caught by the
version number: the second is told, and nothing is overwritten.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from portal import fields, milestones, stages
from portal.clock import local_date, now_utc, today_local
from portal.errors import MAX_ID
from portal.extensions import db
from portal.models import Complaint, ComplaintPoint, Event, PointOutcome, StaffUser
from portal.services import learning, messages
from portal.services.staff import audit
from portal.stages import Action, CaseState, Fact, Refused
from portal.timescales import add_working_days
from portal.types import StaffRole

Case = Complaint  # the name pages use for a complaint (they never import models)

UNABLE_CATEGORIES = stages.UNABLE_CATEGORIES
OMBUDSMAN_DECISIONS = stages.OMBUDSMAN_DECISIONS
Invalid = fields.Invalid


class Conflict(Exception):
    """Someone else changed the case since this person loaded it."""


@dataclass(frozen=True)
class Actor:
    """Who is making a change: a member of staff, or the complainant from their status page."""

    name: str
    role: str
    user_id: int | None = None

    @classmethod
    def of(cls, user: StaffUser) -> Actor:
        return cls(user.email, user.role, user.id)


COMPLAINANT = Actor(stages.COMPLAINANT, stages.COMPLAINANT)


def timescales() -> stages.Timescales:
    config = current_app.config
    return stages.Timescales(
        config["ACKNOWLEDGE_WORKING_DAYS"],
        config["STAGE1_WORKING_DAYS"],
        config["STAGE2_SETUP_WORKING_DAYS"],
        config["RECEIVED_ON_A_NON_WORKING_DAY"],
    )


def _fact(event: Event) -> Fact:
    on = event.data.get("on") if isinstance(event.data, dict) else None
    happened = event.happened_on or (date.fromisoformat(on) if on else None)
    return Fact(event.type, happened or local_date(event.at_utc), event.data or {}, event.note)


def state_of(complaint: Complaint) -> CaseState:
    """Work out where a case stands from its events."""
    return stages.replay(
        complaint.received_on,
        stages.overall_procedure(p.procedure for p in complaint.points),
        (_fact(e) for e in complaint.events),
        timescales(),
    )


def can(complaint: Complaint, action: Action, actor: Actor, state: CaseState | None = None) -> bool:
    """Say whether this person may take this action now (used to show only usable buttons)."""
    return why_not(complaint, action, actor, state) is None


def why_not(
    complaint: Complaint, action: Action, actor: Actor, state: CaseState | None = None
) -> str | None:
    """Say in plain words why this person cannot take this action now, or None if they can."""
    try:
        _check(complaint, action, actor, state or state_of(complaint))
    except Refused as refused:
        return str(refused)
    return None


def _check(complaint: Complaint, action: Action, actor: Actor, state: CaseState) -> None:
    if actor.role == StaffRole.INVESTIGATOR and complaint.assigned_to_id != actor.user_id:
        raise Refused("Only the officer this case is assigned to can change it.")
    stages.allowed(state, action, actor.role)
    if action == Action.RELEASE_POINTS and not any(p.held_reason for p in complaint.points):
        raise Refused("No point is on hold.")
    if action == Action.CLOSE and (waiting := learning.points_without_learning(complaint)):
        raise Refused(learning.close_refused(waiting))


def advance(
    complaint: Complaint,
    action: Action,
    actor: Actor,
    expected_version: int | None,
    inputs: Mapping[str, Any] | None = None,
) -> CaseState:
    """Make one move on a case, or raise Refused, Invalid or Conflict (and change nothing).

    Everything about the move comes from its `Transition`: the fields are read and checked,
    the event keeps them (the day it happened in `happened_on`), the fields that change the
    case are applied, points get their typed outcomes, and the case's step and next deadline
    columns are set from the new state.
    """
    if expected_version is not None and expected_version != complaint.version:
        raise Conflict
    state = state_of(complaint)
    _check(complaint, action, actor, state)
    values = _read(complaint, stages.TRANSITIONS[action], state, inputs or {})
    after_state = _move(complaint, action, actor, state, values)
    return _commit(after_state)


def advance_together(
    complaint: Complaint,
    pairing: stages.Together,
    actor: Actor,
    expected_version: int | None,
    inputs: Mapping[str, Any] | None = None,
) -> CaseState:
    """Make a declared pairing of moves in one transaction: each move in turn, exactly as
    `advance` would make it (its own event, audit entry and message), or none of them."""
    if expected_version is not None and expected_version != complaint.version:
        raise Conflict
    declared = stages.PAIRINGS[pairing]
    state = state_of(complaint)
    _check_together(complaint, declared, actor, state)
    # Every field is checked before anything changes, so a mistake loses nothing.
    errors: dict[str, str] = {}
    for transition in declared.transitions:
        try:
            _read(complaint, transition, state, inputs or {})
        except Invalid as invalid:
            errors |= {k: v for k, v in invalid.errors.items() if k not in errors}
    if errors:
        raise Invalid(errors)
    try:
        for action in declared.steps:
            state = state_of(complaint)
            _check(complaint, action, actor, state)
            values = _read(complaint, stages.TRANSITIONS[action], state, inputs or {})
            state = _move(complaint, action, actor, state, values)
    except (Refused, Invalid):
        db.session.rollback()
        raise
    return _commit(state)


def _check_together(
    complaint: Complaint, pairing: stages.Pairing, actor: Actor, state: CaseState
) -> None:
    if actor.role == StaffRole.INVESTIGATOR and complaint.assigned_to_id != actor.user_id:
        raise Refused("Only the officer this case is assigned to can change it.")
    stages.allowed_together(state, pairing, actor.role)


def can_together(
    complaint: Complaint, pairing: stages.Together, actor: Actor, state: CaseState | None = None
) -> bool:
    return why_not_together(complaint, pairing, actor, state) is None


def why_not_together(
    complaint: Complaint, pairing: stages.Together, actor: Actor, state: CaseState | None = None
) -> str | None:
    try:
        _check_together(complaint, stages.PAIRINGS[pairing], actor, state or state_of(complaint))
    except Refused as refused:
        return str(refused)
    return None


def _read(
    complaint: Complaint,
    transition: stages.Transition,
    state: CaseState,
    inputs: Mapping[str, Any],
) -> dict[str, Any]:
    asked = transition.fields_for(state)
    ctx = context(complaint, state)
    check = transition.check
    joined = (lambda values: check(values, ctx, state)) if check is not None else None
    return fields.read(asked, inputs, ctx, joined)


def _move(
    complaint: Complaint,
    action: Action,
    actor: Actor,
    state: CaseState,
    values: dict[str, Any],
) -> CaseState:
    """Write one checked move to the session (the caller commits)."""
    transition = stages.TRANSITIONS[action]
    asked = transition.fields_for(state)
    before = _snapshot(complaint, state)
    on = values.get("on") or today_local()
    note = next((values[f.name] or None for f in asked if f.note), None)
    data = {"on": on.isoformat()}
    for spec in asked:
        if not spec.note and spec.name != "on":
            data.update(_STORED[spec.kind](spec, values[spec.name], complaint))
    event = Event(
        type=transition.event,
        at_utc=now_utc(),
        happened_on=on,
        actor=actor.name,
        data=data,
        note=note,
    )
    complaint.events.append(event)
    for spec in asked:
        _APPLY.get(spec.kind, _nothing)(complaint, values[spec.name], values)
    after_state = state_of(complaint)
    _record_outcomes(complaint, transition, values, state, event, on)
    recorded = {name: _RECORDS[name](after_state) for name in transition.records}
    if recorded:
        event.data = {**data, **recorded}
    _keep_columns(complaint, after_state)
    messages.for_move(complaint, transition, after_state, actor.name)  # what the move declares
    # Every move bumps the case's version, even one that changes no column (a message), so
    # anyone still working from the old version is stopped.
    flag_modified(complaint, "stage")
    audit(
        actor.name,
        f"case_{action}",
        f"complaint:{complaint.reference}",
        before=before,
        after=_snapshot(complaint, after_state),
    )
    return after_state


def _commit(state: CaseState) -> CaseState:
    try:
        db.session.commit()
    except StaleDataError as error:
        db.session.rollback()
        raise Conflict from error
    return state


def _snapshot(complaint: Complaint, state: CaseState) -> dict[str, Any]:
    return {
        "step": str(state.step),
        "due": state.due.isoformat() if state.due else None,
        "paused": state.paused,
        "assigned_to": complaint.assigned_to_id,
        "points": len(complaint.points),
    }


def _keep_columns(complaint: Complaint, state: CaseState) -> None:
    """Where the case is now, so the tracker and reports never replay events."""
    complaint.stage = state.stage
    complaint.step = state.step
    complaint.next_deadline_on = state.due
    complaint.next_due_what = state.due_what if state.due else None
    complaint.procedure = state.procedure
    facts = [_fact(e) for e in complaint.events]
    procedure = stages.overall_procedure(p.procedure for p in complaint.points)
    for name, value in milestones.fold(
        complaint.received_on, procedure, facts, timescales()
    ).items():
        setattr(complaint, name, value)


def context(complaint: Complaint, state: CaseState) -> fields.Context:
    """What checking a move's fields needs to know about this case today."""
    today = today_local()
    due = state.due
    return fields.Context(
        today=today,
        received_on=complaint.received_on,
        points=tuple(
            fields.PointRef(
                p.id,
                p.position,
                p.description or p.topic,
                p.held_reason is not None,
                p.theme,
                p.service_area,
            )
            for p in complaint.points
        ),
        days_allowed=stages.extension_limit(state),
        find_staff=_staff_member,
        earliest_pause=state.earliest_pause(today),
        late_since=add_working_days(due, 1) if due is not None and due < today else None,
        panel_on=state.panel_on,
        themes=current_app.config["THEMES"],
        service_areas=current_app.config["SERVICE_AREAS"],
    )


def _nothing(*_args: Any) -> None:
    return None


# What each kind of field keeps on the event (for the timelines).
def _keep_plain(spec: fields.Field, value: Any, complaint: Complaint) -> dict[str, Any]:
    if isinstance(value, date):
        return {spec.name: value.isoformat()}
    return {spec.name: list(value) if isinstance(value, tuple) else value}


def _keep_staff(spec: fields.Field, user: StaffUser | None, complaint: Complaint):
    return {spec.name: user.id, f"{spec.name}_name": user.name} if user else {}


def _keep_outcomes(spec: fields.Field, found: dict, complaint: Complaint) -> dict[str, Any]:
    by_id = {p.id: p.position for p in complaint.points}
    return {
        "outcomes": {str(by_id[pid]): str(outcome) for pid, (outcome, _r) in found.items()},
    }


def _keep_points(spec: fields.Field, value: dict, complaint: Complaint) -> dict[str, Any]:
    by_id = {p.id: p.position for p in complaint.points}
    themes = {str(by_id[pid]): theme for pid, (theme, _area) in value["sorted_as"].items()}
    return {"kept": len(value["keep"]), "added": 1 if value["added"] else 0, "themes": themes}


def _keep_holds(spec: fields.Field, chosen: dict, complaint: Complaint) -> dict[str, Any]:
    return {"points": sorted(p.position for p in complaint.points if p.id in chosen)}


_STORED = {
    fields.Kind.TEXT: _keep_plain,
    fields.Kind.LONG_TEXT: _keep_plain,
    fields.Kind.DATE: _keep_plain,
    fields.Kind.CHOICE: _keep_plain,
    fields.Kind.CONFIRM: _keep_plain,
    fields.Kind.DAYS: _keep_plain,
    fields.Kind.NAMES: _keep_plain,
    fields.Kind.STAFF: _keep_staff,
    fields.Kind.OUTCOMES: _keep_outcomes,
    fields.Kind.POINTS: _keep_points,
    fields.Kind.HOLDS: _keep_holds,
}


# What each kind of field changes on the case itself.
def _apply_points(complaint: Complaint, value: dict, values: dict) -> None:
    kept = dict(value["keep"])
    for point in list(complaint.points):
        if point.id not in kept:
            complaint.points.remove(point)
        else:
            point.description = kept[point.id]
            point.theme, point.service_area = value["sorted_as"].get(
                point.id, (point.theme, point.service_area)
            )
            if point.theme == fields.WRONG_OR_SHARED_INFORMATION:
                learning.alert_information_governance(complaint, point)
    if value["added"]:
        topic = complaint.points[-1].topic if complaint.points else "other"
        complaint.points.append(
            ComplaintPoint(
                position=0,
                topic=topic,
                description=value["added"],
                procedure=complaint.procedure,
                procedure_reason="staff_split",
            )
        )
    for position, point in enumerate(complaint.points, start=1):
        point.position = position


def _apply_assign(complaint: Complaint, user: StaffUser, values: dict) -> None:
    complaint.assigned_to = user


def _apply_holds(complaint: Complaint, chosen: dict, values: dict) -> None:
    """Hold the ticked points for the reason given, or (with no reason asked) release them."""
    for point in complaint.points:
        if point.id in chosen:
            point.held_reason = values.get("category")


_APPLY = {
    fields.Kind.POINTS: _apply_points,
    fields.Kind.STAFF: _apply_assign,
    fields.Kind.HOLDS: _apply_holds,
}

# Facts a move works out that its event keeps for the timelines.
_RECORDS = {
    "stage": lambda s: str(s.stage),
    "late": lambda s: s.late_request,
    "new_due": lambda s: s.due.isoformat() if s.due else None,
}


def _record_outcomes(
    complaint: Complaint,
    transition: stages.Transition,
    values: dict[str, Any],
    state: CaseState,
    event: Event,
    on: date,
) -> None:
    """Typed outcomes per point: from a reply's findings, or from how the case ended."""
    found = values.get("outcomes") if "outcomes" in values else None
    if found:
        remedy = values.get("remedy") or None
        for point in complaint.points:
            if point.id in found:
                outcome, remedies = found[point.id]
                _add_outcome(complaint, point, event, state.stage, outcome, on, remedies, remedy)
    if transition.points_end_as is None:
        return
    for point in complaint.points:
        if not any(o.stage == state.stage for o in point.outcomes):
            _add_outcome(complaint, point, event, state.stage, transition.points_end_as, on)


def _add_outcome(complaint, point, event, stage, outcome, on, remedies=(), remedy=None) -> None:
    point.outcomes.append(
        PointOutcome(
            complaint_id=complaint.id,
            event=event,
            stage=str(stage),
            outcome=str(outcome),
            remedies=[str(r) for r in remedies],
            remedy=remedy,
            decided_on=on,
        )
    )


def _staff_member(raw: object) -> StaffUser | None:
    try:
        user_id = int(str(raw).strip())
    except (TypeError, ValueError):
        return None
    if not 1 <= user_id <= MAX_ID:  # no account has it, and the database cannot compare it
        return None
    user = db.session.get(StaffUser, user_id)
    if user is None or user.disabled or user.role == StaffRole.ADMIN:
        return None
    return user


def assignable_staff() -> list[StaffUser]:
    """Staff who can be given a case (not admins, not disabled)."""
    return list(
        db.session.scalars(
            select(StaffUser)
            .where(StaffUser.disabled.is_(False), StaffUser.role != StaffRole.ADMIN)
            .order_by(StaffUser.name)
        )
    )
