"""Staff sign-in pages in a real browser, through axe: the set-up link, two-step set-up with
its QR code, the recovery codes, and the code page at the next sign-in."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pyotp
import pytest
from playwright.sync_api import Page, expect

from portal.services import staff as accounts
from tests.browser.conftest import screenshot
from tests.browser.test_journey_in_chromium import _check_accessibility, _no_sideways_scroll

pytestmark = pytest.mark.browser
PASSWORD = "a long browser two-step password"


def _new_account(live_app, email: str) -> str:
    """An admin made an account: return the path of its one-time set-up link."""
    with live_app.app_context():
        user = accounts.create(email, "Browser Officer", "officer", None)
        return urlsplit(accounts.new_set_up_link(user, "browser-test", send=False)).path


def _code(page: Page) -> str:
    return pyotp.TOTP(page.locator("#key").inner_text().replace(" ", "")).now()


def test_set_up_and_two_step_pages_in_a_phone_browser(phone: Page, live_server, live_app):
    path = _new_account(live_app, "browser.two-step@council.example")
    phone.goto(live_server + path)
    _check_accessibility(phone, "set-up link")
    _no_sideways_scroll(phone)
    screenshot(phone, "staff-set-up")
    phone.get_by_label("Password", exact=True).fill(PASSWORD)
    phone.get_by_label(re.compile("again", re.I)).fill(PASSWORD)
    phone.locator("main form button[type=submit]").click()

    phone.goto(live_server + "/staff/account")
    phone.get_by_role("link", name="Set up two-step sign-in").click()
    expect(phone.locator(".qr svg")).to_be_visible()
    _check_accessibility(phone, "two-step set-up")
    _no_sideways_scroll(phone)
    screenshot(phone, "staff-two-step-set-up")
    phone.get_by_label("6-digit code").fill("000000")
    phone.get_by_role("button", name="Turn on two-step sign-in").click()
    expect(phone.locator(".error-summary")).to_be_visible()
    _check_accessibility(phone, "two-step set-up with an error")
    phone.get_by_label("6-digit code").fill(_code(phone))
    phone.get_by_role("button", name="Turn on two-step sign-in").click()
    _check_accessibility(phone, "recovery codes")
    screenshot(phone, "staff-recovery-codes")
    with live_app.app_context():
        secret = accounts.by_email("browser.two-step@council.example").totp_secret

    phone.context.clear_cookies()
    phone.goto(live_server + "/staff/sign-in")
    phone.get_by_label("Email address").fill("browser.two-step@council.example")
    phone.get_by_label("Password").fill(PASSWORD)
    phone.get_by_role("button", name="Sign in").click()
    expect(phone.locator("h1")).to_have_text("Enter your sign-in code")
    _check_accessibility(phone, "sign-in code")
    screenshot(phone, "staff-sign-in-code")
    with live_app.app_context():  # a fresh time step: the one used at set-up is spent
        step = accounts.by_email("browser.two-step@council.example").totp_last_step
    code = pyotp.TOTP(secret).at((step + 1) * 30)
    phone.get_by_label("Code from your authenticator app").fill(code)
    phone.get_by_role("button", name="Continue").click()
    expect(phone).to_have_url(re.compile("/staff/"))
