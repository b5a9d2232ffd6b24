"""Extensions created here and bound to the app in create_app."""

from __future__ import annotations

import os
import threading
import weakref
from typing import Any

from flask import Flask, current_app, g
from flask_babel import Babel
from flask_wtf import CSRFProtect
from sqlalchemy import Dialect, Engine, Select, create_engine, event
from sqlalchemy.exc import DBAPIError, MultipleResultsFound
from sqlalchemy.orm import Session, sessionmaker

csrf = CSRFProtect()
babel = Babel()


class Database:
    """A plain SQLAlchemy engine per app and one session per app context."""

    def init_app(self, app: Flask) -> None:
        engine = make_engine(app.config["DATABASE_URL"])
        app.extensions["database"] = (engine, sessionmaker(engine, expire_on_commit=False))
        app.teardown_appcontext(self._close)

    @property
    def engine(self) -> Engine:
        return current_app.extensions["database"][0]

    @property
    def session(self) -> Session:
        if "db_session" not in g:
            g.db_session = current_app.extensions["database"][1]()
        return g.db_session

    @staticmethod
    def _close(_exc: BaseException | None) -> None:
        session = g.pop("db_session", None)
        if session is not None:
            session.close()


def make_engine(url: str) -> Engine:
    """Create an engine; SQLite gets foreign keys and a busy timeout for concurrent writers.

    SQLite (a laptop's or `make run`'s database: production refuses it) writes ahead to a log
    and syncs it to disk at checkpoints, not at every commit (synchronous=NORMAL, SQLite's
    advice for WAL): a commit survives the app crashing or being stopped; only the last
    moments before the machine itself loses power may be lost, and the file stays whole. A
    sync on every answer was most of an answer's cost.

    hide_parameters: a database error's message (which the 500 handler logs) shows the SQL but
    never the values bound to it: what a child wrote, a draft's key, a password hash.
    """
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 15}, hide_parameters=True)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):  # pragma: no cover - driver hook
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True, hide_parameters=True)


class PlainRead:
    """A SELECT for the hottest path (every public page), run on the driver's own cursor.

    Running a statement through SQLAlchemy's Connection costs four times what the query costs
    in the database (measured on SQLite: about 100 against 25 microseconds, most of it making
    the connection wrapper, its context and result). Here the statement is compiled once per
    dialect, run on a pooled connection's DB-API cursor (so the pool, its reset and its
    pre-ping work as always), and each column is turned into what SQLAlchemy would give (its
    own result processors: a UTC date read back from SQLite's text, JSON decoded). Its binds
    must be plain text or numbers that the driver takes as they are: checked when compiled.
    tests/test_plain_read.py compares every row with what SQLAlchemy reads, on SQLite and on
    PostgreSQL.

    The connection is one of a few kept checked out for these reads (`_Held`): checking one
    out of the pool and back in (its reset, its pre-ping) was most of what was left.
    """

    def __init__(self, statement: Select) -> None:
        self.statement = statement
        self._compiled: dict[tuple[str, str], tuple[str, tuple[str, ...] | None, tuple]] = {}

    def _compile(self, dialect: Dialect) -> tuple[str, tuple[str, ...] | None, tuple]:
        key = (dialect.name, dialect.driver)
        found = self._compiled.get(key)
        if found is None:
            compiled = self.statement.compile(dialect=dialect)
            for bind, name in compiled.bind_names.items():
                if name != bind.key or bind.type.dialect_impl(dialect).bind_processor(dialect):
                    raise TypeError(f"{bind.key}: PlainRead takes binds the driver takes as-is")
            order = tuple(compiled.positiontup or ()) if dialect.positional else None
            processors = tuple(
                column.type.dialect_impl(dialect).result_processor(dialect, None)
                for column in self.statement.selected_columns
            )
            found = self._compiled[key] = (compiled.string, order, processors)
        return found

    def one_or_none(self, engine: Engine, **params: Any) -> tuple | None:
        """The one row the statement finds (a tuple, in the order selected), or None."""
        sql, order, processors = self._compile(engine.dialect)
        values: Any = params if order is None else tuple(params[name] for name in order)
        dialect = engine.dialect
        while True:
            connection, kept = _HELD.take(engine)
            try:
                cursor = connection.cursor()
                try:
                    cursor.execute(sql, values)
                    rows = cursor.fetchmany(2)
                finally:
                    cursor.close()
            except dialect.loaded_dbapi.Error as error:
                # Never used again: closed, and its place in the pool given back.
                lost = dialect.is_disconnect(error, connection.dbapi_connection, None)
                connection.invalidate(error)
                if lost and kept:
                    continue  # it went while it waited (a database restart): on a fresh one
                # As SQLAlchemy's Connection does, the error is SQLAlchemy's, showing the SQL
                # and (with the engine's hide_parameters) never the values bound to it.
                raise DBAPIError.instance(
                    sql,
                    values,
                    error,
                    dialect.loaded_dbapi.Error,
                    hide_parameters=engine.hide_parameters,
                    connection_invalidated=lost,
                    dialect=dialect,
                    ismulti=False,
                ) from error
            _HELD.give_back(engine, connection)
            break
        if len(rows) > 1:
            raise MultipleResultsFound("PlainRead.one_or_none found more than one row")
        if not rows:
            return None
        return tuple(
            value if process is None else process(value)
            for process, value in zip(processors, rows[0], strict=True)
        )


class _Held:
    """Connections PlainRead keeps checked out of an engine's pool between reads: one for each
    read running at once, up to KEEP waiting (a sync worker needs one; a threaded server a
    few), each in autocommit, so none holds a transaction (or a lock) while it waits.

    A kept connection skips the pool's checkout and checkin (its pre-ping, its rollback): a
    connection that went while it waited (the database restarted) fails its next read, which
    then runs again on one the pool checks (PlainRead.one_or_none). One past KEEP, one that
    failed, and all of an engine's when it is disposed are invalidated: closed, and their
    places given back to the pool. Kept per process: a forked child never uses its parent's.
    """

    KEEP = 4

    def __init__(self) -> None:
        self._idle: weakref.WeakKeyDictionary[Engine, list] = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()

    def _waiting(self, engine: Engine) -> list:
        idle = self._idle.get(engine)
        if idle is None:
            with self._lock:
                idle = self._idle.get(engine)
                if idle is None:
                    idle = self._idle[engine] = []
                    event.listen(engine, "engine_disposed", lambda _engine: self._close(idle))
        return idle

    def take(self, engine: Engine) -> tuple[Any, bool]:
        """A connection for one read, and whether it was kept from an earlier one."""
        idle = self._waiting(engine)
        while idle:
            try:
                pid, connection = idle.pop()
            except IndexError:  # another thread took the last one
                break
            if pid == os.getpid():
                return connection, True
            _FORKED.append(connection)  # the parent's: never used, closed or collected here
        connection = engine.raw_connection()
        try:
            engine.dialect.do_rollback(connection.dbapi_connection)  # outside any transaction
            engine.dialect.set_isolation_level(connection.dbapi_connection, "AUTOCOMMIT")
        except BaseException:
            connection.invalidate()
            raise
        return connection, False

    def give_back(self, engine: Engine, connection: Any) -> None:
        idle = self._waiting(engine)
        if len(idle) < self.KEEP:
            idle.append((os.getpid(), connection))
        else:
            connection.invalidate()

    @staticmethod
    def _close(idle: list) -> None:
        while idle:
            try:
                pid, connection = idle.pop()
            except IndexError:
                return
            if pid == os.getpid():
                connection.invalidate()
            else:
                _FORKED.append(connection)


_HELD = _Held()
_FORKED: list = []


db = Database()
