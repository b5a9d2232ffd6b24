"""Every message we send, declared once, with neutral wording.

A phone or inbox may be seen by the person a child is complaining about, so what goes to a
complainant, or to their advocate or social worker for them, never mentions complaints, harm,
social care or names: it says there is an update and, for the person themselves only, gives
their private link. Staff and duty-team alerts carry a link to the staff area, never case
content. `CATALOGUE` declares each kind of message once: who it is for, its subject and lines
(translated for the public, in English for staff) and the placeholders it fills.
`portal/services/messages.py` works out who gets one, in which language, and queues it.

Pure: no Flask and no database (`_l` is translated by the app when a message is rendered).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from portal.translatable import LazyText, _l


@dataclass(frozen=True)
class Message:
    subject: str
    body: str


class For(StrEnum):
    """Who a declared message is worded for."""

    PERSON = "person"  # the complainant, by email or text: with their own private link
    GO_BETWEEN = "go_between"  # their advocate or social worker: the reference, never the link
    DUTY = "duty"  # the duty team, or the out-of-hours team (English)
    STAFF = "staff"  # one member of staff (English)


PUBLIC = frozenset({For.PERSON, For.GO_BETWEEN})  # translated into every language
LINK = "%(link)s"  # a link on a line of its own (never translated)
REASON = "%(reason)s"  # a move's own plain words (`Transition.public`), already translated
PLACEHOLDER = re.compile(r"%\((\w+)\)s")

Line = str | LazyText


@dataclass(frozen=True)
class Notice:
    """One kind of message for one audience: its neutral subject and lines.

    A line whose placeholders are not all given is left out (a pause has no new date); a
    line ending in ":" is followed by the next on the very next line (a link).
    """

    kind: str
    to: For
    subject: Line
    lines: tuple[Line, ...]
    uses: frozenset[str]

    @property
    def translated(self) -> bool:
        return self.to in PUBLIC

    def render(self, **values: Any) -> Message:
        """Fill the placeholders, in the language in force (portal/services/messages.py)."""
        subject = _fill(self.subject, values)
        if subject is None:
            raise ValueError(f"{self.kind}: the subject needs {sorted(self.uses)}")
        body = ""
        for line in filter(None, (_fill(line, values) for line in self.lines)):
            body += ("\n" if body.endswith(":") else "\n\n") + line if body else line
        return Message(subject=subject, body=body)


def _fill(line: Line, values: Mapping[str, Any]) -> str | None:
    text = str(line)
    names = PLACEHOLDER.findall(text)
    if any(values.get(name) in (None, "") for name in names):
        return None
    return text % {name: values[name] for name in names} if names else text


def placeholders(notice: Notice) -> set[str]:
    """The placeholders a notice's English words use (its `uses` must say the same)."""
    return {n for line in (notice.subject, *notice.lines) for n in PLACEHOLDER.findall(str(line))}


# For the person who complained: neutral words, in their language.
NEUTRAL_SUBJECT = _l("A message from %(council)s")
_KEEP_IT_PRIVATE = _l("Keep the link private. Anyone who has it can see what you sent.")
_SEE_MORE = _l("Open your private link to see more:")
_READ_IT = _l("Open your private link to read it:")
_NEW_DATE = _l("The new date is %(date)s.")
_TELL_THEM = _l("Please tell them. They can read it with their private link.")


def _uses(*names: str) -> frozenset[str]:
    return frozenset(names)


_PERSON = frozenset({"council", "link"})
_GO_BETWEEN = frozenset({"council", "reference"})
# Kinds of message (the outbox's `kind`).
COMPLAINT_RECEIVED = "complaint_received"
DATE_CHANGED = "date_changed"
NEW_MESSAGE = "new_message"
ANSWER_READY = "answer_ready"
STOPPED = "stopped"
CASE_ASSIGNED = "case_assigned"
URGENT_ALERT = "urgent_alert"
HELP_REQUEST_ALERT = "help_request_alert"
URGENT_AGAIN = "urgent_alert_again"
HELP_REQUEST_AGAIN = "help_request_alert_again"
LINK_HELP = "link_help"
STAFF_DIGEST = "staff_digest"
STATUS_LINK = "status_link"  # a private link staff give someone who complained by phone …
LOST_LINK = "lost_link"
STAFF_SET_UP = "staff_set_up"
DATA_BREACH_ALERT = "data_breach_alert"

# What staff call each kind of message (the undelivered panel, a case's message list).
# tests/messages/test_catalogue.py fails when a kind is queued without a name here.
STAFF_LABELS = {
    COMPLAINT_RECEIVED: "We got it (to the complainant)",
    DATE_CHANGED: "A date changed",
    NEW_MESSAGE: "A message from staff",
    ANSWER_READY: "The answer is ready",
    STOPPED: "The complaint was stopped",
    CASE_ASSIGNED: "Case assigned to an officer",
    URGENT_ALERT: "Urgent alert to the duty team",
    HELP_REQUEST_ALERT: "Urgent contact request to the duty team",
    URGENT_AGAIN: "Urgent alert sent again (out of hours)",
    HELP_REQUEST_AGAIN: "Contact request sent again (out of hours)",
    LINK_HELP: "Link help request",
    STAFF_DIGEST: "Daily digest",
    STATUS_LINK: "Private link",
    LOST_LINK: "New private link (lost link)",
    STAFF_SET_UP: "Staff set-up link",
    DATA_BREACH_ALERT: "Possible data breach (to information governance)",
}

CATALOGUE: tuple[Notice, ...] = (
    # To the complainant (email or text), and to their advocate or social worker for them.
    Notice(
        COMPLAINT_RECEIVED,
        For.PERSON,
        NEUTRAL_SUBJECT,
        (
            _l("We got what you sent. Your reference is %(reference)s."),
            _l("Open your private link to see what happens next:"),
            LINK,
            _KEEP_IT_PRIVATE,
        ),
        _PERSON | {"reference"},
    ),
    Notice(
        COMPLAINT_RECEIVED,
        For.GO_BETWEEN,
        NEUTRAL_SUBJECT,
        (
            _l("We got what was sent for the young person with reference %(reference)s."),
            _l("Please tell them. They can see what happens next with their private link."),
        ),
        _GO_BETWEEN,
    ),
    Notice(
        DATE_CHANGED,
        For.PERSON,
        NEUTRAL_SUBJECT,
        (_l("A date has changed."), REASON, _NEW_DATE, _SEE_MORE, LINK),
        _PERSON | {"reason", "date"},
    ),
    Notice(
        DATE_CHANGED,
        For.GO_BETWEEN,
        NEUTRAL_SUBJECT,
        (
            _l("A date has changed for the young person with reference %(reference)s."),
            REASON,
            _NEW_DATE,
            _l("Please tell them."),
        ),
        _GO_BETWEEN | {"reason", "date"},
    ),
    Notice(
        NEW_MESSAGE,
        For.PERSON,
        NEUTRAL_SUBJECT,
        (_l("There is a new message for you."), _READ_IT, LINK),
        _PERSON,
    ),
    Notice(
        NEW_MESSAGE,
        For.GO_BETWEEN,
        NEUTRAL_SUBJECT,
        (
            _l("There is a new message for the young person with reference %(reference)s."),
            _TELL_THEM,
        ),
        _GO_BETWEEN,
    ),
    Notice(
        ANSWER_READY,
        For.PERSON,
        NEUTRAL_SUBJECT,
        (_l("Your answer is ready."), _READ_IT, LINK),
        _PERSON,
    ),
    Notice(
        ANSWER_READY,
        For.GO_BETWEEN,
        NEUTRAL_SUBJECT,
        (_l("The answer is ready for the young person with reference %(reference)s."), _TELL_THEM),
        _GO_BETWEEN,
    ),
    Notice(
        STOPPED,
        For.PERSON,
        NEUTRAL_SUBJECT,
        (
            _l("What you sent us has been stopped."),
            _l("Did you not ask for this? Call us on %(phone)s."),
            _SEE_MORE,
            LINK,
        ),
        _PERSON | {"phone"},
    ),
    Notice(
        STOPPED,
        For.GO_BETWEEN,
        NEUTRAL_SUBJECT,
        (
            _l("What was sent for the young person with reference %(reference)s has been stopped."),
            _l("Please tell them. If they did not ask for this, call us on %(phone)s."),
        ),
        _GO_BETWEEN | {"phone"},
    ),
    # To the duty team, the out-of-hours team and staff: a link, never case content.
    Notice(
        URGENT_ALERT,
        For.DUTY,
        "Speak Up: urgent, needs attention",
        ("An urgent complaint needs attention: %(link)s",),
        _uses("link"),
    ),
    Notice(
        HELP_REQUEST_ALERT,
        For.DUTY,
        "Speak Up: urgent contact request",
        ("Someone asked for urgent contact: %(link)s", "They have asked %(times)s times."),
        _uses("link", "times"),
    ),
    Notice(
        URGENT_AGAIN,
        For.DUTY,
        "Speak Up: urgent, not seen yet",
        (
            "Sent again to the out-of-hours team: this urgent alert came at %(since)s and "
            "nobody has said they have seen it yet.",
            "Please check it now: %(link)s",
        ),
        _uses("since", "link"),
    ),
    Notice(
        HELP_REQUEST_AGAIN,
        For.DUTY,
        "Speak Up: urgent contact request, not seen yet",
        (
            "Sent again to the out-of-hours team: someone asked for urgent contact at %(since)s "
            "and nobody has opened the request yet.",
            "Please check it now: %(link)s",
        ),
        _uses("since", "link"),
    ),
    Notice(
        LINK_HELP,
        For.STAFF,
        "Speak Up: help needed with a private link",
        ("Someone needs help opening a private link. Check who they are first: %(link)s",),
        _uses("link"),
    ),
    Notice(
        DATA_BREACH_ALERT,
        For.STAFF,
        "Speak Up: a possible data breach to look at",
        (
            "Part of a case is about wrong or shared information, so it may be a data breach. "
            "Open the case here: %(link)s",
        ),
        _uses("link"),
    ),
    Notice(
        CASE_ASSIGNED,
        For.STAFF,
        "Speak Up: a case for you",
        ("A case has been given to you. Open it here: %(link)s",),
        _uses("link"),
    ),
    Notice(
        STAFF_DIGEST,
        For.STAFF,
        "Speak Up: your cases, %(day)s",
        (
            "Your cases due in the next %(days)s working days, or overdue:\n%(yours)s",
            "Every case past its deadline:\n%(overdue)s",
            "%(more)s",
            "Open the tracker: %(link)s",
            "You can turn these emails off on your account page: %(account)s",
        ),
        _uses("day", "days", "yours", "overdue", "more", "link", "account"),
    ),
)
NOTICES: dict[tuple[str, For], Notice] = {(n.kind, n.to): n for n in CATALOGUE}
# The kinds that reach the complainant (or someone for them), and so may be named by a move.
FOR_COMPLAINANTS = frozenset(n.kind for n in CATALOGUE if n.to == For.PERSON)
FOR_STAFF = frozenset(n.kind for n in CATALOGUE if n.to == For.STAFF)


def notice(kind: str, to: For) -> Notice:
    return NOTICES[(kind, to)]


def urgent_complaint_alert(link: str) -> Message:
    """Tell the duty team an urgent complaint needs attention (no case content)."""
    return notice(URGENT_ALERT, For.DUTY).render(link=link)


def help_request_alert(link: str, times: int = 1) -> Message:
    """Tell the duty team someone asked to be contacted urgently (no case content)."""
    return notice(HELP_REQUEST_ALERT, For.DUTY).render(
        link=link, times=times if times > 1 else None
    )


def secret_word_help_alert(link: str) -> Message:
    """Tell the complaints team someone needs help with a secret word (no case content)."""
    return notice(LINK_HELP, For.STAFF).render(link=link)


def status_link_message(council: str, reference: str, link: str) -> Message:
    """Give someone whose complaint staff logged their reference and private link: the same
    words as when a complaint arrives, in the language in force (call it in `force_locale`)."""
    return notice(COMPLAINT_RECEIVED, For.PERSON).render(
        council=council, reference=reference, link=link
    )


def lost_link_message(council: str, links: list[str]) -> Message:
    """A new private link (one per complaint) for someone who lost theirs ("I lost my link").

    Neutral like every message to a complainant, in the language in force (call it inside
    `force_locale`). Every older link has stopped working, so the message says so.
    """
    one = len(links) == 1
    lines = [
        "\n".join(
            [
                str(
                    _l("You asked for a new private link. Here it is:")
                    if one
                    else _l("You asked for new private links. Here they are:")
                ),
                *links,
            ]
        ),
        _l("Your old link will not work now. Use this one.")
        if one
        else _l("Your old links will not work now. Use these ones."),
        _l("Keep the link private. Anyone who has it can see what you sent."),
        _l("Did you not ask for this? You can still use the new link."),
    ]
    return Message(
        subject=str(_l("A message from %(council)s")) % {"council": council},
        body="\n\n".join(str(line) for line in lines),
    )


# Compliments and comments (portal/services/feedback.py) -----------------------------------
#
# Not in CATALOGUE, whose public notices are about a complaint and carry the private link: an
# answer to a compliment or an idea has no link and no reference. The same rules hold, and
# tests/portal/test_feedback.py renders each one in every language and checks it gives
# nothing away. By email the answer itself follows a neutral subject; a text only says there
# is an answer and that we will call (anyone holding the phone may read it).
FEEDBACK_ANSWER = "feedback_answer"
FEEDBACK_ANSWER_TEXT = "feedback_answer_text"
FEEDBACK_SAFETY_ALERT = "feedback_safety_alert"
FEEDBACK_SAFETY_AGAIN = "feedback_safety_alert_again"
FEEDBACK_NOTICES: tuple[Notice, ...] = (
    Notice(
        FEEDBACK_ANSWER,
        For.PERSON,
        NEUTRAL_SUBJECT,
        (_l("Thank you for your message to us."), _l("Here is our answer:"), "%(answer)s"),
        _uses("council", "answer"),
    ),
    Notice(
        FEEDBACK_ANSWER_TEXT,
        For.PERSON,
        NEUTRAL_SUBJECT,
        (_l("Thank you for your message. We have an answer for you. We will call you soon."),),
        _uses("council"),
    ),
    Notice(
        FEEDBACK_SAFETY_ALERT,
        For.DUTY,
        "Speak Up: words to check now",
        (
            "A compliment or comment has words that may mean a young person is not safe. "
            "Please read it now: %(link)s",
        ),
        _uses("link"),
    ),
    Notice(
        FEEDBACK_SAFETY_AGAIN,
        For.DUTY,
        "Speak Up: words to check, not opened yet",
        (
            "Sent again to the out-of-hours team: a compliment or comment with words to check "
            "came at %(since)s and nobody has opened it yet.",
            "Please check it now: %(link)s",
        ),
        _uses("since", "link"),
    ),
)
NOTICES.update({(n.kind, n.to): n for n in FEEDBACK_NOTICES})
STAFF_LABELS.update(
    {
        FEEDBACK_ANSWER: "Answer to a compliment or comment (email)",
        FEEDBACK_ANSWER_TEXT: "We will call with an answer (text)",
        FEEDBACK_SAFETY_ALERT: "Words to check in a compliment or comment (to the duty team)",
        FEEDBACK_SAFETY_AGAIN: "Words to check in a compliment or comment, sent again",
    }
)


def feedback_answer(council: str, answer: str) -> Message:
    """Staff's answer to a compliment or comment, by email, in the language in force."""
    return notice(FEEDBACK_ANSWER, For.PERSON).render(council=council, answer=answer)


# "Send me my link": a person on the confirmation or status page asks for their link to be sent.
MY_LINK = "my_link"
STAFF_LABELS[MY_LINK] = "Their private link (they asked for it)"


def my_link_message(council: str, link: str) -> Message:
    """The private link, sent because the person asked for it on the page ("Send me my link").

    Neutral like every message to a complainant, in the language in force (call it inside
    `force_locale`): whoever else reads the phone or inbox learns nothing from it.
    """
    lines = [
        "\n".join([str(_l("You asked us to send you your private link. Here it is:")), link]),
        _l("Keep the link private. Anyone who has it can see what you sent."),
        _l("Did you not ask for this? You can delete this message."),
    ]
    return Message(
        subject=str(_l("A message from %(council)s")) % {"council": council},
        body="\n\n".join(str(line) for line in lines),
    )
