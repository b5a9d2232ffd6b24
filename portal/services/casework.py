"""Casework: every change to a case goes through `advance`, which checks the table of moves.

`advance` refuses a move the table does not allow, checks what the move was told, writes one
past-tense event, keeps the tracker's columns (stage, next deadline, procedure) in step, and
audits the change with the before and after. Two people editing one case are caught by the
version number: the second is told, and nothing is overwritten.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from portal import stages
from portal.clock import local_date, now_utc, today_local
from portal.errors import MAX_ID
from portal.extensions import db
from portal.models import Complaint, ComplaintPoint, Event, StaffUser
from portal.services.staff import audit
from portal.stages import Action, CaseState, Fact, Refused, Step
from portal.text import plain_text
from portal.types import Outcome, StaffRole

MAX_TEXT = 5000  # the boxes' maxlength; longer only comes from a hand-made request
MAX_NAME = 120
MAX_OMBUDSMAN_REFERENCE = 40
UNABLE_CATEGORIES = {
    "court": "Court proceedings or a police investigation",
    "out_of_time": "Made too late to look at fairly",
    "no_consent": "The young person does not agree",
    "outside_procedure": "Not something this procedure covers",
    "no_sufficient_interest": "No sufficient interest in the child's welfare",
}
OMBUDSMAN_DECISIONS = {
    "closed_after_initial_enquiries": "Closed after initial enquiries",
    "not_upheld": "Not upheld: no fault",
    "upheld": "Upheld: fault found",
}
OUTCOME_LABELS = {
    Outcome.UPHELD: "Upheld",
    Outcome.PARTLY_UPHELD: "Partly upheld",
    Outcome.NOT_UPHELD: "Not upheld",
}


class Conflict(Exception):
    """Someone else changed the case since this person loaded it."""


class Invalid(ValueError):
    """What the move was told is incomplete; `errors` maps each field to what to do."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


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
    return stages.Timescales(config["ACKNOWLEDGE_WORKING_DAYS"], config["STAGE1_WORKING_DAYS"])


def _fact(event: Event) -> Fact:
    on = event.data.get("on") if isinstance(event.data, dict) else None
    return Fact(
        event.type,
        date.fromisoformat(on) if on else local_date(event.at_utc),
        event.data or {},
        event.note,
    )


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


def advance(
    complaint: Complaint,
    action: Action,
    actor: Actor,
    expected_version: int | None,
    inputs: Mapping[str, Any] | None = None,
) -> CaseState:
    """Make one move on a case, or raise Refused, Invalid or Conflict (and change nothing)."""
    if expected_version is not None and expected_version != complaint.version:
        raise Conflict
    state = state_of(complaint)
    _check(complaint, action, actor, state)
    checked = _VALIDATORS.get(action, _nothing)(complaint, state, inputs or {})
    before = _snapshot(complaint, state)
    on = checked.on or today_local()
    data = {**checked.data, "on": on.isoformat()}
    complaint.events.append(
        Event(
            type=stages.TRANSITIONS[action].event,
            at_utc=now_utc(),
            actor=actor.name,
            data=data,
            note=checked.note,
        )
    )
    _SIDE_EFFECTS.get(action, lambda c, v: None)(complaint, checked)
    after_state = state_of(complaint)
    if action == Action.EXTEND and after_state.due is not None:
        # Kept on the event so the complainant's timeline can say the new date.
        complaint.events[-1].data = {**data, "new_due": after_state.due.isoformat()}
    complaint.stage = after_state.stage
    complaint.next_deadline_on = after_state.due
    complaint.procedure = after_state.procedure
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
    try:
        db.session.commit()
    except StaleDataError as error:
        db.session.rollback()
        raise Conflict from error
    return after_state


def _snapshot(complaint: Complaint, state: CaseState) -> dict[str, Any]:
    return {
        "step": str(state.step),
        "due": state.due.isoformat() if state.due else None,
        "paused": state.paused,
        "assigned_to": complaint.assigned_to_id,
        "points": len(complaint.points),
    }


@dataclass
class Checked:
    data: dict[str, Any] = field(default_factory=dict)
    note: str | None = None
    on: date | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _text(errors: dict, inputs: Mapping[str, Any], name: str, limit: int = MAX_TEXT) -> str:
    """The field as plain text; too long is a plain message, never a database error.

    Measured as typed (a browser sends each new line as two characters but counts one), so a
    box that allowed it is never refused for what cleaning does afterwards.
    """
    value = inputs.get(name)
    typed = value if isinstance(value, str) else ""
    if len(typed.replace("\r\n", "\n")) > limit:
        errors[name] = f"That is too long. Write at most {limit:,} characters."
    return plain_text(typed)[:limit]


def _require(
    errors: dict, inputs: Mapping[str, Any], name: str, message: str, limit: int = MAX_TEXT
) -> str:
    value = _text(errors, inputs, name, limit)
    if name in errors:
        return value
    if not value:
        errors[name] = message
    return value


def _date(errors: dict, inputs: Mapping[str, Any], name: str, message: str) -> date | None:
    raw = inputs.get(name)
    if not raw:
        return None
    try:
        return date.fromisoformat(str(raw).strip())
    except ValueError:
        errors[name] = message
        return None


def _on(errors: dict, complaint: Complaint, inputs: Mapping[str, Any]) -> date | None:
    """The day this happened: today unless staff say it was earlier (never in the future)."""
    on = _date(errors, inputs, "on", "Enter the date as a real date, for example 2026-11-23.")
    if on is None:
        return None
    if on > today_local():
        errors["on"] = "The date cannot be in the future."
    elif on < complaint.received_on:
        errors["on"] = "The date cannot be before the complaint was received."
    return on


def _finish(errors: dict, checked: Checked) -> Checked:
    if errors:
        raise Invalid(errors)
    return checked


def _nothing(complaint: Complaint, state: CaseState, inputs: Mapping[str, Any]) -> Checked:
    errors: dict[str, str] = {}
    return _finish(errors, Checked(on=_on(errors, complaint, inputs)))


def _with_reason(message: str):
    def check(complaint: Complaint, state: CaseState, inputs: Mapping[str, Any]) -> Checked:
        errors: dict[str, str] = {}
        reason = _require(errors, inputs, "reason", message)
        return _finish(errors, Checked(note=reason, on=_on(errors, complaint, inputs)))

    return check


def _optional_reason(complaint: Complaint, state: CaseState, inputs: Mapping[str, Any]) -> Checked:
    errors: dict[str, str] = {}
    return _finish(
        errors,
        Checked(note=_text(errors, inputs, "reason") or None, on=_on(errors, complaint, inputs)),
    )


def _cannot_consider(complaint: Complaint, state: CaseState, inputs: Mapping[str, Any]):
    errors: dict[str, str] = {}
    category = inputs.get("category")
    if category not in UNABLE_CATEGORIES:
        errors["category"] = "Choose why the council cannot consider this complaint."
    reason = _require(
        errors, inputs, "reason", "Write the reason the complainant will read, in plain words."
    )
    return _finish(
        errors,
        Checked({"category": category}, reason, _on(errors, complaint, inputs)),
    )


def _assign(complaint: Complaint, state: CaseState, inputs: Mapping[str, Any]) -> Checked:
    errors: dict[str, str] = {}
    user = _staff_member(inputs.get("assignee"))
    if user is None:
        errors["assignee"] = "Choose who will handle this case."
    data = {"assignee": user.id, "assignee_name": user.name} if user else {}
    return _finish(errors, Checked(data, on=None, extra={"user": user}))


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


def _extend(complaint: Complaint, state: CaseState, inputs: Mapping[str, Any]) -> Checked:
    errors: dict[str, str] = {}
    reason = _require(errors, inputs, "reason", "Write why more time is needed.")
    if inputs.get("told") != "yes":
        errors["told"] = "Tell the complainant about the new date, then tick the box."
    data: dict[str, Any] = {}
    if state.step != Step.S1_OPEN:
        limit = stages.extension_limit(state)
        try:
            days = int(str(inputs.get("days", "")).strip())
        except ValueError:
            days = 0
        if not 1 <= days <= limit:
            errors["days"] = f"Enter a number of working days from 1 to {limit}."
        data["days"] = days
    return _finish(errors, Checked(data, reason, _on(errors, complaint, inputs)))


def _response(complaint: Complaint, state: CaseState, inputs: Mapping[str, Any]) -> Checked:
    errors: dict[str, str] = {}
    outcomes = {}
    for point in complaint.points:
        value = inputs.get(f"outcome-{point.id}")
        if value not in set(Outcome):
            errors[f"outcome-{point.id}"] = f"Choose an outcome for point {point.position}."
        outcomes[str(point.position)] = value
    finding = _require(errors, inputs, "finding", "Write what was found, in plain words.")
    remedy = _text(errors, inputs, "remedy")
    if not remedy and any(v in (Outcome.UPHELD, Outcome.PARTLY_UPHELD) for v in outcomes.values()):
        errors["remedy"] = "Write the remedy for the points that were upheld."
    data = {
        "stage": str(state.stage),
        "outcomes": outcomes,
        "finding": finding,
        "remedy": remedy,
    }
    return _finish(errors, Checked(data, on=_on(errors, complaint, inputs)))


def _request(complaint: Complaint, state: CaseState, inputs: Mapping[str, Any]) -> Checked:
    """The person asked for the next stage; what is still wrong is in their words (optional)."""
    errors: dict[str, str] = {}
    on = _on(errors, complaint, inputs)
    window_end = state.ask_again_by
    late = window_end is not None and (on or today_local()) > window_end
    return _finish(errors, Checked({"late": late}, _text(errors, inputs, "words") or None, on))


def _appoint(complaint: Complaint, state: CaseState, inputs: Mapping[str, Any]) -> Checked:
    errors: dict[str, str] = {}
    officer = _require(
        errors,
        inputs,
        "investigating_officer",
        "Enter the investigating officer's name.",
        MAX_NAME,
    )
    independent = _require(
        errors, inputs, "independent_person", "Enter the independent person's name.", MAX_NAME
    )
    data = {"investigating_officer": officer, "independent_person": independent}
    return _finish(errors, Checked(data, on=_on(errors, complaint, inputs)))


def _convene(complaint: Complaint, state: CaseState, inputs: Mapping[str, Any]) -> Checked:
    errors: dict[str, str] = {}
    panel_on = _date(errors, inputs, "panel_on", "Enter the panel date as a real date.")
    if panel_on is None and "panel_on" not in errors:
        errors["panel_on"] = "Enter the date the panel will meet."
    elif panel_on is not None and panel_on < today_local():
        errors["panel_on"] = "The panel date cannot be in the past."
    data = {"panel_on": panel_on.isoformat() if panel_on else None}
    return _finish(errors, Checked(data, on=_on(errors, complaint, inputs)))


def _panel_report(complaint: Complaint, state: CaseState, inputs: Mapping[str, Any]) -> Checked:
    errors: dict[str, str] = {}
    finding = _require(errors, inputs, "finding", "Write what the panel recommended.")
    return _finish(errors, Checked({"finding": finding}, on=_on(errors, complaint, inputs)))


def _ombudsman_enquiry(complaint: Complaint, state: CaseState, inputs: Mapping[str, Any]):
    errors: dict[str, str] = {}
    reference = _text(errors, inputs, "ombudsman_reference", MAX_OMBUDSMAN_REFERENCE)
    return _finish(
        errors, Checked({"ombudsman_reference": reference}, on=_on(errors, complaint, inputs))
    )


def _ombudsman_outcome(complaint: Complaint, state: CaseState, inputs: Mapping[str, Any]):
    errors: dict[str, str] = {}
    decision = inputs.get("decision")
    if decision not in OMBUDSMAN_DECISIONS:
        errors["decision"] = "Choose what the Ombudsman decided."
    remedy = _text(errors, inputs, "remedy")
    data = {"decision": decision, "remedy": remedy}
    return _finish(errors, Checked(data, on=_on(errors, complaint, inputs)))


def _message(complaint: Complaint, state: CaseState, inputs: Mapping[str, Any]) -> Checked:
    errors: dict[str, str] = {}
    message = _require(errors, inputs, "message", "Write the message.")
    return _finish(errors, Checked(note=message))


def _points(complaint: Complaint, state: CaseState, inputs: Mapping[str, Any]) -> Checked:
    """Edit, split or remove points; at least one must stay."""
    errors: dict[str, str] = {}
    keep = []
    for point in complaint.points:
        if inputs.get(f"point-{point.id}-remove") == "yes":
            continue
        # The topic already says what a point is about; a description is optional.
        keep.append((point, _text(errors, inputs, f"point-{point.id}-description") or None))
    added = _text(errors, inputs, "new-description")
    if not keep and not added and "new-description" not in errors:
        errors["new-description"] = "A complaint needs at least one point."
    data = {"kept": len(keep), "added": 1 if added else 0}
    return _finish(errors, Checked(data, extra={"keep": keep, "added": added}))


def _apply_points(complaint: Complaint, checked: Checked) -> None:
    keep = checked.extra["keep"]
    kept_ids = {p.id for p, _ in keep}
    for point in list(complaint.points):
        if point.id not in kept_ids:
            complaint.points.remove(point)
    for point, text in keep:
        point.description = text
    if checked.extra["added"]:
        topic = complaint.points[-1].topic if complaint.points else "other"
        complaint.points.append(
            ComplaintPoint(
                position=0,
                topic=topic,
                description=checked.extra["added"],
                procedure=complaint.procedure,
                procedure_reason="staff_split",
            )
        )
    for position, point in enumerate(complaint.points, start=1):
        point.position = position


def _apply_assign(complaint: Complaint, checked: Checked) -> None:
    complaint.assigned_to = checked.extra["user"]


_VALIDATORS = {
    Action.MOVE_TO_CORPORATE: _with_reason("Write why this goes to the corporate procedure."),
    Action.CANNOT_CONSIDER: _cannot_consider,
    Action.ACCEPT_SUFFICIENT_INTEREST: _optional_reason,
    Action.RESOLVE_LOCALLY: _with_reason("Write how it was put right."),
    Action.EDIT_POINTS: _points,
    Action.ASSIGN: _assign,
    Action.EXTEND: _extend,
    Action.RECORD_RESPONSE: _response,
    Action.REQUEST_STAGE_2: _request,
    Action.REQUEST_STAGE_3: _request,
    Action.APPOINT_INVESTIGATORS: _appoint,
    Action.CONVENE_PANEL: _convene,
    Action.RECORD_PANEL_REPORT: _panel_report,
    Action.DECLINE_LATE_REQUEST: _with_reason("Write why the late request is declined."),
    Action.OMBUDSMAN_ENQUIRY: _ombudsman_enquiry,
    Action.OMBUDSMAN_OUTCOME: _ombudsman_outcome,
    Action.PAUSE: _with_reason("Write why the clock is paused."),
    Action.SEND_MESSAGE: _message,
    Action.WITHDRAW: _optional_reason,
}
_SIDE_EFFECTS = {Action.EDIT_POINTS: _apply_points, Action.ASSIGN: _apply_assign}


def assignable_staff() -> list[StaffUser]:
    """Staff who can be given a case (not admins, not disabled)."""
    return list(
        db.session.scalars(
            select(StaffUser)
            .where(StaffUser.disabled.is_(False), StaffUser.role != StaffRole.ADMIN)
            .order_by(StaffUser.name)
        )
    )
