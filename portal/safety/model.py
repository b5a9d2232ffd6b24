"""A second look at what the lists did not catch: a model of how risky words are written.

The lists (`matcher`) say what a child means as concepts and word forms, and explain every
match. But children say the same thing in more ways than any list holds: tried on sentences
written by people who never saw the lists, the lists alone caught about four risky sentences
in five. So when the lists find nothing, a statistical model has a second look: a logistic
regression over pieces of words (two to five letters, so "pobił", "pobili" and "pobiła" share
most of their pieces, and "punchd" is close to "punched") and over words and word pairs,
learnt from every labelled sentence in `tests/safety/evaluation/` (thousands, in en, cy, pl,
ar). A second model, learnt from the risky sentences only, names the concept for the tracker.

It works beside the lists, not instead of them (`matcher.matching_lists`): when the lists
find nothing it raises the flag if it is sure enough (the "threshold"); when they find
something, the flag stands unless the model is sure that the text and every part of it are
calm (the "veto": a story, a game or a lesson the lists have no calm pattern for yet, which
would otherwise put a calm complaint at the top of the tracker; reading the parts means thanks
around a disclosure never talk it out of one), surer still for four to six words (the "short
veto": "cut my finger chopping onions"). Where a calm pattern knowingly set words aside ("he
beat me at FIFA") it must be surer than its threshold to raise the flag (the "set_aside"
cut-off); for fewer than four words the lists decide alone. The cut-offs are chosen when it is
trained (`tools/train_safety_model.py`), out of fold, on the batches the lists never saw: those
that catch the most risky sentences while false alarms stay under 4.5%. The figures are kept beside
it in `model/risk.json` and printed by `make bench`; a person reads every complaint either way.

The trained model is a file in the repository (`model/risk.tables.zip`), never trained or
downloaded at run time; a test fails when the labelled sentences change and it was not
trained again. It is plain tables (each feature's piece of text, its rarity and its weights),
written by the trainer from scikit-learn's fitted models and read here without scikit-learn:
a worker needs neither scikit-learn nor numpy, and nothing is unpickled.
"""

from __future__ import annotations

import json
import math
import re
import sys
import zipfile
from array import array
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

FOLDER = Path(__file__).parent / "model"
MODEL = FOLDER / "risk.tables.zip"
FACTS = FOLDER / "risk.json"
MODELS = ("risky", "concepts")  # whether a text is risky; which concept a risky text is most like


def features_text(text: str) -> str:
    """What the model reads: the words as the matcher folds them (case, accents, stretched
    letters, look-alike digits), so the model and the lists see the same text."""
    from portal.safety.matcher import normalise

    return " ".join(normalise(text))


# Fewer words than this and the model is not asked: with so little to go on it is sure of the
# wrong things ("please stop now", a reason to withdraw, read as danger), while the lists,
# which catch almost every short risky answer in the labelled set ("kms", "he hits me"),
# decide alone.
FEWEST_WORDS = 4


# Fewer words than this and a match of the lists stands whatever the model thinks: a short
# plain statement ("mae o am fy nladd i", "nath o guro fi") is what the lists are sure of, and
# a model that has seen few sentences like it must not overrule them. The lists' false alarms
# are longer: a story, a game, a lesson.
FEWEST_WORDS_TO_OVERRULE = 7


def words(text: str) -> int:
    return len(features_text(text).split()) if text else 0


def reads(text: str) -> bool:
    """Whether the model has a second look at this text: enough words to go on."""
    return words(text) >= FEWEST_WORDS


def may_overrule(text: str) -> bool:
    """Whether the model may overrule a match of the lists (its veto): a long enough text."""
    return words(text) >= FEWEST_WORDS_TO_OVERRULE


@lru_cache(maxsize=1)
def facts() -> dict:
    """How it was trained: the threshold, the figures, the digest of the sentences."""
    return json.loads(FACTS.read_text(encoding="utf-8"))


# The tables -------------------------------------------------------------------------------
#
# risk.tables.zip holds tables.json (for each model: its classes, intercepts and parts, each
# part a vectoriser's analyser and settings) and, for each part, vocabulary.txt (one feature a
# line, in the vectoriser's order), rarity.f64 (its inverse document frequencies) and
# weights.f64 (one row of weights a class), as little-endian float64: exactly scikit-learn's.

_WHITE_SPACES = re.compile(r"\s\s+")


def _char_wb(low: int, high: int) -> Callable[[str], list[str]]:
    """scikit-learn's "char_wb" analyser: pieces of each word, padded with a space each side."""

    def analyse(text: str) -> list[str]:
        grams: list[str] = []
        add = grams.append
        for word in _WHITE_SPACES.sub(" ", text.lower()).split():
            word = f" {word} "
            length = len(word)
            for n in range(low, high + 1):
                offset = 0
                add(word[:n])
                while offset + n < length:
                    offset += 1
                    add(word[offset : offset + n])
                if offset == 0:  # a word shorter than n counts once
                    break
        return grams

    return analyse


def _words(low: int, high: int, pattern: str) -> Callable[[str], list[str]]:
    """scikit-learn's "word" analyser: the words, then runs of `low` to `high` of them."""
    find = re.compile(pattern).findall

    def analyse(text: str) -> list[str]:
        tokens = find(text.lower())
        grams = list(tokens) if low == 1 else []
        for n in range(max(low, 2), min(high, len(tokens)) + 1):
            grams.extend(" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
        return grams

    return analyse


def _analyser(settings: dict) -> Callable[[str], list[str]]:
    low, high = settings["ngram_range"]
    if settings["analyzer"] == "char_wb":
        return _char_wb(low, high)
    if settings["analyzer"] == "word":
        return _words(low, high, settings["token_pattern"])
    raise ValueError(f"no analyser {settings['analyzer']!r}")


def _little_endian(values: array) -> array:
    if sys.byteorder == "big":
        values.byteswap()
    return values


def save_tables(path: Path, pipelines: dict) -> None:
    """Write fitted scikit-learn pipelines (a union of TF-IDF vectorisers, then a linear
    model), one for each name in MODELS, as tables. Only the trainer and a test call this."""
    meta: dict = {}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as out:
        for name in MODELS:
            union, linear = pipelines[name][0], pipelines[name][-1]
            coef, offset, parts = linear.coef_, 0, []
            for number, (_, vectoriser) in enumerate(union.transformer_list):
                assert vectoriser.sublinear_tf and vectoriser.norm == "l2" and vectoriser.use_idf
                assert vectoriser.lowercase and vectoriser.strip_accents is None
                assert vectoriser.preprocessor is None and vectoriser.tokenizer is None
                assert vectoriser.stop_words is None and not vectoriser.binary
                order = sorted(vectoriser.vocabulary_, key=vectoriser.vocabulary_.__getitem__)
                assert all("\n" not in feature for feature in order)
                size = len(order)
                folder = f"{name}/{number}"
                out.writestr(f"{folder}/vocabulary.txt", "\n".join(order))
                out.writestr(f"{folder}/rarity.f64", vectoriser.idf_.astype("<f8").tobytes())
                rows = coef[:, offset : offset + size].astype("<f8")
                out.writestr(f"{folder}/weights.f64", rows.tobytes(order="C"))
                offset += size
                parts.append(
                    {
                        "analyzer": vectoriser.analyzer,
                        "ngram_range": list(vectoriser.ngram_range),
                        "token_pattern": vectoriser.token_pattern,
                        "features": size,
                    }
                )
            assert offset == coef.shape[1]
            meta[name] = {
                "classes": [str(c) for c in linear.classes_],
                "intercepts": [float(v) for v in linear.intercept_],
                "parts": parts,
            }
        out.writestr("tables.json", json.dumps(meta, indent=1))


@dataclass(frozen=True)
class _Part:
    """One of a model's kinds of feature, as tables: where each piece is in the vectoriser's
    vocabulary, its rarity there, and its weight for each class (plain arrays of floats: a
    tuple of two floats per piece made most of the model's memory)."""

    analyse: Callable[[str], list[str]]
    index: dict[str, int]
    rarity: array
    weights: tuple[array, ...]  # one row a class (one in all for the yes-or-no risk model)

    def values(self, cleaned: str) -> list[tuple[float, int]]:
        """Each feature's TF-IDF value (sublinear counts, L2-normalised) and its place."""
        index, rarity = self.index, self.rarity
        counts = Counter(index[gram] for gram in self.analyse(cleaned) if gram in index)
        found = [((1.0 + math.log(count)) * rarity[i], i) for i, count in counts.items()]
        norm = math.sqrt(sum(value * value for value, _ in found))
        return [(value / norm, i) for value, i in found] if norm else []


@dataclass(frozen=True)
class _Linear:
    classes: tuple[str, ...]
    intercepts: tuple[float, ...]
    parts: tuple[_Part, ...]

    def scores(self, cleaned: str) -> list[float]:
        """The linear model's decision value for each row of weights."""
        totals = list(self.intercepts)
        for part in self.parts:
            found = part.values(cleaned)
            for row, weights in enumerate(part.weights):
                totals[row] += sum(value * weights[i] for value, i in found)
        return totals


def _floats(data: bytes) -> array:
    found = array("d")
    found.frombytes(data)
    return _little_endian(found)


@lru_cache(maxsize=2)
def _models(path: Path) -> dict[str, _Linear]:
    """The two models, read from their tables.

    scikit-learn's own predict_proba spends about ten milliseconds checking and converting a
    single sentence; the same numbers from the same tables take a fraction of a millisecond (a
    test compares them with scikit-learn's on a model it trains)."""
    models = {}
    with zipfile.ZipFile(path) as tables:
        meta = json.loads(tables.read("tables.json"))
        for name in MODELS:
            found = meta[name]
            rows = len(found["intercepts"])
            parts = []
            for number, settings in enumerate(found["parts"]):
                folder = f"{name}/{number}"
                words = tables.read(f"{folder}/vocabulary.txt").decode("utf-8").split("\n")
                size = settings["features"]
                assert len(words) == size, folder
                weights = _floats(tables.read(f"{folder}/weights.f64"))
                parts.append(
                    _Part(
                        _analyser(settings),
                        {word: i for i, word in enumerate(words)},
                        _floats(tables.read(f"{folder}/rarity.f64")),
                        tuple(weights[row * size : (row + 1) * size] for row in range(rows)),
                    )
                )
            models[name] = _Linear(
                tuple(found["classes"]), tuple(found["intercepts"]), tuple(parts)
            )
    return models


def load() -> None:
    """Load the model now (gunicorn does, before a worker's first request)."""
    _models(MODEL)  # as every caller asks for it: the cache is keyed on the arguments


def _probability(cleaned: str, path: Path = MODEL) -> float:
    (score,) = _models(path)["risky"].scores(cleaned)
    return 1.0 / (1.0 + math.exp(-score))


def probability(text: str) -> float:
    """How likely the model thinks it is that the text shows a child at risk (0 to 1)."""
    cleaned = features_text(text) if text else ""
    return _probability(cleaned) if cleaned else 0.0


# Where a sentence turns: stops and commas, and "but" in each language. A disclosure inside
# thanks ("thank you for listening, but I still cut myself") is read on its own.
_TURNS = re.compile(
    r"[.!?;,،؛\n]+|\s(?:but|ond|ale|lecz|jednak|bas|bs|lakin)\s|\s(?:بس|لكن|ولكن)\s",
    re.IGNORECASE,
)


def parts(text: str) -> list[str]:
    """The parts of a text between its turns, each of three words or more."""
    return [part for part in _TURNS.split(text or "") if words(part) >= 3]


def strongest(text: str) -> float:
    """The model's most worried reading of a text: the whole, or any part of it. The veto uses
    it, so good news around a disclosure never talks the model out of it."""
    found = [probability(text), *(probability(part) for part in parts(text))]
    return max(found)


def concept(text: str, path: Path = MODEL) -> str | None:
    """Which concept a risky text is most like (the model learnt from the risky sentences)."""
    cleaned = features_text(text) if text else ""
    if not cleaned:
        return None
    concepts = _models(path)["concepts"]
    scores = concepts.scores(cleaned)
    return concepts.classes[scores.index(max(scores))]
