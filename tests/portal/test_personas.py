"""Every kind of person walks their journey over HTTP, to confirmation or a signpost; what
the rules decided is stored as typed fields and events for staff."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import Complaint
from portal.types import EventType
from tests.flows.test_rules import CARERS_FOR_THEMSELVES, PERSONAS
from tests.portal.journey import answer_all, send_complaint

pytestmark = pytest.mark.pages

ELSEWHERE_ORDER = ["school", "police", "health", "court_decision", "child_protection"]
COMMON = {
    "age": "12_15",
    "topics": ["social_worker", "family"],
    "what_happened": "Visits keep being cancelled.",
    "when": "this_year",
    "court_police": "no",
    "consent": "knows_agrees",
    "parental_responsibility": "yes",
    "outcome": ["change"],
    "outcome_words": "",
    "advocate": "yes",
    "contact": "email",
    "email": "person@example.org",
    "contact_safe": "yes",
    "name": "",
    "records": "",
    "child_name": "",
    "advocate_name": "Sam Patel",
    "advocate_organisation": "Local Advocacy Service",
    "advocate_email": "sam@advocacy.example.org",
    "advocate_phone": "",
    "child_words": "I want to see my mum every week.",
    "child_asked": "yes",
}


def _stored(app, page) -> Complaint:
    reference = page.select_one("#reference").text.strip()
    with app.app_context():
        complaint = db.session.scalars(
            select(Complaint).where(Complaint.reference == reference)
        ).one()
        complaint.points, complaint.events, complaint.advocacy_referral  # load before closing
        return complaint


@pytest.mark.parametrize("persona", list(PERSONAS))
def test_every_persona_reaches_confirmation(app, pages, persona):
    answers = {**COMMON, **PERSONAS[persona]}
    if persona == "care_leaver_over_25":
        answers["age"] = "over_25"
    page = send_complaint(pages, answers, check_each_page=True)
    assert page.select_one("#reference") and page.select_one("a#status-link")
    complaint = _stored(app, page)
    assert complaint.complainant_role == {
        "sibling_or_friend": "young_helper",
        "advocate_instructed": "advocate",
        "advocate_not_instructed": "advocate",
        "grandparent": "relative_or_friend",
        "teacher": "professional",
        "someone_else": "other",
        "adopted_child": "adoption_child",
        "young_person_not_sure": "young_person_unsure",
        "sgo_child": "sgo_child",
        "care_leaver_over_25": "care_leaver",
    }.get(persona, persona)
    assert [p.topic for p in complaint.points] == ["social_worker", "family"]
    assert {p.procedure for p in complaint.points} == {"statutory"}
    assert page.select_one(".decisions"), "the person is told what was decided, and why"


def test_an_advocate_records_their_details_and_the_childs_own_words(app, pages):
    page = send_complaint(
        pages, {**COMMON, **PERSONAS["advocate_instructed"]}, check_each_page=True
    )
    complaint = _stored(app, page)
    assert complaint.advocate_name == "Sam Patel"
    assert complaint.advocate_organisation == "Local Advocacy Service"
    assert complaint.advocate_email == "sam@advocacy.example.org"
    assert complaint.child_words == "I want to see my mum every week."
    assert complaint.on_child_instructions is True
    assert complaint.consent == "knows_and_agrees"
    assert complaint.advocacy == "has_advocate"
    assert complaint.contact_method == "advocate"
    assert complaint.advocacy_referral is None


def test_an_advocate_is_asked_to_confirm_the_child_asked(pages):
    answers = {**COMMON, **PERSONAS["advocate_not_instructed"]}
    check = answer_all(pages, answers, check_each_page=True)
    text = check.select_one(".decisions").text
    assert "usually acts when a young person asks" in text
    asked = [a["href"] for a in check.select(".summary-change a")]
    assert not [h for h in asked if "child_words" in h], "no own words if they do not know yet"


@pytest.mark.parametrize(
    ("answer", "consent", "reason", "says"),
    [
        pytest.param(
            "disagrees",
            "does_not_agree",
            "consent_advocate_disagrees",
            "think about their privacy",
            id="advocate_child_does_not_agree",
        ),
        pytest.param(
            "cannot_say",
            "too_young_or_unable",
            "consent_advocate_cannot_say",
            "how you tried to hear their view",
            id="advocate_child_too_young_or_unable_to_say",
        ),
    ],
)
def test_an_advocate_records_consent_states_beyond_yes_and_not_yet(
    app, pages, answer, consent, reason, says
):
    note = "I spent time with her at contact, and asked her key worker."
    answers = {**COMMON, **PERSONAS["advocate_instructed"], "child_asked": answer}
    answers["consent_note"] = note
    check = answer_all(pages, answers, check_each_page=True)
    assert says in check.select_one(".decisions").text
    page = pages.submit(check, selector="form.send-form")
    complaint = _stored(app, page)
    assert (complaint.consent, complaint.consent_reason) == (consent, reason)
    assert complaint.on_child_instructions is False
    assert complaint.eligibility == "decision_needed"
    flags = {e.type: e.data for e in complaint.events if e.type.startswith("flagged_")}
    assert flags[EventType.FLAGGED_CONSENT] == {"value": consent, "reason": reason}
    if answer == "cannot_say":
        assert complaint.answers["consent_note"] == note, "how their view was sought is kept"
        assert complaint.child_words is None
    else:
        assert "consent_note" not in complaint.answers
        assert complaint.child_words == COMMON["child_words"]


def test_the_note_on_how_a_view_was_sought_is_screened(app, pages):
    answers = {
        **COMMON,
        **PERSONAS["parent"],
        "consent": "too_young",
        "consent_note": "He told me his foster carer hits him.",
    }
    page = send_complaint(pages, answers, check_each_page=True)
    complaint = _stored(app, page)
    assert complaint.consent == "too_young_or_unable"
    assert complaint.urgent and "harm_from_others" in complaint.urgent_reasons


@pytest.mark.parametrize(
    ("persona", "topics", "procedures"),
    [
        pytest.param(
            "foster_carer_for_themselves",
            ["carer_support", "money", "carer_approval"],
            ["statutory", "statutory", "corporate"],
            id="foster_carer_support_statutory_approval_corporate",
        ),
        pytest.param(
            "special_guardian_for_themselves",
            ["carer_support"],
            ["statutory"],
            id="special_guardian_support",
        ),
        pytest.param(
            "prospective_adopter",
            ["adult_treated", "carer_approval"],
            ["statutory", "corporate"],
            id="no_child_placed_yet",
        ),
    ],
)
def test_a_carer_complaining_for_themselves_is_not_asked_about_a_child(
    app, pages, persona, topics, procedures
):
    answers = {**COMMON, **CARERS_FOR_THEMSELVES[persona], "topics": topics}
    check = answer_all(pages, answers, check_each_page=True)
    changes = check.select(".summary-change a")
    asked = {a["href"].split("?")[0].rsplit("/", 1)[1] for a in changes}
    assert "complaint_for" in asked
    assert not {"age", "consent", "advocate", "advocate_more"} & asked
    assert "young person" not in check.select_one("main").text.lower()
    page = pages.submit(check, selector="form.send-form")
    assert "young person" not in page.select_one("main").text.lower()
    complaint = _stored(app, page)
    assert complaint.age_group is None
    assert (complaint.consent, complaint.advocacy) == ("not_needed", "not_offered")
    assert complaint.advocacy_referral is None
    assert [(p.topic, p.procedure) for p in complaint.points] == list(zip(topics, procedures))
    assert complaint.answers["complaint_for"] == CARERS_FOR_THEMSELVES[persona]["complaint_for"]


def test_a_parent_is_told_what_consent_means_and_staff_see_it(app, pages):
    answers = {
        **COMMON,
        **PERSONAS["parent"],
        "consent": "disagrees",
        "topics": ["family", "adult_treated"],
        "when": "over_a_year",
        "court_police": "court",
    }
    check = answer_all(pages, answers, check_each_page=True)
    decisions = check.select_one(".decisions").text
    assert "does not mean you will be told the young person's private information" in decisions
    assert "can still look at it" in decisions
    assert "until the court case ends" in decisions
    page = pages.submit(check, selector="form.send-form")
    complaint = _stored(app, page)
    assert (complaint.consent, complaint.parental_responsibility) == ("does_not_agree", True)
    assert (complaint.time_limit, complaint.legal_proceedings) == ("late_discretion", "court")
    assert [(p.topic, p.procedure) for p in complaint.points] == [
        ("family", "statutory"),
        ("adult_treated", "corporate"),
    ]
    flags = {e.type: e.data for e in complaint.events if e.type.startswith("flagged_")}
    assert flags == {
        EventType.FLAGGED_LATE: {"value": "late_discretion", "reason": "late_over_a_year"},
        EventType.FLAGGED_LEGAL_PROCEEDINGS: {"value": "court", "reason": "court_proceedings"},
        EventType.FLAGGED_CONSENT: {"value": "does_not_agree", "reason": "consent_disagrees"},
    }
    assert complaint.outcomes_sought == ["change"]


def test_a_grandparent_is_accepted_and_marked_for_a_decision(app, pages):
    page = send_complaint(pages, {**COMMON, **PERSONAS["grandparent"]}, check_each_page=True)
    complaint = _stored(app, page)
    assert complaint.eligibility == "decision_needed"
    assert complaint.eligibility_reason == "sufficient_interest"
    assert EventType.FLAGGED_SUFFICIENT_INTEREST in {e.type for e in complaint.events}


def test_yes_to_an_advocate_makes_a_referral_to_the_local_service(make_app, pages, client):
    app = client.application
    page = send_complaint(pages, {**COMMON, **PERSONAS["looked_after_child"]}, check_each_page=True)
    assert "We will ask the local advocacy service to get in touch" in page.text
    complaint = _stored(app, page)
    assert complaint.advocacy == "wanted"
    assert complaint.advocacy_referral.service_name == "the local advocacy service"  # default
    assert EventType.ADVOCACY_REFERRAL_MADE in {e.type for e in complaint.events}


@pytest.mark.parametrize(
    ("places", "shown"),
    [
        pytest.param(["school"], ["Ask the school office"], id="school"),
        pytest.param(
            ["police", "health"],
            ["professional standards team", "IOPC", "NHS complaints process", "PALS"],
            id="police_and_nhs_complaints_routes",
        ),
        pytest.param(["court_decision"], ["Talk to your lawyer"], id="court"),
        pytest.param(
            ["child_protection"],
            ["the person who led the child protection meeting"],
            id="child_protection_conference",
        ),
    ],
)
def test_matters_for_elsewhere_end_on_a_signpost_that_can_still_send(app, pages, places, shown):
    answers = {
        **COMMON,
        **PERSONAS["looked_after_child"],
        "topics": ["elsewhere"],
        "elsewhere": places,
    }
    page = pages.get("/chat/who")
    while not page.select_one("#signpost"):
        page = pages.submit(page, {"answer": answers[page.path.rsplit("/", 1)[1]]})
    signpost = page.select_one("#signpost").text
    for words in shown:
        assert words in signpost
    assert not page.select_one(".danger"), "no danger box unless someone said they are not safe"
    button = page.select_one("#signpost button[name=answer]")
    assert button.text.strip() == "Send it to the council anyway"
    page = pages.submit(page, {"answer": button["value"]})
    assert page.path == "/chat/what_happened"
    answers["signpost"] = "send_anyway"
    done = send_complaint(pages, answers, check_each_page=True)
    complaint = _stored(app, done)
    in_order = [p for p in ELSEWHERE_ORDER if p in places]
    assert [(p.topic, p.procedure) for p in complaint.points] == [
        (place, "corporate" if place == "child_protection" else "not_council") for place in in_order
    ]


def test_danger_shows_999_and_childline_and_still_sends_as_urgent(app, pages):
    answers = {
        **COMMON,
        **PERSONAS["looked_after_child"],
        "topics": ["not_safe", "home"],
        "signpost": "send_anyway",
    }
    page = pages.get("/chat/who")
    while not page.select_one("#signpost"):
        page = pages.submit(page, {"answer": answers[page.path.rsplit("/", 1)[1]]})
    assert page.h1 == "You do not have to wait. Get help now."
    danger = page.select_one("#signpost .danger").text
    assert "999" in danger and "0800 1111" in danger
    done = send_complaint(pages, answers, check_each_page=True)
    complaint = _stored(app, done)
    assert complaint.urgent is True
    assert [p.topic for p in complaint.points] == ["home"]
    assert EventType.FLAGGED_URGENT in {e.type for e in complaint.events}


def test_points_sharing_a_procedure_are_explained_once(pages):
    answers = {
        **COMMON,
        **PERSONAS["foster_carer"],
        "topics": ["home", "money", "family", "carer_approval"],
    }
    # Which procedure each point follows is for staff: check your answers leaves it out, and
    # the confirmation page says it once per procedure.
    assert not answer_all(pages, answers, check_each_page=True).select(".decisions .point")
    groups = send_complaint(pages, answers, check_each_page=True).select(".decisions .point")
    assert [g.select_one("strong").text for g in groups] == [
        "Where they live, Seeing their family",
        "Money",
        "My approval or checks as a foster carer or adopter",
    ]
    assert [g["class"][1] for g in groups] == [
        "point-statutory",
        "point-statutory",
        "point-corporate",
    ]
