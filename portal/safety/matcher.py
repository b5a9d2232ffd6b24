"""Notice words about harm, self-harm or danger in free text, forgiving spelling and spacing.

A safety net only: a person reads every complaint. It errs on the side of noticing, and it
reports which lists matched, never the words themselves.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from functools import lru_cache
from pathlib import Path

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

PHRASES = Path(__file__).parent / "phrases"
LISTS = ("harm_from_others", "self_harm", "immediate_danger")

# Letters that do not decompose under NFKD, and look-alike digits children use.
_FOLD = str.maketrans(
    {
        "ł": "l",
        "ø": "o",
        "đ": "d",
        "ß": "ss",
        "0": "o",
        "1": "i",
        "3": "e",
        "4": "a",
        "5": "s",
        "@": "a",
        "$": "s",
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ة": "ه",
        "ى": "ي",
    }
)
_APOSTROPHES = re.compile(r"['’‘`]")
_NOT_WORD = re.compile(r"[^\w]+")
_REPEATS = re.compile(r"(.)\1{2,}")


def normalise(text: str) -> list[str]:
    """Return the words of a text: lower case, no accents or marks, no repeated letters."""
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    text = _APOSTROPHES.sub("", text.translate(_FOLD))
    text = _REPEATS.sub(r"\1\1", text)  # "hurrrrts" -> "hurrts"
    return [word for word in _NOT_WORD.sub(" ", text).split() if word]


@lru_cache(maxsize=1)
def phrase_lists() -> dict[str, tuple[tuple[str, ...], ...]]:
    """Load every language's lists, merged by list name, each phrase as normalised words."""
    merged: dict[str, set[tuple[str, ...]]] = {name: set() for name in LISTS}
    for path in sorted(PHRASES.glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        for name in LISTS:
            for phrase in data.get(name, []):
                words = tuple(normalise(phrase))
                if words:
                    merged[name].add(words)
    return {name: tuple(sorted(phrases)) for name, phrases in merged.items()}


def _allowed_typos(word: str) -> int:
    return 0 if len(word) <= 3 else 1 if len(word) <= 6 else 2


@lru_cache(maxsize=65536)
def _word_matches(typed: str, wanted: str) -> bool:
    # Cached: real answers repeat their words, and phrases share theirs.
    if typed == wanted:
        return True
    if len(wanted) >= 3 and typed.startswith(wanted) and len(typed) - len(wanted) <= 3:
        return True  # hit -> hits, hitting; abuse -> abused
    allowed = _allowed_typos(wanted)
    return allowed > 0 and Levenshtein.distance(typed, wanted, score_cutoff=allowed) <= allowed


def _positions(words: list[str]) -> dict[str, list[int]]:
    """Index a text's words once, so each phrase only visits places it could start."""
    index: dict[str, list[int]] = {}
    for position, word in enumerate(words):
        index.setdefault(word, []).append(position)
    return index


class _Text:
    """A text's words, indexed once, with where each phrase's first word could start."""

    def __init__(self, text: str) -> None:
        self.words = normalise(text)
        self.squashed = "".join(self.words)
        self._index: dict[str, list[int]] = {}
        for position, word in enumerate(self.words):
            self._index.setdefault(word, []).append(position)
        self._starts: dict[str, list[int]] = {}

    def starts(self, first: str) -> list[int]:
        if first not in self._starts:
            self._starts[first] = [
                p for word, ps in self._index.items() if _word_matches(word, first) for p in ps
            ]
        return self._starts[first]

    def has(self, phrase: tuple[str, ...]) -> bool:
        words, size = self.words, len(phrase)
        return any(
            start + size <= len(words)
            and all(_word_matches(words[start + k], phrase[k]) for k in range(1, size))
            for start in self.starts(phrase[0])
        )


def _in_squashed(squashed: str, phrase: tuple[str, ...]) -> bool:
    """Catch odd spacing: "k i l l my self", "killmyself", with a small typo allowed."""
    joined = "".join(phrase)
    if joined in squashed:
        return True
    return len(joined) >= 8 and fuzz.partial_ratio(joined, squashed, score_cutoff=90) >= 90


def matching_lists(text: str | None) -> list[str]:
    """Return the names of the safety lists that the text matches, in a stable order."""
    if not text:
        return []
    seen = _Text(text)
    found = []
    for name, phrases in phrase_lists().items():
        if any(seen.has(p) or _in_squashed(seen.squashed, p) for p in phrases):
            found.append(name)
    return found
