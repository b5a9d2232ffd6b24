"""A test client that checks the structure of every page it fetches."""

from __future__ import annotations

import re
from collections import Counter, OrderedDict
from dataclasses import dataclass
from typing import Any

import html5lib
from bs4 import BeautifulSoup
from bs4.builder import HTML5TreeBuilder
from bs4.element import PageElement, Tag
from flask.testing import FlaskClient
from werkzeug.test import TestResponse


@dataclass
class Page:
    response: TestResponse
    soup: BeautifulSoup

    @property
    def status(self) -> int:
        return self.response.status_code

    @property
    def path(self) -> str:
        return self.response.request.path

    def select_one(self, selector: str) -> Any:
        return self.soup.select_one(selector)

    def select(self, selector: str) -> list[Any]:
        return self.soup.select(selector)

    @property
    def h1(self) -> str:
        return " ".join(self.soup.select_one("h1").get_text().split())

    @property
    def text(self) -> str:
        return " ".join(self.soup.get_text(" ").split())

    def form_data(self, selector: str = "form") -> tuple[str, dict[str, str]]:
        form = self.soup.select_one(selector)
        assert form is not None, f"no form {selector!r} on {self.path}"
        fields = {i["name"]: i.get("value", "") for i in form.select("input[type=hidden]")}
        return form.get("action") or self.path + (
            "?" + self.response.request.query_string.decode()
            if self.response.request.query_string
            else ""
        ), fields


class StrictHTML5TreeBuilder(HTML5TreeBuilder):
    """Beautiful Soup's html5lib builder with html5lib in strict mode: the page is parsed once,
    and any parse error (broken markup) raises, failing the test."""

    def feed(self, markup) -> None:
        parser = html5lib.HTMLParser(tree=self.create_treebuilder, strict=True)
        self.underlying_builder.parser = parser
        parser.parse(markup)
        self.underlying_builder.parser = None


def _parse(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, builder=StrictHTML5TreeBuilder())


def _judge(soup: BeautifulSoup, nonce: str | None) -> None:
    """What every page must be, on the parsed page: one h1, a title that starts with it, etc."""
    html = soup.find("html")
    assert html.get("lang"), "the <html> element needs a lang"
    assert html.get("dir") in {"ltr", "rtl"}
    h1s = soup.find_all("h1")
    assert len(h1s) == 1, f"expected exactly one <h1>, found {len(h1s)}"
    heading = " ".join(h1s[0].get_text().split())
    title = " ".join(soup.title.get_text().split())
    assert title.startswith(heading), f"title {title!r} should start with the h1 {heading!r}"
    assert title.endswith("– Speak Up"), f"title {title!r} has something extra in it"
    ids = Counter(tag["id"] for tag in soup.find_all(id=True))
    duplicates = [i for i, n in ids.items() if n > 1]
    assert not duplicates, f"duplicate ids: {duplicates}"
    for script in soup.find_all("script"):
        assert script.get("nonce") == nonce, "every script needs this response's CSP nonce"
    for form in soup.find_all("form", method="post"):
        assert form.find("input", attrs={"name": "csrf_token"}), "every POST form needs CSRF"


def check_page(response: TestResponse) -> BeautifulSoup:
    """Assert what every page must be: valid HTML, one h1, a title that starts with it, etc.
    Return the page as html5lib parsed it."""
    return _checked(response, parsed=True)


def assert_proper_page(response: TestResponse) -> None:
    """check_page, for a caller that does not read the page."""
    _checked(response, parsed=False)


def _checked(response: TestResponse, parsed: bool) -> BeautifulSoup | None:
    html, nonce = response.get_data(as_text=True), _csp_nonce(response)
    holes = _holes(html, nonce)
    if holes is not None:
        passed = _PASSED.find(html, holes, nonce is not None)
        if passed is not None:
            return passed.filled(holes) if parsed else None
    soup = _parse(html)
    _judge(soup, nonce)
    return soup


def _csp_nonce(response: TestResponse) -> str | None:
    csp = response.headers.get("Content-Security-Policy", "")
    for part in csp.split(";"):
        for token in part.split():
            if token.startswith("'nonce-"):
                return token[len("'nonce-") : -1]
    return None


# Pages checked once ------------------------------------------------------------------------
#
# Most pages a run fetches are the same page as one fetched before except for the response's
# CSP nonce and the session's CSRF token (the same question page, walked by another test). The
# check is strict html5lib (pure Python, 7-15 ms for most pages), so a page is checked once
# with those two values as same-length placeholders ("holes"), and a page that is the same with
# its holes is given that verdict and a copy of that parse with its own values put back (about
# 1.5 ms). In tests/portal, tests/staff and tests/messages, 60-80% of the pages each test
# process checks are such repeats.
#
# Exact, not an approximation: a hole is taken only where every occurrence of its value is a
# whole ` nonce="..."` or ` value="..."` attribute value made of letters, digits, "-", "_" and
# ".", which the parser treats alike in every state it can be in there (no case folding, no
# character reference), so the page with holes parses to the same tree, at the same positions,
# with the placeholders where the values were. The check never reads those values except to
# compare a script's nonce with the header's, which the one-to-one swap keeps. A placeholder
# found anywhere else in the parsed page (written with a character reference, say) means the
# page is checked afresh. tests/test_page_checks.py holds the cache to this.

_VALUE = re.compile(r"[A-Za-z0-9_.\-]{12,}")
_CSRF_INPUT = re.compile(r"<input\b[^>]*\bname=\"csrf_token\"[^>]*>")
_CSRF_VALUE = re.compile(r"\svalue=\"([^\"]*)\"")
PLACEHOLDER = "pagecheckhole"
_SPACES, _NAMES = " \t\n\f\r", ("nonce", "value")  # what comes before a hole: HTML's spaces


def _holes(html: str, nonce: str | None) -> list[tuple[str, str]] | None:
    """The page's nonce and CSRF tokens, each with the placeholder that stands for it, or None
    when the page cannot be checked with holes (it is then checked as it is)."""
    values = [nonce] if nonce is not None else []
    for tag in _CSRF_INPUT.findall(html):
        values += [v for v in _CSRF_VALUE.findall(tag) if v not in values]
    holes = []
    for number, value in enumerate(values):
        placeholder = f"{PLACEHOLDER}{number}".ljust(len(value), "Z")
        if not _VALUE.fullmatch(value) or len(placeholder) != len(value):
            return None
        safe = sum(html.count(f'{space}{name}="{value}"') for space in _SPACES for name in _NAMES)
        if html.count(value) != safe or placeholder in html:
            return None
        holes.append((value, placeholder))
    return holes


def _elements(soup: BeautifulSoup) -> list[PageElement]:
    return [soup, *soup.descendants]


def _where_holes_are(soup: BeautifulSoup, holes: list[tuple[str, str]], count: int):
    """Where the placeholders are in a parse of the page with holes, as (element number,
    attribute, hole number), or None if one is anywhere but a whole nonce or value."""
    numbers = {placeholder: n for n, (_, placeholder) in enumerate(holes)}
    found, stray = [], 0
    for index, element in enumerate(_elements(soup)):
        if not isinstance(element, Tag):
            stray += sum(p in element for p in numbers)
            continue
        for name, value in element.attrs.items():
            if name in ("nonce", "value") and value in numbers:
                found.append((index, name, numbers[value]))
                continue
            parts = value if isinstance(value, list) else [value]
            stray += sum(p in part for part in parts for p in numbers)
    return found if not stray and len(found) == count else None


def copy_tree(soup: BeautifulSoup) -> BeautifulSoup:
    """A copy of a parsed page, made without parsing: each element's fields copied, and its
    links (parent, siblings, the elements before and after, what it contains) pointed at the
    copies. Beautiful Soup's own copy would parse an empty document with the strict builder."""
    old = _elements(soup)
    twin: dict[int, Any] = {}
    for element in old:
        kind = type(element)
        new = str.__new__(kind, element) if isinstance(element, str) else object.__new__(kind)
        new.__dict__.update(element.__dict__)
        twin[id(element)] = new
    for element in old:
        new = twin[id(element)]
        for link in ("parent", "previous_element", "next_element", "previous_sibling"):
            found = getattr(element, link)
            setattr(new, link, None if found is None else twin[id(found)])
        found = element.next_sibling
        new.next_sibling = None if found is None else twin[id(found)]
        if isinstance(element, Tag):
            new.contents = [twin[id(child)] for child in element.contents]
            new.attrs = type(element.attrs)(
                (k, type(v)(v) if isinstance(v, list) else v) for k, v in element.attrs.items()
            )
            new._namespaces = dict(element._namespaces)
    top = twin[id(soup)]
    for name in ("tagStack", "current_data", "preserve_whitespace_tag_stack"):
        setattr(top, name, [twin.get(id(item), item) for item in getattr(soup, name)])
    top.string_container_stack = [twin[id(t)] for t in soup.string_container_stack]
    top.open_tag_counter = Counter(soup.open_tag_counter)
    for name in ("currentTag", "_most_recent_element"):
        found = getattr(soup, name)
        setattr(top, name, twin.get(id(found), found))
    return top


@dataclass
class _Passed:
    soup: BeautifulSoup  # the page with holes, as parsed
    holes: list[tuple[int, str, int]]  # where its placeholders are: element, attribute, hole

    def filled(self, holes: list[tuple[str, str]]) -> BeautifulSoup:
        """A copy of the parse with this page's own values where the placeholders are."""
        copy = copy_tree(self.soup)
        elements = _elements(copy)
        for index, name, number in self.holes:
            elements[index].attrs[name] = holes[number][0]
        return copy


class PassedPages:
    """The pages that passed the check, with holes, most recently used last."""

    def __init__(self, size: int) -> None:
        self.size, self.pages = size, OrderedDict()
        self.checked = self.reused = 0

    def find(self, html: str, holes: list[tuple[str, str]], nonce: bool) -> _Passed | None:
        """The page with holes, checked and parsed (once), or None if it cannot be checked with
        holes or fails the check (it is then checked as it is, to fail in its own words)."""
        with_holes = html
        for value, placeholder in holes:
            with_holes = with_holes.replace(value, placeholder)
        key = (nonce, with_holes)
        passed = self.pages.get(key)
        if passed is not None:
            self.pages.move_to_end(key)
            self.reused += 1
            return passed
        try:
            soup = _parse(with_holes)
            _judge(soup, holes[0][1] if nonce else None)
        except Exception:  # noqa: BLE001 - html5lib's ParseError too
            return None
        where = _where_holes_are(soup, holes, sum(html.count(v) for v, _ in holes))
        if where is None:
            return None
        passed = self.pages[key] = _Passed(soup, where)
        self.checked += 1
        if len(self.pages) > self.size:
            self.pages.popitem(last=False)
        return passed


_PASSED = PassedPages(size=1000)  # about 150 KB each: at most some 150 MB a test process


class PageClient:
    """Wraps Flask's test client: fetches pages, follows redirects and checks each page."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def page(self, response: TestResponse, expect: int = 200) -> Page:
        """A response this client did not fetch itself, checked as its own pages are."""
        return self._page(response, expect)

    def _page(self, response: TestResponse, expect: int) -> Page:
        assert response.status_code == expect, (
            f"{response.request.method} {response.request.path}: expected {expect}, "
            f"got {response.status_code}"
        )
        assert response.mimetype == "text/html"
        return Page(response, check_page(response))

    def get(self, url: str, expect: int = 200, **kwargs: Any) -> Page:
        return self._page(self.client.get(url, follow_redirects=True, **kwargs), expect)

    def post(self, url: str, data: dict[str, Any], expect: int = 200) -> Page:
        return self._page(self.client.post(url, data=data, follow_redirects=True), expect)

    def submit(
        self,
        page: Page,
        answers: dict[str, Any] | None = None,
        selector: str = "form.ask, form.send-form, form",
        expect: int = 200,
    ) -> Page:
        """Fill in the page's form like a browser would (hidden fields included) and send it."""
        action, fields = page.form_data(selector)
        return self.post(action, {**fields, **(answers or {})}, expect=expect)
