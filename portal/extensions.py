"""Extensions created here and bound to the app in create_app."""

from __future__ import annotations

from flask import Flask, current_app, g
from flask_babel import Babel
from flask_wtf import CSRFProtect
from sqlalchemy import Engine, create_engine, event
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


db = Database()
