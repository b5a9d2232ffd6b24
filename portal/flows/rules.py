"""The statutory rules, as named pure functions of the answers.

Each returns a Decision: a typed value, and the key of the plain-words reason that the person is
shown and staff see. Nothing here refuses anyone: where the law leaves a choice to the council
(sufficient interest, late complaints, court or police matters), the decision says a person at
the council will decide. Sources: Children Act 1989 s24D, s26(3), s26A; SI 2006/1738 regs 4-5,
8 and 9; Getting the Best from Complaints (2006).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from portal.flows.model import Worded, say
from portal.flows.state import ELSEWHERE_TOPICS, ComplaintState
from portal.translatable import _l
from portal.types import (
    Advocacy,
    Consent,
    Eligibility,
    LegalProceedings,
    Procedure,
    Role,
    TimeLimit,
    Urgency,
    Voice,
)

SELF, HELPER, OTHER = Voice.SELF, Voice.HELPER, Voice.OTHER


@dataclass(frozen=True)
class Decision:
    value: StrEnum
    reason: str  # a key of REASONS
    needs_a_person: bool = False  # flagged for staff to decide

    def explain(self, voice: Voice, settings: Mapping[str, Any] | None = None) -> str:
        """Return the reason in plain words for this voice, with settings filled in.

        Only a reason that names a setting looks the settings up (most do not, and each
        lookup translates the council's default words)."""
        said = str(say(REASONS[self.reason], voice))
        if "%" not in said:
            return said
        return said % _placeholders(settings if settings is not None else {})  # not `or`: no len()


# Each placeholder an explanation may have, and the setting that fills it.
PLACEHOLDERS = {"service": "ADVOCACY_SERVICE_NAME", "service_contact": "ADVOCACY_SERVICE_CONTACT"}


def _placeholders(settings: Mapping[str, Any]) -> dict[str, Any]:
    return {name: settings.get(setting, "") for name, setting in PLACEHOLDERS.items()}


# --- Who may complain (s26(3), s24D, regs 4-5) --------------------------------------------

AS_OF_RIGHT_REASONS = {
    Role.LOOKED_AFTER_CHILD: "young_person_as_of_right",
    Role.CHILD_IN_NEED: "young_person_as_of_right",
    Role.CARE_LEAVER: "care_leaver",
    Role.SGO_CHILD: "special_guardianship",
    Role.ADOPTION_CHILD: "adoption",
    Role.PARENT: "parent",
    Role.FOSTER_CARER: "foster_carer",
    Role.SPECIAL_GUARDIAN: "special_guardianship",
    Role.SGO_PARENT: "special_guardianship",
    Role.ADOPTER: "adoption",
    Role.BIRTH_PARENT: "adoption",
    Role.ADOPTED_ADULT: "adoption",
    Role.ADVOCATE: "advocate_instructed",
}
DECISION_NEEDED_REASONS = {
    Role.YOUNG_PERSON_UNSURE: "young_person_status_to_check",
    Role.YOUNG_HELPER: "young_helper",
    Role.RELATIVE_OR_FRIEND: "sufficient_interest",
    Role.PROFESSIONAL: "sufficient_interest",
    Role.OTHER: "sufficient_interest",
}


# An advocate acts on a young person's instructions; without them, the council decides.
ADVOCATE_NOT_INSTRUCTED_REASONS = {
    "not_yet": "advocate_not_instructed",
    "no": "advocate_not_instructed",  # the answer before "does not agree" could be told apart
    "disagrees": "advocate_child_disagrees",
    "cannot_say": "advocate_non_instructed",
}


def eligibility(state: ComplaintState) -> Decision:
    """Decide whether the person may complain as of right, or a person must decide."""
    role = state.role
    if role == Role.CARE_LEAVER and state.age_group == "over_25":
        return Decision(Eligibility.DECISION_NEEDED, "care_leaver_over_25", True)
    if role == Role.ADVOCATE and state.child_asked in ADVOCATE_NOT_INSTRUCTED_REASONS:
        reason = ADVOCATE_NOT_INSTRUCTED_REASONS[state.child_asked]
        return Decision(Eligibility.DECISION_NEEDED, reason, True)
    if role == Role.ADOPTER and state.no_child_placed:
        return Decision(Eligibility.AS_OF_RIGHT, "prospective_adopter")
    if role in AS_OF_RIGHT_REASONS:
        return Decision(Eligibility.AS_OF_RIGHT, AS_OF_RIGHT_REASONS[role])
    return Decision(
        Eligibility.DECISION_NEEDED, DECISION_NEEDED_REASONS.get(role, "sufficient_interest"), True
    )


# --- Which procedure, point by point -------------------------------------------------------

TOPIC_PROCEDURES: dict[str, tuple[Procedure, str]] = {
    "social_worker": (Procedure.STATUTORY, "statutory"),
    "home": (Procedure.STATUTORY, "statutory"),
    "family": (Procedure.STATUTORY, "statutory"),
    "leaving_care": (Procedure.STATUTORY, "statutory"),
    "money": (Procedure.STATUTORY, "statutory"),
    "decision": (Procedure.STATUTORY, "statutory"),
    "treated": (Procedure.STATUTORY, "statutory"),
    "other": (Procedure.STATUTORY, "statutory_to_check"),
    "adult_treated": (Procedure.CORPORATE, "corporate_about_the_adult"),
    "carer_approval": (Procedure.CORPORATE, "corporate_carer_assessment"),
    "carer_support": (Procedure.STATUTORY, "statutory_to_check"),
    "court_report": (Procedure.CORPORATE, "corporate_court_report"),
    "child_protection": (Procedure.CORPORATE, "corporate_child_protection"),
    "school": (Procedure.NOT_COUNCIL, "elsewhere_school"),
    "police": (Procedure.NOT_COUNCIL, "elsewhere_police"),
    "health": (Procedure.NOT_COUNCIL, "elsewhere_health"),
    "court_decision": (Procedure.NOT_COUNCIL, "elsewhere_court"),
}


# The help and money a carer gets are fostering, special guardianship or adoption support
# services: the statutory procedure, as of right (s26(3), regs 4-5). Only decisions on approving
# or registering a carer are not (the corporate procedure, and the IRM for approval).
CARER_SERVICE_REASONS = {
    Role.FOSTER_CARER: "statutory_fostering",
    Role.SPECIAL_GUARDIAN: "statutory_special_guardianship_support",
    Role.ADOPTER: "statutory_adoption_support",
}


def procedure_for(topic: str, state: ComplaintState) -> Decision:
    """Decide which procedure one complaint point follows, from its topic and who complains."""
    service = CARER_SERVICE_REASONS.get(state.role) if state.is_carer else None
    if service and topic in ("carer_support", "money"):
        return Decision(Procedure.STATUTORY, service)
    if service and topic == "adult_treated":
        # Usually the fostering or support team's own conduct: a person checks it fits.
        return Decision(Procedure.STATUTORY, "statutory_carer_treated", True)
    procedure, reason = TOPIC_PROCEDURES.get(topic, (Procedure.STATUTORY, "statutory_to_check"))
    return Decision(procedure, reason, procedure != Procedure.STATUTORY or topic == "other")


@dataclass(frozen=True)
class Point:
    topic: str
    procedure: Decision
    description: str | None = None


def points(state: ComplaintState) -> list[Point]:
    """Split the complaint into points, one per topic, each with its own procedure."""
    result = []
    for topic in state.topics:
        if topic == "elsewhere":
            result += [Point(place, procedure_for(place, state)) for place in state.elsewhere]
        elif topic != "not_safe":  # danger is a flag, not a point
            words = state.answers.get("topic_other") if topic == "other" else None
            result.append(Point(topic, procedure_for(topic, state), words))
    return result


# --- Time limit (reg 9) ------------------------------------------------------------------


def time_limit(state: ComplaintState) -> Decision:
    """Flag late or undated complaints for the council's discretion; never refuse them."""
    if state.when == "over_a_year":
        return Decision(TimeLimit.LATE_DISCRETION, "late_over_a_year", True)
    if state.when == "not_sure":
        return Decision(TimeLimit.LATE_DISCRETION, "late_not_sure", True)
    return Decision(TimeLimit.IN_TIME, "in_time")


# --- Court proceedings or a police investigation (reg 8) ----------------------------------


def legal_proceedings(state: ComplaintState) -> Decision:
    """Flag court or police matters for staff: the council may pause parts, with reasons."""
    answer = state.legal_proceedings
    if answer == "court":
        return Decision(LegalProceedings.COURT, "court_proceedings", True)
    if answer == "police":
        return Decision(LegalProceedings.POLICE, "police_investigation", True)
    if answer == "not_sure":
        return Decision(LegalProceedings.NOT_SURE, "proceedings_not_sure", True)
    return Decision(LegalProceedings.NONE, "no_proceedings")


# --- Consent when someone complains for a child --------------------------------------------

# The four states of the reference, as a parent, carer, relative or friend answers them...
CONSENT_ANSWERS = {
    "knows_agrees": (Consent.KNOWS_AND_AGREES, "consent_agrees", False),
    "not_yet": (Consent.DOES_NOT_KNOW_YET, "consent_not_yet", True),
    "too_young": (Consent.TOO_YOUNG_OR_UNABLE, "consent_too_young", True),
    "disagrees": (Consent.DOES_NOT_AGREE, "consent_disagrees", True),
}
# ... and as an advocate answers them: "they asked me to" is acting on instructions.
ADVOCATE_CONSENT_ANSWERS = {
    "yes": (Consent.KNOWS_AND_AGREES, "consent_advocate_instructed", False),
    "not_yet": (Consent.DOES_NOT_KNOW_YET, "consent_advocate_not_instructed", True),
    "no": (Consent.DOES_NOT_KNOW_YET, "consent_advocate_not_instructed", True),
    "disagrees": (Consent.DOES_NOT_AGREE, "consent_advocate_disagrees", True),
    "cannot_say": (Consent.TOO_YOUNG_OR_UNABLE, "consent_advocate_cannot_say", True),
}


def consent(state: ComplaintState) -> Decision:
    """Record what the young person knows and wants, when someone else complains for them.

    Anything but "knows and agrees" is flagged: the council weighs the young person's privacy
    against the complaint, and records what it decides.
    """
    if not state.speaks_for_a_child:
        return Decision(Consent.NOT_NEEDED, "consent_not_needed")
    table, answer = (
        (ADVOCATE_CONSENT_ANSWERS, state.child_asked)
        if state.is_advocate
        else (CONSENT_ANSWERS, state.consent)
    )
    value, reason, flag = table.get(answer or "", table["not_yet"])
    return Decision(value, reason, flag)


def information_sharing(state: ComplaintState) -> Decision | None:
    """Say that the right to complain is not a right to the young person's private information."""
    if not state.speaks_for_a_child:
        return None
    return Decision(Consent.NOT_NEEDED, "no_private_information")


def holds_parental_responsibility(state: ComplaintState) -> bool | None:
    """Return whether the person has parental responsibility, where we asked."""
    answer = state.parental_responsibility
    if state.role == Role.SPECIAL_GUARDIAN:
        return True  # a special guardianship order gives parental responsibility
    return {"yes": True, "no": False}.get(answer or "")


# --- Advocacy (s26A) -----------------------------------------------------------------------


ADVOCACY_REASONS = {
    Advocacy.WANTED: "advocate_wanted",
    Advocacy.NOT_WANTED: "advocate_not_wanted",
    Advocacy.HAS_ADVOCATE: "has_advocate",
    Advocacy.NOT_OFFERED: "advocate_not_offered",
}


def advocacy(state: ComplaintState) -> Decision:
    """Record the advocacy offer made to every young person, and the answer."""
    if state.is_advocate:
        value = Advocacy.HAS_ADVOCATE
    elif not state.has_a_young_person:
        value = Advocacy.NOT_OFFERED  # a carer's own complaint: no young person to offer it to
    else:
        value = Advocacy.WANTED if state.wants_advocate else Advocacy.NOT_WANTED
    return Decision(value, ADVOCACY_REASONS[value])


# --- Danger now ----------------------------------------------------------------------------


def urgency(state: ComplaintState) -> Decision | None:
    """Flag a young person who says they are not safe, for a person to look at first."""
    if not state.feels_unsafe:
        return None
    return Decision(Urgency.URGENT, "not_safe", True)


# --- Everything the person is told, in order ----------------------------------------------


def decisions(state: ComplaintState) -> list[Decision]:
    """Return the decisions to explain on check-your-answers and the confirmation page."""
    found = [
        urgency(state),
        eligibility(state),
        time_limit(state),
        legal_proceedings(state),
        consent(state),
        information_sharing(state),
        advocacy(state),
    ]
    return [d for d in found if d is not None and d.reason not in QUIET_REASONS]


# Decisions that need no words: nothing unusual to explain.
QUIET_REASONS = frozenset({"no_proceedings", "consent_not_needed", "advocate_not_offered"})


SAID_AFTER = {
    "self_status": lambda s: [eligibility(s)],
    "adult_role": lambda s: [eligibility(s)],
    "other_role": lambda s: [eligibility(s)],
    "complaint_for": lambda s: [eligibility(s)] if s.no_child_placed else [],
    "when": lambda s: [time_limit(s)],
    "court_police": lambda s: [legal_proceedings(s)],
    "consent": lambda s: [consent(s), information_sharing(s)],
    "child_asked": lambda s: [consent(s)],
}


def said_after(step_id: str, state: ComplaintState) -> list[Decision]:
    """Return what the conversation says back right after a question is answered."""
    found = SAID_AFTER.get(step_id, lambda s: [])(state)
    return [d for d in found if d is not None and d.reason not in {"no_proceedings", "in_time"}]


def elsewhere_places(state: ComplaintState) -> list[str]:
    """Return the places to signpost, in a stable order."""
    return [p for p in sorted(ELSEWHERE_TOPICS) if p in state.elsewhere]


REASONS: dict[str, Worded] = {
    # Complaints sent before these rules existed.
    "not_assessed": {SELF: _l("Sent before these checks existed. A person will decide.")},
    # Eligibility
    "young_person_as_of_right": {
        SELF: _l(
            "You can complain. The law says young people who get help from "
            "children's social care can."
        ),
    },
    "care_leaver": {
        SELF: _l("You can complain. Young people who have left care can, up to age 25."),
        OTHER: _l("Young people who have left care can complain, up to age 25."),
    },
    "care_leaver_over_25": {
        SELF: _l(
            "Care leavers can complain up to age 25. The council will decide if it can "
            "look at this. It will still read what you send."
        ),
    },
    "special_guardianship": {
        SELF: _l("You can complain. People in a special guardianship family can."),
        OTHER: _l("You can complain. People in a special guardianship family can."),
    },
    "adoption": {
        SELF: _l(
            "You can complain. People touched by adoption can complain about adoption services."
        ),
    },
    "prospective_adopter": {
        SELF: _l("You can complain. People who want to adopt can, before a child lives with them."),
    },
    "parent": {
        OTHER: _l("You can complain. Parents, and people with parental responsibility, can."),
        SELF: _l("You can complain."),
    },
    "foster_carer": {
        OTHER: _l("You can complain. Foster carers can, including carers from an agency."),
        SELF: _l("You can complain."),
    },
    "advocate_instructed": {
        OTHER: _l(
            "You can complain. An advocate can make a complaint when a young person asks them to."
        ),
        SELF: _l("You can complain."),
    },
    "advocate_not_instructed": {
        OTHER: _l(
            "An advocate usually acts when a young person asks. The council will decide "
            "how to look at this. It will still read it."
        ),
        SELF: _l("The council will decide how to look at this."),
    },
    "advocate_child_disagrees": {
        OTHER: _l(
            "An advocate usually acts when a young person asks. This young person does not "
            "agree, so the council will decide how to look at this. It will still read it."
        ),
        SELF: _l("The council will decide how to look at this."),
    },
    "advocate_non_instructed": {
        OTHER: _l(
            "The young person cannot say what they want, so the council will decide how to "
            "look at this. It will still read it."
        ),
        SELF: _l("The council will decide how to look at this."),
    },
    "young_person_status_to_check": {
        SELF: _l(
            "That is OK. The council will check if you get help from children's social "
            "care. It will still read what you send."
        ),
    },
    "young_helper": {
        HELPER: _l(
            "Thank you for speaking up. The council will decide how to look at this. "
            "It may talk to the young person too."
        ),
        SELF: _l("The council will decide how to look at this."),
    },
    "sufficient_interest": {
        OTHER: _l(
            "The council will decide if it can look at this as your complaint. It looks "
            "at how much you care for and know the young person. It will still read what "
            "you send."
        ),
        SELF: _l("The council will decide if it can look at this as your complaint."),
    },
    # Procedure
    "statutory": {
        SELF: _l(
            "This is about help from children's social care. It goes through the "
            "children's complaints process, which has set times."
        ),
    },
    "statutory_fostering": {
        SELF: _l(
            "Help and money for foster carers are part of fostering services. They go "
            "through the children's complaints process."
        ),
    },
    "statutory_special_guardianship_support": {
        SELF: _l(
            "Help and money for special guardians go through the children's complaints process."
        ),
    },
    "statutory_adoption_support": {
        SELF: _l(
            "Help and money for adopters, and people who want to adopt, go through the "
            "children's complaints process."
        ),
    },
    "statutory_carer_treated": {
        SELF: _l(
            "This is about how you were treated as a carer. We will start it in the "
            "children's complaints process. A person will check that this is right."
        ),
    },
    "statutory_to_check": {
        SELF: _l(
            "We will start this as a children's social care complaint. A person will "
            "check that this is right."
        ),
    },
    "corporate_about_the_adult": {
        SELF: _l(
            "This is about how you were treated. It goes through the council's "
            "own complaints process."
        ),
    },
    "corporate_carer_assessment": {
        SELF: _l(
            "Checks and approval for foster carers and adopters go through the council's "
            "own complaints process. If you are not approved, you can also ask the "
            "Independent Review Mechanism (IRM) to look again. It is a panel that is not "
            "part of the council."
        ),
    },
    "corporate_court_report": {
        SELF: _l("Reports for a family court go through the council's own complaints process."),
    },
    "corporate_child_protection": {
        SELF: _l(
            "Child protection meetings have their own way to question a decision. Ask "
            "the chair. Anything else goes through the council's own complaints process."
        ),
    },
    "elsewhere_school": {
        SELF: _l(
            "Worries about a school go to the school first. You asked "
            "us to send it anyway, so a person will check and tell you."
        )
    },
    "elsewhere_police": {
        SELF: _l(
            "Complaints about the police go to the police's own complaints team. You asked "
            "us to send it anyway, so a person will check and tell you."
        )
    },
    "elsewhere_health": {
        SELF: _l(
            "Complaints about doctors, nurses or hospitals go to the NHS complaints team. "
            "You asked us to send it anyway, so a person will check."
        )
    },
    "elsewhere_court": {
        SELF: _l(
            "A court's decision can only be changed by a court. You asked "
            "us to send it anyway, so a person will check."
        )
    },
    # Time limit
    "in_time": {SELF: _l("It happened in the last year, so it is in time.")},
    "late_over_a_year": {
        SELF: _l(
            "It happened more than a year ago. That is OK. The council can still look at "
            "it if it can be fair to everyone. A person will decide."
        ),
    },
    "late_not_sure": {
        SELF: _l(
            "You are not sure when it happened. That is OK. A person at the council will "
            "check, and can still look at it."
        ),
    },
    # Court or police
    "court_proceedings": {
        SELF: _l(
            "Thank you for telling us. The council may need to wait until the court case "
            "ends for some parts. If so, it will write to say why. You can ask again up "
            "to a year after it ends."
        ),
    },
    "police_investigation": {
        SELF: _l(
            "Thank you for telling us. The council may need to wait until the police have "
            "finished for some parts. If so, it will write to say why. You can ask again "
            "up to a year after."
        ),
    },
    "proceedings_not_sure": {
        SELF: _l("That is OK. A person at the council will check."),
    },
    "no_proceedings": {SELF: _l("No court case or police inquiry.")},
    # Consent
    "consent_not_needed": {SELF: _l("You are speaking for yourself.")},
    "consent_agrees": {
        OTHER: _l("The young person knows and agrees. Thank you."),
        HELPER: _l("Your brother, sister or friend knows and agrees. Thank you."),
    },
    "consent_not_yet": {
        OTHER: _l("The council may talk to the young person, to hear what they think."),
    },
    "consent_too_young": {
        OTHER: _l(
            "The council will think about what is best for the young person. It will read "
            "how you tried to hear their view."
        ),
        HELPER: _l("The council will think about what is best for them."),
    },
    "consent_disagrees": {
        OTHER: _l(
            "The council will think about the young person's privacy and about your "
            "complaint. It will tell you what it decides."
        ),
    },
    "consent_advocate_instructed": {
        OTHER: _l("You are acting because the young person asked you to."),
    },
    "consent_advocate_not_instructed": {
        OTHER: _l("The council may talk to the young person, to hear what they want."),
    },
    "consent_advocate_disagrees": {
        OTHER: _l(
            "The young person does not agree. The council will think about their privacy "
            "and about this complaint. It will tell you what it decides."
        ),
    },
    "consent_advocate_cannot_say": {
        OTHER: _l(
            "The council will think about what is best for the young person. It will read "
            "how you tried to hear their view."
        ),
    },
    "no_private_information": {
        OTHER: _l(
            "Being allowed to complain does not mean you will be told the young "
            "person's private information."
        ),
    },
    # Advocacy
    "has_advocate": {OTHER: _l("The young person has you as their advocate.")},
    "advocate_not_offered": {SELF: _l("This is your own complaint, as a carer.")},
    "advocate_wanted": {
        SELF: _l("We will ask %(service)s to get in touch. An advocate is free."),
        OTHER: _l("We will ask %(service)s to offer the young person an advocate. It is free."),
    },
    "advocate_not_wanted": {
        SELF: _l("That is OK. You can ask for an advocate at any time: %(service_contact)s."),
        OTHER: _l("The young person can ask for an advocate at any time: %(service_contact)s."),
    },
    # Danger
    "urgent_noticed": {
        SELF: _l("Some of what you wrote worried us. A person will look at this first."),
    },
    "not_safe": {
        SELF: _l("You said you do not feel safe. A person will look at this first."),
        OTHER: _l("You said the young person is not safe. A person will look at this first."),
    },
}
