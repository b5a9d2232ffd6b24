"""`make loadtest`: locust, headless and bounded, against `make serve` on a throwaway PostgreSQL.

    make loadtest                       # 50 users for 5 minutes
    LOAD_USERS=20 LOAD_MINUTES=1 make loadtest

It starts a PostgreSQL cluster (or uses LOADTEST_DATABASE_URL), runs the migrations, makes
a few staff accounts, starts `make serve` on a free port, runs bench/locustfile.py for the given
users and minutes, lets the sender finish, then checks and reports:
- no 5xx response;
- the complaints in the database are exactly the sends that succeeded;
- no outbox message is duplicated (no idempotency key twice, and one mail file per message);
and prints requests per second and p50/p95/p99 per page. It exits 1 when a check fails.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import ExitStack
from pathlib import Path

from sqlalchemy import func, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from portal import create_app  # noqa: E402
from portal.extensions import db  # noqa: E402
from portal.migrate import upgrade  # noqa: E402
from portal.models import Complaint, OutboxMessage  # noqa: E402
from portal.services import staff as accounts  # noqa: E402
from tests.postgres import throwaway_cluster  # noqa: E402

STAFF_PASSWORD = "load test staff password 2026"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _healthy(base: str, server: subprocess.Popen, deadline: float) -> None:
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("make serve stopped before it answered")
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit("make serve did not answer /healthz")


def _staff(app, count: int) -> list[str]:
    emails = [f"officer{n}@council.example" for n in range(count)]
    with app.app_context():
        for email in emails:
            accounts.create(email, "Load test officer", "officer", STAFF_PASSWORD)
    return emails


def _drain(app, deadline: float) -> None:
    """Wait until the sender has tried every message (or the deadline)."""
    while time.monotonic() < deadline:
        with app.app_context():
            waiting = db.session.scalar(
                select(func.count(OutboxMessage.id)).where(
                    OutboxMessage.status == "queued", OutboxMessage.attempts == 0
                )
            )
            db.session.remove() if hasattr(db.session, "remove") else db.session.close()
        if not waiting:
            return
        time.sleep(1)


def _report(stats_csv: Path) -> None:
    heads = f"{'requests':>9}{'req/s':>8}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}{'fail':>6}"
    print(f"\n{'Page':<28}{heads}")
    with stats_csv.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            page = f"{row['Type']} {row['Name']}".strip()
            print(
                f"{page:<28}{row['Request Count']:>9}{float(row['Requests/s']):>8.1f}"
                f"{row['50%']:>8}{row['95%']:>8}{row['99%']:>8}{row['Failure Count']:>6}"
            )


def _checks(app, results: dict, mail: Path) -> list[str]:
    problems = []
    if results["five_xx"]:
        problems.append(f"{len(results['five_xx'])} 5xx responses: {results['five_xx'][:5]}")
    with app.app_context():
        complaints = db.session.scalar(select(func.count(Complaint.id)))
        duplicated = db.session.execute(
            select(OutboxMessage.idempotency_key, func.count(OutboxMessage.id))
            .where(OutboxMessage.idempotency_key.is_not(None))
            .group_by(OutboxMessage.idempotency_key)
            .having(func.count(OutboxMessage.id) > 1)
        ).all()
        sent_rows = db.session.scalar(
            select(func.count(OutboxMessage.id)).where(OutboxMessage.status == "sent")
        )
        db.session.close()
    sends = len(results["sent"])
    print(f"\ncomplaints sent (done page seen): {sends}; complaints in the database: {complaints}")
    if complaints != sends:
        problems.append(f"{complaints} complaints in the database, {sends} successful sends")
    if duplicated:
        problems.append(f"duplicated outbox messages: {duplicated[:5]}")
    files = sorted(p.name.split("-", 1)[0] for p in mail.glob("*.eml")) if mail.exists() else []
    print(f"messages sent: {sent_rows}; mail files written: {len(files)}")
    if len(files) != len(set(files)):
        problems.append("a message was written twice")
    if len(files) != sent_rows:
        problems.append(f"{sent_rows} messages marked sent, {len(files)} mail files")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=int(os.environ.get("LOAD_USERS", 50)))
    parser.add_argument("--minutes", type=float, default=float(os.environ.get("LOAD_MINUTES", 5)))
    parser.add_argument("--spawn-rate", type=float, default=5)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="speakup-load-"))
    with ExitStack() as stack:
        url = os.environ.get("LOADTEST_DATABASE_URL") or stack.enter_context(throwaway_cluster())
        upgrade(url)
        secret = secrets.token_hex(32)
        app = create_app(
            {"DATABASE_URL": url, "INSTANCE_PATH": str(folder / "here"), "SECRET_KEY": secret}
        )
        staff = _staff(app, 5)
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        instance = folder / "instance"
        env = {
            **{k: v for k, v in os.environ.items() if k != "MAKEFLAGS"},
            "PORT": str(port),
            "DATABASE_URL": url,
            "SECRET_KEY": secret,
            "SPEAKUP_INSTANCE_PATH": str(instance),
        }
        log = (folder / "serve.log").open("wb")
        server = subprocess.Popen(
            ["make", "--no-print-directory", "serve"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        stack.callback(
            lambda: (os.killpg(server.pid, signal.SIGTERM), server.wait(30), log.close())
        )
        _healthy(base, server, time.monotonic() + 120)
        print(f"make serve on {base} (PostgreSQL); {args.users} users for {args.minutes:g} min")
        results_path = folder / "results.json"
        subprocess.run(
            [
                str(Path(sys.executable).parent / "locust"),
                "-f",
                str(ROOT / "bench" / "locustfile.py"),
                "--headless",
                "--users",
                str(args.users),
                "--spawn-rate",
                str(args.spawn_rate),
                "--run-time",
                f"{int(args.minutes * 60)}s",
                "--host",
                base,
                "--csv",
                str(folder / "load"),
                "--only-summary",
                "--stop-timeout",
                "15",
                "--loglevel",
                "WARNING",
            ],
            env={
                **env,
                "PYTHONPATH": str(ROOT),  # the locustfile walks with the tests' answers
                "LOADTEST_RESULTS": str(results_path),
                "LOADTEST_STAFF": ",".join(staff),
                "LOADTEST_STAFF_PASSWORD": STAFF_PASSWORD,
            },
            check=False,
        )
        _drain(app, time.monotonic() + 120)
        _report(folder / "load_stats.csv")
        problems = _checks(app, json.loads(results_path.read_text()), instance / "mail")
        app.extensions["database"][0].dispose()
    for problem in problems:
        print(f"FAILED: {problem}")
    if not problems:
        print("PASSED: no 5xx, every send is one complaint, no message duplicated")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
