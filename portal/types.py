"""Enumerations shared by the models, services and views."""

from enum import StrEnum


class EventType(StrEnum):
    """Past-tense facts about a complaint; status and timeline are derived from them."""

    COMPLAINT_RECEIVED = "complaint_received"
    ADVOCATE_REQUESTED = "advocate_requested"
    ADVOCACY_REFERRAL_MADE = "advocacy_referral_made"
    FLAGGED_SUFFICIENT_INTEREST = "flagged_sufficient_interest"
    FLAGGED_LATE = "flagged_late"
    FLAGGED_LEGAL_PROCEEDINGS = "flagged_legal_proceedings"
    FLAGGED_CONSENT = "flagged_consent"
    FLAGGED_URGENT = "flagged_urgent"
    STATUS_LINK_REISSUED = "status_link_reissued"
    STATUS_LINK_REVOKED = "status_link_revoked"
    COMPLAINT_CLOSED = "complaint_closed"
    COMPLAINT_WITHDRAWN = "complaint_withdrawn"
    HELP_REQUESTED = "help_requested"
    SECRET_WORD_SET = "secret_word_set"  # noqa: S105 - an event name, not a secret
    SECRET_WORD_PAUSED = "secret_word_paused"  # noqa: S105
    SECRET_WORD_HELP_REQUESTED = "secret_word_help_requested"  # noqa: S105
    SECRET_WORD_CLEARED = "secret_word_cleared"  # noqa: S105
    WITHDRAWAL_CHECKED = "withdrawal_checked"
    # The duty team's handling of an urgent flag (portal/services/safety.py), staff only
    URGENT_SEEN = "urgent_seen"
    URGENT_ACTION_RECORDED = "urgent_action_recorded"
    URGENT_CLEARED = "urgent_cleared"
    # Staff casework (portal/stages.py): one event per kind of move
    ACCEPTED_STATUTORY = "accepted_statutory"
    MOVED_TO_CORPORATE = "moved_to_corporate"
    UNABLE_TO_CONSIDER = "unable_to_consider"
    SUFFICIENT_INTEREST_ACCEPTED = "sufficient_interest_accepted"
    RESOLVED_LOCALLY = "resolved_locally"
    POINTS_EDITED = "points_edited"
    POINTS_HELD = "points_held"
    POINTS_RELEASED = "points_released"
    ACKNOWLEDGED = "acknowledged"
    ASSIGNED = "assigned"
    EXTENDED = "extended"
    RESPONSE_SENT = "response_sent"
    STAGE_2_REQUESTED = "stage_2_requested"
    INVESTIGATORS_APPOINTED = "investigators_appointed"
    STATEMENT_AGREED = "statement_agreed"
    STAGE_3_REQUESTED = "stage_3_requested"
    PANEL_CONVENED = "panel_convened"
    PAPERS_CIRCULATED = "papers_circulated"
    PANEL_REPORTED = "panel_reported"
    LATE_REQUEST_DECLINED = "late_request_declined"
    OMBUDSMAN_ENQUIRY_RECEIVED = "ombudsman_enquiry_received"
    OMBUDSMAN_DECIDED = "ombudsman_decided"
    CLOCK_PAUSED = "clock_paused"
    CLOCK_RESUMED = "clock_resumed"
    MESSAGE_SENT = "message_sent"


class Voice(StrEnum):
    """Whose words the conversation uses.

    SELF: a young person about themselves. HELPER: a young person speaking up for a brother,
    sister or friend. OTHER: an adult speaking about a young person. HELPER wording falls back
    to OTHER, and OTHER to SELF, so copy only needs the variants that really differ.
    """

    SELF = "self"
    HELPER = "helper"
    OTHER = "other"


class Role(StrEnum):
    """Who is complaining, in the terms of s26(3), s24D and regs 4-5."""

    LOOKED_AFTER_CHILD = "looked_after_child"
    CHILD_IN_NEED = "child_in_need"
    CARE_LEAVER = "care_leaver"
    SGO_CHILD = "sgo_child"
    ADOPTION_CHILD = "adoption_child"
    YOUNG_PERSON_UNSURE = "young_person_unsure"
    YOUNG_HELPER = "young_helper"
    ADVOCATE = "advocate"
    PARENT = "parent"
    FOSTER_CARER = "foster_carer"
    SPECIAL_GUARDIAN = "special_guardian"
    SGO_PARENT = "sgo_parent"
    ADOPTER = "adopter"
    BIRTH_PARENT = "birth_parent"
    ADOPTED_ADULT = "adopted_adult"
    RELATIVE_OR_FRIEND = "relative_or_friend"
    PROFESSIONAL = "professional"
    OTHER = "other"


class Eligibility(StrEnum):
    AS_OF_RIGHT = "as_of_right"
    DECISION_NEEDED = "decision_needed"  # sufficient interest, or status to check: staff decide


class Procedure(StrEnum):
    STATUTORY = "statutory"
    CORPORATE = "corporate"
    NOT_COUNCIL = "not_council"


class TimeLimit(StrEnum):
    IN_TIME = "in_time"
    LATE_DISCRETION = "late_discretion"


class LegalProceedings(StrEnum):
    NONE = "none"
    COURT = "court"
    POLICE = "police"
    NOT_SURE = "not_sure"


class Consent(StrEnum):
    NOT_NEEDED = "not_needed"  # the young person is speaking for themselves
    KNOWS_AND_AGREES = "knows_and_agrees"
    DOES_NOT_KNOW_YET = "does_not_know_yet"
    TOO_YOUNG_OR_UNABLE = "too_young_or_unable"
    DOES_NOT_AGREE = "does_not_agree"


class Advocacy(StrEnum):
    WANTED = "wanted"
    NOT_WANTED = "not_wanted"
    HAS_ADVOCATE = "has_advocate"
    NOT_OFFERED = "not_offered"  # a carer's own complaint: no young person to offer it to


class Urgency(StrEnum):
    URGENT = "urgent"


class StaffRole(StrEnum):
    OFFICER = "officer"  # complaints officer: triage and chase
    MANAGER = "manager"  # complaints manager: everything a case needs, and audit trails
    INVESTIGATOR = "investigator"  # investigating officer: only cases assigned to them
    ADMIN = "admin"  # accounts and settings


class Stage(StrEnum):
    """Where a complaint is. New complaints wait in triage."""

    TRIAGE = "triage"
    STAGE_1 = "stage_1"
    STAGE_2 = "stage_2"
    STAGE_3 = "stage_3"
    OMBUDSMAN = "ombudsman"
    CLOSED = "closed"


class Outcome(StrEnum):
    """The finding on one complaint point, at one stage (a typed column: reports count it)."""

    UPHELD = "upheld"
    PARTLY_UPHELD = "partly_upheld"
    NOT_UPHELD = "not_upheld"
    RESOLVED = "resolved"  # put right locally, by agreement, before a formal reply
    WITHDRAWN = "withdrawn"
    NOT_CONSIDERED = "not_considered"  # the council could not consider it (reg 8, reg 9 …)


# The findings a reply can record; the others come from how a case or point ended.
FINDINGS = (Outcome.UPHELD, Outcome.PARTLY_UPHELD, Outcome.NOT_UPHELD)


class Remedy(StrEnum):
    """What the council does to put an upheld point right (LGSCO remedy guidance)."""

    APOLOGY = "apology"
    EXPLANATION = "explanation"
    SERVICE = "service"  # the service, meeting or decision that was missing is provided
    PRACTICE = "practice"  # a change to practice, policy or training
    FINANCIAL = "financial"
    OTHER = "other"


class Arrival(StrEnum):
    """How a complaint reached the council (the reports count each)."""

    PORTAL = "portal"
    PHONE = "phone"
    EMAIL = "email"
    LETTER = "letter"
    IN_PERSON = "in_person"
    ADVOCATE = "advocate"
