"""The young person's journey in a real browser: on a phone, without JavaScript, checked by axe."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser

WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
# Every WCAG A and AA rule runs on the whole page; only the violations come back in full (axe
# names every element of the passes and the rest too otherwise: 40% of its time, for results
# nobody reads). tests/browser/test_chromium.py checks the violations are the same.
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_AA}, "resultTypes": ["violations"]}

# What a 14-year-old taps, step by step (labels as shown on screen).
TAPS = [
    ("who", ["I am a young person. This is about me."]),
    ("self_status", ["I am in care"]),
    ("age", ["12 to 15"]),
    ("topics", ["My social worker", "Seeing my family"]),
    ("what_happened", "My social worker keeps cancelling my visits."),
    ("when", ["This month"]),
    ("court_police", ["No"]),
    ("outcome", ["Something changes"]),
    ("outcome_words", ""),
    ("advocate", ["Tell me more"]),
    ("advocate_more", ["Yes, I would like an advocate"]),
    ("contact", ["Text message"]),
    ("phone", "07700 900123"),
    ("contact_safe", ["Yes, it is safe"]),
    ("name", "Jess"),
    ("records", ""),
]


def _check_accessibility(page: Page, name: str) -> None:
    # After a click the new page may still be loading its stylesheet; axe must see the page
    # as a person does (an unstyled skip link is a tiny target, for one).
    page.wait_for_load_state("load")
    results = Axe().run(page, options=AXE_OPTIONS)
    violations = results.response["violations"]
    assert not violations, f"{name}: " + "; ".join(
        f"{v['id']}: {v['nodes'][0]['target']}" for v in violations
    )


def _no_sideways_scroll(page: Page) -> None:
    page.wait_for_load_state()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px"


# An answer's redirect marks the next question's address; the script takes the mark off
# (without a script it stays).
ARRIVED = "(#next)?"


def _walk(page: Page, base: str, *, check_each_page: bool) -> str:
    page.goto(base + "/")
    if check_each_page:
        _check_accessibility(page, "home")
        screenshot(page, "01-home")
    page.get_by_role("link", name="Start").click()
    for number, (step, answer) in enumerate(TAPS, start=2):
        expect(page).to_have_url(re.compile(f"/chat/{step}{ARRIVED}$"))
        if check_each_page:
            _check_accessibility(page, step)
            _no_sideways_scroll(page)
            screenshot(page, f"{number:02d}-{step}")
        if isinstance(answer, list):
            for label in answer:
                # The accessible name is the label, then any hint under it.
                name = re.compile(rf"^{re.escape(label)}(\s|$)")
                choice = page.get_by_role("radio", name=name)
                choice.or_(page.get_by_role("checkbox", name=name)).click()
        else:
            page.locator("#answer").fill(answer)
        page.get_by_role("button", name=re.compile("^Next")).click()
    expect(page).to_have_url(re.compile("/chat/check$"))
    if check_each_page:
        _check_accessibility(page, "check")
        screenshot(page, "20-check")
    # Send is at the top and at the bottom of check your answers; either sends it.
    page.locator("#send-bottom").get_by_role("button", name="Send").click()
    expect(page).to_have_url(re.compile("/chat/done$"))
    reference = page.locator("#reference").inner_text()
    if check_each_page:
        _check_accessibility(page, "done")
        screenshot(page, "21-done")
    return reference


def test_a_young_person_completes_the_journey_on_a_phone(phone: Page, live_server: str):
    reference = _walk(phone, live_server, check_each_page=True)
    phone.locator("a#status-link").click()
    expect(phone).to_have_url(re.compile("/progress$"))
    expect(phone.locator("#reference")).to_have_text(reference)
    _check_accessibility(phone, "status")
    screenshot(phone, "22-status")
    phone.get_by_text("Show what I told you").click()
    expect(phone.get_by_text("My social worker keeps cancelling my visits.")).to_be_visible()
    screenshot(phone, "23-status-open")


def test_the_journey_works_with_javascript_off(phone_without_js: Page, live_server: str):
    reference = _walk(phone_without_js, live_server, check_each_page=False)
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}", reference)


def test_error_states_are_accessible(phone: Page, live_server: str):
    phone.goto(live_server + "/chat/who")
    phone.get_by_role("button", name="Next").click()
    expect(phone.locator(".error-summary")).to_be_focused()
    _check_accessibility(phone, "who-error")
    screenshot(phone, "30-who-error")


def test_link_problem_page_is_accessible(phone: Page, live_server: str):
    phone.goto(live_server + "/s/not-a-real-link")
    expect(phone.locator("#link-problem")).to_be_visible()
    _check_accessibility(phone, "link-problem")
    screenshot(phone, "31-link-problem")


def test_nothing_scrolls_sideways_at_320px(narrow: Page, live_server: str):
    for path in ["/", "/chat/who", "/s/bad"]:
        narrow.goto(live_server + path)
        _no_sideways_scroll(narrow)


def test_signpost_and_danger_page_is_accessible(phone: Page, live_server: str):
    phone.goto(live_server + "/chat/who")
    for label in ["I am a young person. This is about me.", "I am in care", "12 to 15"]:
        phone.get_by_role("radio", name=re.compile(rf"^{re.escape(label)}(\s|$)")).click()
        phone.get_by_role("button", name="Next").click()
    for label in ["I do not feel safe", "School, police, doctors, a court, or child protection"]:
        phone.get_by_role("checkbox", name=label).click()
    phone.get_by_role("button", name="Next").click()
    phone.get_by_role("checkbox", name="A school or college").click()
    phone.get_by_role("button", name="Next").click()
    expect(phone.locator("#signpost")).to_be_visible()
    expect(phone.locator("#signpost .danger")).to_contain_text("0800 1111")
    _check_accessibility(phone, "signpost")
    _no_sideways_scroll(phone)
    screenshot(phone, "32-signpost-danger")
    phone.get_by_role("button", name="Send it to the council anyway").click()
    expect(phone).to_have_url(re.compile("/chat/what_happened$"))
