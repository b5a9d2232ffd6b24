"""Several machines at once (issue 16, part 2): two `make serve` instances, each with its own
gunicorn and sender, against one throwaway PostgreSQL and one Redis, as behind a load balancer.

One browser (a requests session) talks to both: cookies ignore the port, as they would with
one host name in front of two machines. It proves a lockout on one holds on the other, the
per-address sign-in limit is counted across both, a status link revoked through one stops
working through the other, a staff sign-out through one ends the session on the other, two
senders deliver 200 queued messages exactly once, and a conflicting case edit through both
gives one success and one conflict.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
import redis
import requests

from portal import create_app
from portal.clock import now_utc
from portal.extensions import db
from portal.migrate import upgrade
from portal.models import OutboxMessage
from portal.services import staff as accounts
from tests.outbox.servers import SmtpServer, free_port
from tests.pages import PageClient
from tests.portal.journey import YOUNG_PERSON, open_link, send_complaint
from tests.postgres import find_bin_dir, throwaway_cluster
from tests.redis_server import redis_server_path, throwaway_redis

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "a long staff password 42"
REQUIRED = os.environ.get("SPEAKUP_TEST_POSTGRES") == "required"

pytestmark = pytest.mark.skipif(
    not REQUIRED and (find_bin_dir() is None or redis_server_path() is None),
    reason="needs PostgreSQL and redis-server (make test installs both)",
)


class _Response:
    """What tests.pages.PageClient reads from a response, from a real HTTP one."""

    def __init__(self, answer: requests.Response) -> None:
        self.status_code = answer.status_code
        self.headers = answer.headers
        self.mimetype = answer.headers.get("Content-Type", "").split(";")[0].strip()
        self._text = answer.text
        url = urlsplit(answer.url)
        self.request = SimpleNamespace(
            path=url.path, method=answer.request.method, query_string=url.query.encode()
        )

    def get_data(self, as_text: bool = False):
        return self._text if as_text else self._text.encode()


class Instance:
    """The test client interface, over HTTP to one instance, with a shared cookie jar."""

    def __init__(self, base: str, browser: requests.Session) -> None:
        self.base, self.browser = base, browser

    def _url(self, url: str) -> str:
        return self.base + urlsplit(url)._replace(scheme="", netloc="").geturl()

    def get(self, url: str, follow_redirects: bool = True, **kwargs) -> _Response:
        return _Response(self.browser.get(self._url(url), timeout=30, **kwargs))

    def post(self, url: str, data=None, follow_redirects: bool = True) -> _Response:
        return _Response(self.browser.post(self._url(url), data=data, timeout=30))


def _serve(port: int, env: dict[str, str], log: Path) -> subprocess.Popen:
    with log.open("wb") as out:  # the child keeps its own copy of the file
        return subprocess.Popen(
            ["make", "--no-print-directory", "serve"],
            cwd=ROOT,
            env={**env, "PORT": str(port)},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def _wait_healthy(base: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        assert server.poll() is None, f"make serve stopped:\n{log.read_text()[-3000:]}"
        try:
            if requests.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise AssertionError(f"{base} did not become healthy:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def machines(tmp_path_factory) -> Iterator[SimpleNamespace]:
    folder = tmp_path_factory.mktemp("two-instances")
    with ExitStack() as stack:
        database = stack.enter_context(throwaway_cluster())
        redis_url = stack.enter_context(throwaway_redis())
        smtp = SmtpServer()
        smtp.start()
        stack.callback(smtp.stop)
        upgrade(database)  # once, before either release runs (they then find nothing to do)
        env = {
            **{k: v for k, v in os.environ.items() if k != "MAKEFLAGS"},
            "DATABASE_URL": database,
            "REDIS_URL": redis_url,
            "SECRET_KEY": secrets.token_hex(32),
            "MAIL_URL": smtp.url,
            "WEB_CONCURRENCY": "2",
            "STAFF_SIGN_IN_RATE": "9 per minute",
            "OUTBOX_POLL_SECONDS": "1",
            "OUTBOX_BATCH_SIZE": "10",
        }
        bases, servers = [], []
        for name in ("a", "b"):
            port, log = free_port(), folder / f"{name}.log"
            server = _serve(
                port, {**env, "SPEAKUP_INSTANCE_PATH": str(folder / f"instance-{name}")}, log
            )
            stack.callback(_stop, server)
            bases.append(f"http://127.0.0.1:{port}")
            servers.append((server, log))
        for base, (server, log) in zip(bases, servers, strict=True):
            _wait_healthy(base, server, log)
        app = create_app(
            {"DATABASE_URL": database, "INSTANCE_PATH": str(folder / "here"), **_secret(env)}
        )
        stack.callback(lambda: app.extensions["database"][0].dispose())
        yield SimpleNamespace(a=bases[0], b=bases[1], app=app, smtp=smtp, redis=redis_url)


def _secret(env: dict[str, str]) -> dict[str, str]:
    return {"SECRET_KEY": env["SECRET_KEY"]}


def _stop(server: subprocess.Popen) -> None:
    try:
        os.killpg(server.pid, 15)
        server.wait(timeout=30)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(server.pid, 9)


def _browser(machines, *bases: str) -> list[PageClient]:
    """One person's browser, reaching each instance (the cookies go to both)."""
    session = requests.Session()
    return [PageClient(Instance(base, session)) for base in bases]


def _staff(machines, email: str, role: str = "manager") -> str:
    with machines.app.app_context():
        accounts.create(email, role.title(), role, PASSWORD)
    return email


def _sign_in_post(person: PageClient, email: str, password: str):
    page = person.get("/staff/sign-in")
    action, fields = page.form_data("form.staff-form")
    return person.client.post(action, {**fields, "email": email, "password": password})


def _signed_in(person: PageClient, email: str) -> None:
    answer = _sign_in_post(person, email, PASSWORD)
    assert answer.status_code == 200 and answer.request.path == "/staff/cases", answer.status_code


def test_a_lockout_and_the_sign_in_limit_hold_on_both_machines(machines):
    email = _staff(machines, "locked@council.example")
    on_a, on_b = _browser(machines, machines.a, machines.b)
    for _ in range(5):  # five wrong passwords through A lock the account
        assert _sign_in_post(on_a, email, "wrong password").status_code == 400
    refused = _sign_in_post(on_b, email, PASSWORD)  # the right one, through B: still locked
    assert refused.status_code == 400
    assert "Check your email address and password" in refused.get_data(as_text=True)
    # The per-address limit (9 a minute) counts the attempts through both machines in Redis.
    answers = [_sign_in_post(p, email, "wrong").status_code for p in (on_a, on_b, on_a)]
    assert answers == [400, 400, 400]  # attempts 7, 8 and 9
    assert _sign_in_post(on_b, email, "wrong").status_code == 429  # the 10th, through B
    redis.Redis.from_url(machines.redis).flushall()  # the other tests sign in from here too


def test_a_status_link_revoked_through_one_machine_stops_working_on_the_other(machines):
    (sender,) = _browser(machines, machines.a)
    done = send_complaint(sender, YOUNG_PERSON)
    link = urlsplit(done.select_one("a#status-link")["href"]).path
    (elsewhere,) = _browser(machines, machines.b)
    assert open_link(elsewhere, link).path == "/progress"  # the link works through B

    (owner,) = _browser(machines, machines.a)
    status = open_link(owner, link)
    status = owner.submit(status, selector="form[action='/progress/new-link']")  # through A
    assert "Your old link does not work any more." in status.text

    (later,) = _browser(machines, machines.b)
    revoked = open_link(later, link)
    assert revoked.h1 == "This link does not work"


def test_a_staff_sign_out_through_one_machine_ends_the_session_on_the_other(machines):
    email = _staff(machines, "leaving@council.example")
    on_a, on_b = _browser(machines, machines.a, machines.b)
    _signed_in(on_a, email)
    assert on_b.get("/staff/cases").path == "/staff/cases"  # signed in on both
    copied = requests.Session()  # someone kept a copy of the cookie before the sign-out
    copied.cookies.update(on_a.client.browser.cookies)
    cases = on_a.get("/staff/cases")
    on_a.submit(cases, selector="form[action='/staff/sign-out']")
    (replayed,) = [PageClient(Instance(machines.b, copied))]
    assert replayed.get("/staff/cases").path == "/staff/sign-in"


def test_two_senders_deliver_200_queued_messages_exactly_once(machines):
    with machines.app.app_context():
        for n in range(200):
            db.session.add(
                OutboxMessage(
                    kind="staff_digest",
                    audience="staff",
                    to_address=f"person{n}@council.example",
                    subject="A test message",
                    body="Nothing personal.",
                    created_utc=now_utc(),
                    idempotency_key=f"two-senders-{n}",
                )
            )
        db.session.commit()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        ours = [i for i in machines.smtp.message_ids() if "two-senders-" in i]
        if len(ours) >= 200:
            break
        time.sleep(0.5)
    time.sleep(3)  # a duplicate would arrive now
    counted = {i: n for i, n in machines.smtp.message_ids().items() if "two-senders-" in i}
    assert len(counted) == 200, f"{len(counted)} of 200 arrived"
    assert set(counted.values()) == {1}, "a message was delivered twice"


def test_a_conflicting_case_edit_through_both_machines_gives_one_success_one_conflict(machines):
    (sender,) = _browser(machines, machines.a)
    reference = send_complaint(sender, YOUNG_PERSON).select_one("#reference").text.strip()
    first_email = _staff(machines, "first@council.example")
    second_email = _staff(machines, "second@council.example", "officer")
    (first,) = _browser(machines, machines.a)
    (second,) = _browser(machines, machines.b)
    _signed_in(first, first_email)
    _signed_in(second, second_email)
    first_form = first.get(f"/staff/cases/{reference}/do/send_message")
    second_form = second.get(f"/staff/cases/{reference}/do/pause")
    first.submit(first_form, {"message": "We are on it."}, selector="form.staff-form")
    pause = {"category": "advocate", "reason": "Waiting for an advocate."}
    clash = second.submit(second_form, pause, selector="form.staff-form", expect=409)
    assert "Someone else changed this case" in clash.text
