"""Drafts: every answer saved on the server as it is given."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import bindparam, delete, inspect, select

from portal.clock import now_utc
from portal.extensions import db
from portal.models import Draft

_BY_KEY = select(Draft).where(Draft.key == bindparam("key"))  # built once, run per request


def _find(key: str | None) -> Draft | None:
    """The draft with this key. Found once per database session: an answer's request loads
    the draft, then saves to it, and a second SELECT would hand back the same object anyway
    (the session keeps what it loaded; a commit does not expire it)."""
    if not key:
        return None
    known = db.session.info.setdefault("drafts", {})
    draft = known.get(key)
    if draft is not None:
        state = inspect(draft)
        if state.persistent and not state.expired_attributes:
            return draft
    draft = db.session.scalars(_BY_KEY, {"key": key}).one_or_none()
    if draft is not None:
        known[key] = draft
    return draft


@dataclass(frozen=True)
class Saved:
    answers: dict[str, Any]
    is_sent: bool = False


def load(key: str | None) -> Saved:
    """Return what a visitor's draft holds, and whether it has been sent already."""
    draft = _find(key)
    if draft is None:
        return Saved({})
    if draft.submitted_utc is not None:
        return Saved({}, is_sent=True)
    return Saved(dict(draft.answers))


def save_answer(
    key: str | None, journey: str, step_id: str, value: Any, risks: Iterable[str] = ()
) -> str:
    """Save one answer (and any safety risks in it), starting a new draft when needed.

    Returns the draft's key. The risks are stored in the same transaction as the words.
    """
    draft = _find(key)
    if draft is None or draft.submitted_utc is not None or draft.journey != journey:
        draft = Draft(
            key=secrets.token_urlsafe(32), journey=journey, answers={}, created_utc=now_utc()
        )
        db.session.add(draft)
    # Assign a new dict so SQLAlchemy sees the change to the JSON column.
    draft.answers = {**draft.answers, step_id: value}
    draft.updated_utc = now_utc()
    if risks:
        draft.urgent_reasons = sorted(set(draft.urgent_reasons or []) | set(risks))
    db.session.commit()
    return draft.key


def purge_abandoned(older_than: timedelta) -> int:
    """Delete unsent drafts nobody has touched for a while; return how many went."""
    cutoff = now_utc() - older_than
    result = db.session.execute(
        delete(Draft).where(Draft.submitted_utc.is_(None), Draft.updated_utc < cutoff)
    )
    db.session.commit()
    return result.rowcount
