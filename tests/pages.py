"""A test client that checks the structure of every page it fetches."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

import html5lib
from bs4 import BeautifulSoup
from bs4.builder import HTML5TreeBuilder
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


def check_page(response: TestResponse) -> BeautifulSoup:
    """Assert what every page must be: valid HTML, one h1, a title that starts with it, etc."""
    soup = BeautifulSoup(response.get_data(as_text=True), builder=StrictHTML5TreeBuilder())
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
    nonce = _csp_nonce(response)
    for script in soup.find_all("script"):
        assert script.get("nonce") == nonce, "every script needs this response's CSP nonce"
    for form in soup.find_all("form", method="post"):
        assert form.find("input", attrs={"name": "csrf_token"}), "every POST form needs CSRF"
    return soup


def _csp_nonce(response: TestResponse) -> str | None:
    csp = response.headers.get("Content-Security-Policy", "")
    for part in csp.split(";"):
        for token in part.split():
            if token.startswith("'nonce-"):
                return token[len("'nonce-") : -1]
    return None


class PageClient:
    """Wraps Flask's test client: fetches pages, follows redirects and checks each page."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

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
