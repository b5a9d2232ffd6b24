"""Every message we send, in one place, with neutral wording.

A phone or inbox may be seen by the person a child is complaining about, so subjects and
bodies never mention complaints, harm or names. Staff alerts carry a link, never case content.
Email sending comes later; messages wait in the outbox until then.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class Message:
    subject: str
    body: str


def urgent_complaint_alert(link: str) -> Message:
    """Tell the duty team an urgent complaint needs attention (no case content)."""
    return Message(
        subject="Speak Up: urgent, needs attention",
        body=f"An urgent complaint needs attention: {link}",
    )


def help_request_alert(link: str, times: int = 1) -> Message:
    """Tell the duty team someone asked to be contacted urgently (no case content)."""
    again = f" They have asked {times} times." if times > 1 else ""
    return Message(
        subject="Speak Up: urgent contact request",
        body=f"Someone asked for urgent contact: {link}{again}",
    )


def secret_word_help_alert(link: str) -> Message:
    """Tell the complaints team someone needs help with a secret word (no case content)."""
    return Message(
        subject="Speak Up: help needed with a private link",
        body=f"Someone needs help opening a private link. Check who they are first: {link}",
    )


def status_link_message(council: str, reference: str, link: str) -> Message:
    """Give someone whose complaint staff logged their reference and private link.

    Neutral, like every message to a complainant: no complaint, harm or names.
    """
    return Message(
        subject=f"A message from {council}",
        body=(
            f"Your reference is {reference}.\n\n"
            f"Open your private link to see what is happening:\n{link}\n\n"
            "Keep this link private. Anyone who has it can see what you told us."
        ),
    )


# For the person who complained (used by email and text when they are built): neutral words.
NEUTRAL_SUBJECT = _l("A message from %(council)s")
NEUTRAL_UPDATE = _l("There is an update for you. Open your private link to see it.")
