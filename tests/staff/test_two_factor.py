"""Two-step sign-in: a code from an authenticator app (TOTP), or a single-use recovery code."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
import time_machine
from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEntry, RecoveryCode
from portal.services import staff as accounts
from tests.pages import PageClient
from tests.staff.conftest import PASSWORD, code_at, sign_in, turn_on_two_step

START = datetime(2026, 11, 23, 10, 0, 5, tzinfo=UTC)


def _password_only(app, email: str, password: str = PASSWORD, expect: int = 200):
    person = PageClient(app.test_client())
    page = person.get("/staff/sign-in")
    fields = {"email": email, "password": password}
    page = person.submit(page, fields, selector="form.staff-form", expect=expect)
    return person, page


def _code(person: PageClient, page, code: str, expect: int = 200):
    return person.submit(page, {"code": code}, selector="form.staff-form", expect=expect)


def _wrong(secret: str) -> str:
    """Six digits that are not the app's code for this step or either side of it."""
    near = {code_at(secret, n) for n in (-1, 0, 1)}
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in near)


def _production(app) -> None:
    # What this file tests reads only ENVIRONMENT; a real production app also needs PostgreSQL,
    # https and every council setting (tests/test_production.py), checked once below.
    app.config["ENVIRONMENT"] = "production"


def test_with_two_step_on_the_password_leads_to_a_code_page_then_the_tracker(app, make_staff):
    email = make_staff("manager")
    with time_machine.travel(START, tick=False):
        secret, _ = turn_on_two_step(app, email)
    with time_machine.travel(START + timedelta(seconds=30), tick=False):
        person, page = _password_only(app, email)
        assert page.path == "/staff/sign-in/code"
        assert page.h1 == "Enter your sign-in code"
        assert person.get("/staff/cases").path == "/staff/sign-in", "no session before the code"
        page = _code(person, person.get("/staff/sign-in/code"), code_at(secret))
        assert page.path == "/staff/cases"
    with app.app_context():
        actions = [e.action for e in db.session.scalars(select(AuditEntry))]
        assert "staff_sign_in_code_accepted" in actions and "staff_signed_in" in actions


def test_a_code_cannot_be_used_twice(app, make_staff):
    email = make_staff("officer")
    with time_machine.travel(START, tick=False):
        secret, _ = turn_on_two_step(app, email)
        enrolled = code_at(secret)
        person, page = _password_only(app, email)
        _code(person, page, enrolled, expect=400)  # the code that turned it on is spent
    with time_machine.travel(START + timedelta(seconds=30), tick=False):
        code = code_at(secret)
        sign_in(app, email, code=code)
        person, page = _password_only(app, email)
        page = _code(person, page, code, expect=400)
        assert "Check the code and try again." in page.text
        assert person.get("/staff/cases").path == "/staff/sign-in"


def test_a_recovery_code_works_once_and_is_stored_only_as_a_keyed_hash(app, make_staff):
    email = make_staff("officer")
    _, codes = turn_on_two_step(app, email)
    assert len(codes) == len(set(codes)) == 10
    with app.app_context():
        stored = db.session.scalars(select(RecoveryCode.code_hash)).all()
        assert len(stored) == 10 and not any(c.replace("-", "") in str(stored) for c in codes)
    person = sign_in(app, email, code=codes[0].upper().replace("-", " "))
    assert person.get("/staff/cases").h1 == "Cases"
    account = person.get("/staff/account")
    assert "You have 9 recovery codes left." in account.text
    again, page = _password_only(app, email)
    _code(again, page, codes[0], expect=400)


def test_wrong_codes_count_toward_the_same_lockout(app, make_staff):
    email = make_staff("officer")
    with time_machine.travel(START, tick=False):
        secret, codes = turn_on_two_step(app, email)
    with time_machine.travel(START + timedelta(seconds=30), tick=False):
        person, page = _password_only(app, email)
        for _ in range(5):
            page = _code(person, page, _wrong(secret), expect=400)
        page = _code(person, page, code_at(secret), expect=400)
        assert "Check the code and try again." in page.text
        _, page = _password_only(app, email, expect=400)
        assert page.path == "/staff/sign-in", "the password too is refused while locked"
        _, unknown = _password_only(app, "nobody@council.example", expect=400)
        assert unknown.select_one(".error-summary").text == page.select_one(".error-summary").text
    with time_machine.travel(START + timedelta(minutes=16), tick=False):
        assert sign_in(app, email, code=codes[1]).get("/staff/cases").h1 == "Cases"


def test_the_code_page_needs_a_password_first_and_does_not_wait_for_ever(app, make_staff):
    email = make_staff("officer")
    stranger = PageClient(app.test_client())
    assert stranger.get("/staff/sign-in/code").path == "/staff/sign-in"
    assert stranger.get("/staff/two-step").path == "/staff/sign-in"
    with time_machine.travel(START, tick=False):
        secret, _ = turn_on_two_step(app, email)
        person, page = _password_only(app, email)
    with time_machine.travel(START + timedelta(minutes=11), tick=False):
        page = person.submit(page, {"code": code_at(secret)}, selector="form.staff-form")
        assert page.path == "/staff/sign-in"


def test_the_set_up_page_draws_its_qr_code_inline_and_turns_two_step_on(app, make_staff):
    email = make_staff("investigator")
    person = sign_in(app, email)
    account = person.get("/staff/account")
    assert "Two-step sign-in is off" in account.text
    link = account.select_one("a[href='/staff/two-step']")
    assert link.get_text(strip=True) == "Set up two-step sign-in"
    page = person.get("/staff/two-step")
    svg = page.select_one(".qr svg")
    assert svg is not None and svg.get("role") == "img"
    assert not page.select("[style]") and not page.select("img"), "nothing the CSP would block"
    again = person.get("/staff/two-step")
    assert again.select_one("#key").text == page.select_one("#key").text, "a reload keeps it"
    secret = page.select_one("#key").text.replace(" ", "")
    with app.app_context():
        assert pyotp.TOTP(secret).provisioning_uri(
            name=email, issuer_name=accounts.TOTP_ISSUER
        ) == (accounts.two_step_uri(accounts.by_email(email)))
    wrong = person.submit(page, {"code": _wrong(secret)}, selector="form.staff-form", expect=400)
    done = person.submit(wrong, {"code": code_at(secret)}, selector="form.staff-form")
    assert done.h1 == "Save your recovery codes"
    assert len(done.select("#recovery-codes li")) == 10
    assert "Two-step sign-in is on" in person.get("/staff/account").text
    assert person.get("/staff/two-step").path == "/staff/account"
    assert _password_only(app, email)[1].path == "/staff/sign-in/code"


def test_someone_else_who_saw_an_unfinished_set_up_never_gets_the_final_secret(app, make_staff):
    email = make_staff("officer")
    first = sign_in(app, email)
    seen = first.get("/staff/two-step").select_one("#key").text
    second = sign_in(app, email)
    assert second.get("/staff/two-step").select_one("#key").text != seen


def test_new_recovery_codes_replace_the_old_ones(app, make_staff):
    email = make_staff("officer")
    _, old = turn_on_two_step(app, email)
    person = sign_in(app, email, code=old[0])
    page = person.submit(
        person.get("/staff/account"), selector="form[action='/staff/account/recovery-codes']"
    )
    new = [li.text.strip() for li in page.select("#recovery-codes li")]
    assert len(new) == 10 and not set(new) & set(old)
    stranger, page = _password_only(app, email)
    _code(stranger, page, old[1], expect=400)
    assert sign_in(app, email, code=new[0]).get("/staff/cases").h1 == "Cases"


def test_in_production_every_account_sets_up_two_step_before_anything_else(app, make_staff):
    _production(app)
    email = make_staff("manager")
    person, page = _password_only(app, email)
    assert page.path == "/staff/two-step"
    assert page.h1 == "Set up two-step sign-in"
    assert "Every staff account needs a second step" in page.text
    for path in ("/staff/cases", "/staff/account", "/staff/"):
        assert person.get(path).path == "/staff/sign-in", path
    person, page = _password_only(app, email)
    secret = page.select_one("#key").text.replace(" ", "")
    done = person.submit(page, {"code": code_at(secret)}, selector="form.staff-form")
    assert done.h1 == "Save your recovery codes"
    onward = done.select_one("a.button")["href"]
    assert person.get(onward).h1 == "Cases"


def test_in_production_an_old_session_without_two_step_ends(app, make_staff):
    email = make_staff("officer")
    person = sign_in(app, email)  # a session from before two-step was required
    _production(app)
    assert person.get("/staff/cases").path == "/staff/sign-in"


def test_locally_the_demo_manager_still_signs_in_in_one_step(app, make_staff):
    result = app.test_cli_runner().invoke(args=["staff", "demo"])
    password = result.output.split("password:")[1].split()[0]
    person = sign_in(app, "demo.manager@council.example", password)
    assert person.get("/staff/").h1 == "Cases"


def _reset_button(page, name: str) -> str:
    forms = [f for f in page.select("form") if f"Reset two-step sign-in for {name}" in f.text]
    assert len(forms) == 1
    return forms[0]["action"]


def test_a_manager_resets_someone_elses_two_step_ending_their_sessions(app, make_staff):
    email = make_staff("officer", name="Olu Officer")
    _, codes = turn_on_two_step(app, email)
    officer = sign_in(app, email, code=codes[0])
    manager = sign_in(app, make_staff("manager"))
    team = manager.get("/staff/team")
    assert team.h1 == "Staff"
    page = manager.submit(team, selector=f"form[action='{_reset_button(team, 'Olu Officer')}']")
    assert "Two-step sign-in reset" in page.text
    assert officer.get("/staff/cases").path == "/staff/sign-in", "their sessions ended"
    assert sign_in(app, email).get("/staff/cases").h1 == "Cases", "locally: optional again"
    with app.app_context():
        user = accounts.by_email(email)
        assert user.totp_secret is None and not user.recovery_codes
        entry = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "staff_two_step_reset")
        ).one()
        assert entry.actor == "manager@council.example" and entry.target == f"staff:{user.id}"
    changes = manager.get("/staff/cases").select_one("#account-changes").text
    assert "Two-step sign-in reset for Olu Officer" in changes


@pytest.mark.parametrize("role", ["officer", "investigator"])
def test_only_managers_and_admins_reset_two_step(app, make_staff, role):
    target = make_staff("manager")
    person = sign_in(app, make_staff(role))
    with app.app_context():
        user_id = accounts.by_email(target).id
    page = person.get("/staff/account")
    _, fields = page.form_data("form[action='/staff/sign-out']")
    response = person.client.post(f"/staff/accounts/{user_id}/reset-two-step", data=fields)
    assert response.status_code == 403


def test_an_admin_resets_two_step_from_the_accounts_page(app, make_staff):
    email = make_staff("manager", name="Mo Manager")
    turn_on_two_step(app, email)
    admin = sign_in(app, make_staff("admin"))
    page = admin.get("/staff/accounts")
    done = admin.submit(page, selector=f"form[action='{_reset_button(page, 'Mo Manager')}']")
    assert done.path == "/staff/accounts" and "Two-step sign-in reset" in done.text


# A real production app: PostgreSQL, https, and every setting a council must give.
COUNCIL = "https://speakup.somewhere-council.gov.uk"
PRODUCTION = {
    "ENVIRONMENT": "production",
    "SERVER_NAME": None,
    "SECRET_KEY": "p" * 64,
    "PUBLIC_BASE_URL": COUNCIL,
    "DUTY_TEAM_EMAIL": "duty.team@somewhere-council.gov.uk",
    "COUNCIL_OUT_OF_HOURS_PHONE": "0300 555 0199",
    "CHILDRENS_SERVICES_PHONE": "0300 555 0111",
    "COUNCIL_COMPLAINTS_PHONE": "0300 555 0100",
    "COUNCIL_COMPLAINTS_EMAIL": "complaints@somewhere-council.gov.uk",
    "ADVOCACY_SERVICE_CONTACT": "0808 555 0123",
}


def _csrf(response) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', response.get_data(as_text=True))[1]


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_production_app_sets_up_two_step_before_anything_else(make_app, database_url):
    app = make_app(**PRODUCTION, DATABASE_URL=database_url)
    with app.app_context():
        accounts.create("jo@somewhere-council.gov.uk", "Jo", "manager", PASSWORD)
    client = app.test_client()
    page = client.get("/staff/sign-in", base_url=COUNCIL)
    data = {"email": "jo@somewhere-council.gov.uk", "password": PASSWORD, "csrf_token": _csrf(page)}
    response = client.post("/staff/sign-in", data=data, base_url=COUNCIL)
    assert response.status_code == 303 and response.location.endswith("/staff/two-step")
    assert not any("su_device" in c for c in response.headers.getlist("Set-Cookie"))
    assert client.get("/staff/cases", base_url=COUNCIL).status_code == 303
    page = client.get("/staff/two-step", base_url=COUNCIL)
    key = re.search(r'<code id="key">([A-Z2-7 ]+)</code>', page.get_data(as_text=True))[1]
    data = {"code": code_at(key.replace(" ", "")), "csrf_token": _csrf(page)}
    done = client.post("/staff/two-step", data=data, base_url=COUNCIL)
    assert "Save your recovery codes" in done.get_data(as_text=True)
    device = [c for c in done.headers.getlist("Set-Cookie") if "su_device=" in c]
    assert device and device[0].startswith("__Host-su_device=") and "Secure" in device[0]
    assert client.get("/staff/cases", base_url=COUNCIL).status_code == 200
