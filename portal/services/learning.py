"""Learning from upheld complaints: actions tracked until a manager signs them off.

For every upheld or partly upheld point, and for the remedy the Ombudsman asked for when it
found fault, staff record what will change, who owns it (a named person and team) and by when;
later the evidence and the day it was done. A manager signs an action off once both are there.
A point that needs no action says why (kept on its outcome). A case cannot close while an
upheld point has neither (casework._check asks `points_without_learning`); an Ombudsman remedy
has no "not needed". Open actions of every case are listed with their own red/amber/green
clock (`open_actions`, on the tracker). Every change is audited and committed here.

A point given the theme "wrong or shared information" alerts information governance once
(`alert_information_governance`, in the caller's transaction): a staff link, no case content.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import current_app
from sqlalchemy import func, select

from portal.clock import now_utc, today_local
from portal.extensions import db
from portal.links import staff_url
from portal.models import Complaint, ComplaintPoint, LearningAction, OutboxMessage, PointOutcome
from portal.notifications import DATA_BREACH_ALERT, For, notice
from portal.services.staff import audit
from portal.text import plain_text
from portal.types import EventType, Outcome, StaffRole

UPHELD = frozenset({Outcome.UPHELD, Outcome.PARTLY_UPHELD})
MAX_WHAT = 2000
MAX_NAME = 120
CASEWORK_ROLES = frozenset({StaffRole.OFFICER, StaffRole.MANAGER, StaffRole.INVESTIGATOR})
OMBUDSMAN = "ombudsman"  # the form's "point" for an Ombudsman remedy; a LearningAction.source
OMBUDSMAN_FAULT = "upheld"  # stages.OMBUDSMAN_DECISIONS: the decision that finds fault


class LearningInvalid(ValueError):
    """What was sent is incomplete; `errors` maps each field to what to do."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


class LearningRefused(Exception):
    """This person cannot make this change (a plain sentence)."""


@dataclass(frozen=True)
class Upheld:
    """An upheld or partly upheld point, and what has been recorded about its learning."""

    point: ComplaintPoint
    outcome: PointOutcome
    actions: tuple[LearningAction, ...]

    @property
    def settled(self) -> bool:
        return bool(self.actions) or bool(self.outcome.no_learning_reason)


@dataclass(frozen=True)
class Remedy:
    """The Ombudsman found fault: what it asked the council to do, and the actions for it."""

    asked: str
    decided_on: date
    actions: tuple[LearningAction, ...]

    @property
    def settled(self) -> bool:
        return bool(self.actions)


@dataclass(frozen=True)
class Tracked:
    """A learning action as the case page shows it."""

    action: LearningAction
    position: int | None
    due: Any  # tracker.Countdown

    @property
    def state(self) -> str:
        if self.action.signed_off_utc is not None:
            return "signed off"
        if self.action.completed_on is not None:
            return "done, waiting for a manager to sign it off"
        return "open"


def _latest(point: ComplaintPoint) -> PointOutcome | None:
    return point.outcomes[-1] if point.outcomes else None


def _actions(complaint: Complaint) -> list[LearningAction]:
    return list(
        db.session.scalars(
            select(LearningAction)
            .where(LearningAction.complaint_id == complaint.id)
            .order_by(LearningAction.due_on, LearningAction.id)
        )
    )


def upheld_points(complaint: Complaint) -> list[Upheld]:
    """Points whose latest finding is upheld or partly upheld, with their learning."""
    actions = _actions(complaint)
    found = []
    for point in complaint.points:
        outcome = _latest(point)
        if outcome is not None and outcome.outcome in UPHELD:
            mine = tuple(a for a in actions if a.point_id == point.id)
            found.append(Upheld(point, outcome, mine))
    return found


def ombudsman_remedy(complaint: Complaint, actions=None) -> Remedy | None:
    """The Ombudsman's last decision, when it found fault (its remedy is a source of learning)."""
    decided = [e for e in complaint.events if e.type == EventType.OMBUDSMAN_DECIDED]
    if not decided or (decided[-1].data or {}).get("decision") != OMBUDSMAN_FAULT:
        return None
    last = decided[-1]
    mine = tuple(a for a in (actions or _actions(complaint)) if a.source == OMBUDSMAN)
    on = last.happened_on or last.at_utc.date()
    return Remedy(str((last.data or {}).get("remedy") or ""), on, mine)


def points_without_learning(complaint: Complaint) -> list[int]:
    """The positions of upheld points with neither a learning action nor a reason."""
    return [u.point.position for u in upheld_points(complaint) if not u.settled]


def close_refused(positions: list[int]) -> str:
    """Why the case cannot close yet, and what to do about it."""
    named = ", ".join(str(p) for p in positions)
    which = f"point {named} was" if len(positions) == 1 else f"points {named} were"
    return (
        f"This case cannot be closed yet: {which} upheld. Record a learning action, or why "
        "none is needed, in the learning section of the case page."
    )


def tracked(complaint: Complaint) -> list[Tracked]:
    """Every learning action on the case, open ones with their red/amber/green due state."""
    # Here, not at the top: the tracker reaches casework, which asks this module about closing.
    from portal.services.tracker import Countdown, countdown

    positions = {p.id: p.position for p in complaint.points}
    return [
        Tracked(
            a,
            positions.get(a.point_id) if a.point_id else None,
            countdown(a.due_on) if a.completed_on is None else Countdown(None, None),
        )
        for a in _actions(complaint)
    ]


# --- Reading what was sent -----------------------------------------------------------------


def _text(inputs: Mapping[str, Any], name: str, limit: int, errors: dict, missing: str) -> str:
    raw = inputs.get(name)
    typed = raw if isinstance(raw, str) else ""
    if len(typed.replace("\r\n", "\n")) > limit:
        errors[name] = f"That is too long. Write at most {limit:,} characters."
    value = plain_text(typed).strip()[:limit]
    if not value and name not in errors and missing:
        errors[name] = missing
    return value


def _date(inputs: Mapping[str, Any], name: str, errors: dict, missing: str) -> date | None:
    raw = inputs.get(name)
    raw = raw.strip() if isinstance(raw, str) else ""
    if not raw:
        if missing:
            errors[name] = missing
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors[name] = "Enter the date as a real date, for example 2026-11-23."
        return None


def _upheld_point(complaint: Complaint, raw: Any, errors: dict) -> Upheld | None:
    chosen = next(
        (u for u in upheld_points(complaint) if str(u.point.id) == str(raw or "").strip()), None
    )
    if chosen is None:
        errors["point"] = "Choose the upheld point this is about."
    return chosen


def _check_role(role: str, allowed: frozenset[str]) -> None:
    if role not in allowed:
        raise LearningRefused("Only a complaints officer or manager can change learning actions.")


def _target(complaint: Complaint) -> str:
    return f"complaint:{complaint.reference}"


def _snapshot(action: LearningAction) -> dict[str, Any]:
    """What the audit keeps: the facts, never the words typed."""
    return {
        "point_id": action.point_id,
        "source": action.source,
        "due_on": action.due_on.isoformat() if action.due_on else None,
        "completed_on": action.completed_on.isoformat() if action.completed_on else None,
        "evidence": bool(action.evidence),
        "signed_off": action.signed_off_utc is not None,
    }


# --- Changes -------------------------------------------------------------------------------


def add(complaint: Complaint, actor: str, role: str, inputs: Mapping[str, Any]) -> LearningAction:
    """Record a learning action for an upheld point, or raise LearningInvalid."""
    _check_role(role, CASEWORK_ROLES)
    errors: dict[str, str] = {}
    for_remedy = str(inputs.get("point") or "").strip() == OMBUDSMAN
    if for_remedy and ombudsman_remedy(complaint) is None:
        errors["point"] = "The Ombudsman did not find fault on this case: choose an upheld point."
        chosen = None
    elif not for_remedy:
        chosen = _upheld_point(complaint, inputs.get("point"), errors)
    what = _text(inputs, "what", MAX_WHAT, errors, "Write what will change.")
    owner_name = _text(
        inputs, "owner_name", MAX_NAME, errors, "Write the name of the person who owns it."
    )
    owner_team = _text(inputs, "owner_team", MAX_NAME, errors, "Write the team that owns it.")
    due_on = _date(inputs, "due_on", errors, "Enter the date it is due, for example 2027-01-31.")
    if due_on is not None and "due_on" not in errors and due_on < today_local():
        errors["due_on"] = "The due date cannot be in the past."
    if errors:
        raise LearningInvalid(errors)
    action = LearningAction(
        complaint_id=complaint.id,
        point_id=None if for_remedy else chosen.point.id,
        source=OMBUDSMAN if for_remedy else "point",
        what=what,
        owner_name=owner_name,
        owner_team=owner_team,
        due_on=due_on,
        created_by=actor,
        created_utc=now_utc(),
    )
    db.session.add(action)
    db.session.flush()
    audit(actor, "learning_action_added", _target(complaint), id=action.id, after=_snapshot(action))
    db.session.commit()
    return action


def _find(complaint: Complaint, action_id: Any) -> LearningAction:
    try:
        found = db.session.get(LearningAction, int(str(action_id)))
    except (TypeError, ValueError, OverflowError):
        found = None
    if found is None or found.complaint_id != complaint.id:
        raise LearningRefused("That learning action is not on this case.")
    return found


def complete(
    complaint: Complaint, action_id: Any, actor: str, role: str, inputs: Mapping[str, Any]
) -> LearningAction:
    """Record the evidence that an action was done and the day it was completed."""
    _check_role(role, CASEWORK_ROLES)
    action = _find(complaint, action_id)
    if action.signed_off_utc is not None:
        raise LearningRefused("This action has been signed off, so it cannot be changed.")
    errors: dict[str, str] = {}
    evidence = _text(inputs, "evidence", MAX_WHAT, errors, "Write the evidence that it was done.")
    completed_on = _date(
        inputs, "completed_on", errors, "Enter the date it was done, for example 2026-11-23."
    )
    if completed_on is not None and "completed_on" not in errors and completed_on > today_local():
        errors["completed_on"] = "The date it was done cannot be in the future."
    if errors:
        raise LearningInvalid(errors)
    before = _snapshot(action)
    action.evidence = evidence
    action.completed_on = completed_on
    audit(
        actor,
        "learning_action_completed",
        _target(complaint),
        id=action.id,
        before=before,
        after=_snapshot(action),
    )
    db.session.commit()
    return action


def sign_off(complaint: Complaint, action_id: Any, actor: str, role: str) -> LearningAction:
    """A manager signs an action off: it needs evidence and a completion date first."""
    if role != StaffRole.MANAGER:
        raise LearningRefused("Only a manager can sign off a learning action.")
    action = _find(complaint, action_id)
    if action.signed_off_utc is not None:
        raise LearningRefused("This action has already been signed off.")
    if not action.evidence or action.completed_on is None:
        raise LearningRefused(
            "Record the evidence and the date it was done before signing this action off."
        )
    before = _snapshot(action)
    action.signed_off_by = actor
    action.signed_off_utc = now_utc()
    audit(
        actor,
        "learning_action_signed_off",
        _target(complaint),
        id=action.id,
        before=before,
        after=_snapshot(action),
    )
    db.session.commit()
    return action


def no_learning_needed(
    complaint: Complaint, actor: str, role: str, inputs: Mapping[str, Any]
) -> None:
    """Record why an upheld point needs no learning action (kept on its latest outcome)."""
    _check_role(role, CASEWORK_ROLES)
    errors: dict[str, str] = {}
    chosen = _upheld_point(complaint, inputs.get("point"), errors)
    reason = _text(inputs, "reason", MAX_WHAT, errors, "Write why no learning action is needed.")
    if errors:
        raise LearningInvalid(errors)
    had = bool(chosen.outcome.no_learning_reason)
    chosen.outcome.no_learning_reason = reason
    audit(
        actor,
        "learning_not_needed",
        _target(complaint),
        point=chosen.point.position,
        before={"reason": had},
        after={"reason": True},
    )
    db.session.commit()


def alert_information_governance(complaint: Complaint, point: ComplaintPoint) -> None:
    """Queue the data-breach alert for this point, once, in the caller's transaction."""
    key = f"data-breach-{complaint.id}-{point.id}"
    if any(m.idempotency_key == key for m in complaint.outbox):
        return
    message = notice(DATA_BREACH_ALERT, For.STAFF).render(
        link=staff_url(f"/staff/cases/{complaint.reference}")
    )
    complaint.outbox.append(
        OutboxMessage(
            kind=DATA_BREACH_ALERT,
            audience="staff",
            to_address=(
                current_app.config["INFORMATION_GOVERNANCE_EMAIL"]
                or current_app.config["COUNCIL_COMPLAINTS_EMAIL"]
            ),
            subject=message.subject,
            body=message.body,
            created_utc=now_utc(),
            idempotency_key=key,
        )
    )


@dataclass(frozen=True)
class Summary:
    """The case page's learning section."""

    upheld: list[Upheld]
    actions: list[Tracked]
    blocks_closing: str | None  # why the case cannot close yet, or None
    remedy: Remedy | None  # the Ombudsman found fault and asked for a remedy

    @property
    def shown(self) -> bool:
        return bool(self.upheld or self.actions or self.remedy)


def summary(complaint: Complaint) -> Summary:
    upheld = upheld_points(complaint)
    waiting = [u.point.position for u in upheld if not u.settled]
    return Summary(
        upheld,
        tracked(complaint),
        close_refused(waiting) if waiting else None,
        ombudsman_remedy(complaint),
    )


# --- Every case's open actions (the tracker) -------------------------------------------------


@dataclass(frozen=True)
class OpenAction:
    """A learning action not yet signed off, with the case it belongs to and its clock."""

    action: LearningAction
    reference: str
    due: Any  # tracker.Countdown; no clock once it is done and waits for sign-off

    @property
    def waiting_sign_off(self) -> bool:
        return self.action.completed_on is not None


@dataclass(frozen=True)
class OpenActions:
    items: list[OpenAction]
    open: int  # not signed off
    overdue: int  # not done and past the due date
    waiting_sign_off: int  # done, a manager has still to sign it off


def _visible(query, viewer_id: int, role: str):
    """Investigators see the actions of their own cases only, as on the tracker."""
    if role == StaffRole.INVESTIGATOR:
        query = query.where(Complaint.assigned_to_id == viewer_id)
    return query


def open_actions(
    viewer_id: int, role: str, *, overdue_only: bool = False, limit: int | None = None
) -> OpenActions:
    """Every learning action not yet signed off, soonest due first (overdue ones first of
    all), with the counts the tracker shows. SQL does the counting and the ordering."""
    from portal.services.tracker import Countdown, countdown

    today = today_local()
    not_done = LearningAction.completed_on.is_(None)
    late = not_done & (LearningAction.due_on < today)
    base = (
        select(LearningAction, Complaint.reference)
        .join(Complaint, Complaint.id == LearningAction.complaint_id)
        .where(LearningAction.signed_off_utc.is_(None))
    )
    base = _visible(base, viewer_id, role)
    counted = _visible(
        select(
            func.count(LearningAction.id),
            func.count(LearningAction.id).filter(late),
            func.count(LearningAction.id).filter(LearningAction.completed_on.is_not(None)),
        )
        .join(Complaint, Complaint.id == LearningAction.complaint_id)
        .where(LearningAction.signed_off_utc.is_(None)),
        viewer_id,
        role,
    )
    total, overdue, waiting = db.session.execute(counted).one()
    if overdue_only:
        base = base.where(late)
    query = base.order_by(
        LearningAction.completed_on.is_not(None), LearningAction.due_on, LearningAction.id
    )
    if limit is not None:
        query = query.limit(limit)
    items = [
        OpenAction(
            action,
            reference,
            countdown(action.due_on) if action.completed_on is None else Countdown(None, None),
        )
        for action, reference in db.session.execute(query)
    ]
    return OpenActions(items, int(total), int(overdue), int(waiting))
