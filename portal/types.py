"""Enumerations shared by the models, services and views."""

from enum import StrEnum


class EventType(StrEnum):
    """Past-tense facts about a complaint; status and timeline are derived from them."""

    COMPLAINT_RECEIVED = "complaint_received"
    ADVOCATE_REQUESTED = "advocate_requested"
    STATUS_LINK_REISSUED = "status_link_reissued"
    STATUS_LINK_REVOKED = "status_link_revoked"
    COMPLAINT_CLOSED = "complaint_closed"


class Voice(StrEnum):
    """Whose words the conversation uses: the young person's own, or someone speaking for them."""

    SELF = "self"
    OTHER = "other"
