"""Quick exit and the help pages in a real browser."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import screenshot
from tests.browser.test_journey_in_chromium import _check_accessibility

pytestmark = pytest.mark.browser

SECRET = "Nobody must see this sentence"


def _write_something(page: Page, base: str) -> None:
    page.goto(base + "/chat/who")
    for label in ["I am a young person. This is about me.", "I am in care", "12 to 15"]:
        page.get_by_role("radio", name=re.compile(rf"^{re.escape(label)}(\s|$)")).click()
        page.get_by_role("button", name="Next").click()
    page.get_by_role("checkbox", name="Where I live").click()
    page.get_by_role("button", name="Next").click()
    page.locator("#answer").fill(SECRET)
    page.get_by_role("button", name="Next").click()
    expect(page).to_have_url(re.compile("/chat/when(#next)?$"))  # #next without a script


def test_pressing_shift_three_times_leaves_and_back_shows_nothing(phone: Page, live_server):
    _write_something(phone, live_server)
    phone.wait_for_load_state("load")  # the deferred script listens for Shift from then on
    for _ in range(3):
        phone.keyboard.press("Shift")
    expect(phone).to_have_url(re.compile("favicon.svg$"))
    phone.go_back()
    phone.wait_for_load_state()
    assert SECRET not in phone.content()
    phone.goto(live_server + "/chat/what_happened")
    expect(phone).to_have_url(re.compile("/chat/who$"))
    assert SECRET not in phone.content()


def test_exit_button_works_without_javascript(phone_without_js: Page, live_server):
    _write_something(phone_without_js, live_server)
    phone_without_js.locator("#quick-exit").click()
    expect(phone_without_js).to_have_url(re.compile("favicon.svg$"))
    phone_without_js.go_back()
    assert SECRET not in phone_without_js.content()


@pytest.mark.parametrize("path", ["/help?from=/", "/privacy"])
def test_help_and_privacy_pages_are_accessible(phone: Page, live_server, path):
    phone.goto(live_server + path)
    _check_accessibility(phone, path)
    screenshot(phone, "40-" + path.strip("/").split("?")[0])
