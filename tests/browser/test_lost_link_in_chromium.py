""" "I lost my link" in a real browser: found from the footer, at phone size, with and without
JavaScript, and passing axe in English and Arabic (with an error, and after sending)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import PHONE, screenshot
from tests.browser.test_journey_in_chromium import _check_accessibility, _no_sideways_scroll

pytestmark = pytest.mark.browser


@contextmanager
def _phone(browser: Browser, base: str, language: str, **options) -> Iterator[Page]:
    context = browser.new_context(viewport=PHONE, locale=language, **options)
    try:
        context.add_cookies([{"name": "lang", "value": language, "url": base}])
        page = context.new_page()
        page.set_default_timeout(10_000)
        yield page
    finally:
        context.close()


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_lost_link_form_on_a_phone(browser, live_server, language):
    with _phone(browser, live_server, language) as phone:
        phone.goto(live_server + "/")
        phone.locator("footer a#lost-link").click()
        expect(phone).to_have_url(re.compile("/lost-link$"))
        _check_accessibility(phone, f"{language} lost link")
        _no_sideways_scroll(phone)
        screenshot(phone, f"{language}-lost-link")
        phone.locator("#lost-link-form button[type=submit]").click()
        expect(phone.locator(".error-summary")).to_be_visible()
        _check_accessibility(phone, f"{language} lost link, nothing typed")
        _no_sideways_scroll(phone)
        screenshot(phone, f"{language}-lost-link-error")
        phone.locator("#contact").fill("nobody-we-know@example.com")
        phone.locator("#lost-link-form button[type=submit]").click()
        expect(phone).to_have_url(re.compile("/lost-link/sent$"))
        expect(phone.locator("#lost-link-help")).to_be_visible()
        _check_accessibility(phone, f"{language} lost link sent")
        _no_sideways_scroll(phone)
        screenshot(phone, f"{language}-lost-link-sent")


def test_the_lost_link_form_without_javascript(browser, live_server):
    with _phone(browser, live_server, "en", java_script_enabled=False) as offline:
        offline.goto(live_server + "/s/not-a-real-link")
        expect(offline.locator("h1")).to_have_text("This link does not work")
        offline.locator("#link-problem a#lost-link").click()
        expect(offline).to_have_url(re.compile("/lost-link$"))
        field = offline.get_by_label("Your email address or mobile number")
        expect(field).to_have_attribute("inputmode", "email")
        field.fill("07700 900999")
        offline.get_by_role("button", name="Send me a new link").click()
        expect(offline).to_have_url(re.compile("/lost-link/sent$"))
        expect(offline.locator("h1")).to_have_text("Check your messages")
        screenshot(offline, "lost-link-sent-nojs")
