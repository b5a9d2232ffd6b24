"""The annual report page for managers: every table in portal/services/reports.py, its CSV,
and one CSV of all tables; and the quarterly performance view (the same tables for a quarter,
with the cases open now by stage). `?publish=1` is the version for publication (small numbers
hidden); `?whose=children` or `adults` narrows every table to those complaints.
"""

from __future__ import annotations

from flask import Response, abort, render_template, request

from portal.services import reports
from portal.services import staff as accounts
from portal.types import StaffRole
from staff import auth
from staff.views import bp

REPORT_ROLES = (StaffRole.MANAGER,)
PERIOD_ARGS = ("year", "quarter", "from", "to", "whose")


def _bad_period(problem: reports.PeriodError, performance: bool = False):
    """A period we cannot report on: a plain message and the form again (400, never a 500)."""
    return (
        render_template(
            "staff/reports_bad_period.html",
            message=str(problem),
            this_year=reports.current_year_start(),
            performance=performance,
            whose_choices=reports.WHOSE,
        ),
        400,
    )


def _publish() -> bool:
    return request.args.get("publish") == "1"


def _args() -> dict[str, str]:
    return {k: v for k, v in request.args.items() if k in PERIOD_ARGS}


def _csv(text: str, filename: str) -> Response:
    return Response(
        text,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.get("/reports", endpoint="reports")
@auth.requires(*REPORT_ROLES)
def reports_page():
    """The report for a period, each table beside the same period a year before."""
    try:
        period = reports.parse_period(request.args)
        whose = reports.parse_whose(request.args)
    except reports.PeriodError as problem:
        return _bad_period(problem)
    publish = _publish()
    user = auth.current_staff()
    accounts.viewed(
        user.email, "report_viewed", "reports", period=period.key, publish=publish, whose=whose
    )
    return render_template(
        "staff/reports.html",
        report=reports.build(period, whose=whose),
        publish=publish,
        shown=lambda n: reports.shown(n, publish),
        args=_args(),
        this_year=reports.current_year_start(),
        whose_choices=reports.WHOSE,
    )


@bp.get("/reports.csv", endpoint="reports_csv")
@auth.requires(*REPORT_ROLES)
def reports_csv():
    """One table (`?table=name`) or all of them, as CSV: the same numbers as the page."""
    try:
        period = reports.parse_period(request.args)
        whose = reports.parse_whose(request.args)
    except reports.PeriodError as problem:
        return _bad_period(problem)
    publish = _publish()
    name = request.args.get("table") or None
    if name is not None and name not in reports.BY_NAME:
        abort(404)
    user = auth.current_staff()
    accounts.viewed(
        user.email,
        "report_downloaded",
        "reports",
        period=period.key,
        table=name or "all",
        whose=whose,
    )
    report = reports.build(period, [name] if name else None, whose)
    return _csv(
        reports.csv_text(report, publish),
        f"speak-up-{name or 'all-tables'}-{whose}-{period.start}-{period.end}.csv",
    )


@bp.get("/reports/performance", endpoint="reports_performance")
@auth.requires(*REPORT_ROLES)
def performance_page():
    """A quarter against the same quarter a year before, and the cases open now by stage."""
    try:
        period = reports.parse_quarter(request.args)
        whose = reports.parse_whose(request.args)
    except reports.PeriodError as problem:
        return _bad_period(problem, performance=True)
    publish = _publish()
    user = auth.current_staff()
    accounts.viewed(user.email, "performance_viewed", "reports", period=period.key, whose=whose)
    number = reports.quarter_number(period.start)
    year = reports.current_year_start(period.start)
    return render_template(
        "staff/reports_performance.html",
        report=reports.build(period, whose=whose),
        open_lines=reports.open_now(whose),
        publish=publish,
        shown=lambda n: reports.shown(n, publish),
        args={"year": str(year), "quarter": str(number), "whose": whose},
        this_year=reports.current_year_start(),
        whose_choices=reports.WHOSE,
    )


@bp.get("/reports/performance.csv", endpoint="reports_performance_csv")
@auth.requires(*REPORT_ROLES)
def performance_csv():
    """The performance view as CSV: every table for the quarter, then the cases open now
    (`?table=open_now`: only those)."""
    try:
        period = reports.parse_quarter(request.args)
        whose = reports.parse_whose(request.args)
    except reports.PeriodError as problem:
        return _bad_period(problem, performance=True)
    publish = _publish()
    only_open = request.args.get("table") == "open_now"
    if request.args.get("table") and not only_open:
        abort(404)
    user = auth.current_staff()
    accounts.viewed(
        user.email,
        "report_downloaded",
        "reports",
        period=period.key,
        table="open_now" if only_open else "performance",
        whose=whose,
    )
    open_lines = reports.open_now(whose)
    if only_open:
        text = reports.open_csv(open_lines, publish)
        return _csv(text, f"speak-up-open-now-{whose}.csv")
    return _csv(
        reports.csv_text(reports.build(period, whose=whose), publish, open_lines),
        f"speak-up-performance-{whose}-{period.start}-{period.end}.csv",
    )
