"""Logging a complaint from a phone call, in a real browser: the form, its errors and the page
with the reference and private link, each checked by axe."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from portal.services import staff as accounts
from tests.browser.conftest import screenshot
from tests.browser.test_journey_in_chromium import _check_accessibility, _no_sideways_scroll
from tests.staff.test_intake import young_person

pytestmark = pytest.mark.browser
PASSWORD = "a long browser test password"
OFFICER = "browser.intake@council.example"


@pytest.fixture(scope="module")
def officer_email(live_app) -> str:
    with live_app.app_context():
        if accounts.by_email(OFFICER) is None:
            accounts.create(OFFICER, "Browser Officer", "officer", PASSWORD)
    return OFFICER


def _answer(page: Page, name: str, value) -> None:
    if isinstance(value, list):
        for each in value:
            page.locator(f"input[name='{name}'][value='{each}']").check()
    elif page.locator(f"input[type=radio][name='{name}']").count():
        page.locator(f"input[name='{name}'][value='{value}']").check()
    else:
        page.locator(f"#{name}").fill(value)


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_logging_a_phone_complaint_passes_axe(request, size, live_server, officer_email):
    page: Page = request.getfixturevalue(size)
    page.goto(live_server + "/staff/cases")
    page.get_by_label("Email address").fill(officer_email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile("/staff/cases$"))

    page.get_by_role("link", name="Log a complaint from a call, email, letter or visit").click()
    expect(page.locator("h1")).to_have_text("Log a complaint")
    _check_accessibility(page, "log a complaint")
    if size == "phone":
        _no_sideways_scroll(page)
    screenshot(page, f"staff-intake-{size}-01-form")

    page.get_by_role("button", name="Log the complaint").click()  # nothing filled in
    expect(page.locator(".error-summary")).to_contain_text(
        "Choose how the complaint reached the council."
    )
    _check_accessibility(page, "log a complaint with errors")
    screenshot(page, f"staff-intake-{size}-02-errors")

    page.get_by_label("By phone").check()
    for name, value in young_person(contact="link_only").items():
        _answer(page, name, value)
    page.get_by_role("button", name="Log the complaint").click()
    expect(page.locator("h1")).to_contain_text("Complaint logged")
    expect(page.locator("#private-link")).to_contain_text("/s/")
    _check_accessibility(page, "complaint logged")
    if size == "phone":
        _no_sideways_scroll(page)
    screenshot(page, f"staff-intake-{size}-03-given")

    page.get_by_role("button", name="Send the reference and link").click()  # no address yet
    expect(page.locator(".error-summary")).to_contain_text("Write the email address")
    page.get_by_role("textbox", name=re.compile("^Other email address")).fill("a@example.org")
    page.get_by_role("button", name="Send the reference and link").click()
    expect(page.locator("#queued")).to_contain_text("Queued")
    _check_accessibility(page, "link queued")
