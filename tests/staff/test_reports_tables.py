"""The report's later-stage tables (issue 15, parts 4 and 5) against cases moved through the
real casework (`casework.advance`, the clock moved by time_machine), on SQLite and PostgreSQL:
Stage 2 and Stage 3 on time, extensions, escalations, the Ombudsman, compliments, comments and
learning actions (with what changed); children and adults throughout and the "whose" choice;
the CSV matching the page; publication rounding; the performance view's open and overdue
counts; and every declared table on the page, in the CSV and drawn.

The financial year 2025 (1 April 2025 to 31 March 2026), with one case in the year before:
  A  a looked-after child, 2 Jun 2025: Stage 1 extended, upheld; Stage 2 on time; a panel
     on time; the Ombudsman upheld it and asked for a remedy (a learning action, overdue).
  B  a parent, 1 Sep 2025: Stage 2 extended and answered in 26 to 65 working days; a panel
     more than 30 working days after the request (still open at Stage 3).
  C  an advocate for a child, 3 Mar 2025 (the year before): Stage 2 asked for on 20 Mar 2025.
  D  a care leaver (an adult), 2 Feb 2026: Stage 1 extended, partly upheld; a learning action
     completed in March 2026.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest
import time_machine
from sqlalchemy import select

from portal.clock import now_utc, today_local
from portal.extensions import db
from portal.models import Complaint, Feedback
from portal.services import casework, learning, reports
from portal.stages import Action
from tests.staff.test_reports import _complaint, _point

YEAR = 2025
MANAGER = casework.Actor("manager@council.example", "manager")


def at(day: date):
    return time_machine.travel(datetime(day.year, day.month, day.day, 10, tzinfo=UTC), tick=False)


def _move(complaint_id: int, action: str, on: date, **inputs: str) -> None:
    with at(on):
        complaint = db.session.get(Complaint, complaint_id)
        casework.advance(complaint, Action(action), MANAGER, None, {"on": on.isoformat(), **inputs})
        db.session.expire_all()


def _findings(complaint_id: int, outcome: str) -> dict[str, str]:
    complaint = db.session.get(Complaint, complaint_id)
    found = {}
    for point in complaint.points:
        found[f"outcome-{point.id}"] = outcome
        found[f"remedy-{point.id}-apology"] = "yes"
    return found


def _reply(complaint_id: int, on: date, outcome: str, **more: str) -> None:
    inputs = {"finding": "What we found.", "remedy": "We will put it right.", **more}
    _move(complaint_id, "record_response", on, **inputs, **_findings(complaint_id, outcome))


STAGE_2_REPORTS = {"investigation_report": "Found.", "independent_report": "Agreed."}


def _new(received: date, role: str) -> int:
    complaint = _complaint(received, role, stage="triage", step="triage")
    _point(complaint, "delay", "fostering")
    db.session.commit()
    return complaint.id


def _to_stage_2(case: int, requested: date, statement: date) -> None:
    _move(case, "request_stage_2", requested)
    _move(
        case,
        "appoint_investigators",
        requested,
        investigating_officer="Ivy Officer",
        independent_person="Ian Independent",
    )
    _move(case, "agree_statement", statement, statement="The points agreed.")


def _panel(case: int, requested: date, convened: date, panel_on: date, **more: str) -> None:
    _move(case, "request_stage_3", requested)
    _move(case, "acknowledge", requested)
    _move(
        case,
        "convene_panel",
        convened,
        panel_on=panel_on.isoformat(),
        chair="Pat Chair",
        members="Sam One\nLee Two",
        **more,
    )


def seed_cases(app) -> dict[str, int]:
    with app.app_context():
        a = _new(date(2025, 6, 2), "looked_after_child")
        _move(a, "accept_statutory", date(2025, 6, 2))
        _move(a, "acknowledge", date(2025, 6, 2))
        _move(a, "extend", date(2025, 6, 10), reason="A big case.", told="yes")
        _reply(a, date(2025, 6, 20), "upheld")  # 11 to 20 working days
        _to_stage_2(a, date(2025, 7, 1), date(2025, 7, 7))
        _reply(a, date(2025, 7, 21), "upheld", **STAGE_2_REPORTS)  # within 25 of 7 Jul
        _panel(a, date(2025, 8, 1), date(2025, 8, 5), date(2025, 9, 5))  # by 12 Sep: on time
        _move(a, "circulate_papers", date(2025, 8, 20))
        _move(a, "record_panel_report", date(2025, 9, 8), finding="Upheld.")
        _reply(a, date(2025, 9, 20), "upheld")
        _move(a, "ombudsman_enquiry", date(2025, 10, 1), ombudsman_reference="25 001 234")
        _move(a, "ombudsman_outcome", date(2025, 12, 1), decision="upheld", remedy="Pay £200.")
        with at(date(2025, 12, 2)):
            learning.add(
                db.session.get(Complaint, a),
                MANAGER.name,
                "manager",
                {
                    "point": "ombudsman",
                    "what": "Check every payment.",
                    "owner_name": "Kim Lead",
                    "owner_team": "Children in care",
                    "due_on": "2026-01-31",
                },
            )

        b = _new(date(2025, 9, 1), "parent")
        _move(b, "accept_statutory", date(2025, 9, 1))
        _move(b, "acknowledge", date(2025, 9, 1))
        _reply(b, date(2025, 9, 10), "not_upheld")  # within 10 working days
        _to_stage_2(b, date(2025, 9, 15), date(2025, 9, 17))
        _move(b, "extend", date(2025, 10, 1), days="20", reason="Witnesses away.", told="yes")
        _reply(b, date(2025, 11, 10), "not_upheld", **STAGE_2_REPORTS)  # 26 to 65 days
        _panel(
            b,
            date(2025, 12, 1),
            date(2025, 12, 3),
            date(2026, 2, 20),  # due 15 Jan 2026: late
            late_reason="The chair was ill.",
        )

        c = _new(date(2025, 3, 3), "advocate")
        _move(c, "accept_statutory", date(2025, 3, 3))
        _move(c, "acknowledge", date(2025, 3, 3))
        _reply(c, date(2025, 3, 10), "not_upheld")
        _move(c, "request_stage_2", date(2025, 3, 20))

        d = _new(date(2026, 2, 2), "care_leaver")
        _move(d, "accept_statutory", date(2026, 2, 2))
        _move(d, "acknowledge", date(2026, 2, 2))
        _move(d, "extend", date(2026, 2, 10), reason="Records to find.", told="yes")
        _reply(d, date(2026, 2, 25), "partly_upheld")  # 11 to 20 working days
        with at(date(2026, 2, 26)):
            complaint = db.session.get(Complaint, d)
            action = learning.add(
                complaint,
                MANAGER.name,
                "manager",
                {
                    "point": str(complaint.points[0].id),
                    "what": "Care leavers get their records in 20 days.",
                    "owner_name": "Jo Lead",
                    "owner_team": "Leaving care",
                    "due_on": "2026-03-20",
                },
            )
        with at(date(2026, 3, 10)):
            learning.complete(
                db.session.get(Complaint, d),
                action.id,
                MANAGER.name,
                "manager",
                {"evidence": "The new checklist, in use.", "completed_on": "2026-03-10"},
            )
        _feedback()
        return {"a": a, "b": b, "c": c, "d": d}


def _feedback() -> None:
    rows = [
        ("compliment", date(2025, 5, 1), "young_person", "fostering"),
        ("compliment", date(2025, 6, 1), "parent", "fostering"),
        ("compliment", date(2025, 7, 1), "carer", None),
        ("compliment", date(2024, 7, 1), "young_person", "adoption"),  # the year before
        ("comment", date(2025, 8, 1), "young_person", None),
        ("comment", date(2026, 4, 2), "parent", None),  # after the period
    ]
    for kind, received, group, team in rows:
        db.session.add(
            Feedback(
                kind=kind,
                received_on=received,
                arrived_by="portal",
                from_group=group,
                message="Thank you.",
                team=team,
                answered_on=date(2025, 8, 5) if kind == "comment" and group == "parent" else None,
                created_utc=now_utc(),
            )
        )
    db.session.commit()


def _table(report: reports.Report, name: str) -> dict[str, tuple[tuple[int, int], ...]]:
    """{row: ((children now, before), (adults now, before), (all now, before))}, rows with
    something in them."""
    table = next(t for t in report.tables if t.name == name)
    return {
        line.key: tuple((c.now, c.before) for c in line.cells)
        for line in table.lines
        if any(c.now or c.before for c in line.cells)
    }


CHILD, ADULT = ((1, 0), (0, 0), (1, 0)), ((0, 0), (1, 0), (1, 0))


def test_the_typed_columns_casework_keeps(app):
    cases = seed_cases(app)
    with app.app_context():
        a = db.session.get(Complaint, cases["a"])
        assert a.stage_1_extended_on == date(2025, 6, 10)
        assert (a.stage_2_requested_on, a.stage_2_answered_on) == (
            date(2025, 7, 1),
            date(2025, 7, 21),
        )
        assert a.stage_2_timeliness == "within_25"
        assert (a.panel_on, a.panel_timeliness) == (date(2025, 9, 5), "within_30")
        assert (a.ombudsman_enquiry_on, a.ombudsman_decided_on) == (
            date(2025, 10, 1),
            date(2025, 12, 1),
        )
        assert (a.ombudsman_decision, a.ombudsman_remedy) == ("upheld", True)
        assert a.ended_as == "ombudsman_decided"
        b = db.session.get(Complaint, cases["b"])
        assert (b.stage_2_extended_on, b.stage_2_timeliness) == (date(2025, 10, 1), "within_65")
        assert (b.panel_on, b.panel_timeliness) == (date(2026, 2, 20), "later")
        assert b.ended_as is None and b.stage == "stage_3"


def test_each_new_table_gives_exactly_these_figures(app):
    seed_cases(app)
    with app.app_context():
        report = reports.build(reports.financial_year(YEAR))
    assert _table(report, "stage_2_timeliness") == {"within_25": CHILD, "within_65": ADULT}
    assert _table(report, "stage_3_panels") == {"within_30": CHILD, "later": ADULT}
    assert _table(report, "extensions") == {
        "stage_1": ((1, 0), (1, 0), (2, 0)),
        "stage_2": ADULT,
    }
    assert _table(report, "escalations") == {
        "stage_2": ((1, 1), (1, 0), (2, 1)),  # C asked in March 2025: the year before
        "stage_3": ((1, 0), (1, 0), (2, 0)),
    }
    assert _table(report, "ombudsman") == {
        "enquiry": CHILD,
        "decision_upheld": CHILD,
        "remedy_asked": CHILD,
    }
    assert _table(report, "compliments") == {
        "fostering": ((1, 0), (1, 0), (2, 0)),
        "adoption": ((0, 1), (0, 0), (0, 1)),
        "not_set": ADULT,
    }
    assert _table(report, "comments") == {"received": CHILD}
    assert _table(report, "learning") == {
        "agreed_point": ADULT,
        "agreed_ombudsman": CHILD,
        "completed": ADULT,
        "overdue": CHILD,  # due 31 Jan 2026, not done by 31 March
    }
    assert [(c.completed_on, c.what, c.evidence) for c in report.changes] == [
        (
            date(2026, 3, 10),
            "Care leavers get their records in 20 days.",
            "The new checklist, in use.",
        )
    ]
    assert _table(report, "stage_1_timeliness") == {
        "within_10": ((0, 1), (1, 0), (1, 1)),  # C, the year before
        "within_20": ((1, 0), (1, 0), (2, 0)),
    }
    assert _table(report, "by_stage") == {
        "stage_1": ADULT,
        "stage_2": ((0, 1), (0, 0), (0, 1)),  # C, the year before
        "stage_3": ADULT,
        "ombudsman": CHILD,
    }
    assert _table(report, "endings")["ombudsman_decided"] == CHILD


def test_totals_agree_with_the_cases_and_with_each_other(app):
    seed_cases(app)
    with app.app_context():
        report = reports.build(reports.financial_year(YEAR))
        received = db.session.scalars(
            select(Complaint.id).where(
                Complaint.received_on.between(date(2025, 4, 1), date(2026, 3, 31))
            )
        ).all()
    assert report.received.now == len(received) == 3
    for table in report.tables:
        if table.definition.split:  # children and adults add up to all, in every row
            for line in [*table.lines, *([table.total] if table.total else [])]:
                children, adults, every = line.cells
                assert children.now + adults.now == every.now, (table.name, line.key)
                assert children.before + adults.before == every.before, (table.name, line.key)
        if table.definition.totalled:
            assert table.total.cells[-1].now == report.received.now, table.name
    tables = {t.name: t for t in report.tables}
    # Each complaint that reached Stage 2 in the period was asked for once, and each answered
    # Stage 2 is timed once; each panel held is timed once; every Stage 3 asked for met.
    assert _total(tables["stage_2_timeliness"]) == 2
    assert _total(tables["stage_3_panels"]) == _row(tables["escalations"], "stage_3") == 2
    decided = sum(_row(tables["ombudsman"], k) for k in ("decision_upheld", "decision_not_upheld"))
    assert decided <= _row(tables["ombudsman"], "enquiry")


def _total(table: reports.Table) -> int:
    return table.total.cells[-1].now


def _row(table: reports.Table, key: str) -> int:
    return next((line.cells[-1].now for line in table.lines if line.key == key), 0)


@pytest.mark.parametrize("whose", ["children", "adults"])
def test_whose_narrows_every_table_and_the_parts_add_up(app, whose):
    seed_cases(app)
    with app.app_context():
        period = reports.financial_year(YEAR)
        everyone = reports.build(period)
        children = reports.build(period, whose="children")
        adults = reports.build(period, whose="adults")
    assert children.received.now + adults.received.now == everyone.received.now
    assert (children.received.now, adults.received.now) == (1, 2)
    for every, child, adult in zip(everyone.tables, children.tables, adults.tables, strict=True):
        for line in every.lines:
            parts = [
                next((li for li in t.lines if li.key == line.key), None) for t in (child, adult)
            ]
            for i, cell in enumerate(line.cells):
                got = sum(p.cells[i].now for p in parts if p is not None)
                assert got == cell.now, (every.name, line.key, i)
    one = children if whose == "children" else adults
    other = "adults" if whose == "children" else "children"
    for table in one.tables:
        if table.definition.split:
            column = [key for key, _ in table.columns].index(other)
            assert all(line.cells[column].now == 0 for line in table.lines), table.name


def _page_rows(page, name: str) -> list[list[str]]:
    rows = []
    for tr in page.select_one(f"#table-{name} table").select("tbody tr, tfoot tr"):
        rows.append([" ".join(c.get_text().split()) for c in tr.find_all(["th", "td"])])
    return rows


def _csv(manager, url: str) -> list[list[str]]:
    response = manager.client.get(url)
    assert response.status_code == 200, url
    assert response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


@pytest.mark.parametrize("query", ["", "&whose=children", "&publish=1&whose=adults"])
def test_the_csv_matches_the_page_for_every_table(app, manager, query):
    seed_cases(app)
    page = manager.get(f"/staff/reports?year={YEAR}{query}")
    every = _csv(manager, f"/staff/reports.csv?year={YEAR}{query}")
    assert every[0][0] == "Table"
    blocks: list[list[list[str]]] = []
    for row in every:
        if row[0] in ("Table", "What changed") and row[1] in (
            reports.CHANGES_HEADER[1],
            *(d.row_heading for d in reports.TABLES),
        ):
            blocks.append([])
        blocks[-1].append(row)
    headed = [b for b in blocks if b[0][0] == "Table"]
    assert [b[0][1] for b in headed] == [d.row_heading for d in reports.TABLES]
    for definition, block in zip(reports.TABLES, headed, strict=True):
        assert [row[1:] for row in block[1:]] == _page_rows(page, definition.name), definition.name
        one = _csv(manager, f"/staff/reports.csv?year={YEAR}{query}&table={definition.name}")
        assert one[: len(block)] == block, definition.name
    changes = [b for b in blocks if b[0][0] == "What changed"]
    assert len(changes) == 1
    listed = [li.get_text(" ", strip=True) for li in page.select("#what-changed li")]
    assert len(listed) == len(changes[0]) - 1
    for row, text in zip(changes[0][1:], listed, strict=True):
        assert row[3] in text and row[4] in text


def test_publication_rounds_the_new_tables(app, manager):
    seed_cases(app)
    page = manager.get(f"/staff/reports?year={YEAR}&publish=1")
    rows = {r[0]: r[1:] for r in _page_rows(page, "escalations")}
    small = reports.SMALL
    assert rows["Stage 2 (investigation)"] == [small, small, small, "0", small, small]
    for name in ("stage_2_timeliness", "ombudsman", "compliments", "learning"):
        cells = [c for row in _page_rows(page, name) for c in row[1:]]
        assert all(c in ("0", small) for c in cells), name
        desc = page.select_one(f"#table-{name} svg desc").get_text()
        assert small in desc, name
    text = manager.client.get(f"/staff/reports.csv?year={YEAR}&publish=1").get_data(as_text=True)
    numbers = [cell for row in csv.reader(io.StringIO(text)) for cell in row[2:]]
    assert not any(cell in ("1", "2", "3", "4") for cell in numbers)


def test_every_declared_table_is_on_the_page_in_the_csv_and_drawn(app, manager):
    page = manager.get(f"/staff/reports?year={YEAR}")
    text = manager.client.get(f"/staff/reports.csv?year={YEAR}").get_data(as_text=True)
    titles = {row[0] for row in csv.reader(io.StringIO(text)) if row and row[0] != "Table"}
    for definition in reports.TABLES:
        section = page.select_one(f"#table-{definition.name}")
        assert section is not None, definition.name
        assert section.select_one("svg.report-chart[role=img] title"), definition.name
        assert section.select_one("table.data-table"), definition.name
        assert section.select_one("a.csv-link"), definition.name
        assert definition.title in titles, definition.name
        if definition.split:
            heads = [th.get_text(strip=True) for th in section.select("thead tr th[colspan]")]
            assert heads == ["Children", "Adults", "All"], definition.name
    assert len(page.select("section.report-table")) == len(reports.TABLES)


def test_the_performance_view(app, manager, make_staff):
    cases = seed_cases(app)
    with app.app_context():
        quarter = reports.quarter(YEAR, 3)  # October to December 2025
        expected = reports.build(quarter)
        open_lines = {line.key: (line.open, line.overdue) for line in reports.open_now()}
        rows = db.session.execute(select(Complaint.stage, Complaint.next_deadline_on)).all()
    today = today_local()
    # B is at Stage 3 waiting for papers (due before 20 Feb 2026: overdue now), D is at
    # Stage 1 replied (no deadline), C at Stage 2 (the statement was due long ago).
    for stage, _ in rows:
        assert stage in open_lines or stage == "closed"
    assert open_lines["stage_3"] == (1, 1)
    assert open_lines["stage_2"] == (1, 1)
    assert open_lines["stage_1"] == (1, 0)
    assert open_lines["total"] == (3, 2)
    assert sum(1 for s, due in rows if s != "closed" and due and due < today) == 2
    page = manager.get(f"/staff/reports/performance?year={YEAR}&quarter=3")
    assert "Quarter 3 of 2025 to 2026" in page.select_one("#period").text
    open_rows = {r[0]: r[1:] for r in _page_rows(page, "open_now")}
    assert open_rows["Stage 3"] == ["1", "1"]
    assert open_rows["Total"] == ["3", "2"]
    assert page.select_one("#received strong").text == str(expected.received.now)
    ombudsman = {r[0]: r[1:] for r in _page_rows(page, "ombudsman")}
    assert ombudsman["Enquiries received"] == ["1", "0", "0", "0", "1", "0"]
    adults = manager.get(f"/staff/reports/performance?year={YEAR}&quarter=3&whose=adults")
    assert {r[0]: r[1:] for r in _page_rows(adults, "open_now")}["Total"] == ["2", "1"]
    open_csv = _csv(manager, "/staff/reports/performance.csv?table=open_now")
    assert open_csv[0] == reports.OPEN_HEADER
    assert [row[1:] for row in open_csv[1:]] == _page_rows(page, "open_now")
    every = _csv(manager, f"/staff/reports/performance.csv?year={YEAR}&quarter=3")
    assert every[-len(open_csv) :] == open_csv
    assert cases


def test_the_performance_view_defaults_to_this_quarter_and_is_linked(app, manager):
    page = manager.get("/staff/reports/performance")
    with app.app_context():
        now = reports.current_quarter()
    assert now.label in page.select_one("#period").text
    assert page.select_one("nav a[href='/staff/reports/performance']")
    report = manager.get("/staff/reports")
    assert report.select_one("#performance-link")["href"] == "/staff/reports/performance"
    manager.get("/staff/reports/performance?quarter=9", expect=400)
    manager.get("/staff/reports?whose=cats", expect=400)
    assert manager.client.get("/staff/reports/performance.csv?table=nope").status_code == 404


def test_the_performance_view_is_for_managers_only(app, make_staff):
    from tests.staff.conftest import sign_in

    officer = sign_in(app, make_staff("officer"))
    officer.get("/staff/reports/performance", expect=403)
    assert officer.client.get("/staff/reports/performance.csv").status_code == 403


def test_the_migration_fills_the_same_columns_from_the_events(app):
    """Migration 0013's backfill (cases that moved before the columns existed) gives exactly
    what casework keeps."""
    import importlib.util
    from pathlib import Path

    from portal import milestones

    path = Path(__file__).resolve().parents[2] / "portal/migrations/versions/0013_report_columns.py"
    spec = importlib.util.spec_from_file_location("report_columns_0013", path)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    cases = seed_cases(app)
    with app.app_context():
        kept = {
            cid: {n: getattr(db.session.get(Complaint, cid), n) for n in milestones.COLUMNS}
            for cid in cases.values()
        }
        assert any(v["panel_on"] for v in kept.values())
        db.session.execute(Complaint.__table__.update().values(dict.fromkeys(milestones.COLUMNS)))
        db.session.commit()
        filled = migration.backfill(db.session.connection())
        db.session.commit()
        db.session.expire_all()
        assert filled == len(cases)
        for cid, columns in kept.items():
            complaint = db.session.get(Complaint, cid)
            assert {n: getattr(complaint, n) for n in milestones.COLUMNS} == columns, cid
