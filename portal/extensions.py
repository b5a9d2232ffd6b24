"""Extensions created here and bound to the app in create_app."""

from __future__ import annotations

import logging
import os
import threading
import weakref
from typing import Any

from flask import Flask, current_app, g, request
from flask_babel import Babel
from flask_wtf import CSRFProtect
from flask_wtf.csrf import same_origin
from sqlalchemy import Dialect, Engine, Executable, create_engine, event
from sqlalchemy.exc import DBAPIError, MultipleResultsFound
from sqlalchemy.orm import Session, sessionmaker
from wtforms import ValidationError

from portal.security import check_csrf_token


class _CSRFProtect(CSRFProtect):
    """Flask-WTF's CSRFProtect, its `protect` as in Flask-WTF 1.2 with the token checked by
    `security.check_csrf_token` (the same checks and messages, each token's HMAC once)."""

    def protect(self, apply_exemptions: bool = False) -> None:
        # The method first (Flask-WTF asks about exemptions first): a GET asks nothing more.
        if request.method not in current_app.config["WTF_CSRF_METHODS"]:
            return
        if apply_exemptions and (not request.endpoint or self._is_exempt()):
            return
        try:
            check_csrf_token(self._get_csrf_token())
        except ValidationError as error:
            logging.getLogger("flask_wtf.csrf").info(error.args[0])
            self._error_response(error.args[0])
        if request.is_secure and current_app.config["WTF_CSRF_SSL_STRICT"]:
            if not request.referrer:
                self._error_response("The referrer header is missing.")
            if not same_origin(request.referrer, f"https://{request.host}/"):
                self._error_response("The referrer does not match the host.")
        g.csrf_valid = True  # as Flask-WTF marks it: the form's own check is then skipped


csrf = _CSRFProtect()
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


SQLITE_CHECKPOINT_PAGES = 20_000  # 80 MB of log: only when nobody else checkpoints


def checkpoint(engine: Engine) -> tuple[int, int, int] | None:
    """Copy SQLite's write-ahead log into the database file, without waiting for anyone
    (PASSIVE): (busy, frames in the log, frames copied). None for other databases."""
    if engine.dialect.name != "sqlite":
        return None
    with engine.connect() as connection:
        busy, logged, copied = connection.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)").one()
    return busy, logged, copied


def make_engine(url: str) -> Engine:
    """Create an engine; SQLite gets foreign keys and a busy timeout for concurrent writers.

    SQLite (a laptop's or `make run`'s database: production refuses it) writes ahead to a log
    and syncs it to disk at checkpoints, not at every commit (synchronous=NORMAL, SQLite's
    advice for WAL): a commit survives the app crashing or being stopped; only the last
    moments before the machine itself loses power may be lost, and the file stays whole. A
    sync on every answer was most of an answer's cost.

    hide_parameters: a database error's message (which the 500 handler logs) shows the SQL but
    never the values bound to it: what a child wrote, a draft's key, a password hash.

    The checkpoints (copying the log into the database file, with a sync) are the sender's
    work (`checkpoint`, after each round): left to SQLite, the commit that fills the log to
    1,000 pages makes one, and that answer waited 15 to 20 ms for it (one in about a thousand
    here, most of an answer's p99 under load). A connection still makes one when the log
    reaches SQLITE_CHECKPOINT_PAGES (with no sender running, say).
    """
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 15}, hide_parameters=True)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):  # pragma: no cover - driver hook
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute(f"PRAGMA wal_autocheckpoint={SQLITE_CHECKPOINT_PAGES}")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True, hide_parameters=True)


class PlainRead:
    """A SELECT for the hottest path (every public page), run on the driver's own cursor.

    Running a statement through SQLAlchemy's Connection costs four times what the query costs
    in the database (measured on SQLite: about 100 against 25 microseconds, most of it making
    the connection wrapper, its context and result). Here the statement is compiled once per
    dialect and run on a DB-API cursor; each value bound is turned into what SQLAlchemy would
    send (its own bind processors: JSON encoded, a UTC date as SQLite's text) and each column
    into what SQLAlchemy would give (its result processors). tests/test_plain_read.py compares
    every row with what SQLAlchemy reads and writes, on SQLite and on PostgreSQL.

    The connection is one of a few kept checked out for these statements (`_Held`), in
    autocommit: checking one out of the pool and back in (its reset, its pre-ping) was most of
    what was left. So a statement is a transaction of its own (`PlainWrite`).
    """

    def __init__(self, statement: Executable) -> None:
        self.statement = statement
        self._compiled: dict[tuple[str, str], tuple[str, tuple | None, tuple, tuple]] = {}

    def _compile(self, dialect: Dialect) -> tuple[str, tuple | None, tuple, tuple]:
        key = (dialect.name, dialect.driver)
        found = self._compiled.get(key)
        if found is None:
            compiled = self.statement.compile(dialect=dialect)
            binds = []
            for bind, name in compiled.bind_names.items():
                if name != bind.key:
                    raise TypeError(f"{bind.key}: PlainRead takes binds by their own names")
                binds.append((name, bind.type.dialect_impl(dialect).bind_processor(dialect)))
            order = tuple(compiled.positiontup or ()) if dialect.positional else None
            processors = tuple(
                column.type.dialect_impl(dialect).result_processor(dialect, None)
                for column in getattr(self.statement, "selected_columns", ())
            )
            sending = tuple((name, process) for name, process in binds if process is not None)
            found = self._compiled[key] = (compiled.string, order, sending, processors)
        return found

    def _run(self, engine: Engine, params: dict[str, Any], fetch: bool) -> tuple[list, int]:
        """Run the statement once (again once, on a fresh connection, when a kept one went
        while it waited): the rows (up to two) if `fetch`, and the rows it touched."""
        sql, order, sending, _ = self._compile(engine.dialect)
        if sending:
            params = dict(params)
            for name, process in sending:
                params[name] = process(params[name])
        values: Any = params if order is None else tuple(params[name] for name in order)
        dialect = engine.dialect
        while True:
            connection, kept = _HELD.take(engine)
            try:
                cursor = connection.cursor()
                try:
                    cursor.execute(sql, values)
                    rows = cursor.fetchmany(2) if fetch else []
                    touched = cursor.rowcount
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
            return rows, touched

    def one_or_none(self, engine: Engine, **params: Any) -> tuple | None:
        """The one row the statement finds (a tuple, in the order selected), or None."""
        rows, _ = self._run(engine, params, fetch=True)
        if len(rows) > 1:
            raise MultipleResultsFound("PlainRead.one_or_none found more than one row")
        if not rows:
            return None
        processors = self._compile(engine.dialect)[3]
        return tuple(
            value if process is None else process(value)
            for process, value in zip(processors, rows[0], strict=True)
        )


class PlainWrite(PlainRead):
    """An UPDATE for the hottest write (an answer saved), run as PlainRead runs a SELECT: in a
    transaction of its own. Only for a statement that may run twice (it sets values, it adds
    nothing): when a kept connection turns out to have gone, it is sent again on a fresh one."""

    def run(self, engine: Engine, **params: Any) -> int:
        """Run it; return how many rows it changed."""
        return self._run(engine, params, fetch=False)[1]


class _Held:
    """Connections PlainRead and PlainWrite keep checked out of an engine's pool between
    statements: one for each running at once, up to KEEP waiting (a sync worker needs one; a
    threaded server a few), each in autocommit, so none holds a transaction (or a lock) while
    it waits.

    A kept connection skips the pool's checkout and checkin (its pre-ping, its rollback): a
    connection that went while it waited (the database restarted) fails its next statement,
    which then runs again on one the pool checks (PlainRead._run). One past KEEP, one that
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
