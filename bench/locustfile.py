"""The load test's users (`make loadtest` runs this with locust, headless, against `make serve`).

The mix follows real use: young people walking the conversation to the end (some typing
hostile things: markup, SQL, a text far too long, right-to-left and invisible characters,
words about harm), people opening their private link and reading their status, and staff
working the tracker and case pages. Every 5xx is a failure. What was sent is written to
LOADTEST_RESULTS when the test stops, for bench/loadtest.py to check against the database.
"""

from __future__ import annotations

import json
import os
import random
import threading
from html.parser import HTMLParser
from urllib.parse import urlsplit

from locust import HttpUser, between, events, task

from tests.portal.journey import YOUNG_PERSON

_RNG = random.SystemRandom()
SENT: list[dict[str, str]] = []  # {"reference": ..., "link": ...} for each complaint sent
FIVE_XX: list[str] = []
_LOCK = threading.Lock()
STAFF_PASSWORD = os.environ.get("LOADTEST_STAFF_PASSWORD", "")
STAFF = [e for e in os.environ.get("LOADTEST_STAFF", "").split(",") if e]

ANSWERS = dict(YOUNG_PERSON)  # the answers the tests walk with (tests/portal/journey.py)
HOSTILE = [
    "<script>alert('hi')</script> my carer <b>shouts</b> at me",
    "' OR 1=1; DROP TABLE complaint; -- they never listen",
    "\u202ereversed text\u202c and \u200binvisible\u200b spaces 😀 my visits stop",
    "he hits me when i get home and i am scared",
    "x" * 20000,  # far too long: the page says so, then the person writes less
    "%s%s%n {{7*7}} ${7*7} ../../etc/passwd my placement moved",
]


class _Forms(HTMLParser):
    """The forms on a page (action, class, id, hidden fields) and a few ids' texts and links."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self.links: list[str] = []
        self.reference = ""
        self.status_link = ""
        self._in_reference = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append(
                {
                    "action": a.get("action") or "",
                    "class": a.get("class") or "",
                    "id": a.get("id") or "",
                    "fields": {},
                }
            )
        elif tag == "input" and self.forms and a.get("type") == "hidden" and a.get("name"):
            self.forms[-1]["fields"][a["name"]] = a.get("value") or ""
        elif tag == "a" and a.get("href"):
            self.links.append(a["href"])
            if a.get("id") == "status-link":
                self.status_link = a["href"]
        if a.get("id") == "reference":
            self._in_reference = True

    def handle_data(self, data):
        if self._in_reference and data.strip():
            self.reference = data.strip()
            self._in_reference = False


def _parse(text: str) -> _Forms:
    parsed = _Forms()
    parsed.feed(text)
    return parsed


def _form(parsed: _Forms, want: str) -> dict | None:
    for form in parsed.forms:
        if want in form["class"].split() or form["id"] == want:
            return form
    return None


@events.request.add_listener
def _count_5xx(request_type, name, response_time, response_length, response=None, **kw):
    if response is not None and getattr(response, "status_code", 0) >= 500:
        with _LOCK:
            FIVE_XX.append(f"{request_type} {name} {response.status_code}")


@events.test_stop.add_listener
def _write_results(environment, **kw):
    path = os.environ.get("LOADTEST_RESULTS")
    if path:
        with open(path, "w", encoding="utf-8") as out:
            json.dump({"sent": SENT, "five_xx": FIVE_XX}, out)


def _check(response, name: str) -> None:
    expected = response.status_code < 400 or response.status_code in (400, 404, 409, 429)
    if expected:  # 400: a mistake on purpose, 429: a limit doing its job
        response.success()
    else:
        response.failure(f"{name}: {response.status_code}")


class YoungPerson(HttpUser):
    """Walks the whole conversation and sends it; one in three types something hostile."""

    weight = 6
    wait_time = between(1, 4)  # reading and typing

    def _get(self, url: str, name: str):
        with self.client.get(url, name=name, catch_response=True) as response:
            _check(response, name)
            return response

    def _post(self, url: str, data: dict, name: str):
        with self.client.post(url, data=data, name=name, catch_response=True) as response:
            _check(response, name)
            return response

    @task
    def complain(self) -> None:
        self.client.cookies.clear()
        answers = dict(ANSWERS)
        if _RNG.random() < 1 / 3:
            answers["what_happened"] = _RNG.choice(HOSTILE)
        response = self._get("/chat/who", "chat question")
        for _ in range(40):
            path = urlsplit(response.url).path
            if path == "/chat/check":
                break
            step = path.rsplit("/", 1)[-1]
            form = _form(_parse(response.text), "ask")
            if form is None or step not in answers:
                response.failure(f"no question form or no answer for {step}")
                return
            response = self._post(
                form["action"] or path, {**form["fields"], "answer": answers[step]}, "chat answer"
            )
            if response.status_code == 400:  # a mistake on purpose (too long): write less
                answers[step] = ANSWERS[step]
            self.wait()
        else:
            return
        check = _parse(response.text)
        send = _form(check, "send-form")
        if send is None:
            return
        done = self._post(send["action"] or "/chat/check", send["fields"], "send")
        found = _parse(done.text)
        if done.status_code == 200 and found.reference:
            with _LOCK:
                SENT.append({"reference": found.reference, "link": found.status_link})


class PersonFollowingTheirComplaint(HttpUser):
    """Opens a private link from a complaint sent earlier and reads the status page."""

    weight = 3
    wait_time = between(2, 6)

    @task
    def read_status(self) -> None:
        with _LOCK:
            links = [s["link"] for s in SENT if s["link"]]
        if not links:
            return
        self.client.cookies.clear()
        link = urlsplit(_RNG.choice(links)).path
        with self.client.get(link, name="status link", catch_response=True) as response:
            _check(response, "status link")
        form = _form(_parse(response.text), "open-link-form")
        if form is not None:
            with self.client.post(
                form["action"] or link, data=form["fields"], name="open link", catch_response=True
            ) as opened:
                _check(opened, "open link")
        with self.client.get("/progress", name="progress", catch_response=True) as progress:
            _check(progress, "progress")


class ComplaintsOfficer(HttpUser):
    """Signs in once, then works the tracker and case pages."""

    weight = 1
    wait_time = between(2, 5)

    def on_start(self) -> None:
        email = _RNG.choice(STAFF)
        page = self.client.get("/staff/sign-in", name="staff sign-in")
        form = _form(_parse(page.text), "staff-form")
        fields = {**(form["fields"] if form else {}), "email": email, "password": STAFF_PASSWORD}
        self.client.post("/staff/sign-in", data=fields, name="staff sign-in")

    @task(3)
    def tracker(self) -> None:
        with self.client.get("/staff/cases", name="tracker", catch_response=True) as response:
            _check(response, "tracker")
        cases = [
            h
            for h in _parse(response.text).links
            if h.startswith("/staff/cases/") and h.count("/") == 3 and "?" not in h
        ]
        if cases:
            case = _RNG.choice(cases).split("#")[0]
            with self.client.get(case, name="case page", catch_response=True) as page:
                _check(page, "case page")

    @task(1)
    def overdue(self) -> None:
        with self.client.get(
            "/staff/cases?overdue=1", name="tracker (overdue)", catch_response=True
        ) as response:
            _check(response, "tracker (overdue)")
