"""How the translations speak to a child: Polish without "wysłałeś/wysłałaś" slash forms, and
Welsh in "ti", never the formal "chi"/"eich", in every public string of the catalogues."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

CATALOGUES = Path(__file__).resolve().parents[2] / "portal" / "translations"

# Web and email addresses and %(name)s placeholders may hold slashes; they are not words.
NOT_WORDS = re.compile(r"\S*(?:://|@|www\.|\.[a-z]{2,}/)\S*|%\([a-z_]+\)s", re.IGNORECASE)
# Two words joined by a slash: "wysłałeś/wysłałaś", "zadowolony/zadowolona", "jej/jego".
SLASH_FORM = re.compile(r"[^\W\d_]+/[^\W\d_]+")

# The formal or plural "you" in Welsh: its pronouns and the verb forms that go with it.
# ("ti" forms: "wyt ti", "dy", "i'th", "Dewisa", "Gelli di".)
WELSH_POLITE_WORDS = {
    "chi", "eich", "chwi", "ydych", "rydych", "dydych", "oeddech", "roeddech", "byddwch",
    "fyddwch", "gallwch", "allwch", "hoffech", "gennych", "wrthych", "cewch", "gewch",
}  # fmt: skip
# -wch imperatives ("Dewiswch", "Ffoniwch"), -och past and prepositions ("anfonoch", "atoch",
# "arnoch"), -ech conditionals ("hoffech"), and the "'ch" of "i'ch", "a'ch", "gyda'ch".
WELSH_POLITE_ENDINGS = re.compile(r"^\w{2,}(?:wch|och|ech)$")
WELSH_POLITE_CLITIC = re.compile(r"\w['’]ch\b")
# Welsh words that end like a polite verb and are not one.
WELSH_NOT_POLITE = {
    "diogelwch", "heddwch", "tywyllwch", "tristwch", "harddwch", "dedwyddwch", "llwch",
    "trwch", "uwch", "hwch", "cwch", "coch", "moch", "boch", "brech", "llech",
}  # fmt: skip

# msgid: why its Welsh may use "chi". Kept short: none is needed today.
WELSH_CHI_ALLOWED: dict[str, str] = {}


def _translations(language: str) -> list[tuple[str, str]]:
    with open(CATALOGUES / language / "LC_MESSAGES" / "messages.po", "rb") as handle:
        catalogue = read_po(handle, locale=language)
    found = []
    for message in catalogue:
        if not message.id or not message.string:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        found += [(ids[0], s) for s in strings if s]
    return found


def polish_slash_forms(text: str) -> list[str]:
    return SLASH_FORM.findall(NOT_WORDS.sub(" ", text))


def welsh_polite_forms(text: str) -> list[str]:
    words = re.findall(r"\w+", NOT_WORDS.sub(" ", text).lower())
    found = [
        w
        for w in words
        if w in WELSH_POLITE_WORDS or (WELSH_POLITE_ENDINGS.match(w) and w not in WELSH_NOT_POLITE)
    ]
    return found + WELSH_POLITE_CLITIC.findall(text)


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Dostaliśmy to, co wysłałeś/wysłałaś.", ["wysłałeś/wysłałaś"]),
        ("Nadal nie jesteś zadowolony/zadowolona?", ["zadowolony/zadowolona"]),
        ("Decyzja w jej/jego sprawie", ["jej/jego"]),
        ("Dostaliśmy Twoją wiadomość.", []),
        ("Zobacz https://www.gov.pl/web/rpd albo %(url)s, 24/7.", []),
    ],
)
def test_the_polish_check_finds_slash_forms(text, found):
    assert polish_slash_forms(text) == found


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Pwy ydych chi?", ["ydych", "chi"]),
        ("Dewiswch un. Beth yw eich enw?", ["dewiswch", "eich"]),
        ("Gofynnoch chi am help.", ["gofynnoch", "chi"]),
        ("Unrhyw beth sy'n helpu i ddod o hyd i'ch cofnodion?", ["i'ch"]),
        ("Pwy wyt ti? Dewisa un. Beth yw dy enw? Gelli di ofyn i'th eiriolwr.", []),
        ("Mae diogelwch yn bwysig. Y botwm coch.", []),
    ],
)
def test_the_welsh_check_finds_formal_you(text, found):
    assert welsh_polite_forms(text) == found


def test_polish_uses_neutral_forms_not_slashes():
    slashed = {
        msgid: (forms, text)
        for msgid, text in _translations("pl")
        if (forms := polish_slash_forms(text))
    }
    assert not slashed, f"Polish slash forms (use a neutral form instead): {slashed}"


def test_welsh_speaks_to_a_child_as_ti():
    formal = {
        msgid: (forms, text)
        for msgid, text in _translations("cy")
        if msgid not in WELSH_CHI_ALLOWED and (forms := welsh_polite_forms(text))
    }
    assert not formal, f"Welsh 'chi' forms (use 'ti': wyt ti, dy, Dewisa, Gelli di): {formal}"


def test_the_allowed_welsh_chi_strings_are_still_in_the_catalogue():
    msgids = {msgid for msgid, _ in _translations("cy")}
    assert set(WELSH_CHI_ALLOWED) <= msgids, "remove allow-list entries that no longer exist"
