"""Public sessions on the server, so "Exit this page" ends a session for real.

The visitor's signed cookie holds a random key; the server keeps only its SHA-256. A cookie
copied before Exit (or kept past the session's lifetime) names a session that has ended, so
it opens nothing: no draft, no complaint.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import bindparam, delete, or_, select, update

from portal.clock import now_utc
from portal.extensions import PlainRead, db
from portal.models import PublicSession
from portal.services import drafts

# Writing "last seen" on every request would make every page view a write; a minute is enough
# precision for a lifetime counted in hours.
TOUCH_EVERY = timedelta(minutes=1)


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def start() -> tuple[str, int]:
    """Start a session; return the key for the cookie and the session's id."""
    key = secrets.token_urlsafe(32)
    now = now_utc()
    row = PublicSession(key_hash=_hash(key), created_utc=now, seen_utc=now)
    db.session.add(row)
    db.session.commit()
    return key, row.id


# Built once, run on every public page on the driver's cursor (extensions.PlainRead): a plain
# row, not an ORM object, and no Connection around it.
_TABLE = PublicSession.__table__
_BY_HASH = select(_TABLE.c.id, _TABLE.c.ended_utc, _TABLE.c.seen_utc).where(
    _TABLE.c.key_hash == bindparam("key_hash")
)
_READ = PlainRead(_BY_HASH)


# The same, with the visitor's draft in the same round trip (every question page needs both).
_DRAFT_WIDTH = len(drafts.COLUMNS)
_DRAFTS = drafts.COLUMNS[0].table
_BY_HASH_WITH_DRAFT = (
    select(*_BY_HASH.selected_columns, *drafts.COLUMNS)
    .select_from(_TABLE.outerjoin(_DRAFTS, _DRAFTS.c.key == bindparam("draft_key")))
    .where(_TABLE.c.key_hash == bindparam("key_hash"))
)
_READ_WITH_DRAFT = PlainRead(_BY_HASH_WITH_DRAFT)


@dataclass(frozen=True)
class Live:
    id: int
    draft: drafts.Saved | None  # read with it when its key was given


def live(key: object, lifetime: timedelta, draft_key: object = None) -> Live | None:
    """Return the live session with this key (and, given its key, the visitor's draft), or
    None if it ended or is too old."""
    if not isinstance(key, str) or not key or len(key) > 100:
        return None
    with_draft = isinstance(draft_key, str) and bool(draft_key)
    # A pooled connection's cursor, given back at once: a question page then needs no ORM
    # session at all (making one and closing it cost a third more than the query itself).
    if with_draft:
        found = _READ_WITH_DRAFT.one_or_none(db.engine, key_hash=_hash(key), draft_key=draft_key)
    else:
        found = _READ.one_or_none(db.engine, key_hash=_hash(key))
    if found is None:
        return None
    session_id, ended_utc, seen_utc = found[:3]
    now = now_utc()
    if ended_utc is not None or now - seen_utc > lifetime:
        return None
    draft = None
    if with_draft:
        read = drafts.Row(*found[-_DRAFT_WIDTH:])
        draft = drafts.saved_from(read if read.id is not None else None)
    if now - seen_utc > TOUCH_EVERY:
        with db.engine.begin() as connection:
            connection.execute(update(_TABLE).where(_TABLE.c.id == session_id).values(seen_utc=now))
    return Live(session_id, draft)


def end(key: object) -> None:
    """End a session on the server (Exit, or a fresh session replacing it)."""
    if not isinstance(key, str) or not key:
        return
    db.session.execute(
        update(PublicSession)
        .where(PublicSession.key_hash == _hash(key), PublicSession.ended_utc.is_(None))
        .values(ended_utc=now_utc())
    )
    db.session.commit()


def purge(lifetime: timedelta) -> int:
    """Delete sessions that ended or went quiet more than a lifetime ago; return how many."""
    cutoff = now_utc() - lifetime
    result = db.session.execute(
        delete(PublicSession).where(
            or_(PublicSession.ended_utc < cutoff, PublicSession.seen_utc < cutoff - lifetime)
        )
    )
    db.session.commit()
    return result.rowcount
