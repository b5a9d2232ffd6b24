"""Signposts point to a complaints route, not a helpline: the police force's professional
standards department (then the IOPC), and the NHS complaints process (PALS in a hospital).
They stay council settings, with these defaults in every language."""

from __future__ import annotations

import re

import pytest

from portal import wording
from tests.flows.test_rules import PERSONAS
from tests.pages import PageClient
from tests.portal.test_personas import COMMON

pytestmark = pytest.mark.pages

HELPLINES = re.compile(r"\b(101|111)\b")
LANGUAGES = ["en", "cy", "pl", "ar"]


def test_the_default_signposts_name_complaints_routes_not_helplines():
    police = str(wording.DEFAULTS["SIGNPOST_POLICE"])
    health = str(wording.DEFAULTS["SIGNPOST_HEALTH"])
    assert "professional standards" in police and "IOPC" in police
    assert "NHS complaints process" in health and "PALS" in health
    assert not HELPLINES.search(police + health)


def _signpost(pages: PageClient, language: str) -> str:
    answers = {
        **COMMON,
        **PERSONAS["looked_after_child"],
        "topics": ["elsewhere"],
        "elsewhere": ["police", "health"],
    }
    headers = {"Accept-Language": language}
    page = pages.get("/chat/who", headers=headers)
    while not page.select_one("#signpost"):
        page = pages.submit(page, {"answer": answers[page.path.rsplit("/", 1)[1]]})
    return pages.get(page.path, headers=headers).select_one("#signpost .places").text


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_police_and_nhs_signposts_in_every_language(pages, language):
    text = _signpost(pages, language)
    assert "IOPC" in text and "PALS" in text
    assert not HELPLINES.search(text), "a helpline number is not a way to complain"
    if language != "en":
        assert "professional standards team" not in text, f"still in English in {language}"


def test_a_councils_own_signpost_is_shown_as_written(make_app):
    own = "Write to the Professional Standards Department, Anytown Police, PO Box 1."
    pages = PageClient(make_app(SIGNPOST_POLICE=own).test_client())
    text = _signpost(pages, "cy")
    assert own in text
    assert "IOPC" not in text, "the council's words replace the default"
