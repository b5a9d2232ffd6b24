"""The duty team acts on an urgent flag: "I have seen this", what was done, clear the flag.

Each form carries the version of the case its page showed: if a new risk (or any other change)
landed since, the person is told and keeps what they typed, so nobody acknowledges or clears a
flag they have not read. Every change is an event and an audit entry (portal/services/safety).
"""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, request, url_for

from portal.clock import now_utc
from portal.services import casework, complaints, safety, tracker
from portal.types import StaffRole
from staff import auth
from staff.views import _case_context, _case_or_404, bp

# Investigators too, but only on the cases assigned to them (_case_or_404 sees to that).
DUTY_ROLES = (StaffRole.OFFICER, StaffRole.MANAGER, StaffRole.INVESTIGATOR)
CONFLICT = "Someone else changed this case since you opened it. Check it again below."


@bp.context_processor
def _urgent_helpers() -> dict[str, Any]:
    return {
        "urgent_flag": safety.urgent_flag,
        "urgent_waited": lambda since: tracker.waited(since, now_utc()),
        "URGENT_ACTIONS": safety.URGENT_ACTIONS,
    }


def _version() -> int:
    try:
        return int(request.form.get("version", ""))
    except ValueError:
        return -1  # not a version any case has: told to look again, like a stale page


def _done(complaint, form: str):
    url = url_for(".case", reference=complaint.reference, urgent=form)
    return redirect(url + "#urgent", 303)


def _again(complaint, form: str, error: safety.UrgentRefused | None = None):
    """The case page again, with what was typed and what went wrong (400) or changed (409)."""
    if error is None:
        complaints.refresh(complaint)
    typed = {k: v for k, v in request.form.items() if k in ("action", "note", "reason")}
    context = _case_context(
        complaint,
        urgent_form=form,
        urgent_error=str(error) if error else CONFLICT,
        urgent_error_field=error.field if error else None,
        urgent_typed=typed,
    )
    return render_template("staff/case.html", **context), 400 if error else 409


def _make(reference: str, form: str, change):
    complaint = _case_or_404(reference)
    try:
        change(complaint, auth.current_staff().email, _version())
    except casework.Conflict:
        return _again(complaint, form)
    except safety.UrgentRefused as refused:
        return _again(complaint, form, refused)
    return _done(complaint, form)


@bp.post("/cases/<reference>/urgent/seen")
@auth.requires(*DUTY_ROLES)
def urgent_seen(reference: str):
    """Say "I have seen this" for the current urgent flag."""
    return _make(reference, "seen", safety.acknowledge)


@bp.post("/cases/<reference>/urgent/action")
@auth.requires(*DUTY_ROLES)
def urgent_action(reference: str):
    """Record what was done about the current urgent flag."""
    form = request.form
    return _make(
        reference,
        "action",
        lambda c, by, v: safety.record_action(c, by, form.get("action", ""), form.get("note"), v),
    )


@bp.post("/cases/<reference>/urgent/clear")
@auth.requires(*DUTY_ROLES)
def urgent_clear(reference: str):
    """Take the urgent flag off the case."""
    reason = request.form.get("reason")
    return _make(reference, "clear", lambda c, by, v: safety.clear_flag(c, by, reason, v))
