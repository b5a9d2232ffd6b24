"""Staff wording for what a complaint says about itself: the questions, the rules' decisions
at intake, the urgent flag and the topics, in the words a complaints officer uses.

The public pages speak to the child ("Some of what you wrote worried us"); staff pages say
what happened ("Safety words found: self-harm"). Nothing here shows a stored value as it is
stored: an answer missing from these tables falls back to the journey's own words, and an
optional question left empty says "Skipped".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from portal import stages
from portal.flows import JOURNEYS, engine
from portal.flows.present import describe, summary_label, topic_label
from portal.services.safety import ASKED_FOR_HELP, CONCEPTS, SAID_NOT_SAFE
from portal.types import Voice

SKIPPED = "Skipped"

# Each question as staff read it (fallback: the journey's adult wording).
QUESTIONS = {
    "who": "Who is complaining",
    "self_status": "The young person's situation",
    "adult_role": "Their role",
    "complaint_for": "Who it is about",
    "other_role": "Their role",
    "advocate_name": "Advocate's name",
    "advocate_organisation": "Advocate's organisation",
    "advocate_email": "Advocate's email",
    "advocate_phone": "Advocate's phone",
    "child_name": "The young person's name",
    "age": "The young person's age",
    "topics": "What it is about",
    "elsewhere": "Also about (other organisations)",
    "topic_other": "Something else it is about",
    "signpost": "Shown where else to go",
    "what_happened": "What happened",
    "when": "When it happened",
    "court_police": "Court or police involvement",
    "child_asked": "What the young person wants",
    "child_words": "The young person's own words",
    "parental_responsibility": "Parental responsibility",
    "consent": "What the young person knows",
    "consent_note": "How they tried to hear the young person's view",
    "outcome": "What would put it right",
    "outcome_words": "What would put it right, in their words",
    "advocate": "Advocate wanted",
    "advocate_more": "Advocate wanted",
    "contact": "How to reply",
    "email": "Email",
    "phone": "Mobile number",
    "contact_safe": "Safe to send messages there",
    "name": "Their name",
    "records": "To help find records",
}

# What the rules decided at intake, for staff (keys: portal/flows/rules.py REASONS).
DECISIONS = {
    "not_assessed": "Sent before the intake checks existed: decide eligibility yourself.",
    "young_person_as_of_right": "Eligible as of right: a child looked after or in need "
    "(s26(3) Children Act 1989).",
    "care_leaver": "Eligible as of right: a care leaver under 25.",
    "care_leaver_over_25": "A care leaver aged 25 or over: decide whether to consider it.",
    "special_guardianship": "Eligible as of right: special guardianship (reg 4).",
    "adoption": "Eligible as of right: adoption services (reg 4).",
    "prospective_adopter": "Eligible as of right: a prospective adopter (reg 4).",
    "parent": "Eligible as of right: a parent or someone with parental responsibility.",
    "foster_carer": "Eligible as of right: a foster carer (including agency carers).",
    "advocate_instructed": "Eligible: an advocate acting on the young person's instructions.",
    "advocate_not_instructed": "Decision needed: an advocate acting without the young "
    "person's instructions.",
    "advocate_child_disagrees": "Decision needed: an advocate acting, but the young person "
    "does not agree.",
    "advocate_non_instructed": "Decision needed: non-instructed advocacy (the young person "
    "cannot say what they want).",
    "young_person_status_to_check": "Decision needed: the young person was not sure if they "
    "get help from children's social care. Check their status.",
    "young_helper": "Decision needed: a young person complaining for a brother, sister or "
    "friend (sufficient interest).",
    "sufficient_interest": "Decision needed: sufficient interest in the child's welfare "
    "(s26(3)(e)).",
    "statutory": "Children Act procedure: children's social care services.",
    "statutory_fostering": "Children Act procedure: fostering services.",
    "statutory_special_guardianship_support": "Children Act procedure: special guardianship "
    "support.",
    "statutory_adoption_support": "Children Act procedure: adoption support.",
    "statutory_carer_treated": "Started in the Children Act procedure: how a carer was "
    "treated. Check the procedure.",
    "statutory_to_check": "Started in the Children Act procedure. Check the procedure.",
    "corporate_about_the_adult": "Corporate procedure: about how the adult was treated.",
    "corporate_carer_assessment": "Corporate procedure: carer assessment or approval "
    "(the Independent Review Mechanism was named).",
    "corporate_court_report": "Corporate procedure: a report for a family court.",
    "corporate_child_protection": "Corporate procedure, except child protection decisions "
    "(those go to the conference chair).",
    "elsewhere_school": "About a school: signposted, and sent anyway. Check and reply.",
    "elsewhere_police": "About the police: signposted, and sent anyway. Check and reply.",
    "elsewhere_health": "About health services: signposted, and sent anyway. Check and reply.",
    "elsewhere_court": "About a court's decision: signposted, and sent anyway. Check and reply.",
    "in_time": "In time: it happened in the last 12 months (reg 9).",
    "late_over_a_year": "Late: over 12 months ago. Decide whether it can still be considered "
    "fairly (reg 9).",
    "late_not_sure": "Late or not: they were not sure when it happened. Check (reg 9).",
    "court_proceedings": "Court proceedings about the same matter: some points may need to "
    "wait (reg 8).",
    "police_investigation": "A police investigation about the same matter: some points may "
    "need to wait (reg 8).",
    "proceedings_not_sure": "Not sure about court or police involvement: check (reg 8).",
    "no_proceedings": "No court case or police investigation.",
    "consent_not_needed": "Their own complaint: no consent needed.",
    "consent_agrees": "The young person knows and agrees.",
    "consent_not_yet": "The young person does not know yet: seek their view.",
    "consent_too_young": "The young person is too young or unable to say: read how their "
    "view was sought, and decide in their best interests.",
    "consent_disagrees": "The young person does not agree: weigh their privacy against the "
    "complaint, and tell the complainant what you decide.",
    "consent_advocate_instructed": "The advocate acts on the young person's instructions.",
    "consent_advocate_not_instructed": "The advocate acts without instructions yet: seek the "
    "young person's view.",
    "consent_advocate_disagrees": "The young person does not agree with the advocate acting: "
    "weigh their privacy, and decide.",
    "consent_advocate_cannot_say": "The young person cannot say: read how their view was "
    "sought, and decide in their best interests.",
    "no_private_information": "Told: being allowed to complain does not mean seeing the young "
    "person's private information.",
    "has_advocate": "An advocate made the complaint.",
    "advocate_not_offered": "A carer's own complaint: advocacy not offered.",
    "advocate_wanted": "Advocate wanted: a referral was made to %(service)s.",
    "advocate_not_wanted": "Advocate offered and not wanted (they were told how to ask later).",
}
URGENT_DECISIONS = frozenset({"urgent_noticed", "not_safe"})

# The complaint's topics, as staff read them (fallback: the journey's adult wording).
TOPICS = {
    "social_worker": "Social worker",
    "home": "Where the young person lives",
    "family": "Family time and contact",
    "leaving_care": "Leaving care",
    "carer_support": "Support for a carer",
    "money": "Money",
    "decision": "A decision about the young person",
    "treated": "How the young person was treated",
    "adult_treated": "How the adult was treated",
    "carer_approval": "Carer approval or checks",
    "court_report": "A report for a family court",
    "elsewhere": "Another organisation",
    "not_safe": "Not safe now",
    "other": "Something else",
    "school": "A school or college",
    "police": "The police",
    "health": "Health services",
    "court_decision": "A court's decision",
    "child_protection": "Child protection",
}


def topic(value: str, journey_id: str | None = None) -> str:
    """A topic in staff words."""
    if value in TOPICS:
        return TOPICS[value]
    journey = JOURNEYS.get(journey_id or "complaint")
    found = topic_label(journey.steps, value, Voice.OTHER) if journey else value
    return str(found) if found != value else "Something else"


def urgent_lines(reasons: Iterable[str]) -> list[str]:
    """Why a complaint is urgent, as staff need it: what was pressed or said, and which
    concepts the safety lists found (never the words typed)."""
    reasons = list(reasons)
    lines = []
    if ASKED_FOR_HELP in reasons:
        lines.append(
            "The help button (“I don't feel safe”) was pressed: they asked for urgent contact."
        )
    if SAID_NOT_SAFE in reasons:
        lines.append("They answered that they are not safe now.")
    found = [
        CONCEPTS.get(r, "a worry") for r in reasons if r not in (ASKED_FOR_HELP, SAID_NOT_SAFE)
    ]
    if found:
        lines.append(
            "Safety words found in what they wrote: " + ", ".join(found) + ". Read it and "
            "check the young person is safe."
        )
    return lines


def decisions(found: Iterable[Any], urgent_reasons: Iterable[str], settings: Mapping) -> list[str]:
    """What the rules decided at intake, in staff words."""
    filled = {"service": settings.get("ADVOCACY_SERVICE_NAME") or "the advocacy service"}
    lines: list[str] = []
    for decision in found:
        if decision.reason in URGENT_DECISIONS:
            lines.extend(urgent_lines(urgent_reasons) or ["Flagged urgent: read it first."])
        elif decision.reason in DECISIONS:
            lines.append(DECISIONS[decision.reason] % filled)
        else:
            lines.append(decision.explain(Voice.OTHER, settings))
    return lines


def told_us(journey_id: str, voice: str, answers: Mapping[str, Any]) -> list[dict[str, Any]]:
    """What they told us, question by question, with staff labels, the words they picked or
    wrote, and "Skipped" for an optional question left empty."""
    journey = JOURNEYS.get(journey_id)
    if journey is None:
        return []
    spoken = Voice(voice)
    rows = []
    for step, value in engine.summary(journey, answers):
        lines: list[Any] = describe(step, value, spoken)
        if step.id == "topics":
            values = value if isinstance(value, list) else [value]
            lines = [topic(v, journey_id) for v in values if v]
        label = QUESTIONS.get(step.id) or str(summary_label(step, Voice.OTHER))
        rows.append({"id": step.id, "label": label, "answer": lines or [SKIPPED]})
    return rows


# Stored values a staff page shows, each in words (the timeline's events, the help request).
LABELS: dict[str, dict[str, str]] = {
    "pause": dict(stages.PAUSE_REASONS),
    "hold": dict(stages.HOLD_REASONS),
    "unable": dict(stages.UNABLE_CATEGORIES),
    "ombudsman": dict(stages.OMBUDSMAN_DECISIONS),
    "stage": {
        "triage": "triage",
        "stage_1": "Stage 1",
        "stage_2": "Stage 2",
        "stage_3": "Stage 3",
        "ombudsman": "Ombudsman",
        "closed": "closed",
    },
    "finding": {
        "upheld": "upheld",
        "partly_upheld": "partly upheld",
        "not_upheld": "not upheld",
        "resolved": "resolved",
        "withdrawn": "withdrawn",
        "not_considered": "not considered",
    },
    "consent": {
        "not_needed": "their own complaint",
        "knows_and_agrees": "knows and agrees",
        "does_not_know_yet": "does not know yet",
        "too_young_or_unable": "too young or unable to say",
        "does_not_agree": "does not agree",
    },
    "contact_by": {
        "phone": "phone",
        "text": "text message",
        "email": "email",
        "none": "no contact asked for",
    },
}


def concepts(reasons: Iterable[str]) -> str:
    """What an urgent flag was raised for, in words: "harm from others, self-harm"."""
    return ", ".join(CONCEPTS.get(r, "a worry") for r in reasons or [])
