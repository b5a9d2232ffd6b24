"""Sign-in a council security team would accept: lockout, no enumeration, revocable sessions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEntry
from staff.auth import safe_next
from tests.pages import PageClient
from tests.staff.conftest import PASSWORD, sign_in


def _try(app, email: str, password: str):
    person = PageClient(app.test_client())
    page = person.get("/staff/sign-in")
    action, fields = page.form_data("form.staff-form")
    response = person.client.post(action, data={**fields, "email": email, "password": password})
    return person, response


def test_a_manager_signs_in_and_lands_on_the_tracker(app, make_staff):
    person = sign_in(app, make_staff("manager"))
    page = person.get("/staff/")
    assert page.path == "/staff/cases"
    assert page.h1 == "Cases"


def test_a_wrong_email_and_a_wrong_password_get_the_same_answer(app, make_staff):
    email = make_staff("officer")
    _, unknown = _try(app, "nobody@council.example", PASSWORD)
    _, wrong = _try(app, email, "not the password at all")
    assert unknown.status_code == wrong.status_code == 400
    text = "Check your email address and password, then try again."
    assert text in unknown.get_data(as_text=True)
    assert text in wrong.get_data(as_text=True)
    assert unknown.get_data(as_text=True).count("nobody@council.example") == 1  # only the box
    with app.app_context():
        entries = db.session.scalars(select(AuditEntry)).all()
        failures = [e for e in entries if e.action == "staff_sign_in_failed"]
        assert len(failures) == 2
        logged = str([(e.actor, e.target, e.data) for e in entries])
        assert PASSWORD not in logged and "not the password" not in logged
        assert "nobody@council.example" not in logged


def test_five_failures_lock_the_account_for_fifteen_minutes(app, make_staff):
    email = make_staff("officer")
    start = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        for _ in range(5):
            _try(app, email, "wrong password guess")
        _, locked = _try(app, email, PASSWORD)
        assert locked.status_code == 400, "even the right password is refused while locked"
        assert "Check your email address and password" in locked.get_data(as_text=True)
    with time_machine.travel(start + timedelta(minutes=16), tick=False):
        _, unlocked = _try(app, email, PASSWORD)
        assert unlocked.status_code == 303


def test_sign_in_is_rate_limited_per_address(app, make_staff):
    email = make_staff("officer")
    codes = [_try(app, email + "x", "guess")[1].status_code for _ in range(12)]
    assert codes[:10] == [400] * 10
    assert codes[-1] == 429
    person = PageClient(app.test_client())
    page = person.get("/staff/sign-in")
    action, fields = page.form_data("form.staff-form")
    response = person.client.post(action, data={**fields, "email": email, "password": PASSWORD})
    assert response.status_code == 429
    assert "Wait a minute, then try again." in response.get_data(as_text=True)


def test_signing_out_ends_every_session_of_that_account(app, make_staff):
    email = make_staff("manager")
    laptop, phone = sign_in(app, email), sign_in(app, email)
    assert phone.get("/staff/cases").path == "/staff/cases"
    laptop.submit(laptop.get("/staff/cases"), selector="form[action='/staff/sign-out']")
    assert phone.get("/staff/cases").path == "/staff/sign-in"
    assert laptop.get("/staff/cases").path == "/staff/sign-in"


def test_disabling_an_account_ends_its_session_at_once(app, make_staff):
    email = make_staff("officer")
    person = sign_in(app, email)
    assert person.get("/staff/cases").path == "/staff/cases"
    result = app.test_cli_runner().invoke(args=["staff", "disable", email])
    assert result.exit_code == 0, result.output
    assert person.get("/staff/cases").path == "/staff/sign-in"
    _, again = _try(app, email, PASSWORD)
    assert again.status_code == 400


def test_an_idle_session_times_out(app, make_staff):
    email = make_staff("officer")
    start = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        person = sign_in(app, email)
    with time_machine.travel(start + timedelta(minutes=29), tick=False):
        assert person.get("/staff/cases").path == "/staff/cases", "use keeps it alive"
    with time_machine.travel(start + timedelta(minutes=29 + 31), tick=False):
        page = person.get("/staff/cases")
        assert page.path == "/staff/sign-in"
        assert "You were signed out" in page.text


def test_after_sign_in_people_go_back_where_they_were(app, make_staff, new_complaint):
    email = make_staff("manager")
    reference = new_complaint()
    person = PageClient(app.test_client())
    page = person.get(f"/staff/cases/{reference}")
    assert page.path == "/staff/sign-in"
    page = person.submit(page, {"email": email, "password": PASSWORD}, selector="form.staff-form")
    assert page.path == f"/staff/cases/{reference}"


@pytest.mark.parametrize(
    ("target", "safe"),
    [
        ("/staff/cases?urgent=1", True),
        ("//evil.example/staff/", False),
        ("https://evil.example/staff/cases", False),
        ("/chat/who", False),
        ("/staff/\\evil", False),
        (None, False),
    ],
)
def test_only_staff_paths_on_this_site_are_gone_back_to(target, safe):
    assert (safe_next(target) is not None) is safe


def test_the_cli_makes_accounts_with_a_long_password(app):
    runner = app.test_cli_runner()
    short = runner.invoke(
        args=["staff", "add", "a@council.example", "--role", "officer", "--password", "short"]
    )
    assert short.exit_code != 0 and "at least 12 characters" in short.output
    made = runner.invoke(
        args=["staff", "add", "a@council.example", "--role", "officer", "--password", PASSWORD]
    )
    assert made.exit_code == 0 and "Created a@council.example as officer." in made.output
    assert sign_in(app, "a@council.example").get("/staff/cases").h1 == "Cases"


def test_make_run_makes_one_demo_manager_but_never_in_production(make_app):
    production = make_app(ENVIRONMENT="production")
    refused = production.test_cli_runner().invoke(args=["staff", "demo"])
    assert refused.exit_code != 0 and "never" in refused.output
    local = make_app()
    first = local.test_cli_runner().invoke(args=["staff", "demo"])
    assert "demo.manager@council.example" in first.output
    password = first.output.split("password:")[1].split()[0]
    assert sign_in(local, "demo.manager@council.example", password).get("/staff/").h1 == "Cases"
    again = local.test_cli_runner().invoke(args=["staff", "demo"])
    assert again.exit_code == 0 and "password" not in again.output, "shown once only"
