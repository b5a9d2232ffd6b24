"""Consent when an advocate or another adult acts for a child: all four states of the reference
(knows and agrees; does not know yet; does not agree; too young or unable to say), each with its
decision, its flag for staff and its plain words. No HTTP."""

from __future__ import annotations

import pytest

from portal.flows import engine, rules
from portal.flows.complaint import COMPLAINT
from portal.flows.model import TEXT_KINDS, Kind
from portal.flows.state import ComplaintState
from portal.types import Consent, Eligibility
from tests.flows.test_rules import PERSONAS, SETTINGS

ADVOCATE = {"who": "advocate"}
# Everything else on an advocate's route, so the path can be walked to the end.
REST = {
    "advocate_name": "Sam Patel",
    "advocate_organisation": "Local Advocacy Service",
    "advocate_email": "sam@advocacy.example.org",
    "advocate_phone": "",
    "child_name": "",
    "age": "under_12",
    "topics": ["family"],
    "what_happened": "Contact with mum keeps being cancelled.",
    "when": "this_month",
    "court_police": "no",
    "outcome": ["change"],
    "outcome_words": "",
    "records": "",
}


def _state(**answers) -> ComplaintState:
    return ComplaintState(answers)


def _said(decision: rules.Decision, st: ComplaintState) -> str:
    return decision.explain(st.voice, SETTINGS)


@pytest.mark.parametrize(
    ("answer", "consent", "eligible", "flagged", "consent_says", "eligibility_says"),
    [
        pytest.param(
            "yes",
            Consent.KNOWS_AND_AGREES,
            Eligibility.AS_OF_RIGHT,
            False,
            "because the young person asked you to",
            "when a young person asks them to",
            id="advocate_on_instructions_knows_and_agrees",
        ),
        pytest.param(
            "not_yet",
            Consent.DOES_NOT_KNOW_YET,
            Eligibility.DECISION_NEEDED,
            True,
            "may talk to the young person",
            "usually acts when a young person asks",
            id="advocate_child_does_not_know_yet",
        ),
        pytest.param(
            "disagrees",
            Consent.DOES_NOT_AGREE,
            Eligibility.DECISION_NEEDED,
            True,
            "think about their privacy",
            "This young person does not agree",
            id="advocate_child_does_not_agree",
        ),
        pytest.param(
            "cannot_say",
            Consent.TOO_YOUNG_OR_UNABLE,
            Eligibility.DECISION_NEEDED,
            True,
            "how you tried to hear their view",
            "cannot say what they want",
            id="advocate_child_too_young_or_unable_to_say",
        ),
    ],
)
def test_an_advocate_can_record_each_of_the_four_consent_states(
    answer, consent, eligible, flagged, consent_says, eligibility_says
):
    st = _state(**ADVOCATE, child_asked=answer)
    decided = rules.consent(st)
    assert (decided.value, decided.needs_a_person) == (consent, flagged)
    assert consent_says in _said(decided, st)
    allowed = rules.eligibility(st)
    assert (allowed.value, allowed.needs_a_person) == (eligible, flagged)
    assert eligibility_says in _said(allowed, st)
    said = [_said(d, st) for d in rules.said_after("child_asked", st)]
    assert said and consent_says in said[0], "the conversation answers straight away"


def test_the_advocate_question_offers_all_four_states():
    st = _state(**ADVOCATE)
    step = COMPLAINT.get("child_asked")
    offered = {c.value for c in step.choices_for(st)}
    assert offered == {"yes", "not_yet", "disagrees", "cannot_say"}
    assert {rules.ADVOCATE_CONSENT_ANSWERS[v][0] for v in offered} == set(Consent) - {
        Consent.NOT_NEEDED
    }


def test_an_old_advocate_answer_of_no_still_reads_as_not_yet():
    st = _state(**ADVOCATE, child_asked="no")
    assert rules.consent(st).value == Consent.DOES_NOT_KNOW_YET
    assert rules.eligibility(st).reason == "advocate_not_instructed"


@pytest.mark.parametrize(
    ("persona", "answer", "consent", "says"),
    [
        pytest.param(
            "parent", "knows_agrees", Consent.KNOWS_AND_AGREES, "knows and agrees", id="agrees"
        ),
        pytest.param(
            "foster_carer",
            "not_yet",
            Consent.DOES_NOT_KNOW_YET,
            "hear what they think",
            id="does_not_know_yet",
        ),
        pytest.param(
            "grandparent", "disagrees", Consent.DOES_NOT_AGREE, "privacy", id="does_not_agree"
        ),
        pytest.param(
            "teacher",
            "too_young",
            Consent.TOO_YOUNG_OR_UNABLE,
            "how you tried to hear their view",
            id="too_young_or_unable",
        ),
        pytest.param(
            "sibling_or_friend",
            "too_young",
            Consent.TOO_YOUNG_OR_UNABLE,
            "what is best for them",
            id="a_young_helper_is_not_asked_for_a_note",
        ),
    ],
)
def test_an_adult_or_young_helper_can_record_each_state(persona, answer, consent, says):
    st = ComplaintState({**PERSONAS[persona], "consent": answer})
    decided = rules.consent(st)
    assert decided.value == consent
    assert decided.needs_a_person == (consent != Consent.KNOWS_AND_AGREES)
    assert says in _said(decided, st)


def _path_ids(answers: dict) -> list[str]:
    return [s.id for s in engine.path(COMPLAINT, {**REST, **answers})]


@pytest.mark.parametrize(
    ("answers", "asked"),
    [
        pytest.param({**ADVOCATE, "child_asked": "cannot_say"}, True, id="advocate_cannot_say"),
        pytest.param({**PERSONAS["parent"], "consent": "too_young"}, True, id="parent_too_young"),
        pytest.param(
            {**PERSONAS["foster_carer"], "consent": "too_young"}, True, id="carer_too_young"
        ),
        pytest.param({**ADVOCATE, "child_asked": "yes"}, False, id="advocate_instructed"),
        pytest.param({**PERSONAS["parent"], "consent": "not_yet"}, False, id="parent_not_yet"),
        pytest.param(
            {**PERSONAS["sibling_or_friend"], "consent": "too_young"},
            False,
            id="young_helper_too_young",
        ),
        pytest.param(PERSONAS["looked_after_child"], False, id="young_person_for_themselves"),
    ],
)
def test_too_young_or_unable_to_say_asks_how_their_view_was_sought(answers, asked):
    assert ("consent_note" in _path_ids(answers)) is asked
    note = COMPLAINT.get("consent_note")
    assert note.kind in TEXT_KINDS and note.required, "a note in words, not a tick box"


def test_the_note_is_kept_with_the_answers_staff_see():
    answers = {
        **REST,
        **ADVOCATE,
        "child_asked": "cannot_say",
        "consent_note": "I spent time with her at contact and asked her key worker.",
    }
    shown = dict((s.id, v) for s, v in engine.summary(COMPLAINT, answers))
    assert shown["consent_note"].startswith("I spent time with her")
    assert "child_words" not in shown, "no 'own words' for a young person who cannot say"


@pytest.mark.parametrize(
    ("answer", "asks_own_words"),
    [
        pytest.param("yes", True, id="instructed"),
        pytest.param("disagrees", True, id="does_not_agree"),
        pytest.param("not_yet", False, id="does_not_know_yet"),
        pytest.param("cannot_say", False, id="cannot_say"),
    ],
)
def test_an_advocate_gives_the_young_persons_own_words_only_when_they_could_say(
    answer, asks_own_words
):
    assert ("child_words" in _path_ids({**ADVOCATE, "child_asked": answer})) is asks_own_words


def test_every_consent_answer_leads_to_the_end_of_the_journey():
    for answer in ("yes", "not_yet", "disagrees", "cannot_say"):
        answers = {**REST, **ADVOCATE, "child_asked": answer}
        answers |= {"child_words": "I want to go home.", "consent_note": "I asked her nan."}
        assert engine.is_complete(COMPLAINT, answers), answer
    assert COMPLAINT.get("child_asked").kind == Kind.SINGLE
