"""The safety model's second look (portal/safety/model.py): trained on the labelled sentences
as they are now, read from tables with the same numbers as scikit-learn's own, and only ever
adding a flag."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

from portal.safety import evaluation, matcher, model
from portal.safety.boundary import screen

FOLDER = Path(__file__).parent / "evaluation"
TRAINER = Path(__file__).resolve().parents[2] / "tools" / "train_safety_model.py"


@pytest.fixture(scope="module")
def sentences() -> list[evaluation.Sentence]:
    return evaluation.load(FOLDER)


def test_the_model_was_trained_on_the_labelled_sentences_as_they_are(sentences):
    facts = model.facts()
    assert facts["digest"] == evaluation.digest(sentences), (
        "tests/safety/evaluation changed: train the model again with "
        "`.venv/bin/python tools/train_safety_model.py`"
    )
    assert facts["sentences"] == len(sentences)


def _trainer():
    spec = importlib.util.spec_from_file_location("train_safety_model", TRAINER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_tables_give_scikit_learns_own_numbers(sentences, tmp_path):
    """The portal reads the model as tables, without scikit-learn. A model trained here as the
    trainer trains it (on one sentence in twenty: the tables' reading does not depend on how
    many were taught; training on a sixth took a minute of a test run), written as
    tables and read back, gives scikit-learn's own probability and concept for sentences it
    never saw, in every language."""
    trainer = _trainer()
    taught, tried = sentences[::20], sentences[1::25]
    texts = [model.features_text(s.text) for s in taught]
    risky = trainer.pipeline().fit(texts, [s.expect != evaluation.CALM for s in taught])
    named = [(t, s.expect) for t, s in zip(texts, taught, strict=True) if s.expect != "calm"]
    concepts = trainer.pipeline(multiclass=True).fit(*zip(*named, strict=True))
    tables = tmp_path / "tables.zip"
    model.save_tables(tables, {"risky": risky, "concepts": concepts})

    texts = [model.features_text(s.text) for s in tried]
    assert {s.language for s in tried} == {"ar", "cy", "en", "pl"}
    theirs = risky.predict_proba(texts)[:, 1]
    named_by_them = concepts.predict(texts)  # all at once: one by one took 1,000 calls
    for sentence, text, expected, concept in zip(tried, texts, theirs, named_by_them, strict=True):
        assert model._probability(text, tables) == pytest.approx(expected, abs=1e-9), text
        assert model.concept(sentence.text, tables) == concept, text
    assert model.concept("", tables) is None


def test_what_gunicorns_master_loads_is_what_every_answer_uses():
    """load() runs before the workers fork, so that they share the tables: a later reading
    must find them loaded, not read the file again into each worker's own memory."""
    model._models.cache_clear()
    model.load()
    loaded = model._models.cache_info().misses
    model.probability("my social worker never rings me back")
    model.concept("they make me sell weed")
    assert model._models.cache_info().misses == loaded


def test_the_portal_runs_the_model_without_scikit_learn_or_numpy():
    """A worker reads plain tables: scikit-learn (and numpy, scipy) are for training only."""
    script = (
        "import sys\n"
        "from portal import create_app\n"
        "from portal.safety import model\n"
        "assert model.probability('my uncle keeps asking me to send him pictures of me') > 0.5\n"
        "assert model.concept('they make me sell weed') == 'criminal_exploitation'\n"
        "heavy = sorted({'sklearn', 'numpy', 'scipy', 'joblib'} & set(sys.modules))\n"
        "assert not heavy, heavy\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr


def test_on_sentences_nobody_had_seen_lists_and_model_do_far_better_than_the_lists():
    """Out of fold on the fresh part (neither the lists nor that fold of the model had seen the
    sentence): recall far above the lists' alone in every language, fewer false alarms, and
    floors, so a worse model cannot be trained in unnoticed."""
    facts = model.facts()
    both = facts["figures"]["lists and model, fresh"]
    lists = facts["figures"]["lists alone, fresh"]
    assert both["all"]["caught"] / both["all"]["risky"] >= 0.92
    assert both["all"]["false_alarms"] / both["all"]["calm"] <= 0.07
    for language, f in both.items():
        mine = lists[language]
        assert f["caught"] / f["risky"] >= mine["caught"] / mine["risky"] + 0.1, language
        assert f["false_alarms"] / f["calm"] <= mine["false_alarms"] / mine["calm"], language
    assert 0.5 <= facts["threshold"] <= 0.95
    assert 0.0 <= facts["veto"] < facts["threshold"]
    assert facts["threshold"] <= facts["set_aside"]
    assert 0.0 <= facts["short_veto"] <= facts["veto"]


@pytest.mark.parametrize(
    "text",
    [
        "thank you for listening, but I still cut myself most nights when I feel bad",
        "my key worker is lovely but a man online keeps asking me to send naked pictures",
        "Diolch am wrando, ond dw i'n dal i dorri fy hun bron bob nos.",
        "Dziękuję za wysłuchanie, ale dalej prawie co noc się tnę.",
    ],
)
def test_good_news_around_a_disclosure_never_talks_the_model_out_of_it(text):
    assert matcher.list_matches(text)
    assert matcher.matching_lists(text) == matcher.list_matches(text)


def test_every_part_and_language_is_reported():
    figures = model.facts()["figures"]
    for name in ("model alone", "lists alone", "lists and model"):
        for part in ("fresh", "everything"):
            assert set(figures[f"{name}, {part}"]) == {"all", "ar", "cy", "en", "pl"}


def test_the_lists_concept_stands_unless_the_model_is_all_but_certain_it_is_calm(monkeypatch):
    text = "my stepdad hits me with his belt"
    assert matcher.list_matches(text) == ["harm_from_others"]
    veto = model.facts()["veto"]
    monkeypatch.setattr(model, "concept", lambda _text: pytest.fail("the lists had found it"))
    monkeypatch.setattr(model, "probability", lambda _text: veto)
    assert matcher.matching_lists(text) == ["harm_from_others"]
    monkeypatch.setattr(model, "probability", lambda _text: veto - 0.001)
    assert matcher.matching_lists(text) == []


def test_a_short_texts_flag_stands_unless_the_model_is_surer_still(monkeypatch):
    text = "he hit me again"  # four words: the model reads it, but may not use the long veto
    assert matcher.list_matches(text) == ["harm_from_others"]
    assert not model.may_overrule(text)
    assert matcher.matching_lists(text) == ["harm_from_others"]  # the real model agrees
    short_veto = model.facts()["short_veto"]
    monkeypatch.setattr(model, "strongest", lambda _text: short_veto)
    assert matcher.matching_lists(text) == ["harm_from_others"]
    monkeypatch.setattr(model, "strongest", lambda _text: short_veto - 0.001)
    assert matcher.matching_lists(text) == ([] if short_veto > 0 else ["harm_from_others"])


def test_three_words_are_left_to_the_lists(monkeypatch):
    monkeypatch.setattr(model, "strongest", lambda _text: pytest.fail("too few words to read"))
    monkeypatch.setattr(model, "probability", lambda _text: pytest.fail("too few words to read"))
    assert matcher.matching_lists("stop hitting me") == ["harm_from_others"]


def test_when_the_lists_find_nothing_the_model_flags_only_above_its_threshold(monkeypatch):
    text = "the meeting is on tuesday"
    assert matcher.list_matches(text) == []
    threshold = model.facts()["threshold"]
    monkeypatch.setattr(model, "concept", lambda _text: "neglect")
    monkeypatch.setattr(model, "probability", lambda _text: threshold)
    assert matcher.matching_lists(text) == ["neglect"]
    monkeypatch.setattr(model, "probability", lambda _text: threshold - 0.001)
    assert matcher.matching_lists(text) == []


def test_a_calm_pattern_that_set_words_aside_is_overruled_only_by_a_surer_model(monkeypatch):
    text = "my brother beat me at FIFA again"
    assert matcher.compiled().read(text) == ([], True)
    assert matcher.matching_lists(text) == []  # the real model agrees with the calm pattern
    facts = model.facts()
    monkeypatch.setattr(model, "concept", lambda _text: "harm_from_others")
    monkeypatch.setattr(model, "probability", lambda _text: facts["set_aside"] - 0.001)
    assert matcher.matching_lists(text) == []
    monkeypatch.setattr(model, "probability", lambda _text: facts["set_aside"])
    assert matcher.matching_lists(text) == ["harm_from_others"]


def test_the_concept_model_names_one_of_the_concepts():
    for text in ("he hits me", "i want to die", "no food at home", "they make me sell weed"):
        assert model.concept(text) in matcher.LISTS


def test_nothing_typed_is_nothing_found():
    for text in ("", "   ", "\n\t", "!!!", "😂😂", "1234", "ok"):
        assert model.probability(text) < model.facts()["threshold"], text
        assert screen(text).risks == (), text
    for text in ("", "   ", "!!!"):
        assert model.probability(text) == 0.0
        assert model.concept(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "My social worker keeps cancelling our meetings and never rings me back.",
        "nobody told me my placement was ending",
        "can i have more pocket money please",
        "mój pracownik socjalny ciągle odwołuje spotkania",
        "does neb yn gwrando arna i yn y cyfarfodydd",
        "الاخصائية الاجتماعية ما بترد على تلفوني",
    ],
)
def test_everyday_complaints_are_left_alone(text):
    assert matcher.matching_lists(text) == []


def test_a_few_words_are_left_to_the_lists(monkeypatch):
    """With so little to go on the model is sure of the wrong things (a reason to withdraw,
    "please stop now", read as danger); the lists catch almost every short risky answer."""
    monkeypatch.setattr(model, "probability", lambda _text: pytest.fail("the model was asked"))
    for text in ("stop", "Please stop now", "no thank you", "it's sorted now"):
        assert matcher.matching_lists(text) == [], text
    assert matcher.matching_lists("he hits me") == ["harm_from_others"]
    assert matcher.matching_lists("kms") == ["self_harm"]
