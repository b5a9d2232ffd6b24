"""Stage progression: one table of allowed moves, and where a case stands (pure, no Flask).

Every change to a case is an `Action`. `TRANSITIONS` says, for each action, which steps it may
start from, where it leads, who may take it and what it must be told. `replay` folds the
case's past-tense events into a `CaseState`: the step, the next deadline and what is due, the
response windows, pauses and extensions. Deadlines come from the working-day calendar
(SI 2006/1738 reg 2; the LGSCO Complaint Handling Code for the corporate procedure).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum
from typing import Any

from portal.timescales import (
    add_working_days,
    deadline_from_receipt,
    subtract_working_days,
    working_days_between,
)
from portal.types import EventType, Procedure, StaffRole, Stage

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
EVERY = frozenset(Step)


class Action(StrEnum):
    ACCEPT_STATUTORY = "accept_statutory"
    MOVE_TO_CORPORATE = "move_to_corporate"
    CANNOT_CONSIDER = "cannot_consider"
    ACCEPT_SUFFICIENT_INTEREST = "accept_sufficient_interest"
    RESOLVE_LOCALLY = "resolve_locally"
    EDIT_POINTS = "edit_points"
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


@dataclass(frozen=True)
class Transition:
    """One allowed kind of move. `moves` maps each step it may start from to where it leads
    (None: the case stays on that step)."""

    action: Action
    event: EventType
    moves: dict[Step, Step | None]
    roles: frozenset[str]
    needs: tuple[str, ...] = ()
    works_while_paused: bool = False


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
        Step.S2_INVESTIGATING,
        Step.S3_REQUESTED,
        Step.S3_ACKNOWLEDGED,
        Step.S3_PANEL_SET,
        Step.S3_PAPERS_SENT,
        Step.S3_REPORTED,
    }
)

TRANSITIONS: dict[Action, Transition] = {
    t.action: t
    for t in [
        # Triage
        Transition(
            Action.ACCEPT_STATUTORY,
            EventType.ACCEPTED_STATUTORY,
            {Step.TRIAGE: Step.S1_TO_ACKNOWLEDGE},
            CASEWORKERS,
        ),
        Transition(
            Action.MOVE_TO_CORPORATE,
            EventType.MOVED_TO_CORPORATE,
            {Step.TRIAGE: Step.C1_TO_ACKNOWLEDGE},
            CASEWORKERS,
            ("reason",),
        ),
        Transition(
            Action.CANNOT_CONSIDER,
            EventType.UNABLE_TO_CONSIDER,
            _to({Step.TRIAGE, Step.S1_TO_ACKNOWLEDGE, Step.C1_TO_ACKNOWLEDGE}, Step.CLOSED),
            CASEWORKERS,
            ("category", "reason"),
        ),
        Transition(
            Action.ACCEPT_SUFFICIENT_INTEREST,
            EventType.SUFFICIENT_INTEREST_ACCEPTED,
            _stay({Step.TRIAGE}),
            CASEWORKERS,
        ),
        Transition(
            Action.RESOLVE_LOCALLY,
            EventType.RESOLVED_LOCALLY,
            _to({Step.TRIAGE, Step.S1_TO_ACKNOWLEDGE, Step.C1_TO_ACKNOWLEDGE}, Step.CLOSED),
            CASEWORKERS,
            ("reason",),
        ),
        Transition(
            Action.EDIT_POINTS,
            EventType.POINTS_EDITED,
            _stay(EDITABLE_POINTS),
            CASEWORKERS,
            ("points",),
            works_while_paused=True,
        ),
        # Acknowledging, in each procedure and stage
        Transition(
            Action.ACKNOWLEDGE,
            EventType.ACKNOWLEDGED,
            {
                Step.S1_TO_ACKNOWLEDGE: Step.S1_OPEN,
                Step.C1_TO_ACKNOWLEDGE: Step.C1_OPEN,
                Step.C2_TO_ACKNOWLEDGE: Step.C2_OPEN,
                Step.S3_REQUESTED: Step.S3_ACKNOWLEDGED,
            },
            CASEWORKERS,
        ),
        Transition(
            Action.ASSIGN,
            EventType.ASSIGNED,
            _stay(OPEN),
            CASEWORKERS,
            ("assignee",),
            works_while_paused=True,
        ),
        Transition(
            Action.EXTEND,
            EventType.EXTENDED,
            _stay({Step.S1_OPEN, Step.C1_OPEN, Step.S2_INVESTIGATING}),
            CASEWORKERS,
            ("reason", "told"),
        ),
        Transition(
            Action.RECORD_RESPONSE,
            EventType.RESPONSE_SENT,
            {
                Step.S1_OPEN: Step.S1_RESPONDED,
                Step.C1_OPEN: Step.C1_RESPONDED,
                Step.S2_INVESTIGATING: Step.S2_RESPONDED,
                Step.C2_OPEN: Step.C2_RESPONDED,
                Step.S3_REPORTED: Step.S3_RESPONDED,
            },
            RESPONDERS,
            ("outcomes", "finding"),
        ),
        # Stage 2
        Transition(
            Action.REQUEST_STAGE_2,
            EventType.STAGE_2_REQUESTED,
            {
                Step.S1_RESPONDED: Step.S2_REQUESTED,
                Step.C1_RESPONDED: Step.C2_TO_ACKNOWLEDGE,
                Step.CLOSED: None,  # only after a Stage 1 reply: see `allowed`
            },
            CASEWORKERS | {COMPLAINANT},
        ),
        Transition(
            Action.APPOINT_INVESTIGATORS,
            EventType.INVESTIGATORS_APPOINTED,
            {Step.S2_REQUESTED: Step.S2_APPOINTED},
            CASEWORKERS,
            ("investigating_officer", "independent_person"),
        ),
        Transition(
            Action.AGREE_STATEMENT,
            EventType.STATEMENT_AGREED,
            {Step.S2_APPOINTED: Step.S2_INVESTIGATING},
            RESPONDERS,
        ),
        # Stage 3
        Transition(
            Action.REQUEST_STAGE_3,
            EventType.STAGE_3_REQUESTED,
            {Step.S2_RESPONDED: Step.S3_REQUESTED, Step.CLOSED: None},
            CASEWORKERS | {COMPLAINANT},
        ),
        Transition(
            Action.CONVENE_PANEL,
            EventType.PANEL_CONVENED,
            {Step.S3_ACKNOWLEDGED: Step.S3_PANEL_SET},
            CASEWORKERS,
            ("panel_on",),
        ),
        Transition(
            Action.CIRCULATE_PAPERS,
            EventType.PAPERS_CIRCULATED,
            {Step.S3_PANEL_SET: Step.S3_PAPERS_SENT},
            CASEWORKERS,
        ),
        Transition(
            Action.RECORD_PANEL_REPORT,
            EventType.PANEL_REPORTED,
            {Step.S3_PAPERS_SENT: Step.S3_REPORTED},
            CASEWORKERS,
            ("finding",),
        ),
        Transition(
            Action.DECLINE_LATE_REQUEST,
            EventType.LATE_REQUEST_DECLINED,
            _to({Step.S2_REQUESTED, Step.C2_TO_ACKNOWLEDGE, Step.S3_REQUESTED}, Step.CLOSED),
            MANAGERS,
            ("reason",),
        ),
        # The Ombudsman can look at a case after any response, or after it closed.
        Transition(
            Action.OMBUDSMAN_ENQUIRY,
            EventType.OMBUDSMAN_ENQUIRY_RECEIVED,
            _to(RESPONDED | {Step.CLOSED}, Step.OMBUDSMAN),
            CASEWORKERS,
        ),
        Transition(
            Action.OMBUDSMAN_OUTCOME,
            EventType.OMBUDSMAN_DECIDED,
            {Step.OMBUDSMAN: Step.CLOSED},
            CASEWORKERS,
            ("decision",),
        ),
        # Any time
        Transition(
            Action.CLOSE, EventType.COMPLAINT_CLOSED, _to(RESPONDED, Step.CLOSED), CASEWORKERS
        ),
        Transition(
            Action.WITHDRAW,
            EventType.COMPLAINT_WITHDRAWN,
            _to(OPEN, Step.CLOSED),
            CASEWORKERS | {COMPLAINANT},
            works_while_paused=True,
        ),
        Transition(Action.PAUSE, EventType.CLOCK_PAUSED, _stay(CLOCKED), CASEWORKERS, ("reason",)),
        Transition(
            Action.RESUME,
            EventType.CLOCK_RESUMED,
            _stay(CLOCKED),
            CASEWORKERS,
            works_while_paused=True,
        ),
        Transition(
            Action.SEND_MESSAGE,
            EventType.MESSAGE_SENT,
            _stay(EVERY),
            RESPONDERS,
            ("message",),
            works_while_paused=True,
        ),
    ]
}
BY_EVENT = {t.event: t for t in TRANSITIONS.values()}

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
        return add_working_days(self.due_base, self.paused_days)

    @property
    def ask_again_by(self) -> date | None:
        """The last day to ask for the next stage in time (20 working days after a response)."""
        if self.responded_on is None or self.escalation_step is None:
            return None
        return add_working_days(self.responded_on, ESCALATION_WINDOW)

    @property
    def escalation_step(self) -> Step | None:
        """The response the person could still escalate from, if any."""
        if self.step in RESPONDED:
            return self.step
        if self.step == Step.CLOSED and self.outcome == "closed" and self.ended_from in RESPONDED:
            return self.ended_from
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
        due_base=deadline_from_receipt(received_on, timescales.acknowledge),
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
    escalating = action in (Action.REQUEST_STAGE_2, Action.REQUEST_STAGE_3)
    if state.step == Step.CLOSED and escalating and state.next_action != action:
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
    state = _EFFECTS.get(transition.action, _no_effect)(state, fact, timescales)
    moved = transition.moves.get(state.step) or state.step
    target = Step.CLOSED if fact.type in ENDINGS else moved
    return _enter(state, target, fact, timescales) if target != state.step else state


ENDINGS = {
    EventType.COMPLAINT_CLOSED,
    EventType.COMPLAINT_WITHDRAWN,
    EventType.UNABLE_TO_CONSIDER,
    EventType.RESOLVED_LOCALLY,
    EventType.LATE_REQUEST_DECLINED,
    EventType.OMBUDSMAN_DECIDED,
}


def _no_effect(state: CaseState, fact: Fact, timescales: Timescales) -> CaseState:
    return state


def _clock(
    state: CaseState, start: date, days: int, what: str, *, new_stage: bool = False
) -> CaseState:
    """Start a clock: `days` working days counted from the day after `start`."""
    return replace(
        state,
        clock_start=start,
        clock_days=days,
        due_base=deadline_from_receipt(start, days),
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
    return _no_clock(
        replace(
            state,
            ended_from=e.previous,
            closed_on=e.on,
            outcome=_OUTCOMES.get(e.fact.type, "closed"),
            paused_since=None,
            unable_reason=e.fact.note if unable else None,
        )
    )


_ENTRY = {
    Step.S1_TO_ACKNOWLEDGE: lambda s, e: replace(s, procedure=Procedure.STATUTORY),
    Step.C1_TO_ACKNOWLEDGE: lambda s, e: replace(s, procedure=Procedure.CORPORATE),
    # The statutory Stage 1 clock runs from receipt; the corporate one from acknowledgement.
    Step.S1_OPEN: lambda s, e: _clock(
        s, s.received_on, e.timescales.stage_1 + s.extended, "stage_1_response"
    ),
    Step.C1_OPEN: lambda s, e: _clock(s, e.on, CORPORATE_STAGE_1 + s.extended, "stage_1_response"),
    Step.S2_REQUESTED: lambda s, e: _no_clock(_requested(s, e.on, e.window_end)),
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


_OUTCOMES = {
    EventType.COMPLAINT_WITHDRAWN: "withdrawn",
    EventType.UNABLE_TO_CONSIDER: "unable_to_consider",
    EventType.RESOLVED_LOCALLY: "resolved_locally",
    EventType.LATE_REQUEST_DECLINED: "late_request_declined",
    EventType.OMBUDSMAN_DECIDED: "ombudsman_decided",
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
    """A request after the case was closed moves on from the reply it was closed after."""
    if state.step == Step.CLOSED and state.ended_from in RESPONDED:
        return replace(state, step=state.ended_from)
    return state


def _extend(state: CaseState, fact: Fact, timescales: Timescales) -> CaseState:
    if state.step == Step.S1_OPEN:
        extra = max(0, STAGE_1_EXTENDED - timescales.stage_1)
    else:
        extra = int(fact.data.get("days", 0))
    state = replace(state, extended=state.extended + extra)
    if state.step == Step.S1_OPEN:
        state = _clock(
            state, state.received_on, timescales.stage_1 + state.extended, "stage_1_response"
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
    return replace(state, paused_since=fact.on, pause_reason=fact.note)


def _resume(state: CaseState, fact: Fact, timescales: Timescales) -> CaseState:
    if state.paused_since is None:
        return state
    stopped = working_days_between(state.paused_since, fact.on)
    return replace(
        state, paused_since=None, pause_reason=None, paused_days=state.paused_days + stopped
    )


_EFFECTS = {
    Action.REQUEST_STAGE_2: _reopen_after_close,
    Action.REQUEST_STAGE_3: _reopen_after_close,
    Action.EXTEND: _extend,
    Action.PAUSE: _pause,
    Action.RESUME: _resume,
}


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
