"""The complaints officer knows what to do next (issue 17, part 6).

The case page shows one recommended move, drawn from the declarations in portal/stages.py and
the case's state, with why and by when, as its main button; everything else sits under "Other
actions". Accepting and acknowledging is one declared pairing of the two moves.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
import time_machine
from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEntry
from portal.services import casework, complaints
from portal.stages import (
    MOVES,
    PAIRINGS,
    TRANSITIONS,
    Action,
    Pairing,
    Refused,
    Step,
    Together,
    allowed,
    allowed_together,
    recommended,
)
from portal.types import StaffRole
from tests.pages import PageClient
from tests.portal.journey import YOUNG_PERSON, send_complaint
from tests.staff.conftest import do, load, sign_in
from tests.staff.test_stages import PATHS, fact, state_after

pytestmark = pytest.mark.pages

A = Action
OPEN_STEPS = [step for step in PATHS if step != Step.CLOSED]


def _check_allowed(state, action, role=StaffRole.MANAGER) -> None:
    move = MOVES[action]
    if isinstance(move, Pairing):
        allowed_together(state, move, role)
    else:
        allowed(state, move.action, role)


def _today(path) -> date:
    return path[-1].on if path else date(2026, 6, 1)


@pytest.mark.parametrize("step", OPEN_STEPS, ids=str)
def test_every_reachable_step_has_a_recommended_move_that_is_allowed_there(step):
    state = state_after(*PATHS[step])
    assert state.step == step
    found = recommended(state, _today(PATHS[step]))
    assert found is not None, f"nothing recommended at {step}"
    _check_allowed(state, found.action)  # raises Refused if the table would not allow it
    assert found.label == MOVES[found.action].label
    assert found.reason.endswith(".") and len(found.reason) > 20
    if state.due is not None:
        assert found.due == state.due, "the date shown is not the case's deadline"


@pytest.mark.parametrize("step", OPEN_STEPS, ids=str)
def test_a_paused_case_is_told_to_start_the_clock_again_when_it_may_be(step):
    path = PATHS[step]
    state = state_after(*path)
    try:
        allowed(state, A.PAUSE, StaffRole.MANAGER)
    except Refused:
        return  # no clock to pause here
    day = _today(path)
    paused = state_after(*path, fact(A.PAUSE, day, "Waiting for an advocate.", category="advocate"))
    found = recommended(paused, day)
    assert found.action == A.RESUME
    assert "Waiting for an advocate." in found.reason
    _check_allowed(paused, found.action)


def test_a_closed_case_has_no_next_step():
    assert recommended(state_after(*PATHS[Step.CLOSED]), date(2026, 6, 3)) is None


def test_triage_recommends_the_move_that_fits_the_procedure():
    statutory = state_after()
    assert recommended(statutory, statutory.received_on).action == Together.ACCEPT_AND_ACKNOWLEDGE
    corporate = state_after(procedure="corporate")
    assert recommended(corporate, corporate.received_on).action == A.MOVE_TO_CORPORATE
    elsewhere = state_after(procedure="not_council")
    assert recommended(elsewhere, elsewhere.received_on).action == A.CANNOT_CONSIDER


def test_after_a_reply_it_waits_for_the_next_stage_then_closes():
    state = state_after(*PATHS[Step.S1_RESPONDED])
    within = recommended(state, state.ask_again_by)
    assert within.action == A.REQUEST_STAGE_2 and within.due == state.ask_again_by
    later = recommended(state, date(2026, 12, 1))
    assert later.action == A.CLOSE
    last = state_after(*PATHS[Step.S3_RESPONDED])
    assert recommended(last, date(2026, 9, 2)).action == A.CLOSE
    assert "Ombudsman" in recommended(last, date(2026, 9, 2)).reason


def test_a_late_request_says_a_manager_may_decline_it():
    state = replace(state_after(*PATHS[Step.S2_REQUESTED]), late_request=True)
    found = recommended(state, date(2026, 6, 15))
    assert found.action == A.APPOINT_INVESTIGATORS and "manager may decline" in found.reason


def test_the_pairing_is_the_two_declared_moves_and_is_refused_where_either_is():
    pairing = PAIRINGS[Together.ACCEPT_AND_ACKNOWLEDGE]
    assert pairing.steps == (A.ACCEPT_STATUTORY, A.ACKNOWLEDGE)
    assert pairing.roles <= TRANSITIONS[A.ACCEPT_STATUTORY].roles & TRANSITIONS[A.ACKNOWLEDGE].roles
    assert pairing.direct  # nothing to ask but the date: one button
    allowed_together(state_after(), pairing, StaffRole.OFFICER)
    with pytest.raises(Refused):
        allowed_together(state_after(*PATHS[Step.S1_TO_ACKNOWLEDGE]), pairing, StaffRole.OFFICER)
    with pytest.raises(Refused):
        allowed_together(state_after(), pairing, StaffRole.INVESTIGATOR)
    paused = state_after(fact(A.PAUSE, date(2026, 6, 2), "Wait.", category="advocate"))
    with pytest.raises(Refused):
        allowed_together(paused, pairing, StaffRole.OFFICER)
    # As facts, the pairing is nothing but its two moves, one after the other.
    day = date(2026, 6, 2)
    both = state_after(fact(A.ACCEPT_STATUTORY, day), fact(A.ACKNOWLEDGE, day))
    assert both.step == Step.S1_OPEN and both.due_what == "stage_1_response"


# --- Over HTTP ------------------------------------------------------------------------------


def _send(app) -> str:
    done = send_complaint(PageClient(app.test_client()), YOUNG_PERSON)
    return done.select_one("#reference").text.strip()


def _at(day: date, hour: int = 10):
    return time_machine.travel(datetime(day.year, day.month, day.day, hour, tzinfo=UTC), tick=False)


def test_a_new_officer_sees_one_next_step_with_why_and_when(app, make_staff):
    with _at(date(2026, 12, 1)):  # a Tuesday
        officer = sign_in(app, make_staff("officer"))
        reference = _send(app)
        case = officer.get(f"/staff/cases/{reference}")
        panel = case.select_one("#next-step")
        assert panel is not None
        assert "New complaint under the Children Act procedure" in panel.text
        assert "Tuesday 8 December 2026" in case.select_one("#next-step-due").text
        main = panel.select("button.button, a.button")
        assert [b.get_text(strip=True) for b in main] == [
            "Accept under the Children Act procedure and record the acknowledgement"
        ]
        assert "button-secondary" not in main[0]["class"]
        # Every other move sits under "Other actions", as a secondary button, once.
        assert case.select_one("#actions-title").text == "Other actions"
        others = [b.get_text(strip=True) for b in case.select("#other-actions .button")]
        assert "Accept under the Children Act procedure" in others
        assert "Pause the clock" in others
        assert main[0].get_text(strip=True) not in others
        assert all("button-secondary" in b["class"] for b in case.select("#other-actions .button"))
        # The main button is the whole first correct move.
        url = f"/staff/cases/{reference}/do/accept_and_acknowledge"
        page = officer.submit(case, selector=f"#next-step form[action='{url}']")
        assert "Done: Accept under the Children Act procedure and record the acknowledgement" in (
            page.select_one(".panel-done").text
        )
        assert page.select_one("#step").text.strip().endswith("Stage 1: open")
        assert "Record the response and outcomes" in page.select_one("#next-step").text
        assert "Stage 1 response" in page.select_one("#deadline").text
        assert "Tuesday 15 December 2026" in page.select_one("#next-step-due").text


def test_accept_and_acknowledge_equals_the_two_moves_one_after_the_other(app, make_staff):
    with _at(date(2026, 12, 1)):
        manager = sign_in(app, make_staff("manager"))
        together, apart = _send(app), _send(app)
        do(manager, together, "accept_and_acknowledge")
        do(manager, apart, "accept_statutory")
        do(manager, apart, "acknowledge")
    with app.app_context():
        one, two = complaints.by_reference(together), complaints.by_reference(apart)

        def moves(complaint):
            return [
                (e.type, e.happened_on, e.data, e.note, e.actor)
                for e in complaint.events
                if e.type in {"accepted_statutory", "acknowledged"}
            ]

        assert moves(one) == moves(two) and len(moves(one)) == 2
        assert casework.state_of(one) == casework.state_of(two)
        columns = ("stage", "step", "next_deadline_on", "next_due_what", "procedure")
        assert [getattr(one, c) for c in columns] == [getattr(two, c) for c in columns]
        # Each move is audited as itself, as if made one after the other.
        for reference in (together, apart):
            audited = db.session.scalars(
                select(AuditEntry.action)
                .where(AuditEntry.target == f"complaint:{reference}")
                .where(AuditEntry.action.like("case_%"), AuditEntry.action != "case_viewed")
                .order_by(AuditEntry.id)
            ).all()
            assert audited == ["case_accept_statutory", "case_acknowledge"]


def test_the_pairing_form_checks_its_date_and_saves_nothing_on_a_mistake(app, make_staff):
    manager = sign_in(app, make_staff("manager"))
    reference = _send(app)
    url = f"/staff/cases/{reference}/do/accept_and_acknowledge"
    form = manager.get(url)
    assert form.h1.startswith("Accept under the Children Act procedure and record")
    page = manager.submit(form, {"on": "31/02/2026"}, selector="form.staff-form", expect=400)
    assert page.select_one(".error-summary")
    complaint = load(app, reference)
    assert [
        e.type for e in complaint.events if e.type in {"accepted_statutory", "acknowledged"}
    ] == []
    # An old version is caught, and nothing is written.
    version = complaint.version
    do(manager, reference, "assign", assignee=str(_staff_id(app, "manager@council.example")))
    stale = manager.get(url)
    stale_form = {"csrf_token": stale.select_one("input[name=csrf_token]")["value"]}
    response = manager.client.post(url, data={**stale_form, "version": str(version)})
    assert response.status_code == 409
    assert load(app, reference).step == "triage"
    # Once accepted, the pairing is refused and says why.
    do(manager, reference, "accept_statutory")
    refused = manager.get(url)
    assert refused.select_one("#refused") is not None


def _staff_id(app, email: str) -> int:
    from portal.services import staff as accounts

    with app.app_context():
        return accounts.by_email(email).id


def test_an_investigator_sees_the_next_step_but_not_a_button_they_cannot_use(app, make_staff):
    manager = sign_in(app, make_staff("manager"))
    investigator_email = make_staff("investigator")
    reference = _send(app)
    do(manager, reference, "assign", assignee=str(_staff_id(app, investigator_email)))
    investigator = sign_in(app, investigator_email)
    case = investigator.get(f"/staff/cases/{reference}")
    panel = case.select_one("#next-step")
    assert panel.select(".button") == []
    assert "Your role cannot do this" in panel.select_one("#next-step-not-yours").text
    form = investigator.get(f"/staff/cases/{reference}/do/accept_and_acknowledge")
    assert "Your role cannot do this" in form.select_one("#refused").text
    page = investigator.submit(form, selector="form.staff-form", expect=400)
    assert "Your role cannot do this" in page.select_one("#refused").text
    assert load(app, reference).step == "triage"
