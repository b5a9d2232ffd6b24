"""Easy read: the English public copy stays at a reading age of about 9 (grade 5 or below)."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pytest
import textstat
from babel.messages.extract import extract_from_dir

pytestmark = pytest.mark.pages

ROOT = Path(__file__).resolve().parents[2]
MOST = 5.0  # Flesch-Kincaid grade 5: a reading age of about 9 to 10


def _public_copy() -> dict[str, list[str]]:
    """The English strings of every public page and question, by the file they live in."""
    method_map = [
        ("portal/**.py", "python"),
        ("portal/templates/**.html", "jinja2"),
        ("portal/templates/**.txt", "jinja2"),
    ]
    copy: dict[str, list[str]] = defaultdict(list)
    for path, _line, message, _comments, _context in extract_from_dir(
        str(ROOT),
        method_map=method_map,
        keywords={"_": None, "_l": None, "gettext": None, "said": None},
    ):
        text = re.sub(r"%\(\w+\)s", "it", message).strip()
        if len(text.split()) >= 3:  # sentences and prompts, not one-word labels
            copy[path].append(text if text[-1] in ".?!:" else text + ".")
    return copy


def test_the_public_copy_as_a_whole_is_easy_to_read():
    copy = _public_copy()
    everything = "\n".join(line for lines in copy.values() for line in lines)
    assert len(everything.split()) > 2000, "extraction found too little to judge"
    assert textstat.flesch_kincaid_grade(everything) <= MOST


def test_every_public_page_and_journey_file_is_easy_to_read():
    for path, lines in _public_copy().items():
        text = "\n".join(lines)
        if len(text.split()) < 30:
            continue  # too little to score fairly
        grade = textstat.flesch_kincaid_grade(text)
        assert grade <= MOST, f"{path} reads at grade {grade}: use shorter sentences and words"


def test_the_formula_can_tell_hard_copy_from_easy_copy():
    hard = (
        "Notwithstanding the aforementioned considerations, the local authority's determination "
        "regarding eligibility necessitates comprehensive documentary substantiation."
    )
    easy = "Tell us what happened. A few words is fine. We will read it."
    assert textstat.flesch_kincaid_grade(hard) > MOST >= textstat.flesch_kincaid_grade(easy)
