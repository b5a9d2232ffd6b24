"""Fixtures: the app on SQLite and on a real PostgreSQL, clients, and a page-checking client.

PostgreSQL: TEST_DATABASE_URL points at one; otherwise a throwaway cluster is started when the
server binaries are installed. SPEAKUP_TEST_POSTGRES=required (set by `make test`) makes a
missing PostgreSQL an error rather than a skip.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import ExitStack

import pytest
from flask import Flask
from jinja2 import BytecodeCache
from jinja2.bccache import Bucket
from sqlalchemy import Engine, create_engine, text

from portal import create_app
from portal.migrate import upgrade
from portal.models import Base
from tests import routing_cache
from tests.pages import PageClient
from tests.postgres import find_bin_dir, throwaway_cluster

routing_cache.install()  # every app's URL builders compiled once per test process

BACKENDS = ["sqlite", "postgresql"]
ON_POSTGRESQL = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)

# The longest tests (whole-form sweeps, random walks, real browsers, real servers) start first,
# so `make test`'s workers end together: short tests fill the gaps at the end instead of one
# worker finishing a 40-second test alone. They all start on the first worker, and the others,
# when they run out, take the back half of its queue (`--dist worksteal`, Makefile) until the
# long ones are shared out. Every worker sorts the same way (xdist needs that).
SLOW_FIRST = (
    "tests/test_hostile_input.py",
    "tests/portal/test_random_walks.py",
    "tests/serving/",
    "tests/browser/",
    "tests/outbox/test_smtp.py",
    "tests/staff/test_pages.py",
    "tests/safety/test_evaluation.py",
    "tests/safety/test_model.py",
)


def _slowness(item) -> int:
    found = [i for i, start in enumerate(SLOW_FIRST) if item.nodeid.startswith(start)]
    return found[0] if found else len(SLOW_FIRST)


def pytest_collection_modifyitems(config, items) -> None:
    items.sort(key=_slowness)  # stable: within a group, the files' own order


@pytest.hookimpl(tryfirst=True)  # before pytest's own hook adds the two databases
def pytest_generate_tests(metafunc) -> None:
    """A test marked `pages` checks what pages say, show and allow, and reaches the database
    only to keep a draft or a case between requests: it runs on PostgreSQL (production's
    database) only. Every other test that uses the app runs on both: storage, counting,
    locking, sending, migrations, links and sessions, the reports and the tracker, the staff
    casework, and the random walks, which reach every public page on SQLite too. (The hostile
    form sweep runs on PostgreSQL only: tests/test_hostile_input.py says why.)"""
    if metafunc.definition.get_closest_marker("pages") is None:
        return
    if "database_url" not in metafunc.fixturenames:
        return
    chosen = any(
        "database_url" in str(mark.args[0])
        for mark in metafunc.definition.iter_markers("parametrize")
    )
    if not chosen:  # as a mark, which pytest's own hook reads, so the fixture's params give way
        metafunc.definition.add_marker(ON_POSTGRESQL)


@pytest.fixture(scope="session")
def _clusters() -> Iterator[ExitStack]:
    with ExitStack() as stack:
        yield stack


@pytest.fixture(scope="session")
def database_urls(tmp_path_factory, _clusters) -> dict[str, str]:
    """Start each backend once per run and bring its schema up with the real migrations."""
    return {}


def _postgres_url(stack: ExitStack) -> str | None:
    if os.environ.get("TEST_DATABASE_URL"):
        return os.environ["TEST_DATABASE_URL"]
    wanted = os.environ.get("SPEAKUP_TEST_POSTGRES", "auto")
    if wanted == "off":
        return None
    if find_bin_dir() is None:
        if wanted == "required":
            raise RuntimeError("PostgreSQL is required for this run but is not installed")
        return None
    return stack.enter_context(throwaway_cluster())


def _database_url(backend: str, urls: dict, tmp_path_factory, stack: ExitStack) -> str:
    if backend not in urls:
        if backend == "sqlite":
            url = "sqlite:///" + str(tmp_path_factory.mktemp("sqlite") / "test.db")
        else:
            url = _postgres_url(stack)
            if url is None:
                pytest.skip("PostgreSQL is not installed here")
        upgrade(url)
        urls[backend] = url
    return urls[backend]


def _empty_tables(url: str, stack: ExitStack) -> None:
    """Delete every row after a test, on one connection kept for the run per database: a new
    engine and connection each time cost about 20 ms a test (a PostgreSQL backend started and
    ended). Between tests the kept connection is idle, outside any transaction, holding no lock."""
    engine = _EMPTYING.get(url)
    if engine is None:
        engine = _EMPTYING[url] = create_engine(url, pool_size=1)
        stack.callback(engine.dispose)  # before the cluster stops: the stack unwinds in reverse
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(text(f"DELETE FROM {table.name}"))


_EMPTYING: dict[str, Engine] = {}


@pytest.fixture(params=BACKENDS)
def database_url(request, database_urls, tmp_path_factory, _clusters) -> Iterator[str]:
    url = _database_url(request.param, database_urls, tmp_path_factory, _clusters)
    yield url
    _empty_tables(url, _clusters)


class _CompiledTemplates(BytecodeCache):
    """Templates compiled once per test worker, not once per app: every test builds its own
    app, and compiling a page's templates afresh cost 30-50 ms on its first request (3.6 ms
    with this cache). Jinja checks each template's source against what was compiled, so an
    edited template (tests that reload templates) is compiled again."""

    def __init__(self) -> None:
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        found = self.compiled.get(bucket.key)
        if found is not None:
            bucket.bytecode_from_string(found)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.compiled[bucket.key] = bucket.bytecode_to_string()


COMPILED_TEMPLATES = _CompiledTemplates()
TEST_HASH_METHOD = "scrypt:1024:8:1"


@pytest.fixture
def make_app(database_url, tmp_path):
    """Build an app on the test database; calling it twice is like restarting the server."""

    built: list[Flask] = []

    def build(**overrides) -> Flask:
        app = create_app(
            {
                "TESTING": True,
                "INSTANCE_PATH": str(tmp_path / "instance"),
                "DATABASE_URL": database_url,
                "SECRET_KEY": "test-secret-key-not-for-production",
                "SERVER_NAME": "speakup.test",
                # scrypt at 1/32 of the real cost (portal/services/hashing.py): still scrypt.
                "TEST_HASH_METHOD": TEST_HASH_METHOD,
                **overrides,
            }
        )
        app.jinja_env.bytecode_cache = COMPILED_TEMPLATES
        built.append(app)
        return app

    yield build
    for app in built:  # close every pooled connection, or PostgreSQL's linger until GC
        app.extensions["database"][0].dispose()


@pytest.fixture
def app(make_app) -> Iterator[Flask]:
    app = make_app()
    yield app
    app.extensions["database"][0].dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def pages(client) -> PageClient:
    return PageClient(client)
