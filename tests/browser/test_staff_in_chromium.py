"""The staff area in a real browser: sign in, the tracker, a case and a move, checked by axe."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from portal.services import staff as accounts
from tests.browser.conftest import screenshot, send_without_drawing
from tests.browser.test_journey_in_chromium import TAPS, _check_accessibility, _no_sideways_scroll

pytestmark = pytest.mark.browser
PASSWORD = "a long browser test password"


@pytest.fixture(scope="module")
def manager_email(live_app) -> str:
    email = "browser.manager@council.example"
    with live_app.app_context():
        if accounts.by_email(email) is None:
            accounts.create(email, "Browser Manager", "manager", PASSWORD)
    return email


def _sign_in(page: Page, base: str, email: str) -> None:
    page.goto(base + "/staff/cases")
    expect(page).to_have_url(re.compile("/staff/sign-in"))
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_staff_pages_are_accessible(request, size, live_server, manager_email, browser):
    page: Page = request.getfixturevalue(size)
    young_person = browser.new_context(viewport={"width": 360, "height": 740})
    reference = send_without_drawing(young_person.new_page(), live_server, dict(TAPS)).reference
    young_person.close()

    page.goto(live_server + "/staff/sign-in")
    _check_accessibility(page, "staff sign-in")
    page.get_by_label("Email address").fill(manager_email)
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Sign in").click()
    _check_accessibility(page, "staff sign-in error")
    screenshot(page, f"staff-{size}-01-sign-in-error")

    _sign_in(page, live_server, manager_email)
    expect(page).to_have_url(re.compile("/staff/cases$"))
    _check_accessibility(page, "tracker")
    screenshot(page, f"staff-{size}-02-tracker")
    if size == "phone":
        _no_sideways_scroll(page)

    page.get_by_role("link", name=reference, exact=True).click()
    expect(page.locator("h1")).to_have_text(f"Case {reference}")
    _check_accessibility(page, "case")
    screenshot(page, f"staff-{size}-03-case")

    # One recommended next step, with why and by when, is the main button (issue 17).
    expect(page.locator("#next-step")).to_contain_text("Due by")
    page.locator("#next-step").get_by_role(
        "button", name="Accept under the Children Act procedure and record the acknowledgement"
    ).click()
    expect(page.get_by_role("status")).to_contain_text("Done")
    expect(page.locator("#step")).to_contain_text("Stage 1: open")
    _check_accessibility(page, "case after the first move")
    page.get_by_role("link", name="Pause the clock").click()
    page.get_by_role("button", name="Pause the clock").click()  # no reason: an error
    expect(page.locator(".error-summary")).to_contain_text("Write why the clock is paused.")
    _check_accessibility(page, "move form with an error")
    screenshot(page, f"staff-{size}-04-form-error")
    page.get_by_label("Waiting for an advocate the young person asked for").check()
    page.get_by_label("Why the clock is paused").fill("Finding an advocate.")
    page.get_by_role("button", name="Pause the clock").click()
    expect(page.locator("#deadline")).to_contain_text("Clock paused")

    page.get_by_role("link", name="See who has looked at or changed this case").click()
    _check_accessibility(page, "audit trail")
    screenshot(page, f"staff-{size}-05-audit")


def test_after_a_reply_the_status_page_offers_still_not_happy(
    phone, live_server, live_app, browser
):
    from portal.services import casework, complaints, status_links
    from portal.stages import Action

    young_person = browser.new_context(viewport={"width": 360, "height": 740})
    reference = send_without_drawing(young_person.new_page(), live_server, dict(TAPS)).reference
    young_person.close()
    actor = casework.Actor("browser.manager@council.example", "manager")
    with live_app.app_context():
        complaint = complaints.by_reference(reference)
        casework.advance(complaint, Action.ACCEPT_STATUTORY, actor, None)
        casework.advance(complaint, Action.ACKNOWLEDGE, actor, None)
        casework.advance(
            complaint, Action.SEND_MESSAGE, actor, None, {"message": "We are looking at it."}
        )
        outcomes = {f"outcome-{p.id}": "partly_upheld" for p in complaint.points}
        outcomes |= {f"remedy-{p.id}-apology": "yes" for p in complaint.points}
        casework.advance(
            complaint,
            Action.RECORD_RESPONSE,
            actor,
            None,
            {
                "finding": "Some visits were missed.",
                "remedy": "Visits are booked ahead.",
                **outcomes,
            },
        )
        token = status_links.token_for(complaint)
    phone.goto(f"{live_server}/s/{token}")
    expect(phone.locator("#still-not-happy")).to_be_visible()
    _check_accessibility(phone, "status after a reply")
    _no_sideways_scroll(phone)
    screenshot(phone, "24-status-after-reply")
    phone.get_by_role("button", name="I'm still not happy").click()
    expect(phone.locator("#asked-again")).to_be_visible()
    _check_accessibility(phone, "status after asking again")
    screenshot(phone, "25-status-asked-again")


def test_every_staff_form_help_request_and_accounts_pass_axe(
    desktop, live_server, live_app, browser
):
    from portal.services import casework, complaints, safety

    young_person = browser.new_context(viewport={"width": 360, "height": 740})
    reference = send_without_drawing(young_person.new_page(), live_server, dict(TAPS)).reference
    young_person.close()
    actor = casework.Actor("browser.manager@council.example", "manager")
    admin_email = "browser.admin@council.example"
    with live_app.app_context():
        complaint = complaints.by_reference(reference)
        help_id = safety.request_help(None, complaint, "phone", "07700 900123").id
        if accounts.by_email(admin_email) is None:
            accounts.create(admin_email, "Browser Admin", "admin", PASSWORD)
        if accounts.by_email("browser.manager@council.example") is None:
            accounts.create("browser.manager@council.example", "Manager", "manager", PASSWORD)
    _sign_in(desktop, live_server, "browser.manager@council.example")
    seen = set()
    # Walk the case through Stage 1 and 2, checking every form offered on the way.
    for action, fields in [("accept_statutory", None), ("acknowledge", None), (None, None)]:
        desktop.goto(f"{live_server}/staff/cases/{reference}")
        for href in desktop.locator(".action-list a").evaluate_all("l => l.map(a => a.href)"):
            move = href.rsplit("/", 1)[-1]
            if move in seen:
                continue
            desktop.goto(href)
            _check_accessibility(desktop, f"staff form {move}")
            seen.add(move)
        if action:
            with live_app.app_context():
                casework.advance(complaints.by_reference(reference), action, actor, None)
    assert {"record_response", "extend", "send_message", "edit_points"} <= seen
    screenshot(desktop, "staff-desktop-06-last-form")
    desktop.goto(f"{live_server}/staff/help/{help_id}")
    _check_accessibility(desktop, "help request")
    screenshot(desktop, "staff-desktop-07-help-request")
    desktop.context.clear_cookies()
    _sign_in(desktop, live_server, admin_email)
    desktop.goto(f"{live_server}/staff/accounts")
    _check_accessibility(desktop, "accounts")
    screenshot(desktop, "staff-desktop-08-accounts")


@pytest.mark.parametrize(
    "viewport",
    [
        {"width": 1280, "height": 800},
        {"width": 1024, "height": 768},
        {"width": 768, "height": 1024},
    ],
    ids=["laptop", "tablet-landscape", "tablet"],
)
def test_the_tracker_filters_and_the_next_step_fit_a_laptop_and_a_tablet(
    viewport, live_server, manager_email, browser
):
    """Issue 17: every filter is on screen without sideways scrolling, what each deadline is
    for shows in the tracker, and the case page's next step comes before the other actions."""
    young_person = browser.new_context(viewport={"width": 360, "height": 740})
    reference = send_without_drawing(young_person.new_page(), live_server, dict(TAPS)).reference
    young_person.close()
    context = browser.new_context(viewport=viewport, locale="en-GB")
    page = context.new_page()
    _sign_in(page, live_server, manager_email)
    expect(page).to_have_url(re.compile("/staff/cases$"))
    _no_sideways_scroll(page)
    for label in ("Reference", "Stage", "What is due next", "Topic", "Overdue", "Urgent"):
        box = page.get_by_label(label, exact=True).bounding_box()
        assert box is not None and box["x"] >= 0, label
        assert box["x"] + box["width"] <= viewport["width"], f"{label} is off the screen"
    page.get_by_role("button", name="Filter").scroll_into_view_if_needed()
    expect(page.locator("table.tracker")).to_contain_text("Acknowledgement:")
    # The whole tracker row, topic included, fits without scrolling its table sideways.
    spill = page.locator(".table-scroll").evaluate("el => el.scrollWidth - el.clientWidth")
    assert spill <= 0, f"the tracker table scrolls sideways by {spill}px"
    name = f"staff-{viewport['width']}x{viewport['height']}"
    screenshot(page, f"{name}-tracker")
    page.get_by_label("What is due next").select_option("acknowledge")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("link", name=reference, exact=True)).to_be_visible()
    page.get_by_role("link", name=reference, exact=True).click()
    next_step = page.locator("#next-step").bounding_box()
    others = page.locator("#other-actions").bounding_box()
    assert next_step["y"] < others["y"]
    _no_sideways_scroll(page)
    _check_accessibility(page, f"case at {name}")
    screenshot(page, f"{name}-case")
    context.close()
