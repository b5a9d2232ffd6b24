"""The managers' report (/staff/reports): known rows give exactly the declared counts, on
SQLite and PostgreSQL; totals agree; the CSV matches the page; small numbers are hidden in the
publication view; managers only; a bad period is a plain 400."""

from __future__ import annotations

import csv
import io
import secrets
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from portal.clock import now_utc
from portal.extensions import db
from portal.models import (
    AdvocacyReferral,
    AuditEntry,
    Complaint,
    ComplaintPoint,
    Event,
    PointOutcome,
)
from portal.references import new_reference
from portal.services import reports
from portal.stages import ENDINGS
from tests.staff.conftest import sign_in

YEAR = 2025  # the financial year 1 April 2025 to 31 March 2026


def _complaint(received: date, role: str, **typed) -> Complaint:
    columns = {
        "public_id": secrets.token_hex(16),
        "reference": new_reference(),
        "journey": "complaint",
        "voice": "self",
        "complainant_role": role,
        "contact_method": "link_only",
        "answers": {},
        "received_on": received,
        "received_utc": now_utc(),
        "eligibility": "as_of_right",
        "eligibility_reason": "test",
        "time_limit": "in_time",
        "time_limit_reason": "test",
        "legal_proceedings": "none",
        "legal_proceedings_reason": "test",
        "consent": "not_needed",
        "consent_reason": "test",
        "advocacy": "not_wanted",
        "outcomes_sought": [],
        "arrived_by": "portal",
        "procedure": "statutory",
        "stage": "stage_1",
        "step": "s1_open",
    }
    complaint = Complaint(**(columns | typed))
    db.session.add(complaint)
    db.session.flush()
    return complaint


def _point(complaint: Complaint, theme=None, area=None, *outcomes) -> None:
    point = ComplaintPoint(
        complaint_id=complaint.id,
        position=1,
        topic="other",
        procedure="statutory",
        procedure_reason="test",
        theme=theme,
        service_area=area,
    )
    db.session.add(point)
    db.session.flush()
    for stage, outcome, on in outcomes:
        db.session.add(
            PointOutcome(
                point_id=point.id,
                complaint_id=complaint.id,
                stage=stage,
                outcome=outcome,
                remedies=[],
                decided_on=on,
            )
        )


def _event(complaint: Complaint, kind: str) -> None:
    """A raw event, with the typed column casework would keep for an ending."""
    db.session.add(
        Event(complaint_id=complaint.id, type=kind, at_utc=now_utc(), actor="test", data={})
    )
    if kind in ENDINGS:
        complaint.ended_as = kind
    if kind == "stage_2_requested":
        complaint.stage_2_requested_on = complaint.received_on


def seed_known(app) -> None:
    """Five complaints in the year, two in the year before, one after both."""
    with app.app_context():
        a = _complaint(
            date(2025, 4, 10),
            "looked_after_child",
            advocacy="wanted",
            stage="closed",
            step="closed",
            stage_1_timeliness="within_10",  # as casework keeps it from the reply
        )
        _point(a, "delay", "fostering", ("stage_1", "upheld", date(2025, 4, 17)))
        _point(a, None, None, ("stage_1", "not_upheld", date(2025, 4, 17)))
        _event(a, "complaint_closed")
        db.session.add(
            AdvocacyReferral(
                complaint_id=a.id, service_name="Advocacy", service_contact="x", made_utc=now_utc()
            )
        )
        b = _complaint(
            date(2025, 5, 6),
            "parent",
            arrived_by="phone",
            advocacy="not_offered",
            stage="stage_2",
            step="s2_requested",
            stage_1_timeliness="within_20",
        )
        _point(b, "delay", None, ("stage_1", "not_upheld", date(2025, 5, 28)))
        _event(b, "stage_2_requested")
        _complaint(
            date(2025, 5, 20),
            "advocate",
            arrived_by="advocate",
            procedure="corporate",
            advocacy="has_advocate",
            stage="triage",
            step="triage",
        )
        d = _complaint(
            date(2026, 3, 31),
            "foster_carer",
            arrived_by="email",
            procedure="not_council",
            stage="closed",
            step="closed",
        )
        _point(d, None, None, ("stage_1", "resolved", date(2026, 3, 31)))
        _event(d, "resolved_locally")
        e = _complaint(
            date(2025, 9, 1), "care_leaver", arrived_by="letter", stage_1_timeliness="later"
        )
        _point(e, "placement", None, ("stage_1", "not_upheld", date(2025, 12, 1)))
        # The year before, and after both periods.
        _complaint(date(2024, 4, 15), "looked_after_child")
        _complaint(date(2025, 3, 31), "looked_after_child")
        _complaint(date(2026, 4, 1), "looked_after_child")
        db.session.commit()


EXPECTED = {
    # table: {row: (this period, year before)} in the first (or only) column
    "by_stage": {"triage": (1, 0), "stage_1": (3, 2), "stage_2": (1, 0)},
    "by_procedure": {"statutory": (3, 2), "corporate": (1, 0), "not_council": (1, 0)},
    "arrived_by": {
        "portal": (1, 2),
        "phone": (1, 0),
        "email": (1, 0),
        "letter": (1, 0),
        "advocate": (1, 0),
    },
    "themes": {"delay": (2, 0), "placement": (1, 0), "not_set": (2, 0)},
    "service_areas": {"fostering": (1, 0), "not_set": (4, 0)},
    "endings": {"still_open": (3, 2), "complaint_closed": (1, 0), "resolved_locally": (1, 0)},
    "stage_1_timeliness": {
        "within_10": (1, 0),
        "within_20": (1, 0),
        "later": (1, 0),
        "no_reply": (2, 2),
    },
    "advocacy": {
        "wanted": (1, 0),
        "not_wanted": (2, 2),
        "has_advocate": (1, 0),
        "not_offered": (1, 0),
    },
    "advocacy_referrals": {"referral_made": (1, 0)},
}


def _first_column(table: reports.Table) -> dict[str, tuple[int, int]]:
    """The whole row's column ("All", or the only one)."""
    i = table.chart_column
    return {
        line.key: (line.cells[i].now, line.cells[i].before)
        for line in table.lines
        if line.cells[i].now or line.cells[i].before
    }


def test_known_rows_give_exactly_these_counts(app):
    seed_known(app)
    with app.app_context():
        report = reports.build(reports.financial_year(YEAR))
    tables = {t.name: t for t in report.tables}
    assert (report.received.now, report.received.before) == (5, 2)
    for name, expected in EXPECTED.items():
        assert _first_column(tables[name]) == expected, name
    months = {
        line.label: (line.cells[2].now, line.cells[2].before) for line in tables["by_month"].lines
    }
    assert months["Apr 2025"] == (1, 1)
    assert months["May 2025"] == (2, 0)
    assert months["Sep 2025"] == (1, 0)
    assert months["Mar 2026"] == (1, 1)  # 31 March 2025 is in the year before
    assert len(months) == 12
    who = {line.key: tuple(c.now for c in line.cells) for line in tables["who"].lines}
    assert who["young_person"] == (1, 1, 2)  # a looked-after child, and a care leaver (adult)
    assert who["with_advocate"] == (1, 0, 1)
    assert who["parent"] == (0, 1, 1)
    assert who["foster_carer"] == (0, 1, 1)
    outcomes = {
        line.key: tuple(c.now for c in line.cells) for line in tables["point_outcomes"].lines
    }
    assert outcomes["upheld"][0] == 1
    assert outcomes["not_upheld"][0] == 3
    assert outcomes["resolved"][0] == 1
    assert sum(sum(v) for v in outcomes.values()) == 5  # one Stage 1 outcome per point


def test_totals_agree_across_tables(app):
    seed_known(app)
    with app.app_context():
        report = reports.build(reports.financial_year(YEAR))
    totalled = [t for t in report.tables if t.definition.totalled]
    assert {t.name for t in totalled} >= {"by_month", "by_stage", "by_procedure", "endings", "who"}
    for table in totalled:
        column = len(table.columns) - 1  # the last column is the whole table's
        assert table.total.cells[column].now == report.received.now, table.name
        assert table.total.cells[column].before == report.received.before, table.name
    tables = {t.name: t for t in report.tables}
    themes = sum(line.cells[2].now for line in tables["themes"].lines)
    areas = sum(line.cells[2].now for line in tables["service_areas"].lines)
    assert themes == areas == 5  # every point once, "not set" included


def _page_rows(page, name: str) -> list[list[str]]:
    table = page.select_one(f"#table-{name} table")
    rows = []
    for tr in table.select("tbody tr, tfoot tr"):
        rows.append([" ".join(c.get_text().split()) for c in tr.find_all(["th", "td"])])
    return rows


def _csv_rows(manager, url: str) -> list[list[str]]:
    response = manager.client.get(url)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


@pytest.mark.parametrize("publish", ["", "1"])
def test_each_table_csv_matches_the_page(app, manager, publish):
    seed_known(app)
    page = manager.get(f"/staff/reports?year={YEAR}&publish={publish}")
    every = _csv_rows(manager, f"/staff/reports.csv?year={YEAR}&publish={publish}")
    all_rows = [row for row in every if row[0] != "Table"]
    from_tables = []
    for definition in reports.TABLES:
        link = page.select_one(f"#table-{definition.name} a.csv-link")["href"]
        rows = _csv_rows(manager, link)
        assert rows[0][:2] == ["Table", definition.row_heading]
        body = [row[1:] for row in rows[1:]]
        if definition.name == "learning":  # then what changed (none here)
            assert body[-1] == reports.CHANGES_HEADER[1:]
            body = body[:-1]
        assert body == _page_rows(page, definition.name), definition.name
        from_tables += rows[1:]
    assert all_rows == from_tables


def test_the_year_before_column(app, manager):
    seed_known(app)
    page = manager.get(f"/staff/reports?year={YEAR}")
    assert "compared with the same period a year before" in page.text
    assert (
        page.select_one("#received")
        .get_text(" ", strip=True)
        .startswith("Complaints received: 5 (year before: 2)")
    )
    rows = {r[0]: r[1:] for r in _page_rows(page, "by_procedure")}
    # Children, adults, all: this period and the year before for each.
    assert rows["Statutory (children's social care)"] == ["1", "2", "2", "0", "3", "2"]
    assert rows["Total"] == ["2", "2", "3", "0", "5", "2"]


def test_publication_view_hides_small_numbers_and_the_managers_view_does_not(app, manager):
    seed_known(app)
    own = manager.get(f"/staff/reports?year={YEAR}")
    cells = [td.get_text() for td in own.select("td")] + [own.select_one("#received").text]
    assert not any(reports.SMALL in cell for cell in cells)
    assert any(cell.strip() == "1" for cell in cells)
    published = manager.get(f"/staff/reports?year={YEAR}&publish=1")
    rows = {r[0]: r[1:] for r in _page_rows(published, "by_procedure")}
    assert rows["Statutory (children's social care)"][-2:] == [reports.SMALL, reports.SMALL]
    assert rows["Signposted elsewhere"][-2:] == [reports.SMALL, "0"]
    assert rows["Total"][-2:] == ["5", reports.SMALL]
    assert published.select_one("#publication-note")
    csv_text = manager.client.get(f"/staff/reports.csv?year={YEAR}&publish=1").get_data(
        as_text=True
    )
    assert reports.SMALL in csv_text
    assert ",1," not in csv_text and ",2," not in csv_text


def test_quarter_and_two_dates(app, manager):
    seed_known(app)
    quarter = manager.get(f"/staff/reports?year={YEAR}&quarter=1")
    assert "Complaints received: 3 (year before: 1)" in quarter.text
    dates = manager.get("/staff/reports?from=2025-05-01&to=2025-05-31")
    assert "Complaints received: 2 (year before: 0)" in dates.text
    with app.app_context():
        assert reports.quarter(YEAR, 4) == reports.Period(
            date(2026, 1, 1), date(2026, 3, 31), reports.quarter(YEAR, 4).label
        )


def test_no_period_is_this_financial_year(app, manager):
    page = manager.get("/staff/reports")
    start = reports.current_year_start()
    assert f"Financial year {start} to {start + 1}" in page.text


@pytest.mark.parametrize(
    "query",
    [
        "year=abc",
        "year=20251",
        "quarter=5",
        "from=2025-13-01&to=2025-12-31",
        "from=2025-04-01",
        "from=2025-04-01&to=2024-04-01",
        "from=nonsense&to=2025-01-01",
        "from=0001-01-01&to=0001-12-31",
        "from=2000-01-01&to=2025-12-31",
    ],
)
def test_a_bad_period_is_a_plain_400(app, manager, query):
    page = manager.get(f"/staff/reports?{query}", expect=400)
    assert page.select_one("#period-problem").get_text(strip=True)
    assert manager.client.get(f"/staff/reports.csv?{query}").status_code == 400


@pytest.mark.parametrize("role", ["officer", "investigator", "admin"])
def test_managers_only(app, make_staff, role):
    person = sign_in(app, make_staff(role))
    person.get("/staff/reports", expect=403)
    assert person.client.get("/staff/reports.csv").status_code == 403
    assert "/staff/reports" not in person.client.get("/staff/account").get_data(as_text=True)


def test_the_page_is_audited_and_linked_for_managers(app, manager):
    home = manager.get("/staff/account")
    assert home.select_one("nav a[href='/staff/reports']")
    manager.get(f"/staff/reports?year={YEAR}")
    with app.app_context():
        actions = set(db.session.scalars(select(AuditEntry.action)))
    assert "report_viewed" in actions


def test_an_unknown_table_is_404(app, manager):
    assert manager.client.get("/staff/reports.csv?table=nope").status_code == 404


def test_a_value_no_row_declares_is_still_counted(app):
    """A new way in (say "fax") is not lost: it shows as "Other or not recorded"."""
    with app.app_context():
        _complaint(date(2025, 6, 2), "other", arrived_by="fax")
        _complaint(date(2025, 6, 3), "other")
        db.session.commit()
        report = reports.build(reports.financial_year(YEAR), ["arrived_by"])
    table = report.tables[0]
    rows = {line.key: line.cells[2].now for line in table.lines}
    assert rows["portal"] == 1
    assert rows[reports.UNLISTED] == 1
    assert table.total.cells[2].now == report.received.now == 2


def test_each_table_has_an_accessible_chart(app, manager):
    seed_known(app)
    page = manager.get(f"/staff/reports?year={YEAR}")
    for definition in reports.TABLES:
        chart = page.select_one(f"#table-{definition.name} svg.report-chart")
        assert chart["role"] == "img", definition.name
        assert chart.select_one("title").get_text().startswith(definition.title)
        assert "year before" in chart.select_one("desc").get_text()
    desc = page.select_one("#table-by_procedure svg desc").get_text()
    assert "Statutory (children's social care): 3 (year before 2)" in desc
    published = manager.get(f"/staff/reports?year={YEAR}&publish=1")
    desc = published.select_one("#table-by_procedure svg desc").get_text()
    assert f"Statutory (children's social care): {reports.SMALL}" in desc
    bars = published.select("#table-by_procedure svg rect[height]")
    assert "3" not in {t.get_text() for t in published.select("#table-by_procedure svg text")}
    assert bars


def test_stage_one_timeliness_counts_working_days_from_receipt():
    """The reference's own example: 10 working days from 19 Dec 2025 end on 7 Jan 2026."""
    from portal import milestones
    from portal.timescales import deadline_from_receipt

    received = date(2025, 12, 19)
    assert milestones.stage_1_timeliness(received, date(2026, 1, 7)) == "within_10"
    assert milestones.stage_1_timeliness(received, date(2026, 1, 8)) == "within_20"
    last = deadline_from_receipt(received, 20)
    assert milestones.stage_1_timeliness(received, last) == "within_20"
    assert milestones.stage_1_timeliness(received, last + timedelta(days=1)) == "later"
