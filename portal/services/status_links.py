"""Private status links: signed, revocable through a link version, expiring after closure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select

from portal.clock import now_utc
from portal.extensions import db
from portal.models import Complaint, Event
from portal.services.complaints import closed_utc
from portal.types import EventType

SALT = "speakup.status-link"


class LinkProblem(StrEnum):
    INVALID = "invalid"
    REVOKED = "revoked"
    EXPIRED = "expired"


@dataclass(frozen=True)
class Access:
    complaint: Complaint | None
    problem: LinkProblem | None = None


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def token_for(complaint: Complaint) -> str:
    """Sign a token that names only the complaint's public id and its current link version."""
    return _serializer().dumps({"c": complaint.public_id, "v": complaint.status_link_version})


def check(public_id: object, version: object) -> Access:
    """Check that a complaint exists, the link version is current and the link has not expired."""
    if not isinstance(public_id, str) or not isinstance(version, int):
        return Access(None, LinkProblem.INVALID)
    complaint = db.session.scalars(
        select(Complaint).where(Complaint.public_id == public_id)
    ).one_or_none()
    if complaint is None:
        return Access(None, LinkProblem.INVALID)
    if version != complaint.status_link_version:
        return Access(None, LinkProblem.REVOKED)
    closed = closed_utc(complaint)
    keep_for = timedelta(days=current_app.config["STATUS_LINK_DAYS_AFTER_CLOSE"])
    if closed is not None and now_utc() > closed + keep_for:
        return Access(None, LinkProblem.EXPIRED)
    return Access(complaint)


def redeem(token: str) -> Access:
    """Read a status token from a link. Age is judged by the complaint's closure, not the token."""
    try:
        payload = _serializer().loads(token)
    except BadSignature:
        return Access(None, LinkProblem.INVALID)
    if not isinstance(payload, dict):
        return Access(None, LinkProblem.INVALID)
    return check(payload.get("c"), payload.get("v"))


def _bump(complaint: Complaint, event: EventType, actor: str) -> None:
    complaint.status_link_version += 1
    db.session.add(Event(complaint=complaint, type=event, at_utc=now_utc(), actor=actor, data={}))
    db.session.commit()


def reissue(complaint: Complaint, actor: str) -> str:
    """Stop every earlier link working and return a new one (the person asked for a fresh link)."""
    _bump(complaint, EventType.STATUS_LINK_REISSUED, actor)
    return token_for(complaint)


def revoke(complaint: Complaint, actor: str) -> None:
    """Stop every link to this complaint working."""
    _bump(complaint, EventType.STATUS_LINK_REVOKED, actor)
