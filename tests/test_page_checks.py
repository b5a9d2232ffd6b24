"""The page check every test client runs (tests/pages.py) is itself checked: it must refuse
broken markup, or every page test would pass on a page a browser has to guess at."""

from __future__ import annotations

import html5lib
import pytest
from werkzeug.test import TestResponse

from tests import pages
from tests.pages import assert_proper_page, check_page

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


# A page checked once is not parsed again when only its nonce and CSRF token differ
# (tests/pages.py: PassedPages). Every answer must be the one a fresh check would give.

NONCE_1, NONCE_2 = "aBc123_-dEf456GhI789jk", "zYx987_-wvU654tsR321qp"
TOKEN = "IjVhNmQ0YzE2Zjc.aBcDeF.s1gn4ture-Of_the.token"
WITH_FORM = GOOD.replace(
    "<p>Words</p>",
    f"<form method='post' action='/a'><input type='hidden' name=\"csrf_token\" value=\"{TOKEN}\">"
    "<input name='answer' value='kept as it is'></form>",
).replace(f"nonce='{NONCE}'", f'nonce="{NONCE_1}"')
TOKEN_2 = "IjExMjIzMzQ0NTU.zZyYxX.An0ther-sign_atur3.Hre"  # as long as TOKEN


def _page(body: str, nonce: str) -> TestResponse:
    response = TestResponse(body, 200, {"Content-Type": "text/html; charset=utf-8"}, None)
    response.headers["Content-Security-Policy"] = f"script-src 'self' 'nonce-{nonce}'"
    return response


def _other(body: str = WITH_FORM) -> TestResponse:
    """The same page for another request: its own nonce and its own session's token."""
    return _page(body.replace(NONCE_1, NONCE_2).replace(TOKEN, TOKEN_2), NONCE_2)


def _shape(soup) -> list:
    """Everything about a parsed page: each element's kind, name, attributes, text and place
    in the source, and its links to the others (as their numbers in document order)."""
    elements = [soup, *soup.descendants]
    number = {id(e): n for n, e in enumerate(elements)}

    def at(element) -> int | None:
        return None if element is None else number[id(element)]

    def own(element) -> tuple:
        if isinstance(element, str):
            return (str(element),)
        attrs = {k: list(v) if isinstance(v, list) else v for k, v in element.attrs.items()}
        place = (element.sourceline, element.sourcepos, element.hidden)
        return (element.name, element.namespace, element.prefix, attrs, place)

    return [
        (
            type(e),
            own(e),
            at(e.parent),
            at(e.previous_element),
            at(e.next_element),
            at(e.previous_sibling),
            at(e.next_sibling),
            [at(c) for c in getattr(e, "contents", [])],
        )
        for e in elements
    ]


@pytest.fixture
def passed(monkeypatch) -> pages.PassedPages:
    fresh = pages.PassedPages(size=10)
    monkeypatch.setattr(pages, "_PASSED", fresh)
    return fresh


def test_the_same_page_with_another_nonce_and_token_is_not_parsed_again(passed):
    first = check_page(_page(WITH_FORM, NONCE_1))
    again = check_page(_other())
    assert (passed.checked, passed.reused) == (1, 1)
    assert again.find("script")["nonce"] == NONCE_2
    assert again.find("input", attrs={"name": "csrf_token"})["value"] == TOKEN_2
    assert _shape(again) == _shape(pages._parse(_other().get_data(as_text=True)))
    assert _shape(first) == _shape(pages._parse(WITH_FORM))
    assert str(again) == str(pages._parse(_other().get_data(as_text=True)))


def test_each_copy_is_its_own(passed):
    check_page(_page(WITH_FORM, NONCE_1)).h1.decompose()
    assert check_page(_other()).h1.get_text() == "Hello"
    assert passed.reused == 1


@pytest.mark.parametrize(
    "change",
    [
        ("<h1>Hello</h1>", "<h1>Hello</h1><h1>Again</h1>"),  # what the check is about
        ("kept as it is", "kept as it was"),  # anything else at all
        ("<input name='answer'", "<input name='answer' value='x'"),  # an attribute twice
    ],
)
def test_a_page_that_differs_in_anything_else_is_checked_on_its_own(passed, change):
    check_page(_page(WITH_FORM, NONCE_1))
    changed = _other(WITH_FORM.replace(*change))
    try:
        expected = pages._parse(changed.get_data(as_text=True))
        pages._judge(expected, NONCE_2)
    except Exception as problem:  # noqa: BLE001 - the check fails as a fresh check does
        with pytest.raises(type(problem)):
            check_page(changed)
    else:
        assert _shape(check_page(changed)) == _shape(expected)
    assert passed.reused == 0


def test_a_script_with_another_requests_nonce_fails_even_after_the_page_passed(passed):
    check_page(_page(WITH_FORM, NONCE_1))
    stale = _page(WITH_FORM.replace(TOKEN, TOKEN_2), NONCE_2)  # the script kept NONCE_1
    with pytest.raises(AssertionError, match="nonce"):
        check_page(stale)
    without = _page(WITH_FORM, NONCE_1).headers.copy()
    del without["Content-Security-Policy"]
    no_header = TestResponse(WITH_FORM, 200, without, None)
    with pytest.raises(AssertionError, match="nonce"):
        check_page(no_header)


@pytest.mark.parametrize(
    "body",
    [
        # The token also written as text: the page is checked as it is.
        WITH_FORM.replace("<p>", "").replace("</body>", f"<p>{TOKEN}</p></body>"),
        # Words that become a placeholder once a character reference in them is read.
        WITH_FORM.replace(
            "<h1>Hello</h1>",
            "<h1>Hello</h1><p>"
            + f"{pages.PLACEHOLDER}0".ljust(len(NONCE_1) - 1, "Z")
            + "&#90;</p>",
        ),
        WITH_FORM.replace(
            "value='kept as it is'",
            "value='" + f"{pages.PLACEHOLDER}1".ljust(len(TOKEN) - 1, "Z") + "&#90;'",
        ),
        # A token with a character the parser may read differently.
        WITH_FORM.replace(TOKEN, TOKEN + "&amp;x"),
    ],
)
def test_a_page_whose_holes_are_not_plain_is_parsed_as_it_is(passed, body):
    soup = check_page(_page(body, NONCE_1))
    assert _shape(soup) == _shape(pages._parse(body))
    assert check_page(_page(body, NONCE_1)) is not soup
    assert passed.reused == 0


def test_the_oldest_page_goes_when_the_store_is_full(monkeypatch):
    store = pages.PassedPages(size=1)
    monkeypatch.setattr(pages, "_PASSED", store)
    check_page(_page(WITH_FORM, NONCE_1))
    check_page(_page(WITH_FORM.replace("kept as it is", "another page"), NONCE_1))
    check_page(_other())
    assert (store.checked, store.reused) == (3, 0)


@pytest.mark.pages
@pytest.mark.parametrize("path", ["/", "/chat/who", "/help", "/staff/sign-in", "/lost-link"])
def test_real_pages_from_the_store_are_the_pages_parsed_afresh(app, passed, path):
    first, second = app.test_client(), app.test_client()  # two sessions: two CSRF tokens
    for client in (first, second):
        response = client.get(path, follow_redirects=True)
        html = response.get_data(as_text=True)
        assert _shape(check_page(response)) == _shape(pages._parse(html))
    assert passed.reused == 1, "the second visit should be the same page with other tokens"


def test_the_check_without_the_parse_gives_the_same_verdicts(passed):
    assert_proper_page(_page(WITH_FORM, NONCE_1))
    assert_proper_page(_other())
    assert (passed.checked, passed.reused) == (1, 1)
    with pytest.raises(AssertionError, match="nonce"):
        assert_proper_page(_page(WITH_FORM.replace(TOKEN, TOKEN_2), NONCE_2))
    with pytest.raises(html5lib.html5parser.ParseError):
        assert_proper_page(_other(WITH_FORM.replace("</form>", "</form></p>")))
