"""The procedure right at every edge (issue 13, part 3): each test names the rule it checks.

Dates are real calendar dates (time_machine moves the clock), so every deadline here can be
checked against a calendar: received Tuesday 1 December 2026 unless a test says otherwise.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import PointOutcome
from portal.services import casework, complaints, status_links
from portal.stages import Step
from tests.pages import PageClient
from tests.portal.journey import YOUNG_PERSON, open_link, send_complaint
from tests.staff.conftest import do, load, sign_in

pytestmark = [pytest.mark.pages, pytest.mark.usefixtures("make_staff")]


def at(day: date, hour: int = 10):
    return time_machine.travel(datetime(day.year, day.month, day.day, hour, tzinfo=UTC), tick=False)


def _send(app) -> str:
    done = send_complaint(PageClient(app.test_client()), YOUNG_PERSON)
    return done.select_one("#reference").text.strip()


def _manager(app, make_staff=None) -> PageClient:
    return sign_in(app, "manager@council.example")


def _status(app, reference: str) -> PageClient:
    with app.app_context():
        token = status_links.token_for(complaints.by_reference(reference))
    person = PageClient(app.test_client())
    open_link(person, f"/s/{token}")
    return person


def _state(app, reference: str):
    with app.app_context():
        return casework.state_of(complaints.by_reference(reference))


def _answer_every_point(app, reference: str, outcome: str = "upheld") -> dict[str, str]:
    fields = {}
    for point in load(app, reference).points:
        if point.held_reason:
            continue
        fields[f"outcome-{point.id}"] = outcome
        fields[f"remedy-{point.id}-apology"] = "yes"
    return fields


def _reply(person, app, reference: str, **more) -> None:
    fields = {"finding": "Visits were missed.", "remedy": "Visits are booked a month ahead."}
    do(
        person,
        reference,
        "record_response",
        **{**fields, **_answer_every_point(app, reference), **more},
    )


@pytest.fixture
def received(app, make_staff):
    """A complaint received on Tuesday 1 December 2026, accepted and acknowledged that day."""
    make_staff("manager")
    with at(date(2026, 12, 1)):
        reference = _send(app)
        manager = _manager(app)
        do(manager, reference, "accept_statutory")
        do(manager, reference, "acknowledge")
    return reference


def test_reg_8_a_pause_needs_a_reason_the_regulations_allow(app, received):
    with at(date(2026, 12, 2)):
        manager = _manager(app)
        page = do(manager, received, "pause", expect=400, reason="Busy.")
        assert "Choose why the clock stops." in page.text
        do(manager, received, "pause", category="police", reason="The police are looking.")
        assert _state(app, received).paused


def test_a_backdated_pause_cannot_turn_a_late_case_on_time(app, received):
    # Stage 1 was due Tuesday 15 December 2026. By 1 March 2027 it is long overdue.
    with at(date(2027, 3, 1)):
        manager = _manager(app)
        assert _state(app, received).due == date(2026, 12, 15)
        page = do(
            manager,
            received,
            "pause",
            expect=400,
            category="complainant_asked",
            reason="They asked us to wait.",
            on="2026-12-02",
        )
        assert "This case has been late since" in page.text
        assert "does not make the late days on time" in page.text
        do(manager, received, "pause", category="complainant_asked", reason="They asked to wait.")
    with at(date(2027, 4, 1)):
        manager = _manager(app)
        do(manager, received, "resume")
        state = _state(app, received)
        assert state.due == date(2026, 12, 15), "a pause begun while late moves nothing"
        case = manager.get(f"/staff/cases/{received}")
        assert "Overdue" in case.select_one("#deadline").text


def test_a_pause_cannot_start_before_the_last_recorded_move(app, received):
    with at(date(2026, 12, 8)):
        manager = _manager(app)
        page = do(
            manager, received, "pause", expect=400, category="police", reason="x", on="2026-11-30"
        )
        assert "cannot be before the complaint was received" in page.text
        do(manager, received, "pause", category="police", reason="Police.", on="2026-12-03")
    with at(date(2026, 12, 10)):
        manager = _manager(app)
        do(manager, received, "resume")
        # Paused Thu 3 to Thu 10 December: 5 working days later than 15 December.
        assert _state(app, received).due == date(2026, 12, 22)


def test_the_timeline_shows_the_day_staff_entered_with_the_day_it_was_recorded(app, make_staff):
    make_staff("manager")
    with at(date(2026, 12, 1)):
        reference = _send(app)
        manager = _manager(app)
        do(manager, reference, "accept_statutory")
    with at(date(2026, 12, 9)):
        manager = _manager(app)
        do(manager, reference, "acknowledge", on="2026-12-01")
        case = manager.get(f"/staff/cases/{reference}")
        first = case.select(".staff-timeline li")[0].get_text(" ", strip=True)
        assert first.startswith("Tuesday 1 December 2026 (recorded Wednesday 9 December 2026)")
        progress = _status(app, reference).get("/progress")
        said = [li.get_text(" ", strip=True) for li in progress.select(".timeline li")]
        assert any(
            s.startswith("Tuesday 1 December 2026") and "said they have it" in s for s in said
        )


def _to_stage_3_papers(app, reference: str, *, panel_on: str = "2027-03-01") -> PageClient:
    manager = _manager(app)
    _reply(manager, app, reference)
    do(manager, reference, "request_stage_2")
    do(
        manager,
        reference,
        "appoint_investigators",
        investigating_officer="Sam Reed",
        independent_person="Kim Lowe",
    )
    do(manager, reference, "agree_statement", statement="1. Visits were cancelled.")
    _reply(
        manager,
        app,
        reference,
        investigation_report="Visits were cancelled four times.",
        independent_report="The investigation was fair.",
    )
    do(manager, reference, "request_stage_3")
    do(manager, reference, "acknowledge")
    return manager


def test_reg_19_the_panel_is_three_independent_people_none_from_stage_2(app, received):
    with at(date(2026, 12, 4)):
        manager = _to_stage_3_papers(app, received)
        base = {"panel_on": "2027-01-12", "chair": "Ann Chair"}
        page = do(manager, received, "convene_panel", expect=400, **base, members="Bea Two")
        assert "three independent people" in page.text
        page = do(
            manager, received, "convene_panel", expect=400, **base, members="Bea Two\nKim Lowe"
        )
        assert "independent person at Stage 2" in page.text
        do(manager, received, "convene_panel", **base, members="Bea Two\nCal Three")
        case = manager.get(f"/staff/cases/{received}")
        assert "Ann Chair (chair), Bea Two, Cal Three" in case.text


def test_a_late_panel_is_allowed_with_a_reason_and_the_report_follows_the_panel(app, received):
    with at(date(2026, 12, 4)):
        manager = _to_stage_3_papers(app, received)
        members = {"chair": "Ann Chair", "members": "Bea Two\nCal Three"}
        # Requested Fri 4 Dec 2026: 30 working days later, past Christmas, Boxing Day (on
        # Monday 28th) and New Year's Day, is Wednesday 20 January 2027.
        assert _state(app, received).due == date(2027, 1, 20)
        page = do(manager, received, "convene_panel", expect=400, panel_on="2027-02-01", **members)
        assert "Write why it will meet later." in page.text
        do(
            manager,
            received,
            "convene_panel",
            panel_on="2027-02-01",
            late_reason="The only date all three could meet.",
            **members,
        )
        do(manager, received, "circulate_papers")
    with at(date(2027, 2, 3)):
        manager = _manager(app)
        page = do(
            manager,
            received,
            "record_panel_report",
            expect=400,
            finding="Uphold point 1.",
            on="2027-01-29",
        )
        assert "cannot be dated before the panel met" in page.text
        do(manager, received, "record_panel_report", finding="The panel upholds point 1.")
        progress = _status(app, received).get("/progress")
        assert "What the panel said: The panel upholds point 1." in progress.text
        _reply(manager, app, received, finding="The director agrees with the panel.")
        state = _state(app, received)
        assert state.step == Step.S3_RESPONDED
        assert state.ask_again_by is None, "no next stage after Stage 3"
        assert state.ombudsman_by == date(2028, 2, 3)
        case = manager.get(f"/staff/cases/{received}")
        assert "They can ask for the next stage until" not in case.text
        assert case.select_one("#ombudsman-by").text == "Thursday 3 February 2028"
        progress = _status(app, received).get("/progress")
        assert "The director agrees with the panel." in progress.text
        assert not progress.select_one("#still-not-happy")
        assert "Thursday 3 February 2028" in progress.select_one("#ombudsman").text


def test_stage_2_records_the_statement_and_both_reports(app, received):
    with at(date(2026, 12, 4)):
        manager = _manager(app)
        _reply(manager, app, received)
        do(manager, received, "request_stage_2")
        do(
            manager,
            received,
            "appoint_investigators",
            investigating_officer="Sam Reed",
            independent_person="Kim Lowe",
        )
        page = do(manager, received, "agree_statement", expect=400)
        assert "Write the statement of complaint that was agreed." in page.text
        do(manager, received, "agree_statement", statement="1. Visits were cancelled.")
        page = manager.get(f"/staff/cases/{received}/do/record_response")
        assert page.select_one("#investigation_report") and page.select_one("#independent_report")
        page = do(
            manager,
            received,
            "record_response",
            expect=400,
            finding="Upheld.",
            remedy="Sorry.",
            **_answer_every_point(app, received),
        )
        assert "Record the investigating officer's report." in page.text
        assert "Record the independent person's report." in page.text


def test_setting_up_stage_2_has_a_clock_that_turns_red(app, received):
    with at(date(2026, 12, 4)):
        manager = _manager(app)
        _reply(manager, app, received)
        do(manager, received, "request_stage_2")
        # Asked for Friday 4 December: 10 working days to agree the statement.
        assert _state(app, received).due == date(2026, 12, 18)
    with at(date(2026, 12, 23)):
        manager = _manager(app)
        case = manager.get(f"/staff/cases/{received}")
        assert "Statement of complaint agreed" in case.select_one("#deadline").text
        assert "Overdue" in case.select_one("#deadline").text
        assert case.select_one("#setup-wait").text.startswith("13 working days")
        row = manager.get(f"/staff/cases?reference={received}").select_one("tbody tr")
        assert "Overdue" in row.text and "Statement of complaint agreed" in row.text


def test_reg_8_one_point_waits_while_the_rest_go_ahead(app, received):
    with at(date(2026, 12, 4)):
        manager = _manager(app)
        points = load(app, received).points
        assert len(points) == 2
        page = do(manager, received, "hold_points", expect=400, category="court", reason="x")
        assert "Tick the points this is about." in page.text
        do(
            manager,
            received,
            "hold_points",
            category="court",
            reason="Point 1 waits for the court case about contact.",
            **{f"hold-{points[0].id}": "yes"},
        )
        form = manager.get(f"/staff/cases/{received}/do/record_response")
        assert form.select_one(f"#outcome-{points[1].id}")
        assert not form.select_one(f"#outcome-{points[0].id}"), "a held point gets no finding"
        _reply(manager, app, received)
        with app.app_context():
            decided = db.session.scalars(select(PointOutcome.point_id)).all()
        assert decided == [points[1].id]
        progress = _status(app, received).get("/progress")
        assert "Points that wait: 1." in progress.text


def test_outcomes_are_typed_columns_counted_with_one_query(app, received):
    with at(date(2026, 12, 4)):
        manager = _manager(app)
        fields = _answer_every_point(app, received, "partly_upheld")
        fields |= {k.replace("apology", "practice"): "yes" for k in fields if "-apology" in k}
        do(manager, received, "record_response", finding="Some.", remedy="Training.", **fields)
        with app.app_context():
            counts = dict(
                db.session.execute(
                    select(PointOutcome.outcome, func.count()).group_by(PointOutcome.outcome)
                ).all()
            )
            rows = db.session.scalars(select(PointOutcome)).all()
        assert counts == {"partly_upheld": 2}
        assert {r.stage for r in rows} == {"stage_1"}
        assert all(r.remedies == ["apology", "practice"] for r in rows)
        assert load(app, received).step == Step.S1_RESPONDED
        shown = manager.get(f"/staff/cases/{received}").select(".point-outcomes li")
        assert shown[0].text.startswith("Stage 1: Partly upheld – An apology; A change to")


def test_a_withdrawal_gives_every_open_point_the_outcome_withdrawn(app, received):
    with at(date(2026, 12, 4)):
        manager = _manager(app)
        do(manager, received, "withdraw", reason="They are happy now.")
        with app.app_context():
            outcomes = db.session.scalars(select(PointOutcome.outcome)).all()
        assert outcomes == ["withdrawn", "withdrawn"]
        complaint = load(app, received)
        assert (complaint.step, complaint.next_deadline_on) == ("closed", None)


def test_old_extension_notes_go_once_that_stage_is_answered(app, received):
    with at(date(2026, 12, 4)):
        manager = _manager(app)
        do(manager, received, "extend", reason="The social worker is away.", told="yes")
        status = _status(app, received)
        assert status.get("/progress").select(".extension")
        _reply(manager, app, received)
        assert not status.get("/progress").select(".extension")


def test_reg_15_resolved_locally_can_still_go_to_stage_2(app, make_staff):
    make_staff("manager")
    with at(date(2026, 12, 1)):
        reference = _send(app)
        manager = _manager(app)
        do(manager, reference, "resolve_locally", reason="Visits were rebooked with Jess.")
        status = _status(app, reference)
        page = status.get("/progress")
        assert page.select_one("#still-not-happy"), "no dead end after a local resolution"
        status.submit(page, {"words": "It happened again."}, selector="#still-not-happy form")
        assert _state(app, reference).step == Step.S2_REQUESTED


def test_cannot_consider_for_a_court_case_explains_resubmitting_and_the_ombudsman(app, make_staff):
    make_staff("manager")
    with at(date(2026, 12, 1)):
        reference = _send(app)
        manager = _manager(app)
        do(
            manager,
            reference,
            "cannot_consider",
            category="court",
            reason="A court is deciding about your contact now.",
        )
        page = _status(app, reference).get("/progress")
        assert page.select_one("#resubmit")
        assert "Wednesday 1 December 2027" in page.select_one("#ombudsman").text


def test_the_reply_date_follows_the_procedure_and_a_move_explains_the_new_date(app, make_staff):
    make_staff("manager")
    with at(date(2026, 12, 1)):
        reference = _send(app)
        with app.app_context():
            status = complaints.status_of(complaints.by_reference(reference))
            assert status.reply_by == date(2026, 12, 15)  # statutory: 10 WD from receipt
            assert complaints.first_reply_by(
                date(2026, 12, 1), "corporate", status.acknowledge_by
            ) == date(2026, 12, 22)  # acknowledged by 8 Dec, then 10 working days
            assert complaints.first_reply_by(date(2026, 12, 1), "not_council", date.max) is None
        manager = _manager(app)
        do(manager, reference, "move_to_corporate", reason="It is about a conference.")
        page = _status(app, reference).get("/progress")
        assert page.select_one("#date-changed")
        assert "Tuesday 22 December 2026" in page.select_one("#next-date").text
