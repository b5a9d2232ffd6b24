"""Every public page in English and Arabic through axe; the keyboard-only journey; tap targets."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import CHROMIUM_ARGS, PHONE, screenshot, send_without_drawing  # noqa: F401
from tests.browser.test_journey_in_chromium import _check_accessibility, _no_sideways_scroll

pytestmark = pytest.mark.browser

# The young person's answers by step, as form values (labels differ in every language).
ANSWERS = {
    "who": ["self"],
    "self_status": ["looked_after"],
    "age": ["12_15"],
    "topics": ["social_worker", "family"],
    "what_happened": "My social worker keeps cancelling my visits.",
    "when": ["this_month"],
    "court_police": ["no"],
    "outcome": ["change"],
    "outcome_words": "",
    "advocate": ["yes"],
    "contact": ["link_only"],
    "name": "Jess",
    "records": "",
}
# Public pages that do not need a journey first.
PAGES = ["/", "/help", "/privacy", "/s/not-a-real-link", "/nowhere"]


def _context_page(browser: Browser, base: str, language: str, **options) -> Iterator[Page]:
    context = browser.new_context(viewport=PHONE, locale=language, **options)
    context.add_cookies([{"name": "lang", "value": language, "url": base}])
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture(params=["en", "ar"])
def language(request) -> str:
    return request.param


@pytest.fixture
def speaker(browser, live_server, language) -> Iterator[Page]:
    yield from _context_page(browser, live_server, language)


def _answer(page: Page, step: str) -> None:
    answer = ANSWERS[step]
    if isinstance(answer, list):
        for value in answer:
            page.locator(f"input[name=answer][value='{value}']").check()
    else:
        page.locator("#answer").fill(answer)


def _journey(page: Page, base: str, name: str) -> None:
    """The conversation in the browser, each page through axe, then send and the status page."""
    page.goto(base + "/chat/who")
    for number in range(1, 30):
        step = urlsplit(page.url).path.rsplit("/", 1)[-1]
        if step == "check":
            break
        _check_accessibility(page, f"{name} {step}")
        _no_sideways_scroll(page)
        screenshot(page, f"{name}-{number:02d}-{step}")
        _answer(page, step)
        page.locator("form.ask button[type=submit]").click()
    expect(page).to_have_url(re.compile("/chat/check$"))
    _check_accessibility(page, f"{name} check")
    screenshot(page, f"{name}-{number:02d}-check")
    page.locator("#send-top button[type=submit]").click()
    expect(page).to_have_url(re.compile("/chat/done$"))
    _check_accessibility(page, f"{name} done")
    screenshot(page, f"{name}-{number + 1:02d}-done")
    page.locator("a#status-link").click()
    expect(page).to_have_url(re.compile("/progress$"))
    _check_accessibility(page, f"{name} status")
    screenshot(page, f"{name}-{number + 2:02d}-status")


def test_every_public_page_passes_axe(speaker: Page, live_server: str, language: str):
    for path in PAGES:
        speaker.goto(live_server + path)
        assert speaker.locator("html").get_attribute("lang") == language
        expected = "rtl" if language == "ar" else "ltr"
        assert speaker.locator("html").get_attribute("dir") == expected
        name = f"{language}-page{path.replace('/', '-') or '-home'}"
        _check_accessibility(speaker, name)
        _no_sideways_scroll(speaker)
        screenshot(speaker, name)
    if language != "en":  # test_journey_in_chromium.py checks every English page of it
        _journey(speaker, live_server, f"{language}-journey")


def test_every_error_state_passes_axe(speaker: Page, live_server: str, language: str):
    speaker.goto(live_server + "/chat/who")
    for number in range(1, 30):
        step = urlsplit(speaker.url).path.rsplit("/", 1)[-1]
        if step == "check":
            break
        speaker.locator("form.ask button[type=submit]").click()
        summary = speaker.locator(".error-summary")
        if summary.count():  # a required question: its error, in the page's language
            expect(summary).to_be_focused()
            _check_accessibility(speaker, f"{language} {step} error")
            screenshot(speaker, f"{language}-error-{number:02d}-{step}")
        if urlsplit(speaker.url).path.rsplit("/", 1)[-1] == step:
            _answer(speaker, step)
            speaker.locator("form.ask button[type=submit]").click()
    expect(speaker).to_have_url(re.compile("/chat/check$"))


def test_arabic_mirrors_the_layout(browser, live_server):
    page = next(_context_page(browser, live_server, "ar"))
    page.goto(live_server + "/chat/who")
    box = page.locator("form.ask button[type=submit]").bounding_box()
    width = page.viewport_size["width"]
    assert box["x"] + box["width"] > width / 2, "the main button starts on the right"
    heading = page.locator("h1").evaluate("e => getComputedStyle(e).textAlign")
    assert heading in ("start", "right")
    label = page.locator(".choice").first.bounding_box()
    assert label["x"] + label["width"] >= width - 40, "choices line up on the right"


def _focus_is_visible(page: Page) -> bool:
    return page.evaluate(
        """() => {
        const e = document.activeElement;
        if (!e || e === document.body) return false;
        const s = getComputedStyle(e);
        const outlined = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2;
        const ringed = s.boxShadow && s.boxShadow !== 'none';
        return outlined || ringed;
    }"""
    )


def _tab_to(page: Page, selector: str, limit: int = 60) -> None:
    """Press Tab until `selector` has focus, checking the focus can be seen at every stop."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        assert _focus_is_visible(page), (
            f"no visible focus on {page.evaluate('document.activeElement.outerHTML.slice(0, 80)')}"
        )
        if page.evaluate(f"document.activeElement.matches({selector!r})"):
            return
    raise AssertionError(f"could not reach {selector} with Tab on {page.url}")


def _choose_with_keys(page: Page, values: list[str]) -> None:
    """Radios: one Tab stop, arrows move and pick. Checkboxes: Tab to each, Space ticks it."""
    first = page.locator("input[name=answer]").first
    if first.get_attribute("type") == "radio":
        _tab_to(page, "input[name=answer]")
        target = page.locator(f"input[name=answer][value='{values[0]}']")
        for _ in range(12):
            if target.is_checked():
                return
            page.keyboard.press("ArrowDown")
            assert _focus_is_visible(page)
        raise AssertionError(f"arrows never reached {values[0]}")
    for value in values:
        _tab_to(page, f"input[name=answer][value='{value}']")
        page.keyboard.press("Space")


def test_the_journey_with_the_keyboard_only(browser, live_server):
    page = next(_context_page(browser, live_server, "en"))
    page.goto(live_server + "/chat/who")
    for _ in range(30):
        step = urlsplit(page.url).path.rsplit("/", 1)[-1]
        if step == "check":
            break
        answer = ANSWERS[step]
        if isinstance(answer, list):
            _choose_with_keys(page, answer)
        else:
            _tab_to(page, "#answer")
            page.keyboard.type(answer)
        _tab_to(page, "form.ask button[type=submit]")
        with page.expect_navigation():
            page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile("/chat/check$"))
    _tab_to(page, "form.send-form button[type=submit]", limit=120)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile("/chat/done$"))


def test_tap_targets_are_at_least_44_px(speaker: Page, live_server: str, language: str):
    for path in [*PAGES, "/chat/who", "/chat/topics"]:
        speaker.goto(live_server + path)
        small = speaker.evaluate(
            """() => [...document.querySelectorAll('a, button, input, select, textarea, summary')]
              .filter(e => e.offsetParent !== null && !e.closest('.visually-hidden'))
              // WCAG 2.5.8 exempts links inside a sentence; standalone ones must be big.
              .filter(e => !(e.tagName === 'A'
                  && e.parentElement.textContent.trim() !== e.textContent.trim()))
              .map(e => {
                 const label = e.id && document.querySelector('label[for="' + e.id + '"]');
                 const target = e.closest('label.choice') || label;
                 const box = e.matches('input[type=radio], input[type=checkbox]') && target;
                 const r = (box ? target : e).getBoundingClientRect();
                 return [e.outerHTML.slice(0, 70), Math.round(r.width), Math.round(r.height)];
              })
              .filter(([_, w, h]) => w < 44 || h < 44)"""
        )
        assert not small, f"{path}: targets under 44 px: {small[:3]}"


def test_read_this_to_me_speaks_in_the_page_language(browser, live_server):
    page = next(_context_page(browser, live_server, "ar"))
    # Record what is handed to the browser's speech engine (it still speaks as normal).
    page.add_init_script(
        """window.__spoken = [];
        if (window.speechSynthesis) {
          const speak = speechSynthesis.speak.bind(speechSynthesis);
          speechSynthesis.speak = u => { window.__spoken.push([u.lang, u.text]); speak(u); };
        }"""
    )
    page.goto(live_server + "/chat/who")
    button = page.locator("button.read-aloud")
    expect(button).to_be_visible()
    expect(button).to_have_text("اقرأ هذا لي")
    button.click()
    spoken = page.evaluate("window.__spoken")
    assert spoken and spoken[0][0] == "ar"
    assert "من أنت؟" in spoken[0][1]


def test_read_this_to_me_is_hidden_without_javascript(browser, live_server):
    page = next(_context_page(browser, live_server, "en", java_script_enabled=False))
    page.goto(live_server + "/chat/who")
    expect(page.locator("button.read-aloud")).to_be_hidden()


@pytest.mark.parametrize("code", ["en", "cy", "pl", "ar"])
def test_nothing_scrolls_sideways_at_320px_in_any_language(browser, live_server, code):
    context = browser.new_context(viewport={"width": 320, "height": 640}, locale=code)
    context.add_cookies([{"name": "lang", "value": code, "url": live_server}])
    page = context.new_page()
    for path in [*PAGES, "/chat/who", "/chat/topics", "/chat/what_happened"]:
        page.goto(live_server + path)
        _no_sideways_scroll(page)
    screenshot(page, f"{code}-320-what-happened")
    context.close()


def test_the_pages_off_the_main_path_pass_axe(speaker: Page, live_server: str, language: str):
    """Where a random walk also goes: signposts, the help form, its errors, withdrawing."""
    speaker.goto(live_server + "/chat/who")
    for step, values in [
        ("who", ["self"]),
        ("self_status", ["looked_after"]),
        ("age", ["12_15"]),
        ("topics", ["not_safe", "elsewhere"]),
        ("elsewhere", ["school"]),
    ]:
        expect(speaker).to_have_url(re.compile(f"/chat/{step}$"))
        for value in values:
            speaker.locator(f"input[name=answer][value='{value}']").check()
        speaker.locator("form.ask button[type=submit]").click()
    expect(speaker.locator("#signpost")).to_be_visible()
    _check_accessibility(speaker, f"{language} signpost")
    screenshot(speaker, f"{language}-off-path-1-signpost")

    speaker.goto(live_server + "/help?from=/chat/who")
    speaker.locator("form button[type=submit]").last.click()  # nothing picked: an error
    expect(speaker.locator(".error-summary")).to_be_visible()
    _check_accessibility(speaker, f"{language} help error")
    screenshot(speaker, f"{language}-off-path-2-help-error")
    speaker.locator("input[name=how]").first.check()
    speaker.locator("#phone").fill("07700 900123")
    speaker.locator("form button[type=submit]").last.click()
    _check_accessibility(speaker, f"{language} help sent")
    screenshot(speaker, f"{language}-off-path-3-help-sent")

    speaker.context.clear_cookies()  # a new visit, in the same language
    speaker.context.add_cookies([{"name": "lang", "value": language, "url": live_server}])
    send_without_drawing(speaker, live_server, ANSWERS)
    speaker.goto(live_server + "/progress/withdraw")
    _check_accessibility(speaker, f"{language} withdraw")
    screenshot(speaker, f"{language}-off-path-4-withdraw")
    speaker.locator("form[action='/progress/withdraw'] button[type=submit]").click()
    expect(speaker).to_have_url(re.compile("/progress$"))
    _check_accessibility(speaker, f"{language} withdrawn")
    screenshot(speaker, f"{language}-off-path-5-withdrawn")
