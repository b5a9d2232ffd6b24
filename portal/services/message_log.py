"""What was sent about a case, for the staff case page: every outbox message, never an address.

Staff see when each message was queued and sent, which route it took (channel and audience),
where it is up to and its neutral words. Addresses are masked (`portal.contact.mask`), and a
private link in the words is shown only as the start of its address: staff never get a working
copy of the complainant's link from this page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from portal.contact import mask
from portal.extensions import db
from portal.models import Complaint, OutboxMessage

STATUS_LABELS = {
    "queued": "Queued",
    "sent": "Sent",
    "failed": "Failed",
    "not_sendable": "Not sendable",
}
CHANNEL_LABELS = {"email": "Email", "sms": "Text message"}
AUDIENCE_LABELS = {
    "complainant": "the complainant",
    "advocate": "their advocate",
    "social_worker": "their social worker",
    "duty": "the duty team",
    "out_of_hours": "the out-of-hours team",
    "staff": "staff",
    "officer": "the case officer",
    "manager": "managers",
}
# A private status link (/s/<token>) in a message: the token is what opens the complaint.
_PRIVATE_LINK = re.compile(r"(/s/)[A-Za-z0-9_\-.]+")
HIDDEN_LINK = r"\1… (private link, hidden)"


def hide_private_links(text: str) -> str:
    """Show where a private link went, never the token that opens it."""
    return _PRIVATE_LINK.sub(HIDDEN_LINK, text or "")


def route_label(channel: str, audience: str) -> str:
    """The route in words: "Email to the complainant", "Text message to their advocate" …"""
    how = CHANNEL_LABELS.get(channel, channel.replace("_", " ").capitalize())
    who = AUDIENCE_LABELS.get(audience, audience.replace("_", " "))
    return f"{how} to {who}"


@dataclass(frozen=True)
class LoggedMessage:
    id: int
    queued_utc: datetime
    sent_utc: datetime | None
    failed_utc: datetime | None
    status: str
    status_label: str
    route: str
    to: str  # masked
    subject: str
    body: str  # private links hidden
    attempts: int
    last_error: str | None  # the sender keeps personal data out of it


def _logged(message: OutboxMessage) -> LoggedMessage:
    return LoggedMessage(
        id=message.id,
        queued_utc=message.created_utc,
        sent_utc=message.sent_utc,
        failed_utc=message.failed_utc,
        status=message.status,
        status_label=STATUS_LABELS.get(message.status, message.status.replace("_", " ")),
        route=route_label(message.channel, message.audience),
        to=mask(message.to_address),
        subject=hide_private_links(message.subject),
        body=hide_private_links(message.body),
        attempts=message.attempts,
        last_error=message.last_error,
    )


def messages_about(complaint: Complaint) -> list[LoggedMessage]:
    """Every message about this case, newest first."""
    found = db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.complaint_id == complaint.id)
        .order_by(OutboxMessage.created_utc.desc(), OutboxMessage.id.desc())
    )
    return [_logged(m) for m in found]
