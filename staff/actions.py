"""What each move is called on screen and which fields its form asks for."""

from __future__ import annotations

from portal.models import Complaint
from portal.services import casework
from portal.stages import Action, CaseState

ACTION_LABELS = {
    Action.ACCEPT_STATUTORY: "Accept under the Children Act procedure",
    Action.MOVE_TO_CORPORATE: "Move to the corporate procedure",
    Action.CANNOT_CONSIDER: "Record that the council cannot consider it",
    Action.ACCEPT_SUFFICIENT_INTEREST: "Accept: sufficient interest in the child",
    Action.RESOLVE_LOCALLY: "Record that it was resolved locally",
    Action.EDIT_POINTS: "Edit or split the complaint points",
    Action.ACKNOWLEDGE: "Record the acknowledgement",
    Action.ASSIGN: "Assign the responding officer",
    Action.EXTEND: "Agree an extension",
    Action.RECORD_RESPONSE: "Record the response and outcomes",
    Action.REQUEST_STAGE_2: "Record a Stage 2 request",
    Action.APPOINT_INVESTIGATORS: "Appoint the investigating officer and independent person",
    Action.AGREE_STATEMENT: "Record that the statement of complaint is agreed",
    Action.REQUEST_STAGE_3: "Record a Stage 3 request",
    Action.CONVENE_PANEL: "Set the review panel date",
    Action.CIRCULATE_PAPERS: "Record that the panel papers went out",
    Action.RECORD_PANEL_REPORT: "Record the panel's report",
    Action.DECLINE_LATE_REQUEST: "Decline the late request",
    Action.OMBUDSMAN_ENQUIRY: "Record an Ombudsman enquiry",
    Action.OMBUDSMAN_OUTCOME: "Record the Ombudsman's decision",
    Action.CLOSE: "Close the case",
    Action.WITHDRAW: "Record that the complainant withdrew",
    Action.PAUSE: "Pause the clock",
    Action.RESUME: "Start the clock again",
    Action.SEND_MESSAGE: "Write to the complainant",
}

FIELDS: dict[Action, tuple[str, ...]] = {
    Action.MOVE_TO_CORPORATE: ("reason", "on"),
    Action.CANNOT_CONSIDER: ("category", "reason", "on"),
    Action.ACCEPT_SUFFICIENT_INTEREST: ("reason", "on"),
    Action.RESOLVE_LOCALLY: ("reason", "on"),
    Action.EDIT_POINTS: ("points",),
    Action.ASSIGN: ("assignee",),
    Action.EXTEND: ("days", "reason", "told", "on"),
    Action.RECORD_RESPONSE: ("outcomes", "finding", "remedy", "on"),
    Action.REQUEST_STAGE_2: ("words", "on"),
    Action.REQUEST_STAGE_3: ("words", "on"),
    Action.APPOINT_INVESTIGATORS: ("investigating_officer", "independent_person", "on"),
    Action.CONVENE_PANEL: ("panel_on", "on"),
    Action.RECORD_PANEL_REPORT: ("finding", "on"),
    Action.DECLINE_LATE_REQUEST: ("reason", "on"),
    Action.OMBUDSMAN_ENQUIRY: ("ombudsman_reference", "on"),
    Action.OMBUDSMAN_OUTCOME: ("decision", "remedy", "on"),
    Action.PAUSE: ("reason", "on"),
    Action.SEND_MESSAGE: ("message",),
}

# What the reason box is for; the complainant reads the ones marked as shown to them.
REASON_LABELS = {
    Action.MOVE_TO_CORPORATE: "Why it goes to the corporate procedure (the complainant sees this)",
    Action.CANNOT_CONSIDER: "The reason, in plain words (the complainant sees this)",
    Action.ACCEPT_SUFFICIENT_INTEREST: "Note (optional)",
    Action.RESOLVE_LOCALLY: "How it was put right (the complainant sees this)",
    Action.EXTEND: "Why more time is needed (the complainant sees this)",
    Action.DECLINE_LATE_REQUEST: "Why it is declined (the complainant sees this)",
    Action.PAUSE: "Why the clock is paused (the complainant sees this)",
}


def action_choices(complaint: Complaint, actor: casework.Actor, state: CaseState) -> list[dict]:
    """The moves this person can make now, in the table's order; only usable ones are shown."""
    return [
        {
            "action": action,
            "label": ACTION_LABELS[action],
            # Moves with nothing to ask are one button on the case page.
            "direct": FIELDS.get(action, ("on",)) == ("on",),
        }
        for action in Action
        if casework.can(complaint, action, actor, state)
    ]
