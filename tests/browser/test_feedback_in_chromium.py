"""'Say thank you or share an idea' in a real browser: on a 390 x 844 phone in English and
Arabic (right to left), every page checked by axe, with JavaScript off, and at 320 px."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from portal.safety.matcher import matching_lists
from tests.browser.conftest import screenshot
from tests.browser.test_journey_in_chromium import _check_accessibility, _no_sideways_scroll

pytestmark = pytest.mark.browser

PHONE_390 = {"width": 390, "height": 844}

# What someone taps or types, step by step, by the value of each choice.
THANKS = [
    ("kind", ["compliment"]),
    ("about", "Sam"),
    ("thanks", "Sam always listens to me."),
    ("who", ["young_person"]),
]
IDEA = [
    ("kind", ["comment"]),
    ("idea", "Meetings after school would help."),
    ("who", ["parent"]),
    ("reply", ["email"]),
    ("email", "parent@example.com"),
]


@pytest.fixture(scope="module", autouse=True)
def _safety_lists_loaded() -> None:
    """Load the safety lists once before the first page that screens words (it takes a while
    the first time, longer than a click waits for its page)."""
    matching_lists("warm up")


@pytest.fixture
def phone_390(browser: Browser):
    context = browser.new_context(viewport=PHONE_390, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def phone_390_without_js(browser: Browser):
    context = browser.new_context(viewport=PHONE_390, locale="en-GB", java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def _answer(page: Page, answer) -> None:
    if isinstance(answer, list):
        for value in answer:
            choice = page.locator(f"form.ask input[value='{value}']")
            page.locator(f"label[for='{choice.get_attribute('id')}']").click()
    else:
        page.locator("#answer").fill(answer)
    page.locator("form.ask button[type=submit]").click()


def _walk(page: Page, base: str, taps, *, name: str, check: bool) -> None:
    page.goto(base + "/")
    page.locator("a#thank-you-or-idea").click()
    for step, answer in taps:
        expect(page).to_have_url(re.compile(f"/thank-you-or-idea/{step}$"))
        if check:
            _check_accessibility(page, f"{name}-{step}")
            _no_sideways_scroll(page)
            screenshot(page, f"feedback-{name}-{step}")
        _answer(page, answer)
    expect(page).to_have_url(re.compile("/thank-you-or-idea/check$"))
    if check:
        _check_accessibility(page, f"{name}-check")
        _no_sideways_scroll(page)
        screenshot(page, f"feedback-{name}-check")
    page.locator("form.send-form button[type=submit]").click()
    expect(page).to_have_url(re.compile("/thank-you-or-idea/sent$"))
    expect(page.locator("#feedback-sent")).to_be_visible()
    if check:
        _check_accessibility(page, f"{name}-sent")
        _no_sideways_scroll(page)
        screenshot(page, f"feedback-{name}-sent")


def test_saying_thank_you_on_a_phone_in_english(phone_390: Page, live_server: str):
    _walk(phone_390, live_server, THANKS, name="en-thanks", check=True)
    expect(phone_390.locator("h1")).to_have_text("Thank you. We have got your thanks.")
    expect(phone_390.locator("#no-reply")).to_be_visible()


def test_sharing_an_idea_on_a_phone_in_arabic(phone_390: Page, live_server: str):
    phone_390.goto(live_server + "/language/ar?next=/")
    expect(phone_390.locator("html")).to_have_attribute("dir", "rtl")
    _walk(phone_390, live_server, IDEA, name="ar-idea", check=True)
    expect(phone_390.locator("html")).to_have_attribute("lang", re.compile("^ar"))
    expect(phone_390.locator("#reply-by-email")).to_be_visible()
    expect(phone_390.locator("h1")).not_to_have_text("Thank you. We have got your idea.")


def test_an_error_and_the_safety_help_are_accessible_in_arabic(phone_390: Page, live_server: str):
    phone_390.goto(live_server + "/language/ar?next=/thank-you-or-idea/new")
    expect(phone_390).to_have_url(re.compile("/thank-you-or-idea/kind$"))
    phone_390.locator("form.ask button[type=submit]").click()
    expect(phone_390.locator(".error-summary")).to_be_visible()
    _check_accessibility(phone_390, "ar-kind-error")
    screenshot(phone_390, "feedback-ar-kind-error")
    _answer(phone_390, ["comment"])
    _answer(phone_390, "my foster carer hits me")
    expect(phone_390.locator("#safety-help")).to_be_visible()
    _check_accessibility(phone_390, "ar-safety-help")
    _no_sideways_scroll(phone_390)
    screenshot(phone_390, "feedback-ar-safety-help")


def test_it_works_with_javascript_off(phone_390_without_js: Page, live_server: str):
    _walk(phone_390_without_js, live_server, IDEA, name="no-js", check=False)
    expect(phone_390_without_js.locator("#reply-by-email")).to_be_visible()


def test_nothing_scrolls_sideways_at_320px(narrow: Page, live_server: str):
    for language in ("en", "ar"):
        narrow.goto(f"{live_server}/language/{language}?next=/thank-you-or-idea/new")
        _no_sideways_scroll(narrow)
        _answer(narrow, ["compliment"])
        # The click starts a navigation; measure the next page, not the one being left.
        expect(narrow).to_have_url(re.compile("/thank-you-or-idea/about$"))
        _no_sideways_scroll(narrow)


STAFF_EMAIL = "browser.feedback@council.example"


def test_the_staff_pages_pass_axe(desktop: Page, phone: Page, live_server: str, live_app):
    from portal.services import staff as accounts
    from tests.browser.test_staff_in_chromium import PASSWORD, _sign_in

    with live_app.app_context():
        if accounts.by_email(STAFF_EMAIL) is None:
            accounts.create(STAFF_EMAIL, "Feedback Officer", "officer", PASSWORD)
    for page, size in ((desktop, "desktop"), (phone, "phone")):
        _sign_in(page, live_server, STAFF_EMAIL)
        page.locator("nav.staff-nav").get_by_role("link", name="Compliments and comments").click()
        expect(page).to_have_url(re.compile("/staff/feedback$"))
        _check_accessibility(page, f"staff feedback list {size}")
        _no_sideways_scroll(page)
        page.locator("a#record-feedback").click()
        page.get_by_role("button", name="Record it").click()
        expect(page.locator(".error-summary")).to_be_visible()
        _check_accessibility(page, f"staff feedback form error {size}")
        _no_sideways_scroll(page)
        screenshot(page, f"staff-{size}-feedback-form-error")
        page.locator("label", has_text="Comment or idea").click()
        page.locator("label", has_text="Letter").click()
        page.locator("label", has_text="A professional").click()
        page.get_by_label("What they said").fill("More evening appointments, please.")
        page.get_by_label("Email address or phone number").fill("pro@example.com")
        page.get_by_role("button", name="Record it").click()
        expect(page.locator("#saved")).to_be_visible()
        _check_accessibility(page, f"staff feedback item {size}")
        _no_sideways_scroll(page)
        page.get_by_label("The answer").fill("We will try evening slots on Thursdays.")
        page.get_by_role("button", name="Record the answer and send it").click()
        expect(page.locator("#answer-text")).to_contain_text("evening slots")
        _check_accessibility(page, f"staff feedback answered {size}")
        screenshot(page, f"staff-{size}-feedback-answered")
