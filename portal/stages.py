"""Stage progression: one table of allowed moves, and where a case stands (pure, no Flask).

Every change to a case is an `Action`. `TRANSITIONS` says, for each action, which steps it may
start from, where it leads, who may take it and what it must be told. `replay` folds the
case's past-tense events into a `CaseState`: the step, the next deadline and what is due, the
response windows, pauses and extensions. Deadlines come from the working-day calendar
(SI 2006/1738 reg 2; the LGSCO Complaint Handling Code for the corporate procedure).

`PAIRINGS` declares moves made together when both are true (accept and acknowledge): each keeps
its own event, wording and clock effect. `recommended(state, today)` names the one move that
comes next for a case, with why and by when, for the case page's main button.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum
from typing import Any

from portal import fields
from portal.fields import Context, Field, Kind
from portal.timescales import (
    ReceiptRule,
    add_working_days,
    deadline_from_receipt,
    subtract_working_days,
    working_days_between,
)
from portal.types import EventType, Outcome, Procedure, StaffRole, Stage

COMPLAINANT = "complainant"  # the person who complained, acting from their status page


def overall_procedure(procedures: Iterable[str]) -> str:
    """A complaint follows the statutory procedure if any point does, else corporate."""
    procedures = set(procedures)
    for procedure in (Procedure.STATUTORY, Procedure.CORPORATE, Procedure.NOT_COUNCIL):
        if procedure in procedures:
            return procedure
    return Procedure.STATUTORY


class Step(StrEnum):
    """Where a case is, more finely than its stage."""

    TRIAGE = "triage"
    S1_TO_ACKNOWLEDGE = "s1_to_acknowledge"
    S1_OPEN = "s1_open"
    S1_RESPONDED = "s1_responded"
    S2_REQUESTED = "s2_requested"
    S2_APPOINTED = "s2_appointed"
    S2_INVESTIGATING = "s2_investigating"
    S2_RESPONDED = "s2_responded"
    S3_REQUESTED = "s3_requested"
    S3_ACKNOWLEDGED = "s3_acknowledged"
    S3_PANEL_SET = "s3_panel_set"
    S3_PAPERS_SENT = "s3_papers_sent"
    S3_REPORTED = "s3_reported"
    S3_RESPONDED = "s3_responded"
    C1_TO_ACKNOWLEDGE = "c1_to_acknowledge"
    C1_OPEN = "c1_open"
    C1_RESPONDED = "c1_responded"
    C2_TO_ACKNOWLEDGE = "c2_to_acknowledge"
    C2_OPEN = "c2_open"
    C2_RESPONDED = "c2_responded"
    OMBUDSMAN = "ombudsman"
    CLOSED = "closed"


STAGE_OF = {
    Step.TRIAGE: Stage.TRIAGE,
    Step.S1_TO_ACKNOWLEDGE: Stage.STAGE_1,
    Step.S1_OPEN: Stage.STAGE_1,
    Step.S1_RESPONDED: Stage.STAGE_1,
    Step.C1_TO_ACKNOWLEDGE: Stage.STAGE_1,
    Step.C1_OPEN: Stage.STAGE_1,
    Step.C1_RESPONDED: Stage.STAGE_1,
    Step.S2_REQUESTED: Stage.STAGE_2,
    Step.S2_APPOINTED: Stage.STAGE_2,
    Step.S2_INVESTIGATING: Stage.STAGE_2,
    Step.S2_RESPONDED: Stage.STAGE_2,
    Step.C2_TO_ACKNOWLEDGE: Stage.STAGE_2,
    Step.C2_OPEN: Stage.STAGE_2,
    Step.C2_RESPONDED: Stage.STAGE_2,
    Step.S3_REQUESTED: Stage.STAGE_3,
    Step.S3_ACKNOWLEDGED: Stage.STAGE_3,
    Step.S3_PANEL_SET: Stage.STAGE_3,
    Step.S3_PAPERS_SENT: Stage.STAGE_3,
    Step.S3_REPORTED: Stage.STAGE_3,
    Step.S3_RESPONDED: Stage.STAGE_3,
    Step.OMBUDSMAN: Stage.OMBUDSMAN,
    Step.CLOSED: Stage.CLOSED,
}

RESPONDED = frozenset(
    {
        Step.S1_RESPONDED,
        Step.S2_RESPONDED,
        Step.S3_RESPONDED,
        Step.C1_RESPONDED,
        Step.C2_RESPONDED,
    }
)
OPEN = frozenset(Step) - {Step.CLOSED}
LAST_REPLIES = frozenset({Step.S3_RESPONDED, Step.C2_RESPONDED})
# Ways a case can end early after which the Ombudsman is the next place to go.
EARLY_ENDS = frozenset({"unable_to_consider", "late_request_declined"})
EVERY = frozenset(Step)


class Action(StrEnum):
    ACCEPT_STATUTORY = "accept_statutory"
    MOVE_TO_CORPORATE = "move_to_corporate"
    CANNOT_CONSIDER = "cannot_consider"
    ACCEPT_SUFFICIENT_INTEREST = "accept_sufficient_interest"
    RESOLVE_LOCALLY = "resolve_locally"
    EDIT_POINTS = "edit_points"
    HOLD_POINTS = "hold_points"
    RELEASE_POINTS = "release_points"
    ACKNOWLEDGE = "acknowledge"
    ASSIGN = "assign"
    EXTEND = "extend"
    RECORD_RESPONSE = "record_response"
    REQUEST_STAGE_2 = "request_stage_2"
    APPOINT_INVESTIGATORS = "appoint_investigators"
    AGREE_STATEMENT = "agree_statement"
    REQUEST_STAGE_3 = "request_stage_3"
    CONVENE_PANEL = "convene_panel"
    CIRCULATE_PAPERS = "circulate_papers"
    RECORD_PANEL_REPORT = "record_panel_report"
    DECLINE_LATE_REQUEST = "decline_late_request"
    OMBUDSMAN_ENQUIRY = "ombudsman_enquiry"
    OMBUDSMAN_OUTCOME = "ombudsman_outcome"
    CLOSE = "close"
    WITHDRAW = "withdraw"
    PAUSE = "pause"
    RESUME = "resume"
    SEND_MESSAGE = "send_message"


CASEWORKERS = frozenset({StaffRole.OFFICER, StaffRole.MANAGER})
RESPONDERS = CASEWORKERS | {StaffRole.INVESTIGATOR}
MANAGERS = frozenset({StaffRole.MANAGER})


def said(msgid: str) -> str:
    """Mark public wording for translation (`make translations` extracts it); pages translate
    it when they show it."""
    return msgid


Effect = Callable[["CaseState", "Fact", "Timescales"], "CaseState"]
Check = Callable[[dict[str, Any], Context, "CaseState"], dict[str, str]]


@dataclass(frozen=True)
class Transition:
    """Everything about one kind of move, in one place.

    `moves` maps each step it may start from to where it leads (None: the case stays on that
    step). `fields` make the staff form and check what is sent (portal/fields.py); `check`
    adds the rules that join fields together. `effect` changes the clocks before the case
    moves; `ends` closes the case with that outcome, and `points_end_as` gives every open
    point that outcome. `public` is what the complainant's timeline says (None: staff only).
    `records` names facts worked out by the move that its event keeps ("late", "new_due").
    `message` is the kind of message the move sends (declared in portal/notifications.py):
    to the complainant by the route they chose, or to the member of staff it concerns.
    """

    action: Action
    event: EventType
    label: str
    moves: dict[Step, Step | None]
    roles: frozenset[str]
    fields: tuple[Field, ...] = ()
    public: str | None = None
    effect: Effect | None = None
    check: Check | None = None
    ends: str | None = None
    points_end_as: Outcome | None = None
    escalation: bool = False
    records: tuple[str, ...] = ()
    works_while_paused: bool = False
    message: str | None = None

    def fields_for(self, state: CaseState) -> tuple[Field, ...]:
        """The fields this move asks for on a case in `state`."""
        return tuple(f for f in self.fields if f.when is None or f.when(state))

    @property
    def direct(self) -> bool:
        """A move with nothing to ask but the date is one button on the case page."""
        return all(f is fields.ON for f in self.fields)


def _stay(steps: Iterable[Step]) -> dict[Step, Step | None]:
    return dict.fromkeys(steps)


def _to(steps: Iterable[Step], target: Step) -> dict[Step, Step | None]:
    return dict.fromkeys(steps, target)


EDITABLE_POINTS = {
    Step.TRIAGE,
    Step.S1_TO_ACKNOWLEDGE,
    Step.S1_OPEN,
    Step.C1_TO_ACKNOWLEDGE,
    Step.C1_OPEN,
    Step.S2_REQUESTED,
    Step.S2_APPOINTED,
}
# Steps with a council deadline running: the ones a pause can stop.
CLOCKED = frozenset(
    {
        Step.TRIAGE,
        Step.S1_TO_ACKNOWLEDGE,
        Step.S1_OPEN,
        Step.C1_TO_ACKNOWLEDGE,
        Step.C1_OPEN,
        Step.C2_TO_ACKNOWLEDGE,
        Step.C2_OPEN,
        Step.S2_REQUESTED,
        Step.S2_APPOINTED,
        Step.S2_INVESTIGATING,
        Step.S3_REQUESTED,
        Step.S3_ACKNOWLEDGED,
        Step.S3_PANEL_SET,
        Step.S3_PAPERS_SENT,
        Step.S3_REPORTED,
    }
)
# Steps in which points can be put on hold for a court case or police investigation (reg 8).
HOLDABLE = CLOCKED - {Step.S3_REPORTED}

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
# The reasons the regulations allow for stopping the clock.
PAUSE_REASONS = {
    "court": "Court proceedings about the same matter (reg 8)",
    "police": "A police investigation about the same matter (reg 8)",
    "complainant_asked": "The complainant asked to wait",
    "advocate": "Waiting for an advocate the young person asked for",
    "consent": "Waiting for the young person's view or consent",
}
HOLD_REASONS = {
    "court": "Court proceedings about this point (reg 8)",
    "police": "A police investigation about this point (reg 8)",
}


def _on_stage_2_investigating(state: CaseState) -> bool:
    return state.step == Step.S2_INVESTIGATING


def _not_stage_1(state: CaseState) -> bool:
    return state.step != Step.S1_OPEN


def _text(name: str, label: str, required: str | None = None, **more: Any) -> Field:
    return Field(name, Kind.LONG_TEXT, label, required, **more)


def _reason(label: str, required: str | None, *, public: bool = True) -> Field:
    return Field("reason", Kind.LONG_TEXT, label, required, public=public, note=True)


def _name(name: str, label: str, required: str) -> Field:
    return Field(name, Kind.TEXT, label, required, limit=fields.MAX_NAME)


def _response_check(values: dict[str, Any], ctx: Context, state: CaseState) -> dict[str, str]:
    upheld = any(
        outcome in (Outcome.UPHELD, Outcome.PARTLY_UPHELD)
        for outcome, _remedies in values.get("outcomes", {}).values()
    )
    if upheld and not values.get("remedy"):
        return {"remedy": "Write the remedy for the points that were upheld."}
    return {}


def _panel_check(values: dict[str, Any], ctx: Context, state: CaseState) -> dict[str, str]:
    """Reg 19: three independent people, one of them the chair, none from Stage 2."""
    errors = {}
    chair, members = values.get("chair") or "", values.get("members") or ()
    people = [chair, *members] if chair else list(members)
    folded = [" ".join(p.casefold().split()) for p in people]
    if len(set(folded)) != 3 or len(members) != 2:
        errors["members"] = (
            "A review panel is three independent people: the chair and two others. "
            "Write the two others, one name on each line."
        )
    stage_2 = " ".join((state.independent_person or "").casefold().split())
    if stage_2 and stage_2 in folded:
        errors["members" if stage_2 != folded[0] else "chair"] = (
            f"{state.independent_person} was the independent person at Stage 2, so they "
            "cannot sit on the panel (reg 19). Choose someone else."
        )
    panel_on = values.get("panel_on")
    late = state.due is not None and panel_on is not None and panel_on > state.due
    if late and not values.get("late_reason"):
        errors["late_reason"] = (
            f"The panel should meet by {state.due:%-d %B %Y}, 30 working days after the "
            "request. Write why it will meet later."
        )
    return errors


def _hold_check(values: dict[str, Any], ctx: Context, state: CaseState) -> dict[str, str]:
    held = {p.id for p in ctx.points if p.held}
    chosen = set(values.get("points") or {})
    if not chosen:
        return {"points": "Tick the points this is about."}
    if chosen & held:
        return {"points": "A point you ticked is already on hold."}
    if chosen | held == {p.id for p in ctx.points}:
        return {"points": "Every point would be on hold. Pause the clock instead, with the reason."}
    return {}


def _release_check(values: dict[str, Any], ctx: Context, state: CaseState) -> dict[str, str]:
    held = {p.id for p in ctx.points if p.held}
    chosen = set(values.get("points") or {})
    if not chosen or not chosen <= held:
        return {"points": "Tick the points on hold that can go ahead now."}
    return {}


# The limits the law and the LGSCO code set (working days).
STAGE_1_EXTENDED = 20
STAGE_2_DAYS = 25
STAGE_2_MAX = 65
ESCALATION_WINDOW = 20
STAGE_3_ACKNOWLEDGE = 2
PANEL_WITHIN = 30
PAPERS_BEFORE = 10
REPORT_WITHIN = 5
DIRECTOR_WITHIN = 15
CORPORATE_ACKNOWLEDGE = 5
CORPORATE_STAGE_1 = 10
CORPORATE_EXTENSION_MAX = 10
CORPORATE_STAGE_2 = 20


@dataclass(frozen=True)
class Timescales:
    """The council's own settings (a setting, per the reference: some use 2 or 3 days)."""

    acknowledge: int = 5
    stage_1: int = 10
    stage_2_setup: int = 10  # from a Stage 2 request to the agreed statement of complaint
    receipt: str = ReceiptRule.NEXT_WORKING_DAY  # RECEIVED_ON_A_NON_WORKING_DAY


@dataclass(frozen=True)
class Fact:
    """One event, as the fold needs it: its type, the day it happened, and its data."""

    type: str
    on: date
    data: dict[str, Any] = field(default_factory=dict)
    note: str | None = None


@dataclass(frozen=True)
class Extension:
    on: date
    new_due: date
    reason: str


@dataclass(frozen=True)
class CaseState:
    step: Step
    procedure: str
    received_on: date
    due_base: date | None = None  # before pauses are added
    due_what: str | None = None
    paused_since: date | None = None
    pause_reason: str | None = None
    paused_days: int = 0  # working days paused in this stage
    pause_counts: bool = True  # False for a pause begun after the deadline had passed
    clock_start: date | None = None
    clock_days: int = 0
    extended: int = 0  # extra working days agreed in this stage
    extensions: tuple[Extension, ...] = ()
    responded_on: date | None = None
    responded_stage: str | None = None
    panel_on: date | None = None
    stage_requested_on: date | None = None
    late_request: bool = False
    ended_from: Step | None = None
    outcome: str | None = None
    closed_on: date | None = None
    unable_reason: str | None = None
    unable_category: str | None = None
    independent_person: str | None = None  # Stage 2's, who may not sit on the Stage 3 panel
    last_move_on: date | None = None  # the day of the latest move that changed the case

    @property
    def stage(self) -> Stage:
        return STAGE_OF[self.step]

    @property
    def paused(self) -> bool:
        return self.paused_since is not None

    @property
    def due(self) -> date | None:
        """The next council deadline with pauses added; None while paused or with no clock."""
        if self.due_base is None or self.paused:
            return None
        due = add_working_days(self.due_base, self.paused_days)
        if self.step == Step.S2_INVESTIGATING and self.clock_start is not None:
            # No pause or extension ever lifts Stage 2's ceiling of 65 working days.
            due = min(due, deadline_from_receipt(self.clock_start, STAGE_2_MAX))
        return due

    def earliest_pause(self, today: date) -> date:
        """The first day a pause recorded today may start from.

        Never before the last move already recorded; and on a case that is late, not before
        today: a pause cannot reach back and make late days on time.
        """
        if self.due is not None and self.due < today:
            return today
        return self.last_move_on or self.received_on

    @property
    def ask_again_by(self) -> date | None:
        """The last day to ask for the next stage in time (20 working days after a response).

        None after the last stage of either procedure: the Ombudsman comes next.
        """
        if self.responded_on is None or self.next_action is None:
            return None
        return add_working_days(self.responded_on, ESCALATION_WINDOW)

    @property
    def ombudsman_by(self) -> date | None:
        """After the last stage, or an early close, the Ombudsman's own 12-month limit."""
        ended = self.responded_on if self.step in LAST_REPLIES else self.closed_on
        last = self.step if self.step != Step.CLOSED else self.ended_from
        offered = last in LAST_REPLIES or self.outcome in EARLY_ENDS
        if ended is None or not offered or self.step == Step.OMBUDSMAN:
            return None
        try:
            return ended.replace(year=ended.year + 1)
        except ValueError:  # 29 February
            return ended.replace(year=ended.year + 1, day=28)

    @property
    def escalation_step(self) -> Step | None:
        """The response the person could still escalate from, if any.

        A complaint resolved locally can still go to Stage 2 if the person is not happy with
        how it was put right (reg 15(2)): it counts as a Stage 1 answer.
        """
        if self.step in RESPONDED:
            return self.step
        if self.step != Step.CLOSED:
            return None
        if self.outcome == "closed" and self.ended_from in RESPONDED:
            return self.ended_from
        if self.outcome == "resolved_locally":
            corporate = self.procedure == Procedure.CORPORATE
            return Step.C1_RESPONDED if corporate else Step.S1_RESPONDED
        return None

    @property
    def next_action(self) -> Action | None:
        """What asking "I'm still not happy" would be now (None after Stage 3: the Ombudsman)."""
        step = self.escalation_step
        if step in (Step.S1_RESPONDED, Step.C1_RESPONDED):
            return Action.REQUEST_STAGE_2
        if step == Step.S2_RESPONDED:
            return Action.REQUEST_STAGE_3
        return None


def start(received_on: date, procedure: str, timescales: Timescales) -> CaseState:
    """A new complaint waits in triage; the first clock is the acknowledgement."""
    return CaseState(
        step=Step.TRIAGE,
        procedure=procedure,
        received_on=received_on,
        due_base=deadline_from_receipt(received_on, timescales.acknowledge, timescales.receipt),
        due_what="acknowledge",
    )


class Refused(ValueError):
    """An action that is not allowed now; the message says why, in plain words."""


def allowed(state: CaseState, action: Action, role: str) -> None:
    """Raise Refused unless `role` may take `action` on a case in `state`."""
    transition = TRANSITIONS[action]
    if role not in transition.roles:
        raise Refused("Your role cannot do this. Ask a complaints manager.")
    if state.step not in transition.moves:
        raise Refused(f"You cannot do this while the case is at “{STEP_LABELS[state.step]}”.")
    if state.step == Step.CLOSED and transition.escalation and state.next_action != action:
        raise Refused("This case was not closed after a reply, so it cannot move on.")
    if action == Action.PAUSE and state.paused:
        raise Refused("The clock is already paused.")
    if action == Action.RESUME and not state.paused:
        raise Refused("The clock is not paused.")
    if state.paused and not transition.works_while_paused:
        raise Refused("The clock is paused. Start it again first.")
    if action == Action.DECLINE_LATE_REQUEST and not state.late_request:
        raise Refused("This request came in time, so it must go ahead.")
    if action == Action.EXTEND:
        _check_extension_room(state)


def _check_extension_room(state: CaseState) -> None:
    if state.step == Step.S1_OPEN and state.extended:
        raise Refused("Stage 1 has already been extended to 20 working days, the most allowed.")
    if state.step == Step.S2_INVESTIGATING and state.clock_days + state.extended >= STAGE_2_MAX:
        raise Refused("Stage 2 is already at 65 working days, the most allowed.")
    if state.step == Step.C1_OPEN and state.extended >= CORPORATE_EXTENSION_MAX:
        raise Refused("This reply has already been extended by 10 working days, the most allowed.")


def extension_limit(state: CaseState) -> int:
    """How many more working days may be agreed now."""
    if state.step == Step.S1_OPEN:
        return 0 if state.extended else max(0, STAGE_1_EXTENDED - state.clock_days)
    if state.step == Step.S2_INVESTIGATING:
        return STAGE_2_MAX - state.clock_days - state.extended
    if state.step == Step.C1_OPEN:
        return CORPORATE_EXTENSION_MAX - state.extended
    return 0


def replay(
    received_on: date, procedure: str, facts: Iterable[Fact], timescales: Timescales
) -> CaseState:
    """Fold a case's events, oldest first, into where it stands now."""
    state = start(received_on, procedure, timescales)
    for fact in facts:
        state = apply(state, fact, timescales)
    return state


def apply(state: CaseState, fact: Fact, timescales: Timescales) -> CaseState:
    """Return the state after one event. Events that are not stage moves change nothing."""
    transition = BY_EVENT.get(fact.type)
    if transition is None:
        return state
    if transition.effect is not None:
        state = transition.effect(state, fact, timescales)
    moved = transition.moves.get(state.step) or state.step
    target = Step.CLOSED if transition.ends else moved
    if target == state.step:
        return state
    return replace(_enter(state, target, fact, timescales), last_move_on=fact.on)


def _clock(
    state: CaseState,
    start: date,
    days: int,
    what: str,
    *,
    new_stage: bool = False,
    rule: str = ReceiptRule.NEXT_WORKING_DAY,
) -> CaseState:
    """Start a clock: `days` working days counted from the day after `start`."""
    return replace(
        state,
        clock_start=start,
        clock_days=days,
        due_base=deadline_from_receipt(start, days, rule),
        due_what=what,
        extended=0 if new_stage else state.extended,
        paused_days=0 if new_stage else state.paused_days,
    )


def _no_clock(state: CaseState) -> CaseState:
    return replace(state, due_base=None, due_what=None, clock_start=None, clock_days=0)


@dataclass(frozen=True)
class _Entry:
    """What a step needs to know to start its clock."""

    fact: Fact
    previous: Step
    window_end: date | None
    timescales: Timescales

    @property
    def on(self) -> date:
        return self.fact.on


def _enter(state: CaseState, target: Step, fact: Fact, timescales: Timescales) -> CaseState:
    """Move to `target` and start the clock that step runs on."""
    entry = _Entry(fact, state.step, state.ask_again_by, timescales)
    state = replace(state, step=target)
    if target in RESPONDED:
        return _no_clock(
            replace(
                state,
                responded_on=entry.on,
                responded_stage=str(STAGE_OF[target]),
                late_request=False,
            )
        )
    return _ENTRY[target](state, entry) if target in _ENTRY else state


def _enter_panel_set(state: CaseState, e: _Entry) -> CaseState:
    panel_on = date.fromisoformat(e.fact.data["panel_on"])
    papers_by = subtract_working_days(panel_on, PAPERS_BEFORE)
    return replace(state, panel_on=panel_on, due_base=papers_by, due_what="papers")


def _enter_closed(state: CaseState, e: _Entry) -> CaseState:
    unable = e.fact.type == EventType.UNABLE_TO_CONSIDER
    outcome = BY_EVENT[e.fact.type].ends or "closed"
    return _no_clock(
        replace(
            state,
            ended_from=e.previous,
            closed_on=e.on,
            outcome=outcome,
            paused_since=None,
            unable_reason=e.fact.note if unable else None,
            unable_category=e.fact.data.get("category") if unable else None,
            # Put right locally: the window for Stage 2 runs from that day (reg 15(2)).
            responded_on=e.on if outcome == "resolved_locally" else state.responded_on,
        )
    )


_ENTRY = {
    Step.S1_TO_ACKNOWLEDGE: lambda s, e: replace(s, procedure=Procedure.STATUTORY),
    Step.C1_TO_ACKNOWLEDGE: lambda s, e: replace(s, procedure=Procedure.CORPORATE),
    # The statutory Stage 1 clock runs from receipt; the corporate one from acknowledgement.
    Step.S1_OPEN: lambda s, e: _clock(
        s,
        s.received_on,
        e.timescales.stage_1 + s.extended,
        "stage_1_response",
        rule=e.timescales.receipt,
    ),
    Step.C1_OPEN: lambda s, e: _clock(s, e.on, CORPORATE_STAGE_1 + s.extended, "stage_1_response"),
    # From the request to the agreed statement of complaint: a council setting, so a case
    # waiting to be set up turns amber, then red, on the tracker.
    Step.S2_REQUESTED: lambda s, e: _clock(
        _requested(s, e.on, e.window_end), e.on, e.timescales.stage_2_setup, "statement"
    ),
    # Stage 2's 25 working days start when the statement of complaint is agreed.
    Step.S2_INVESTIGATING: lambda s, e: _clock(
        s, e.on, STAGE_2_DAYS, "stage_2_response", new_stage=True
    ),
    Step.C2_TO_ACKNOWLEDGE: lambda s, e: _clock(
        _requested(s, e.on, e.window_end), e.on, CORPORATE_ACKNOWLEDGE, "acknowledge"
    ),
    Step.C2_OPEN: lambda s, e: _clock(s, e.on, CORPORATE_STAGE_2, "stage_2_response"),
    Step.S3_REQUESTED: lambda s, e: _clock(
        _requested(s, e.on, e.window_end), e.on, STAGE_3_ACKNOWLEDGE, "acknowledge"
    ),
    # The panel meets within 30 working days of the request, not of the acknowledgement.
    Step.S3_ACKNOWLEDGED: lambda s, e: _clock(
        s, s.stage_requested_on or e.on, PANEL_WITHIN, "panel"
    ),
    Step.S3_PANEL_SET: _enter_panel_set,
    Step.S3_PAPERS_SENT: lambda s, e: _clock(s, s.panel_on or e.on, REPORT_WITHIN, "panel_report"),
    Step.S3_REPORTED: lambda s, e: _clock(s, e.on, DIRECTOR_WITHIN, "director_response"),
    Step.OMBUDSMAN: lambda s, e: _no_clock(
        replace(s, closed_on=None, outcome=None, paused_since=None)
    ),
    Step.CLOSED: _enter_closed,
}


def _requested(state: CaseState, on: date, window_end: date | None) -> CaseState:
    """A new stage was asked for: late requests are marked for discretion, never refused."""
    return replace(
        state,
        stage_requested_on=on,
        late_request=window_end is not None and on > window_end,
        closed_on=None,
        outcome=None,
        extended=0,
        paused_days=0,
        extensions=(),
    )


def _reopen_after_close(state: CaseState, fact: Fact, timescales: Timescales) -> CaseState:
    """A request after the case was closed moves on from the reply it was closed after (or,
    after a local resolution, from Stage 1)."""
    step = state.escalation_step
    if state.step == Step.CLOSED and step is not None:
        return replace(state, step=step)
    return state


def _extend(state: CaseState, fact: Fact, timescales: Timescales) -> CaseState:
    if state.step == Step.S1_OPEN:
        extra = max(0, STAGE_1_EXTENDED - timescales.stage_1)
    else:
        extra = int(fact.data.get("days", 0))
    state = replace(state, extended=state.extended + extra)
    if state.step == Step.S1_OPEN:
        state = _clock(
            state,
            state.received_on,
            timescales.stage_1 + state.extended,
            "stage_1_response",
            rule=timescales.receipt,
        )
    elif state.step == Step.C1_OPEN:
        state = _clock(
            state, state.clock_start or fact.on, CORPORATE_STAGE_1 + state.extended, state.due_what
        )
    elif state.step == Step.S2_INVESTIGATING:
        state = replace(
            state,
            due_base=deadline_from_receipt(state.clock_start, state.clock_days + state.extended),
        )
    new_due = add_working_days(state.due_base, state.paused_days)
    return replace(
        state, extensions=(*state.extensions, Extension(fact.on, new_due, fact.note or ""))
    )


def _pause(state: CaseState, fact: Fact, timescales: Timescales) -> CaseState:
    # A pause that starts after the deadline has passed cannot make the late days on time.
    due = state.due
    late = due is not None and fact.on > due
    return replace(
        state,
        paused_since=fact.on,
        pause_reason=fact.note,
        pause_counts=not late,
    )


def _resume(state: CaseState, fact: Fact, timescales: Timescales) -> CaseState:
    if state.paused_since is None:
        return state
    stopped = working_days_between(state.paused_since, fact.on) if state.pause_counts else 0
    return replace(
        state, paused_since=None, pause_reason=None, paused_days=state.paused_days + stopped
    )


def _appointed(state: CaseState, fact: Fact, timescales: Timescales) -> CaseState:
    return replace(state, independent_person=fact.data.get("independent_person"))


ON = fields.ON
WORDS = _text("words", "What they are still unhappy about, in their words (optional)", note=True)

TRANSITIONS: dict[Action, Transition] = {
    t.action: t
    for t in [
        # Triage
        Transition(
            Action.ACCEPT_STATUTORY,
            EventType.ACCEPTED_STATUTORY,
            "Accept under the Children Act procedure",
            {Step.TRIAGE: Step.S1_TO_ACKNOWLEDGE},
            CASEWORKERS,
            (ON,),
        ),
        Transition(
            Action.MOVE_TO_CORPORATE,
            EventType.MOVED_TO_CORPORATE,
            "Move to the corporate procedure",
            {Step.TRIAGE: Step.C1_TO_ACKNOWLEDGE},
            CASEWORKERS,
            (
                _reason(
                    "Why it goes to the corporate procedure",
                    "Write why this goes to the corporate procedure.",
                ),
                ON,
            ),
            public=said("It will be looked at in the council's general complaints process."),
        ),
        Transition(
            Action.CANNOT_CONSIDER,
            EventType.UNABLE_TO_CONSIDER,
            "Record that the council cannot consider it",
            _to({Step.TRIAGE, Step.S1_TO_ACKNOWLEDGE, Step.C1_TO_ACKNOWLEDGE}, Step.CLOSED),
            CASEWORKERS,
            (
                Field(
                    "category",
                    Kind.CHOICE,
                    "Why the council cannot consider it",
                    "Choose why the council cannot consider this complaint.",
                    choices=UNABLE_CATEGORIES,
                ),
                _reason(
                    "The reason, in plain words",
                    "Write the reason the complainant will read, in plain words.",
                ),
                ON,
            ),
            public=said("The council cannot look at this complaint."),
            ends="unable_to_consider",
            points_end_as=Outcome.NOT_CONSIDERED,
        ),
        Transition(
            Action.ACCEPT_SUFFICIENT_INTEREST,
            EventType.SUFFICIENT_INTEREST_ACCEPTED,
            "Accept: sufficient interest in the child",
            _stay({Step.TRIAGE}),
            CASEWORKERS,
            (_reason("Note (optional)", None, public=False), ON),
        ),
        Transition(
            Action.RESOLVE_LOCALLY,
            EventType.RESOLVED_LOCALLY,
            "Record that it was resolved locally",
            _to({Step.TRIAGE, Step.S1_TO_ACKNOWLEDGE, Step.C1_TO_ACKNOWLEDGE}, Step.CLOSED),
            CASEWORKERS,
            (_reason("How it was put right", "Write how it was put right."), ON),
            public=said("It was put right."),
            ends="resolved_locally",
            points_end_as=Outcome.RESOLVED,
        ),
        Transition(
            Action.EDIT_POINTS,
            EventType.POINTS_EDITED,
            "Edit or split the complaint points",
            _stay(EDITABLE_POINTS),
            CASEWORKERS,
            (Field("points", Kind.POINTS, "The complaint points"),),
            works_while_paused=True,
        ),
        Transition(
            Action.HOLD_POINTS,
            EventType.POINTS_HELD,
            "Put points on hold for a court case or police investigation",
            _stay(HOLDABLE),
            CASEWORKERS,
            (
                Field("points", Kind.HOLDS, "The points to put on hold (the others go ahead)"),
                Field(
                    "category",
                    Kind.CHOICE,
                    "Why",
                    "Choose why these points wait.",
                    choices=HOLD_REASONS,
                ),
                _reason(
                    "What the complainant is told",
                    "Write what the complainant is told, in plain words.",
                ),
                ON,
            ),
            public=said("Some of your points will wait until a court case or the police finish."),
            check=_hold_check,
            works_while_paused=True,
        ),
        Transition(
            Action.RELEASE_POINTS,
            EventType.POINTS_RELEASED,
            "Take points off hold",
            _stay(HOLDABLE),
            CASEWORKERS,
            (Field("points", Kind.HOLDS, "The points that can go ahead now"), ON),
            public=said("The points that were waiting will now be looked at."),
            check=_release_check,
            works_while_paused=True,
        ),
        # Acknowledging, in each procedure and stage
        Transition(
            Action.ACKNOWLEDGE,
            EventType.ACKNOWLEDGED,
            "Record the acknowledgement",
            {
                Step.S1_TO_ACKNOWLEDGE: Step.S1_OPEN,
                Step.C1_TO_ACKNOWLEDGE: Step.C1_OPEN,
                Step.C2_TO_ACKNOWLEDGE: Step.C2_OPEN,
                Step.S3_REQUESTED: Step.S3_ACKNOWLEDGED,
            },
            CASEWORKERS,
            (ON,),
            public=said("The council said they have it."),
        ),
        Transition(
            Action.ASSIGN,
            EventType.ASSIGNED,
            "Assign the responding officer",
            _stay(OPEN),
            CASEWORKERS,
            (
                Field(
                    "assignee",
                    Kind.STAFF,
                    "Who will handle it",
                    "Choose who will handle this case.",
                ),
            ),
            works_while_paused=True,
            message="case_assigned",  # to the member of staff it was given to
        ),
        Transition(
            Action.EXTEND,
            EventType.EXTENDED,
            "Agree an extension",
            _stay({Step.S1_OPEN, Step.C1_OPEN, Step.S2_INVESTIGATING}),
            CASEWORKERS,
            (
                Field("days", Kind.DAYS, "Extra working days", when=_not_stage_1),
                _reason("Why more time is needed", "Write why more time is needed."),
                Field(
                    "told",
                    Kind.CONFIRM,
                    "I have told the complainant about the new date and why",
                    "Tell the complainant about the new date, then tick the box.",
                ),
                ON,
            ),
            public=said("They need more time."),
            effect=_extend,
            records=("new_due",),
            message="date_changed",
        ),
        Transition(
            Action.RECORD_RESPONSE,
            EventType.RESPONSE_SENT,
            "Record the response and outcomes",
            {
                Step.S1_OPEN: Step.S1_RESPONDED,
                Step.C1_OPEN: Step.C1_RESPONDED,
                Step.S2_INVESTIGATING: Step.S2_RESPONDED,
                Step.C2_OPEN: Step.C2_RESPONDED,
                Step.S3_REPORTED: Step.S3_RESPONDED,
            },
            RESPONDERS,
            (
                Field("outcomes", Kind.OUTCOMES, "The finding on each point"),
                _text(
                    "investigation_report",
                    "The investigating officer's report: what they found",
                    "Record the investigating officer's report.",
                    when=_on_stage_2_investigating,
                ),
                _text(
                    "independent_report",
                    "The independent person's report: what they found",
                    "Record the independent person's report.",
                    when=_on_stage_2_investigating,
                ),
                _text(
                    "finding",
                    "What was found, in plain words (at Stage 2: the adjudication; at Stage 3: "
                    "the director's response)",
                    "Write what was found, in plain words.",
                    public=True,
                ),
                _text(
                    "remedy",
                    "What the council will do to put it right (needed when a point is upheld)",
                    public=True,
                ),
                ON,
            ),
            public=said("They sent their answer."),
            check=_response_check,
            records=("stage",),
            message="answer_ready",
        ),
        # Stage 2
        Transition(
            Action.REQUEST_STAGE_2,
            EventType.STAGE_2_REQUESTED,
            "Record a Stage 2 request",
            {
                Step.S1_RESPONDED: Step.S2_REQUESTED,
                Step.C1_RESPONDED: Step.C2_TO_ACKNOWLEDGE,
                Step.CLOSED: None,  # only after a Stage 1 reply: see `allowed`
            },
            CASEWORKERS | {COMPLAINANT},
            (WORDS, ON),
            public=said("You said you are still not happy. Someone new will look at it."),
            effect=_reopen_after_close,
            escalation=True,
            records=("late",),
        ),
        Transition(
            Action.APPOINT_INVESTIGATORS,
            EventType.INVESTIGATORS_APPOINTED,
            "Appoint the investigating officer and independent person",
            {Step.S2_REQUESTED: Step.S2_APPOINTED},
            CASEWORKERS,
            (
                _name(
                    "investigating_officer",
                    "Investigating officer's name",
                    "Enter the investigating officer's name.",
                ),
                _name(
                    "independent_person",
                    "Independent person's name",
                    "Enter the independent person's name.",
                ),
                ON,
            ),
            effect=_appointed,
        ),
        Transition(
            Action.AGREE_STATEMENT,
            EventType.STATEMENT_AGREED,
            "Record the agreed statement of complaint",
            {Step.S2_APPOINTED: Step.S2_INVESTIGATING},
            RESPONDERS,
            (
                _text(
                    "statement",
                    "The statement of complaint, as agreed with the complainant",
                    "Write the statement of complaint that was agreed.",
                ),
                ON,
            ),
            public=said("You agreed the list of things to look into."),
        ),
        # Stage 3
        Transition(
            Action.REQUEST_STAGE_3,
            EventType.STAGE_3_REQUESTED,
            "Record a Stage 3 request",
            {Step.S2_RESPONDED: Step.S3_REQUESTED, Step.CLOSED: None},
            CASEWORKERS | {COMPLAINANT},
            (WORDS, ON),
            public=said("You asked for a panel to look at it."),
            effect=_reopen_after_close,
            escalation=True,
            records=("late",),
        ),
        Transition(
            Action.CONVENE_PANEL,
            EventType.PANEL_CONVENED,
            "Set the review panel date and members",
            {Step.S3_ACKNOWLEDGED: Step.S3_PANEL_SET},
            CASEWORKERS,
            (
                Field(
                    "panel_on",
                    Kind.DATE,
                    "Date the panel will meet",
                    "Enter the date the panel will meet.",
                    hint="It should meet within 30 working days of the request. "
                    "Papers go out 10 working days before.",
                    checks=(fields.not_in_past,),
                ),
                _name("chair", "The chair (an independent person)", "Enter the chair's name."),
                Field(
                    "members",
                    Kind.NAMES,
                    "The two other independent people, one name on each line",
                    "Write the two other panel members, one name on each line.",
                ),
                _text(
                    "late_reason",
                    "If the panel meets more than 30 working days after the request: why",
                ),
                ON,
            ),
            public=said("The panel will meet on %(date)s."),
            check=_panel_check,
        ),
        Transition(
            Action.CIRCULATE_PAPERS,
            EventType.PAPERS_CIRCULATED,
            "Record that the panel papers went out",
            {Step.S3_PANEL_SET: Step.S3_PAPERS_SENT},
            CASEWORKERS,
            (ON,),
        ),
        Transition(
            Action.RECORD_PANEL_REPORT,
            EventType.PANEL_REPORTED,
            "Record the panel's report",
            {Step.S3_PAPERS_SENT: Step.S3_REPORTED},
            CASEWORKERS,
            (
                _text(
                    "finding",
                    "What the panel recommended",
                    "Write what the panel recommended.",
                    public=True,
                ),
                Field(
                    "on",
                    Kind.DATE,
                    "Date of the report (leave empty for today)",
                    checks=(fields.not_in_future, fields.not_before_panel),
                ),
            ),
            public=said("The panel sent its report."),
        ),
        Transition(
            Action.DECLINE_LATE_REQUEST,
            EventType.LATE_REQUEST_DECLINED,
            "Decline the late request",
            _to({Step.S2_REQUESTED, Step.C2_TO_ACKNOWLEDGE, Step.S3_REQUESTED}, Step.CLOSED),
            MANAGERS,
            (_reason("Why it is declined", "Write why the late request is declined."), ON),
            public=said("A manager decided it cannot go on."),
            ends="late_request_declined",
        ),
        # The Ombudsman can look at a case after any response, or after it closed.
        Transition(
            Action.OMBUDSMAN_ENQUIRY,
            EventType.OMBUDSMAN_ENQUIRY_RECEIVED,
            "Record an Ombudsman enquiry",
            _to(RESPONDED | {Step.CLOSED}, Step.OMBUDSMAN),
            CASEWORKERS,
            (
                Field(
                    "ombudsman_reference",
                    Kind.TEXT,
                    "Ombudsman's reference (optional)",
                    limit=40,
                ),
                ON,
            ),
            public=said("The Ombudsman asked the council about it."),
        ),
        Transition(
            Action.OMBUDSMAN_OUTCOME,
            EventType.OMBUDSMAN_DECIDED,
            "Record the Ombudsman's decision",
            {Step.OMBUDSMAN: Step.CLOSED},
            CASEWORKERS,
            (
                Field(
                    "decision",
                    Kind.CHOICE,
                    "What the Ombudsman decided",
                    "Choose what the Ombudsman decided.",
                    choices=OMBUDSMAN_DECISIONS,
                ),
                _text("remedy", "What the Ombudsman asked the council to do", public=True),
                ON,
            ),
            public=said("The Ombudsman made a decision."),
            ends="ombudsman_decided",
        ),
        # Any time
        Transition(
            Action.CLOSE,
            EventType.COMPLAINT_CLOSED,
            "Close the case",
            _to(RESPONDED, Step.CLOSED),
            CASEWORKERS,
            (ON,),
            public=said("It was closed."),
            ends="closed",
        ),
        Transition(
            Action.WITHDRAW,
            EventType.COMPLAINT_WITHDRAWN,
            "Record that the complainant withdrew",
            _to(OPEN, Step.CLOSED),
            CASEWORKERS | {COMPLAINANT},
            (_reason("Their reason (optional)", None, public=False), ON),
            public=said("You stopped it."),
            ends="withdrawn",
            points_end_as=Outcome.WITHDRAWN,
            works_while_paused=True,
            message="stopped",  # so a child learns if someone else stopped it
        ),
        Transition(
            Action.PAUSE,
            EventType.CLOCK_PAUSED,
            "Pause the clock",
            _stay(CLOCKED),
            CASEWORKERS,
            (
                Field(
                    "category",
                    Kind.CHOICE,
                    "Why the clock stops",
                    "Choose why the clock stops.",
                    choices=PAUSE_REASONS,
                ),
                _reason("Why the clock is paused", "Write why the clock is paused."),
                Field(
                    "on",
                    Kind.DATE,
                    "Date the pause starts (leave empty for today)",
                    checks=(
                        fields.not_in_future,
                        fields.not_before_receipt,
                        fields.not_before_last_on_time,
                    ),
                ),
            ),
            public=said("The council stopped the clock for now."),
            effect=_pause,
            message="date_changed",
        ),
        Transition(
            Action.RESUME,
            EventType.CLOCK_RESUMED,
            "Start the clock again",
            _stay(CLOCKED),
            CASEWORKERS,
            (ON,),
            public=said("The clock started again."),
            effect=_resume,
            works_while_paused=True,
            message="date_changed",
        ),
        Transition(
            Action.SEND_MESSAGE,
            EventType.MESSAGE_SENT,
            "Write to the complainant",
            _stay(EVERY),
            RESPONDERS,
            (
                Field(
                    "message",
                    Kind.LONG_TEXT,
                    "Message. It appears on their status page, so use short sentences and "
                    "everyday words.",
                    "Write the message.",
                    note=True,
                ),
            ),
            public=said("Message from the council:"),
            works_while_paused=True,
            message="new_message",
        ),
    ]
}
BY_EVENT = {t.event: t for t in TRANSITIONS.values()}
ENDINGS = frozenset(t.event for t in TRANSITIONS.values() if t.ends)


STEP_LABELS = {
    Step.TRIAGE: "Triage",
    Step.S1_TO_ACKNOWLEDGE: "Stage 1: to acknowledge",
    Step.S1_OPEN: "Stage 1: open",
    Step.S1_RESPONDED: "Stage 1: replied",
    Step.S2_REQUESTED: "Stage 2: asked for",
    Step.S2_APPOINTED: "Stage 2: investigators appointed",
    Step.S2_INVESTIGATING: "Stage 2: investigating",
    Step.S2_RESPONDED: "Stage 2: adjudicated",
    Step.S3_REQUESTED: "Stage 3: asked for",
    Step.S3_ACKNOWLEDGED: "Stage 3: acknowledged",
    Step.S3_PANEL_SET: "Stage 3: panel date set",
    Step.S3_PAPERS_SENT: "Stage 3: papers sent",
    Step.S3_REPORTED: "Stage 3: panel reported",
    Step.S3_RESPONDED: "Stage 3: director replied",
    Step.C1_TO_ACKNOWLEDGE: "Corporate stage 1: to acknowledge",
    Step.C1_OPEN: "Corporate stage 1: open",
    Step.C1_RESPONDED: "Corporate stage 1: replied",
    Step.C2_TO_ACKNOWLEDGE: "Corporate stage 2: to acknowledge",
    Step.C2_OPEN: "Corporate stage 2: open",
    Step.C2_RESPONDED: "Corporate stage 2: replied",
    Step.OMBUDSMAN: "With the Ombudsman",
    Step.CLOSED: "Closed",
}


class Together(StrEnum):
    """Moves declared as a pairing of two moves made one after the other, in one go."""

    ACCEPT_AND_ACKNOWLEDGE = "accept_and_acknowledge"


@dataclass(frozen=True)
class Pairing:
    """Two declared moves made at once, when both are true: each keeps its own event, public
    wording, clock effect and message, exactly as if they were made one after the other."""

    action: Together
    label: str
    steps: tuple[Action, ...]
    roles: frozenset[str]

    @property
    def transitions(self) -> tuple[Transition, ...]:
        return tuple(TRANSITIONS[a] for a in self.steps)

    def fields_for(self, state: CaseState) -> tuple[Field, ...]:
        """Every field the moves ask for, once each (the date covers them all)."""
        asked: dict[str, Field] = {}
        for transition in self.transitions:
            for spec in transition.fields_for(state):
                asked.setdefault(spec.name, spec)
        return tuple(sorted(asked.values(), key=lambda f: f is ON))

    @property
    def direct(self) -> bool:
        return all(t.direct for t in self.transitions)


PAIRINGS: dict[Together, Pairing] = {
    p.action: p
    for p in [
        Pairing(
            Together.ACCEPT_AND_ACKNOWLEDGE,
            "Accept under the Children Act procedure and record the acknowledgement",
            (Action.ACCEPT_STATUTORY, Action.ACKNOWLEDGE),
            CASEWORKERS,
        ),
    ]
}
# Every move a member of staff can choose, by its name in the address: single and paired.
MOVES: dict[str, Transition | Pairing] = {**TRANSITIONS, **PAIRINGS}


def step_after(state: CaseState, action: Action) -> CaseState:
    """Where a move leads, for checking what may follow it (the clocks are not worked out)."""
    transition = TRANSITIONS[action]
    target = transition.moves.get(state.step) or state.step
    return replace(state, step=Step.CLOSED if transition.ends else target)


def allowed_together(state: CaseState, pairing: Pairing, role: str) -> None:
    """Raise Refused unless every move of the pairing may be made, one after the other."""
    if role not in pairing.roles:
        raise Refused("Your role cannot do this. Ask a complaints manager.")
    for action in pairing.steps:
        allowed(state, action, role)
        state = step_after(state, action)


@dataclass(frozen=True)
class Recommendation:
    """The one next step for a case: the move, why, and the day it is due (if any)."""

    action: str  # an Action or a Together
    label: str
    reason: str
    due: date | None = None


# What each step's deadline is for, in staff words (the tracker and the case page).
DUE_FOR = {
    "acknowledge": "Acknowledgement",
    "stage_1_response": "Stage 1 response",
    "statement": "Statement of complaint agreed (Stage 2 set-up)",
    "stage_2_response": "Stage 2 investigation and response",
    "panel": "Stage 3 review panel held",
    "papers": "Stage 3 panel papers sent",
    "panel_report": "Stage 3 panel report",
    "director_response": "Stage 3 director's response",
}

_NEXT_MOVE = {
    Step.S1_TO_ACKNOWLEDGE: Action.ACKNOWLEDGE,
    Step.C1_TO_ACKNOWLEDGE: Action.ACKNOWLEDGE,
    Step.C2_TO_ACKNOWLEDGE: Action.ACKNOWLEDGE,
    Step.S3_REQUESTED: Action.ACKNOWLEDGE,
    Step.S1_OPEN: Action.RECORD_RESPONSE,
    Step.C1_OPEN: Action.RECORD_RESPONSE,
    Step.C2_OPEN: Action.RECORD_RESPONSE,
    Step.S2_INVESTIGATING: Action.RECORD_RESPONSE,
    Step.S3_REPORTED: Action.RECORD_RESPONSE,
    Step.S2_REQUESTED: Action.APPOINT_INVESTIGATORS,
    Step.S2_APPOINTED: Action.AGREE_STATEMENT,
    Step.S3_ACKNOWLEDGED: Action.CONVENE_PANEL,
    Step.S3_PANEL_SET: Action.CIRCULATE_PAPERS,
    Step.S3_PAPERS_SENT: Action.RECORD_PANEL_REPORT,
    Step.OMBUDSMAN: Action.OMBUDSMAN_OUTCOME,
}
_WHY = {
    Step.S1_TO_ACKNOWLEDGE: "It was accepted. Acknowledge it to the complainant.",
    Step.C1_TO_ACKNOWLEDGE: "It is in the corporate procedure. Acknowledge it to the complainant.",
    Step.C2_TO_ACKNOWLEDGE: "They asked for corporate stage 2. Acknowledge the request.",
    Step.S3_REQUESTED: "They asked for a Stage 3 review panel. Acknowledge the request.",
    Step.S1_OPEN: "Look into each point and send the Stage 1 response.",
    Step.C1_OPEN: "Look into each point and send the response.",
    Step.C2_OPEN: "Look into each point again and send the stage 2 response.",
    Step.S2_INVESTIGATING: "The investigation is running. Record the adjudication when it is sent.",
    Step.S3_REPORTED: "The panel reported. The director's response is next.",
    Step.S2_REQUESTED: "They asked for Stage 2. Appoint an investigating officer and an "
    "independent person.",
    Step.S2_APPOINTED: "Agree the statement of complaint with the complainant: the 25 working "
    "days start then.",
    Step.S3_ACKNOWLEDGED: "Set the panel date and its three independent members.",
    Step.S3_PANEL_SET: "Send the papers to the panel and the complainant 10 working days "
    "before it meets.",
    Step.S3_PAPERS_SENT: "Record the panel's recommendations when they arrive.",
    Step.OMBUDSMAN: "The Ombudsman is looking at it. Record the decision when it comes.",
}


def recommended(state: CaseState, today: date) -> Recommendation | None:
    """The one move that comes next for a case in `state`, drawn from the declarations, with
    why and by when; None once the case is closed. It is always a move allowed there."""
    if state.step == Step.CLOSED:
        return None
    if state.paused:
        since = f"{state.paused_since:%-d %B %Y}" if state.paused_since else "a while"
        return _say(
            Action.RESUME,
            f"The clock has been paused since {since}"
            + (f": {state.pause_reason}" if state.pause_reason else "")
            + ". Start it again as soon as that is over.",
        )
    if state.step == Step.TRIAGE:
        return _triage(state)
    if state.step in RESPONDED:
        return _after_reply(state, today)
    action = _NEXT_MOVE[state.step]
    reason = _WHY[state.step]
    if state.late_request:
        reason += " It was asked for late: a manager may decline it instead."
    return _say(action, reason, state.due)


def _triage(state: CaseState) -> Recommendation:
    if state.procedure == Procedure.CORPORATE:
        return _say(
            Action.MOVE_TO_CORPORATE,
            "New complaint, about something outside the children's procedure. Check that, "
            "then move it to the corporate procedure and acknowledge it.",
            state.due,
        )
    if state.procedure == Procedure.NOT_COUNCIL:
        return _say(
            Action.CANNOT_CONSIDER,
            "New complaint, about things for another organisation. They asked us to send it "
            "anyway: check, then tell them where to go.",
            state.due,
        )
    return _say(
        Together.ACCEPT_AND_ACKNOWLEDGE,
        "New complaint under the Children Act procedure. Read it, check it is for this "
        "procedure, acknowledge it to the complainant, then record both here.",
        state.due,
    )


def _after_reply(state: CaseState, today: date) -> Recommendation:
    window = state.ask_again_by
    if state.next_action is not None and window is not None and today <= window:
        stage = "Stage 2" if state.next_action == Action.REQUEST_STAGE_2 else "Stage 3"
        return _say(
            state.next_action,
            f"The response was sent. They can ask for {stage} until {window:%-d %B %Y}. "
            "If they ask by phone, email or letter, record it here; if not, close the case "
            "after that day.",
            window,
        )
    if state.next_action is not None:
        reason = "The response was sent and the time to ask for the next stage has passed."
    else:
        reason = "This was the last stage of the procedure: they can go to the Ombudsman next."
    return _say(Action.CLOSE, reason + " Close the case.")


def _say(action: Action | Together, reason: str, due: date | None = None) -> Recommendation:
    return Recommendation(action, MOVES[action].label, reason, due)
