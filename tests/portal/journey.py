"""Walk the conversation over HTTP with a table of answers, the way a person would."""

from __future__ import annotations

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


def answer_all(pages: PageClient, answers: dict[str, Any], start: str = "/chat/who") -> Page:
    """Answer every question until the check-your-answers page; return that page."""
    page = pages.get(start)
    for _ in range(40):
        if page.path == "/chat/check":
            return page
        current = step_id(page)
        assert current in answers, f"no answer in the table for step {current!r}"
        page = pages.submit(page, {"answer": answers[current]})
        assert not page.select(".error-summary"), f"{current}: {page.select_one('.error-summary')}"
    raise AssertionError("the journey did not reach check your answers")


def send_complaint(pages: PageClient, answers: dict[str, Any]) -> Page:
    """Answer everything, press Send, and return the confirmation page."""
    check = answer_all(pages, answers)
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
