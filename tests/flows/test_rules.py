"""The statutory rules, tested with tables: each row names its case and checks the decision
and the plain words the person is shown. No HTTP."""

from __future__ import annotations

import pytest

from portal.flows import rules
from portal.flows.state import ComplaintState
from portal.types import (
    Advocacy,
    Consent,
    Eligibility,
    LegalProceedings,
    Procedure,
    Role,
    TimeLimit,
    Voice,
)

SETTINGS = {"ADVOCACY_SERVICE_NAME": "Coram Voice", "ADVOCACY_SERVICE_CONTACT": "0808 800 5792"}

# Each persona: the answers that make them who they are.
PERSONAS = {
    "looked_after_child": {"who": "self", "self_status": "looked_after"},
    "child_in_need": {"who": "self", "self_status": "child_in_need"},
    "care_leaver": {"who": "self", "self_status": "care_leaver", "age": "18_25"},
    "care_leaver_over_25": {"who": "self", "self_status": "care_leaver", "age": "over_25"},
    "sgo_child": {"who": "self", "self_status": "special_guardianship"},
    "adopted_child": {"who": "self", "self_status": "adoption"},
    "young_person_not_sure": {"who": "self", "self_status": "not_sure"},
    "sibling_or_friend": {"who": "young_helper", "consent": "knows_agrees"},
    "advocate_instructed": {"who": "advocate", "child_asked": "yes"},
    "advocate_not_instructed": {"who": "advocate", "child_asked": "not_yet"},
    "parent": {"who": "parent_carer", "adult_role": "parent", "parental_responsibility": "yes"},
    "foster_carer": {"who": "parent_carer", "adult_role": "foster_carer", "complaint_for": "child"},
    "special_guardian": {
        "who": "parent_carer",
        "adult_role": "special_guardian",
        "complaint_for": "child",
    },
    "sgo_parent": {"who": "parent_carer", "adult_role": "sgo_parent"},
    "adopter": {"who": "parent_carer", "adult_role": "adopter", "complaint_for": "child"},
    "birth_parent": {"who": "parent_carer", "adult_role": "birth_parent"},
    "adopted_adult": {"who": "someone_else", "other_role": "adopted_adult"},
    "grandparent": {"who": "someone_else", "other_role": "relative"},
    "teacher": {"who": "someone_else", "other_role": "professional"},
    "someone_else": {"who": "someone_else", "other_role": "other"},
}

# Carers complaining for themselves, not for a child they look after.
CARERS_FOR_THEMSELVES = {
    "foster_carer_for_themselves": {
        "who": "parent_carer",
        "adult_role": "foster_carer",
        "complaint_for": "myself",
    },
    "special_guardian_for_themselves": {
        "who": "parent_carer",
        "adult_role": "special_guardian",
        "complaint_for": "myself",
    },
    "adopter_for_themselves": {
        "who": "parent_carer",
        "adult_role": "adopter",
        "complaint_for": "myself",
    },
    "prospective_adopter": {
        "who": "parent_carer",
        "adult_role": "adopter",
        "complaint_for": "no_child_yet",
    },
}


def state(persona: str, **answers) -> ComplaintState:
    return ComplaintState({**PERSONAS, **CARERS_FOR_THEMSELVES}[persona] | answers)


def words(decision: rules.Decision, st: ComplaintState) -> str:
    return decision.explain(st.voice, SETTINGS)


@pytest.mark.parametrize(
    ("persona", "role", "eligible", "says"),
    [
        pytest.param(
            "looked_after_child",
            Role.LOOKED_AFTER_CHILD,
            Eligibility.AS_OF_RIGHT,
            "The law says young people",
            id="looked_after_child",
        ),
        pytest.param(
            "child_in_need",
            Role.CHILD_IN_NEED,
            Eligibility.AS_OF_RIGHT,
            "The law says young people",
            id="child_in_need",
        ),
        pytest.param(
            "care_leaver",
            Role.CARE_LEAVER,
            Eligibility.AS_OF_RIGHT,
            "up to age 25",
            id="care_leaver",
        ),
        pytest.param(
            "care_leaver_over_25",
            Role.CARE_LEAVER,
            Eligibility.DECISION_NEEDED,
            "The council will decide",
            id="care_leaver_over_25_council_decides",
        ),
        pytest.param(
            "sgo_child",
            Role.SGO_CHILD,
            Eligibility.AS_OF_RIGHT,
            "special guardianship",
            id="child_under_special_guardianship",
        ),
        pytest.param(
            "adopted_child",
            Role.ADOPTION_CHILD,
            Eligibility.AS_OF_RIGHT,
            "adoption",
            id="adopted_child",
        ),
        pytest.param(
            "young_person_not_sure",
            Role.YOUNG_PERSON_UNSURE,
            Eligibility.DECISION_NEEDED,
            "will check",
            id="young_person_not_sure",
        ),
        pytest.param(
            "sibling_or_friend",
            Role.YOUNG_HELPER,
            Eligibility.DECISION_NEEDED,
            "Thank you for speaking up",
            id="sibling_or_friend",
        ),
        pytest.param(
            "advocate_instructed",
            Role.ADVOCATE,
            Eligibility.AS_OF_RIGHT,
            "when a young person asks them to",
            id="advocate_on_instructions",
        ),
        pytest.param(
            "advocate_not_instructed",
            Role.ADVOCATE,
            Eligibility.DECISION_NEEDED,
            "usually acts when a young person asks",
            id="advocate_without_instructions",
        ),
        pytest.param(
            "parent", Role.PARENT, Eligibility.AS_OF_RIGHT, "parental responsibility", id="parent"
        ),
        pytest.param(
            "foster_carer",
            Role.FOSTER_CARER,
            Eligibility.AS_OF_RIGHT,
            "including carers from an agency",
            id="foster_carer",
        ),
        pytest.param(
            "special_guardian",
            Role.SPECIAL_GUARDIAN,
            Eligibility.AS_OF_RIGHT,
            "special guardianship",
            id="special_guardian",
        ),
        pytest.param(
            "sgo_parent",
            Role.SGO_PARENT,
            Eligibility.AS_OF_RIGHT,
            "special guardianship",
            id="parent_under_sgo",
        ),
        pytest.param("adopter", Role.ADOPTER, Eligibility.AS_OF_RIGHT, "adoption", id="adopter"),
        pytest.param(
            "birth_parent",
            Role.BIRTH_PARENT,
            Eligibility.AS_OF_RIGHT,
            "adoption",
            id="birth_parent",
        ),
        pytest.param(
            "adopted_adult",
            Role.ADOPTED_ADULT,
            Eligibility.AS_OF_RIGHT,
            "adoption",
            id="adopted_adult",
        ),
        pytest.param(
            "grandparent",
            Role.RELATIVE_OR_FRIEND,
            Eligibility.DECISION_NEEDED,
            "how much you care for and know",
            id="grandparent_sufficient_interest",
        ),
        pytest.param(
            "teacher",
            Role.PROFESSIONAL,
            Eligibility.DECISION_NEEDED,
            "how much you care for and know",
            id="professional_sufficient_interest",
        ),
        pytest.param(
            "someone_else",
            Role.OTHER,
            Eligibility.DECISION_NEEDED,
            "It will still read what you send",
            id="anyone_else_is_never_refused",
        ),
    ],
)
def test_who_may_complain(persona, role, eligible, says):
    st = state(persona)
    decision = rules.eligibility(st)
    assert st.role == role
    assert decision.value == eligible
    assert decision.needs_a_person == (eligible == Eligibility.DECISION_NEEDED)
    assert says in words(decision, st)


@pytest.mark.parametrize(
    ("persona", "topic", "procedure", "says"),
    [
        pytest.param(
            "looked_after_child",
            "social_worker",
            Procedure.STATUTORY,
            "children's complaints process",
            id="child_social_worker_statutory",
        ),
        pytest.param(
            "care_leaver",
            "leaving_care",
            Procedure.STATUTORY,
            "children's complaints process",
            id="care_leaver_support_statutory",
        ),
        pytest.param(
            "parent",
            "family",
            Procedure.STATUTORY,
            "children's complaints process",
            id="parent_contact_statutory",
        ),
        pytest.param(
            "parent",
            "adult_treated",
            Procedure.CORPORATE,
            "how you were treated",
            id="parent_own_treatment_corporate",
        ),
        pytest.param(
            "parent",
            "court_report",
            Procedure.CORPORATE,
            "family court",
            id="parent_court_report_corporate",
        ),
        pytest.param(
            "foster_carer",
            "money",
            Procedure.STATUTORY,
            "part of fostering services",
            id="foster_carer_allowance_statutory",
        ),
        pytest.param(
            "looked_after_child",
            "money",
            Procedure.STATUTORY,
            "children's complaints process",
            id="child_money_statutory",
        ),
        pytest.param(
            "foster_carer",
            "carer_approval",
            Procedure.CORPORATE,
            "Independent Review Mechanism (IRM)",
            id="foster_carer_approval_corporate",
        ),
        pytest.param(
            "adopter",
            "carer_approval",
            Procedure.CORPORATE,
            "Independent Review Mechanism (IRM)",
            id="adopter_assessment_corporate",
        ),
        pytest.param(
            "grandparent",
            "child_protection",
            Procedure.CORPORATE,
            "Ask the chair",
            id="child_protection_corporate_with_conference_route",
        ),
        pytest.param(
            "looked_after_child",
            "school",
            Procedure.NOT_COUNCIL,
            "go to the school",
            id="school_not_council",
        ),
        pytest.param(
            "parent", "police", Procedure.NOT_COUNCIL, "go to the police", id="police_not_council"
        ),
        pytest.param(
            "teacher", "health", Procedure.NOT_COUNCIL, "go to the NHS", id="nhs_not_council"
        ),
        pytest.param(
            "parent",
            "court_decision",
            Procedure.NOT_COUNCIL,
            "can only be changed by a court",
            id="court_decision_not_council",
        ),
        pytest.param(
            "child_in_need",
            "other",
            Procedure.STATUTORY,
            "will check",
            id="something_else_statutory_to_check",
        ),
    ],
)
def test_which_procedure(persona, topic, procedure, says):
    st = state(persona)
    decision = rules.procedure_for(topic, st)
    assert decision.value == procedure
    assert says in words(decision, st)


def test_each_point_carries_its_own_procedure():
    st = state(
        "parent",
        topics=["family", "adult_treated", "elsewhere", "not_safe", "other"],
        elsewhere=["school", "police"],
        topic_other="Transport to contact",
    )
    got = [(p.topic, p.procedure.value, p.description) for p in rules.points(st)]
    assert got == [
        ("family", Procedure.STATUTORY, None),
        ("adult_treated", Procedure.CORPORATE, None),
        ("school", Procedure.NOT_COUNCIL, None),
        ("police", Procedure.NOT_COUNCIL, None),
        ("other", Procedure.STATUTORY, "Transport to contact"),
    ]


@pytest.mark.parametrize(
    ("when", "value", "flagged", "says"),
    [
        pytest.param("this_month", TimeLimit.IN_TIME, False, "in time", id="this_month_in_time"),
        pytest.param("this_year", TimeLimit.IN_TIME, False, "in time", id="this_year_in_time"),
        pytest.param(
            "over_a_year",
            TimeLimit.LATE_DISCRETION,
            True,
            "can still look at it",
            id="over_a_year_late_discretion",
        ),
        pytest.param(
            "not_sure",
            TimeLimit.LATE_DISCRETION,
            True,
            "can still look at it",
            id="not_sure_late_discretion",
        ),
    ],
)
@pytest.mark.parametrize("persona", ["looked_after_child", "parent", "grandparent"])
def test_time_limit_never_refuses(persona, when, value, flagged, says):
    st = state(persona, when=when)
    decision = rules.time_limit(st)
    assert (decision.value, decision.needs_a_person) == (value, flagged)
    assert says in words(decision, st)


@pytest.mark.parametrize(
    ("answer", "value", "flagged", "says"),
    [
        pytest.param("no", LegalProceedings.NONE, False, "No court case", id="none"),
        pytest.param(
            "court",
            LegalProceedings.COURT,
            True,
            "until the court case ends",
            id="court_proceedings_flagged",
        ),
        pytest.param(
            "police",
            LegalProceedings.POLICE,
            True,
            "until the police have finished",
            id="police_investigation_flagged",
        ),
        pytest.param(
            "not_sure", LegalProceedings.NOT_SURE, True, "will check", id="not_sure_flagged"
        ),
    ],
)
@pytest.mark.parametrize("persona", ["child_in_need", "foster_carer", "advocate_instructed"])
def test_court_or_police(persona, answer, value, flagged, says):
    st = state(persona, court_police=answer)
    decision = rules.legal_proceedings(st)
    assert (decision.value, decision.needs_a_person) == (value, flagged)
    assert says in words(decision, st)
    assert (decision in rules.decisions(st)) == flagged, "only real news is explained"


@pytest.mark.parametrize(
    ("persona", "answer", "value", "says"),
    [
        pytest.param(
            "looked_after_child",
            None,
            Consent.NOT_NEEDED,
            "speaking for yourself",
            id="young_person_needs_no_consent",
        ),
        pytest.param(
            "parent",
            "knows_agrees",
            Consent.KNOWS_AND_AGREES,
            "knows and agrees",
            id="parent_child_agrees",
        ),
        pytest.param(
            "parent",
            "not_yet",
            Consent.DOES_NOT_KNOW_YET,
            "hear what they think",
            id="parent_child_does_not_know",
        ),
        pytest.param(
            "foster_carer",
            "too_young",
            Consent.TOO_YOUNG_OR_UNABLE,
            "what is best",
            id="foster_carer_child_too_young",
        ),
        pytest.param(
            "grandparent",
            "disagrees",
            Consent.DOES_NOT_AGREE,
            "privacy",
            id="grandparent_child_disagrees",
        ),
        pytest.param(
            "sibling_or_friend",
            "knows_agrees",
            Consent.KNOWS_AND_AGREES,
            "brother, sister or friend knows",
            id="sibling_says_friend_agrees",
        ),
        pytest.param(
            "advocate_instructed",
            None,
            Consent.KNOWS_AND_AGREES,
            "asked you to",
            id="advocate_on_instructions",
        ),
        pytest.param(
            "advocate_not_instructed",
            None,
            Consent.DOES_NOT_KNOW_YET,
            "hear what",
            id="advocate_not_yet_instructed",
        ),
    ],
)
def test_consent_when_someone_complains_for_a_child(persona, answer, value, says):
    st = state(persona, **({"consent": answer} if answer else {}))
    decision = rules.consent(st)
    assert decision.value == value
    assert says in words(decision, st)
    sharing = rules.information_sharing(st)
    if st.speaks_for_a_child:
        assert "does not mean you will be told" in words(sharing, st)
    else:
        assert sharing is None


@pytest.mark.parametrize(
    ("persona", "answer", "expected"),
    [
        pytest.param("parent", "yes", True, id="parent_with_pr"),
        pytest.param("parent", "no", False, id="parent_without_pr"),
        pytest.param("grandparent", "not_sure", None, id="grandparent_not_sure"),
        pytest.param("special_guardian", None, True, id="special_guardian_has_pr_by_law"),
        pytest.param("foster_carer", None, None, id="foster_carer_not_asked"),
    ],
)
def test_parental_responsibility(persona, answer, expected):
    extra = {"parental_responsibility": answer} if answer else {}
    assert rules.holds_parental_responsibility(state(persona, **extra)) is expected


@pytest.mark.parametrize(
    ("persona", "answers", "value", "says"),
    [
        pytest.param(
            "looked_after_child",
            {"advocate": "yes"},
            Advocacy.WANTED,
            "We will ask Coram Voice to get in touch",
            id="young_person_says_yes",
        ),
        pytest.param(
            "looked_after_child",
            {"advocate": "more", "advocate_more": "yes"},
            Advocacy.WANTED,
            "Coram Voice",
            id="yes_after_tell_me_more",
        ),
        pytest.param(
            "care_leaver",
            {"advocate": "no"},
            Advocacy.NOT_WANTED,
            "at any time: 0808 800 5792",
            id="young_person_says_no",
        ),
        pytest.param(
            "parent",
            {"advocate": "yes"},
            Advocacy.WANTED,
            "offer the young person an advocate",
            id="offered_for_a_child_via_parent",
        ),
        pytest.param(
            "advocate_instructed",
            {},
            Advocacy.HAS_ADVOCATE,
            "has you as their advocate",
            id="advocate_already_there",
        ),
    ],
)
def test_every_young_person_is_offered_an_advocate(persona, answers, value, says):
    st = state(persona, **answers)
    decision = rules.advocacy(st)
    assert decision.value == value
    assert says in words(decision, st)


@pytest.mark.parametrize(
    ("persona", "topics", "elsewhere", "places", "urgent"),
    [
        pytest.param("looked_after_child", ["home"], [], [], False, id="nothing_elsewhere"),
        pytest.param(
            "looked_after_child", ["elsewhere"], ["school"], ["school"], False, id="only_school"
        ),
        pytest.param(
            "parent",
            ["family", "elsewhere"],
            ["police", "health"],
            ["health", "police"],
            False,
            id="mixed_matter",
        ),
        pytest.param("looked_after_child", ["not_safe"], [], [], True, id="danger_now"),
        pytest.param(
            "grandparent",
            ["not_safe", "elsewhere"],
            ["child_protection"],
            ["child_protection"],
            True,
            id="danger_and_child_protection",
        ),
    ],
)
def test_signposts_and_danger(persona, topics, elsewhere, places, urgent):
    st = state(persona, topics=topics, elsewhere=elsewhere)
    assert rules.elsewhere_places(st) == places
    assert st.needs_signpost == bool(places or urgent)
    decision = rules.urgency(st)
    assert (decision is not None) == urgent
    if urgent:
        assert "look at this first" in words(decision, st)


def test_every_reason_has_words_for_every_voice():
    for key in rules.REASONS:
        for voice in Voice:
            text = rules.Decision(Eligibility.AS_OF_RIGHT, key).explain(voice, SETTINGS)
            assert text.strip() and "%(" not in text, key


def test_every_decision_names_a_reason_that_exists():
    reasons = set(rules.AS_OF_RIGHT_REASONS.values()) | set(rules.DECISION_NEEDED_REASONS.values())
    reasons |= {r for _, r in rules.TOPIC_PROCEDURES.values()}
    reasons |= set(rules.ADVOCACY_REASONS.values())
    assert reasons <= set(rules.REASONS)


TOPICS = list(rules.TOPIC_PROCEDURES)
WHENS = ["this_month", "this_year", "over_a_year", "not_sure"]
COURT = ["no", "court", "police", "not_sure"]
CONSENTS = ["knows_agrees", "not_yet", "too_young", "disagrees"]


def test_no_combination_is_refused_or_left_unexplained():
    """Every persona x topic x timing x court x consent: accepted, explained, flagged rightly."""
    checked = 0
    everyone = {**PERSONAS, **CARERS_FOR_THEMSELVES}
    for persona in everyone:
        for topic in TOPICS:
            for when in WHENS:
                for court in COURT:
                    for consent_answer in CONSENTS:
                        st = state(
                            persona,
                            topics=[topic],
                            when=when,
                            court_police=court,
                            consent=consent_answer,
                        )
                        _check_combination(st, topic, when, court)
                        checked += 1
    assert checked == len(everyone) * len(TOPICS) * 4 * 4 * 4


def _check_combination(st, topic, when, court):
    eligible = rules.eligibility(st)
    assert eligible.value in set(Eligibility)  # there is no "refused"
    assert eligible.needs_a_person == (eligible.value == Eligibility.DECISION_NEEDED)
    [point] = rules.points(st)
    assert point.procedure.value in set(Procedure)
    assert rules.time_limit(st).needs_a_person == (when in ("over_a_year", "not_sure"))
    assert rules.legal_proceedings(st).needs_a_person == (court != "no")
    consent_value = rules.consent(st).value
    assert (consent_value == Consent.NOT_NEEDED) == (not st.speaks_for_a_child)
    for decision in rules.decisions(st):
        assert words(decision, st).strip()
