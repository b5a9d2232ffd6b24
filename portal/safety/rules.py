"""The small pattern language of the phrase lists, compiled once and matched against a text.

A pattern is words separated by spaces. Each word is one of:

    hit          this word in every form it takes (hits, hitting; bije, bił, pobił)
    =hit         only this spelling (still forgiving case, accents and small typos)
    samobój*     any word that starts so (in Welsh, with its mutations: cyffyrdd*, gyffyrdd*);
                 a group may hold such words too
    {hit}        any word of the group "hit" in this file, in every form; {en:hit} another file's
    a|b|c        any of these words; no_one, passed_out: several words as one alternative
    ...          up to four other words, in the same sentence

and parts may be joined by

    A ~ B        A and B in either order, at most two words apart (free word order: "mnie bije")
    A & B        A and B in either order, in the same sentence, at most eight words apart

Nothing crosses a sentence end (. ! ? ; or a new line). A text matches a concept when one of
its patterns matches somewhere that no "calm" pattern covers ("beat me at FIFA"). A pattern
that starts with "! " stands even there: it says what no accident, game or idiom says ("I bang
my head on the wall ... on purpose", where "I bang my head" alone is a bump).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

GAP_WORDS = 4
NEAR = {"~": 2, "&": 8}

# A slot is one word of a pattern: an atom (a set of word forms), or a sequence of atoms for a
# group member of several words ("my mum"). A gap is written as None in a sequence.
Sequence = tuple[int | None, ...]


@dataclass(frozen=True)
class Slot:
    atom: int | None  # the single words it allows, as one atom
    phrases: tuple[Sequence, ...] = ()  # members of more than one word


@dataclass(frozen=True)
class Rule:
    concept: str
    source: str
    parts: tuple[tuple[Slot | None, ...], ...]  # None is a gap
    links: tuple[int, ...]  # how far apart each part may be from the one before
    anchors: frozenset[int]  # atoms of its rarest word: the text must hold one of them
    needs: tuple[frozenset[int], ...]  # for every word, the atoms it can start with
    firm: bool = False  # "! ...": stands where a calm pattern covers the same words

    def worth_trying(self, present: set[int] | frozenset[int]) -> bool:
        return all(not need.isdisjoint(present) for need in self.needs)


@dataclass
class Text:
    """A text as positions, each the set of atoms its word stands for, with its sentence."""

    atoms: list[frozenset[int]]
    sentence: list[int]
    where: dict[int, list[int]]

    @classmethod
    def build(cls, sentences: list[list[frozenset[int]]]) -> Text:
        atoms, sentence, where = [], [], {}
        for number, words in enumerate(sentences):
            for found in words:
                for atom in found:
                    where.setdefault(atom, []).append(len(atoms))
                atoms.append(found)
                sentence.append(number)
        return cls(atoms, sentence, where)

    def same_sentence(self, a: int, b: int) -> bool:
        return 0 <= b < len(self.atoms) and self.sentence[a] == self.sentence[b]


Span = tuple[int, int]


def _slot_ends(slot: Slot, text: Text, at: int, anchor: int) -> Iterator[int]:
    """Where a slot that starts at position `at` can end (same sentence as `anchor`)."""
    if not text.same_sentence(anchor, at):
        return
    if slot.atom is not None and slot.atom in text.atoms[at]:
        yield at
    for phrase in slot.phrases:
        end = at + len(phrase) - 1
        if text.same_sentence(anchor, end) and all(
            atom in text.atoms[at + k] for k, atom in enumerate(phrase)
        ):
            yield end


def _extend(items: tuple[Slot | None, ...], i: int, last: int, text: Text) -> Iterator[int]:
    """Every end of the part `items[i:]` that follows on from position `last`."""
    if i == len(items):
        yield last
        return
    item = items[i]
    if item is None:  # a gap: the next slot may start up to GAP_WORDS later
        for start in range(last + 1, last + 2 + GAP_WORDS):
            for end in _slot_ends(items[i + 1], text, start, last):
                yield from _extend(items, i + 2, end, text)
        return
    for end in _slot_ends(item, text, last + 1, last):
        yield from _extend(items, i + 1, end, text)


def _starts(slot: Slot, text: Text) -> list[int]:
    starts = set(text.where.get(slot.atom, ())) if slot.atom is not None else set()
    for phrase in slot.phrases:
        starts.update(text.where.get(phrase[0], ()))
    return sorted(starts)


def part_spans(items: tuple[Slot | None, ...], text: Text) -> list[Span]:
    first = items[0]
    assert first is not None
    return [
        (start, end)
        for start in _starts(first, text)
        for first_end in _slot_ends(first, text, start, start)
        for end in _extend(items, 1, first_end, text)
    ]


def _near(a: Span, b: Span, most: int, text: Text) -> bool:
    if not text.same_sentence(a[0], b[0]):
        return False
    apart = b[0] - a[1] - 1 if b[0] > a[1] else a[0] - b[1] - 1
    return 0 <= apart <= most


def rule_matches(rule: Rule, text: Text) -> Iterator[list[Span]]:
    """Every way the rule matches: the span of each of its parts."""
    spans = [part_spans(part, text) for part in rule.parts]
    if all(spans):
        yield from _chain(spans, rule.links, 1, [], text)


def _chain(
    spans: list[list[Span]], links: tuple[int, ...], i: int, chosen: list[Span], text: Text
) -> Iterator[list[Span]]:
    if not chosen:
        for first in spans[0]:
            yield from _chain(spans, links, 1, [first], text)
        return
    if i == len(spans):
        yield chosen
        return
    for span in spans[i]:
        if _near(chosen[-1], span, links[i - 1], text):
            yield from _chain(spans, links, i + 1, [*chosen, span], text)


def overlaps(spans: list[Span], calm: list[Span]) -> bool:
    return any(a <= d and c <= b for a, b in spans for c, d in calm)


# Parsing ------------------------------------------------------------------------------------

CompileWord = Callable[[str, str], Slot]


def parse(
    source: str, concept: str, language: str, compile_word: CompileWord, is_common: Callable
) -> Rule:
    """Turn one pattern into a rule; `compile_word(language, word)` makes each word's slot."""
    parts: list[tuple[Slot | None, ...]] = []
    links: list[int] = []
    current: list[Slot | None] = []
    words = source.split()
    firm = words[:1] == ["!"]
    if firm and concept == "calm":
        raise ValueError(f"a calm pattern cannot be firm: {source!r}")
    for word in words[1:] if firm else words:
        if word in NEAR:
            parts.append(_finish(current, source))
            links.append(NEAR[word])
            current = []
        elif word == "...":
            current.append(None)
        else:
            current.append(compile_word(language, word))
    parts.append(_finish(current, source))
    needs = tuple(_entries(slot) for part in parts for slot in part if slot is not None)
    anchors = next((n for n in needs if not any(is_common(a) for a in n)), needs[0])
    return Rule(concept, source, tuple(parts), tuple(links), anchors, needs, firm)


def _entries(slot: Slot) -> frozenset[int]:
    """The atoms a slot's match can start with."""
    atoms = {phrase[0] for phrase in slot.phrases if phrase[0] is not None}
    if slot.atom is not None:
        atoms.add(slot.atom)
    return frozenset(atoms)


def _finish(items: list[Slot | None], source: str) -> tuple[Slot | None, ...]:
    gaps = [i for i, item in enumerate(items) if item is None]
    if not items or gaps[:1] == [0] or gaps[-1:] == [len(items) - 1] or _doubled(gaps):
        raise ValueError(f"a part cannot be empty, or start or end with '...': {source!r}")
    return tuple(items)


def _doubled(gaps: list[int]) -> bool:
    return any(b == a + 1 for a, b in zip(gaps, gaps[1:], strict=False))
