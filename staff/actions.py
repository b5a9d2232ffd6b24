"""The moves a member of staff can make now, drawn from the table in portal/stages.py: the one
recommended next step first, then every other move they may make."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from portal.clock import today_local
from portal.services import casework
from portal.stages import MOVES, PAIRINGS, TRANSITIONS, CaseState, Together, recommended

if TYPE_CHECKING:
    from datetime import date

    from portal.services.casework import Case

ACTION_LABELS = {action: move.label for action, move in MOVES.items()}


def usable(complaint: Case, name: str, actor: casework.Actor, state: CaseState) -> bool:
    """Whether this person may make this move (single or paired) now."""
    if name in PAIRINGS:
        return casework.can_together(complaint, Together(name), actor, state)
    return casework.can(complaint, TRANSITIONS[name].action, actor, state)


def action_choices(complaint: Case, actor: casework.Actor, state: CaseState) -> list[dict]:
    """The moves this person can make now, in the table's order; only usable ones are shown.
    A pairing comes first, before the moves it is made of."""
    return [
        {"action": str(action), "label": move.label, "direct": move.direct}
        for action, move in [*PAIRINGS.items(), *TRANSITIONS.items()]
        if usable(complaint, action, actor, state)
    ]


@dataclass(frozen=True)
class NextStep:
    """The recommended move on the case page: what, why, by when, and whether this person can
    make it here (an investigator may see a step that a caseworker makes)."""

    action: str
    label: str
    reason: str
    due: date | None
    direct: bool
    usable: bool
    why_not: str | None = None


def next_step(complaint: Case, actor: casework.Actor, state: CaseState) -> NextStep | None:
    found = recommended(state, today_local())
    if found is None:
        return None
    if found.action in PAIRINGS:
        why_not = casework.why_not_together(complaint, Together(found.action), actor, state)
    else:
        why_not = casework.why_not(complaint, TRANSITIONS[found.action].action, actor, state)
    return NextStep(
        str(found.action),
        found.label,
        found.reason,
        found.due,
        MOVES[found.action].direct,
        why_not is None,
        why_not,
    )
