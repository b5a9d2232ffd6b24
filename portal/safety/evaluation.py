"""Score the matcher on a labelled set of sentences: recall and false alarms.

The set lives in `tests/safety/evaluation/<part>_<language>.toml` (`sentences`, each a `text`
and what it should raise: a concept, or "calm"). The parts: `tuning` (used to write the lists),
`heldout` (written before the lists were rebuilt), `blind` (batches written by issue 12
before each was run, then fitted; their first-run figures are in the files) and `fresh`
(batches written after the lists were last fitted and never used to change them: the model
learns from them, and its cut-offs are chosen on them out of fold). A risky sentence
counts as caught when the flag is raised at all (any concept puts the case on the tracker);
whether the expected concept was named is reported beside it. Used by
tests/safety/test_evaluation.py and `make bench`.
"""

from __future__ import annotations

import hashlib
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

CALM = "calm"
PARTS = ("tuning", "heldout", "blind", "fresh")


@dataclass(frozen=True)
class Sentence:
    text: str
    expect: str  # a concept, or "calm"
    language: str
    part: str  # "tuning", "heldout" or "blind" (the file's name before the language)


@dataclass(frozen=True)
class Result:
    sentence: Sentence
    found: tuple[str, ...]

    @property
    def flagged(self) -> bool:
        return bool(self.found)

    @property
    def right(self) -> bool:
        """Flag raised for a risky sentence, or not raised for a calm one."""
        return self.flagged != (self.sentence.expect == CALM)

    @property
    def named(self) -> bool:
        return self.sentence.expect in self.found


def load(folder: Path) -> list[Sentence]:
    sentences = []
    for path in sorted(folder.glob("*_*.toml")):
        part = path.stem.split("_", 1)[0]
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        sentences += [
            Sentence(row["text"], row["expect"], data["language"], part)
            for row in data["sentences"]
        ]
    return sentences


def digest(sentences: Iterable[Sentence]) -> str:
    """A fingerprint of the labelled sentences (what the model was trained on)."""
    rows = sorted(f"{s.language}\t{s.expect}\t{s.text}" for s in sentences)
    return hashlib.sha256("\n".join(rows).encode("utf-8")).hexdigest()


def score(sentences: Iterable[Sentence], match: Callable[[str], list[str]]) -> list[Result]:
    return [Result(s, tuple(match(s.text))) for s in sentences]


@dataclass(frozen=True)
class Figures:
    risky: int
    caught: int
    named: int
    calm: int
    false_alarms: int

    @property
    def recall(self) -> float:
        return self.caught / self.risky if self.risky else 1.0

    @property
    def named_rate(self) -> float:
        return self.named / self.risky if self.risky else 1.0

    @property
    def false_alarm_rate(self) -> float:
        return self.false_alarms / self.calm if self.calm else 0.0

    def line(self, label: str) -> str:
        recall = f"{self.recall:6.1%} ({self.caught}/{self.risky})" if self.risky else "-"
        named = f"{self.named_rate:6.1%}" if self.risky else "-"
        alarms = (
            f"{self.false_alarm_rate:5.1%} ({self.false_alarms}/{self.calm})" if self.calm else "-"
        )
        return f"  {label:<24} recall {recall:<17} right concept {named:<7} false alarms {alarms}"


def figures(results: Iterable[Result]) -> Figures:
    results = list(results)
    risky = [r for r in results if r.sentence.expect != CALM]
    calm = [r for r in results if r.sentence.expect == CALM]
    return Figures(
        risky=len(risky),
        caught=sum(r.flagged for r in risky),
        named=sum(r.named for r in risky),
        calm=len(calm),
        false_alarms=sum(r.flagged for r in calm),
    )


def report(results: list[Result]) -> list[str]:
    """Lines for `make bench`: each part, then by language and by concept within it."""
    lines = []
    for part in (*PARTS, "all"):
        mine = [r for r in results if part in ("all", r.sentence.part)]
        if not mine:
            continue
        lines.append(figures(mine).line(f"{part}: everything"))
        for language in sorted({r.sentence.language for r in mine}):
            chosen = [r for r in mine if r.sentence.language == language]
            lines.append(figures(chosen).line(f"{part}: {language}"))
        for concept in sorted({r.sentence.expect for r in mine} - {CALM}):
            chosen = [r for r in mine if r.sentence.expect == concept]
            lines.append(figures(chosen).line(f"{part}: {concept}"))
    return lines


def mistakes(results: Iterable[Result]) -> list[str]:
    return [
        f"{r.sentence.part} {r.sentence.language} {r.sentence.expect}: {r.sentence.text!r} -> "
        f"{list(r.found) or 'nothing'}"
        for r in results
        if not r.right
    ]
