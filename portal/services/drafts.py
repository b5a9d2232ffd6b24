"""Drafts: every answer saved on the server as it is given."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import bindparam, delete, insert, select, update

from portal.clock import now_utc
from portal.extensions import PlainWrite, db
from portal.models import Draft

# Built once, run on every question page and answer: plain rows, not ORM objects (a third of
# the cost). A page reads its draft with the visitor's session (public_sessions.live); an
# answer is written in a transaction of its own.
_TABLE = Draft.__table__
# What a page reads of a draft (also read with the visitor's session: public_sessions.live).
COLUMNS = (
    _TABLE.c.id,
    _TABLE.c.journey,
    _TABLE.c.answers,
    _TABLE.c.submitted_utc,
    _TABLE.c.urgent_reasons,
)
_BY_KEY = select(*COLUMNS).where(_TABLE.c.key == bindparam("key"))


class Row(NamedTuple):
    """A draft as read: COLUMNS, in order."""

    id: int
    journey: str
    answers: dict[str, Any]
    submitted_utc: datetime | None
    urgent_reasons: list[str] | None


# An answer saved to a draft: built once too (building and keying the statement afresh took
# twice as long as running it).
_SAVE = (
    update(_TABLE)
    .where(_TABLE.c.id == bindparam("draft_id"))
    .values(
        answers=bindparam("new_answers", type_=_TABLE.c.answers.type),
        updated_utc=bindparam("now", type_=_TABLE.c.updated_utc.type),
    )
)
_SAVE_WITH_RISKS = _SAVE.values(
    urgent_reasons=bindparam("new_reasons", type_=_TABLE.c.urgent_reasons.type)
)
_SAVING, _SAVING_WITH_RISKS = PlainWrite(_SAVE), PlainWrite(_SAVE_WITH_RISKS)


def _find(key: str | None):
    """The draft with this key, as a row, or None."""
    if not key:
        return None
    return db.session.connection().execute(_BY_KEY, {"key": key}).one_or_none()


@dataclass(frozen=True)
class Saved:
    answers: dict[str, Any]
    is_sent: bool = False
    # The row as read, so an answer saved in the same request need not read it again.
    row: Any = field(default=None, repr=False, compare=False)


def load(key: str | None) -> Saved:
    """Return what a visitor's draft holds, and whether it has been sent already."""
    return saved_from(_find(key))


def saved_from(draft: Any) -> Saved:
    """What a draft read as COLUMNS holds (None: no draft)."""
    if draft is None:
        return Saved({})
    if draft.submitted_utc is not None:
        return Saved({}, is_sent=True, row=draft)
    return Saved(dict(draft.answers), row=draft)


def save_answer(
    key: str | None,
    journey: str,
    step_id: str,
    value: Any,
    risks: Iterable[str] = (),
    saved: Saved | None = None,
) -> str:
    """Save one answer (and any safety risks in it), starting a new draft when needed.

    Returns the draft's key. The risks are stored in the same transaction as the words.
    `saved` is what `load(key)` gave earlier in this request, when there was one.
    """
    draft = _find(key) if saved is None else saved.row
    now = now_utc()
    if draft is None or draft.submitted_utc is not None or draft.journey != journey:
        key = secrets.token_urlsafe(32)
        with db.engine.begin() as connection:
            connection.execute(
                insert(_TABLE).values(
                    key=key,
                    journey=journey,
                    answers={step_id: value},
                    created_utc=now,
                    updated_utc=now,
                    urgent_reasons=sorted(set(risks)),
                )
            )
        return key
    values = {"draft_id": draft.id, "new_answers": {**draft.answers, step_id: value}, "now": now}
    if risks:
        values["new_reasons"] = sorted(set(draft.urgent_reasons or []) | set(risks))
    # One statement, a transaction of its own, on the driver's cursor (PlainWrite: an answer
    # needs no ORM session or Connection, each of which cost more than the UPDATE itself).
    (_SAVING_WITH_RISKS if risks else _SAVING).run(db.engine, **values)
    return key


def purge_abandoned(older_than: timedelta) -> int:
    """Delete unsent drafts nobody has touched for a while; return how many went."""
    cutoff = now_utc() - older_than
    result = db.session.execute(
        delete(Draft).where(Draft.submitted_utc.is_(None), Draft.updated_utc < cutoff)
    )
    db.session.commit()
    return result.rowcount
