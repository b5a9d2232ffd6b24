"""A carer's or adopter's own complaint. A foster carer, special guardian or adopter says first
whether it is about a child they look after or about themselves. For themselves, nobody asks a
child's age, whether "the young person" knows, or whether "the young person" wants an advocate.
The help and money they get are fostering, special guardianship or adoption support services
(statutory); only approval and registration decisions are not (corporate, with the IRM). No HTTP.
"""

from __future__ import annotations

import re

import pytest

from portal.flows import engine, rules
from portal.flows.complaint import COMPLAINT
from portal.flows.model import Step, say
from portal.flows.state import ComplaintState
from portal.types import Advocacy, Consent, Eligibility, Procedure, Role
from tests.flows.test_rules import CARERS_FOR_THEMSELVES as FOR_THEMSELVES
from tests.flows.test_rules import SETTINGS

REST = {
    "topics": ["carer_support"],
    "what_happened": "My supervising social worker has not visited since March.",
    "when": "this_year",
    "court_police": "no",
    "outcome": ["change"],
    "outcome_words": "",
    "contact": "email",
    "email": "carer@example.org",
    "contact_safe": "yes",
    "name": "",
    "records": "",
}
ABOUT_A_CHILD = {"age", "consent", "consent_note", "advocate", "advocate_more", "child_words"}
# Words that would ask a carer about a child when they came to speak for themselves.
CHILD_WORDS = re.compile(
    r"young person|how old is|their (social worker|family|advocate)|where they live"
    r"|how they were treated|a decision about them",
    re.IGNORECASE,
)


def _state(persona: str, **answers) -> ComplaintState:
    return ComplaintState({**FOR_THEMSELVES[persona], **answers})


def _said(decision: rules.Decision, st: ComplaintState) -> str:
    return decision.explain(st.voice, SETTINGS)


def _words_on(step: Step, st: ComplaintState) -> list[str]:
    """Everything this person reads on a step: question, hints, examples and the choices."""
    worded = [step.prompt, step.hint, step.why, *step.examples]
    for choice in step.choices_for(st):
        worded += [choice.label, choice.hint]
    return [str(say(w, st.voice)) for w in worded if w is not None]


@pytest.mark.parametrize("persona", list(FOR_THEMSELVES))
def test_a_carer_for_themselves_is_not_asked_about_a_child(persona):
    answers = {**FOR_THEMSELVES[persona], **REST}
    st = ComplaintState(answers)
    route = engine.path(COMPLAINT, answers)
    assert engine.is_complete(COMPLAINT, answers), "the journey ends without a child's answers"
    assert not ABOUT_A_CHILD & {s.id for s in route}
    asked_for_whom = [s.id for s in route].index("complaint_for")
    for step in route[asked_for_whom + 1 :]:  # once they have said it is about themselves
        for words in _words_on(step, st):
            assert not CHILD_WORDS.search(words), f"{step.id}: {words!r}"


@pytest.mark.parametrize("persona", list(FOR_THEMSELVES))
def test_a_carer_for_themselves_needs_no_consent_and_is_offered_no_childs_advocate(persona):
    st = _state(persona, **REST)
    assert not st.speaks_for_a_child and st.is_carers_own
    assert rules.consent(st).value == Consent.NOT_NEEDED
    assert rules.information_sharing(st) is None
    offer = rules.advocacy(st)
    assert offer.value == Advocacy.NOT_OFFERED, "not counted as an offer a child turned down"
    assert offer.reason in rules.QUIET_REASONS
    for decision in rules.decisions(st):
        assert not CHILD_WORDS.search(_said(decision, st)), decision.reason


@pytest.mark.parametrize("role", ["foster_carer", "special_guardian", "adopter"])
def test_a_carer_for_a_child_is_still_asked_about_the_child(role):
    answers = {"who": "parent_carer", "adult_role": role, "complaint_for": "child"}
    ids = {s.id for s in engine.path(COMPLAINT, answers)}
    assert {"age", "consent", "advocate"} <= ids
    assert ComplaintState(answers).speaks_for_a_child


@pytest.mark.parametrize(
    ("role", "asked", "no_child_yet"),
    [
        pytest.param("foster_carer", True, False, id="foster_carer"),
        pytest.param("special_guardian", True, False, id="special_guardian"),
        pytest.param("adopter", True, True, id="adopter_or_prospective_adopter"),
        pytest.param("parent", False, False, id="parent_speaks_for_a_child"),
        pytest.param("birth_parent", False, False, id="birth_parent_speaks_for_a_child"),
    ],
)
def test_who_is_asked_whether_it_is_for_a_child_or_for_themselves(role, asked, no_child_yet):
    answers = {"who": "parent_carer", "adult_role": role}
    st = ComplaintState(answers)
    assert ("complaint_for" in {s.id for s in engine.path(COMPLAINT, answers)}) is asked
    offered = {c.value for c in COMPLAINT.get("complaint_for").choices_for(st)}
    assert ("no_child_yet" in offered) is no_child_yet


@pytest.mark.parametrize(
    ("persona", "topic", "procedure", "reason", "says"),
    [
        pytest.param(
            "foster_carer_for_themselves",
            "carer_support",
            Procedure.STATUTORY,
            "statutory_fostering",
            "part of fostering services",
            id="foster_carer_support_is_a_fostering_service_statutory",
        ),
        pytest.param(
            "foster_carer_for_themselves",
            "money",
            Procedure.STATUTORY,
            "statutory_fostering",
            "part of fostering services",
            id="foster_carer_allowance_statutory",
        ),
        pytest.param(
            "foster_carer_for_themselves",
            "adult_treated",
            Procedure.STATUTORY,
            "statutory_carer_treated",
            "A person will check",
            id="foster_carer_treatment_statutory_checked_by_a_person",
        ),
        pytest.param(
            "foster_carer_for_themselves",
            "carer_approval",
            Procedure.CORPORATE,
            "corporate_carer_assessment",
            "Independent Review Mechanism (IRM)",
            id="foster_carer_approval_or_registration_corporate_with_irm",
        ),
        pytest.param(
            "special_guardian_for_themselves",
            "carer_support",
            Procedure.STATUTORY,
            "statutory_special_guardianship_support",
            "special guardians",
            id="special_guardianship_support_statutory",
        ),
        pytest.param(
            "adopter_for_themselves",
            "money",
            Procedure.STATUTORY,
            "statutory_adoption_support",
            "adopters",
            id="adoption_support_statutory",
        ),
        pytest.param(
            "prospective_adopter",
            "carer_approval",
            Procedure.CORPORATE,
            "corporate_carer_assessment",
            "not part of the council",
            id="prospective_adopter_assessment_corporate_with_irm",
        ),
    ],
)
def test_which_procedure_a_carers_own_complaint_follows(persona, topic, procedure, reason, says):
    st = _state(persona, topics=[topic])
    decision = rules.procedure_for(topic, st)
    assert (decision.value, decision.reason) == (procedure, reason)
    assert says in _said(decision, st)
    [point] = rules.points(st)
    assert point.procedure == decision


@pytest.mark.parametrize("persona", list(FOR_THEMSELVES))
def test_a_carer_for_themselves_is_offered_their_own_topics_not_a_childs(persona):
    st = _state(persona)
    offered = {c.value for c in COMPLAINT.get("topics").choices_for(st)}
    assert {"carer_support", "money", "adult_treated"} <= offered
    assert not {"social_worker", "home", "family", "leaving_care", "decision", "treated"} & offered
    approval = st.role in (Role.FOSTER_CARER, Role.ADOPTER)
    assert ("carer_approval" in offered) is approval


@pytest.mark.parametrize(
    ("persona", "reason", "says"),
    [
        pytest.param(
            "foster_carer_for_themselves", "foster_carer", "Foster carers can", id="foster_carer"
        ),
        pytest.param(
            "special_guardian_for_themselves",
            "special_guardianship",
            "special guardianship",
            id="special_guardian",
        ),
        pytest.param("adopter_for_themselves", "adoption", "adoption services", id="adopter"),
        pytest.param(
            "prospective_adopter",
            "prospective_adopter",
            "People who want to adopt can",
            id="no_child_placed_yet",
        ),
    ],
)
def test_a_carer_for_themselves_may_complain_as_of_right(persona, reason, says):
    st = _state(persona)
    decision = rules.eligibility(st)
    assert (decision.value, decision.reason) == (Eligibility.AS_OF_RIGHT, reason)
    assert says in _said(decision, st)


def test_someone_who_wants_to_adopt_is_told_at_once_they_may_complain():
    st = _state("prospective_adopter")
    [said] = rules.said_after("complaint_for", st)
    assert "People who want to adopt can" in _said(said, st)
    assert rules.said_after("complaint_for", _state("foster_carer_for_themselves")) == []
