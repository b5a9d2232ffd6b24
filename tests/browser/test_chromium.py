"""The Chromium the browser tests drive (tests/browser/conftest.py) is Playwright's, with the
omnibox pop-ups switched off: every feature Playwright disables stays disabled."""

from __future__ import annotations

import pytest

from tests.browser.conftest import (
    CHROMIUM,
    CHROMIUM_ARGS,
    DISABLED_FEATURES,
    chromium_command_lines,
)

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
