"""Every message is declared once, translated, and neutral in every language.

A phone or inbox may be seen by the person a child is complaining about: nothing sent to a
complainant, or to their advocate or social worker for them, may mention complaints, harm,
social care or names, in any language.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask_babel import force_locale

from portal import notifications, wording
from portal.notifications import CATALOGUE, LINK, PUBLIC, REASON, For, Notice, placeholders
from portal.stages import TRANSITIONS, Action

pytestmark = pytest.mark.pages

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = ("en", "cy", "pl", "ar")
# Words that would give away what a message is about, in each language (any form: these are
# matched anywhere in the text, after case folding).
FORBIDDEN = {
    "en": (
        "complain",
        "harm",
        "abuse",
        "hurt",
        "neglect",
        "social care",
        "social work",
        "safeguard",
        "police",
        "danger",
        "unsafe",
        "investigat",
    ),
    "cy": (
        "cwyn",
        "niwed",
        "cam-drin",
        "camdrin",
        "esgeulus",
        "gofal cymdeithasol",
        "gweithiwr cymdeithasol",
        "gwaith cymdeithasol",
        "heddlu",
        "perygl",
    ),
    "pl": (
        "skarg",
        "krzywd",
        "przemoc",
        "zaniedb",
        "społeczn",
        "socjaln",
        "policj",
        "niebezpiecz",
    ),
    "ar": (
        "شكو",
        "شكاو",
        "ضرر",
        "أذى",
        "إساءة",
        "عنف",
        "إهمال",
        "الاجتماعي",
        "الشرطة",
        "خطر",
    ),
}
NAME = "Jess"
# The moves the complainant (or the officer given the case) must hear about, and what they say.
DECLARED = {
    Action.EXTEND: "date_changed",
    Action.PAUSE: "date_changed",
    Action.RESUME: "date_changed",
    Action.SEND_MESSAGE: "new_message",
    Action.RECORD_RESPONSE: "answer_ready",
    Action.WITHDRAW: "stopped",
    Action.ASSIGN: "case_assigned",
}


def _catalogue(language: str):
    path = ROOT / f"portal/translations/{language}/LC_MESSAGES/messages.po"
    with path.open("rb") as po:
        return read_po(po, locale=language)


def _english(line) -> str:
    with force_locale("en"):
        return str(line)


def forbidden_in(text: str, language: str) -> list[str]:
    """The giveaway words a message holds, in its own language and in English."""
    folded = text.casefold()
    return [w for w in (*FORBIDDEN[language], *FORBIDDEN["en"]) if w.casefold() in folded]


def test_each_kind_is_declared_once_for_each_audience():
    pairs = [(n.kind, n.to) for n in CATALOGUE]
    assert len(pairs) == len(set(pairs))
    for notice in CATALOGUE:
        if notice.to == For.PERSON:
            assert (notice.kind, For.GO_BETWEEN) in notifications.NOTICES, (
                f"{notice.kind}: nothing declared for an advocate or social worker"
            )


@pytest.mark.parametrize("notice", CATALOGUE, ids=lambda n: f"{n.kind}-{n.to}")
def test_a_message_declares_the_placeholders_it_uses(app, notice: Notice):
    with app.test_request_context(), force_locale("en"):
        assert placeholders(notice) == set(notice.uses)
    assert "name" not in notice.uses, "no message carries a name"
    if notice.to == For.GO_BETWEEN:
        assert "link" not in notice.uses, "only the person themselves gets the private link"
    if notice.to == For.PERSON:
        assert "link" in notice.uses


@pytest.mark.parametrize("language", ["cy", "pl", "ar"])
def test_every_public_message_is_translated(app, language):
    catalogue = _catalogue(language)
    missing = []
    with app.test_request_context():
        for notice in CATALOGUE:
            if not notice.translated:
                continue
            for line in (notice.subject, *notice.lines):
                if line in (LINK, REASON):
                    continue
                assert not isinstance(line, str), f"{notice.kind}: {line!r} is not translatable"
                entry = catalogue.get(_english(line))
                if entry is None or not entry.string:
                    missing.append(_english(line))
    assert not missing, f"not translated into {language}: {missing}"


def test_staff_messages_are_in_english_and_never_go_to_a_complainant():
    for notice in CATALOGUE:
        if notice.to in PUBLIC:
            continue
        assert all(isinstance(line, str) for line in (notice.subject, *notice.lines))


def _reasons(kind: str) -> list[str | None]:
    """The plain words of every move that sends this kind (None: no reason given)."""
    found = [t.public for t in TRANSITIONS.values() if t.message == kind and t.public]
    return found or [None]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(
    "notice", [n for n in CATALOGUE if n.to in PUBLIC], ids=lambda n: f"{n.kind}-{n.to}"
)
def test_no_public_message_gives_anything_away_in_any_language(app, notice, language):
    with app.test_request_context(), force_locale(language):
        for reason in _reasons(notice.kind):
            message = notice.render(
                council=wording.setting("COUNCIL_NAME"),
                reference="K7TM-9PXR",
                link="https://speakup.test/s/a-private-token",
                date="Tuesday 10 March 2026",
                reason=str(notifications._l(reason)) if reason else None,
                phone="0300 123 4567",
            )
            for text in (message.subject, message.body):
                assert not forbidden_in(text, language), text
                assert NAME not in text
            assert "K7TM-9PXR" in message.body or notice.to == For.PERSON
            if notice.to == For.GO_BETWEEN:
                assert "/s/" not in message.body, "no private link for someone else"
            else:
                assert "https://speakup.test/s/a-private-token" in message.body


def test_every_move_that_sends_a_message_names_a_declared_kind():
    kinds = {n.kind for n in CATALOGUE}
    for transition in TRANSITIONS.values():
        assert transition.message is None or transition.message in kinds, transition.action
    assert {a: TRANSITIONS[a].message for a in DECLARED} == DECLARED
    for action, transition in TRANSITIONS.items():
        if action not in DECLARED:
            assert transition.message is None, f"{action} sends a message nobody asked for"


def test_a_line_without_its_value_is_left_out_and_a_link_follows_its_colon():
    notice = notifications.notice("date_changed", For.PERSON)
    message = notice.render(council="Anytown", link="L", reason="It moved.", date=None)
    assert (
        message.body == "A date has changed.\n\nIt moved.\n\nOpen your private link to see more:\nL"
    )
    with pytest.raises(ValueError):
        notice.render(link="L")  # the subject needs the council


def test_the_checks_would_catch_a_giveaway():
    assert forbidden_in("Your complaint about your social worker", "en")
    assert forbidden_in("Mae eich cwyn wedi cyrraedd", "cy")
    assert forbidden_in("Twoja skarga", "pl")
    assert forbidden_in("وصلت شكواك", "ar")
    assert not forbidden_in("There is a new message for you.", "en")


def test_every_kind_of_message_queued_has_a_name_staff_read():
    """Staff see every message by its name (the undelivered panel, a case's messages)."""
    import ast
    from pathlib import Path

    from portal import notifications

    root = Path(__file__).resolve().parents[2] / "portal"
    kinds = {n.kind for n in notifications.CATALOGUE}
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            named = isinstance(node, ast.keyword) and node.arg == "kind"
            if named and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
                kinds.add(node.value.value)
    kinds |= {
        value
        for name, value in vars(notifications).items()
        if name.isupper() and isinstance(value, str) and value.islower() and "%" not in value
    } - {"person", "go_between", "duty", "staff"}
    missing = kinds - set(notifications.STAFF_LABELS)
    assert not missing, f"kinds with no staff name: {sorted(missing)}"
