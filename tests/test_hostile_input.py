"""Hostile input anywhere gives a 404 or a plain message, never a server error.

The forms are found by crawling, not listed by hand, so a form someone adds tomorrow is
attacked too:

- the public side: the home page, every step of the conversation (twice, as a young person and
  as a parent), check your answers, the confirmation, help, and the private status page with
  everything it links to;
- the staff side: sign-in, then a manager walks a complaint through every stage (each time
  the first move the table offers that goes forward) and, at each stage, every form on the
  case page and on the pages it links to is attacked, as is the complainant's status page at
  that stage; then an admin crawls the accounts pages.

Each form is posted once per hostile value with that value in every field, once more with it
only in the boxes a person can type in (hidden fields kept, so the checks behind them run),
once per field with only that field hostile (the others filled in as a person would), and
once as a raw body of invalid UTF-8. A case form is attacked on a fresh copy of the case, and
another copy is taken whenever a post is accepted, so one value that works cannot close the
case for the rest.

A second test walks the URL map: every route with a number in it is opened with numbers no
id can be (too big for PostgreSQL's INTEGER, or 0) and must be a 404 for whoever may use it
(a stranger may be sent to sign in instead), and every other part of every address is given
a NUL byte, a long number and 2,000 letters.

Exceptions propagate in tests (TESTING), so each is caught and all are reported together at
the end with the request, the value and the line of our code they came from.
"""

from __future__ import annotations

import copy
import re
import secrets
import sys
import traceback
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode, urljoin, urlsplit

import pytest
from bs4 import BeautifulSoup
from flask import Flask
from flask_limiter import Limiter
from sqlalchemy import inspect, select
from werkzeug.datastructures import MultiDict
from werkzeug.routing.converters import NumberConverter
from werkzeug.test import TestResponse

from portal.clock import today_local
from portal.extensions import db
from portal.models import Complaint, ComplaintPoint, Event, OutboxMessage
from portal.references import new_reference
from portal.services import casework, complaints, safety, status_links
from portal.services import staff as accounts
from portal.stages import TRANSITIONS, Action, Step
from tests.conftest import ON_POSTGRESQL
from tests.pages import assert_proper_page
from tests.portal.journey import PARENT, YOUNG_PERSON
from tests.staff.conftest import PASSWORD, sign_in

ROOT = Path(__file__).resolve().parent.parent
HOSTILE = {
    "int_overflow": "99999999999999999999999",
    "minus_one": "-1",
    "int32_plus_one": "2147483648",
    "nul": "a\x00b",
    "huge": "x" * 100_000,  # over MAX_CONTENT_LENGTH (64 KiB): the "too long" page is fine
    "long": "y" * 6_000,  # under the limit, longer than any box or column
}
PER_FIELD = ("int_overflow", "long")
DATES = ("9999-12-31", "0001-01-01")
BAD_UTF8 = "%FF%FEab%C3%28"
OVERSIZED_IDS = ("99999999999999999999999", "2147483648", "0")
NASTY_SEGMENTS = ("a\x00b", "9" * 23, "x" * 2000)
SKIPPED_INPUTS = {"submit", "button", "image", "reset", "file"}
REFERENCE = re.compile(r"[A-Z0-9]{4}-[A-Z0-9]{4}")
TOKEN = re.compile(r"/[\w.\-]{24,}")
REDIRECTS = {301, 302, 303, 307, 308}
MIN_STAFF_FORMS = 10
MIN_PUBLIC_FORMS = 5


# Forms as a browser sees them -------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    name: str
    kind: str  # the input's type, or "textarea" / "select"
    default: tuple[str, ...]  # what a browser sends when nobody touches it
    options: tuple[str, ...] = ()
    numeric: bool = False


@dataclass(frozen=True)
class Form:
    page: str
    action: str
    method: str
    csrf: str | None
    fields: tuple[Field, ...]


def local(url: str, base: str = "/") -> str:
    """A same-site URL as path and query, or "" for another site."""
    parts = urlsplit(urljoin("http://speakup.test" + base, url))
    if parts.netloc not in ("speakup.test", ""):
        return ""
    return parts.path + ("?" + parts.query if parts.query else "")


def _grouped(fields: dict[str, Field], tag, kind: str, name: str) -> None:
    value = tag.get("value", "on")
    old = fields.get(name)
    fields[name] = Field(
        name,
        kind,
        (old.default if old else ()) + ((value,) if tag.has_attr("checked") else ()),
        (old.options if old else ()) + (value,),
    )


def _select(tag, name: str) -> Field:
    options = tuple(o.get("value", o.get_text()) for o in tag.find_all("option"))
    chosen = [
        o.get("value", o.get_text()) for o in tag.find_all("option") if o.has_attr("selected")
    ]
    return Field(name, "select", tuple(chosen[:1] or options[:1]), options)


def parse_form(tag, page: str) -> Form:
    fields: dict[str, Field] = {}
    csrf = None
    for item in tag.find_all(["input", "textarea", "select"]):
        name = item.get("name")
        kind = item.name if item.name != "input" else (item.get("type") or "text").lower()
        if not name or item.has_attr("disabled") or kind in SKIPPED_INPUTS:
            continue
        if name == "csrf_token":
            csrf = item.get("value", "")
        elif kind in ("radio", "checkbox"):
            _grouped(fields, item, kind, name)
        elif kind == "select":
            fields[name] = _select(item, name)
        else:
            value = item.get_text() if kind == "textarea" else item.get("value", "")
            numeric = kind == "number" or item.get("inputmode") == "numeric"
            fields[name] = Field(name, kind, (value,), (), numeric)
    action = local(tag.get("action") or page, page)
    return Form(page, action, (tag.get("method") or "get").lower(), csrf, tuple(fields.values()))


def forms_on(soup: BeautifulSoup, page: str) -> list[Form]:
    return [parse_form(tag, page) for tag in soup.find_all("form")]


def links_on(soup: BeautifulSoup, page: str) -> list[str]:
    found = (local(a["href"], page) for a in soup.find_all("a", href=True))
    return [link for link in found if link]


PAGE_CHECKS_PER_KIND = 2
_TAG = re.compile(r"<([a-zA-Z][a-zA-Z0-9]*)")


def _shape(response: TestResponse) -> int:
    """The page's sequence of tags: the same shape with other words is the same kind."""
    return hash(tuple(_TAG.findall(response.get_data(as_text=True))))


def form_key_path(url: str) -> str:
    text = TOKEN.sub("/<token>", urlsplit(url).path)
    return re.sub(r"\d+", "<n>", REFERENCE.sub("<ref>", text))


def form_key(form: Form) -> tuple:
    """What makes two forms the same form: where they post and which fields they have."""

    def general(text: str) -> str:
        text = TOKEN.sub("/<token>", text)  # a private link or a set-up link
        return re.sub(r"\d+", "<n>", REFERENCE.sub("<ref>", text))

    path = urlsplit(form.action).path
    return (form.method, general(path), frozenset(general(f.name) for f in form.fields))


# What to send -----------------------------------------------------------------------------

_counter = iter(range(10**9))


def plausible(item: Field) -> tuple[str, ...]:
    """What a person filling the form in properly might send."""
    if item.kind == "hidden":
        return item.default
    if item.kind in ("radio", "select") and item.default and item.default[0]:
        return item.default
    if item.kind in ("radio", "select"):
        return tuple(o for o in item.options if o)[:1]
    if item.kind == "checkbox":
        return item.options
    if item.default and item.default[0]:
        return item.default
    if item.numeric:
        return ("1",)
    n = next(_counter)
    filler = {
        "email": f"filler{n}@example.com",
        "password": f"a long enough password {n}",
        "tel": "07700 900123",
        "date": "",
    }
    return (filler.get(item.kind, f"Plain words {n}."),)


def hostile(item: Field, value: str) -> tuple[str, ...]:
    # An email box gets an address around the value, so it reaches the checks behind "@".
    return (value + "@example.com",) if item.kind == "email" else (value,)


Builder = Callable[[Form], list[tuple[str, str]] | None]


def _pairs(form: Form, values: Callable[[int, Field], tuple[str, ...]]) -> list[tuple[str, str]]:
    pairs = [("csrf_token", form.csrf)] if form.csrf is not None else []
    for index, item in enumerate(form.fields):
        pairs += [(item.name, value) for value in values(index, item)]
    return pairs


def _everywhere(value: str, keep_hidden: bool) -> Builder:
    def build(form: Form):
        return _pairs(
            form,
            lambda _, f: f.default if keep_hidden and f.kind == "hidden" else hostile(f, value),
        )

    return build


def _only(position: int, value: str) -> Builder:
    def build(form: Form):
        if position >= len(form.fields):
            return None
        return _pairs(form, lambda i, f: hostile(f, value) if i == position else plausible(f))

    return build


def plans(form: Form) -> Iterator[tuple[str, Builder]]:
    """Every hostile post for this form, as (what it tries, how to build it)."""
    hidden = any(f.kind == "hidden" for f in form.fields)
    visible = any(f.kind != "hidden" for f in form.fields)
    for label, value in HOSTILE.items():
        yield f"every field = {label}", _everywhere(value, keep_hidden=False)
        if hidden and visible:
            yield f"every box = {label}", _everywhere(value, keep_hidden=True)
    for position, item in enumerate(form.fields):
        for label in PER_FIELD:
            yield f"{item.name} = {label}", _only(position, HOSTILE[label])
        if item.kind == "date":
            for value in DATES:
                yield f"{item.name} = {value}", _only(position, value)


def bad_utf8(form: Form) -> str:
    """A raw body: the real CSRF token, and bytes that are not UTF-8 in every field."""
    parts = [urlencode({"csrf_token": form.csrf})] if form.csrf is not None else []
    parts += [f"{quote(f.name)}={BAD_UTF8}" for f in form.fields]
    return "&".join([*parts, f"{BAD_UTF8}={BAD_UTF8}"])


# Who is browsing --------------------------------------------------------------------------


class Browser:
    """A test client that signs in again when a post (sign-out, say) ended its session."""

    def __init__(self, app: Flask, email: str | None = None) -> None:
        self.app, self.email = app, email
        self.client = app.test_client()
        if email:
            self.sign_in()

    def sign_in(self) -> None:
        self.client = sign_in(self.app, self.email).client

    def signed_out(self, response: TestResponse) -> bool:
        location = response.headers.get("Location", "")
        return bool(self.email) and response.status_code in REDIRECTS and "/sign-in" in location


@dataclass
class Failure:
    method: str
    url: str
    what: str
    problem: str

    def __str__(self) -> str:
        url = self.url if len(self.url) < 120 else self.url[:117] + "..."
        return f"{self.method} {url} [{self.what}]: {self.problem}"


def _where(error: BaseException) -> str:
    """The exception and the innermost lines of our own code it passed through."""
    ours = [
        f"{Path(frame.filename).relative_to(ROOT)}:{frame.lineno} {frame.name}"
        for frame in traceback.extract_tb(error.__traceback__)
        if frame.filename.startswith(str(ROOT)) and "/.venv/" not in frame.filename
    ]
    message = " ".join(str(error).split())[:160]
    return f"{type(error).__name__}: {message} <- " + " <- ".join(reversed(ours[-3:]))


# The crawl --------------------------------------------------------------------------------


class Copies:
    """Where a form is attacked: here, as it is (subclasses make a fresh copy each time)."""

    def fresh(self) -> Callable[[str], str]:
        """Make a fresh copy; return how to turn the form's addresses into the copy's."""
        return lambda url: url

    def accepted(self) -> None:
        """A hostile value was accepted on the current copy: look at what shows it."""


@dataclass
class Crawl:
    app: Flask
    failures: list[Failure] = field(default_factory=list)
    attacked: dict[str, set] = field(default_factory=lambda: {"public": set(), "staff": set()})
    posts: int = 0
    checked: Counter = field(default_factory=Counter)

    def request(self, browser: Browser, method: str, url: str, what: str, **kwargs: Any):
        try:
            response = browser.client.open(url, method=method.upper(), **kwargs)
        except Exception as error:  # noqa: BLE001 - every one is reported at the end
            self.failures.append(Failure(method.upper(), url, what, _where(error)))
            return None
        self.judge(response, method.upper(), url, what)
        return response

    def judge(self, response: TestResponse, method: str, url: str, what: str) -> None:
        def fail(problem: str) -> None:
            self.failures.append(Failure(method, url, what, problem))

        if response.status_code >= 500:
            fail(f"answered {response.status_code}")
        elif response.status_code in REDIRECTS:
            if not local(response.headers.get("Location", ""), url):
                fail(f"redirected off the site to {response.headers.get('Location')}")
        elif response.mimetype == "text/html":
            if "Traceback" in response.get_data(as_text=True):
                fail("the page shows a traceback")
            # Every page is checked for a server error; the full page check (valid HTML, one
            # h1, escaping) is slow, so it runs on the first few answers of each kind, and on
            # any answer whose shape (its tags) has not been seen for that address yet.
            kind = (method, form_key_path(url), response.status_code, _shape(response))
            if self.checked[kind] >= PAGE_CHECKS_PER_KIND:
                return
            self.checked[kind] += 1
            try:
                assert_proper_page(response)
            except Exception as problem:  # noqa: BLE001 - html5lib's ParseError too
                fail(f"not a proper page ({response.status_code}): {problem}")

    def visit(self, browser: Browser, url: str) -> tuple[str, TestResponse] | None:
        """GET a page, following redirects and signing in again if the session ended."""
        for _ in range(4):
            response = self.request(browser, "GET", url, "crawl")
            if response is None:
                return None
            if browser.signed_out(response):
                browser.sign_in()
                continue
            if response.status_code in REDIRECTS:
                url = local(response.headers["Location"], url)
                continue
            if response.mimetype != "text/html" or response.status_code >= 400:
                return None
            return url, response
        return None

    def page(self, browser: Browser, url: str) -> tuple[str, BeautifulSoup] | None:
        """Visit a page and read its forms and links (a visit whose page is only looked at,
        and judged, is left unparsed: `visit`)."""
        found = self.visit(browser, url)
        if found is None:
            return None
        url, response = found
        return url, BeautifulSoup(response.get_data(as_text=True), "html.parser")

    def refetch(self, browser: Browser, form: Form, rewrite: Callable[[str], str]) -> Form | None:
        """The same form as it is now (fresh CSRF token and case version)."""
        found = self.page(browser, rewrite(form.page))
        if found is None:
            return None
        url, soup = found
        wanted = (form.method, urlsplit(rewrite(form.action)).path)
        for candidate in forms_on(soup, url):
            if (candidate.method, urlsplit(candidate.action).path) == wanted:
                return candidate
        return None

    def send(self, browser: Browser, form: Form, what: str, body: Any) -> TestResponse | None:
        self.posts += 1
        raw = isinstance(body, str)
        if form.method == "get":
            query = body if raw else urlencode(body)
            return self.request(
                browser, "GET", urlsplit(form.action).path, what, query_string=query
            )
        return self.request(
            browser,
            "POST",
            form.action,
            what,
            data=body if raw else MultiDict(body),
            content_type="application/x-www-form-urlencoded" if raw else None,
        )

    def attack(self, browser: Browser, form: Form, area: str, copies: Copies | None = None) -> None:
        """Post every hostile variant of this form; on a fresh copy of its case when it has one."""
        key = form_key(form)
        if key in self.attacked["public"] | self.attacked["staff"]:
            return
        self.attacked[area].add(key)
        copies = copies or Copies()
        rewrite = copies.fresh()
        current = self.refetch(browser, form, rewrite)
        sent: set = set()
        steps = [*plans(form), ("invalid UTF-8", bad_utf8)]
        for what, build in steps:
            if current is None:
                return
            body = build(current)
            signature = body if isinstance(body, str) else tuple(body or ())
            if body is None or signature in sent:
                continue
            sent.add(signature)
            response = self.send(browser, current, what, body)
            if response is None or response.status_code in REDIRECTS:
                if response is not None:
                    self.accepted(browser, response, copies)
                rewrite = copies.fresh()  # it was accepted (or broke): start again, clean
                current = self.refetch(browser, form, rewrite)

    def accepted(self, browser: Browser, response: TestResponse, copies: Copies) -> None:
        """A hostile value was accepted: the pages that now show it must still work."""
        if browser.signed_out(response):
            browser.sign_in()
            return
        self.visit(browser, local(response.headers["Location"], response.request.path))
        copies.accepted()

    def explore(
        self,
        browser: Browser,
        starts: list[str],
        area: str,
        allow: Callable[[str], bool],
        depth: int = 2,
        copies_for: Callable[[Form], Copies | None] = lambda form: None,
    ) -> None:
        """Visit pages breadth first from `starts`, attacking every form on the way."""
        queue = [(url, 0) for url in starts]
        visited: set[str] = set()
        while queue and len(visited) < 60:
            url, level = queue.pop(0)
            if url in visited:
                continue
            visited.add(url)
            found = self.page(browser, url)
            if found is None:
                continue
            url, soup = found
            for form in forms_on(soup, url):
                self.attack(browser, form, area, copies_for(form))
            if level < depth:
                queue += [(link, level + 1) for link in links_on(soup, url) if allow(link)]


# Cases to attack: copies, so an accepted value never spoils the walk -----------------------


def _columns(row: Any, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    return {
        attr.key: copy.deepcopy(getattr(row, attr.key))
        for attr in inspect(type(row)).column_attrs
        if attr.key not in skip and not attr.columns[0].primary_key
    }


def clone_case(reference: str) -> Complaint:
    """A copy of a case (its points and events too) under a new reference."""
    original = complaints.by_reference(reference)
    twin = Complaint(
        **{
            **_columns(original),
            "public_id": secrets.token_hex(16),
            "reference": new_reference(),
            "draft_id": None,
        }
    )
    twin.points = [ComplaintPoint(**_columns(p, ("complaint_id",))) for p in original.points]
    twin.events = [Event(**_columns(e, ("complaint_id",))) for e in original.events]
    db.session.add(twin)
    db.session.commit()
    return twin


class CaseCopies(Copies):
    """A form about a case is attacked on copies of the case, never on the case itself."""

    def __init__(self, crawl: Crawl, reference: str) -> None:
        self.crawl, self.reference, self.twin = crawl, reference, reference

    def fresh(self) -> Callable[[str], str]:
        with self.crawl.app.app_context():
            twin = self.twin = clone_case(self.reference).reference
        return lambda url: url.replace(self.reference, twin)

    def accepted(self) -> None:
        """What staff wrote also shows on the complainant's status page."""
        browser = Browser(self.crawl.app)
        with self.crawl.app.app_context():
            token = status_links.token_for(complaints.by_reference(self.twin))
        open_status(self.crawl, browser, token)
        self.crawl.visit(browser, "/progress")


class StatusCopies(Copies):
    """The complainant's pages, each time on a new copy of the case opened in this browser."""

    def __init__(self, crawl: Crawl, browser: Browser, reference: str) -> None:
        self.crawl, self.browser, self.reference = crawl, browser, reference
        self.first = self.open_copy()

    def open_copy(self) -> str:
        with self.crawl.app.app_context():
            token = status_links.token_for(clone_case(self.reference))
        open_status(self.crawl, self.browser, token)
        return token

    def fresh(self) -> Callable[[str], str]:
        token = self.open_copy()
        return lambda url: url.replace(self.first, token)


def case_copies(crawl: Crawl, form: Form) -> Copies | None:
    match = REFERENCE.search(form.page + form.action)
    return CaseCopies(crawl, match.group()) if match else None


def open_status(crawl: Crawl, browser: Browser, token: str) -> None:
    """Open a private link as a browser does: the page, then its Continue button if it has one."""
    found = crawl.page(browser, f"/s/{token}")
    if found is None:
        return
    url, soup = found
    for form in forms_on(soup, url):
        if form.method == "post" and url.startswith("/s/"):
            body = MultiDict(_pairs(form, lambda _, f: plausible(f)))
            crawl.request(browser, "POST", form.action, "open link", data=body)


def status_pages(crawl: Crawl, app: Flask, reference: str) -> None:
    """The complainant's status page for this case, and what it links to, on copies."""
    browser = Browser(app)
    copies = StatusCopies(crawl, browser, reference)

    def allow(link: str) -> bool:
        return link.startswith(("/progress", "/help"))

    starts = [f"/s/{copies.first}", "/progress"]
    crawl.explore(browser, starts, "public", allow, 1, lambda form: copies)


# The walks --------------------------------------------------------------------------------


def _answer(form: Form, answers: dict[str, Any], url: str) -> list[tuple[str, str]]:
    body = _pairs(form, lambda _, f: plausible(f))
    answer = answers.get(urlsplit(url).path.rsplit("/", 1)[-1])
    if answer is None:
        return body  # a step the table does not know: answered as a person might
    values = answer if isinstance(answer, list) else [answer]
    return [p for p in body if p[0] != "answer"] + [("answer", v) for v in values]


def converse(crawl: Crawl, browser: Browser, answers: dict[str, Any], attack: bool) -> None:
    """Answer the conversation and send it; attack each step's form before answering it."""
    url, attacked = "/chat/who", set()
    for _ in range(80):
        found = crawl.page(browser, url)
        assert found is not None, f"the conversation broke at {url}"
        url, soup = found
        if urlsplit(url).path == "/chat/done":
            return
        forms = [f for f in forms_on(soup, url) if f.method == "post"]
        if attack and url not in attacked:
            attacked.add(url)
            for form in forms:
                crawl.attack(browser, form, "public")
            continue  # look again: the attack may have moved things on
        form = next(f for f in forms if f.action.startswith("/chat/"))
        response = crawl.request(
            browser, "POST", form.action, "answer", data=MultiDict(_answer(form, answers, url))
        )
        assert response is not None and response.status_code in REDIRECTS, f"stuck at {url}"
        url = local(response.headers["Location"], url)
    raise AssertionError("the conversation did not end")


def send_complaint(crawl: Crawl, app: Flask, answers: dict[str, Any], attack: bool = True) -> str:
    """Send a complaint through the conversation, attacking every form; return its reference."""
    browser = Browser(app)
    converse(crawl, browser, answers, attack)
    found = crawl.page(browser, "/chat/done")
    assert found is not None, "no confirmation page"
    url, soup = found
    reference = soup.select_one("#reference").get_text(strip=True)
    for form in forms_on(soup, url) if attack else ():
        crawl.attack(browser, form, "public")
    return reference


def offered(soup: BeautifulSoup, reference: str) -> list[str]:
    pattern = re.compile(rf"/staff/cases/{reference}/do/(\w+)$")
    urls = [local(f.get("action") or "") for f in soup.find_all("form")]
    urls += [local(a["href"]) for a in soup.find_all("a", href=True)]
    return [m.group(1) for m in map(pattern.search, urls) if m]


def _form_at(crawl: Crawl, browser: Browser, url: str) -> Form | None:
    found = crawl.page(browser, url)
    if found is None:
        return None
    return next((f for f in forms_on(found[1], found[0]) if f.action == url), None)


def _make(crawl: Crawl, browser: Browser, url: str, direct: Form | None) -> bool:
    """Make one move with sensible values; a date the form asks for is put in the future."""
    form = direct or _form_at(crawl, browser, url)
    if form is None:
        return False
    token = [("csrf_token", form.csrf)] if form.csrf is not None else []
    filled = [(f, value) for f in form.fields for value in plausible(f)]
    body = token + [(f.name, value) for f, value in filled]
    response = crawl.request(browser, "POST", url, "move", data=MultiDict(body))
    if response is not None and response.status_code == 400:
        soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
        later = (today_local() + timedelta(days=20)).isoformat()

        def date_wanted(item: Field) -> bool:
            return item.kind == "date" and soup.find(id=f"{item.name}-error") is not None

        body = token + [(f.name, later if date_wanted(f) else value) for f, value in filled]
        response = crawl.request(browser, "POST", url, "move", data=MultiDict(body))
    return response is not None and response.status_code in REDIRECTS


def advance(crawl: Crawl, app: Flask, browser: Browser, reference: str) -> bool:
    """Make the first move on offer that takes the case to a new step (not to closed)."""
    with app.app_context():
        step = casework.state_of(complaints.by_reference(reference)).step
    found = crawl.page(browser, f"/staff/cases/{reference}")
    if found is None:
        return False
    url, soup = found
    on_offer = offered(soup, reference)
    forward = [
        a
        for a in Action
        if a in on_offer and TRANSITIONS[a].moves.get(step, None) not in (None, Step.CLOSED)
    ]
    direct = {f.action: f for f in forms_on(soup, url)}
    for action in forward:
        target = f"/staff/cases/{reference}/do/{action}"
        if _make(crawl, browser, target, direct.get(target)):
            return True
    return False


def walk_case(crawl: Crawl, app: Flask, manager: Browser, reference: str) -> list[Step]:
    """Take a case through every stage, attacking every form (staff and public) at each."""
    steps = []
    for _ in range(30):
        with app.app_context():
            steps.append(casework.state_of(complaints.by_reference(reference)).step)
        case = f"/staff/cases/{reference}"
        crawl.explore(
            manager,
            [case],
            "staff",
            lambda link, case=case: link.startswith(case + "/"),
            1,
            lambda form: case_copies(crawl, form),
        )
        status_pages(crawl, app, reference)
        if not advance(crawl, app, manager, reference):
            break
    return steps


def _staff(app: Flask, role: str) -> Browser:
    email = f"{role}@council.example"
    with app.app_context():
        accounts.create(email, role.title(), role, PASSWORD)
    return Browser(app, email)


def _in_staff_area(link: str) -> bool:
    return link.startswith("/staff/") and not link.startswith("/staff/sign-in")


def _public(link: str) -> bool:
    return not link.startswith(("/staff", "/static", "/exit", "/language/", "/s/", "/chat/"))


@dataclass
class World:
    app: Flask
    crawl: Crawl
    reference: str


@pytest.fixture
def unlimited_app(make_app) -> Iterator[Flask]:
    """The app without rate limits: the crawl posts each form many times from one browser.

    Flask-Limiter's objects live in modules and keep `enabled` from the last app they were
    bound to, so they are switched back on afterwards for the tests that follow.
    """
    app = make_app(RATELIMIT_ENABLED=False)
    yield app
    for module in [m for name, m in sys.modules.items() if name.startswith(("portal", "staff"))]:
        for value in list(vars(module).values()):
            if isinstance(value, Limiter):
                value.enabled = True


def _world(app: Flask) -> World:
    crawl = Crawl(app)
    # The parent's confirmation page is attacked (a value that works sets a secret word, so
    # its status page asks for the word); the young person's complaint stays clean, to be
    # copied and walked through every stage.
    status_pages(crawl, app, send_complaint(crawl, app, PARENT))
    reference = send_complaint(crawl, app, YOUNG_PERSON)
    with app.app_context():
        safety.request_help(None, complaints.by_reference(reference), "phone", "07700 900123")
    return World(app, crawl, reference)


def emailed_links(app: Flask) -> list[str]:
    """Addresses in the messages we queued (set-up links, alerts): pages no page links to."""
    with app.app_context():
        bodies = list(db.session.scalars(select(OutboxMessage.body)))
    found = {urlsplit(url) for body in bodies for url in re.findall(r"https?://[^\s<>\"']+", body)}
    return sorted(part.path + ("?" + part.query if part.query else "") for part in found)


def _report(crawl: Crawl) -> str:
    lines = sorted({str(f) for f in crawl.failures})
    return f"{len(lines)} hostile requests went wrong:\n" + "\n".join(lines)


# On PostgreSQL only. Each hostile value that SQLite would refuse, PostgreSQL refuses too, and
# more: its INTEGER stops at 2**31 - 1 (SQLite's at 2**63 - 1), it will not store a NUL byte
# in text (SQLite will), and it holds each VARCHAR to its length (SQLite does not). The code
# between a form and the database is the same on both. The SQLite run of this sweep took
# about 80 s of CPU; the walk of the URL map below, and the random walks, still run on both.
@ON_POSTGRESQL
def test_every_form_survives_hostile_values(unlimited_app):
    world = _world(unlimited_app)
    app, crawl = world.app, world.crawl
    crawl.explore(Browser(app), ["/", "/help?from=/"], "public", _public, 1)
    crawl.explore(Browser(app), ["/staff/sign-in"], "staff", lambda link: False, 0)
    manager = _staff(app, "manager")
    copies_for = lambda form: case_copies(crawl, form)  # noqa: E731
    crawl.explore(manager, ["/staff/cases"], "staff", _in_staff_area, 2, copies_for)
    steps = walk_case(crawl, app, manager, world.reference)
    crawl.explore(_staff(app, "admin"), ["/staff/"], "staff", _in_staff_area, 2)
    for link in emailed_links(app):  # opened in a browser that has never been here
        area = "staff" if link.startswith("/staff/") else "public"
        crawl.explore(Browser(app), [link], area, lambda link: False, 0)

    assert not crawl.failures, _report(crawl)
    assert len(steps) >= 10, f"the walk stopped early: {steps}"
    assert len(crawl.attacked["staff"]) >= MIN_STAFF_FORMS, crawl.attacked["staff"]
    assert len(crawl.attacked["public"]) >= MIN_PUBLIC_FORMS, crawl.attacked["public"]


# Addresses with numbers no id can be -----------------------------------------------------


def _csrf(crawl: Crawl, browser: Browser, start: str) -> str | None:
    found = crawl.page(browser, start)
    tag = found and found[1].find("input", attrs={"name": "csrf_token"})
    return tag["value"] if tag else None


def _int_arguments(rule) -> list[str]:
    converters = getattr(rule, "_converters", {})
    return [name for name, c in converters.items() if isinstance(c, NumberConverter)]


def _url(rule, values: dict[str, Any]) -> str:
    return rule.build(values, append_unknown=False)[1]


@dataclass
class Person:
    name: str
    browser: Browser
    csrf: str | None


def _people(world: World) -> list[Person]:
    app, crawl = world.app, world.crawl
    people = [Person("nobody", Browser(app), None)]
    people[0].csrf = _csrf(crawl, people[0].browser, "/help")
    for role in ("manager", "admin"):
        browser = _staff(app, role)
        people.append(Person(role, browser, _csrf(crawl, browser, "/staff/")))
    return people


def _open(crawl: Crawl, person: Person, method: str, url: str, what: str):
    data = {"csrf_token": person.csrf} if method == "POST" and person.csrf else None
    return crawl.request(person.browser, method, url, f"{person.name}: {what}", data=data)


def _check_ids(world: World, people: list[Person], rule, value: str) -> None:
    """Every way in to this rule with an impossible id: 404 for whoever may use it."""
    crawl = world.crawl
    args = {name: world.reference for name in rule.arguments}
    args |= {"action": Action.ACKNOWLEDGE.value} if "action" in rule.arguments else {}
    url = _url(rule, {**args, **dict.fromkeys(_int_arguments(rule), value)})
    staff = rule.rule.startswith("/staff")
    for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
        answers = {p.name: _open(crawl, p, method, url, f"id {value}") for p in people}
        codes = {name: r.status_code for name, r in answers.items() if r is not None}
        signed_in = [codes[n] for n in ("manager", "admin") if n in codes]
        # A stranger is sent to sign in, or told at once that no such page exists.
        if staff and codes.get("nobody") not in (303, 400, 404):
            crawl.failures.append(Failure(method, url, "nobody", f"not sent to sign in: {codes}"))
        if not set(signed_in) <= {403, 404, 405} or 404 not in signed_in:
            crawl.failures.append(Failure(method, url, f"id {value}", f"not a 404: {codes}"))


def _check_segments(world: World, people: list[Person], rule) -> None:
    """Nasty text in each part of the address: never a server error."""
    args = dict.fromkeys(rule.arguments, "1") | {"reference": world.reference}
    args |= {"action": Action.ACKNOWLEDGE.value} if "action" in rule.arguments else {}
    for name in sorted(set(rule.arguments) - set(_int_arguments(rule))):
        for value in NASTY_SEGMENTS:
            url = _url(rule, {**args, name: value})
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                for person in people:
                    _open(world.crawl, person, method, url, f"{name} = {value[:12]}")


def test_ids_no_database_can_hold_are_not_found(unlimited_app):
    app = unlimited_app
    crawl = Crawl(app)
    world = World(app, crawl, send_complaint(crawl, app, YOUNG_PERSON, attack=False))
    people = _people(world)
    rules = [r for r in app.url_map.iter_rules() if r.arguments and r.endpoint != "static"]
    with_ids = [r for r in rules if _int_arguments(r)]
    assert with_ids, "no route takes a number: has the URL map changed?"
    for rule in with_ids:
        for value in OVERSIZED_IDS:
            _check_ids(world, people, rule, value)
    for rule in rules:
        _check_segments(world, people, rule)
    assert not crawl.failures, _report(crawl)
