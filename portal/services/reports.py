"""The annual report (reg 13): every table declared once, counted with SQL over typed columns.

`TABLES` is the one list of table declarations: a name, a title, its columns and a query that
counts one period. The staff page, its CSV downloads, the quarterly performance view and the
tests are all derived from it. Each table is shown for a period and for the same period a year
before; a table whose only column is a number is split into Children, Adults and All, and the
whole report can be narrowed to children's or adults' complaints ("whose").

Complaint-level tables count the complaints received in the period. Stage 2, Stage 3,
extensions, escalations and the Ombudsman count what happened in the period, from the typed
columns casework keeps on each complaint (portal/milestones.py); compliments and comments by
the day they arrived; learning actions by the day agreed or completed.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import and_, case, func, or_, select

from portal import milestones
from portal.clock import LONDON, today_local
from portal.extensions import db
from portal.models import (
    AdvocacyReferral,
    Complaint,
    ComplaintPoint,
    Feedback,
    LearningAction,
    PointOutcome,
)
from portal.services.tracker import PARENTS, YOUNG_PEOPLE
from portal.stages import OMBUDSMAN_DECISIONS
from portal.types import Advocacy, EventType, Outcome, Procedure, Role, Stage

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


def current_quarter(today: date | None = None) -> Period:
    """The quarter of the financial year we are in now (quarter 1 is April to June)."""
    today = today or today_local()
    return quarter(current_year_start(today), quarter_number(today))


def parse_quarter(args: Mapping[str, str]) -> Period:
    """The performance view's quarter: `year` and `quarter`, or the quarter we are in now."""
    raw_year, raw_quarter = (args.get("year") or "").strip(), (args.get("quarter") or "").strip()
    if not raw_year and not raw_quarter:
        return current_quarter()
    year = _int(raw_year, "year", 1990, 2200) if raw_year else current_year_start()
    number = _int(raw_quarter, "quarter", 1, 4) if raw_quarter else quarter_number(today_local())
    return quarter(year, number)


def quarter_number(day: date) -> int:
    """The quarter of the financial year `day` falls in (1: April to June)."""
    return (day.month - 4) % 12 // 3 + 1


# --- Whose complaints: everyone, children or adults ----------------------------------------

EVERYONE, CHILDREN, ADULTS = "everyone", "children", "adults"
WHOSE = {EVERYONE: "Everyone", CHILDREN: "Children", ADULTS: "Adults"}
CHILD_ROLES = YOUNG_PEOPLE - {Role.CARE_LEAVER}  # care leavers are adults (18 to 25)
CHILD_FEEDBACK = "young_person"  # feedback.from_group of a child (under 18)


def parse_whose(args: Mapping[str, str]) -> str:
    raw = (args.get("whose") or EVERYONE).strip().lower()
    if raw not in WHOSE:
        raise PeriodError("Choose whose complaints to count: everyone, children or adults.")
    return raw


def _is_child():
    """A child: a young person under 18 complaining themselves, or through an advocate."""
    role = Complaint.complainant_role
    return role.in_([str(r) for r in CHILD_ROLES]) | (role == Role.ADVOCATE)


def _child_or_adult():
    return case((_is_child(), CHILDREN), else_=ADULTS)


def _whose(whose: str, is_child):
    """The condition that keeps only `whose` rows (None: everyone)."""
    if whose == CHILDREN:
        return is_child
    if whose == ADULTS:
        return ~is_child
    return None


def _complaints_whose(whose: str):
    return _whose(whose, _is_child())


# --- The queries: each counts one period and returns {(row, column): count} ---------------

Counts = dict[tuple[str, str], int]
TOTAL = "total"
SPLIT_KEYS = (CHILDREN, ADULTS)


@dataclass(frozen=True)
class Scope:
    """What one table counts: a period, and whose complaints (or feedback)."""

    period: Period
    whose: str = EVERYONE
    # Rows one query fetched for several tables of this one build (never kept after it).
    fetched: dict[str, list] = field(default_factory=dict, compare=False, repr=False)

    def once(self, name: str, fetch: Callable[[], list]) -> list:
        if name not in self.fetched:
            self.fetched[name] = fetch()
        return self.fetched[name]

    def complaints(self, *conditions):
        """Conditions on the complaint: `conditions` and the whose filter."""
        extra = _complaints_whose(self.whose)
        return [*conditions, *([extra] if extra is not None else [])]


def _received_in(period: Period):
    return Complaint.received_on.between(period.start, period.end)


def _split(rows, key: str | None = None) -> Counts:
    """Rows of (row key, "children"/"adults", count) as counts; with `key`, rows of
    ("children"/"adults", count) all in that row. (Grouping only ever by real columns and
    expressions over them: PostgreSQL will not group by a bound constant.)"""
    counts: Counts = {}
    for row in rows:
        name, column, n = (key, *row) if key is not None else row
        name = NOT_SET if name is None else str(name)
        counts[(name, str(column))] = counts.get((name, str(column)), 0) + int(n)
    return counts


def _month_index(period: Period):
    """Months from the period's first month: 0, 1, 2 … (the year before counts the same)."""
    received = Complaint.received_on
    return (
        (func.extract("year", received) - period.start.year) * 12
        + func.extract("month", received)
        - period.start.month
    )


def _month_rows(period: Period) -> list[tuple[str, str]]:
    rows, index = [], 0
    year, month = period.start.year, period.start.month
    while (year, month) <= (period.end.year, period.end.month):
        rows.append((f"{index:03d}", f"{MONTHS[month - 1]} {year}"))
        index += 1
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return rows


def _stage_reached(period: Period):
    """The furthest stage a complaint reached: from its stage now, or the typed columns
    casework keeps as it moves (portal/milestones.py)."""
    return case(
        (
            (Complaint.stage == Stage.OMBUDSMAN) | Complaint.ombudsman_enquiry_on.is_not(None),
            Stage.OMBUDSMAN.value,
        ),
        (
            (Complaint.stage == Stage.STAGE_3) | Complaint.stage_3_requested_on.is_not(None),
            Stage.STAGE_3.value,
        ),
        (
            (Complaint.stage == Stage.STAGE_2) | Complaint.stage_2_requested_on.is_not(None),
            Stage.STAGE_2.value,
        ),
        (Complaint.stage == Stage.TRIAGE, Stage.TRIAGE.value),
        else_=Stage.STAGE_1.value,
    )


def _column(column):
    return lambda period: column


def _who(period: Period):
    """Who complained (tracker.complainant_group, in SQL)."""
    role = Complaint.complainant_role
    return case(
        (role.in_([str(r) for r in YOUNG_PEOPLE]), "young_person"),
        (role == Role.ADVOCATE, "with_advocate"),
        (role.in_([str(r) for r in PARENTS]), "parent"),
        (role == Role.FOSTER_CARER, "foster_carer"),
        else_="other",
    )


def _ending(period: Period):
    """How a case ended: the ending event casework kept (open cases: "still open")."""
    return case(
        (Complaint.stage != Stage.CLOSED, "still_open"),
        else_=func.coalesce(Complaint.ended_as, "closed_unrecorded"),
    )


def _points(scope: Scope) -> list:
    """The period's points by theme, service area and child or adult: one query for both
    points tables (from the complaint's and the point's report indexes)."""
    theme = func.coalesce(ComplaintPoint.theme, NOT_SET)
    area = func.coalesce(ComplaintPoint.service_area, NOT_SET)
    child = _child_or_adult()
    return db.session.execute(
        select(theme, area, child, func.count(ComplaintPoint.id))
        .join(Complaint, Complaint.id == ComplaintPoint.complaint_id)
        .where(*scope.complaints(_received_in(scope.period)))
        .group_by(theme, area, child)
    ).all()


def _points_by(position: int) -> Callable[[Scope], Counts]:
    """Points by theme (0) or by service area (1)."""

    def query(scope: Scope) -> Counts:
        rows = scope.once("points", lambda: _points(scope))
        return _split((row[position], row[2], row[3]) for row in rows)

    return query


def _point_outcomes(scope: Scope) -> Counts:
    rows = db.session.execute(
        select(PointOutcome.outcome, PointOutcome.stage, func.count(PointOutcome.id))
        .join(Complaint, Complaint.id == PointOutcome.complaint_id)
        .where(*scope.complaints(_received_in(scope.period)))
        .group_by(PointOutcome.outcome, PointOutcome.stage)
    )
    return {(str(o), str(s)): int(n) for o, s, n in rows}


def _stage_one_timeliness(period: Period):
    """When Stage 1 first replied: within 10 working days of receipt, within 20, later, or
    not yet (the typed column casework keeps, portal/milestones.py)."""
    return func.coalesce(Complaint.stage_1_timeliness, "no_reply")


def _referrals(scope: Scope) -> Counts:
    child = _child_or_adult()
    return _split(
        db.session.execute(
            select(child, func.count(AdvocacyReferral.id))
            .join(Complaint, Complaint.id == AdvocacyReferral.complaint_id)
            .where(*scope.complaints(_received_in(scope.period)))
            .group_by(child)
        ),
        "referral_made",
    )


def _dated(scope: Scope, rows: Sequence[tuple[str, Any, Any]]) -> Counts:
    """Complaints by the day something happened to them (a typed date casework keeps): for
    each row, its key, the date column that must fall in the period, and an optional row
    expression (a typed column) that splits it further. One indexed range per row."""
    counts: Counts = {}
    child = _child_or_adult()
    for key, day, split_by in rows:
        in_period = day.between(scope.period.start, scope.period.end)
        grouped = (child,) if split_by is None else (split_by, child)
        query = (
            select(*grouped, func.count(Complaint.id))
            .where(*scope.complaints(in_period))
            .group_by(*grouped)
        )
        for row in db.session.execute(query):
            found = (key, *row) if split_by is None else (f"{key}{row[0] or NOT_SET}", *row[1:])
            name, who, n = str(found[0]), str(found[1]), int(found[2])
            counts[(name, who)] = counts.get((name, who), 0) + n
    return counts


def _stage_two_timeliness(scope: Scope) -> Counts:
    return _dated(scope, [("", Complaint.stage_2_answered_on, Complaint.stage_2_timeliness)])


def _panels(scope: Scope) -> Counts:
    # A panel "held": its date is in the period and not after today.
    last = min(scope.period.end, today_local())
    held = Period(scope.period.start, last, scope.period.label)
    if last < scope.period.start:
        return {}
    return _dated(Scope(held, scope.whose), [("", Complaint.panel_on, Complaint.panel_timeliness)])


def _extensions(scope: Scope) -> Counts:
    return _dated(
        scope,
        [
            ("stage_1", Complaint.stage_1_extended_on, None),
            ("stage_2", Complaint.stage_2_extended_on, None),
        ],
    )


def _escalations(scope: Scope) -> Counts:
    return _dated(
        scope,
        [
            ("stage_2", Complaint.stage_2_requested_on, None),
            ("stage_3", Complaint.stage_3_requested_on, None),
        ],
    )


def _ombudsman(scope: Scope) -> Counts:
    remedy = case((Complaint.ombudsman_remedy.is_(True), "asked"), else_="none")
    counts = _dated(
        scope,
        [
            ("enquiry", Complaint.ombudsman_enquiry_on, None),
            ("decision_", Complaint.ombudsman_decided_on, Complaint.ombudsman_decision),
            ("remedy_", Complaint.ombudsman_decided_on, remedy),
        ],
    )
    return {k: n for k, n in counts.items() if k[0] != "remedy_none"}


def _feedback_whose(scope: Scope):
    return _whose(scope.whose, Feedback.from_group == CHILD_FEEDBACK)


def _feedback(scope: Scope, kind: str, row_key=None, key: str | None = None) -> Counts:
    """Compliments or comments received in the period: by `row_key` (a column), or all in
    the row `key`; children (from_group "young_person") and adults."""
    child = case((Feedback.from_group == CHILD_FEEDBACK, CHILDREN), else_=ADULTS)
    whose = _feedback_whose(scope)
    grouped = (child,) if row_key is None else (row_key, child)
    query = (
        select(*grouped, func.count(Feedback.id))
        .where(
            Feedback.kind == kind,
            Feedback.received_on.between(scope.period.start, scope.period.end),
            *([whose] if whose is not None else []),
        )
        .group_by(*grouped)
    )
    return _split(db.session.execute(query), key)


def _compliments(scope: Scope) -> Counts:
    return _feedback(scope, "compliment", Feedback.team)


def _team_rows(period: Period) -> list[tuple[str, str]]:
    return [*current_app.config["SERVICE_AREAS"].items(), (NOT_SET, "Team not recorded")]


def _comments(scope: Scope) -> Counts:
    counts = _feedback(scope, "comment", key="received")
    answered = case((Feedback.answered_on.is_not(None), "answered"), else_="waiting")
    for (key, who), n in _feedback(scope, "comment", answered).items():
        if key == "answered":
            counts[(key, who)] = n
    return counts


def _period_moments(period: Period) -> tuple[datetime, datetime]:
    """The period's first and after-last moments in England, as UTC (for *_utc columns)."""
    first = datetime.combine(period.start, time(), LONDON).astimezone(UTC)
    after = datetime.combine(period.end + timedelta(days=1), time(), LONDON).astimezone(UTC)
    return first, after


def overdue_cutoff(period: Period) -> date:
    """Learning actions are overdue "at the end of the period", or today if that is sooner."""
    return min(period.end, today_local())


def _learning(scope: Scope) -> Counts:
    """Learning actions agreed (by source), completed, and overdue at the end of the period;
    split by the complaint's complainant."""
    first, after = _period_moments(scope.period)
    cutoff = overdue_cutoff(scope.period)
    child = _child_or_adult()
    agreed = and_(LearningAction.created_utc >= first, LearningAction.created_utc < after)
    completed = LearningAction.completed_on.between(*_days(scope.period))
    overdue = and_(
        LearningAction.due_on < cutoff,
        or_(LearningAction.completed_on.is_(None), LearningAction.completed_on > cutoff),
    )

    def counted(condition, *by):
        return db.session.execute(
            select(*by, child, func.count(LearningAction.id))
            .join(Complaint, Complaint.id == LearningAction.complaint_id)
            .where(*scope.complaints(condition))
            .group_by(*by, child)
        )

    counts: Counts = {}
    for source, who, n in counted(agreed, LearningAction.source):
        counts[(f"agreed_{source}", str(who))] = int(n)
    counts.update(_split(counted(completed), "completed"))
    counts.update(_split(counted(overdue), "overdue"))
    return counts


def _days(period: Period) -> tuple[date, date]:
    return period.start, period.end


@dataclass(frozen=True)
class Change:
    """A learning action completed in the period: what changed, and the evidence."""

    completed_on: date
    team: str
    what: str
    evidence: str


def changes(scope: Scope) -> tuple[Change, ...]:
    """What changed: the learning actions completed in the period, oldest first."""
    query = (
        select(
            LearningAction.completed_on,
            LearningAction.owner_team,
            LearningAction.what,
            LearningAction.evidence,
        )
        .join(Complaint, Complaint.id == LearningAction.complaint_id)
        .where(*scope.complaints(LearningAction.completed_on.between(*_days(scope.period))))
        .order_by(LearningAction.completed_on, LearningAction.id)
    )
    return tuple(
        Change(on, team, what, evidence or "")
        for on, team, what, evidence in db.session.execute(query)
    )


# --- Open now (the performance view) -------------------------------------------------------

OPEN_STAGES: tuple[tuple[str, str], ...] = (
    (Stage.TRIAGE.value, "Triage"),
    (Stage.STAGE_1.value, "Stage 1"),
    (Stage.STAGE_2.value, "Stage 2"),
    (Stage.STAGE_3.value, "Stage 3"),
    (Stage.OMBUDSMAN.value, "With the Ombudsman"),
)


@dataclass(frozen=True)
class OpenLine:
    key: str
    label: str
    open: int
    overdue: int


def open_now(whose: str = EVERYONE) -> tuple[OpenLine, ...]:
    """Cases open now by stage, and how many of them are overdue: the tracker's columns, as it
    reads them (a next deadline before today is overdue; a paused clock has none)."""
    today = today_local()
    overdue = func.sum(case((Complaint.next_deadline_on < today, 1), else_=0))
    extra = _complaints_whose(whose)
    rows = db.session.execute(
        select(Complaint.stage, func.count(Complaint.id), overdue)
        .where(Complaint.stage != Stage.CLOSED, *([extra] if extra is not None else []))
        .group_by(Complaint.stage)
    )
    found = {str(stage): (int(n), int(late or 0)) for stage, n, late in rows}
    lines = [OpenLine(key, label, *found.pop(key, (0, 0))) for key, label in OPEN_STAGES]
    lines += [OpenLine(key, _label(key), *n) for key, n in sorted(found.items())]
    total = OpenLine(TOTAL, "Total", sum(li.open for li in lines), sum(li.overdue for li in lines))
    return (*lines, total)


# --- The declarations ----------------------------------------------------------------------

Rows = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class TableDef:
    name: str
    title: str
    row_heading: str
    # Either a query that counts one period, or (for complaint-level tables) the SQL that puts
    # each complaint in a row: all such tables are counted together in one pass over the
    # period's complaints, split into children and adults.
    query: Callable[[Scope], Counts] | None = None
    dimension: Callable[[Period], Any] | None = None
    columns: Rows = ()  # () : Children, Adults, All
    rows: Rows | Callable[[Period], list[tuple[str, str]]] | None = None  # None: as found
    # Each complaint received is in exactly one row: its total must match "received".
    totalled: bool = False
    summed: bool = False  # a total row of its own (each thing counted once)
    note: str = ""
    row_value: Callable[[str], Any] = str  # the declared row key as the SQL compares it

    @property
    def split(self) -> bool:
        """Children, Adults and All columns (a table whose only column is a number)."""
        return not self.columns

    @property
    def headings(self) -> Rows:
        return SPLIT if self.split else self.columns


SPLIT: Rows = ((CHILDREN, "Children"), (ADULTS, "Adults"), (TOTAL, "All"))
STAGE_COLUMNS: Rows = (
    ("stage_1", "Stage 1"),
    ("stage_2", "Stage 2"),
    ("stage_3", "Stage 3"),
    ("ombudsman", "Ombudsman"),
    ("closed", "At closing"),
)
EACH_ONCE = "Counts each complaint once, by the day it happened in the period."

TABLES: tuple[TableDef, ...] = (
    TableDef(
        "by_month",
        "Complaints received by month",
        "Month",
        dimension=_month_index,
        rows=_month_rows,
        row_value=int,
        totalled=True,
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
        totalled=True,
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
        totalled=True,
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
        totalled=True,
    ),
    TableDef(
        "who",
        "Who complained",
        "Complainant",
        dimension=_who,
        rows=(
            ("young_person", "Young person directly"),
            ("with_advocate", "Young person with an advocate"),
            ("parent", "Parent or family"),
            ("foster_carer", "Foster carer"),
            ("other", "Other"),
        ),
        totalled=True,
        note="Children: young people under 18 complaining themselves or through an advocate. "
        "Care leavers are counted as adults.",
    ),
    TableDef(
        "themes",
        "Complaint points by theme",
        "Theme",
        _points_by(0),
        summed=True,
        note="Counts points, not complaints: one complaint can have several.",
    ),
    TableDef(
        "service_areas",
        "Complaint points by service area",
        "Service area",
        _points_by(1),
        summed=True,
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
        totalled=True,
    ),
    TableDef(
        "stage_1_timeliness",
        "Stage 1 replies on time",
        "Replied",
        dimension=_stage_one_timeliness,
        rows=(
            (milestones.WITHIN_10, "Within 10 working days"),
            (milestones.WITHIN_20, "In 11 to 20 working days"),
            (milestones.LATER, "Later than 20 working days"),
            ("no_reply", "No Stage 1 reply (yet)"),
        ),
        totalled=True,
        note="Complaints received in the period, by when Stage 1 first replied, counted in "
        "working days from receipt.",
    ),
    TableDef(
        "stage_2_timeliness",
        "Stage 2 adjudications on time",
        "Adjudicated",
        _stage_two_timeliness,
        rows=(
            (milestones.WITHIN_25, "Within 25 working days"),
            (milestones.WITHIN_65, "In 26 to 65 working days (extended)"),
            (milestones.LATER, "Later than 65 working days"),
        ),
        summed=True,
        note="Statutory Stage 2 adjudications sent in the period, counted from the agreed "
        "statement of complaint, with any time the clock was paused added.",
    ),
    TableDef(
        "stage_3_panels",
        "Stage 3 review panels held on time",
        "Panel held",
        _panels,
        rows=(
            (milestones.WITHIN_30, "Within 30 working days of the request"),
            (milestones.LATER, "Later than 30 working days"),
        ),
        summed=True,
        note="Review panels that met in the period (up to today).",
    ),
    TableDef(
        "extensions",
        "Extensions used",
        "Extended",
        _extensions,
        rows=(
            ("stage_1", "Stage 1 extended (to 20 working days)"),
            ("stage_2", "Stage 2 extended (up to 65 working days)"),
        ),
        note="Complaints given more time in the period: each complaint once per stage. "
        "Stage 1 includes the corporate procedure's first stage.",
    ),
    TableDef(
        "escalations",
        "Escalations",
        "Asked for",
        _escalations,
        rows=(
            ("stage_2", "Stage 2 (investigation)"),
            ("stage_3", "Stage 3 (review panel)"),
        ),
        note=EACH_ONCE + " Stage 2 includes the corporate procedure's second stage.",
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
        totalled=True,
    ),
    TableDef(
        "advocacy_referrals",
        "Referrals to the advocacy service",
        "Referrals",
        _referrals,
        rows=(("referral_made", "Referrals made"),),
    ),
    TableDef(
        "ombudsman",
        "Ombudsman enquiries, decisions and remedies",
        "Ombudsman",
        _ombudsman,
        rows=(
            ("enquiry", "Enquiries received"),
            *(
                (f"decision_{key}", f"Decided: {label}")
                for key, label in OMBUDSMAN_DECISIONS.items()
            ),
            (f"decision_{NOT_SET}", "Decided: decision not recorded"),
            ("remedy_asked", "Decisions that asked the council to put something right"),
        ),
        note="Enquiries by the day they arrived; decisions by the day they were made.",
    ),
    TableDef(
        "compliments",
        "Compliments by team",
        "Team",
        _compliments,
        rows=_team_rows,
        summed=True,
        note="Children: compliments from young people under 18.",
    ),
    TableDef(
        "comments",
        "Comments and suggestions",
        "Comments",
        _comments,
        rows=(
            ("received", "Received"),
            ("answered", "Of those, answered"),
        ),
    ),
    TableDef(
        "learning",
        "Learning actions",
        "Learning actions",
        _learning,
        rows=(
            ("agreed_point", "Agreed after an upheld point"),
            ("agreed_ombudsman", "Agreed after an Ombudsman remedy"),
            ("completed", "Completed"),
            ("overdue", "Overdue at the end of the period (or today)"),
        ),
        note="Split by who made the complaint. What changed is listed below the table.",
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
        return self.definition.headings

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
    whose: str = EVERYONE
    changes: tuple[Change, ...] = ()

    @property
    def whose_label(self) -> str:
        return WHOSE[self.whose]


def _label(key: str) -> str:
    if key == UNLISTED:
        return "Other or not recorded"
    return "Not set" if key == NOT_SET else key.replace("_", " ").capitalize()


UNLISTED = "unlisted"


def _declared_rows(definition: TableDef, period: Period) -> list[tuple[str, str]]:
    declared = definition.rows(period) if callable(definition.rows) else definition.rows
    return list(declared or [])


def complaint_counts(scope: Scope, definitions: Sequence[TableDef]) -> tuple[dict, Counts]:
    """Count every complaint-level table for one period in one query: the period's
    complaints (read from the report's covering index) grouped by their row in every table
    and by child or adult, then added up here per table. There are never more groups than
    complaints, and in practice far fewer.

    A value no row declares is counted as "unlisted", so each table still adds up."""
    child = _child_or_adult()
    rows_of = [d.dimension(scope.period) for d in definitions]
    query = (
        select(child, *rows_of, func.count(Complaint.id))
        .where(*scope.complaints(_received_in(scope.period)))
        .group_by(child, *rows_of)
    )
    keys = [
        {d.row_value(key): key for key, _ in _declared_rows(d, scope.period)} for d in definitions
    ]
    counts: dict[str, Counts] = {d.name: {} for d in definitions}
    received: Counts = {}
    for row in db.session.execute(query):
        who, n = str(row[0]), int(row[-1])
        received[(TOTAL, who)] = received.get((TOTAL, who), 0) + n
        for definition, declared, value in zip(definitions, keys, row[1:-1], strict=True):
            if definition.row_value is int and value is not None:
                value = int(value)  # PostgreSQL's extract() gives a decimal
            slot = (declared.get(value, UNLISTED), who)
            table = counts[definition.name]
            table[slot] = table.get(slot, 0) + n
    return counts, received


def _with_totals(definition: TableDef, counts: Counts) -> Counts:
    """A split table's All column: its Children and Adults added."""
    if not definition.split:
        return counts
    totals = dict(counts)
    for (key, where), n in counts.items():
        if where in SPLIT_KEYS:
            totals[(key, TOTAL)] = totals.get((key, TOTAL), 0) + n
    return totals


def build_table(definition: TableDef, period: Period, now: Counts, then: Counts) -> Table:
    now, then = _with_totals(definition, now), _with_totals(definition, then)
    declared = definition.rows(period) if callable(definition.rows) else definition.rows
    rows = list(declared or [])
    known = {key for key, _ in rows}
    found = sorted({key for key, _ in [*now, *then]} - known)
    if declared is None:  # rows as found, "not set" last
        found.sort(key=lambda k: (k == NOT_SET, k))
    rows += [(key, _label(key)) for key in found]
    columns = definition.headings
    lines = tuple(
        Line(
            key,
            label,
            tuple(Cell(now.get((key, c), 0), then.get((key, c), 0)) for c, _ in columns),
        )
        for key, label in rows
    )
    total = None
    if definition.totalled or definition.summed:
        total = Line(
            TOTAL,
            "Total",
            tuple(
                Cell(sum(li.cells[i].now for li in lines), sum(li.cells[i].before for li in lines))
                for i in range(len(columns))
            ),
        )
    return Table(definition, lines, total)


def build(period: Period, names: list[str] | None = None, whose: str = EVERYONE) -> Report:
    """The report for a period and the same period a year before: every declared table, or
    only those named; for everyone, or only children's or adults' complaints."""
    chosen = [BY_NAME[n] for n in names] if names else list(TABLES)
    before = period.year_before()
    scopes = Scope(period, whose), Scope(before, whose)
    grouped = [t for t in chosen if t.dimension is not None]
    now, received_now = complaint_counts(scopes[0], grouped)
    then, received_before = complaint_counts(scopes[1], grouped)
    for table in chosen:
        if table.query is not None:
            now[table.name], then[table.name] = table.query(scopes[0]), table.query(scopes[1])
    received = sum(received_now.values()), sum(received_before.values())
    return Report(
        period,
        before,
        tuple(build_table(t, period, now[t.name], then[t.name]) for t in chosen),
        Cell(*received),
        whose,
        changes(scopes[0]) if "learning" in {t.name for t in chosen} else (),
    )


def shown(n: int, publish: bool) -> str:
    """A count as it is shown: 1 to 4 become "fewer than 5" in anything for publication."""
    return SMALL if publish and 0 < n < 5 else str(n)


CHANGES_HEADER = ["What changed", "Completed on", "Team", "What", "Evidence"]


def csv_text(report: Report, publish: bool, open_lines: Sequence[OpenLine] = ()) -> str:
    """The tables as CSV: the same numbers as the page, one block per table (the learning
    table followed by what changed; the performance view's cases open now last)."""
    out = io.StringIO()
    writer = csv.writer(out)
    for table in report.tables:
        writer.writerow(csv_header(table, report))
        for line in [*table.lines, *([table.total] if table.total else [])]:
            writer.writerow(csv_row(table, line, publish))
        if table.name == "learning":
            writer.writerow(CHANGES_HEADER)
            for change in report.changes:
                writer.writerow(change_row(change))
    if open_lines:
        out.write(open_csv(open_lines, publish))
    return out.getvalue()


def open_csv(open_lines: Sequence[OpenLine], publish: bool) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(OPEN_HEADER)
    for line in open_lines:
        writer.writerow(open_row(line, publish))
    return out.getvalue()


def change_row(change: Change) -> list[str]:
    return [
        "What changed",
        change.completed_on.isoformat(),
        change.team,
        change.what,
        change.evidence,
    ]


OPEN_TITLE = "Cases open now, by stage"
OPEN_HEADER = ["Table", "Stage", "Open now", "Of those, overdue"]


def open_row(line: OpenLine, publish: bool) -> list[str]:
    return [OPEN_TITLE, line.label, shown(line.open, publish), shown(line.overdue, publish)]


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
