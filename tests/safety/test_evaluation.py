"""Recall and false alarms on the labelled evaluation set (tests/safety/evaluation/).

The set is sentences written the way children, young people and adults write to us, in every
language the portal speaks: about 60% that must raise the flag and 40% that must not, with the
hard calm cases ("my brother beat me at FIFA"). `heldout_*.toml` was written before the lists
were rebuilt and never used to tune them; `tuning_*.toml` was; `blind_*.toml` is batches that
were each written before being run (their first-run figures are in the files), then fitted;
`fresh_*.toml` is batches the lists never saw, which the model learns from (its out-of-fold
figures on them are the honest estimate: tests/safety/test_model.py, `make bench`).
`make bench` prints the figures per part, language and concept.

A missed child is the worst failure, and a tracker full of false alarms teaches staff to ignore
the flag: this fails if recall drops below 97% or false alarms rise above 5%.
"""

from __future__ import annotations

import fcntl
import functools
import pickle
from pathlib import Path

import pytest

from portal.safety import evaluation, model
from portal.safety.matcher import LISTS, matching_lists

FOLDER = Path(__file__).parent / "evaluation"
LANGUAGES = ("ar", "cy", "en", "pl")


PIECES = 12


@pytest.fixture(scope="session")
def results(tmp_path_factory, pytestconfig) -> list[evaluation.Result]:
    """Every sentence scored once per test run (about 50 seconds for 23,500), not once per
    worker, and by every worker that needs them at the same time: the set is cut into pieces,
    each worker scores the pieces nobody has started (each under its own lock, left beside the
    run's other temporary files), then reads the ones others scored, waiting on their locks."""
    run = tmp_path_factory.getbasetemp()
    # Under xdist each worker's folder sits in this run's folder: share that one.
    shared = run.parent if hasattr(pytestconfig, "workerinput") else run
    sentences = evaluation.load(FOLDER)
    bounds = [len(sentences) * n // PIECES for n in range(PIECES + 1)]
    pieces: dict[int, list[evaluation.Result]] = {}
    with pytest.MonkeyPatch.context() as patch:
        # The model folds each sentence's words (features_text) for each question it is
        # asked: how many words, the whole, each part, the concept. That folding is a pure
        # function of the text, so while scoring it is done once a text (a sixth less
        # time); every answer is the same, and the cache goes when the scoring ends.
        patch.setattr(model, "features_text", functools.cache(model.features_text))
        for wait in (False, True):  # first the pieces free now, then those others are scoring
            for n in sorted(set(range(PIECES)) - pieces.keys()):
                found = _piece(
                    shared / f"safety-evaluation-{n}", wait, sentences[bounds[n] : bounds[n + 1]]
                )
                if found is not None:
                    pieces[n] = found
    return [result for n in range(PIECES) for result in pieces[n]]


def _piece(
    path: Path, wait: bool, sentences: list[evaluation.Sentence]
) -> list[evaluation.Result] | None:
    """One piece's results: read if scored, else scored here, under the piece's lock; None
    when another worker holds the lock and `wait` is false."""
    with path.with_suffix(".lock").open("w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            return None
        done = path.with_suffix(".pickle")
        if done.exists():
            return pickle.loads(done.read_bytes())  # noqa: S301 - written by this run
        scored = evaluation.score(sentences, matching_lists)
        done.write_bytes(pickle.dumps(scored))
        return scored


def test_the_set_is_big_enough_and_balanced(results):
    assert len(results) >= 400
    by_language = {lang: [r for r in results if r.sentence.language == lang] for lang in LANGUAGES}
    assert all(len(rows) >= 60 for rows in by_language.values()), {
        lang: len(rows) for lang, rows in by_language.items()
    }
    assert len(by_language["en"]) == max(len(rows) for rows in by_language.values())
    risky = sum(r.sentence.expect != evaluation.CALM for r in results) / len(results)
    # About 60% risky, as the issue asks; the batches of short answers and of thanks (two and
    # four calm to one risky, as those boxes are used) bring it down a little.
    assert 0.52 <= risky <= 0.68, risky
    assert {r.sentence.part for r in results} == set(evaluation.PARTS)


def test_every_sentence_names_a_known_concept(results):
    for r in results:
        assert r.sentence.expect in (*LISTS, evaluation.CALM), r.sentence
        assert r.sentence.text.strip(), r.sentence


def test_every_concept_and_language_is_covered(results):
    risky = [r for r in results if r.sentence.expect != evaluation.CALM]
    assert {r.sentence.expect for r in risky} == set(LISTS)
    for language in LANGUAGES:
        mine = [r for r in results if r.sentence.language == language]
        assert {r.sentence.expect for r in mine} == {*LISTS, evaluation.CALM}, language


def test_recall_is_at_least_97_percent(results):
    figures = evaluation.figures(results)
    missed = [m for m in evaluation.mistakes(results) if " calm: " not in m]
    assert figures.recall >= 0.97, "\n".join([f"recall {figures.recall:.1%}", *missed])


def test_false_alarms_are_at_most_5_percent(results):
    figures = evaluation.figures(results)
    alarms = [m for m in evaluation.mistakes(results) if " calm: " in m]
    assert figures.false_alarm_rate <= 0.05, "\n".join(
        [f"false alarms {figures.false_alarm_rate:.1%}", *alarms]
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_language_is_left_behind(results, language):
    """Each language on its own stays close to the bar (its sample is smaller)."""
    figures = evaluation.figures(r for r in results if r.sentence.language == language)
    assert figures.recall >= 0.93, (language, figures)
    assert figures.false_alarm_rate <= 0.10, (language, figures)


def test_the_report_has_a_line_per_part_language_and_concept(results):
    lines = evaluation.report(results)
    for label in [
        "heldout: everything",
        "tuning: en",
        "blind: ar",
        "blind: self_harm",
        "all: pl",
        "all: sexual_harm",
    ]:
        assert any(label in line for line in lines), label


@pytest.mark.parametrize("part", evaluation.PARTS)
def test_each_part_is_held_to_the_bar(results, part):
    """The blind batches were fitted after their first run: they must stay fitted."""
    figures = evaluation.figures(r for r in results if r.sentence.part == part)
    assert figures.recall >= 0.97, (part, figures)
    assert figures.false_alarm_rate <= 0.05, (part, figures)


def test_every_part_covers_every_language(results):
    for part in evaluation.PARTS:
        assert {r.sentence.language for r in results if r.sentence.part == part} == set(LANGUAGES)
