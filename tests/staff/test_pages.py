"""Every staff page passes the page-checking client, at every step a case can reach."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import OutboxMessage
from portal.services import complaints, safety
from portal.stages import TRANSITIONS, Action, Step
from tests.pages import PageClient
from tests.staff.conftest import do, load, sign_in

pytestmark = pytest.mark.pages

# A route through both procedures and every stage, with what each form needs.
STATUTORY_ROUTE = [
    ("accept_statutory", {}),
    ("acknowledge", {}),
    ("hold_points", {"category": "police", "reason": "The police are looking at point 1."}),
    ("release_points", {}),
    ("record_response", {"finding": "Visits were missed.", "remedy": "Booked ahead."}),
    ("request_stage_2", {}),
    ("appoint_investigators", {"investigating_officer": "Sam", "independent_person": "Kim"}),
    ("agree_statement", {"statement": "1. Visits were cancelled."}),
    (
        "record_response",
        {
            "investigation_report": "Visits were cancelled 4 times.",
            "independent_report": "The investigation was fair.",
            "finding": "Partly right.",
            "remedy": "An apology.",
        },
    ),
    ("request_stage_3", {}),
    ("acknowledge", {}),
    (
        "convene_panel",
        {"panel_on": "2099-01-05", "chair": "Ann", "members": "Bea\nCal", "late_reason": "Dates."},
    ),
    ("circulate_papers", {}),
    ("record_panel_report", {"finding": "Uphold point 1."}),
    ("record_response", {"finding": "We agree with the panel.", "remedy": "Training."}),
    ("ombudsman_enquiry", {"ombudsman_reference": "25 001 234"}),
    ("ombudsman_outcome", {"decision": "not_upheld"}),
]


def _visit_every_form(person, reference: str, seen: set) -> None:
    case = person.get(f"/staff/cases/{reference}")
    for link in case.select(".action-list a"):
        person.get(link["href"])
        seen.add(link["href"].rsplit("/", 1)[-1])
    for form in case.select(".action-list form"):
        seen.add(form["action"].rsplit("/", 1)[-1])


def test_every_staff_page_at_every_step(app, manager, new_complaint):
    reference = new_complaint()
    seen: set[str] = set()
    for action, fields in STATUTORY_ROUTE:
        _visit_every_form(manager, reference, seen)
        points = load(app, reference).points
        if action == "record_response":
            fields = {**fields, **{f"outcome-{p.id}": "upheld" for p in points}}
            fields |= {f"remedy-{p.id}-apology": "yes" for p in points}
        if action in ("hold_points", "release_points"):
            fields = {**fields, f"hold-{points[0].id}": "yes"}
        page = do(manager, reference, action, **fields)
        assert "Done: " in page.text, action
        for point in points if action == "record_response" else ():  # so it can close
            case = manager.get(f"/staff/cases/{reference}")
            reason = {"point": str(point.id), "reason": "The remedy covers it."}
            manager.submit(case, reason, selector="#learning-not-needed-form")
    assert "Closed" in manager.get(f"/staff/cases/{reference}").select_one("#step").text
    manager.get(f"/staff/cases/{reference}/audit")

    corporate = new_complaint()
    do(manager, corporate, "move_to_corporate", reason="It is about a child protection conference.")
    do(manager, corporate, "acknowledge")
    _visit_every_form(manager, corporate, seen)
    do(manager, corporate, "extend", days="5", reason="Manager away.", told="yes")
    assert "Stage 1 response" in manager.get(f"/staff/cases/{corporate}").text

    paused = new_complaint()
    do(manager, paused, "pause", category="advocate", reason="Finding an advocate.")
    _visit_every_form(manager, paused, seen)
    do(manager, paused, "edit_points", **{"new-description": "A second point."})
    assert len(load(app, paused).points) == 3
    # Every action with a form was opened on some step.
    assert {a.value for a in Action} - seen <= {"decline_late_request", "cannot_consider"} | {
        a.value for a in Action if TRANSITIONS[a].moves.keys() == {Step.CLOSED}
    }


def test_help_request_accounts_and_error_pages(app, manager, make_staff, new_complaint):
    reference = new_complaint()
    with app.app_context():
        complaint = complaints.by_reference(reference)
        help_id = safety.request_help(None, complaint, "phone", "07700 900123").id
    tracker = manager.get("/staff/cases")
    assert tracker.select_one("#alerts-title")
    assert tracker.select("tbody tr")[0].select_one(".flag-urgent")
    help_page = manager.get(tracker.select_one(".alerts a")["href"])
    assert help_page.path == f"/staff/help/{help_id}"
    assert help_page.select_one("#contact").text == "07700 900123"
    case = manager.get(f"/staff/cases/{reference}")
    assert "They asked for someone to contact them urgently." in case.select_one("#urgent").text
    manager.get("/staff/cases/NOPE-NOPE", expect=404)
    manager.get("/staff/help/999999", expect=404)
    manager.get(f"/staff/cases/{reference}/do/not_a_move", expect=404)
    admin = sign_in(app, make_staff("admin"))
    accounts = admin.get("/staff/")
    assert accounts.h1 == "Staff accounts"
    page = admin.submit(
        accounts,
        {"name": "New Officer", "email": "not an email", "role": "officer"},
        selector="form#add-account",
        expect=400,
    )
    assert "Enter an email address like" in page.text
    page = admin.submit(
        page,
        {"name": "New Officer", "email": "new@council.example", "role": "officer"},
        selector="form#add-account",
    )
    assert "new@council.example" in page.text
    with app.app_context():  # the set-up link goes to the person, never to the admin
        message = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == "staff_set_up")
        ).one()
    newcomer = PageClient(app.test_client())
    link = "/staff/set-up/" + message.body.split("/staff/set-up/")[1].split()[0]
    choose = newcomer.get(link)
    password = "a long enough password"
    newcomer.submit(choose, {"password": password, "again": password}, selector="form.staff-form")
    assert newcomer.get("/staff/cases").h1 == "Cases"
    disable = next(
        f
        for f in page.select("form.inline-form")
        if "Disable New Officer" in f.get_text(" ", strip=True)
    )
    admin.submit(page, selector=f"form[action='{disable['action']}']")
    assert newcomer.get("/staff/cases").path == "/staff/sign-in"
