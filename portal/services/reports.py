"""The annual report (reg 13): every table declared once, counted with SQL over typed columns.

`TABLES` is the one list of table declarations: a name, a title, its columns and a query that
counts one period. The staff page, its CSV downloads and the tests are all derived from it.
Each table is shown for a period and for the same period a year before.
"""

from __future__ import annotations

import csv
import io
from bisect import bisect_left
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import and_, case, exists, func, select

from portal.clock import today_local
from portal.extensions import db
from portal.models import AdvocacyReferral, Complaint, ComplaintPoint, Event, PointOutcome
from portal.services.tracker import PARENTS, YOUNG_PEOPLE
from portal.timescales import is_working_day
from portal.types import FINDINGS, Advocacy, EventType, Outcome, Procedure, Role, Stage

SMALL = "fewer than 5"
NOT_SET = "not_set"
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


class PeriodError(ValueError):
    """A period that cannot be reported on, with a plain message for the person who asked."""


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive
    label: str

    def year_before(self) -> Period:
        return Period(_year_back(self.start), _year_back(self.end), "Year before")

    @property
    def key(self) -> str:
        return f"{self.start.isoformat()} to {self.end.isoformat()}"


def _year_back(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def financial_year(start_year: int) -> Period:
    return Period(
        date(start_year, 4, 1),
        date(start_year + 1, 3, 31),
        f"Financial year {start_year} to {start_year + 1}",
    )


def quarter(start_year: int, number: int) -> Period:
    """Quarter 1 is April to June of the financial year starting in `start_year`."""
    month = 4 + 3 * (number - 1)
    year = start_year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    start = date(year, month, 1)
    after = date(year + (month + 2) // 12, (month + 2) % 12 + 1, 1)
    return Period(
        start,
        after - timedelta(days=1),
        f"Quarter {number} of {start_year} to {start_year + 1}",
    )


def current_year_start(today: date | None = None) -> int:
    today = today or today_local()
    return today.year if today.month >= 4 else today.year - 1


def _int(raw: str, what: str, low: int, high: int) -> int:
    try:
        value = int(raw.strip())
    except ValueError:
        raise PeriodError(f"The {what} must be a number, like {low}.") from None
    if not low <= value <= high:
        raise PeriodError(f"The {what} must be between {low} and {high}.")
    return value


def _day(raw: str, what: str) -> date:
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise PeriodError(
            f"The {what} date must be a real date, written like 2025-04-01."
        ) from None


def parse_period(args: Mapping[str, str]) -> Period:
    """Read a period from the page's form: `from` and `to`, or `year` (and `quarter`).

    With nothing given: the financial year (April to March) we are in now.
    """
    given_from, given_to = (args.get("from") or "").strip(), (args.get("to") or "").strip()
    if given_from or given_to:
        if not (given_from and given_to):
            raise PeriodError("Give both dates: the first day and the last day.")
        start, end = _day(given_from, "first"), _day(given_to, "last")
        if end < start:
            raise PeriodError("The last day must be on or after the first day.")
        if (end - start).days > 5 * 366:
            raise PeriodError("Choose a period of five years or less.")
        if start.year < 1901:
            raise PeriodError("The first date is too long ago.")
        return Period(start, end, f"{start:%-d %B %Y} to {end:%-d %B %Y}")
    raw_year = (args.get("year") or "").strip()
    year = _int(raw_year, "year", 1990, 2200) if raw_year else current_year_start()
    raw_quarter = (args.get("quarter") or "").strip()
    if raw_quarter:
        return quarter(year, _int(raw_quarter, "quarter", 1, 4))
    return financial_year(year)


# --- The queries: each counts one period and returns {(row, column): count} ---------------

Counts = dict[tuple[str, str], int]
TOTAL = "total"


def _received_in(period: Period):
    return Complaint.received_on.between(period.start, period.end)


def _of_complaints_received(column, period: Period):
    """Rows of a complaint's child table (points, outcomes …) whose complaint arrived in the
    period: an IN over the received-date index, so complaints' wide rows are never read."""
    return column.in_(select(Complaint.id).where(_received_in(period)))


def _one_column(rows) -> Counts:
    return {(str(key), TOTAL): int(n) for key, n in rows}


def _month_index(period: Period):
    """Months from the period's first month: 0, 1, 2 … (the year before counts the same)."""
    received = Complaint.received_on
    return (
        (func.extract("year", received) - period.start.year) * 12
        + func.extract("month", received)
        - period.start.month
    ), None


def _month_rows(period: Period) -> list[tuple[str, str]]:
    rows, index = [], 0
    year, month = period.start.year, period.start.month
    while (year, month) <= (period.end.year, period.end.month):
        rows.append((f"{index:03d}", f"{MONTHS[month - 1]} {year}"))
        index += 1
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return rows


def _had(event_type: str):
    return exists().where(Event.complaint_id == Complaint.id, Event.type == event_type)


def _stage_reached(period: Period):
    """The furthest stage a complaint reached: from its stage now, or the events on the way."""
    return case(
        (
            (Complaint.stage == Stage.OMBUDSMAN) | _had(EventType.OMBUDSMAN_ENQUIRY_RECEIVED),
            Stage.OMBUDSMAN.value,
        ),
        ((Complaint.stage == Stage.STAGE_3) | _had(EventType.STAGE_3_REQUESTED), "stage_3"),
        ((Complaint.stage == Stage.STAGE_2) | _had(EventType.STAGE_2_REQUESTED), "stage_2"),
        (Complaint.stage == Stage.TRIAGE, "triage"),
        else_="stage_1",
    ), None


def _column(column):
    return lambda period: (column, None)


CHILD_ROLES = YOUNG_PEOPLE - {Role.CARE_LEAVER}  # care leavers are adults (18 to 25)


def _who(period: Period):
    """Who complained (tracker.complainant_group, in SQL), and whether a child or an adult:
    children are young people under 18 complaining themselves or through an advocate."""
    role = Complaint.complainant_role
    group = case(
        (role.in_([str(r) for r in YOUNG_PEOPLE]), "young_person"),
        (role == Role.ADVOCATE, "with_advocate"),
        (role.in_([str(r) for r in PARENTS]), "parent"),
        (role == Role.FOSTER_CARER, "foster_carer"),
        else_="other",
    )
    child = case(
        (role.in_([str(r) for r in CHILD_ROLES]) | (role == Role.ADVOCATE), "children"),
        else_="adults",
    )
    return group, child


ENDINGS = (
    EventType.COMPLAINT_CLOSED,
    EventType.COMPLAINT_WITHDRAWN,
    EventType.RESOLVED_LOCALLY,
    EventType.UNABLE_TO_CONSIDER,
    EventType.LATE_REQUEST_DECLINED,
    EventType.OMBUDSMAN_DECIDED,
)


def _ending(period: Period):
    """How a case ended: its last ending event (open cases: "still open")."""
    last = (
        select(Event.type)
        .where(Event.complaint_id == Complaint.id, Event.type.in_([str(e) for e in ENDINGS]))
        .order_by(Event.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    return case(
        (Complaint.step != Stage.CLOSED, "still_open"),
        else_=func.coalesce(last, "closed_unrecorded"),
    ), None


def _points_by(column) -> Callable[[Period], Counts]:
    def query(period: Period) -> Counts:
        key = func.coalesce(column, NOT_SET)
        return _one_column(
            db.session.execute(
                select(key, func.count(ComplaintPoint.id))
                .where(_of_complaints_received(ComplaintPoint.complaint_id, period))
                .group_by(key)
            )
        )

    return query


def _point_outcomes(period: Period) -> Counts:
    rows = db.session.execute(
        select(PointOutcome.outcome, PointOutcome.stage, func.count(PointOutcome.id))
        .where(_of_complaints_received(PointOutcome.complaint_id, period))
        .group_by(PointOutcome.outcome, PointOutcome.stage)
    )
    return {(str(o), str(s)): int(n) for o, s, n in rows}


def _stage_one_timeliness(period: Period) -> Counts:
    """Stage 1 replies within 10 working days, within 20, later: the reply day is the first
    Stage 1 finding. SQL gives one (received, replied) pair per case; working days are counted
    here, with the same calendar as every clock."""
    # coalesce(): start from the period's complaints (the received-date index), not from
    # every Stage 1 finding ever made (SQLite would otherwise pick the stage/outcome index).
    replies = (
        select(
            Complaint.received_on.label("received"), func.min(PointOutcome.decided_on).label("on")
        )
        .join(PointOutcome, PointOutcome.complaint_id == Complaint.id)
        .where(
            _received_in(period),
            func.coalesce(PointOutcome.stage, "") == Stage.STAGE_1,
            func.coalesce(PointOutcome.outcome, "").in_([str(f) for f in FINDINGS]),
        )
        .group_by(Complaint.id, Complaint.received_on)
        .subquery()
    )
    pairs = db.session.execute(  # one row per (received, replied) pair of days, with a count
        select(replies.c.received, replies.c.on, func.count()).group_by(
            replies.c.received, replies.c.on
        )
    )
    deadlines = stage_one_deadlines(period)
    counts: Counts = {}
    for received, on, n in pairs:
        within_10, within_20 = deadlines[received]
        key = "within_10" if on <= within_10 else "within_20" if on <= within_20 else "later"
        counts[(key, TOTAL)] = counts.get((key, TOTAL), 0) + n
    return counts


def stage_one_deadlines(period: Period) -> dict[date, tuple[date, date]]:
    """For each day of the period, the 10- and 20-working-day deadlines of something received
    that day (as timescales.deadline_from_receipt), from one walk over the calendar."""
    last = period.end + timedelta(days=60)  # 20 working days never span 60 days
    working = [
        period.start + timedelta(days=i)
        for i in range((last - period.start).days + 1)
        if is_working_day(period.start + timedelta(days=i))
    ]
    deadlines = {}
    for i in range((period.end - period.start).days + 1):
        day = period.start + timedelta(days=i)
        receipt = bisect_left(working, day)  # the next working day on or after it
        deadlines[day] = (working[receipt + 10], working[receipt + 20])
    return deadlines


def _referrals(period: Period) -> Counts:
    referred = db.session.scalar(
        select(func.count(AdvocacyReferral.id)).where(
            _of_complaints_received(AdvocacyReferral.complaint_id, period)
        )
    )
    return {("referral_made", TOTAL): int(referred or 0)}


# --- The declarations ----------------------------------------------------------------------

Rows = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class TableDef:
    name: str
    title: str
    row_heading: str
    # Either a query that counts one period, or (for complaint-level tables) the SQL that puts
    # each complaint in a row and, optionally, a column: all such tables are counted together
    # in one pass over the period's complaints.
    query: Callable[[Period], Counts] | None = None
    dimension: Callable[[Period], tuple[Any, Any]] | None = None
    columns: Rows = ((TOTAL, "Number"),)
    rows: Rows | Callable[[Period], list[tuple[str, str]]] | None = None  # None: as found
    # Each complaint is in exactly one row: the table gets a total that must match "received".
    totalled: bool = True
    note: str = ""
    row_value: Callable[[str], Any] = str  # the declared row key as the SQL compares it


STAGE_COLUMNS: Rows = (
    ("stage_1", "Stage 1"),
    ("stage_2", "Stage 2"),
    ("stage_3", "Stage 3"),
    ("ombudsman", "Ombudsman"),
    ("closed", "At closing"),
)

TABLES: tuple[TableDef, ...] = (
    TableDef(
        "by_month",
        "Complaints received by month",
        "Month",
        dimension=_month_index,
        rows=_month_rows,
        row_value=int,
    ),
    TableDef(
        "by_stage",
        "Complaints by the furthest stage reached",
        "Stage reached",
        dimension=_stage_reached,
        rows=(
            ("triage", "Not yet triaged"),
            ("stage_1", "Stage 1"),
            ("stage_2", "Stage 2"),
            ("stage_3", "Stage 3"),
            ("ombudsman", "Ombudsman"),
        ),
    ),
    TableDef(
        "by_procedure",
        "Complaints by procedure",
        "Procedure",
        dimension=_column(Complaint.procedure),
        rows=(
            (Procedure.STATUTORY.value, "Statutory (children's social care)"),
            (Procedure.CORPORATE.value, "Corporate"),
            (Procedure.NOT_COUNCIL.value, "Signposted elsewhere"),
        ),
    ),
    TableDef(
        "arrived_by",
        "How complaints arrived",
        "Arrived by",
        dimension=_column(Complaint.arrived_by),
        rows=(
            ("portal", "Online (Speak Up)"),
            ("phone", "Phone"),
            ("email", "Email"),
            ("letter", "Letter"),
            ("in_person", "In person"),
            ("advocate", "Through an advocate"),
        ),
    ),
    TableDef(
        "who",
        "Who complained",
        "Complainant",
        dimension=_who,
        columns=(("children", "Children"), ("adults", "Adults"), (TOTAL, "All")),
        rows=(
            ("young_person", "Young person directly"),
            ("with_advocate", "Young person with an advocate"),
            ("parent", "Parent or family"),
            ("foster_carer", "Foster carer"),
            ("other", "Other"),
        ),
        note="Children: young people under 18 complaining themselves or through an advocate. "
        "Care leavers are counted as adults.",
    ),
    TableDef(
        "themes",
        "Complaint points by theme",
        "Theme",
        _points_by(ComplaintPoint.theme),
        totalled=False,
        note="Counts points, not complaints: one complaint can have several.",
    ),
    TableDef(
        "service_areas",
        "Complaint points by service area",
        "Service area",
        _points_by(ComplaintPoint.service_area),
        totalled=False,
        note="Counts points, not complaints: one complaint can have several.",
    ),
    TableDef(
        "point_outcomes",
        "Outcomes per point, by stage",
        "Outcome",
        _point_outcomes,
        columns=STAGE_COLUMNS,
        rows=(
            (Outcome.UPHELD.value, "Upheld"),
            (Outcome.PARTLY_UPHELD.value, "Partly upheld"),
            (Outcome.NOT_UPHELD.value, "Not upheld"),
            (Outcome.RESOLVED.value, "Resolved locally"),
            (Outcome.WITHDRAWN.value, "Withdrawn"),
            (Outcome.NOT_CONSIDERED.value, "Could not be considered"),
        ),
        totalled=False,
    ),
    TableDef(
        "endings",
        "How complaints ended",
        "Ending",
        dimension=_ending,
        rows=(
            ("still_open", "Still open"),
            (EventType.COMPLAINT_CLOSED.value, "Closed after a reply"),
            (EventType.RESOLVED_LOCALLY.value, "Resolved locally"),
            (EventType.COMPLAINT_WITHDRAWN.value, "Withdrawn"),
            (EventType.UNABLE_TO_CONSIDER.value, "Could not be considered"),
            (EventType.LATE_REQUEST_DECLINED.value, "Late request declined"),
            (EventType.OMBUDSMAN_DECIDED.value, "After the Ombudsman's decision"),
            ("closed_unrecorded", "Closed, ending not recorded"),
        ),
    ),
    TableDef(
        "stage_1_timeliness",
        "Stage 1 replies on time",
        "Replied",
        _stage_one_timeliness,
        rows=(
            ("within_10", "Within 10 working days"),
            ("within_20", "In 11 to 20 working days"),
            ("later", "Later than 20 working days"),
        ),
        totalled=False,
        note="Complaints received in the period that have a Stage 1 reply.",
    ),
    TableDef(
        "advocacy",
        "Advocacy offered and taken up",
        "Advocacy",
        dimension=_column(Complaint.advocacy),
        rows=(
            (Advocacy.WANTED.value, "Offered and wanted"),
            (Advocacy.NOT_WANTED.value, "Offered, not wanted"),
            (Advocacy.HAS_ADVOCATE.value, "Already had an advocate"),
            (Advocacy.NOT_OFFERED.value, "Not offered (a carer's own complaint)"),
        ),
    ),
    TableDef(
        "advocacy_referrals",
        "Referrals to the advocacy service",
        "Referrals",
        _referrals,
        rows=(("referral_made", "Referrals made"),),
        totalled=False,
    ),
)

BY_NAME = {t.name: t for t in TABLES}


# --- Building a report ---------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    now: int
    before: int


@dataclass(frozen=True)
class Line:
    key: str
    label: str
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class Table:
    definition: TableDef
    lines: tuple[Line, ...]
    total: Line | None

    @property
    def name(self) -> str:
        return self.definition.name

    @property
    def title(self) -> str:
        return self.definition.title

    @property
    def columns(self) -> Rows:
        return self.definition.columns

    @property
    def chart_column(self) -> int:
        """The column a chart draws: the whole row's, or else the first."""
        keys = [key for key, _ in self.columns]
        return keys.index(TOTAL) if TOTAL in keys else 0


@dataclass(frozen=True)
class Report:
    period: Period
    before: Period
    tables: tuple[Table, ...]
    received: Cell


def _label(key: str) -> str:
    if key == UNLISTED:
        return "Other or not recorded"
    return "Not set" if key == NOT_SET else key.replace("_", " ").capitalize()


UNLISTED = "unlisted"


def _declared_rows(definition: TableDef, period: Period) -> list[tuple[str, str]]:
    declared = definition.rows(period) if callable(definition.rows) else definition.rows
    return list(declared or [])


def _count_where(condition):
    return func.sum(case((condition, 1), else_=0))


def _per_case(period: Period, definitions: Sequence[TableDef]) -> tuple[Any, list]:
    """Each complaint's row (and column) in every table, worked out once per complaint (a
    materialised CTE), so the sums over it do not repeat the work."""
    dimensions, labels = [], []
    for definition in definitions:
        row_of, column_of = definition.dimension(period)
        name = f"d{len(dimensions)}"
        dimensions.append(row_of.label(name))
        column_name = None
        if column_of is not None:
            column_name = f"d{len(dimensions)}"
            dimensions.append(column_of.label(column_name))
        labels.append((definition, name, column_name))
    per_case = (
        select(Complaint.id, *dimensions)
        .where(_received_in(period))
        .cte("per_case")
        .prefix_with("MATERIALIZED")
    )
    placed = [(d, per_case.c[r], per_case.c[c] if c is not None else None) for d, r, c in labels]
    return per_case, placed


def _sums(period: Period, placed: list) -> tuple[list, list]:
    aggregates, slots = [], []
    for definition, row_of, column_of in placed:
        columns = [c for c, _ in definition.columns if c != TOTAL] if column_of is not None else []
        for key, _ in _declared_rows(definition, period):
            in_row = row_of == definition.row_value(key)
            if not columns:
                aggregates.append(_count_where(in_row))
                slots.append((definition.name, key, TOTAL))
            for column in columns:
                aggregates.append(_count_where(and_(in_row, column_of == column)))
                slots.append((definition.name, key, column))
    return aggregates, slots


def complaint_counts(period: Period, definitions: Sequence[TableDef]) -> tuple[dict, int]:
    """Count every complaint-level table for one period in one query (one scan of the
    period's complaints): a sum per declared row and column, and the number received.

    A value no row declares is counted as "unlisted", so each table still adds up."""
    per_case, placed = _per_case(period, definitions)
    aggregates, slots = _sums(period, placed)
    aggregates.append(func.count(per_case.c.id))
    values = db.session.execute(select(*aggregates).select_from(per_case)).one()
    total = int(values[-1])
    counts: dict[str, Counts] = {d.name: {} for d in definitions}
    for (name, key, column), n in zip(slots, values[:-1], strict=True):
        if n:
            table = counts[name]
            table[(key, column)] = int(n)
            if column != TOTAL:
                table[(key, TOTAL)] = table.get((key, TOTAL), 0) + int(n)
    for table in counts.values():
        unlisted = total - sum(n for (_, column), n in table.items() if column == TOTAL)
        if unlisted:
            table[(UNLISTED, TOTAL)] = unlisted
    return counts, total


def build_table(definition: TableDef, period: Period, now: Counts, then: Counts) -> Table:
    declared = definition.rows(period) if callable(definition.rows) else definition.rows
    rows = list(declared or [])
    known = {key for key, _ in rows}
    found = sorted({key for key, _ in [*now, *then]} - known)
    if declared is None:  # rows as found, "not set" last
        found.sort(key=lambda k: (k == NOT_SET, k))
    rows += [(key, _label(key)) for key in found]
    lines = tuple(
        Line(
            key,
            label,
            tuple(Cell(now.get((key, c), 0), then.get((key, c), 0)) for c, _ in definition.columns),
        )
        for key, label in rows
    )
    total = None
    if definition.totalled:
        total = Line(
            TOTAL,
            "Total",
            tuple(
                Cell(sum(li.cells[i].now for li in lines), sum(li.cells[i].before for li in lines))
                for i in range(len(definition.columns))
            ),
        )
    return Table(definition, lines, total)


def build(period: Period, names: list[str] | None = None) -> Report:
    """The report for a period and the same period a year before: every declared table, or
    only those named."""
    chosen = [BY_NAME[n] for n in names] if names else list(TABLES)
    before = period.year_before()
    grouped = [t for t in chosen if t.dimension is not None]
    now, received_now = complaint_counts(period, grouped)
    then, received_before = complaint_counts(before, grouped)
    for table in chosen:
        if table.query is not None:
            now[table.name], then[table.name] = table.query(period), table.query(before)
    return Report(
        period,
        before,
        tuple(build_table(t, period, now[t.name], then[t.name]) for t in chosen),
        Cell(received_now, received_before),
    )


def shown(n: int, publish: bool) -> str:
    """A count as it is shown: 1 to 4 become "fewer than 5" in anything for publication."""
    return SMALL if publish and 0 < n < 5 else str(n)


def csv_text(report: Report, publish: bool) -> str:
    """The tables as CSV: the same numbers as the page, one block per table."""
    out = io.StringIO()
    writer = csv.writer(out)
    for table in report.tables:
        writer.writerow(csv_header(table, report))
        for line in [*table.lines, *([table.total] if table.total else [])]:
            writer.writerow(csv_row(table, line, publish))
    return out.getvalue()


def csv_header(table: Table, report: Report) -> list[str]:
    heads = ["Table", table.definition.row_heading]
    for _, label in table.columns:
        heads += [f"{label} ({report.period.key})", f"{label} ({report.before.key})"]
    return heads


def csv_row(table: Table, line: Line, publish: bool) -> list[str]:
    row = [table.title, line.label]
    for cell in line.cells:
        row += [shown(cell.now, publish), shown(cell.before, publish)]
    return row
