"""Someone acting for a young person: asked the young person's first name or initials (optional,
with why), given examples in an adult's words, and warned about privacy at the first box where
they write about the young person, not at their own name."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import Complaint
from tests.flows.test_rules import CARERS_FOR_THEMSELVES, PERSONAS
from tests.pages import Page, PageClient
from tests.portal.journey import YOUNG_PERSON, send_complaint, step_id
from tests.portal.test_personas import COMMON
from tests.staff.conftest import sign_in

pytestmark = pytest.mark.pages

ADVOCATE = {**COMMON, **PERSONAS["advocate_instructed"], "child_name": "J.T."}
CHILD_VOICE = "For example: I want to see my brother every week."


def _walk(pages: PageClient, answers: dict[str, Any]) -> dict[str, Page]:
    """Answer every question; return each page as it was first shown, by step."""
    seen: dict[str, Page] = {}
    page = pages.get("/chat/who")
    while page.path != "/chat/check":
        current = step_id(page)
        assert current not in seen, f"{current} asked twice"
        seen[current] = page
        page = pages.submit(page, {"answer": answers[current]})
        assert not page.select(".error-summary"), f"{current}: {page.select_one('.error-summary')}"
    return seen


def _sharing_notice_on(seen: dict[str, Page]) -> list[str]:
    return [step for step, page in seen.items() if page.select_one(".sharing")]


def _examples(page: Page) -> list[str]:
    return [e.get_text(strip=True) for e in page.select(".example")]


def test_an_advocate_is_asked_the_young_persons_first_name_and_warned_there(pages):
    seen = _walk(pages, {**ADVOCATE, "topics": ["social_worker", "other"], "topic_other": "Bus"})
    order = list(seen)
    assert order.index("advocate_phone") + 1 == order.index("child_name") < order.index("age")
    asked = seen["child_name"]
    assert asked.h1 == "What is the young person's first name?"
    hints = " ".join(asked.select_one(".question").get_text(" ").split())
    assert "Their initials are fine too. You can skip this." in hints
    assert "It helps the council find the right young person quickly." in hints
    assert asked.select_one("button[type=submit]").get_text(strip=True) == "Next (or skip)"
    # The warning is where they first write about the young person, not at their own name.
    assert _sharing_notice_on(seen) == ["child_name"]
    assert "we may have to tell people who can help" in asked.select_one(".sharing").text
    # Examples in an adult's words on the adult path.
    assert CHILD_VOICE not in _examples(seen["outcome_words"])
    assert _examples(seen["outcome_words"]) == [
        "For example: a meeting with the team manager, or visits every week."
    ]
    assert _examples(seen["topic_other"]) == ["For example: school transport, or a missed payment."]


def test_the_young_persons_name_reaches_staff(app, make_staff):
    done = send_complaint(PageClient(app.test_client()), ADVOCATE)
    reference = done.select_one("#reference").get_text(strip=True)
    with app.app_context():
        complaint = db.session.scalars(
            select(Complaint).where(Complaint.reference == reference)
        ).one()
        assert complaint.answers["child_name"] == "J.T."
        assert complaint.advocate_name == "Sam Patel"
    case = sign_in(app, make_staff("officer")).get(f"/staff/cases/{reference}")
    told = {
        row.select_one("dt").get_text(strip=True): row.select_one("dd").get_text(strip=True)
        for row in case.select_one("#intake-title").find_parent("section").select(".summary-row")
    }
    assert told["The young person's name"] == "J.T."
    assert told["Advocate's name"] == "Sam Patel"


def test_the_young_persons_name_may_be_skipped(pages):
    seen = _walk(pages, {**ADVOCATE, "child_name": ""})
    assert "child_name" in seen
    page = pages.get("/chat/check")
    row = next(
        r
        for r in page.select(".summary-row")
        if r.select_one("dt").get_text(strip=True) == "The young person's name"
    )
    assert row.select_one(".summary-answer").get_text(strip=True) == "Skipped"


@pytest.mark.parametrize(
    ("persona", "question"),
    [
        pytest.param("parent", "What is the young person's first name?", id="parent"),
        pytest.param("grandparent", "What is the young person's first name?", id="relative"),
        pytest.param(
            "sibling_or_friend",
            "What is your brother, sister or friend's first name?",
            id="young_person_for_a_brother_sister_or_friend",
        ),
    ],
)
def test_anyone_acting_for_a_young_person_is_asked_their_name(pages, persona, question):
    seen = _walk(pages, {**COMMON, **PERSONAS[persona], "child_name": "Mo"})
    assert seen["child_name"].h1 == question
    assert _sharing_notice_on(seen) == ["child_name"], "not at their own name or email"
    assert {"name", "email"} <= set(seen)


def test_a_young_helper_gets_examples_in_a_young_persons_words(pages):
    seen = _walk(pages, {**COMMON, **PERSONAS["sibling_or_friend"], "child_name": "Mo"})
    assert _examples(seen["outcome_words"]) == [
        "For example: they want to see their mum every week."
    ]
    assert _examples(seen["name"]) == ["For example: Jess, or JJ"]


def test_a_young_person_speaking_for_themselves_is_not_asked_it(pages):
    seen = _walk(pages, {**YOUNG_PERSON, "topics": ["home", "other"], "topic_other": "My phone"})
    assert "child_name" not in seen
    assert _sharing_notice_on(seen) == ["topic_other"], "the first box they write in"
    assert _examples(seen["outcome_words"]) == [CHILD_VOICE]
    assert _examples(seen["topic_other"]) == ["For example: my school taxi, or my phone."]


def test_a_carer_complaining_for_themselves_is_not_asked_it(pages):
    answers = {
        **COMMON,
        **CARERS_FOR_THEMSELVES["foster_carer_for_themselves"],
        "topics": ["carer_support"],
    }
    seen = _walk(pages, answers)
    assert "child_name" not in seen
    assert _sharing_notice_on(seen) == ["what_happened"]
    assert _examples(seen["name"]) == ["For example: Sam, or Mrs Khan"]
