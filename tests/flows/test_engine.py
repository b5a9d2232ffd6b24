"""Routing through the complaint journey, tested with tables of answers and no HTTP."""

from __future__ import annotations

import itertools
import random

import pytest

from portal.flows import engine
from portal.flows.complaint import COMPLAINT
from portal.flows.model import CHOICE_KINDS, Go, Journey, Kind, Step, say
from portal.flows.present import describe
from portal.types import Voice

BASE = {
    "who": "self",
    "self_status": "looked_after",
    "age": "12_15",
    "topics": ["home"],
    "what_happened": "x",
    "when": "this_month",
    "court_police": "no",
    "outcome": ["sorry"],
    "outcome_words": "",
    "advocate": "no",
    "contact": "link_only",
    "name": "",
    "records": "",
    # Asked only of someone speaking for a young person (optional; "" when skipped).
    "child_name": "",
}


def without(*keys: str, **changes) -> dict:
    answers = {k: v for k, v in BASE.items() if k not in keys}
    answers.update(changes)
    return answers


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        pytest.param({}, "who", id="nothing_yet"),
        pytest.param({"who": "self"}, "self_status", id="after_who_self"),
        pytest.param({"who": "parent_carer"}, "adult_role", id="after_who_parent_carer"),
        pytest.param({"who": "someone_else"}, "other_role", id="after_who_someone_else"),
        pytest.param({"who": "advocate"}, "advocate_name", id="after_who_advocate"),
        pytest.param({"who": "young_helper"}, "child_name", id="after_who_young_helper"),
        pytest.param(
            {"who": "young_helper", "child_name": ""}, "age", id="their_name_may_be_skipped"
        ),
        pytest.param(
            {
                "who": "advocate",
                "advocate_name": "Sam",
                "advocate_organisation": "Advocacy",
                "advocate_email": "sam@advocacy.example.org",
                "advocate_phone": "",
            },
            "child_name",
            id="an_advocate_is_asked_the_young_persons_name",
        ),
        pytest.param(without(topics=["elsewhere"]), "elsewhere", id="elsewhere_asks_where"),
        pytest.param(
            without(topics=["elsewhere"], elsewhere=["school"]),
            "signpost",
            id="elsewhere_leads_to_a_signpost",
        ),
        pytest.param(without(topics=["not_safe"]), "signpost", id="not_safe_leads_to_help"),
        pytest.param(
            without(who="parent_carer", adult_role="parent"),
            "parental_responsibility",
            id="parent_is_asked_about_parental_responsibility",
        ),
        pytest.param(
            without(who="parent_carer", adult_role="foster_carer"),
            "complaint_for",
            id="foster_carer_is_asked_who_it_is_for",
        ),
        pytest.param(
            without(who="parent_carer", adult_role="foster_carer", complaint_for="child"),
            "consent",
            id="foster_carer_for_a_child_is_asked_about_consent",
        ),
        pytest.param(
            without(
                age="over_25",
                who="parent_carer",
                adult_role="foster_carer",
                complaint_for="child",
                consent="knows_agrees",
            ),
            "age",
            id="over_25_is_only_offered_to_young_people_themselves",
        ),
        pytest.param(
            without(who="parent_carer", adult_role="parent", parental_responsibility="yes"),
            "consent",
            id="a_parent_is_not_asked_who_it_is_for",
        ),
        pytest.param(
            without("topic_other", topics=["other"]), "topic_other", id="something_else_asks_what"
        ),
        pytest.param(without("what_happened"), "what_happened", id="gap_in_the_middle"),
        pytest.param(
            without("advocate_more", advocate="more"),
            "advocate_more",
            id="tell_me_more_about_advocates",
        ),
        pytest.param(without(contact="email"), "email", id="email_asks_for_address"),
        pytest.param(without(contact="text"), "phone", id="text_asks_for_number"),
        pytest.param(without(contact="advocate"), None, id="through_advocate_needs_no_address"),
        pytest.param(BASE, None, id="all_answered"),
        pytest.param(without(who="not-a-choice"), "who", id="stale_answer_is_asked_again"),
        pytest.param(without(topics=[]), "topics", id="empty_multi_choice_is_not_an_answer"),
    ],
)
def test_current_step(answers, expected):
    step = engine.current_step(COMPLAINT, answers)
    assert (step.id if step else None) == expected


@pytest.mark.parametrize(
    ("answers", "step_id", "expected"),
    [
        pytest.param(BASE, "topics", "what_happened", id="topic_other_skipped"),
        pytest.param(
            without(topics=["other"], topic_other="bus"),
            "topics",
            "topic_other",
            id="topic_other_shown",
        ),
        pytest.param(BASE, "advocate", "contact", id="advocate_no_goes_to_contact"),
        pytest.param(without(advocate="more"), "advocate", "advocate_more", id="advocate_more"),
        pytest.param(
            without(advocate="more", advocate_more="yes"),
            "advocate_more",
            "contact",
            id="after_more_to_contact",
        ),
        pytest.param(without(contact="email", email="a@b.co"), "contact", "email", id="email"),
        pytest.param(
            without(contact="email", email="a@b.co"),
            "email",
            "contact_safe",
            id="after_email_is_it_safe",
        ),
        pytest.param(
            without(contact="email", email="a@b.co", contact_safe="no"),
            "contact_safe",
            "name",
            id="after_is_it_safe_to_name",
        ),
        pytest.param(BASE, "records", None, id="records_is_last"),
    ],
)
def test_step_after(answers, step_id, expected):
    step = engine.step_after(COMPLAINT, answers, step_id)
    assert (step.id if step else None) == expected


def test_step_before_follows_the_path_not_the_declaration_order():
    answers = without(contact="text", phone="07700900123")
    assert engine.step_before(COMPLAINT, answers, "phone").id == "contact"
    assert engine.step_before(COMPLAINT, answers, "contact_safe").id == "phone"
    assert engine.step_before(COMPLAINT, answers, "name").id == "contact_safe"
    assert engine.step_before(COMPLAINT, BASE, "name").id == "contact"
    assert engine.step_before(COMPLAINT, BASE, "who") is None


def test_answers_to_skipped_steps_are_left_out():
    answers = {**BASE, "email": "old@example.com", "topic_other": "bus"}
    kept = {s.id for s, _ in engine.answered_path(COMPLAINT, answers)}
    assert "email" not in kept and "topic_other" not in kept
    assert kept == set(BASE) - {"child_name"}, "a young person is not asked for their own name"


def test_choices_offered_depend_on_who_is_asking():
    topics = COMPLAINT.get("topics")
    child = [c.value for c in topics.choices_for(COMPLAINT.state(BASE))]
    foster = [
        c.value
        for c in topics.choices_for(
            COMPLAINT.state(without(who="parent_carer", adult_role="foster_carer"))
        )
    ]
    assert "adult_treated" not in child and "carer_approval" not in child
    assert "adult_treated" in foster and "carer_approval" in foster and "court_report" in foster


def test_reachability_guards_skipping_ahead():
    assert engine.is_reachable(COMPLAINT, {}, "who")
    assert not engine.is_reachable(COMPLAINT, {}, "contact")
    assert not engine.is_reachable(COMPLAINT, BASE, "email")  # not on this person's path
    assert engine.is_reachable(COMPLAINT, BASE, "records")


def test_progress_counts_the_path_this_person_will_see():
    assert engine.progress(COMPLAINT, {}, "who") == engine.Progress(1, 12)
    longer = without(
        topics=["other"],
        topic_other="bus",
        advocate="more",
        advocate_more="no",
        contact="email",
        email="a@b.co",
    )
    assert engine.progress(COMPLAINT, longer, "email") == engine.Progress(14, 17)


def _answers_for(step: Step) -> list:
    """A few answers per step that between them take every route."""
    if step.kind == Kind.MULTI:
        return [[c.value] for c in step.choices]
    if step.kind in CHOICE_KINDS:
        return [c.value for c in step.choices]
    if step.kind == Kind.DATE:
        return ["2025-03-27"]
    return ["words"] + ([""] if not step.required else [])


def _complete(journey: Journey, answers: dict, pick) -> dict:
    """Answer every question still waiting, choosing each answer with `pick`."""
    answers = dict(answers)
    while (waiting := engine.current_step(journey, answers)) is not None:
        answers[waiting.id] = pick(_answers_for(waiting))
    return answers


def _every_route(journey: Journey) -> list[list[Step]]:
    """Routes that try every answer of every step at least once, plus seeded random routes.

    All combinations would be millions of routes. Varying one answer at a time from a set of
    base routes reaches every branch; the random routes mix the branches together.
    """
    rng = random.Random(2026)
    bases = [_complete(journey, {}, lambda options: options[0])]
    bases += [_complete(journey, {}, rng.choice) for _ in range(40)]
    routes = []
    for answers in bases:
        route = engine.path(journey, answers)
        routes.append(route)
        for index, step in enumerate(route):
            for option in _answers_for(step):
                varied = {s.id: answers[s.id] for s in route[:index]} | {step.id: option}
                routes.append(engine.path(journey, _complete(journey, varied, rng.choice)))
    return routes


def test_every_step_is_reachable_and_every_route_ends():
    routes = _every_route(COMPLAINT)
    seen = {s.id for route in routes for s in route}
    assert seen == {s.id for s in COMPLAINT.steps}
    for route in routes:
        last = route[-1]
        assert last.next == Go.END or engine.destination(COMPLAINT, last, None) is None
        assert len(route) == len({s.id for s in route}), "a route visits a step twice"


def test_every_step_has_wording_for_both_voices_and_an_error_for_required_questions():
    for step, voice in itertools.product(COMPLAINT.steps, Voice):
        assert str(say(step.prompt, voice)).strip()
        for choice in step.choices:
            assert str(say(choice.label, voice)).strip()
        if step.required:
            assert "required" in step.errors, f"{step.id} needs a plain 'required' message"


def test_adult_wording_differs_where_it_should():
    age = COMPLAINT.get("age")
    assert str(say(age.prompt, Voice.SELF)) == "How old are you?"
    assert str(say(age.prompt, Voice.OTHER)) == "How old is the young person?"
    assert engine.path(COMPLAINT, {"who": "parent_carer"})[0].id == "who"
    assert COMPLAINT.state({"who": "parent_carer"}).voice == Voice.OTHER
    assert COMPLAINT.state({}).voice == Voice.SELF


def test_describe_gives_the_words_that_were_picked():
    topics = COMPLAINT.get("topics")
    assert [str(x) for x in describe(topics, ["home", "money"], Voice.SELF)] == [
        "Where I live",
        "Money",
    ]
    assert [str(x) for x in describe(topics, ["home"], Voice.OTHER)] == ["Where they live"]
    assert describe(COMPLAINT.get("name"), "", Voice.SELF) == []


def test_a_journey_that_leads_nowhere_is_refused():
    with pytest.raises(ValueError, match="unknown steps"):
        Journey(id="broken", steps=(Step("a", Kind.SHORT_TEXT, "A?", next="nowhere"),), state=dict)
    with pytest.raises(ValueError, match="repeats"):
        Journey(
            id="twice",
            steps=(Step("a", Kind.SHORT_TEXT, "A?"), Step("a", Kind.SHORT_TEXT, "A?")),
            state=dict,
        )


def test_stored_answers_are_checked_against_the_step():
    name = COMPLAINT.get("name")
    what = COMPLAINT.get("what_happened")
    assert engine.is_valid(name, "")
    assert not engine.is_valid(what, "")
    assert not engine.is_valid(what, "x" * (what.max_length + 1))
    assert not engine.is_valid(what, ["not", "text"])
    assert not engine.is_valid(COMPLAINT.get("topics"), ["home", "made-up"])


def test_tell_me_more_is_not_shown_back_as_an_answer():
    answers = without(advocate="more", advocate_more="yes")
    shown = [s.id for s, _ in engine.summary(COMPLAINT, answers)]
    assert "advocate" not in shown and "advocate_more" in shown
    assert "advocate" in [s.id for s in engine.path(COMPLAINT, answers)]


def test_every_open_question_has_an_example_under_it():
    from portal.flows import JOURNEYS
    from portal.flows.model import TEXT_KINDS

    for journey in JOURNEYS.values():
        for step in journey.steps:
            if step.kind in TEXT_KINDS:
                assert step.examples, f"{step.id} needs an example (easy read)"


def _same_walk(kept: engine.Walk, made: engine.Walk) -> None:
    assert kept.steps == made.steps
    assert kept.current is made.current
    assert kept.answered() == made.answered()
    assert [kept.progress(s.id) for s in made.steps] == [made.progress(s.id) for s in made.steps]
    assert [kept.is_reachable(s.id) for s in made.steps] == [
        made.is_reachable(s.id) for s in made.steps
    ]


def test_a_kept_walk_is_the_walk_and_never_holds_typed_words(monkeypatch):
    monkeypatch.setattr(engine, "_WALKS", {})
    rng = random.Random(7)
    typed = 0
    for _ in range(60):
        answers = _complete(COMPLAINT, {}, rng.choice)
        for cut in range(len(answers) + 1):
            prefix = dict(list(answers.items())[:cut])
            _same_walk(engine.walk(COMPLAINT, prefix), engine.Walk(COMPLAINT, prefix))
            chosen = all(COMPLAINT.get(k).kind in CHOICE_KINDS for k in prefix)
            typed += not chosen
            again = engine.walk(COMPLAINT, dict(prefix))
            assert (again is engine.walk(COMPLAINT, prefix)) == chosen, "kept only for choices"
    assert typed, "some walks had typed answers"
    for key, kept in engine._WALKS.items():
        assert all(COMPLAINT.get(k).kind in CHOICE_KINDS for k, _ in key[1:])
        assert all(COMPLAINT.get(k).kind in CHOICE_KINDS for k in kept.answers)


def test_a_kept_walk_has_its_own_answers(monkeypatch):
    monkeypatch.setattr(engine, "_WALKS", {})
    answers = {"who": "self", "self_status": "looked_after"}
    first = engine.walk(COMPLAINT, answers)
    assert first.answers == answers and first.answers is not answers
    answers["who"] = "parent_carer"  # the caller's dict changes later: the kept walk does not
    assert engine.walk(COMPLAINT, {"who": "self", "self_status": "looked_after"}) is first
    assert first.answers["who"] == "self"


def test_kept_walks_are_bounded(monkeypatch):
    monkeypatch.setattr(engine, "_WALKS", {})
    monkeypatch.setattr(engine, "WALKS_KEPT", 3)
    for value in ("self", "parent_carer", "someone_else", "advocate", "young_helper"):
        engine.walk(COMPLAINT, {"who": value})
        assert len(engine._WALKS) <= 3
