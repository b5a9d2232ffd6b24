"""Each stage move is declared once (portal/stages.py) and every part of it must exist.

Adding a move means adding a `Transition`; these tests fail until it has a label, roles,
steps, a staff timeline template, and, when the complainant sees it, a public template and
a translation of its wording in every language. Every kind of field has a reader, a way to
be kept on the event, and a macro that draws it on the staff form.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from portal import fields
from portal.services import casework
from portal.stages import BY_EVENT, TRANSITIONS, Action
from tests.staff.test_stages import PATHS, state_after

ROOT = Path(__file__).resolve().parents[2]
STAFF_EVENTS = ROOT / "staff/templates/staff/events"
PUBLIC_EVENTS = ROOT / "portal/templates/status/events"
LANGUAGES = ("cy", "pl", "ar")
MOVES = list(TRANSITIONS.values())


def test_every_action_is_declared_once():
    assert set(TRANSITIONS) == set(Action)
    assert len(BY_EVENT) == len(TRANSITIONS), "two moves share one event type"


@pytest.mark.parametrize("move", MOVES, ids=lambda t: t.action.value)
def test_a_move_says_what_it_is_who_may_make_it_and_where(move):
    assert move.label and move.label[0].isupper() and not move.label.endswith(".")
    assert move.roles, "nobody may make this move"
    assert move.moves, "this move can start from no step"
    names = [f.name for f in move.fields]
    assert len(names) == len(set(names)), "a field is declared twice"
    for spec in move.fields:
        assert spec.label, f"{spec.name} has no label"
        assert sum(f.note for f in move.fields) <= 1, "only one field can be the note"


@pytest.mark.parametrize("move", MOVES, ids=lambda t: t.action.value)
def test_a_move_has_a_staff_timeline_template(move):
    assert (STAFF_EVENTS / f"{move.event}.html").is_file()


@pytest.mark.parametrize("move", MOVES, ids=lambda t: t.action.value)
def test_a_public_move_has_a_public_template_that_says_its_wording(move):
    template = PUBLIC_EVENTS / f"{move.event}.html"
    if move.public is None:
        assert not template.exists(), "a template for a move the complainant never sees"
        return
    assert template.is_file()
    assert "_(entry.wording" in template.read_text(), "the declared wording is not shown"


def _catalogue(language: str):
    path = ROOT / f"portal/translations/{language}/LC_MESSAGES/messages.po"
    with path.open("rb") as po:
        return read_po(po)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_public_wording_is_translated(language):
    catalogue = _catalogue(language)
    missing = [
        move.public
        for move in MOVES
        if move.public
        and (catalogue.get(move.public) is None or not catalogue.get(move.public).string)
    ]
    assert not missing, f"not translated into {language}: {missing}"


def test_every_deadline_a_case_can_have_has_public_wording():
    whats = {state_after(*path).due_what for path in PATHS.values()} - {None}
    assert whats >= {"acknowledge", "stage_1_response", "statement", "panel", "papers"}
    for what in whats:
        assert (PUBLIC_EVENTS / f"due_{what}.html").is_file(), what


def test_every_kind_of_field_can_be_read_kept_and_drawn():
    macros = (ROOT / "staff/templates/staff/_fields.html").read_text()
    drawn = set(re.findall(r'"([a-z_]+)": kind_\1', macros))
    for kind in fields.Kind:
        assert kind in fields.READERS, f"no reader for {kind}"
        assert kind in casework._STORED, f"{kind} is not kept on the event"
        assert kind.value in drawn, f"no macro draws {kind} on the staff form"


def _calls_in(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Attribute) and node.attr in {"commit", "rollback", "session"}:
            found.add(node.attr)
    return found


@pytest.mark.parametrize(
    "path",
    sorted([*(ROOT / "portal/views").glob("*.py"), *(ROOT / "staff").glob("*.py")]),
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_views_leave_commits_to_the_services(path):
    """Services own every transaction; import-linter keeps views away from the models."""
    assert not _calls_in(path), f"{path.name} commits or uses a database session"
