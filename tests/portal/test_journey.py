"""The whole conversation over HTTP: young person and adult wording, change links, back."""

from __future__ import annotations

import re

import pytest

from portal.references import ALPHABET
from tests.portal.journey import (
    PARENT,
    YOUNG_PERSON,
    answer_all,
    open_link,
    send_complaint,
    step_id,
)

pytestmark = pytest.mark.pages

REFERENCE = re.compile(rf"^[{ALPHABET}]{{4}}-[{ALPHABET}]{{4}}$")


def test_welcome_page_says_it_is_ok_to_complain(pages):
    page = pages.get("/")
    assert page.h1 == "Not happy with something? Tell us."
    assert "You will not get into trouble." in page.text
    assert page.select_one("a#start")["href"] == "/chat/who"


def test_young_person_raises_a_complaint_end_to_end(pages):
    page = send_complaint(pages, YOUNG_PERSON, check_each_page=True)
    assert page.path == "/chat/done"
    reference = page.select_one("#reference").get_text(strip=True)
    assert REFERENCE.match(reference)
    link = page.select_one("a#status-link")["href"]
    assert "/s/" in link
    assert "They will reply by" in page.text
    assert "We will ask the local advocacy service to get in touch." in page.text

    status = open_link(pages, link)
    assert status.path == "/progress"
    assert status.select_one("#reference").get_text(strip=True) == reference
    assert (
        "My social worker keeps cancelling our visits." in status.select_one("details.told-us").text
    )


def test_first_question_shows_progress_and_big_choices(pages):
    page = pages.get("/chat/who")
    assert page.h1 == "Who are you?"
    assert "Question 1 of 12." in page.text
    radios = page.select("input[type=radio][name=answer]")
    assert [r["value"] for r in radios] == [
        "self",
        "young_helper",
        "advocate",
        "parent_carer",
        "someone_else",
    ]
    assert not any(r.has_attr("checked") for r in radios), "nothing is pre-selected"


def test_adult_wording_for_a_parent(pages):
    page = pages.get("/chat/who")
    page = pages.submit(page, {"answer": "parent_carer"})
    assert page.h1 == "Which of these are you?"
    page = pages.submit(page, {"answer": "parent"})
    assert (
        "Parents, and people with parental responsibility, can."
        in page.select_one(".bubble-said").text
    )
    assert page.h1 == "What is the young person's first name?"
    page = pages.submit(page, {"answer": ""})
    assert page.h1 == "How old is the young person?"
    page = pages.submit(page, {"answer": "12_15"})
    labels = [label.get_text(" ", strip=True) for label in page.select(".choice label")]
    assert "Their social worker" in labels
    page = send_complaint(pages, PARENT, check_each_page=True)
    assert REFERENCE.match(page.select_one("#reference").get_text(strip=True))
    assert "We will ask the local advocacy service" not in page.text


def test_transcript_shows_earlier_answers_and_what_was_said_back(pages):
    page = pages.get("/chat/who")
    page = pages.submit(page, {"answer": "self"})
    page = pages.submit(page, {"answer": "looked_after"})
    page = pages.submit(page, {"answer": "16_17"})
    bubbles = [b.get_text(" ", strip=True) for b in page.select(".transcript .bubble")]
    assert bubbles == [
        "Who you are",
        "I am a young person. This is about me.",
        "About you",
        "I am in care",
        "You can complain. The law says young people who get help from children's social care can.",
        "Your age",
        "16 or 17",
    ]


def test_back_link_and_saved_answers(pages):
    page = pages.get("/chat/who")
    page = pages.submit(page, {"answer": "self"})
    assert page.select_one(".back a")["href"] == "/chat/who"
    again = pages.get("/chat/who")
    assert again.select_one("input[value=self]").has_attr("checked")


def test_change_link_returns_to_the_summary(pages):
    check = answer_all(pages, YOUNG_PERSON, check_each_page=True)
    change = check.select_one(".summary-row a[href='/chat/contact?change=1']")
    page = pages.get(change["href"])
    page = pages.submit(page, {"answer": "email"})
    assert step_id(page) == "email", "a new question on the path is asked before the summary"
    page = pages.submit(page, {"answer": "jess@example.com"})
    assert step_id(page) == "contact_safe", "asked once, before the address is ever used"
    page = pages.submit(page, {"answer": "yes"})
    assert page.path == "/chat/check"
    assert "jess@example.com" in page.text


def test_skipping_ahead_goes_to_the_first_unanswered_question(pages):
    page = pages.get("/chat/contact")
    assert page.path == "/chat/who"
    page = pages.get("/chat/check")
    assert page.path == "/chat/who"


def test_unknown_step_is_a_friendly_not_found(pages):
    page = pages.get("/chat/nope", expect=404)
    assert page.h1 == "We cannot find that page"


def test_done_without_sending_goes_home(pages):
    assert pages.get("/chat/done").path == "/"
