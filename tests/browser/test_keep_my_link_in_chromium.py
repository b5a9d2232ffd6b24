"""Keeping the private link in a real phone browser (issue 17, part 2): Copy says "Copied" and
puts the link on the clipboard, Share shows only where the browser has a share sheet, axe
passes at 390 x 844 in English and Arabic, nothing scrolls sideways at 320 px, and without
JavaScript the link is text to select and "Send me my link" still works."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import screenshot, send_without_drawing
from tests.browser.test_journey_in_chromium import _check_accessibility, _no_sideways_scroll
from tests.browser.test_languages_in_chromium import ANSWERS

pytestmark = pytest.mark.browser
PHONE_390 = {"width": 390, "height": 844}
COPIED = {"en": "Copied. Now paste it somewhere safe.", "ar": "تم النسخ. الصقه الآن في مكان آمن."}


@contextmanager
def _phone(
    browser: Browser, base: str, language: str, viewport=PHONE_390, **options
) -> Iterator[Page]:
    context = browser.new_context(viewport=viewport, locale=language, **options)
    try:
        context.add_cookies([{"name": "lang", "value": language, "url": base}])
        if options.get("java_script_enabled", True):
            context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
        page = context.new_page()
        page.set_default_timeout(10_000)
        yield page
    finally:
        context.close()


def _to_done(page: Page, base: str) -> str:
    send_without_drawing(page, base, ANSWERS)
    page.goto(base + "/chat/done")
    return page.locator("a#status-link").get_attribute("href")


@pytest.mark.parametrize("language", ["en", "ar"])
def test_copy_says_copied_and_puts_the_link_on_the_clipboard(browser, live_server, language):
    with _phone(browser, live_server, language) as phone:
        link = _to_done(phone, live_server)
        assert len(urlsplit(link).path) < 60
        copy = phone.locator("#copy-link")
        expect(copy).to_be_visible()
        expect(phone.locator("#copied")).to_have_text("")
        copy.click()
        expect(phone.locator("#copied")).to_have_text(COPIED[language])
        assert phone.evaluate("navigator.clipboard.readText()") == link
        has_share = phone.evaluate("typeof navigator.share === 'function'")
        expect(phone.locator("#share-link")).to_be_visible() if has_share else expect(
            phone.locator("#share-link")
        ).to_be_hidden()
        _check_accessibility(phone, f"{language} done with the link copied")
        _no_sideways_scroll(phone)
        screenshot(phone, f"{language}-keep-link-done")
        # The status page: the link, not the page, is what to keep; the same buttons.
        phone.goto(live_server + "/progress")
        expect(phone.locator("#keep-link")).to_be_visible()
        shown = phone.locator("a#status-link").get_attribute("href")
        phone.locator("#copy-link").click()
        expect(phone.locator("#copied")).to_have_text(COPIED[language])
        assert phone.evaluate("navigator.clipboard.readText()") == shown
        _check_accessibility(phone, f"{language} status with the link copied")
        screenshot(phone, f"{language}-keep-link-status")


def test_the_share_sheet_is_offered_where_the_browser_has_one(browser, live_server):
    with _phone(browser, live_server, "en") as phone:
        # A phone's browser: navigator.share opens the share sheet (here, one that records).
        phone.add_init_script(
            "navigator.share = function (data) { window.shared = data; return Promise.resolve(); };"
        )
        link = _to_done(phone, live_server)
        share = phone.locator("#share-link")
        expect(share).to_be_visible()
        share.click()
        phone.wait_for_function("window.shared !== undefined")
        assert phone.evaluate("window.shared.url") == link
        assert phone.evaluate("window.shared.title") == "My private link"


def test_send_me_my_link_in_a_phone_browser(browser, live_server):
    with _phone(browser, live_server, "en") as phone:
        _to_done(phone, live_server)
        form = phone.locator("#send-my-link form")
        form.locator("input[name=contact]").fill("not an address")
        form.locator("button[type=submit]").click()
        expect(phone.locator(".error-summary")).to_be_visible()
        _check_accessibility(phone, "send me my link, with a mistake")
        _no_sideways_scroll(phone)
        screenshot(phone, "send-link-error")
        phone.locator("main input[name=contact]").fill("jess.new@example.com")
        phone.locator("#send-my-link button[type=submit]").click()
        expect(phone).to_have_url(re.compile("/progress/send-link/sent"))
        expect(phone.locator("h1")).to_have_text("We are sending your link")
        _check_accessibility(phone, "link sent")
        phone.locator("main a.button").click()
        expect(phone).to_have_url(re.compile("/chat/done$"))


def test_at_320_px_nothing_scrolls_sideways(browser, live_server):
    narrow = {"width": 320, "height": 640}
    for language in ("en", "ar", "pl", "cy"):
        with _phone(browser, live_server, language, viewport=narrow) as phone:
            _to_done(phone, live_server)
            _no_sideways_scroll(phone)
            box = phone.locator("#copy-link").bounding_box()
            assert box["height"] >= 44 and box["width"] >= 44
            phone.goto(live_server + "/progress")
            _no_sideways_scroll(phone)


def test_without_javascript_the_link_is_text_and_sending_still_works(browser, live_server):
    with _phone(browser, live_server, "en") as owner:
        link = _to_done(owner, live_server)
    with _phone(browser, live_server, "en", java_script_enabled=False) as offline:
        offline.goto(link)
        offline.get_by_role("button", name="Continue").click()
        expect(offline).to_have_url(re.compile("/progress$"))
        expect(offline.locator("#copy-link")).to_be_hidden()
        expect(offline.locator("#share-link")).to_be_hidden()
        text = offline.locator("#keep-link .link-text")
        expect(text).to_be_visible()
        shown = offline.locator("a#status-link").get_attribute("href")
        expect(text).to_have_text(shown)
        expect(offline.locator("#keep-link")).to_contain_text("Keep this link, not this page.")
        screenshot(offline, "keep-link-nojs")
        offline.locator("#send-my-link input[name=contact]").fill("07700 900 789")
        offline.locator("#send-my-link button[type=submit]").click()
        expect(offline.locator("h1")).to_have_text("We are sending your link")
