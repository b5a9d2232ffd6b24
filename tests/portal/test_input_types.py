"""Every phone box brings up a phone keypad and every email box an email keyboard, and both can
be filled in by the browser: `type="tel"` or `type="email"`, with an `autocomplete` value. In the
conversation (the advocate's work details too) and in the status pages' forms."""

from __future__ import annotations

import re

import pytest

from portal.flows import JOURNEYS
from portal.flows.model import TEXT_KINDS
from tests.flows.test_rules import PERSONAS
from tests.pages import PageClient
from tests.portal.journey import YOUNG_PERSON, open_link, send_complaint, step_id
from tests.portal.test_personas import COMMON

pytestmark = pytest.mark.pages

PHONE_OR_EMAIL = re.compile(r"phone|mobile|email|e-mail", re.IGNORECASE)
AUTOCOMPLETE = {"tel": {"tel", "work tel", "mobile tel"}, "email": {"email", "work email"}}


def _kind(step) -> str | None:
    return {"email": "email", "uk_mobile": "tel", "uk_phone": "tel"}.get(step.check or "")


def test_every_phone_or_email_question_declares_its_kind_of_box():
    checked = 0
    for journey in JOURNEYS.values():
        for step in journey.steps:
            if step.kind not in TEXT_KINDS or not PHONE_OR_EMAIL.search(str(step.prompt)):
                continue
            kind = _kind(step)
            assert kind, f"{step.id} asks for a phone number or email: give it a check"
            attributes = step.input_attributes
            assert attributes["type"] == kind, step.id
            assert attributes["autocomplete"] in AUTOCOMPLETE[kind], step.id
            checked += 1
    assert checked >= 4, "the phone and email questions were not found"


def _walk_to(pages: PageClient, answers: dict, wanted: str):
    page = pages.get("/chat/who")
    for _ in range(40):
        if step_id(page) == wanted:
            return page
        page = pages.submit(page, {"answer": answers[step_id(page)]})
    raise AssertionError(f"never reached {wanted}")


@pytest.mark.parametrize(
    ("answers", "step", "kind", "autocomplete"),
    [
        pytest.param(
            {**COMMON, **PERSONAS["advocate_instructed"]},
            "advocate_email",
            "email",
            "work email",
            id="advocate_work_email",
        ),
        pytest.param(
            {**COMMON, **PERSONAS["advocate_instructed"]},
            "advocate_phone",
            "tel",
            "work tel",
            id="advocate_work_phone",
        ),
        pytest.param({**YOUNG_PERSON, "contact": "email"}, "email", "email", "email", id="email"),
        pytest.param({**YOUNG_PERSON, "contact": "text"}, "phone", "tel", "tel", id="mobile"),
    ],
)
def test_phone_and_email_boxes_in_the_conversation(pages, answers, step, kind, autocomplete):
    page = _walk_to(pages, answers, step)
    box = page.select_one("form.ask input[name=answer]")
    assert (box["type"], box["autocomplete"]) == (kind, autocomplete)
    assert box.get("spellcheck") == ("false" if kind == "email" else None)


def test_other_short_answers_stay_plain_text_and_are_not_filled_in(pages):
    page = _walk_to(pages, {**COMMON, **PERSONAS["advocate_instructed"]}, "advocate_name")
    box = page.select_one("form.ask input[name=answer]")
    assert box.get("type", "text") == "text" and box["autocomplete"] == "off"


STATUS_PAGES = ["/progress", "/progress/withdraw", "/progress/word/help"]


def test_the_status_pages_forms_use_the_right_box_for_a_phone_or_email(app):
    person = PageClient(app.test_client())
    done = send_complaint(person, YOUNG_PERSON)
    open_link(person, done.select_one("a#status-link")["href"])
    boxes = 0
    for path in STATUS_PAGES:
        page = person.get(path)
        for box in page.select("main form input, main form textarea"):
            if box.get("type") in ("hidden", "radio", "checkbox", "submit"):
                continue
            boxes += 1
            label = page.select_one(f"label[for='{box.get('id')}']")
            words = f"{box.get('name', '')} {label.text if label else ''}"
            if PHONE_OR_EMAIL.search(words) and box.name == "input":
                kind = box.get("type")
                assert kind in AUTOCOMPLETE, f"{path} {box.get('name')}: type={kind!r}"
                assert box.get("autocomplete") in AUTOCOMPLETE[kind], f"{path} {box['name']}"
    assert boxes >= 3, "the status pages' text boxes were not found"


def test_the_help_form_has_a_phone_box_and_an_email_box(pages):
    """ "I don't feel safe" asks for a number in a phone box and an address in an email box."""
    page = pages.get("/help")
    phone, email = page.select_one("input#phone"), page.select_one("input#email")
    assert (phone["type"], phone["autocomplete"]) == ("tel", "tel")
    assert (email["type"], email["autocomplete"]) == ("email", "email")
