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
from datetime import timedelta
from pathlib import Path

from sqlalchemy import text

from portal import create_app, milestones
from portal.migrate import upgrade
from portal.safety import evaluation, matcher, model
from portal.safety.matcher import matching_lists
from portal.timescales import deadline_from_receipt

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
    start = time.perf_counter()
    model.load()
    print(f"{'model: load the second look (once)':<48} {time.perf_counter() - start:7.2f} s")
    _timed("matcher: one sentence (lists, then model)", lambda: matching_lists(calm), 200)
    _timed("model alone: one sentence", lambda: model.concept(calm), 200)
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
    lists = evaluation.score(evaluation.load(EVALUATION), matcher.list_matches)
    print("  the lists alone (without the model's second look):")
    for line in evaluation.report(lists)[-14:]:
        print(line)
    facts = model.facts()
    print(
        f"  with the model's second look (threshold {facts['threshold']}, veto {facts['veto']},"
        f" short veto {facts['short_veto']}, set aside by a calm pattern {facts['set_aside']}),"
        " the model scored out of fold"
        f" (5-fold cross-validation over {facts['sentences']:,}"
        " sentences); on the fresh part the lists had not seen the sentences either:"
    )
    for name, rows in facts["figures"].items():
        for language, f in rows.items():
            print(
                f"    {name:<28} {language:<4} recall {f['caught'] / f['risky']:6.1%} "
                f"({f['caught']}/{f['risky']})  false alarms "
                f"{f['false_alarms'] / f['calm']:5.1%} ({f['false_alarms']}/{f['calm']})"
            )


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
    """The tracker over years of cases: 100,000 made-up complaints in SQLite and PostgreSQL."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from tests.postgres import find_bin_dir, throwaway_cluster

    folder = tempfile.mkdtemp(prefix="speakup-bench-")
    _bench_tracker_on("SQLite", f"sqlite:///{folder}/tracker.db", folder, count)
    if find_bin_dir() is None:
        print("tracker (PostgreSQL): not installed here, skipped")
        return
    with throwaway_cluster() as url:
        _bench_tracker_on("PostgreSQL", url, folder, count)


def _bench_tracker_on(backend: str, url: str, folder: str, count: int) -> None:
    from portal.services import staff, tracker

    upgrade(url)
    app = create_app(
        {"INSTANCE_PATH": folder, "DATABASE_URL": url, "SECRET_KEY": "bench", "TESTING": True}
    )
    app.config["WTF_CSRF_ENABLED"] = False
    with app.app_context():
        start = time.perf_counter()
        tracker.seed(count)
        print(
            f"{'tracker (' + backend + '): seeded ' + format(count, ',') + ' complaints':<48} "
            f"{time.perf_counter() - start:7.1f} s"
        )
        staff.create("bench@council.example", "Bench", "manager", "a long bench password")
    client = app.test_client()
    client.post(
        "/staff/sign-in",
        data={"email": "bench@council.example", "password": "a long bench password"},
    )
    for label, path in [
        ("GET /staff/cases (first page)", "/staff/cases"),
        ("overdue filter", "/staff/cases?overdue=1"),
        ("stage 2, due this week", "/staff/cases?stage=stage_2&due_this_week=1"),
        ("search by reference", "/staff/cases?reference=AB"),
        ("page 500", "/staff/cases?page=500"),
    ]:
        assert client.get(path).status_code == 200, path
        _timed(f"tracker ({backend}): {label}", lambda path=path: client.get(path), 20)
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
        select(Complaint.id, Complaint.received_on, Complaint.procedure)
        .where(Complaint.stage != "triage")
        .order_by(Complaint.id)
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
    points = db.session.execute(
        select(ComplaintPoint.id, ComplaintPoint.complaint_id).order_by(ComplaintPoint.id)
    ).all()
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


STEP_OF_STAGE = {
    "triage": "triage",
    "stage_1": "s1_open",
    "stage_2": "s2_investigating",
    "stage_3": "s3_acknowledged",
    "ombudsman": "ombudsman",
    "closed": "closed",
}
LATER_STAGES = {"stage_2", "stage_3", "ombudsman"}


class _CaseSeeder:
    """Made-up casework after Stage 1, as casework would record it: the events and the
    typed columns kept from them (portal/milestones.py), for one complaint at a time."""

    def __init__(self, rng: random.Random, today):
        self.rng, self.today = rng, today
        self.events: list[dict] = []
        self.columns: list[dict] = []

    def event(self, complaint_id: int, kind: str, on, **data) -> None:
        from datetime import UTC, datetime

        self.events.append(
            {
                "complaint_id": complaint_id,
                "type": kind,
                "at_utc": datetime(on.year, on.month, on.day, 12, tzinfo=UTC),
                "happened_on": on,
                "actor": "bench@council.example",
                "data": {"on": on.isoformat(), **data},
                "note": None,
            }
        )

    def case(self, c) -> None:
        rng = self.rng
        kept = {"b_id": c.id, "step": STEP_OF_STAGE[c.stage]}
        kept |= dict.fromkeys(milestones.COLUMNS)
        last = c.replied  # the Stage 1 reply: the first Stage 1 finding
        if last is not None:
            kept["stage_1_answered_on"] = last
            kept["stage_1_timeliness"] = milestones.stage_1_timeliness(c.received_on, last)
            self.event(c.id, "response_sent", last, stage="stage_1", outcomes={})
        if c.stage != "triage" and rng.random() < 0.15:
            kept["stage_1_extended_on"] = c.received_on + timedelta(days=8)
            self.event(c.id, "extended", kept["stage_1_extended_on"], new_due=None)
        escalated = c.stage in LATER_STAGES or (c.stage == "closed" and rng.random() < 0.06)
        if escalated and last is not None:
            last = self.stage_2(c, kept, last)
        if last and (c.stage in ("stage_3", "ombudsman") or (escalated and rng.random() < 0.3)):
            last = self.stage_3(c, kept, last)
        if c.stage == "ombudsman" or (c.stage == "closed" and rng.random() < 0.02):
            self.ombudsman(c, kept, last or c.received_on)
        if c.stage == "closed" and kept["ended_as"] is None:
            kept["ended_as"] = rng.choice(
                ["complaint_closed"] * 6 + ["resolved_locally", "complaint_withdrawn"]
            )
            self.event(c.id, kept["ended_as"], min(last or c.received_on, self.today))
        self.columns.append(kept)

    def stage_2(self, c, kept, last):
        rng = self.rng
        requested = last + timedelta(days=rng.randint(3, 25))
        if requested > self.today:
            return None
        kept["stage_2_requested_on"] = requested
        self.event(c.id, "stage_2_requested", requested, late=False)
        start = requested + timedelta(days=rng.randint(5, 15))  # the agreed statement
        if start > self.today:
            return None
        self.event(c.id, "statement_agreed", start)
        if rng.random() < 0.3:
            kept["stage_2_extended_on"] = start + timedelta(days=20)
            self.event(c.id, "extended", kept["stage_2_extended_on"], days=20)
        answered = start + timedelta(days=rng.randint(25, 110))
        if c.stage == "stage_2" or answered > self.today:
            return None
        kept["stage_2_answered_on"] = answered
        kept["stage_2_timeliness"] = (
            milestones.WITHIN_25
            if answered <= deadline_from_receipt(start, 25)
            else milestones.WITHIN_65
            if answered <= deadline_from_receipt(start, 65)
            else milestones.LATER
        )
        self.event(c.id, "response_sent", answered, stage="stage_2", outcomes={})
        return answered

    def stage_3(self, c, kept, last):
        rng = self.rng
        requested = last + timedelta(days=rng.randint(3, 25))
        if requested > self.today:
            return None
        kept["stage_3_requested_on"] = requested
        self.event(c.id, "stage_3_requested", requested, late=False)
        self.event(c.id, "acknowledged", requested + timedelta(days=2))
        panel = requested + timedelta(days=rng.randint(25, 60))
        kept["panel_on"] = panel
        kept["panel_timeliness"] = (
            milestones.WITHIN_30
            if panel <= deadline_from_receipt(requested, 30)
            else milestones.LATER
        )
        self.event(c.id, "panel_convened", requested + timedelta(days=10), panel_on=str(panel))
        return panel + timedelta(days=20) if panel + timedelta(days=20) <= self.today else None

    def ombudsman(self, c, kept, last):
        rng = self.rng
        enquiry = min(last + timedelta(days=rng.randint(30, 200)), self.today)
        kept["ombudsman_enquiry_on"] = enquiry
        self.event(c.id, "ombudsman_enquiry_received", enquiry, ombudsman_reference="")
        decided = enquiry + timedelta(days=rng.randint(60, 200))
        if c.stage == "ombudsman" or decided > self.today:
            kept["step"], kept["ended_as"] = "ombudsman", None
            return
        decision = rng.choice(["closed_after_initial_enquiries", "not_upheld", "upheld"])
        remedy = decision == "upheld" and rng.random() < 0.7
        kept |= {
            "ombudsman_decided_on": decided,
            "ombudsman_decision": decision,
            "ombudsman_remedy": remedy,
            "ended_as": "ombudsman_decided",
        }
        self.event(
            c.id, "ombudsman_decided", decided, decision=decision, remedy="Apologise" * remedy
        )


def _seed_casework() -> None:
    """After `tracker.seed` (complaints only): each case's step, Stage 1 extensions, Stage 2
    and 3 (with their events: requested, statement, extension, adjudication, panel), the
    Ombudsman (enquiry and decision), how it ended; learning actions for some upheld points
    and every Ombudsman remedy; and compliments and comments."""
    from sqlalchemy import bindparam, func, insert, select

    from portal.clock import today_local
    from portal.extensions import db
    from portal.models import Complaint, Event, PointOutcome

    rng = random.Random(2027)  # noqa: S311 - made-up data
    seeder = _CaseSeeder(rng, today_local())
    replied = (
        select(PointOutcome.complaint_id, func.min(PointOutcome.decided_on).label("on"))
        .where(PointOutcome.stage == "stage_1")
        .group_by(PointOutcome.complaint_id)
        .subquery()
    )
    for c in db.session.execute(
        select(Complaint.id, Complaint.received_on, Complaint.stage, replied.c.on.label("replied"))
        .outerjoin(replied, replied.c.complaint_id == Complaint.id)
        .order_by(Complaint.id)
    ):
        seeder.case(c)
    table = Complaint.__table__
    names = ["step", *milestones.COLUMNS]
    db.session.execute(
        table.update()
        .where(table.c.id == bindparam("b_id"))
        .values({name: bindparam(name) for name in names}),
        seeder.columns,
    )
    db.session.execute(insert(Event), seeder.events)
    db.session.commit()
    _seed_learning(rng)
    _seed_feedback(rng, 30_000)


def _seed_learning(rng: random.Random) -> None:
    from datetime import UTC, datetime

    from sqlalchemy import insert, select

    from portal.clock import today_local
    from portal.extensions import db
    from portal.models import Complaint, LearningAction, PointOutcome

    today = today_local()
    upheld = db.session.execute(
        select(PointOutcome.complaint_id, PointOutcome.point_id, PointOutcome.decided_on)
        .where(PointOutcome.outcome == "upheld")
        .order_by(PointOutcome.id)
    ).all()
    remedies = db.session.execute(
        select(Complaint.id, Complaint.ombudsman_decided_on)
        .where(Complaint.ombudsman_remedy.is_(True))
        .order_by(Complaint.id)
    ).all()
    rows = []
    picked = [(c, p, on, "point") for c, p, on in upheld if rng.random() < 0.3]
    picked += [(c, None, on, "ombudsman") for c, on in remedies]
    for complaint_id, point_id, agreed, source in picked:
        due = agreed + timedelta(days=rng.randint(30, 90))
        done = due + timedelta(days=rng.randint(-25, 30))
        completed = done if rng.random() < 0.75 and done <= today else None
        rows.append(
            {
                "complaint_id": complaint_id,
                "point_id": point_id,
                "what": "Visits are booked a month ahead and confirmed in writing.",
                "owner_name": "A Manager",
                "owner_team": "Children in care",
                "due_on": due,
                "evidence": "The new booking log, checked in supervision." if completed else None,
                "completed_on": completed,
                "signed_off_by": "bench@council.example" if completed else None,
                "signed_off_utc": None,
                "created_by": "bench@council.example",
                "created_utc": datetime(agreed.year, agreed.month, agreed.day, 12, tzinfo=UTC),
                "source": source,
            }
        )
    db.session.execute(insert(LearningAction), rows)
    db.session.commit()


def _seed_feedback(rng: random.Random, count: int) -> None:
    from datetime import UTC, datetime

    from flask import current_app
    from sqlalchemy import insert

    from portal.clock import today_local
    from portal.extensions import db
    from portal.models import Feedback

    today = today_local()
    teams = [*current_app.config["SERVICE_AREAS"], None]
    groups = ["young_person", "young_person", "parent", "carer", "professional", "other"]
    rows = []
    for _ in range(count):
        received = today - timedelta(days=rng.randint(0, 5 * 365))
        kind = "compliment" if rng.random() < 0.75 else "comment"
        answered = (
            received + timedelta(days=5) if kind == "comment" and rng.random() < 0.8 else None
        )
        rows.append(
            {
                "kind": kind,
                "received_on": received,
                "arrived_by": rng.choice(["portal", "card", "email", "phone"]),
                "from_group": rng.choice(groups),
                "language": "en",
                "message": "Thank you for listening.",
                "about": None,
                "team": rng.choice(teams) if kind == "compliment" else None,
                "contact": None,
                "safety_flag": False,
                "answer": "Thank you." if answered else None,
                "answered_on": answered if answered and answered <= today else None,
                "answered_by": None,
                "recorded_by": None,
                "created_utc": datetime(received.year, received.month, received.day, tzinfo=UTC),
            }
        )
    db.session.execute(insert(Feedback), rows)
    db.session.commit()


def _timed_report(label: str, fn: Callable[[], object], repeat: int) -> None:
    """Wall time (median, slowest) and this process' CPU time (median): the machine is often
    shared, and CPU time shows the report's own work when others are busy. Load as measured."""
    import os

    wall, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    load = os.getloadavg()[0]
    print(
        f"{label:<48} median {statistics.median(wall):7.1f} ms   max {max(wall):7.1f} ms   "
        f"cpu {statistics.median(cpu):6.1f} ms   load {load:.1f}"
    )


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
        _seed_casework()
        label = f"report ({backend}): seeded {count:,} complaints"
        print(f"{label:<48} {time.perf_counter() - start:7.1f} s")
        if backend == "PostgreSQL":  # as autovacuum leaves a live database after a bulk load
            db.session.commit()
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE"))
        period = reports.financial_year(reports.current_year_start() - 1)  # the last whole year
        report = reports.build(period)
        tables = {t.name: t for t in report.tables}
        print(f"{'  complaints in ' + period.label:<48} {report.received.now:>9,}")
        for name in ("stage_2_timeliness", "stage_3_panels", "ombudsman", "learning"):
            total = sum(line.cells[-1].now for line in tables[name].lines)
            print(f"{'  ' + name + ' (rows added up)':<48} {total:>9,}")
        print(f"{'  what changed (actions completed)':<48} {len(report.changes):>9,}")

        def annual() -> None:
            reports.build(period)
            db.session.rollback()

        def quarter() -> None:
            reports.build(reports.quarter(period.start.year, 3))
            reports.open_now()
            db.session.rollback()

        _timed_report(f"report ({backend}): one year, every table", annual, 7)
        _timed_report(f"report ({backend}): one quarter and open now", quarter, 5)
        for whose in (reports.CHILDREN, reports.ADULTS):
            _timed_report(
                f"report ({backend}): one year, {whose} only",
                lambda whose=whose: reports.build(period, whose=whose),
                3,
            )
    app.extensions["database"][0].dispose()


if __name__ == "__main__":
    print("Speak Up benchmarks (one process, in-process WSGI client, SQLite)")
    bench_matcher()
    bench_safety_evaluation()
    bench_pages()
    bench_tracker()
    bench_report()
    from serving import bench_serving  # bench/serving.py: gunicorn and wrk, as `make serve` runs

    bench_serving()
