"""Production footing, part 1 (issue 16): /healthz, static files through WhiteNoise with
fingerprinted names, one log line per request that never holds a secret, and `make serve`."""

from __future__ import annotations

import gzip
import json
import logging
import os
import socket
import subprocess
import time
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest

from portal.clock import now_utc
from portal.extensions import db
from portal.logs import REQUESTS, JsonFormatter
from portal.models import OutboxMessage

ROOT = Path(__file__).resolve().parents[2]


def _queue(app, waited: timedelta, attempts: int = 0) -> None:
    with app.app_context():
        db.session.add(
            OutboxMessage(
                kind="status_link",
                audience="complainant",
                to_address="someone@example.org",
                subject="A message",
                body="Hello",
                created_utc=now_utc() - waited,
                attempts=attempts,
            )
        )
        db.session.commit()


def test_healthz_is_ok_when_the_database_answers_and_nothing_waits(client):
    answer = client.get("/healthz")
    assert answer.status_code == 200
    assert answer.json == {
        "status": "ok",
        "database": "ok",
        "sender": "ok",
        "oldest_unsent_seconds": None,
    }
    assert answer.headers["Cache-Control"] == "no-store"


def test_healthz_is_503_when_the_sender_is_behind(app, client):
    _queue(app, timedelta(seconds=30))
    assert client.get("/healthz").status_code == 200  # a fresh message is not "behind"
    _queue(app, timedelta(seconds=app.config["HEALTH_SENDER_BEHIND_SECONDS"] + 60))
    answer = client.get("/healthz")
    assert answer.status_code == 503
    assert answer.json["sender"] == "behind" and answer.json["status"] == "unavailable"
    assert "someone@example.org" not in answer.text and "Hello" not in answer.text


def test_a_message_waiting_to_be_retried_does_not_make_the_instance_unhealthy(app, client):
    # The mail service is down: taking every web instance out would not bring it back.
    _queue(app, timedelta(hours=2), attempts=5)
    assert client.get("/healthz").status_code == 200


def test_healthz_is_503_when_the_database_does_not_answer(make_app, tmp_path):
    app = make_app(DATABASE_URL=f"sqlite:///{tmp_path}/no/such/folder/speakup.db")
    answer = app.test_client().get("/healthz")
    assert answer.status_code == 503
    assert answer.json["database"] == "not answering"


def test_static_files_have_fingerprinted_names_a_long_cache_and_gzip(app, client):
    page = client.get("/")
    stylesheet = next(
        line.split('href="')[1].split('"')[0]
        for line in page.text.splitlines()
        if 'rel="stylesheet"' in line
    )
    assert stylesheet.startswith("/static/speakup.") and stylesheet.endswith(".css")
    source = (ROOT / "portal" / "static" / "speakup.css").read_bytes()
    fingerprinted = client.get(stylesheet)
    assert fingerprinted.status_code == 200 and fingerprinted.data == source
    assert "immutable" in fingerprinted.headers["Cache-Control"]
    assert fingerprinted.headers["X-Content-Type-Options"] == "nosniff"
    zipped = client.get(stylesheet, headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.data) == source
    assert len(zipped.data) < len(source) / 2
    plain = client.get("/static/speakup.css")  # an old bookmark: served, cached briefly
    assert plain.data == source and "immutable" not in plain.headers["Cache-Control"]


class _Lines(logging.Handler):
    def __init__(self):
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)


@pytest.fixture
def request_lines():
    handler = _Lines()
    REQUESTS.addHandler(handler)
    yield handler.records
    REQUESTS.removeHandler(handler)


def test_one_line_per_request_with_an_id_the_route_and_never_the_token(client, request_lines):
    token = "A" * 40
    answer = client.get(f"/s/{token}", headers={"X-Request-Id": "lb-0123456789abcdef"})
    assert answer.headers["X-Request-Id"] == "lb-0123456789abcdef"
    (record,) = request_lines
    fields = record.request
    assert fields["request_id"] == "lb-0123456789abcdef"
    assert fields["route"] == "/s/<token>" and fields["method"] == "GET"
    assert fields["status"] == answer.status_code and fields["ms"] >= 0
    line = JsonFormatter().format(record)
    assert token not in line and json.loads(line)["route"] == "/s/<token>"

    client.get("/healthz", headers={"X-Request-Id": "bad id with spaces <script>"})
    made_up = request_lines[-1].request["request_id"]
    assert len(made_up) == 32 and "<" not in made_up  # a header we cannot trust is replaced


def test_a_form_post_logs_nothing_that_was_typed(client, request_lines):
    client.post("/lost-link", data={"contact": "child@example.org", "words": "my secret"})
    line = JsonFormatter().format(request_lines[-1])
    assert "child@example.org" not in line and "my secret" not in line


def test_log_format_accepts_text_or_json_only(make_app):
    from portal.config import ConfigError

    with pytest.raises(ConfigError, match="LOG_FORMAT"):
        make_app(LOG_FORMAT="yaml")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> tuple[int, bytes, dict]:
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:
            return answer.status, answer.read(), dict(answer.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read(), dict(error.headers)


def _gunicorn_workers(ancestor: int) -> list[int]:
    """The gunicorn workers started under `ancestor` (children of the gunicorn master)."""
    parent, command = {}, {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            pid = int(stat.parent.name)
            parent[pid] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            command[pid] = (stat.parent / "cmdline").read_bytes()
        except (OSError, ValueError):
            continue

    def under(pid: int) -> bool:
        while pid > 1:
            pid = parent.get(pid, 0)
            if pid == ancestor:
                return True
        return False

    gunicorn = {pid for pid in parent if b"gunicorn" in command[pid] and under(pid)}
    parents = {parent[pid] for pid in gunicorn}  # a shell, the master: not workers
    return sorted(pid for pid in gunicorn if parent[pid] in gunicorn and pid not in parents)


def _memory(pid: int) -> dict[str, int]:
    """A process's resident memory and what is its own (not shared), in MB."""
    fields = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, value = line.split()[:2]
        fields[name.rstrip(":")] = int(value) // 1024
    return {"Rss": fields["Rss"], "Private": fields["Private_Clean"] + fields["Private_Dirty"]}


@pytest.mark.parametrize("backend", ["sqlite"])
def test_make_serve_runs_migrations_gunicorn_and_the_sender(tmp_path, backend):
    port = _free_port()
    env = {
        **os.environ,
        "PORT": str(port),
        "WEB_CONCURRENCY": "2",
        "SPEAKUP_INSTANCE_PATH": str(tmp_path / "instance"),
        "DATABASE_URL": f"sqlite:///{tmp_path}/serve.db",
        "LOG_FORMAT": "json",
    }
    env.pop("MAKEFLAGS", None)
    server = subprocess.Popen(
        ["make", "--no-print-directory", "serve"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline, status = time.monotonic() + 60, None
        while time.monotonic() < deadline:
            try:
                status, body, _ = _get(f"http://127.0.0.1:{port}/healthz")
                break
            except OSError:
                time.sleep(0.3)
        assert status == 200, "make serve did not answer /healthz within a minute"
        assert json.loads(body)["database"] == "ok"
        status, page, headers = _get(f"http://127.0.0.1:{port}/")
        assert status == 200 and headers["Server"] == "gunicorn"
        workers = _gunicorn_workers(server.pid)
        assert len(workers) == 2
        for pid in workers:
            # The safety lists and model (about 450 MB) are built in the master and shared:
            # each worker's own memory is a small part of what it can see.
            memory = _memory(pid)
            assert memory["Rss"] > 300 and memory["Private"] < 150, memory
    finally:
        os.killpg(server.pid, 15)
        output = server.communicate(timeout=30)[0].decode()
    assert "release.1 stopped (rc=0)" in output  # the migrations ran first
    assert "worker.1 started" in output  # and the sender beside the web server
    assert '"route": "/healthz"' in output  # JSON request lines
