"""Train the safety model's second look (portal/safety/model.py) from the labelled sentences:

    .venv/bin/python tools/train_safety_model.py

Reads every sentence in tests/safety/evaluation/, and writes
portal/safety/model/risk.tables.zip (the two models, as the tables the portal reads without
scikit-learn; it checks they give scikit-learn's own numbers) and risk.json (the threshold, the
figures and a digest of the sentences; a test fails when the sentences change and this was not
run again). Takes about two minutes.

The cut-offs are chosen honestly, on the `fresh` part of the set: batches written after the
lists were last fitted and never used to change them. Each sentence is scored by a model
trained on the other four fifths of the whole set (5-fold cross-validation), so on the fresh
part neither the lists nor the model had seen the sentence: the figures there are the estimate
for what nobody has written yet. There are four:
- the threshold: with nothing from the lists, the model flags at or above it;
- the veto: when the model's most worried reading of a text of seven words or more, whole or
  any part of it, is below it, the model overrules the lists (a story, a game, a joke the lists
  have no calm pattern for); never above 0.4;
- the short veto, the same for a text of four to six words ("cut my finger chopping onions"),
  never above the veto nor 0.1: the model must be surer where there is less to go on;
- set aside: where a calm pattern set words aside ("he beat me at FIFA"), the model flags only
  at or above it, never below the threshold (a calm pattern is a person's judgement).
They are the ones that catch the most risky sentences on the fresh part while false alarms
stay within FALSE_ALARM_BUDGET, and no veto may talk a canonical phrase of the tests
(tests/safety/test_matcher.py, CANONICAL: "he said he is gonna kill me") out of its flag. The
figures recorded are those out-of-fold ones, beside the lists' own, for the fresh part and for
everything.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np
import sklearn
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline, make_union

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from portal.safety import evaluation, model  # noqa: E402
from portal.safety.matcher import LISTS, compiled  # noqa: E402
from tests.safety.test_matcher import CANONICAL  # noqa: E402

SENTENCES = ROOT / "tests" / "safety" / "evaluation"
# A veto means the model is sure enough that a text the lists matched is calm: at a veto of 0.5
# a plain "he said he is gonna kill me" (a coin flip to the model, which has read many a "mum's
# gonna kill me") was talked out of its flag. Between 0.4 and 0.45 it is still not sure enough:
# out of fold on the fresh part, 23 of the 64 list matches the model read there were risky, and
# in the 27th round (a tester's mix in four languages) all 3 were ("I wrote a letter to my sister
# for when im gone"; a coach touching a child in the shower), while no calm one fell there. So
# the veto stays at 0.4 or under, and for four to six words, where there is less to go on, the
# model must be nine tenths sure.
VETOES = [round(0.05 * i, 2) for i in range(9)]  # 0 to 0.4, always below the threshold
SHORT_VETOES = [0.0, 0.05, 0.1]
THRESHOLDS = [round(0.50 + 0.025 * i, 3) for i in range(19)]  # 0.50 to 0.95
NEVER = 1.01  # a cut-off no probability reaches
# The cut-offs catch as many risky sentences as they can while false alarms stay within this,
# a margin under the 5% the service promises: a missed child is the worst failure, and a
# tracker full of false alarms teaches staff to ignore the flag.
FALSE_ALARM_BUDGET = 0.045
SEED = 2026


def pipeline(multiclass: bool = False):
    """Pieces of words (2-5 letters, inside word edges) and words and word pairs, weighted by
    how rare they are, into a logistic regression."""
    return make_pipeline(
        make_union(
            TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True),
            TfidfVectorizer(
                analyzer="word",
                ngram_range=(1, 2),
                min_df=2,
                sublinear_tf=True,
                token_pattern=r"\S+",  # noqa: S106 - the words, not a password
            ),
        ),
        LogisticRegression(C=10, max_iter=5000, class_weight="balanced"),
    )


def canonical_caps(fitted) -> tuple[float, float]:
    """The highest veto and short veto under which every canonical phrase the lists flag keeps
    its flag: the model's most worried reading of each (whole, or any part) must reach them."""
    caps = {True: 1.0, False: 1.0}
    for param in CANONICAL:
        text = param.values[0]
        if not compiled().read(text)[0] or not model.reads(text):
            continue
        pieces = [text, *model.parts(text)]
        worry = fitted.predict_proba([model.features_text(p) for p in pieces])[:, 1].max()
        long = model.may_overrule(text)
        caps[long] = min(caps[long], float(worry))
    return caps[True], caps[False]


def figures(flagged: np.ndarray, risky: np.ndarray) -> dict:
    return {
        "risky": int(risky.sum()),
        "caught": int((flagged & risky).sum()),
        "calm": int((~risky).sum()),
        "false_alarms": int((flagged & ~risky).sum()),
    }


def main() -> None:
    start = time.perf_counter()
    sentences = evaluation.load(SENTENCES)
    texts = [model.features_text(s.text) for s in sentences]
    risky = np.array([s.expect != evaluation.CALM for s in sentences])
    languages = np.array([s.language for s in sentences])
    readings = [compiled().read(s.text) for s in sentences]
    lists = np.array([bool(found) for found, _ in readings])
    calmed = np.array([calm for _, calm in readings])  # a calm pattern set words aside
    asked = np.array([model.reads(s.text) for s in sentences])  # enough words for the model
    long = np.array([model.may_overrule(s.text) for s in sentences])  # enough to overrule

    # Out of fold: each sentence (and each part of it, for the veto) is read by a model that
    # was trained without it.
    out_of_fold, strongest = np.zeros(len(sentences)), np.zeros(len(sentences))
    folds = StratifiedKFold(5, shuffle=True, random_state=SEED)
    for trained_on, scored in folds.split(texts, risky):
        fold = pipeline().fit([texts[i] for i in trained_on], risky[trained_on])
        out_of_fold[scored] = fold.predict_proba([texts[i] for i in scored])[:, 1]
        for i in scored:
            pieces = [model.features_text(part) for part in model.parts(sentences[i].text)]
            found = fold.predict_proba(pieces)[:, 1].max() if pieces else 0.0
            strongest[i] = max(out_of_fold[i], found)
    fresh = np.array([s.part == "fresh" for s in sentences])

    def both(threshold: float, veto: float, set_aside: float, short_veto: float) -> np.ndarray:
        believed = lists & (~asked | (strongest >= np.where(long, veto, short_veto)))
        unseen = ~lists & ~calmed & asked & (out_of_fold >= threshold)
        return believed | unseen | (~lists & calmed & asked & (out_of_fold >= set_aside))

    def on_fresh(cut: tuple[float, float, float, float]) -> tuple[float, float]:
        flagged = both(*cut)[fresh]
        return flagged[risky[fresh]].mean(), flagged[~risky[fresh]].mean()

    # The model that will be kept, and how worried it is by each canonical phrase the lists
    # flag (tests/safety/test_matcher.py): no veto may talk one of them out of its flag.
    risky_model = pipeline().fit(texts, risky)
    long_cap, short_cap = canonical_caps(risky_model)
    scored = [
        (cut, *on_fresh(cut))
        for cut in (
            (t, v, c, short)
            for t in THRESHOLDS
            for v in VETOES
            if v < t and v <= long_cap
            for c in [*THRESHOLDS, NEVER]
            if c >= t
            for short in SHORT_VETOES
            if short <= v and short <= short_cap
        )
    ]
    within = [s for s in scored if s[2] <= FALSE_ALARM_BUDGET] or [min(scored, key=lambda s: s[2])]
    best = max(within, key=lambda s: (s[1], -s[2]))[0]
    threshold, veto, set_aside, short_veto = best
    union = both(*best)
    report: dict[str, dict[str, dict]] = {}
    for part, chosen in (("fresh", fresh), ("everything", np.ones_like(fresh))):
        for name, flagged in (
            ("model alone", asked & (out_of_fold >= threshold)),
            ("lists alone", lists),
            ("lists and model", union),
        ):
            rows = report.setdefault(f"{name}, {part}", {})
            rows["all"] = figures(flagged[chosen], risky[chosen])
            for language in sorted(set(languages)):
                mine = chosen & (languages == language)
                rows[language] = figures(flagged[mine], risky[mine])

    chosen = [i for i, s in enumerate(sentences) if s.expect != evaluation.CALM]
    concepts = pipeline(multiclass=True).fit(
        [texts[i] for i in chosen], [sentences[i].expect for i in chosen]
    )
    assert set(concepts.classes_) == set(LISTS), concepts.classes_
    model.FOLDER.mkdir(exist_ok=True)
    # The portal reads the tables, not these models: the same numbers, or nothing is kept.
    written = model.MODEL.with_suffix(".new")
    model.save_tables(written, {"risky": risky_model, "concepts": concepts})
    ours = np.array([model._probability(text, written) for text in texts])
    assert np.allclose(ours, risky_model.predict_proba(texts)[:, 1], rtol=0, atol=1e-9)
    named = [model.concept(sentences[i].text, written) for i in chosen]
    assert named == list(concepts.predict([texts[i] for i in chosen]))
    written.replace(model.MODEL)
    facts = {
        "threshold": threshold,
        "veto": veto,
        "set_aside": set_aside,
        "short_veto": short_veto,
        "sentences": len(sentences),
        "digest": evaluation.digest(sentences),
        "scikit_learn": sklearn.__version__,
        "figures": report,
    }
    model.FACTS.write_text(json.dumps(facts, indent=1) + "\n", encoding="utf-8")
    for name, rows in report.items():
        for language, f in rows.items():
            print(
                f"{name:<28} {language:<4} recall {f['caught'] / f['risky']:6.1%} "
                f"false alarms {f['false_alarms'] / f['calm']:5.1%}"
            )
    took = time.perf_counter() - start
    print(
        f"threshold {threshold}, veto {veto}, set aside {set_aside}, short veto {short_veto}; "
        f"{len(sentences):,} sentences; {took:.0f} s"
    )


if __name__ == "__main__":
    main()
