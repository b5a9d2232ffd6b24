"""Learning actions on the case page: record one, say it was done, a manager signs it off.

Each form posts here and comes back to the case page's learning section; a problem shows the
case page again with what was typed and what to do (portal/services/learning.py checks,
audits and commits).
"""

from __future__ import annotations

from typing import Any

from flask import current_app, redirect, render_template, request, url_for

from portal.services import learning
from portal.services import staff as accounts
from portal.types import StaffRole
from staff import auth
from staff.views import _case_context, _case_or_404, bp

LEARNING_ROLES = (StaffRole.OFFICER, StaffRole.MANAGER, StaffRole.INVESTIGATOR)
SAVED = {
    "added": "The learning action is recorded.",
    "done": "The evidence and completion date are recorded.",
    "signed_off": "The learning action is signed off.",
    "not_needed": "The reason no learning action is needed is recorded.",
}
ON_THE_TRACKER = 5  # the soonest-due open actions shown on the tracker
LISTED = 200  # the open-actions page lists this many, soonest due first


def _open_on_tracker() -> learning.OpenActions:
    user = auth.current_staff()
    return learning.open_actions(user.id, user.role, limit=ON_THE_TRACKER)


@bp.context_processor
def _learning_helpers() -> dict[str, Any]:
    return {
        "learning_for": learning.summary,
        "open_learning": _open_on_tracker,
        "LEARNING_SAVED": SAVED,
        "THEME_LABELS": current_app.config["THEMES"],
        "SERVICE_AREA_LABELS": current_app.config["SERVICE_AREAS"],
    }


def _again(complaint, form: str, problem: str | None, errors: dict[str, str], action_id=None):
    """The case page again with what was typed and what to do (400)."""
    context = _case_context(
        complaint,
        learning_form=form,
        learning_action_id=action_id,
        learning_problem=problem,
        learning_errors=errors,
        learning_typed=request.form,
    )
    return render_template("staff/case.html", **context), 400


def _make(reference: str, form: str, change, action_id=None):
    complaint = _case_or_404(reference)
    user = auth.current_staff()
    try:
        change(complaint, user)
    except learning.LearningInvalid as invalid:
        return _again(complaint, form, None, invalid.errors, action_id)
    except learning.LearningRefused as refused:
        return _again(complaint, form, str(refused), {}, action_id)
    url = url_for(".case", reference=reference, learning=form)
    return redirect(url + "#learning", 303)


@bp.post("/cases/<reference>/learning")
@auth.requires(*LEARNING_ROLES)
def learning_add(reference: str):
    """Record a learning action for an upheld point."""
    return _make(reference, "added", lambda c, u: learning.add(c, u.email, u.role, request.form))


@bp.post("/cases/<reference>/learning/not-needed")
@auth.requires(*LEARNING_ROLES)
def learning_not_needed(reference: str):
    """Record why an upheld point needs no learning action."""
    return _make(
        reference,
        "not_needed",
        lambda c, u: learning.no_learning_needed(c, u.email, u.role, request.form),
    )


def _action_id() -> str:
    """Which learning action a form is about (a hidden field, checked by the service)."""
    return (request.form.get("action_id") or "").strip()[:12]


@bp.post("/cases/<reference>/learning/done")
@auth.requires(*LEARNING_ROLES)
def learning_done(reference: str):
    """Record the evidence that an action was done, and when."""
    action_id = _action_id()
    return _make(
        reference,
        "done",
        lambda c, u: learning.complete(c, action_id, u.email, u.role, request.form),
        action_id,
    )


@bp.post("/cases/<reference>/learning/sign-off")
@auth.requires(*LEARNING_ROLES)
def learning_sign_off(reference: str):
    """A manager signs an action off (the service refuses anyone else)."""
    action_id = _action_id()
    return _make(
        reference,
        "signed_off",
        lambda c, u: learning.sign_off(c, action_id, u.email, u.role),
        action_id,
    )


@bp.get("/learning", endpoint="learning_open")
@auth.requires(*LEARNING_ROLES)
def learning_open():
    """Every learning action not yet signed off, each with its own red/amber/green clock."""
    user = auth.current_staff()
    overdue = request.args.get("overdue") == "1"
    found = learning.open_actions(user.id, user.role, overdue_only=overdue, limit=LISTED)
    accounts.viewed(user.email, "learning_actions_viewed", "learning", overdue=overdue)
    return render_template("staff/learning_open.html", found=found, overdue=overdue, listed=LISTED)
