"""The tracker, the case page and stage moves over HTTP, and what the complainant then sees."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import AuditEntry, Event
from portal.services import casework, complaints
from portal.stages import Action
from tests.pages import PageClient
from tests.portal.journey import PARENT, open_link
from tests.staff.conftest import do, load, respond_at_stage_one, sign_in


def _status_page(app, reference: str) -> PageClient:
    """The complainant's own browser, holding their private link."""
    from portal.services import status_links

    with app.app_context():
        token = status_links.token_for(complaints.by_reference(reference))
    person = PageClient(app.test_client())
    open_link(person, f"/s/{token}")
    return person


def test_a_new_complaint_waits_in_triage_at_the_top_of_the_tracker(app, manager, new_complaint):
    reference = new_complaint()
    page = manager.get("/staff/cases")
    first = page.select("table.tracker tbody tr")[0]
    cells = [c.get_text(" ", strip=True) for c in first.select("td")]
    assert cells[0] == reference
    assert cells[2] == "Young person"
    assert cells[3] == "Children Act: Triage"
    assert "working days left" in cells[4] and "On track" in cells[4]
    assert cells[6] == "Not assigned"
    assert "Safety words only catch some worries" in page.text


def test_filters_and_search_by_reference(app, manager, new_complaint):
    first, second = new_complaint(), new_complaint(PARENT)
    page = manager.get(f"/staff/cases?reference={second.lower()}")
    assert [a.text for a in page.select("tbody td:first-child a")] == [second]
    assert manager.get("/staff/cases?urgent=1").select_one("#count").text.startswith("0 cases")
    assert manager.get("/staff/cases?stage=stage_1").select_one("#count").text.startswith("0")
    do(manager, first, "accept_statutory")
    page = manager.get("/staff/cases?stage=stage_1")
    assert [a.text for a in page.select("tbody td:first-child a")] == [first]
    assert manager.get("/staff/cases?mine=1").select_one("#count").text.startswith("0")
    assert manager.get("/staff/cases?unassigned=1").select_one("#count").text.startswith("2")
    with time_machine.travel(datetime.now(UTC) + timedelta(days=40)):
        overdue = sign_in(app, "manager@council.example").get("/staff/cases?overdue=1")
        assert overdue.select_one("#count").text.startswith("2")
        assert "working days late" in overdue.text and "Overdue" in overdue.text


def test_stage_one_from_triage_to_a_response_the_complainant_can_read(app, manager, new_complaint):
    reference = new_complaint()
    case = manager.get(f"/staff/cases/{reference}")
    assert "My social worker keeps cancelling our visits." in case.text
    assert "Accept under the Children Act procedure" in case.text
    do(manager, reference, "accept_statutory")
    page = do(manager, reference, "acknowledge")
    assert page.select_one("#step").text.strip().endswith("Stage 1: open")
    page = do(manager, reference, "extend", expect=400, reason="")
    assert "Write why more time is needed." in page.text
    assert "Tell the complainant about the new date" in page.text
    do(manager, reference, "extend", reason="The social worker is away.", told="yes")
    complaint = load(app, reference)
    points = {f"outcome-{p.id}": "upheld" for p in complaint.points}
    page = do(manager, reference, "record_response", expect=400, finding="")
    assert "Choose an outcome for point 1." in page.text
    page = do(
        manager,
        reference,
        "record_response",
        expect=400,
        finding="We found visits were missed.",
        **points,
    )
    assert "Write the remedy for the points that were upheld." in page.text
    assert "Choose how the council will put point 1 right." in page.text
    assert page.select_one("#finding").text == "We found visits were missed."  # nothing lost
    points |= {f"remedy-{p.id}-apology": "yes" for p in complaint.points}
    points |= {f"remedy-{p.id}-service": "yes" for p in complaint.points}
    do(
        manager,
        reference,
        "record_response",
        finding="We found visits were missed.",
        remedy="Visits are now booked a month ahead.",
        **points,
    )
    status = _status_page(app, reference)
    progress = status.get("/progress")
    assert "They need more time." in progress.text and "The social worker is away." in progress.text
    assert "What they found: We found visits were missed." in progress.text
    assert progress.select_one("#still-not-happy")


def test_the_complainant_asks_for_stage_two_from_the_status_page(app, manager, new_complaint):
    reference = new_complaint()
    respond_at_stage_one(app, manager, reference)
    status = _status_page(app, reference)
    page = status.get("/progress")
    assert "Ask by" in page.select_one("#still-not-happy").text
    page = status.submit(
        page, {"words": "Visits are still cancelled."}, selector="#still-not-happy form"
    )
    assert page.select_one("#asked-again")
    assert not page.select_one("#still-not-happy")
    case = manager.get(f"/staff/cases/{reference}")
    assert "Stage 2: asked for" in case.select_one("#step").text
    assert "In their words: Visits are still cancelled." in case.text
    assert "Late request" not in case.text


def test_a_late_request_is_marked_for_discretion_and_never_refused(app, manager, new_complaint):
    reference = new_complaint()
    respond_at_stage_one(app, manager, reference)
    with time_machine.travel(datetime.now(UTC) + timedelta(days=60)):
        status = _status_page(app, reference)
        page = status.get("/progress")
        assert "You can still ask. A manager will decide." in page.text
        status.submit(page, selector="#still-not-happy form")
        manager = sign_in(app, "manager@council.example")
        case = manager.get(f"/staff/cases/{reference}")
        assert "Asked after the 20 working days: a manager decides." in case.text
        assert "Decline the late request" in case.text
        do(
            manager,
            reference,
            "decline_late_request",
            reason="It is too long ago to look into fairly.",
        )
        progress = status.get("/progress")
        assert "A manager decided it cannot go on." in progress.text
        assert progress.select_one("#ombudsman"), "the Ombudsman is the next place to go"


def test_the_complainant_can_withdraw_from_the_status_page(app, manager, new_complaint):
    reference = new_complaint()
    status = _status_page(app, reference)
    confirm = status.get("/progress/withdraw")
    page = status.submit(confirm, selector="form[action='/progress/withdraw']")
    assert "You stopped this on" in page.text
    case = manager.get(f"/staff/cases/{reference}")
    assert "Closed" in case.select_one("#step").text
    assert "The complainant withdrew the complaint." in case.text
    tracker = manager.get("/staff/cases")
    assert tracker.select_one("#count").text.startswith("1 case"), "listed until staff check"
    assert "check with them" in tracker.select_one("tbody tr").text


def test_staff_messages_appear_on_the_status_page_as_plain_text(app, manager, new_complaint):
    reference = new_complaint()
    do(manager, reference, "send_message", message="Hi Jess. <b>We</b> will call you on Friday.")
    progress = _status_page(app, reference).get("/progress")
    assert "Message from the council: Hi Jess. We will call you on Friday." in progress.text
    assert not progress.select(".timeline b")


def test_an_illegal_move_is_refused_with_a_clear_message(app, manager, new_complaint):
    reference = new_complaint()
    page = manager.get(f"/staff/cases/{reference}/do/record_response")
    assert "You cannot do this while the case is at “Triage”." in page.select_one("#refused").text
    page = manager.submit(page, {"finding": "x"}, selector="form.staff-form", expect=400)
    assert "You cannot do this while the case is at “Triage”." in page.select_one("#refused").text
    with app.app_context():
        assert not db.session.scalar(
            select(func.count()).select_from(Event).where(Event.type == "response_sent")
        )


def test_two_people_editing_one_case_the_second_is_told(app, make_staff, new_complaint):
    reference = new_complaint()
    first = sign_in(app, make_staff("manager", "first@council.example"))
    second = sign_in(app, make_staff("officer", "second@council.example"))
    first_form = first.get(f"/staff/cases/{reference}/do/send_message")
    second_form = second.get(f"/staff/cases/{reference}/do/pause")
    first.submit(first_form, {"message": "We are on it."}, selector="form.staff-form")
    pause = {"category": "advocate", "reason": "Waiting for an advocate."}
    clash = second.submit(second_form, pause, selector="form.staff-form", expect=409)
    assert "Someone else changed this case" in clash.text
    assert clash.select_one("#reason").text == "Waiting for an advocate.", "their words are kept"
    assert load(app, reference).stage == "triage"
    with app.app_context():
        assert complaints.by_reference(reference).events[-1].type != "clock_paused"
    again = second.submit(clash, pause, selector="form.staff-form")
    assert "Clock paused" in again.text


def test_two_sessions_saving_at_once_cannot_overwrite_each_other(app, new_complaint):
    """Below the forms: the row's version catches a race between two database sessions."""
    reference = new_complaint()
    actor = casework.Actor("a@council.example", "manager")
    with app.app_context():
        mine = complaints.by_reference(reference)
        casework.state_of(mine)
        with app.app_context():
            theirs = complaints.by_reference(reference)
            casework.advance(theirs, Action.ACCEPT_STATUTORY, actor, None)
        try:
            casework.advance(mine, Action.SEND_MESSAGE, actor, None, {"message": "Hello"})
        except casework.Conflict:
            conflict = True
        else:
            conflict = False
        assert conflict
    with app.app_context():
        types = [e.type for e in complaints.by_reference(reference).events]
        assert "accepted_statutory" in types and "message_sent" not in types


def test_investigators_see_only_their_own_cases(app, manager, make_staff, new_complaint):
    mine, other = new_complaint(), new_complaint()
    email = make_staff("investigator", name="Ira Investigator")
    with app.app_context():
        from portal.services import staff as accounts

        investigator_id = accounts.by_email(email).id
    do(manager, mine, "assign", assignee=str(investigator_id))
    investigator = sign_in(app, email)
    page = investigator.get("/staff/cases")
    assert [a.text for a in page.select("tbody td:first-child a")] == [mine]
    assert investigator.get(f"/staff/cases/{other}", expect=404)
    case = investigator.get(f"/staff/cases/{mine}")
    assert "Ira Investigator" in case.select_one("#assigned").text
    assert "Accept under the Children Act procedure" not in case.text


def test_views_and_changes_are_audited_and_managers_can_read_the_trail(
    app, manager, officer, new_complaint
):
    reference = new_complaint()
    officer.get(f"/staff/cases/{reference}")
    do(officer, reference, "accept_statutory")
    trail = manager.get(f"/staff/cases/{reference}/audit")
    rows = [r.get_text(" ", strip=True) for r in trail.select("tbody tr")]
    assert any("officer@council.example case viewed" in r for r in rows)
    change = next(r for r in rows if "case accept statutory" in r)
    assert "step: triage" in change and "step: s1_to_acknowledge" in change
    officer.get(f"/staff/cases/{reference}/audit", expect=403)
    with app.app_context():
        actions = db.session.scalars(select(AuditEntry.action)).all()
        assert "audit_trail_viewed" in actions


def test_a_reference_search_finds_closed_cases_however_it_is_typed(app, manager, new_complaint):
    reference = new_complaint()
    person = _status_page(app, reference)
    person.submit(person.get("/progress/withdraw"), selector="form[action='/progress/withdraw']")
    with app.app_context():
        complaints.withdrawal_checked(complaints.by_reference(reference), "manager@council.example")
    assert manager.get("/staff/cases").select_one("#count").text.startswith("0 cases")
    typed = reference.replace("-", " ").lower()[:6]  # "abcd e", as read over the phone
    page = manager.get(f"/staff/cases?reference={typed}")
    assert [a.text for a in page.select("tbody td:first-child a")] == [reference]
