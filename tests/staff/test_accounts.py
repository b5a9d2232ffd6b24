"""Accounts with separation of duties: set-up links, roles, and every change shown to managers."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEntry, OutboxMessage
from portal.services import staff as accounts
from tests.pages import PageClient
from tests.staff.conftest import PASSWORD, code_at, sign_in, turn_on_two_step

START = datetime(2026, 11, 23, 10, 0, 5, tzinfo=UTC)


def _add(admin: PageClient, expect: int = 200, **fields):
    page = admin.get("/staff/accounts")
    form = {"name": "Sam Newcomer", "email": "sam@council.example", "role": "manager", **fields}
    return admin.submit(page, form, selector="form#add-account", expect=expect)


def _queued(app, email: str) -> list[OutboxMessage]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.to_address == email)
                .order_by(OutboxMessage.id)
            )
        )


def _link_path(message: OutboxMessage) -> str:
    return "/staff/set-up/" + message.body.split("/staff/set-up/")[1].split()[0]


def _choose(person: PageClient, path: str, password: str = PASSWORD, again=None, expect=200):
    page = person.get(path)
    fields = {"password": password, "again": password if again is None else again}
    return person.submit(page, fields, selector="form.staff-form", expect=expect)


def _admin(app, make_staff) -> PageClient:
    return sign_in(app, make_staff("admin", name="Ada Admin"))


def test_an_admin_adds_an_account_and_the_link_goes_to_the_person_never_the_admin(app, make_staff):
    admin = _admin(app, make_staff)
    page = admin.get("/staff/accounts")
    assert not page.select("input[type=password]"), "admins never choose someone's password"
    page = _add(admin)
    assert "Their set-up link is queued to be emailed to them" in page.text
    assert "/staff/set-up/" not in page.response.get_data(as_text=True)
    with app.app_context():
        person = accounts.by_email("sam@council.example")
        assert person.password_hash is None and person.role == "manager"
    [message] = _queued(app, "sam@council.example")
    assert message.kind == "staff_set_up"
    assert "complaint" not in message.body.lower() and "child" not in message.body.lower()
    assert "Waiting for them to set a password" in page.text
    _, refused = _try_sign_in(app, "sam@council.example", "")
    assert refused.status_code == 400


def _try_sign_in(app, email: str, password: str):
    person = PageClient(app.test_client())
    action, fields = person.get("/staff/sign-in").form_data("form.staff-form")
    return person, person.client.post(action, data={**fields, "email": email, "password": password})


def test_a_set_up_link_sets_the_persons_own_password_once(app, make_staff):
    _add(_admin(app, make_staff))
    path = _link_path(_queued(app, "sam@council.example")[0])
    person = PageClient(app.test_client())
    page = person.get(path)
    assert page.h1 == "Choose your password"
    assert person.get(path).h1 == "Choose your password", "looking does not use it up"
    page = _choose(person, path)
    assert page.h1 == "Cases", "locally, straight in"
    again = PageClient(app.test_client())
    assert again.get(path, expect=404).h1 == "This set-up link does not work"
    assert sign_in(app, "sam@council.example").get("/staff/cases").h1 == "Cases"
    with app.app_context():
        actions = [e.action for e in db.session.scalars(select(AuditEntry))]
        assert "staff_password_set" in actions


def test_set_up_passwords_are_long_and_typed_twice(app, make_staff):
    _add(_admin(app, make_staff))
    path = _link_path(_queued(app, "sam@council.example")[0])
    person = PageClient(app.test_client())
    short = _choose(person, path, "too short", expect=400)
    assert "at least 12 characters" in short.select_one("#password-error").text
    different = _choose(person, path, PASSWORD, again=PASSWORD + "!", expect=400)
    assert "The two passwords are different" in different.select_one("#again-error").text
    assert _choose(person, path).h1 == "Cases", "mistakes do not use the link up"


def test_set_up_links_expire_after_72_hours(app, make_staff):
    with time_machine.travel(START, tick=False):
        _add(_admin(app, make_staff))
    path = _link_path(_queued(app, "sam@council.example")[0])
    with time_machine.travel(START + timedelta(hours=71), tick=False):
        assert PageClient(app.test_client()).get(path).h1 == "Choose your password"
    with time_machine.travel(START + timedelta(hours=73), tick=False):
        assert PageClient(app.test_client()).get(path, expect=404).status == 404


def test_set_up_links_are_signed_with_their_own_salt(app, make_staff):
    _add(_admin(app, make_staff))
    with app.app_context():
        person = accounts.by_email("sam@council.example")
        payload = {"u": person.id, "v": person.setup_version}
    for salt in ("speakup.staff-device", "speakup.status-link", "itsdangerous"):
        token = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt=salt).dumps(payload)
        PageClient(app.test_client()).get(f"/staff/set-up/{token}", expect=404)
    token = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt=accounts.SETUP_SALT).dumps(
        payload
    )
    assert PageClient(app.test_client()).get(f"/staff/set-up/{token}").status == 200


def test_a_set_up_link_sent_twice_at_once_works_once(app, make_staff):
    # The real cost: both posts are still hashing when the first uses the link up, so the
    # second reaches the one-time UPDATE and is refused there (400), not at the door (404).
    app.config["TEST_HASH_METHOD"] = "scrypt"
    _add(_admin(app, make_staff))
    path = _link_path(_queued(app, "sam@council.example")[0])
    posts = []
    for password in ("first choice of password", "second choice of password"):
        person = PageClient(app.test_client())
        action, fields = person.get(path).form_data("form.staff-form")
        posts.append((person.client, action, {**fields, "password": password, "again": password}))
    barrier = threading.Barrier(2)
    codes: list[int] = []

    def send(client, action, data) -> None:
        barrier.wait()
        codes.append(client.post(action, data=data).status_code)

    threads = [threading.Thread(target=send, args=post) for post in posts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(codes) == [303, 400]


def test_a_new_link_ends_older_ones_and_stops_with_a_disabled_account(app, make_staff):
    admin = _admin(app, make_staff)
    page = _add(admin)
    first = _link_path(_queued(app, "sam@council.example")[0])
    button = next(f for f in page.select("form") if "Email Sam Newcomer a new set-up" in f.text)
    page = admin.submit(page, selector=f"form[action='{button['action']}']")
    assert "Older links no longer work" in page.text
    second = _link_path(_queued(app, "sam@council.example")[1])
    PageClient(app.test_client()).get(first, expect=404)
    PageClient(app.test_client()).get(second)
    with app.app_context():
        accounts.disable("sam@council.example", "test")
    PageClient(app.test_client()).get(second, expect=404)


def test_in_production_choosing_a_password_goes_on_to_two_step(app, make_staff):
    _add(_admin(app, make_staff))
    path = _link_path(_queued(app, "sam@council.example")[0])
    app.config["ENVIRONMENT"] = "production"  # what these pages read (see test_two_factor.py)
    person = PageClient(app.test_client())
    page = _choose(person, path)
    assert page.h1 == "Set up two-step sign-in"
    assert person.get("/staff/cases").path == "/staff/sign-in", "nothing else first"


def test_a_set_up_link_does_not_skip_an_existing_second_factor(app, make_staff):
    email = make_staff("manager")
    with time_machine.travel(START, tick=False):
        secret, _ = turn_on_two_step(app, email)
        result = app.test_cli_runner().invoke(args=["staff", "set-up-link", email])
        path = "/staff/set-up/" + result.output.split("/staff/set-up/")[1].split()[0]
    with time_machine.travel(START + timedelta(seconds=30), tick=False):
        person = PageClient(app.test_client())
        page = _choose(person, path, "a brand new password")
        assert page.h1 == "Enter your sign-in code"
        assert person.get("/staff/cases").path == "/staff/sign-in"
        page = _choose_then_code(app, email, "a brand new password", code_at(secret))
        assert page.h1 == "Cases"


def _choose_then_code(app, email: str, password: str, code: str):
    person = PageClient(app.test_client())
    page = person.submit(
        person.get("/staff/sign-in"),
        {"email": email, "password": password},
        selector="form.staff-form",
    )
    return person.submit(page, {"code": code}, selector="form.staff-form")


@pytest.mark.parametrize(
    "email", ["sam", "sam@", "@council.example", "sam bloggs@council.example", "sam@council"]
)
def test_staff_email_addresses_are_validated(app, make_staff, email):
    admin = _admin(app, make_staff)
    page = _add(admin, expect=400, email=email)
    assert "Enter an email address like name@council.gov.uk." in page.text
    with app.app_context(), pytest.raises(accounts.AccountError):
        accounts.create(email, "Sam", "officer", PASSWORD)


def test_an_admin_changes_a_role_and_it_is_audited(app, make_staff):
    email = make_staff("officer", name="Olu Officer")
    admin = _admin(app, make_staff)
    page = admin.get("/staff/accounts")
    form = next(f for f in page.select("form") if "Role for Olu Officer" in f.text)
    page = admin.submit(page, {"role": "manager"}, selector=f"form[action='{form['action']}']")
    assert "Role changed." in page.text
    with app.app_context():
        user = accounts.by_email(email)
        assert user.role == "manager"
        entry = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "staff_role_changed")
        ).one()
        assert entry.data == {"before": "officer", "after": "manager"}
        assert entry.actor == "admin@council.example"
        admin_user = accounts.by_email("admin@council.example")
        with pytest.raises(accounts.AccountError):
            accounts.change_role(admin_user, "manager", admin_user)


def test_managers_see_recent_account_changes_on_the_tracker(app, make_staff):
    with time_machine.travel(START - timedelta(days=31), tick=False):
        make_staff("officer", email="old@council.example", name="Old Hand")
    with time_machine.travel(START, tick=False):
        admin = _admin(app, make_staff)
        _add(admin)
        with app.app_context():
            accounts.disable("old@council.example", "admin@council.example")
        manager = sign_in(app, make_staff("manager", name="Mia Manager"))
        panel = manager.get("/staff/cases").select_one("#account-changes")
        items = [" ".join(li.text.split()) for li in panel.select("li")]
        assert items[0].split(": ", 1)[1].startswith("Account created for Mia Manager")
        assert any("Account disabled for Old Hand" in i for i in items)
        assert any("Set-up link made for Sam Newcomer" in i for i in items)
        assert any("Account created for Sam Newcomer" in i and "as manager" in i for i in items)
        assert not any("Account created for Old Hand" in i for i in items), "over 30 days ago"
        officer = sign_in(app, make_staff("officer"))
        assert officer.get("/staff/cases").select_one("#account-changes") is None


def test_an_admin_disables_someone_else_and_their_sessions_end(app, make_staff):
    officer = sign_in(app, make_staff("officer", name="Olu Officer"))
    admin = _admin(app, make_staff)
    page = admin.get("/staff/accounts")
    form = next(f for f in page.select("form") if "Disable Olu Officer" in f.text)
    page = admin.submit(page, selector=f"form[action='{form['action']}']")
    assert "Account disabled. Their sessions have ended." in page.text
    assert officer.get("/staff/cases").path == "/staff/sign-in"
    with app.app_context():
        own = accounts.by_email("admin@council.example").id
    _, fields = page.form_data("form[action='/staff/sign-out']")
    for action in ("disable", "role", "set-up-link", "reset-two-step"):
        response = admin.client.post(f"/staff/accounts/{own}/{action}", data=fields)
        assert response.status_code in (400, 403), action
