"""The Chromium the browser tests drive (tests/browser/conftest.py) is Playwright's, with the
omnibox pop-ups switched off: every feature Playwright disables stays disabled. And axe, asked
for the violations alone in full (test_journey_in_chromium.AXE_OPTIONS), finds every one."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.conftest import (
    CHROMIUM,
    CHROMIUM_ARGS,
    DISABLED_FEATURES,
    chromium_command_lines,
)
from tests.browser.test_journey_in_chromium import AXE_OPTIONS

pytestmark = pytest.mark.browser


def _disabled(args: list[str]) -> set[str]:
    """The features a browser runs without: Chromium reads the last --disable-features."""
    switches = [a for a in args if a.startswith("--disable-features=")]
    return set(switches[-1].split("=", 1)[1].split(",")) if switches else set()


def test_every_feature_playwright_disables_stays_disabled_with_the_omnibox_popups(browser):
    plain = browser.browser_type.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    try:
        lines = chromium_command_lines()
    finally:
        plain.close()
    assert len(lines) == 2, lines
    ours = [_disabled(args) for args in lines if set(DISABLED_FEATURES) <= _disabled(args)]
    theirs = [_disabled(args) for args in lines if not set(DISABLED_FEATURES) <= _disabled(args)]
    assert len(ours) == len(theirs) == 1, lines
    assert "PaintHolding" in theirs[0], "Playwright's own list was not found"
    assert theirs[0] | set(DISABLED_FEATURES) == ours[0]


def test_a_window_opens_no_omnibox_popup(browser):
    session = browser.new_browser_cdp_session()
    context = browser.new_context()
    try:
        context.new_page().goto("about:blank")
        targets = session.send("Target.getTargets", {"filter": [{}]})["targetInfos"]
    finally:
        context.close()
        session.detach()
    assert [t["url"] for t in targets if t["type"] == "page"] == ["about:blank"]
    assert not [t["url"] for t in targets if "omnibox" in t["url"]], targets


# A page that breaks a dozen WCAG rules, some on several elements.
BROKEN = """<!DOCTYPE html><html><head><title></title></head><body>
<img src="/a.png"><img src="/b.png"><img src="/c.png" alt="">
<p style="color:#bbb;background:#fff">Faint words</p><p style="color:#ccc">More faint words</p>
<input type="text"><input type="checkbox"><select><option>One</option></select>
<a href="/x"></a><a href="/y"><img src="/d.png"></a><button></button>
<div id="twice" aria-labelledby="nobody"></div><div id="twice" role="buttonx"></div>
<ul><div>not a list item</div></ul><table><tr><th></th><td>cell</td></tr></table>
<div role="img"></div><iframe src="about:blank"></iframe>
</body></html>"""


def _violations(results) -> list:
    return [
        (v["id"], v["impact"], sorted(str(n["target"]) for n in v["nodes"]))
        for v in results.response["violations"]
    ]


def test_axe_finds_the_same_violations_when_only_they_come_back_in_full(browser):
    context = browser.new_context()
    try:
        page = context.new_page()
        page.set_content(BROKEN)
        options = {k: v for k, v in AXE_OPTIONS.items() if k != "resultTypes"}
        everything = Axe().run(page, options=options)
        page.set_content(BROKEN)
        violations = Axe().run(page, options=AXE_OPTIONS)
    finally:
        context.close()
    assert AXE_OPTIONS["resultTypes"] == ["violations"]
    found = _violations(everything)
    assert len(found) >= 12 and sum(len(targets) for _, _, targets in found) >= 18, found
    assert _violations(violations) == found
    assert len(everything.response["passes"]) == len(violations.response["passes"])
