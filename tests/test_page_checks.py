"""The page check every test client runs (tests/pages.py) is itself checked: it must refuse
broken markup, or every page test would pass on a page a browser has to guess at."""

from __future__ import annotations

import html5lib
import pytest
from werkzeug.test import TestResponse

from tests.pages import check_page

NONCE = "abc123"
GOOD = (
    "<!DOCTYPE html><html lang='en' dir='ltr'><head><title>Hello – Speak Up</title>"
    f"<script nonce='{NONCE}' src='/s.js'></script></head>"
    "<body><h1>Hello</h1><p>Words</p></body></html>"
)


def _response(body: str) -> TestResponse:
    response = TestResponse(body, 200, {"Content-Type": "text/html; charset=utf-8"}, None)
    response.headers["Content-Security-Policy"] = f"script-src 'self' 'nonce-{NONCE}'"
    return response


def test_a_proper_page_passes_and_comes_back_parsed():
    soup = check_page(_response(GOOD))
    assert soup.h1.get_text() == "Hello"
    assert soup.find("html")["lang"] == "en"


@pytest.mark.parametrize(
    "broken",
    [
        GOOD.replace("<p>Words</p>", "<p>Words</div>"),  # a stray end tag
        GOOD.replace("<!DOCTYPE html>", ""),  # no doctype
        GOOD.replace("<p>Words</p>", "<a href='/a' href='/b'>Words</a>"),  # an attribute twice
        GOOD.replace("<p>Words</p>", "<p>Words &bogus more</p>"),  # no such character
    ],
)
def test_broken_markup_fails_the_check(broken):
    with pytest.raises(html5lib.html5parser.ParseError):
        check_page(_response(broken))


@pytest.mark.parametrize(
    ("change", "why"),
    [
        (("<h1>Hello</h1>", "<h1>Hello</h1><h1>Again</h1>"), "exactly one <h1>"),
        (("<title>Hello – Speak Up</title>", "<title>Other – Speak Up</title>"), "start with"),
        ((f"nonce='{NONCE}'", "nonce='other'"), "nonce"),
        (("<p>Words</p>", "<form method='post'></form>"), "CSRF"),
    ],
)
def test_a_page_missing_what_every_page_needs_fails_the_check(change, why):
    with pytest.raises(AssertionError, match=why):
        check_page(_response(GOOD.replace(*change)))
