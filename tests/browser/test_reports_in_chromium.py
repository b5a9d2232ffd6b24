"""The managers' report and the quarterly performance view in a real browser, checked by axe:
the charts (SVG images with a title and a description), the data tables, the forms, the
"whose" choice and the publication view."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from portal.services import staff as accounts
from tests.browser.conftest import screenshot
from tests.browser.test_journey_in_chromium import _check_accessibility

pytestmark = pytest.mark.browser
PASSWORD = "a long browser test password"


@pytest.fixture(scope="module")
def report_manager(live_app) -> str:
    email = "report.manager@council.example"
    with live_app.app_context():
        if accounts.by_email(email) is None:
            accounts.create(email, "Report Manager", "manager", PASSWORD)
    return email


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_the_report_and_the_performance_view_pass_axe(request, size, live_server, report_manager):
    page: Page = request.getfixturevalue(size)
    page.goto(live_server + "/staff/sign-in")
    page.get_by_label("Email address").fill(report_manager)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(live_server + "/staff/reports")
    expect(page.locator("h1")).to_have_text("Complaints report")
    _check_accessibility(page, "report")
    screenshot(page, f"reports-{size}-01-year")
    page.get_by_label("Whose complaints").select_option("children")
    page.get_by_label("For publication").check()
    page.get_by_role("button", name="Show the report").click()
    expect(page).to_have_url(re.compile("whose=children"))
    expect(page.locator("#whose-shown")).to_contain_text("Children")
    _check_accessibility(page, "report for publication, children")
    page.get_by_role("link", name="Performance", exact=True).click()
    expect(page.locator("h1")).to_have_text("Quarterly performance")
    _check_accessibility(page, "performance view")
    screenshot(page, f"reports-{size}-02-performance")
    page.goto(live_server + "/staff/reports/performance?quarter=9")
    expect(page.locator("#period-problem")).to_contain_text("quarter")
    _check_accessibility(page, "performance view, bad quarter")
