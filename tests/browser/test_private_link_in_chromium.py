"""The private link in a real browser: Continue opens it (by itself with JavaScript, by a tap
without), and the secret-word pages pass axe in English and Arabic at phone size."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import PHONE, screenshot, send_without_drawing
from tests.browser.test_journey_in_chromium import _check_accessibility, _no_sideways_scroll
from tests.browser.test_languages_in_chromium import ANSWERS

pytestmark = pytest.mark.browser
WORD = "Biscuit the dog"


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
def test_secret_word_pages_in_a_phone_browser(browser, live_server, language):
    with _phone(browser, live_server, language) as owner:
        link = _owner_sets_a_word(owner, live_server, language)
    with _phone(browser, live_server, language) as stranger:
        _stranger_gives_the_word(stranger, live_server, language, link)


def _owner_sets_a_word(owner: Page, live_server: str, language: str) -> str:
    send_without_drawing(owner, live_server, ANSWERS)
    owner.goto(live_server + "/progress")
    owner.locator("#secret-word input[name=word]").fill(WORD)
    owner.locator("#secret-word input[name=again]").fill(WORD)
    owner.locator("#secret-word button[type=submit]").click()
    expect(owner.locator("#secret-word [role=status]")).to_be_visible()
    _check_accessibility(owner, f"{language} status with a word")
    # The confirmation page's link, from the owner's own browser history.
    owner.goto(live_server + "/chat/done")
    return owner.locator("a#status-link").get_attribute("href")


def _stranger_gives_the_word(stranger: Page, live_server: str, language: str, link: str) -> None:
    stranger.goto(link)  # JavaScript presses Continue by itself
    expect(stranger).to_have_url(re.compile("/progress/word/check$"))
    _check_accessibility(stranger, f"{language} ask for the word")
    _no_sideways_scroll(stranger)
    screenshot(stranger, f"{language}-word-ask")
    stranger.locator("main input[name=word]").fill("wrong")
    stranger.locator("main form button[type=submit]").click()
    expect(stranger.locator(".error-summary")).to_be_visible()
    _check_accessibility(stranger, f"{language} wrong word")
    screenshot(stranger, f"{language}-word-wrong")
    stranger.goto(live_server + "/progress/word/help")
    _check_accessibility(stranger, f"{language} word help")
    screenshot(stranger, f"{language}-word-help")
    stranger.goto(live_server + "/progress/word/check")
    stranger.locator("main input[name=word]").fill(WORD.upper())
    stranger.locator("main form button[type=submit]").click()
    expect(stranger).to_have_url(re.compile("/progress$"))
    stranger.goto(live_server + "/progress/withdraw")
    _check_accessibility(stranger, f"{language} withdraw with a word")
    _no_sideways_scroll(stranger)
    screenshot(stranger, f"{language}-withdraw")


def test_without_javascript_continue_is_a_button(browser, live_server):
    with _phone(browser, live_server, "en") as owner:
        link = send_without_drawing(owner, live_server, ANSWERS).link
    with _phone(browser, live_server, "en", java_script_enabled=False) as offline:
        offline.goto(link)
        expect(offline.locator("h1")).to_have_text("Your private link")
        screenshot(offline, "link-continue-nojs")
        offline.get_by_role("button", name="Continue").click()
        expect(offline).to_have_url(re.compile("/progress$"))
    with _phone(browser, live_server, "ar") as held:
        # axe needs JavaScript, so hold the page still: the script's submit does nothing here.
        held.add_init_script("HTMLFormElement.prototype.submit = function () {};")
        held.goto(link)
        expect(held.locator("#open-link-form button")).to_be_visible()
        _check_accessibility(held, "the Continue page")
        _no_sideways_scroll(held)
