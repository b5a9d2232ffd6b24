"""Sign-in a council security team would accept: lockout, no enumeration, revocable sessions."""

from __future__ import annotations

import hashlib
import hmac
import threading
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from portal.clock import now_utc
from portal.extensions import db
from portal.models import AuditEntry
from portal.services import staff as accounts
from staff.auth import safe_next
from tests.pages import PageClient
from tests.staff.conftest import PASSWORD, sign_in, sign_in_again


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


def test_the_cli_adds_an_account_and_prints_a_set_up_link_not_a_password(app):
    runner = app.test_cli_runner()
    bad = runner.invoke(args=["staff", "add", "a@", "--role", "officer"])
    assert bad.exit_code != 0 and "Enter an email address like" in bad.output
    made = runner.invoke(args=["staff", "add", "a@council.example", "--role", "officer"])
    assert made.exit_code == 0, made.output
    assert "Created a@council.example as officer." in made.output
    link = made.output.split("/staff/set-up/")[1].split()[0]
    with app.app_context():
        assert accounts.by_email("a@council.example").password_hash is None
    person = PageClient(app.test_client())
    page = person.get(f"/staff/set-up/{link}")
    page = person.submit(
        page, {"password": PASSWORD, "again": PASSWORD}, selector="form.staff-form"
    )
    assert page.h1 == "Cases"
    assert sign_in(app, "a@council.example").get("/staff/cases").h1 == "Cases"


def test_a_fresh_cli_set_up_link_ends_older_ones(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["staff", "add", "b@council.example", "--role", "manager"])
    old = first.output.split("/staff/set-up/")[1].split()[0]
    again = runner.invoke(args=["staff", "set-up-link", "b@council.example"])
    assert again.exit_code == 0, again.output
    new = again.output.split("/staff/set-up/")[1].split()[0]
    person = PageClient(app.test_client())
    assert person.get(f"/staff/set-up/{old}", expect=404).h1 == "This set-up link does not work"
    assert person.get(f"/staff/set-up/{new}").h1 == "Choose your password"
    missing = runner.invoke(args=["staff", "set-up-link", "nobody@council.example"])
    assert missing.exit_code != 0


def test_make_run_makes_one_demo_manager_but_never_in_production(make_app):
    local = make_app()
    local.config["ENVIRONMENT"] = "production"  # a real production app also needs PostgreSQL
    refused = local.test_cli_runner().invoke(args=["staff", "demo"])
    assert refused.exit_code != 0 and "never" in refused.output
    local.config["ENVIRONMENT"] = "local"
    first = local.test_cli_runner().invoke(args=["staff", "demo"])
    assert "demo.manager@council.example" in first.output
    password = first.output.split("password:")[1].split()[0]
    assert sign_in(local, "demo.manager@council.example", password).get("/staff/").h1 == "Cases"
    again = local.test_cli_runner().invoke(args=["staff", "demo"])
    assert again.exit_code == 0 and "password" not in again.output, "shown once only"


# Hardening (issue 11, section 3): the counter under concurrency, lockout as a weapon, the audit.


def _locked_until(app, email: str):
    with app.app_context():
        return accounts.by_email(email).locked_until_utc


def test_wrong_passwords_sent_at_once_are_all_counted(app, make_staff):
    """Read-then-write lost updates: 8 guesses at once used to count as one."""
    app.config["TEST_HASH_METHOD"] = "scrypt"  # the real cost, so the checks overlap as live
    email = make_staff("officer")
    browsers = []
    for _ in range(8):
        person = PageClient(app.test_client())
        action, fields = person.get("/staff/sign-in").form_data("form.staff-form")
        browsers.append((person.client, action, {**fields, "email": email, "password": "guess"}))
    barrier = threading.Barrier(len(browsers))
    codes: list[int] = []

    def attempt(client, action, data) -> None:
        barrier.wait()
        codes.append(client.post(action, data=data).status_code)  # its own app context

    threads = [threading.Thread(target=attempt, args=browser) for browser in browsers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert codes == [400] * 8
    locked_until = _locked_until(app, email)
    assert locked_until is not None and locked_until > now_utc(), "five or more counted: locked"
    _, right = _try(app, email, PASSWORD)
    assert right.status_code == 400
    with app.app_context():
        failures = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "staff_sign_in_failed")
        ).all()
        assert len(failures) == 9


def test_a_known_browser_signs_in_while_strangers_have_locked_the_account(app, make_staff):
    email = make_staff("officer")
    mine = sign_in(app, email)  # this browser now holds a known-device cookie for the account
    mine.submit(mine.get("/staff/cases"), selector="form[action='/staff/sign-out']")
    for _ in range(5):
        _try(app, email, "a stranger's guess")
    _, stranger = _try(app, email, PASSWORD)
    assert stranger.status_code == 400, "locked for every browser it does not know"
    assert sign_in_again(mine, email).get("/staff/cases").h1 == "Cases"
    assert _locked_until(app, email) > now_utc(), "still locked for strangers"


def test_a_known_browser_has_its_own_smaller_limit(app, make_staff):
    email = make_staff("officer")
    start = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        mine = sign_in(app, email)
        mine.submit(mine.get("/staff/cases"), selector="form[action='/staff/sign-out']")
        page = mine.get("/staff/sign-in")
        for _ in range(3):
            page = mine.submit(
                page, {"email": email, "password": "typo"}, selector="form.staff-form", expect=400
            )
        page = mine.submit(
            page, {"email": email, "password": PASSWORD}, selector="form.staff-form", expect=400
        )
        assert "Check your email address and password" in page.text
        assert _locked_until(app, email) is None, "the device's failures are its own"
        assert sign_in(app, email).get("/staff/cases").h1 == "Cases"
    with time_machine.travel(start + timedelta(minutes=16), tick=False):
        assert sign_in_again(mine, email).get("/staff/cases").h1 == "Cases"


def _device_cookie(response) -> str:
    cookies = [c for c in response.headers.getlist("Set-Cookie") if "su_device=" in c]
    assert len(cookies) == 1, response.headers.getlist("Set-Cookie")
    return cookies[0]


def test_the_known_device_cookie_is_signed_http_only_lax_and_lasts_90_days(app, make_staff):
    email = make_staff("officer")
    _, response = _try(app, email, PASSWORD)
    assert response.status_code == 303
    cookie = _device_cookie(response)
    attributes = [part.strip().lower() for part in cookie.split(";")]
    assert cookie.startswith("su_device=")
    assert {"httponly", "samesite=lax", "path=/", "max-age=7776000"} <= set(attributes)
    assert "secure" not in attributes
    assert email not in cookie, "names the account by id, never by email"
    forged = PageClient(app.test_client())
    forged.client.set_cookie("su_device", cookie.split(";")[0].split("=", 1)[1][:-2] + "xx")
    for _ in range(5):
        _try(app, email, "a stranger's guess")
    page = forged.get("/staff/sign-in")
    forged.submit(
        page, {"email": email, "password": PASSWORD}, selector="form.staff-form", expect=400
    )


def test_behind_https_the_device_cookie_is_secure_and_host_only(make_app):
    app = make_app(SESSION_COOKIE_SECURE=True, WTF_CSRF_ENABLED=False)
    with app.app_context():
        accounts.create("secure@council.example", "Secure", "officer", PASSWORD)
    response = app.test_client().post(
        "/staff/sign-in",
        data={"email": "secure@council.example", "password": PASSWORD},
        base_url="https://speakup.test",
    )
    assert response.status_code == 303
    cookie = _device_cookie(response)
    attributes = [part.strip().lower() for part in cookie.split(";")]
    assert cookie.startswith("__Host-su_device=")
    assert {"secure", "httponly", "samesite=lax", "path=/"} <= set(attributes)
    assert not any(part.startswith("domain=") for part in attributes)


def test_failures_from_one_address_are_throttled_across_accounts(make_app):
    app = make_app(
        STAFF_SIGN_IN_RATE="1000 per minute", STAFF_SIGN_IN_FAILURES_PER_ADDRESS="6 per hour"
    )
    with app.app_context():
        for n in range(4):
            accounts.create(f"p{n}@council.example", f"P{n}", "officer", PASSWORD)
    for n in range(3):  # a few guesses at several accounts: never enough to lock any of them
        _try(app, f"p{n}@council.example", "guess one")
        _try(app, f"p{n}@council.example", "guess two")
    _, throttled = _try(app, "p3@council.example", PASSWORD)
    assert throttled.status_code == 429
    assert "Wait a minute, then try again." in throttled.get_data(as_text=True)
    elsewhere = PageClient(app.test_client())
    elsewhere.client.environ_base["REMOTE_ADDR"] = "192.0.2.44"
    assert sign_in_again(elsewhere, "p3@council.example").get("/staff/cases").h1 == "Cases"


def test_the_request_limit_does_not_hold_back_a_known_browser(app, make_staff):
    email = make_staff("officer")
    mine = sign_in(app, email)
    mine.submit(mine.get("/staff/cases"), selector="form[action='/staff/sign-out']")
    codes = [_try(app, "someone@council.example", "guess")[1].status_code for _ in range(12)]
    assert codes[-1] == 429, "strangers at this address are held back"
    assert sign_in_again(mine, email).get("/staff/cases").h1 == "Cases"


def test_unknown_wrong_locked_and_unset_accounts_get_the_same_answer_after_the_same_work(
    app, make_staff, monkeypatch
):
    locked = make_staff("officer")
    wrong = make_staff("manager")
    with app.app_context():
        accounts.create("waiting@council.example", "Waiting", "officer")  # no password yet
    for _ in range(5):
        _try(app, locked, "guess")
    checks: list[str] = []
    real = accounts.check_password_hash

    def counted(stored: str, password: str) -> bool:
        checks.append(stored)
        return real(stored, password)

    monkeypatch.setattr(accounts, "check_password_hash", counted)
    answers = []
    for email, password in [
        ("nobody@council.example", PASSWORD),
        (wrong, "not it"),
        (locked, PASSWORD),
        ("waiting@council.example", "not a real password"),  # the dummy hash's own password
    ]:
        checks.clear()
        _, response = _try(app, email, password)
        assert response.status_code == 400, email
        assert len(checks) == 1 and checks[0].startswith("scrypt:"), email
        answers.append(response.get_data(as_text=True).replace(email, "EMAIL"))
    bodies = {_without_tokens(a) for a in answers}
    assert len(bodies) == 1, "the pages differ only in the email typed"


def _without_tokens(body: str) -> str:
    import re

    return re.sub(r'(value|nonce)="[^"]*"', "", body)


def test_failed_sign_ins_store_a_keyed_hash_of_the_email_never_a_plain_one(app):
    _try(app, "Nobody@Council.example", "guess")
    with app.app_context():
        entry = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "staff_sign_in_failed")
        ).one()
        key = app.config["SECRET_KEY"].encode()
        typed = b"staff-email:nobody@council.example"
        assert entry.data["email"] == hmac.new(key, typed, hashlib.sha256).hexdigest()[:32]
        plain = hashlib.sha256(b"nobody@council.example").hexdigest()
        assert plain[:16] not in str(entry.data)


def test_a_long_but_valid_email_signs_in_and_is_audited(app, make_staff):
    """Audit rows name the person by email, which may be far longer than a name."""
    email = "a" * 60 + "." + "b" * 60 + "@" + "c" * 40 + ".council.example"
    person = sign_in(app, make_staff("officer", email=email))
    assert person.get("/staff/cases").h1 == "Cases"
    with app.app_context():
        actors = db.session.scalars(select(AuditEntry.actor)).all()
    assert email in actors
