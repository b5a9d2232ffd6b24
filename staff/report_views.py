"""The annual report page for managers: every table in portal/services/reports.py, its CSV,
and one CSV of all tables. `?publish=1` is the version for publication (small numbers hidden).
"""

from __future__ import annotations

from flask import Response, abort, render_template, request

from portal.services import reports
from portal.services import staff as accounts
from portal.types import StaffRole
from staff import auth
from staff.views import bp

REPORT_ROLES = (StaffRole.MANAGER,)


def _bad_period(problem: reports.PeriodError):
    """A period we cannot report on: a plain message and the form again (400, never a 500)."""
    return (
        render_template(
            "staff/reports_bad_period.html",
            message=str(problem),
            this_year=reports.current_year_start(),
        ),
        400,
    )


def _publish() -> bool:
    return request.args.get("publish") == "1"


@bp.get("/reports", endpoint="reports")
@auth.requires(*REPORT_ROLES)
def reports_page():
    """The report for a period, each table beside the same period a year before."""
    try:
        period = reports.parse_period(request.args)
    except reports.PeriodError as problem:
        return _bad_period(problem)
    publish = _publish()
    user = auth.current_staff()
    accounts.viewed(user.email, "report_viewed", "reports", period=period.key, publish=publish)
    return render_template(
        "staff/reports.html",
        report=reports.build(period),
        publish=publish,
        shown=lambda n: reports.shown(n, publish),
        args={k: v for k, v in request.args.items() if k in ("year", "quarter", "from", "to")},
        this_year=reports.current_year_start(),
    )


@bp.get("/reports.csv", endpoint="reports_csv")
@auth.requires(*REPORT_ROLES)
def reports_csv():
    """One table (`?table=name`) or all of them, as CSV: the same numbers as the page."""
    try:
        period = reports.parse_period(request.args)
    except reports.PeriodError as problem:
        return _bad_period(problem)
    publish = _publish()
    name = request.args.get("table") or None
    if name is not None and name not in reports.BY_NAME:
        abort(404)
    user = auth.current_staff()
    accounts.viewed(
        user.email, "report_downloaded", "reports", period=period.key, table=name or "all"
    )
    filename = f"speak-up-{name or 'all-tables'}-{period.start}-{period.end}.csv"
    return Response(
        reports.csv_text(reports.build(period, [name] if name else None), publish),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
