"""The moves a member of staff can make now, drawn from the table in portal/stages.py."""

from __future__ import annotations

from typing import TYPE_CHECKING

from portal.services import casework
from portal.stages import TRANSITIONS, CaseState

if TYPE_CHECKING:
    from portal.models import Complaint

ACTION_LABELS = {action: t.label for action, t in TRANSITIONS.items()}


def action_choices(complaint: Complaint, actor: casework.Actor, state: CaseState) -> list[dict]:
    """The moves this person can make now, in the table's order; only usable ones are shown."""
    return [
        {"action": action, "label": t.label, "direct": t.direct}
        for action, t in TRANSITIONS.items()
        if casework.can(complaint, action, actor, state)
    ]
