"""extensions.PlainRead runs a SELECT on the driver's own cursor: what it gives back must be
what SQLAlchemy gives, value for value and type for type, on SQLite and on PostgreSQL."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

import psycopg
import pytest
from sqlalchemy import bindparam, select, text
from sqlalchemy.exc import DBAPIError, MultipleResultsFound

from portal.clock import now_utc
from portal.extensions import _HELD, PlainRead, PlainWrite, db
from portal.models import Draft
from portal.services import drafts, public_sessions
from tests.conftest import ON_POSTGRESQL

DRAFTS = Draft.__table__


def _both(statement, **params):
    """What SQLAlchemy's Connection reads, and what PlainRead reads."""
    with db.engine.connect() as connection:
        theirs = connection.execute(statement, params).one_or_none()
    ours = PlainRead(statement).one_or_none(db.engine, **params)
    return (tuple(theirs) if theirs is not None else None), ours


def test_the_session_and_draft_read_as_sqlalchemy_reads_them(app):
    with app.app_context():
        key, _ = public_sessions.start()
        draft_key = drafts.save_answer(None, "complaint", "who", "self", ["harm"])
        drafts.save_answer(draft_key, "complaint", "what", "Words — ünïcode, \"quoted\" 'too'")
        for statement, params in [
            (public_sessions._BY_HASH_WITH_DRAFT, {"draft_key": draft_key}),
            (public_sessions._BY_HASH_WITH_DRAFT, {"draft_key": "no such draft"}),
            (public_sessions._BY_HASH, {}),
        ]:
            theirs, ours = _both(statement, key_hash=public_sessions._hash(key), **params)
            assert ours == theirs
            assert [type(v) for v in ours] == [type(v) for v in theirs]
        row = _both(
            public_sessions._BY_HASH_WITH_DRAFT,
            key_hash=public_sessions._hash(key),
            draft_key=draft_key,
        )[1]
        assert row[5] == {"who": "self", "what": "Words — ünïcode, \"quoted\" 'too'"}
        assert row[7] == ["harm"]
        assert row[2].tzinfo is not None and abs(now_utc() - row[2]) < timedelta(minutes=1)


def test_no_row_is_none_and_two_rows_are_refused(app):
    with app.app_context():
        for _ in range(2):
            drafts.save_answer(None, "complaint", "who", "self")
        by_journey = select(DRAFTS.c.id).where(DRAFTS.c.journey == bindparam("journey"))
        assert PlainRead(by_journey).one_or_none(db.engine, journey="none such") is None
        with pytest.raises(MultipleResultsFound):
            PlainRead(by_journey).one_or_none(db.engine, journey="complaint")


def test_a_write_stores_what_sqlalchemy_stores(app):
    """drafts._SAVE_WITH_RISKS through PlainWrite (JSON, a UTC date and a list bound, each by
    SQLAlchemy's own bind processors) leaves the row as the same statement through
    SQLAlchemy's Connection leaves it."""
    with app.app_context():
        ours_key = drafts.save_answer(None, "complaint", "who", "self")
        theirs_key = drafts.save_answer(None, "complaint", "who", "self")
        ids = {}
        for key in (ours_key, theirs_key):
            ids[key] = PlainRead(select(DRAFTS.c.id).where(DRAFTS.c.key == bindparam("key")))
            ids[key] = ids[key].one_or_none(db.engine, key=key)[0]
        when = now_utc() - timedelta(minutes=3)
        values = {
            "new_answers": {"who": "self", "what": "Words — ünïcode, \"quoted\" 'too' 100%"},
            "now": when,
            "new_reasons": ["harm", "self_harm"],
        }
        write = PlainWrite(drafts._SAVE_WITH_RISKS)
        assert write.run(db.engine, draft_id=ids[ours_key], **values) == 1
        with db.engine.begin() as connection:
            connection.execute(drafts._SAVE_WITH_RISKS, {"draft_id": ids[theirs_key], **values})
        columns = select(DRAFTS.c.answers, DRAFTS.c.updated_utc, DRAFTS.c.urgent_reasons)
        with db.engine.connect() as connection:
            ours, theirs = (
                tuple(connection.execute(columns.where(DRAFTS.c.id == ids[key])).one())
                for key in (ours_key, theirs_key)
            )
            raw = connection.execute(
                text("SELECT answers, updated_utc FROM draft WHERE id IN (:a, :b) ORDER BY id"),
                {"a": ids[ours_key], "b": ids[theirs_key]},
            ).all()
        assert ours == theirs == (values["new_answers"], when, ["harm", "self_harm"])
        assert raw[0] == raw[1]  # as stored, byte for byte
        assert write.run(db.engine, draft_id=-1, **values) == 0


def test_a_database_error_is_sqlalchemys_with_the_values_hidden(app):
    """As through SQLAlchemy's Connection: the error shows the SQL, never a value bound to it,
    and the pool still hands out a working connection afterwards."""
    secret = "a draft key nobody may log"
    with app.app_context():
        read = PlainRead(select(DRAFTS.c.id).where(DRAFTS.c.key == bindparam("key")))
        with db.engine.begin() as connection:
            connection.exec_driver_sql("ALTER TABLE draft RENAME TO draft_gone")
        try:
            with pytest.raises(DBAPIError) as raised:
                read.one_or_none(db.engine, key=secret)
        finally:
            with db.engine.begin() as connection:
                connection.exec_driver_sql("ALTER TABLE draft_gone RENAME TO draft")
        assert "draft" in str(raised.value) and "parameters hidden" in str(raised.value)
        assert secret not in str(raised.value)
        assert read.one_or_none(db.engine, key=secret) is None


def test_a_read_keeps_its_connection_outside_any_transaction(app, database_url):
    """One connection serves read after read, checked out once, and waits in autocommit: it
    holds no transaction, so it blocks no other connection's writes or schema changes."""
    with app.app_context():
        key, _ = public_sessions.start()
        read = PlainRead(public_sessions._BY_HASH)
        for _ in range(3):
            assert read.one_or_none(db.engine, key_hash=public_sessions._hash(key)) is not None
        assert db.engine.pool.checkedout() == 1
        (_, kept), *others = _HELD._waiting(db.engine)
        assert others == []
        raw = kept.dbapi_connection
        if database_url.startswith("sqlite"):
            assert raw.in_transaction is False and raw.isolation_level is None
        else:
            assert raw.autocommit is True
            assert raw.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
        db.engine.dispose()
        assert _HELD._waiting(db.engine) == []
        assert raw.closed if not database_url.startswith("sqlite") else _closed_sqlite(raw)


def _closed_sqlite(raw) -> bool:
    try:
        raw.execute("SELECT 1")
    except sqlite3.ProgrammingError:
        return True
    return False


@ON_POSTGRESQL  # a server that can drop a connection
def test_a_kept_connection_the_server_dropped_is_replaced_and_the_read_still_answers(app):
    with app.app_context():
        key, _ = public_sessions.start()
        read = PlainRead(public_sessions._BY_HASH)
        assert read.one_or_none(db.engine, key_hash=public_sessions._hash(key)) is not None
        (_, kept), *_ = _HELD._waiting(db.engine)
        backend = kept.dbapi_connection.info.backend_pid
        with db.engine.begin() as connection:  # as a database restart would
            connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": backend})
        assert read.one_or_none(db.engine, key_hash=public_sessions._hash(key)) is not None
        (_, now_kept), *_ = _HELD._waiting(db.engine)
        assert now_kept.dbapi_connection.info.backend_pid != backend
        assert db.engine.pool.checkedout() == 1
