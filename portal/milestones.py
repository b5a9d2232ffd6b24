"""What the annual report counts about a case's journey, folded from its events (pure).

Casework keeps these as typed columns on the complaint (`casework._keep_columns`), and
migration 0013 fills them for cases that moved before they existed, both from this one fold,
so the report counts them with SQL and never replays events. Each column is the first time a
thing happened (a case reaches each stage once), except the Ombudsman's decision (the latest).
Timeliness is judged with the case's own clocks (portal/stages.py): pauses added, as on the
tracker.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from portal import stages
from portal.stages import CaseState, Fact, Step, Timescales
from portal.timescales import add_working_days, deadline_from_receipt
from portal.types import EventType, Stage

STAGE_1_DAYS = 10  # the statutory Stage 1 reply, before any extension (the report's measure)
WITHIN_10 = "within_10"
WITHIN_20 = "within_20"
WITHIN_25 = "within_25"
WITHIN_65 = "within_65"
WITHIN_30 = "within_30"
LATER = "later"

# Every column the fold fills, and nothing else (casework sets exactly these).
COLUMNS = (
    "ended_as",
    "stage_1_extended_on",
    "stage_1_answered_on",
    "stage_1_timeliness",
    "stage_2_requested_on",
    "stage_2_extended_on",
    "stage_2_answered_on",
    "stage_2_timeliness",
    "stage_3_requested_on",
    "panel_on",
    "panel_timeliness",
    "ombudsman_enquiry_on",
    "ombudsman_decided_on",
    "ombudsman_decision",
    "ombudsman_remedy",
)


def stage_1_timeliness(received: date, answered: date) -> str:
    """A first Stage 1 reply on `answered` to a complaint received on `received`: within 10
    working days of receipt, within 20 (the most an extension allows), or later."""
    if answered <= deadline_from_receipt(received, STAGE_1_DAYS):
        return WITHIN_10
    return (
        WITHIN_20 if answered <= deadline_from_receipt(received, stages.STAGE_1_EXTENDED) else LATER
    )


def stage_2_timeliness(state: CaseState, answered: date) -> str:
    """A Stage 2 adjudication on `answered`, for a case investigating in `state`: within the
    25 working days (pauses added), within the 65 no pause or extension lifts, or later."""
    start = state.clock_start or answered
    within_25 = add_working_days(
        deadline_from_receipt(start, stages.STAGE_2_DAYS), state.paused_days
    )
    if answered <= within_25:
        return WITHIN_25
    return WITHIN_65 if answered <= deadline_from_receipt(start, stages.STAGE_2_MAX) else LATER


def _first(found: dict[str, Any], name: str, value: Any) -> None:
    if found.get(name) is None:
        found[name] = value


def _extended(before: CaseState, after: CaseState, fact: Fact, found: dict) -> None:
    if before.step in (Step.S1_OPEN, Step.C1_OPEN):
        _first(found, "stage_1_extended_on", fact.on)
    elif before.step == Step.S2_INVESTIGATING:
        _first(found, "stage_2_extended_on", fact.on)


def _requested(stage: Stage, name: str):
    def keep(before: CaseState, after: CaseState, fact: Fact, found: dict) -> None:
        if after.stage == stage and before.stage != stage:
            _first(found, name, fact.on)

    return keep


def _answered(before: CaseState, after: CaseState, fact: Fact, found: dict) -> None:
    if before.step in (Step.S1_OPEN, Step.C1_OPEN) and after.step in stages.RESPONDED:
        _first(found, "stage_1_answered_on", fact.on)
        _first(found, "stage_1_timeliness", stage_1_timeliness(after.received_on, fact.on))
    if before.step == Step.S2_INVESTIGATING and after.step == Step.S2_RESPONDED:
        _first(found, "stage_2_answered_on", fact.on)
        _first(found, "stage_2_timeliness", stage_2_timeliness(before, fact.on))


def _panel(before: CaseState, after: CaseState, fact: Fact, found: dict) -> None:
    if after.step == Step.S3_PANEL_SET and after.panel_on is not None:
        # The panel clock (30 working days from the request, pauses added) was running.
        due = before.due
        found["panel_on"] = after.panel_on
        found["panel_timeliness"] = WITHIN_30 if due is None or after.panel_on <= due else LATER


def _enquiry(before: CaseState, after: CaseState, fact: Fact, found: dict) -> None:
    if after.step == Step.OMBUDSMAN:
        _first(found, "ombudsman_enquiry_on", fact.on)


def _decided(before: CaseState, after: CaseState, fact: Fact, found: dict) -> None:
    if before.step == Step.OMBUDSMAN:
        found["ombudsman_decided_on"] = fact.on
        found["ombudsman_decision"] = fact.data.get("decision") or None
        found["ombudsman_remedy"] = bool((fact.data.get("remedy") or "").strip())


Keep = Callable[[CaseState, CaseState, Fact, dict], None]
_KEEP: dict[str, Keep] = {
    EventType.EXTENDED: _extended,
    EventType.STAGE_2_REQUESTED: _requested(Stage.STAGE_2, "stage_2_requested_on"),
    EventType.STAGE_3_REQUESTED: _requested(Stage.STAGE_3, "stage_3_requested_on"),
    EventType.RESPONSE_SENT: _answered,
    EventType.PANEL_CONVENED: _panel,
    EventType.OMBUDSMAN_ENQUIRY_RECEIVED: _enquiry,
    EventType.OMBUDSMAN_DECIDED: _decided,
}


def fold(
    received_on: date, procedure: str, facts: Iterable[Fact], timescales: Timescales
) -> dict[str, Any]:
    """Every report column of one case, from its events oldest first (as `stages.replay`)."""
    state = stages.start(received_on, procedure, timescales)
    found: dict[str, Any] = {}
    ending = None
    for fact in facts:
        before, state = state, stages.apply(state, fact, timescales)
        keep = _KEEP.get(fact.type)
        if keep is not None:
            keep(before, state, fact, found)
        if fact.type in stages.ENDINGS:
            ending = fact.type
    found["ended_as"] = str(ending) if state.step == Step.CLOSED and ending else None
    return {name: found.get(name) for name in COLUMNS}
