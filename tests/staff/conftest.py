"""Fixtures for the staff area: accounts in each role, signed-in page clients, a complaint."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pyotp
import pytest

from portal.clock import now_utc
from portal.services import complaints
from portal.services import staff as accounts
from tests.pages import Page, PageClient
from tests.portal.journey import YOUNG_PERSON, send_complaint

PASSWORD = "correct horse battery staple"


@pytest.fixture
def make_staff(app) -> Callable[..., str]:
    """Create an account and return its email."""

    def make(role: str = "manager", email: str | None = None, name: str | None = None) -> str:
        email = email or f"{role}@council.example"
        with app.app_context():
            accounts.create(email, name or role.title(), role, PASSWORD)
        return email

    return make


def sign_in(app, email: str, password: str = PASSWORD, code: str | None = None) -> PageClient:
    """A fresh browser that has signed in as this person (with a code, for two-step accounts)."""
    return sign_in_again(PageClient(app.test_client()), email, password, code)


def sign_in_again(
    person: PageClient, email: str, password: str = PASSWORD, code: str | None = None
) -> PageClient:
    """Sign in with this browser (which may hold a known-device cookie from before)."""
    page = person.get("/staff/sign-in")
    page = person.submit(page, {"email": email, "password": password}, selector="form.staff-form")
    if code is not None:
        assert page.path == "/staff/sign-in/code", page.path
        person.submit(page, {"code": code}, selector="form.staff-form")
    return person


def turn_on_two_step(app, email: str) -> tuple[str, list[str]]:
    """Set up two-step sign-in for this account as its owner would; return the secret and codes."""
    with app.app_context():
        user = accounts.by_email(email)
        secret = accounts.start_two_step(user, None)
        codes = accounts.confirm_two_step(user, pyotp.TOTP(secret).now())
    assert codes is not None
    return secret, codes


def code_at(secret: str, steps_later: int = 0) -> str:
    """The app's code now, or this many 30-second steps later."""
    return pyotp.TOTP(secret).at(now_utc() + timedelta(seconds=30 * steps_later))


@pytest.fixture
def manager(app, make_staff) -> PageClient:
    return sign_in(app, make_staff("manager"))


@pytest.fixture
def officer(app, make_staff) -> PageClient:
    return sign_in(app, make_staff("officer"))


@pytest.fixture
def new_complaint(app) -> Callable[..., str]:
    """Send a complaint through the real conversation; return its reference."""

    def send(answers: dict | None = None) -> str:
        done = send_complaint(PageClient(app.test_client()), answers or YOUNG_PERSON)
        return done.select_one("#reference").text.strip()

    return send


def load(app, reference: str):
    with app.app_context():
        complaint = complaints.by_reference(reference)
        complaint.events  # noqa: B018 - load before the context ends
        complaint.points  # noqa: B018
        return complaint


def do(person: PageClient, reference: str, action: str, expect: int = 200, **fields) -> Page:
    """Open a move's form (or the case page for one-button moves) and send it."""
    case = person.get(f"/staff/cases/{reference}")
    url = f"/staff/cases/{reference}/do/{action}"
    button = case.select_one(f"form[action='{url}']")
    if button is not None and not fields:
        return person.submit(case, selector=f"form[action='{url}']", expect=expect)
    page = person.get(url)
    return person.submit(page, fields, selector="form.staff-form", expect=expect)


def respond_at_stage_one(app, manager: PageClient, reference: str) -> None:
    """Take a new complaint to a Stage 1 answer, so the complainant can ask for Stage 2."""
    do(manager, reference, "accept_statutory")
    do(manager, reference, "acknowledge")
    complaint = load(app, reference)
    do(
        manager,
        reference,
        "record_response",
        finding="Visits were cancelled too often.",
        **{f"outcome-{p.id}": "not_upheld" for p in complaint.points},
    )
