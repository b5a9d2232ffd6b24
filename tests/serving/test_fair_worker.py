"""`make serve`'s gunicorn worker (portal/gunicorn_worker.py): connections kept open between
requests, and a new connection taken by a worker that is free, not by one that is busy."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO

import pytest

ROOT = Path(__file__).resolve().parents[2]
WORKER = "portal.gunicorn_worker.FairThreadWorker"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _answer(port: int, path: str, kept: http.client.HTTPConnection | None = None) -> str:
    """The answer to a GET on a new connection (closed after), or on `kept`."""
    connection = kept or http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path)
        return connection.getresponse().read().decode()
    finally:
        if kept is None:
            connection.close()


def _popen(worker_class: str, port: int, log: IO[bytes]) -> subprocess.Popen:
    return subprocess.Popen(
        [
            *(sys.executable, "-m", "gunicorn", "-w", "2", "--threads", "1"),
            *("-k", worker_class, "-b", f"127.0.0.1:{port}", "tests.serving.pid_app:app"),
        ],
        cwd=ROOT,
        env={**os.environ, "SLOW_SECONDS": "3"},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


@pytest.fixture(scope="module")
def port(tmp_path_factory):
    """gunicorn with two of make serve's workers, one thread each, serving pid_app."""
    port, log_path = _free_port(), tmp_path_factory.mktemp("gunicorn") / "gunicorn.log"
    with log_path.open("wb") as log:
        server = _popen(WORKER, port, log)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:  # both workers started, and one answering
            if log_path.read_text().count("Booting worker") == 2:
                try:
                    _answer(port, "/pid")
                    break
                except OSError:
                    pass
            time.sleep(0.1)
        else:
            pytest.fail(f"gunicorn did not start: {log_path.read_text()}")
        yield port
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def test_make_serve_uses_this_worker():
    from importlib import import_module

    settings = {}
    exec((ROOT / "gunicorn.conf.py").read_text(), settings)  # noqa: S102 - our own settings file
    assert settings["worker_class"] == WORKER and settings["threads"] == 1
    module, name = WORKER.rsplit(".", 1)
    assert getattr(import_module(module), name).__name__ == name


def test_a_busy_worker_leaves_new_connections_to_the_free_one(port):
    busy: dict[str, str] = {}
    slow = threading.Thread(target=lambda: busy.update(pid=_answer(port, "/slow")))
    slow.start()
    time.sleep(0.3)  # the slow request is in one worker's only thread now
    started = time.monotonic()
    answered_by = {_answer(port, "/pid") for _ in range(8)}  # each on a new connection
    waited = time.monotonic() - started
    slow.join()
    # Every new connection went to the free worker and was answered at once; none waited
    # behind the slow request in the busy one.
    assert len(answered_by) == 1 and busy["pid"] not in answered_by
    assert waited < 2, f"new connections waited {waited:.1f} s behind a busy worker"


def test_a_kept_open_connection_stays_with_its_worker(port):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        answers = {_answer(port, "/pid", connection) for _ in range(20)}
        assert len(answers) == 1  # one connection, used again: one worker answered them all
    finally:
        connection.close()
