"""The table of allowed moves, and the deadline each move sets (no HTTP, no database)."""

from datetime import date

import pytest

from portal.stages import (
    COMPLAINANT,
    TRANSITIONS,
    Action,
    Fact,
    Refused,
    Step,
    Timescales,
    allowed,
    extension_limit,
    replay,
)
from portal.types import StaffRole

A = Action
RECEIVED = date(2026, 6, 1)  # a Monday, with no bank holiday for weeks
TIMESCALES = Timescales(acknowledge=5, stage_1=10)


def fact(action: Action, on: date, note: str | None = None, **data) -> Fact:
    return Fact(TRANSITIONS[action].event, on, data, note)


def state_after(*facts: Fact, received: date = RECEIVED, procedure: str = "statutory"):
    return replay(received, procedure, facts, TIMESCALES)


def d(month: int, day: int, year: int = 2026) -> date:
    return date(year, month, day)


# One way to reach each step, used to check what may happen next from there.
TO_S1_RESPONDED = [
    fact(A.ACCEPT_STATUTORY, d(6, 2)),
    fact(A.ACKNOWLEDGE, d(6, 3)),
    fact(A.RECORD_RESPONSE, d(6, 12)),
]
TO_S2_RESPONDED = [
    *TO_S1_RESPONDED,
    fact(A.REQUEST_STAGE_2, d(6, 15)),
    fact(A.APPOINT_INVESTIGATORS, d(6, 16)),
    fact(A.AGREE_STATEMENT, d(6, 17)),
    fact(A.RECORD_RESPONSE, d(7, 20)),
]
TO_S3_REPORTED = [
    *TO_S2_RESPONDED,
    fact(A.REQUEST_STAGE_3, d(7, 21)),
    fact(A.ACKNOWLEDGE, d(7, 22)),
    fact(A.CONVENE_PANEL, d(7, 23), panel_on="2026-08-20"),
    fact(A.CIRCULATE_PAPERS, d(8, 5)),
    fact(A.RECORD_PANEL_REPORT, d(8, 24)),
]
TO_C1_RESPONDED = [
    fact(A.MOVE_TO_CORPORATE, d(6, 2)),
    fact(A.ACKNOWLEDGE, d(6, 3)),
    fact(A.RECORD_RESPONSE, d(6, 12)),
]
PATHS = {
    Step.TRIAGE: [],
    Step.S1_TO_ACKNOWLEDGE: TO_S1_RESPONDED[:1],
    Step.S1_OPEN: TO_S1_RESPONDED[:2],
    Step.S1_RESPONDED: TO_S1_RESPONDED,
    Step.S2_REQUESTED: TO_S2_RESPONDED[:4],
    Step.S2_APPOINTED: TO_S2_RESPONDED[:5],
    Step.S2_INVESTIGATING: TO_S2_RESPONDED[:6],
    Step.S2_RESPONDED: TO_S2_RESPONDED,
    Step.S3_REQUESTED: TO_S3_REPORTED[:8],
    Step.S3_ACKNOWLEDGED: TO_S3_REPORTED[:9],
    Step.S3_PANEL_SET: TO_S3_REPORTED[:10],
    Step.S3_PAPERS_SENT: TO_S3_REPORTED[:11],
    Step.S3_REPORTED: TO_S3_REPORTED,
    Step.S3_RESPONDED: [*TO_S3_REPORTED, fact(A.RECORD_RESPONSE, d(9, 1))],
    Step.C1_TO_ACKNOWLEDGE: TO_C1_RESPONDED[:1],
    Step.C1_OPEN: TO_C1_RESPONDED[:2],
    Step.C1_RESPONDED: TO_C1_RESPONDED,
    Step.C2_TO_ACKNOWLEDGE: [*TO_C1_RESPONDED, fact(A.REQUEST_STAGE_2, d(6, 15))],
    Step.C2_OPEN: [
        *TO_C1_RESPONDED,
        fact(A.REQUEST_STAGE_2, d(6, 15)),
        fact(A.ACKNOWLEDGE, d(6, 16)),
    ],
    Step.C2_RESPONDED: [
        *TO_C1_RESPONDED,
        fact(A.REQUEST_STAGE_2, d(6, 15)),
        fact(A.ACKNOWLEDGE, d(6, 16)),
        fact(A.RECORD_RESPONSE, d(7, 1)),
    ],
    Step.OMBUDSMAN: [*TO_S1_RESPONDED, fact(A.OMBUDSMAN_ENQUIRY, d(7, 1))],
    Step.CLOSED: [fact(A.WITHDRAW, d(6, 2))],
}

ANY_OPEN = {A.SEND_MESSAGE, A.ASSIGN, A.WITHDRAW}
# A clock can be paused; and while a clock runs (before the last reply is being written),
# single points can wait for a court case or the police (reg 8).
CLOCK = {A.PAUSE, A.HOLD_POINTS, A.RELEASE_POINTS}
AFTER_REPLY = {A.CLOSE, A.OMBUDSMAN_ENQUIRY}
# What a complaints manager may do at each step (written out by hand from the procedure).
EXPECTED = {
    Step.TRIAGE: ANY_OPEN
    | CLOCK
    | {
        A.ACCEPT_STATUTORY,
        A.MOVE_TO_CORPORATE,
        A.CANNOT_CONSIDER,
        A.ACCEPT_SUFFICIENT_INTEREST,
        A.RESOLVE_LOCALLY,
        A.EDIT_POINTS,
    },
    Step.S1_TO_ACKNOWLEDGE: ANY_OPEN
    | CLOCK
    | {A.ACKNOWLEDGE, A.CANNOT_CONSIDER, A.RESOLVE_LOCALLY, A.EDIT_POINTS},
    Step.S1_OPEN: ANY_OPEN | CLOCK | {A.EXTEND, A.RECORD_RESPONSE, A.EDIT_POINTS},
    Step.S1_RESPONDED: ANY_OPEN | AFTER_REPLY | {A.REQUEST_STAGE_2},
    # Setting up Stage 2 has its own clock (a council setting), so it can be paused too.
    Step.S2_REQUESTED: ANY_OPEN | CLOCK | {A.APPOINT_INVESTIGATORS, A.EDIT_POINTS},
    Step.S2_APPOINTED: ANY_OPEN | CLOCK | {A.AGREE_STATEMENT, A.EDIT_POINTS},
    Step.S2_INVESTIGATING: ANY_OPEN | CLOCK | {A.EXTEND, A.RECORD_RESPONSE},
    Step.S2_RESPONDED: ANY_OPEN | AFTER_REPLY | {A.REQUEST_STAGE_3},
    Step.S3_REQUESTED: ANY_OPEN | CLOCK | {A.ACKNOWLEDGE},
    Step.S3_ACKNOWLEDGED: ANY_OPEN | CLOCK | {A.CONVENE_PANEL},
    Step.S3_PANEL_SET: ANY_OPEN | CLOCK | {A.CIRCULATE_PAPERS},
    Step.S3_PAPERS_SENT: ANY_OPEN | CLOCK | {A.RECORD_PANEL_REPORT},
    Step.S3_REPORTED: ANY_OPEN | {A.PAUSE, A.RECORD_RESPONSE},
    Step.S3_RESPONDED: ANY_OPEN | AFTER_REPLY,
    Step.C1_TO_ACKNOWLEDGE: ANY_OPEN
    | CLOCK
    | {A.ACKNOWLEDGE, A.CANNOT_CONSIDER, A.RESOLVE_LOCALLY, A.EDIT_POINTS},
    Step.C1_OPEN: ANY_OPEN | CLOCK | {A.EXTEND, A.RECORD_RESPONSE, A.EDIT_POINTS},
    Step.C1_RESPONDED: ANY_OPEN | AFTER_REPLY | {A.REQUEST_STAGE_2},
    Step.C2_TO_ACKNOWLEDGE: ANY_OPEN | CLOCK | {A.ACKNOWLEDGE},
    Step.C2_OPEN: ANY_OPEN | CLOCK | {A.RECORD_RESPONSE},
    Step.C2_RESPONDED: ANY_OPEN | AFTER_REPLY,
    Step.OMBUDSMAN: ANY_OPEN | {A.OMBUDSMAN_OUTCOME},
    # Withdrawn: only a message can still go to the person (and the Ombudsman may still ask).
    Step.CLOSED: {A.SEND_MESSAGE, A.OMBUDSMAN_ENQUIRY},
}


def _is_allowed(state, action, role=StaffRole.MANAGER) -> bool:
    try:
        allowed(state, action, role)
    except Refused:
        return False
    return True


def test_every_step_is_covered():
    assert set(PATHS) == set(Step) == set(EXPECTED)


@pytest.mark.parametrize("step", list(Step), ids=str)
def test_each_step_allows_exactly_the_expected_moves(step):
    state = state_after(*PATHS[step])
    assert state.step == step
    can = {action for action in Action if _is_allowed(state, action)}
    assert can == EXPECTED[step]


@pytest.mark.parametrize("step", list(Step), ids=str)
def test_refused_moves_say_why(step):
    state = state_after(*PATHS[step])
    for action in set(Action) - EXPECTED[step]:
        with pytest.raises(Refused) as refused:
            allowed(state, action, StaffRole.MANAGER)
        assert str(refused.value).endswith(".")


def test_the_happy_path_sets_every_statutory_deadline():
    """Received Mon 1 June 2026; each step's deadline is counted in working days."""
    facts = []

    def then(action, on, note=None, **data):
        facts.append(fact(action, on, note, **data))
        return state_after(*facts)

    s = state_after()
    assert (s.step, s.due, s.due_what) == (Step.TRIAGE, d(6, 8), "acknowledge")
    s = then(A.ACCEPT_STATUTORY, d(6, 2))
    assert (s.step, s.due) == (Step.S1_TO_ACKNOWLEDGE, d(6, 8))
    s = then(A.ACKNOWLEDGE, d(6, 3))
    assert (s.step, s.due, s.due_what) == (Step.S1_OPEN, d(6, 15), "stage_1_response")
    s = then(A.EXTEND, d(6, 10), "Waiting for the social worker back from leave")
    assert s.due == d(6, 29)  # 20 working days from receipt
    assert s.extensions[0].reason == "Waiting for the social worker back from leave"
    assert s.extensions[0].new_due == d(6, 29)
    assert not _is_allowed(s, A.EXTEND)  # 20 is the most Stage 1 may take
    s = then(A.RECORD_RESPONSE, d(6, 26))
    assert (s.step, s.due, s.ask_again_by) == (Step.S1_RESPONDED, None, d(7, 24))
    s = then(A.REQUEST_STAGE_2, d(7, 1))
    # Setting Stage 2 up has its own clock: 10 working days to the agreed statement.
    assert (s.step, s.late_request) == (Step.S2_REQUESTED, False)
    assert (s.due, s.due_what) == (d(7, 15), "statement")
    s = then(A.APPOINT_INVESTIGATORS, d(7, 2))
    assert (s.due, s.due_what) == (d(7, 15), "statement")
    s = then(A.AGREE_STATEMENT, d(7, 6))
    assert (s.step, s.due) == (Step.S2_INVESTIGATING, d(8, 10))  # 25 working days
    assert extension_limit(s) == 40
    s = then(A.EXTEND, d(7, 20), "The independent person is ill", days=40)
    assert s.due == d(10, 6)  # 65 working days, over the August bank holiday
    assert not _is_allowed(s, A.EXTEND)
    s = then(A.RECORD_RESPONSE, d(9, 1))
    assert (s.step, s.ask_again_by) == (Step.S2_RESPONDED, d(9, 29))
    s = then(A.REQUEST_STAGE_3, d(10, 1))  # two days after the window closed
    assert (s.step, s.late_request, s.due) == (Step.S3_REQUESTED, True, d(10, 5))
    s = then(A.ACKNOWLEDGE, d(10, 2))
    assert (s.due, s.due_what) == (d(11, 12), "panel")  # 30 working days from the request
    s = then(A.CONVENE_PANEL, d(10, 5), panel_on="2026-11-10")
    assert (s.due, s.due_what) == (d(10, 27), "papers")  # 10 working days before
    s = then(A.CIRCULATE_PAPERS, d(10, 26))
    assert (s.due, s.due_what) == (d(11, 17), "panel_report")
    s = then(A.RECORD_PANEL_REPORT, d(11, 16))
    assert (s.due, s.due_what) == (d(12, 7), "director_response")
    s = then(A.RECORD_RESPONSE, d(12, 4))
    assert (s.step, s.next_action) == (Step.S3_RESPONDED, None)  # next: the Ombudsman
    s = then(A.OMBUDSMAN_ENQUIRY, d(12, 10))
    assert s.step == Step.OMBUDSMAN
    s = then(A.OMBUDSMAN_OUTCOME, d(12, 18))
    assert (s.step, s.outcome, s.closed_on) == (Step.CLOSED, "ombudsman_decided", d(12, 18))


def test_bank_holidays_push_deadlines_back():
    s = state_after(received=d(12, 18))  # a Friday before Christmas 2026
    assert s.due == d(12, 29)  # over Christmas Day and the Boxing Day substitute
    s = state_after(
        fact(A.ACCEPT_STATUTORY, d(12, 21)), fact(A.ACKNOWLEDGE, d(12, 22)), received=d(12, 18)
    )
    assert s.due == d(1, 6, 2027)  # and over New Year's Day


def test_a_pause_moves_every_later_deadline_by_the_working_days_it_lasted():
    paused = state_after(fact(A.PAUSE, d(6, 3), "Finding an advocate"))
    assert paused.paused and paused.due is None and paused.pause_reason == "Finding an advocate"
    assert not _is_allowed(paused, A.ACCEPT_STATUTORY)
    assert not _is_allowed(paused, A.PAUSE)
    assert _is_allowed(paused, A.RESUME) and _is_allowed(paused, A.WITHDRAW)
    facts = [fact(A.PAUSE, d(6, 3), "Finding an advocate"), fact(A.RESUME, d(6, 10))]
    s = state_after(*facts)
    assert s.due == d(6, 15)  # 8 June plus the 5 working days the clock stood still
    s = state_after(*facts, fact(A.ACCEPT_STATUTORY, d(6, 11)), fact(A.ACKNOWLEDGE, d(6, 11)))
    assert s.due == d(6, 22)  # Stage 1's 10 days from receipt, plus the same 5
    assert not _is_allowed(state_after(*facts), A.RESUME)


def test_the_corporate_procedure_counts_from_the_acknowledgement():
    s = state_after(fact(A.MOVE_TO_CORPORATE, d(6, 2), "About a child protection conference"))
    assert (s.step, s.procedure, s.due) == (Step.C1_TO_ACKNOWLEDGE, "corporate", d(6, 8))
    s = state_after(fact(A.MOVE_TO_CORPORATE, d(6, 2)), fact(A.ACKNOWLEDGE, d(6, 5)))
    assert (s.due, extension_limit(s)) == (d(6, 19), 10)
    s = state_after(
        fact(A.MOVE_TO_CORPORATE, d(6, 2)),
        fact(A.ACKNOWLEDGE, d(6, 5)),
        fact(A.EXTEND, d(6, 15), "Manager away", days=5),
    )
    assert (s.due, extension_limit(s)) == (d(6, 26), 5)
    s = state_after(*PATHS[Step.C2_TO_ACKNOWLEDGE])
    assert s.due == d(6, 22)  # acknowledged within 5 working days of the request
    s = state_after(*PATHS[Step.C2_OPEN])
    assert s.due == d(7, 14)  # answered within 20 working days of acknowledgement


def test_a_late_request_after_closing_is_marked_for_discretion_not_refused():
    closed = state_after(*TO_S1_RESPONDED, fact(A.CLOSE, d(7, 30)))
    assert closed.step == Step.CLOSED and closed.next_action == A.REQUEST_STAGE_2
    assert _is_allowed(closed, A.REQUEST_STAGE_2, COMPLAINANT)
    assert not _is_allowed(closed, A.REQUEST_STAGE_3, COMPLAINANT)
    late = state_after(*TO_S1_RESPONDED, fact(A.CLOSE, d(7, 30)), fact(A.REQUEST_STAGE_2, d(8, 3)))
    assert (late.step, late.late_request) == (Step.S2_REQUESTED, True)
    assert _is_allowed(late, A.DECLINE_LATE_REQUEST, StaffRole.MANAGER)
    assert not _is_allowed(late, A.DECLINE_LATE_REQUEST, StaffRole.OFFICER)
    declined = state_after(
        *TO_S1_RESPONDED,
        fact(A.REQUEST_STAGE_2, d(8, 3)),
        fact(A.DECLINE_LATE_REQUEST, d(8, 4), "Too long ago to look at fairly"),
    )
    assert (declined.step, declined.outcome) == (Step.CLOSED, "late_request_declined")
    in_time = state_after(*TO_S1_RESPONDED, fact(A.REQUEST_STAGE_2, d(6, 15)))
    assert not in_time.late_request
    assert not _is_allowed(in_time, A.DECLINE_LATE_REQUEST)


def test_withdrawn_and_unable_to_consider_cases_cannot_be_escalated():
    withdrawn = state_after(*TO_S1_RESPONDED, fact(A.WITHDRAW, d(6, 20)))
    assert withdrawn.outcome == "withdrawn"
    assert not _is_allowed(withdrawn, A.REQUEST_STAGE_2, COMPLAINANT)
    unable = state_after(
        fact(A.CANNOT_CONSIDER, d(6, 2), "A court is deciding this", category="court")
    )
    assert (unable.outcome, unable.unable_reason) == (
        "unable_to_consider",
        "A court is deciding this",
    )


@pytest.mark.parametrize(
    ("role", "action", "ok"),
    [
        pytest.param(StaffRole.INVESTIGATOR, A.RECORD_RESPONSE, True, id="investigator_responds"),
        pytest.param(StaffRole.INVESTIGATOR, A.ACCEPT_STATUTORY, False, id="investigator_triages"),
        pytest.param(StaffRole.ADMIN, A.SEND_MESSAGE, False, id="admin_casework"),
        pytest.param(COMPLAINANT, A.WITHDRAW, True, id="complainant_withdraws"),
        pytest.param(COMPLAINANT, A.RECORD_RESPONSE, False, id="complainant_responds"),
    ],
)
def test_who_may_do_what(role, action, ok):
    state = state_after(*PATHS[Step.S1_OPEN])
    assert _is_allowed(state, action, role) is ok


def test_receipt_on_a_non_working_day_follows_the_council_setting_for_every_clock():
    saturday = d(6, 6)
    default = replay(saturday, "statutory", [], TIMESCALES)
    as_received = Timescales(acknowledge=5, stage_1=10, receipt="as_received")
    counted = replay(saturday, "statutory", [], as_received)
    assert default.due == d(6, 15)  # from Monday 8 June: 5 working days after it
    assert counted.due == d(6, 12)  # Monday 8 June is the first working day after receipt
    ack = [fact(A.ACCEPT_STATUTORY, d(6, 8)), fact(A.ACKNOWLEDGE, d(6, 8))]
    assert replay(saturday, "statutory", ack, TIMESCALES).due == d(6, 22)
    assert replay(saturday, "statutory", ack, as_received).due == d(6, 19)
