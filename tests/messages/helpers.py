"""What the messages tests share: complaints sent the way people send them, and the outbox."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select

from portal.extensions import db
from portal.models import OutboxMessage
from tests.pages import PageClient
from tests.portal.journey import PARENT, YOUNG_PERSON, send_complaint

EMAIL = "jess.private@example.com"
PHONE = "07700 900123"
# A young person who wants messages by email, and says that is safe.
BY_EMAIL = {**YOUNG_PERSON, "contact": "email", "email": EMAIL, "contact_safe": "yes"}
BY_TEXT = {**YOUNG_PERSON, "contact": "text", "phone": PHONE, "contact_safe": "yes"}
ADVOCATE = {
    **PARENT,
    "who": "advocate",
    "advocate_name": "Sam Patel",
    "advocate_organisation": "Local Advocacy Service",
    "advocate_email": "sam@advocacy.example.org",
    "advocate_phone": "",
    "child_asked": "yes",
    "child_words": "I want to see my mum every week.",
}
LINK = re.compile(r"https?://\S+/s/\S+")


def send(app, answers: dict[str, Any], language: str | None = None) -> tuple[PageClient, str]:
    """Send a complaint through the conversation; return the browser and the reference."""
    person = PageClient(app.test_client())
    if language:
        person.client.set_cookie("lang", language, domain="speakup.test")
    done = send_complaint(person, answers)
    return person, done.select_one("#reference").text.strip()


def outbox(app, kind: str | None = None, **where: Any) -> list[OutboxMessage]:
    """The messages queued, oldest first (of one kind, or with these column values)."""
    with app.app_context():
        query = select(OutboxMessage).order_by(OutboxMessage.id)
        if kind is not None:
            query = query.where(OutboxMessage.kind == kind)
        for name, value in where.items():
            query = query.where(getattr(OutboxMessage, name) == value)
        return list(db.session.scalars(query))


def private_link(message: OutboxMessage) -> str | None:
    found = LINK.search(message.body)
    return found.group(0) if found else None
