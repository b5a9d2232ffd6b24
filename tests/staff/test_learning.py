"""Themes and service areas per point, the data-breach alert, and learning actions tracked to a
manager's sign-off (issue 15, sections 1 and 2)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.clock import today_local
from portal.config import DEFAULT_SERVICE_AREAS, DEFAULT_THEMES, labelled_list
from portal.extensions import db
from portal.fields import suggested_theme
from portal.models import AuditEntry, LearningAction, OutboxMessage
from portal.services import complaints
from tests.staff.conftest import do, load, sign_in

pytestmark = pytest.mark.pages

WRONG = "wrong_or_shared_information"


def _points(app, reference):
    return [(p.id, p.topic, p.theme, p.service_area) for p in load(app, reference).points]


def _alerts(app):
    with app.app_context():
        return list(db.session.scalars(select(OutboxMessage).filter_by(kind="data_breach_alert")))


def _actions(app):
    with app.app_context():
        return list(db.session.scalars(select(LearningAction).order_by(LearningAction.id)))


def _audit(app, action):
    with app.app_context():
        return list(db.session.scalars(select(AuditEntry).filter_by(action=action)))


def _edit_points(person, reference, expect=200, **chosen):
    return do(person, reference, "edit_points", expect=expect, **chosen)


# Themes and service areas ----------------------------------------------------------------------


def test_the_default_lists_come_from_the_reference_and_can_be_changed():
    themes = labelled_list(DEFAULT_THEMES)
    assert len(themes) == 14 and WRONG in themes and themes["delay"] == "Delay"
    assert "special_guardianship" in labelled_list(DEFAULT_SERVICE_AREAS)
    assert labelled_list(" Late Visits = Late visits ,money") == {
        "late_visits": "Late visits",
        "money": "Money",
    }


def test_the_topic_suggests_a_theme_when_the_complaint_is_made(app, new_complaint):
    reference = new_complaint()
    found = {topic: theme for _id, topic, theme, _area in _points(app, reference)}
    assert found == {"social_worker": "communication", "family": "contact_with_family"}
    assert suggested_theme("family", {"placement": "Placement"}) is None  # not in the list
    assert suggested_theme("other", labelled_list(DEFAULT_THEMES)) is None


def test_staff_set_the_theme_and_service_area_of_each_point_at_triage(app, officer, new_complaint):
    reference = new_complaint()
    (first, *_), (second, *_) = _points(app, reference)
    form = officer.get(f"/staff/cases/{reference}/do/edit_points")
    assert form.select_one(f"select[name=point-{first}-theme] option[selected]")["value"] == (
        "communication"
    )
    assert form.select_one(f"select[name=point-{first}-service_area] option[value=fostering]")
    _edit_points(
        officer,
        reference,
        **{
            f"point-{first}-theme": "delay",
            f"point-{first}-service_area": "children_in_care",
            f"point-{second}-theme": "",
            f"point-{second}-service_area": "leaving_care",
        },
    )
    themes = {pid: (theme, area) for pid, _t, theme, area in _points(app, reference)}
    assert themes == {first: ("delay", "children_in_care"), second: (None, "leaving_care")}
    page = officer.get(f"/staff/cases/{reference}")
    assert "Theme: Delay. Service area: Children in care." in page.text
    assert _alerts(app) == []


def test_a_theme_not_in_the_list_is_refused_with_what_to_do(app, officer, new_complaint):
    reference = new_complaint()
    (first, *_), _second = _points(app, reference)
    page = _edit_points(officer, reference, expect=400, **{f"point-{first}-theme": "gossip"})
    assert "Choose a theme for point 1 from the list." in page.text
    assert _points(app, reference)[0][2] == "communication"


def test_wrong_or_shared_information_alerts_information_governance_once(
    app, officer, new_complaint
):
    reference = new_complaint()
    (first, *_), (second, *_) = _points(app, reference)
    _edit_points(officer, reference, **{f"point-{first}-theme": WRONG})
    _edit_points(officer, reference, **{f"point-{first}-theme": WRONG})  # again: no second
    _edit_points(officer, reference, **{f"point-{first}-theme": "delay"})
    _edit_points(officer, reference, **{f"point-{first}-theme": WRONG})  # back: still one
    (alert,) = _alerts(app)
    assert alert.to_address == app.config["INFORMATION_GOVERNANCE_EMAIL"]
    assert f"/staff/cases/{reference}" in alert.body
    words = f"{alert.subject} {alert.body}".lower()
    for typed in ("cancelling", "visits", "social worker", "jess", "complain", "family"):
        assert typed not in words
    _edit_points(officer, reference, **{f"point-{second}-theme": WRONG})
    assert len(_alerts(app)) == 2  # one per point


# Learning actions ------------------------------------------------------------------------------


def _upheld(app, manager, reference, upheld=("upheld", "partly_upheld")):
    """Take a complaint to a Stage 1 answer with these findings on its points."""
    do(manager, reference, "accept_statutory")
    do(manager, reference, "acknowledge")
    points = load(app, reference).points
    findings = dict(zip((p.id for p in points), upheld, strict=False))
    fields = {"finding": "Visits were cancelled too often.", "remedy": "Visits will be kept."}
    for p in points:
        fields[f"outcome-{p.id}"] = findings.get(p.id, "not_upheld")
        if findings.get(p.id) in ("upheld", "partly_upheld"):
            fields[f"remedy-{p.id}-apology"] = "yes"
    do(manager, reference, "record_response", **fields)
    return [p.id for p in points]


def _post(person, reference, path, form_id, expect=200, **fields):
    case = person.get(f"/staff/cases/{reference}")
    return person.submit(case, fields, selector=form_id, expect=expect)


def _add(person, reference, point, expect=200, **more):
    fields = {
        "point": str(point),
        "what": "Visits are planned a month ahead.",
        "owner_name": "Sam Patel",
        "owner_team": "Children in care team",
        "due_on": (today_local() + timedelta(days=30)).isoformat(),
        **more,
    }
    return _post(person, reference, "", "#learning-add-form", expect=expect, **fields)


def test_a_learning_action_is_recorded_done_and_signed_off_by_a_manager(
    app, manager, make_staff, new_complaint
):
    reference = new_complaint()
    first, _second = _upheld(app, manager, reference)
    officer = sign_in(app, make_staff("officer"))
    page = _add(officer, reference, first)
    assert "Saved. The learning action is recorded." in page.text
    assert page.select_one("#learning .rag-green")  # open: its own red/amber/green clock
    (action,) = _actions(app)
    assert (action.owner_name, action.owner_team, action.completed_on) == (
        "Sam Patel",
        "Children in care team",
        None,
    )
    assert not page.select_one(".learning-sign-off-form")  # nothing to sign off yet

    page = officer.submit(
        page,
        {"evidence": "The visit plan is on the team drive.", "completed_on": today_local()},
        selector=".learning-done-form",
    )
    assert "The evidence and completion date are recorded." in page.text
    assert not page.select_one(".learning-sign-off-form")  # an officer has no sign-off button
    officer.client.post(  # and the service refuses a hand-made request
        f"/staff/cases/{reference}/learning/sign-off",
        data={
            "action_id": action.id,
            "csrf_token": page.form_data(".learning-done-form")[1]["csrf_token"],
        },
    )
    assert _actions(app)[0].signed_off_utc is None

    case = manager.get(f"/staff/cases/{reference}")
    page = manager.submit(case, selector=".learning-sign-off-form")
    assert "The learning action is signed off." in page.text
    (action,) = _actions(app)
    assert action.signed_off_by == "manager@council.example" and action.signed_off_utc
    for what in ("learning_action_added", "learning_action_completed"):
        assert [e.actor for e in _audit(app, what)] == ["officer@council.example"]
    (signed,) = _audit(app, "learning_action_signed_off")
    assert signed.data["after"]["signed_off"] is True
    assert "Visits are planned" not in str(signed.data)  # facts, never the words


def test_an_officer_asking_to_sign_off_is_told_only_a_manager_can(
    app, manager, officer, new_complaint
):
    reference = new_complaint()
    first, _ = _upheld(app, manager, reference)
    page = _add(officer, reference, first)
    page = officer.submit(
        page, {"evidence": "Done.", "completed_on": today_local()}, selector=".learning-done-form"
    )
    action_id = _actions(app)[0].id
    token = page.form_data("#learning-add-form")[1]["csrf_token"]
    refused = officer.post(
        f"/staff/cases/{reference}/learning/sign-off",
        {"action_id": action_id, "csrf_token": token},
        400,
    )
    assert "Only a manager can sign off a learning action." in refused.text


def test_sign_off_needs_evidence_and_a_completion_date(app, manager, new_complaint):
    reference = new_complaint()
    first, _ = _upheld(app, manager, reference)
    page = _add(manager, reference, first)
    token = page.form_data("#learning-add-form")[1]["csrf_token"]
    action_id = _actions(app)[0].id
    refused = manager.post(
        f"/staff/cases/{reference}/learning/sign-off",
        {"action_id": action_id, "csrf_token": token},
        400,
    )
    assert "Record the evidence and the date it was done before signing" in refused.text
    assert _actions(app)[0].signed_off_utc is None


def test_validation_messages_say_what_to_do(app, manager, new_complaint):
    reference = new_complaint()
    first, _ = _upheld(app, manager, reference)
    page = _add(
        manager, reference, "", expect=400, what="", owner_name="", owner_team="", due_on=""
    )
    for message in (
        "Choose the upheld point this is about.",
        "Write what will change.",
        "Write the name of the person who owns it.",
        "Write the team that owns it.",
        "Enter the date it is due, for example 2027-01-31.",
    ):
        assert message in page.text
    yesterday = (today_local() - timedelta(days=1)).isoformat()
    page = _add(manager, reference, first, expect=400, due_on=yesterday)
    assert "The due date cannot be in the past." in page.text
    assert page.select_one("#learning-what").text == "Visits are planned a month ahead."
    page = _add(manager, reference, first)
    tomorrow = (today_local() + timedelta(days=1)).isoformat()
    page = manager.submit(
        page, {"evidence": "", "completed_on": tomorrow}, selector=".learning-done-form", expect=400
    )
    assert "Write the evidence that it was done." in page.text
    assert "The date it was done cannot be in the future." in page.text
    assert len(_actions(app)) == 1


def test_only_an_upheld_point_can_have_learning_recorded(app, manager, new_complaint):
    reference = new_complaint()
    _first, second = _upheld(app, manager, reference, upheld=("upheld",))
    page = _add(manager, reference, second, expect=400)
    assert "Choose the upheld point this is about." in page.text
    assert _actions(app) == []


def test_closing_waits_until_every_upheld_point_has_learning_or_a_reason(
    app, manager, new_complaint
):
    reference = new_complaint()
    first, second = _upheld(app, manager, reference)
    close = f"/staff/cases/{reference}/do/close"
    case = manager.get(f"/staff/cases/{reference}")
    assert not case.select_one(f"form[action='{close}']")
    assert (
        "This case cannot be closed yet: points 1, 2 were upheld. Record a learning action, "
        "or why none is needed" in case.text
    )
    token = case.form_data("#learning-add-form")[1]["csrf_token"]
    refused = manager.post(
        close, {"csrf_token": token, "version": str(load(app, reference).version)}, 400
    )
    assert "cannot be closed yet" in refused.text

    _add(manager, reference, first)
    case = manager.get(f"/staff/cases/{reference}")
    assert "point 2 was upheld" in case.text
    assert not case.select_one(f"form[action='{close}']")

    page = _post(manager, reference, "", "#learning-not-needed-form", 400, point=str(second))
    assert "Write why no learning action is needed." in page.text
    page = _post(
        manager,
        reference,
        "",
        "#learning-not-needed-form",
        point=str(second),
        reason="The practice already changed before the complaint.",
    )
    assert "No learning action needed: The practice already changed" in page.text
    assert _audit(app, "learning_not_needed")
    do(manager, reference, "close")
    assert load(app, reference).stage == "closed"


def test_a_case_with_nothing_upheld_closes_as_before(app, manager, new_complaint):
    reference = new_complaint()
    _upheld(app, manager, reference, upheld=())
    assert not manager.get(f"/staff/cases/{reference}").select_one("#learning")
    do(manager, reference, "close")
    assert load(app, reference).stage == "closed"


def test_learning_forms_need_their_csrf_token(app, manager, new_complaint):
    reference = new_complaint()
    first, _ = _upheld(app, manager, reference)
    fields = {
        "point": str(first),
        "what": "Plan visits.",
        "owner_name": "Sam",
        "owner_team": "Team",
        "due_on": (today_local() + timedelta(days=3)).isoformat(),
    }
    response = manager.client.post(f"/staff/cases/{reference}/learning", data=fields)
    assert response.status_code == 400
    assert _actions(app) == []


def test_a_learning_action_on_another_case_is_refused(app, manager, new_complaint):
    one, other = new_complaint(), new_complaint()
    first, _ = _upheld(app, manager, one)
    _upheld(app, manager, other)
    page = _add(manager, one, first)
    page = manager.get(f"/staff/cases/{other}")
    token = page.form_data("#learning-add-form")[1]["csrf_token"]
    action_id = _actions(app)[0].id
    refused = manager.post(
        f"/staff/cases/{other}/learning/done",
        {
            "action_id": action_id,
            "csrf_token": token,
            "evidence": "x",
            "completed_on": today_local().isoformat(),
        },
        400,
    )
    assert "That learning action is not on this case." in refused.text
    with app.app_context():
        assert complaints.by_reference(one) is not None
    assert _actions(app)[0].evidence is None


# The Ombudsman's remedy, and every case's open actions on the tracker --------------------------


def _ombudsman_found_fault(app, manager, reference, decision="upheld"):
    _upheld(app, manager, reference, upheld=("not_upheld", "not_upheld"))
    do(manager, reference, "ombudsman_enquiry", ombudsman_reference="25 001 234")
    do(
        manager,
        reference,
        "ombudsman_outcome",
        decision=decision,
        remedy="Apologise and pay 200 pounds for the time and trouble.",
    )


def test_an_ombudsman_remedy_is_a_source_of_learning_actions(app, manager, new_complaint):
    reference = new_complaint()
    _ombudsman_found_fault(app, manager, reference)
    case = manager.get(f"/staff/cases/{reference}")
    remedy = case.select_one("#learning-remedy").text
    assert "The Ombudsman found fault" in remedy and "pay 200 pounds" in remedy
    assert "Record a learning action for the Ombudsman's remedy." in remedy
    assert not case.select_one("#learning-not-needed-form")  # a remedy is never "not needed"
    page = _add(manager, reference, "ombudsman")
    assert "Saved. The learning action is recorded." in page.text
    (action,) = _actions(app)
    assert (action.source, action.point_id) == ("ombudsman", None)
    assert "Ombudsman's remedy" in page.select_one(f"#learning-action-{action.id}").text
    assert "Record a learning action" not in page.select_one("#learning-remedy").text
    (added,) = _audit(app, "learning_action_added")
    assert added.data["after"]["source"] == "ombudsman"


def test_no_remedy_to_learn_from_when_the_ombudsman_found_no_fault(app, manager, new_complaint):
    reference = new_complaint()
    _ombudsman_found_fault(app, manager, reference, decision="not_upheld")
    assert not manager.get(f"/staff/cases/{reference}").select_one("#learning")
    page = manager.client.post(
        f"/staff/cases/{reference}/learning",
        data={"point": "ombudsman", "what": "x", "owner_name": "x", "owner_team": "x"},
    )
    assert page.status_code == 400  # the CSRF token is missing: refused before anything
    assert _actions(app) == []


def _make_overdue(app, action_id, days=3):
    with app.app_context():
        action = db.session.get(LearningAction, action_id)
        action.due_on = today_local() - timedelta(days=days)
        db.session.commit()


def test_open_learning_actions_are_on_the_tracker_with_their_own_clock(
    app, manager, make_staff, new_complaint
):
    first_case, second_case = new_complaint(), new_complaint()
    point, _ = _upheld(app, manager, first_case)
    _add(manager, first_case, point, what="Visits are planned a month ahead.")
    _add(manager, first_case, point, what="Managers check cancelled visits each week.")
    other, _ = _upheld(app, manager, second_case)
    _add(manager, second_case, other, what="New social workers meet the child in week one.")
    late, soon, third = _actions(app)
    _make_overdue(app, late.id)

    tracker = manager.get("/staff/cases")
    counts = tracker.select_one("#learning-due-counts").text
    assert "3 open" in counts and "1 overdue" in counts
    rows = tracker.select("#learning-due tbody tr")
    assert rows[0]["id"] == f"open-action-{late.id}"  # overdue first
    assert rows[0].select_one(".rag-red") and "late" in rows[0].text
    assert tracker.select_one(f"#open-action-{third.id} .rag-green")
    assert rows[0].select_one(f"a[href$='/staff/cases/{first_case}#learning-action-{late.id}']")

    page = manager.get("/staff/learning?overdue=1")
    assert [r["id"] for r in page.select("tbody tr")] == [f"open-action-{late.id}"]
    assert "3 open, 1 overdue" in page.select_one("#learning-counts").text
    assert _audit(app, "learning_actions_viewed")

    # Done: it leaves the overdue count and waits for a manager; signed off, it leaves the list.
    case = manager.get(f"/staff/cases/{first_case}")
    manager.submit(
        case,
        {"evidence": "The plan is on the drive.", "completed_on": today_local()},
        selector=f"#learning-action-{late.id} .learning-done-form",
    )
    page = manager.get("/staff/learning")
    assert "3 open, 0 overdue, 1 done and waiting" in page.select_one("#learning-counts").text
    assert "waiting for a manager" in page.select_one(f"#open-action-{late.id}").text
    case = manager.get(f"/staff/cases/{first_case}")
    manager.submit(case, selector=f"#learning-action-{late.id} .learning-sign-off-form")
    page = manager.get("/staff/learning")
    assert not page.select_one(f"#open-action-{late.id}")
    assert "2 open" in page.select_one("#learning-counts").text

    # An investigator sees only the actions of the cases given to them.
    investigator = sign_in(app, make_staff("investigator"))
    assert investigator.get("/staff/learning").select_one("#learning-none")
