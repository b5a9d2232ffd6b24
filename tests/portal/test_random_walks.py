"""Many random visitors, some hostile, walk the conversation; every walk ends on a reference."""

from __future__ import annotations

import random

import pytest

from portal.flows import COMPLAINT
from portal.flows.model import Kind
from tests.conftest import ON_POSTGRESQL
from tests.pages import Page, PageClient

NASTY_TEXT = [
    "",
    " ",
    "<img src=x onerror=alert(1)>",
    "'; DROP TABLE draft; --",
    "🙂" * 50,
    "مرحبا بالعالم",
    "\u202etxet",
    "a" * 6000,
    "%s%s%n",
    "{{ 7*7 }}",
    "\x00\x01",
    "normal words",
]
NASTY_CHOICES = ["", "made-up", "../../etc", "self' OR 1=1", "🙂"]


def _answer(rng: random.Random, page: Page, hostile: bool):
    step = COMPLAINT.get(page.path.rsplit("/", 1)[-1])
    if hostile and rng.random() < 0.3:
        return rng.choice(NASTY_TEXT + NASTY_CHOICES + [["x", "y"], None])
    # Pick only from what the page offers this person, as a visitor would.
    offered = [i["value"] for i in page.select("[name=answer][value]") if i.name != "textarea"]
    if step.kind == Kind.MULTI:
        return rng.sample(offered, k=rng.randint(1, len(offered)))
    if step.choices:
        return rng.choice(offered)
    if step.check == "email":
        return "someone@example.org"
    if step.check in ("uk_mobile", "uk_phone"):
        return "+44 7700 900123"
    return rng.choice(["Visits keep being cancelled.", "No one listens 😞", "", "مرحبا"])


def _walk(pages: PageClient, rng: random.Random, hostile: bool) -> Page:
    page = pages.get("/")
    page = pages.get(page.select_one("a#start")["href"])
    for _ in range(120):
        if page.path == "/chat/done":
            return page
        if page.path == "/chat/check":
            if rng.random() < 0.2:  # change an answer first
                page = pages.get(rng.choice(page.select(".summary-change a"))["href"])
                continue
            page = pages.submit(page, selector="form.send-form")
            continue
        if hostile and rng.random() < 0.1:
            back = page.select_one(".back a")["href"]
            page = pages.get(back)
            if page.path == "/":
                page = pages.get("/chat/who")
            continue
        answer = _answer(rng, page, hostile)
        page = pages.submit(page, {} if answer is None else {"answer": answer}, expect=200)
    raise AssertionError(f"walk did not finish; stuck on {page.path}")


@pytest.mark.parametrize("seed", range(16))
def test_random_walks_end_on_the_confirmation_page(client, seed):
    rng = random.Random(seed)
    page = _walk(PageClient(client), rng, hostile=seed % 2 == 1)
    assert page.select_one("#reference").text.strip()
    assert page.select_one("a#status-link")["href"]


@ON_POSTGRESQL  # which pages 30 walks reach does not depend on the database
def test_random_walks_meet_signposts_and_every_kind_of_person(client):
    """Walks with a recorder: over many seeds they see every role and a signpost page. (The
    16 walks above run on both databases.)"""
    seen_paths = set()
    pages = PageClient(client)
    original = pages.submit

    def recording_submit(page, *args, **kwargs):
        seen_paths.add(page.path)
        return original(page, *args, **kwargs)

    pages.submit = recording_submit
    for seed in range(100, 130):
        _walk(pages, random.Random(seed), hostile=False)
    assert {
        "/chat/signpost",
        "/chat/self_status",
        "/chat/adult_role",
        "/chat/other_role",
        "/chat/advocate_name",
        "/chat/consent",
    } <= seen_paths
