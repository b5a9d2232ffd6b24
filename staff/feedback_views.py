"""Compliments and comments for officers and managers: the list, one that came another way,
the team it counts under, and the answer.

Thin: portal/services/feedback.py checks, audits, commits and queues the answer. Words about
harm put a compliment or comment at the top of the list until someone opens it.
"""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, redirect, render_template, request, url_for

from portal.clock import today_local
from portal.contact import mask
from portal.services import feedback
from portal.services import staff as accounts
from portal.types import StaffRole
from staff import auth
from staff.views import bp

FEEDBACK_ROLES = (StaffRole.OFFICER, StaffRole.MANAGER)
SAVED = {
    "recorded": "The compliment or comment is recorded.",
    "team": "The team is saved.",
    "answered": "The answer is recorded.",
    "answered_email": "The answer is recorded and will be sent by email.",
    "answered_sms": "The answer is recorded. A text tells them you will call: call them now.",
}
LANGUAGE_NAMES = {"en": "English", "cy": "Welsh", "pl": "Polish", "ar": "Arabic"}


@bp.context_processor
def _feedback_helpers() -> dict[str, Any]:
    return {
        "FEEDBACK_KINDS": feedback.KINDS,
        "FEEDBACK_ARRIVED_BY": feedback.ARRIVED_BY,
        "FEEDBACK_FROM": feedback.FROM_GROUPS,
        "FEEDBACK_LANGUAGES": LANGUAGE_NAMES,
    }


def _filters() -> feedback.Filters:
    args = request.args
    kind = args.get("kind")
    answered = args.get("answered")
    return feedback.Filters(
        kind=kind if kind in feedback.KINDS else None,
        answered=answered if answered in ("yes", "no") else None,
        flagged=args.get("flagged") == "1",
    )


@bp.get("/feedback")
@auth.requires(*FEEDBACK_ROLES)
def feedback_list():
    """Compliments and comments, newest first; flagged ones nobody has opened come first."""
    user = auth.current_staff()
    filters = _filters()
    found = feedback.listing(filters)
    accounts.viewed(user.email, "feedback_list_viewed", "feedback", total=found.total)
    return render_template(
        "staff/feedback.html",
        found=found,
        filters=filters,
        teams=current_app.config["SERVICE_AREAS"],
        saved=SAVED.get(request.args.get("saved", "")),
    )


def _new_form(errors: dict[str, str] | None = None, typed: Any = None, status: int = 200):
    return (
        render_template(
            "staff/feedback_new.html",
            errors=errors or {},
            typed=typed or {},
            teams=current_app.config["SERVICE_AREAS"],
            today=today_local(),
        ),
        status,
    )


@bp.get("/feedback/new")
@auth.requires(*FEEDBACK_ROLES)
def feedback_new():
    """Record a compliment or comment that came by card, email, phone, letter or in person."""
    return _new_form()


@bp.post("/feedback/new")
@auth.requires(*FEEDBACK_ROLES)
def feedback_record():
    user = auth.current_staff()
    try:
        item = feedback.record_from_staff(user.email, request.form)
    except feedback.FeedbackInvalid as invalid:
        return _new_form(invalid.errors, request.form, 400)
    return redirect(url_for(".feedback_item", feedback_id=item.id, saved="recorded"), 303)


def _item_or_404(feedback_id: int):
    item = feedback.get(feedback_id)
    if item is None:
        abort(404)
    return item


def _item_page(item, errors=None, typed=None, problem=None, status: int = 200):
    return (
        render_template(
            "staff/feedback_item.html",
            item=item,
            route=feedback.contact_route(item),
            masked=mask(item.contact) if item.contact else "",
            teams=current_app.config["SERVICE_AREAS"],
            errors=errors or {},
            typed=typed or {},
            problem=problem,
            saved=SAVED.get(request.args.get("saved", "")),
        ),
        status,
    )


@bp.get("/feedback/<int:feedback_id>")
@auth.requires(*FEEDBACK_ROLES)
def feedback_item(feedback_id: int):
    """One compliment or comment (opening it is audited)."""
    item = _item_or_404(feedback_id)
    feedback.opened(item, auth.current_staff().email)
    return _item_page(item)


@bp.post("/feedback/<int:feedback_id>/team")
@auth.requires(*FEEDBACK_ROLES)
def feedback_team(feedback_id: int):
    """Set the team it counts under in the report."""
    item = _item_or_404(feedback_id)
    try:
        feedback.set_team(item, request.form.get("team", ""), auth.current_staff().email)
    except feedback.FeedbackInvalid as invalid:
        return _item_page(item, invalid.errors, request.form, status=400)
    return redirect(url_for(".feedback_item", feedback_id=item.id, saved="team"), 303)


@bp.post("/feedback/<int:feedback_id>/answer")
@auth.requires(*FEEDBACK_ROLES)
def feedback_answer(feedback_id: int):
    """Record the answer; it is sent if they left a way to reach them."""
    item = _item_or_404(feedback_id)
    words = request.form.get("answer", "")
    try:
        route = feedback.answer(item, words, auth.current_staff().email)
    except feedback.FeedbackInvalid as invalid:
        return _item_page(item, invalid.errors, request.form, status=400)
    except feedback.FeedbackRefused as refused:
        return _item_page(item, typed=request.form, problem=str(refused), status=409)
    saved = f"answered_{route}" if route else "answered"
    return redirect(url_for(".feedback_item", feedback_id=item.id, saved=saved), 303)
