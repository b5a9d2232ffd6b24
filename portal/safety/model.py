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
something in a text long enough to tell, the flag stands unless the model is sure that the
text and every part of it are calm (the "veto": a story, a game or a lesson the lists have no
calm pattern for yet, which would otherwise put a calm complaint at the top of the tracker;
reading the parts means thanks around a disclosure never talk it out of one). For a few words,
or where a calm pattern knowingly set words aside, the lists decide alone. Both cut-offs are
chosen when it is trained (`tools/train_safety_model.py`), out of fold, on the batches the
lists never saw: the pair with the best recall less false alarms. The figures are kept beside
it in `model/risk.json` and printed by `make bench`; a person reads every complaint either way.

The trained model is a file in the repository (`model/risk.joblib`), never trained or
downloaded at run time; a test fails when the labelled sentences change and it was not
trained again.
"""

from __future__ import annotations

import json
import math
import re
from array import array
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

FOLDER = Path(__file__).parent / "model"
MODEL = FOLDER / "risk.joblib"
FACTS = FOLDER / "risk.json"


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


@lru_cache(maxsize=1)
def _models():
    import joblib  # scikit-learn's own persistence; the file is ours, made by the trainer

    return joblib.load(MODEL)


@dataclass(frozen=True)
class _Part:
    """One of the model's two kinds of feature, as tables: where each piece is in the
    vectoriser's own vocabulary, and its rarity and weight there (plain arrays of floats: a
    tuple of two floats per piece made most of the model's memory)."""

    analyse: Callable[[str], list[str]]
    index: dict[str, int]
    rarity: array
    weight: array


def _floats(values) -> array:
    found = array("d")
    found.frombytes(values.astype("float64").tobytes())
    return found


@lru_cache(maxsize=1)
def _scorer() -> tuple[tuple[_Part, ...], float]:
    """The risk model as tables, read from the trained scikit-learn pipeline.

    scikit-learn's own predict_proba spends about ten milliseconds checking and converting a
    single sentence; this computes the same number (a test compares them on every labelled
    sentence) from the same analysers, rarities and weights in a fraction of a millisecond."""
    risky, _ = _models()
    union, regression = risky[0], risky[-1]
    weights, offset, parts = regression.coef_[0], 0, []
    for _, vectoriser in union.transformer_list:
        assert vectoriser.sublinear_tf and vectoriser.norm == "l2" and vectoriser.use_idf
        vocabulary = vectoriser.vocabulary_
        size = len(vocabulary)
        parts.append(
            _Part(
                vectoriser.build_analyzer(),
                vocabulary,
                _floats(vectoriser.idf_),
                _floats(weights[offset : offset + size]),
            )
        )
        offset += size
    return tuple(parts), float(regression.intercept_[0])


def load() -> None:
    """Load the model now (gunicorn does, before a worker's first request)."""
    _scorer()


def _probability(cleaned: str) -> float:
    parts, score = _scorer()
    for part in parts:
        index, rarity, weight = part.index, part.rarity, part.weight
        counts = Counter(index[gram] for gram in part.analyse(cleaned) if gram in index)
        values = [((1.0 + math.log(count)) * rarity[i], weight[i]) for i, count in counts.items()]
        norm = math.sqrt(sum(value * value for value, _ in values))
        if norm:
            score += sum(value * w for value, w in values) / norm
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


def concept(text: str) -> str | None:
    """Which concept a risky text is most like (the model learnt from the risky sentences)."""
    cleaned = features_text(text) if text else ""
    if not cleaned:
        return None
    _, concepts = _models()
    return str(concepts.predict([cleaned])[0])
