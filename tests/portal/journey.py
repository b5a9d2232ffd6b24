"""Walk the conversation over HTTP with a table of answers, the way a person would."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

from tests.pages import Page, PageClient

YOUNG_PERSON = {
    "who": "self",
    "self_status": "looked_after",
    "age": "12_15",
    "topics": ["social_worker", "family"],
    "what_happened": "My social worker keeps cancelling our visits.",
    "when": "this_month",
    "court_police": "no",
    "outcome": ["sorry", "change"],
    "outcome_words": "I want visits to happen when they are planned.",
    "advocate": "yes",
    "contact": "link_only",
    "contact_safe": "yes",  # asked only when they give an email address or mobile number
    "name": "Jess",
    "records": "",
    "child_name": "",  # asked only when someone speaks for a young person
}

PARENT = {
    **YOUNG_PERSON,
    "who": "parent_carer",
    "adult_role": "parent",
    "parental_responsibility": "yes",
    "consent": "knows_agrees",
    "advocate": "more",
    "advocate_more": "no",
    "contact": "email",
    "email": "parent@example.com",
    "contact_safe": "yes",
    "what_happened": "Our son's visits with his sister keep being cancelled.",
}


def step_id(page: Page) -> str:
    return page.path.rsplit("/", 1)[-1]


def answer_all(
    pages: PageClient,
    answers: dict[str, Any],
    start: str = "/chat/who",
    check_each_page: bool = False,
) -> Page:
    """Answer every question until the check-your-answers page; return that page, checked.

    Each question page on the way is checked (tests/pages.py: valid HTML, one h1, ...) only
    when `check_each_page` is set: the tests about the conversation's own pages set it
    (test_journey.py, test_personas.py, test_languages.py; the random walks check every page
    they meet). For every other test the walk is only how a complaint gets sent: the same
    requests, each answer posted with its form's hidden fields, the page read for those alone
    (a full check of every page of every such walk was work those tests do not need)."""
    if check_each_page:
        page = pages.get(start)
        for _ in range(40):
            if page.path == "/chat/check":
                return page
            current = step_id(page)
            assert current in answers, f"no answer in the table for step {current!r}"
            page = pages.submit(page, {"answer": answers[current]})
            assert not page.select(".error-summary"), (
                f"{current}: {page.select_one('.error-summary')}"
            )
        raise AssertionError("the journey did not reach check your answers")
    response = pages.client.get(start, follow_redirects=True)
    for _ in range(40):
        path = response.request.path
        if path == "/chat/check":
            return pages.page(response)
        html = response.get_data(as_text=True)
        assert response.status_code == 200, f"{path}: {response.status_code}"
        current = path.rsplit("/", 1)[-1]
        assert 'class="error-summary' not in html, f"{current}: the answer was refused"
        assert current in answers, f"no answer in the table for step {current!r}"
        fields = {**_hidden_fields(html), "answer": answers[current]}
        response = pages.client.post(path, data=fields, follow_redirects=True)
    raise AssertionError("the journey did not reach check your answers")


_FORM = re.compile(r'<form[^>]*class="ask[^"]*"[^>]*>(.*?)</form>', re.DOTALL)
_INPUT = re.compile(r"<input\b([^>]*)>")
_ATTRIBUTE = re.compile(r'([\w-]+)="([^"]*)"')


def _hidden_fields(html: str) -> dict[str, str]:
    """The hidden fields of a question's form (its CSRF token among them)."""
    form = _FORM.search(html)
    assert form is not None, "no question form on the page"
    found = {}
    for tag in _INPUT.findall(form.group(1)):
        attributes = {name: unescape(value) for name, value in _ATTRIBUTE.findall(tag)}
        if attributes.get("type") == "hidden" and "name" in attributes:
            found[attributes["name"]] = attributes.get("value", "")
    return found


def send_complaint(
    pages: PageClient, answers: dict[str, Any], check_each_page: bool = False
) -> Page:
    """Answer everything, press Send, and return the confirmation page (checked)."""
    check = answer_all(pages, answers, check_each_page=check_each_page)
    return pages.submit(check, selector="form.send-form")


def close_as_staff(complaint) -> None:
    """Close a new complaint the way staff would: put right locally, through the move table."""
    from portal.services import casework
    from portal.stages import Action

    actor = casework.Actor("staff@council.example", "manager")
    casework.advance(complaint, Action.RESOLVE_LOCALLY, actor, None, {"reason": "Put right."})


def open_link(pages: PageClient, link: str) -> Page:
    """Open a private link the way a person's browser does: the page, then Continue."""
    page = pages.get(link)
    if page.select_one("#open-link-form") is None:
        return page  # the link does not work: the page says why
    return pages.submit(page, selector="#open-link-form")
