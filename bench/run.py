"""Speak Up benchmarks: `make bench`. Figures, not pass/fail tests; quote them in notes.

Measures the safety matcher (run on every free-text save), its recall and false alarms on the
labelled evaluation set (tests/safety/evaluation/), and the journey's pages through the WSGI app
on a throwaway SQLite database.
"""

from __future__ import annotations

import random
import statistics
import string
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from portal import create_app
from portal.migrate import upgrade
from portal.safety import evaluation, matcher
from portal.safety.matcher import matching_lists

EVALUATION = Path(__file__).resolve().parent.parent / "tests" / "safety" / "evaluation"


def _timed(label: str, fn: Callable[[], object], repeat: int) -> None:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    p95 = samples[int(len(samples) * 0.95) - 1] if len(samples) >= 20 else samples[-1]
    print(f"{label:<48} median {statistics.median(samples):7.2f} ms   p95 {p95:7.2f} ms")


def bench_matcher() -> None:
    start = time.perf_counter()
    matcher.compiled()
    print(
        f"{'matcher: read and compile the lists (once)':<48} {time.perf_counter() - start:7.2f} s"
    )
    rng = random.Random(2026)  # noqa: S311 - test data, not secrets
    calm = "My social worker keeps cancelling our visits and nobody listens to me. "
    everyday = (calm * 80)[:5000]
    vocab = [
        "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(2, 9)))
        for _ in range(2000)
    ]
    _timed("matcher: one sentence", lambda: matching_lists(calm), 200)
    _timed("matcher: 5,000 characters of everyday words", lambda: matching_lists(everyday), 50)
    _timed(
        "matcher: 5,000 characters, all new words (worst)",
        lambda: matching_lists(" ".join(rng.choice(vocab) for _ in range(800))[:5000]),
        30,
    )
    _timed(
        "matcher: 5,000 characters never seen before",
        lambda: matching_lists(" ".join(_new_word(rng) for _ in range(800))[:5000]),
        20,
    )


def _new_word(rng: random.Random) -> str:
    return "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(2, 9)))


def bench_safety_evaluation() -> None:
    """Recall and false alarms on the labelled set, by part, language and concept."""
    results = evaluation.score(evaluation.load(EVALUATION), matching_lists)
    print("safety words: recall (flag raised) and false alarms on tests/safety/evaluation/")
    print("  (heldout was written before the lists and never used to tune them; blind is batches")
    print("  written before each was run, then fitted: their first-run figures are in the files)")
    for line in evaluation.report(results):
        print(line)


def bench_pages() -> None:
    folder = tempfile.mkdtemp(prefix="speakup-bench-")
    url = f"sqlite:///{folder}/bench.db"
    upgrade(url)
    app = create_app(
        {
            "INSTANCE_PATH": folder,
            "DATABASE_URL": url,
            "SECRET_KEY": "bench",
            "WTF_CSRF_ENABLED": False,
        }
    )
    client = app.test_client()
    _timed("page: GET /chat/who (render a question)", lambda: client.get("/chat/who"), 200)
    client.post("/chat/who", data={"answer": "self"})
    client.post("/chat/self_status", data={"answer": "looked_after"})
    client.post("/chat/age", data={"answer": "12_15"})
    client.post("/chat/topics", data={"answer": "home"})
    _timed(
        "page: POST /chat/what_happened (save + check)",
        lambda: client.post("/chat/what_happened", data={"answer": "Visits cancelled. " * 50}),
        100,
    )
    app.extensions["database"][0].dispose()


def bench_tracker(count: int = 100_000) -> None:
    """The tracker over years of cases: 100,000 made-up complaints in SQLite."""
    from portal.services import staff, tracker

    folder = tempfile.mkdtemp(prefix="speakup-bench-")
    url = f"sqlite:///{folder}/tracker.db"
    upgrade(url)
    app = create_app(
        {"INSTANCE_PATH": folder, "DATABASE_URL": url, "SECRET_KEY": "bench", "TESTING": True}
    )
    app.config["WTF_CSRF_ENABLED"] = False
    with app.app_context():
        start = time.perf_counter()
        tracker.seed(count)
        print(
            f"{'tracker: seeded ' + format(count, ',') + ' complaints':<48} "
            f"{time.perf_counter() - start:7.1f} s"
        )
        staff.create("bench@council.example", "Bench", "manager", "a long bench password")
    client = app.test_client()
    client.post(
        "/staff/sign-in",
        data={"email": "bench@council.example", "password": "a long bench password"},
    )
    for label, path in [
        ("tracker: GET /staff/cases (first page)", "/staff/cases"),
        ("tracker: overdue filter", "/staff/cases?overdue=1"),
        ("tracker: stage 2, due this week", "/staff/cases?stage=stage_2&due_this_week=1"),
        ("tracker: search by reference", "/staff/cases?reference=AB"),
        ("tracker: page 500", "/staff/cases?page=500"),
    ]:
        assert client.get(path).status_code == 200, path
        _timed(label, lambda path=path: client.get(path), 20)
    app.extensions["database"][0].dispose()


def bench_report(count: int = 100_000) -> None:
    """The annual report over five years of cases: `count` made-up complaints, then one
    financial year's report (every table, that year and the year before), timed on SQLite and
    on PostgreSQL (BENCH_POSTGRES_URL, an empty database, or a throwaway cluster when the
    server is installed, as the tests use). Nothing is cached between runs."""
    import contextlib
    import os
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from tests.postgres import find_bin_dir, throwaway_cluster

    folder = tempfile.mkdtemp(prefix="speakup-bench-")
    with contextlib.ExitStack() as stack:
        urls = [("SQLite", f"sqlite:///{folder}/report.db")]
        if os.environ.get("BENCH_POSTGRES_URL"):
            urls.append(("PostgreSQL", os.environ["BENCH_POSTGRES_URL"]))
        elif find_bin_dir() is not None:
            urls.append(("PostgreSQL", stack.enter_context(throwaway_cluster())))
        for backend, url in urls:
            _bench_report_on(backend, url, folder, count)


def _seed_points_and_outcomes() -> None:
    """tracker.seed makes complaints only: give each triaged one a point (a theme on most, a
    service area on some) and a Stage 1 finding 5 to 30 days after it arrived, so the points'
    tables and Stage 1 timeliness have rows to count."""
    from datetime import timedelta

    from sqlalchemy import insert, select

    from portal.extensions import db
    from portal.models import Complaint, ComplaintPoint, PointOutcome

    rng = random.Random(2026)  # noqa: S311 - made-up data
    cases = db.session.execute(
        select(Complaint.id, Complaint.received_on, Complaint.procedure).where(
            Complaint.stage != "triage"
        )
    ).all()
    themes = [None, "delay", "communication", "placement", "staff_attitude"]
    db.session.execute(
        insert(ComplaintPoint),
        [
            {
                "complaint_id": c.id,
                "position": 1,
                "topic": "other",
                "procedure": c.procedure,
                "procedure_reason": "seeded",
                "theme": rng.choice(themes),
                "service_area": rng.choice([None, "fostering", "leaving_care"]),
            }
            for c in cases
        ],
    )
    points = db.session.execute(select(ComplaintPoint.id, ComplaintPoint.complaint_id)).all()
    received = {c.id: c.received_on for c in cases}
    db.session.execute(
        insert(PointOutcome),
        [
            {
                "point_id": p.id,
                "complaint_id": p.complaint_id,
                "stage": "stage_1",
                "outcome": rng.choice(["upheld", "partly_upheld", "not_upheld"]),
                "remedies": [],
                "decided_on": received[p.complaint_id] + timedelta(days=rng.randint(5, 30)),
            }
            for p in points
        ],
    )
    db.session.commit()


def _bench_report_on(backend: str, url: str, folder: str, count: int) -> None:
    from portal.extensions import db
    from portal.services import reports, tracker

    upgrade(url)
    app = create_app(
        {"INSTANCE_PATH": folder, "DATABASE_URL": url, "SECRET_KEY": "bench", "TESTING": True}
    )
    with app.app_context():
        start = time.perf_counter()
        tracker.seed(count)
        _seed_points_and_outcomes()
        label = f"report ({backend}): seeded {count:,} complaints"
        print(f"{label:<48} {time.perf_counter() - start:7.1f} s")
        period = reports.financial_year(reports.current_year_start() - 1)  # the last whole year
        print(f"{'  complaints in ' + period.label:<48} {reports.build(period).received.now:>9,}")

        def annual() -> None:
            reports.build(period)
            db.session.rollback()

        _timed(f"report ({backend}): one year, every table", annual, 5)
    app.extensions["database"][0].dispose()


if __name__ == "__main__":
    print("Speak Up benchmarks (one process, in-process WSGI client, SQLite)")
    bench_matcher()
    bench_safety_evaluation()
    bench_pages()
    bench_tracker()
    bench_report()
