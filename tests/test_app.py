"""The app factory, settings and migrations."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, text
from sqlalchemy.schema import CreateIndex

from portal import create_app
from portal.models import Base


def test_factory_generates_and_keeps_a_local_secret_key(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    settings = {"INSTANCE_PATH": str(tmp_path), "DATABASE_URL": "sqlite://"}
    first = create_app(settings)
    key_file = tmp_path / "secret_key"
    assert key_file.exists() and len(first.config["SECRET_KEY"]) == 64
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    second = create_app(settings)
    assert second.config["SECRET_KEY"] == first.config["SECRET_KEY"]


def test_settings_come_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    monkeypatch.setenv("STAGE1_WORKING_DAYS", "12")
    monkeypatch.setenv("DATABASE_URL", "sqlite:///" + str(tmp_path / "other.db"))
    app = create_app({"INSTANCE_PATH": str(tmp_path)})
    assert app.config["SECRET_KEY"] == "from-the-environment"
    assert app.config["STAGE1_WORKING_DAYS"] == 12
    assert app.config["DATABASE_URL"].endswith("other.db")
    assert not (tmp_path / "secret_key").exists()


# Indexes on expressions Alembic cannot compare: SQLite's are not reflected at all, and
# PostgreSQL gives them back rewritten. Each is checked by name here, and by the plans that use
# it (tests/staff/test_tracker_order.py for the tracker's).
EXPRESSION_INDEXES = {"ix_complaint_tracker"}


def _compared(obj, name, type_, reflected, compare_to) -> bool:
    return not (type_ == "index" and name in EXPRESSION_INDEXES)


@pytest.mark.filterwarnings(
    "ignore:Skipped unsupported reflection of expression-based index ix_complaint_tracker"
)
@pytest.mark.filterwarnings(
    "ignore:autogenerate skipping metadata-specified expression-based index 'ix_complaint_tracker'"
)
def test_migrations_match_the_models(database_url):
    engine = create_engine(database_url)
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": _compared}
        )
        assert compare_metadata(context, Base.metadata) == []
    engine.dispose()


def test_expression_indexes_match_the_models(database_url):
    """Each index Alembic cannot compare is built again from the models, under another name,
    and the database's own account of the two must read the same."""
    engine = create_engine(database_url)
    if engine.dialect.name == "postgresql":
        definition = "SELECT indexdef FROM pg_indexes WHERE indexname = :name"
    else:
        definition = "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = :name"
    indexes = {i.name: i for t in Base.metadata.tables.values() for i in t.indexes}
    copy = "ix_models_copy"
    for name in EXPRESSION_INDEXES:
        ddl = str(CreateIndex(indexes[name]).compile(dialect=engine.dialect))
        with engine.begin() as connection:
            connection.exec_driver_sql(ddl.replace(name, copy, 1))
        try:
            with engine.connect() as connection:
                migrated, modelled = (
                    connection.execute(text(definition), {"name": n}).scalar_one()
                    for n in (name, copy)
                )
        finally:
            with engine.begin() as connection:  # SQLite would keep it even on a rollback
                connection.exec_driver_sql(f"DROP INDEX {copy}")
        assert modelled.replace(copy, name) == migrated
    engine.dispose()


def test_limits_are_checked_by_the_views_that_declare_them_not_before_every_page(tmp_path):
    from flask import Flask
    from flask_limiter import Limiter
    from flask_limiter.util import get_remote_address

    import staff
    from portal import limits

    app = create_app({"INSTANCE_PATH": str(tmp_path), "DATABASE_URL": "sqlite://"})
    hooks = app.before_request_funcs[None]
    for limiter in (limits.limiter, staff.auth.limiter):
        assert limiter._check_request_limit not in hooks
    # Nor after them: no limit is counted after its view and no header is sent.
    after = [*app.after_request_funcs[None], *app.teardown_request_funcs.get(None, [])]
    assert not [hook for hook in after if "flask_limiter" in getattr(hook, "__module__", "")]
    assert not [hook for hook in after if "flask_limiter" in repr(hook)]
    # A limit over the whole app still needs the check before every request: it is kept.
    other = Flask("other")
    wide = Limiter(
        get_remote_address, app=other, default_limits=["1/hour"], storage_uri="memory://"
    )
    other.get("/")(lambda: "ok")
    limits.checked_where_declared(other, wide)
    assert wide._check_request_limit in other.before_request_funcs[None]
    client = other.test_client()
    assert [client.get("/").status_code for _ in range(2)] == [200, 429]
    # A limit counted only after its view keeps the hook that counts it.
    late = Flask("late")
    after_view = Limiter(get_remote_address, app=late, storage_uri="memory://")
    late.get("/")(
        after_view.limit("1/hour", deduct_when=lambda r: r.status_code == 200)(lambda: "ok")
    )
    limits.checked_where_declared(late, after_view)
    client = late.test_client()
    assert [client.get("/").status_code for _ in range(2)] == [200, 429]


def test_sqlite_keeps_foreign_keys_and_a_write_ahead_log_synced_at_checkpoints(tmp_path):
    """SQLite (never production) checks foreign keys, lets readers and a writer work at once,
    and syncs its log at checkpoints, not on every commit (portal/extensions.py says why)."""
    from portal.extensions import make_engine

    engine = make_engine(f"sqlite:///{tmp_path}/pragmas.db")
    with engine.connect() as connection:
        pragma = lambda name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()  # noqa: E731
        assert pragma("foreign_keys") == 1
        assert pragma("journal_mode") == "wal"
        assert pragma("synchronous") == 1  # NORMAL; FULL (2) is SQLite's own default
    engine.dispose()


def test_db_upgrade_command(tmp_path):
    app = create_app(
        {
            "INSTANCE_PATH": str(tmp_path),
            "SECRET_KEY": "x",
            "DATABASE_URL": "sqlite:///" + str(tmp_path / "cli.db"),
        }
    )
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "cli.db").exists()


def test_migration_0002_keeps_complaints_sent_before_the_rules(database_url):
    """Complaints from before revision 0002 survive it, with their advocate answer kept."""
    from alembic import command
    from sqlalchemy import text

    from portal.migrate import alembic_config

    config = alembic_config(database_url)
    command.downgrade(config, "0001")
    engine = create_engine(database_url)
    try:
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO complaint (public_id, reference, journey, voice, complainant_role,"
                    " contact_method, answers, received_on, received_utc, status_link_version,"
                    " advocate_wanted) VALUES ('p1', 'AAAA-AAAA', 'complaint', 'self', 'self',"
                    " 'link_only', '{}', '2026-11-02', '2026-11-02 10:00:00+00', 1, :yes)"
                ),
                {"yes": True},
            )
        command.upgrade(config, "head")
        with engine.connect() as connection:
            row = connection.execute(
                text(
                    "SELECT advocacy, eligibility, eligibility_reason, urgent, outcomes_sought"
                    " FROM complaint WHERE reference = 'AAAA-AAAA'"
                )
            ).one()
        assert row[:4] == ("wanted", "decision_needed", "not_assessed", False)
        assert row[4] in ([], "[]")
    finally:
        command.upgrade(config, "head")
        engine.dispose()


def test_migration_0007_types_old_replies_and_says_where_each_case_is(database_url):
    """Cases moved on before revision 0007 get their step, due kind, event days and typed
    outcomes from their events, so nothing replays events afterwards."""
    from alembic import command
    from sqlalchemy import text

    from portal.migrate import alembic_config

    config = alembic_config(database_url)
    command.downgrade(config, "0006")
    engine = create_engine(database_url)
    try:
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO complaint (public_id, reference, journey, voice, complainant_role,"
                    " age_group, contact_method, answers, received_on, received_utc,"
                    " status_link_version, eligibility, eligibility_reason, time_limit,"
                    " time_limit_reason, legal_proceedings, legal_proceedings_reason, consent,"
                    " consent_reason, advocacy, urgent, urgent_reasons, legal_hold, stage,"
                    " procedure, version, outcomes_sought, secret_word_version,"
                    " secret_word_failures, withdrawal_to_check) VALUES ('p7', 'BBBB-BBBB',"
                    " 'complaint', 'self', 'looked_after_child', '12_15', 'link_only', '{}',"
                    " '2026-06-01', '2026-06-01 10:00:00+00', 1, 'as_of_right', 'x', 'in_time',"
                    " 'x', 'none', 'x', 'not_needed', 'x', 'offered', :no, '[]', :no,"
                    " 'stage_1', 'statutory', 4, '[]', 0, 0, :no)"
                ),
                {"no": False},
            )
            complaint_id = connection.execute(
                text("SELECT id FROM complaint WHERE reference = 'BBBB-BBBB'")
            ).scalar()
            connection.execute(
                text(
                    "INSERT INTO complaint_point (complaint_id, position, topic, procedure,"
                    " procedure_reason) VALUES (:c, 1, 'social_worker', 'statutory', 'statutory')"
                ),
                {"c": complaint_id},
            )
            for kind, at, data in [
                ("accepted_statutory", "2026-06-02 09:00:00+00", "{}"),
                ("acknowledged", "2026-06-05 09:00:00+00", '{"on": "2026-06-03"}'),
                (
                    "response_sent",
                    "2026-06-12 09:00:00+00",
                    '{"on": "2026-06-12", "stage": "stage_1", "outcomes": {"1": "upheld"},'
                    ' "finding": "f", "remedy": "Sorry."}',
                ),
            ]:
                connection.execute(
                    text(
                        "INSERT INTO event (complaint_id, type, at_utc, actor, data)"
                        " VALUES (:c, :t, :at, 'staff@council.example', :d)"
                    ),
                    {"c": complaint_id, "t": kind, "at": at, "d": data},
                )
        command.upgrade(config, "head")
        with engine.connect() as connection:
            step = connection.execute(
                text("SELECT step, next_due_what FROM complaint WHERE id = :c"), {"c": complaint_id}
            ).one()
            days = connection.execute(
                text("SELECT happened_on FROM event WHERE complaint_id = :c ORDER BY id"),
                {"c": complaint_id},
            ).scalars()
            outcome = connection.execute(
                text("SELECT stage, outcome, remedy FROM point_outcome WHERE complaint_id = :c"),
                {"c": complaint_id},
            ).one()
        assert tuple(step) == ("s1_responded", None)
        assert [str(d)[:10] for d in days] == ["2026-06-02", "2026-06-03", "2026-06-12"]
        assert tuple(outcome) == ("stage_1", "upheld", "Sorry.")
    finally:
        with engine.begin() as connection:
            connection.execute(text("DELETE FROM complaint WHERE reference = 'BBBB-BBBB'"))
        command.upgrade(config, "head")
        engine.dispose()


def test_flask_asks_once_per_function_whether_it_is_a_coroutine(app, monkeypatch):
    """portal.Portal keeps ensure_sync's answer: the hooks and the view are inspected on the
    first request only, and an async function is still handed to Flask's async_to_sync."""
    import flask.app

    asked: list = []
    real = flask.app.iscoroutinefunction

    def counting(func) -> bool:
        asked.append(func)
        return real(func)

    monkeypatch.setattr(flask.app, "iscoroutinefunction", counting)
    client = app.test_client()
    assert client.get("/help").status_code == 200
    first = len(asked)
    assert first >= 5  # hooks and the view
    assert client.get("/help").status_code == 200
    assert len(asked) == first

    async def later() -> None: ...

    handed: list = []
    monkeypatch.setattr(app, "async_to_sync", lambda func: handed.append(func) or func)
    assert app.ensure_sync(later) is later and handed == [later]
