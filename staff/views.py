"""Staff pages: the tracker, a case, its moves and its audit trail (people: account_views.py).

Views stay thin: they read the form, call a service, and show the answer. Every view of a case
and every change is audited by the services they call.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, abort, redirect, render_template, request, url_for

from portal import wording
from portal.clock import LONDON
from portal.fields import OUTCOME_LABELS, REMEDY_LABELS
from portal.services import casework, complaints, safety, status_links, tracker
from portal.services import staff as accounts
from portal.stages import (
    DUE_FOR,
    MOVES,
    PAIRINGS,
    STEP_LABELS,
    Action,
    Refused,
    Together,
    extension_limit,
)
from portal.types import FINDINGS, StaffRole, Stage
from staff import auth, words
from staff.actions import ACTION_LABELS, action_choices, next_step

bp = Blueprint("staff", __name__, url_prefix="/staff", template_folder="templates")
bp.before_request(auth.guard)


@bp.app_template_filter("staff_time")
def staff_time(value: datetime | None) -> str:
    """A moment for staff: the full date and the time in UK local time (Europe/London, so
    British Summer Time in summer): "Wednesday 1 July 2026, 14:05"."""
    if value is None:
        return ""
    if value.tzinfo is None:  # stored in UTC; SQLite gives it back without its zone
        value = value.replace(tzinfo=UTC)
    local = value.astimezone(LONDON)
    return f"{local:%A} {local.day} {local:%B %Y, %H:%M}"


@bp.context_processor
def _staff_words() -> dict[str, Any]:
    """Staff words for stored values, for every staff page (never the value as stored)."""
    return {
        "due_for": DUE_FOR,
        "topic_words": words.topic,
        "staff_words": words.LABELS,
        "concept_words": words.concepts,
    }


CASE_ROLES = (StaffRole.OFFICER, StaffRole.MANAGER, StaffRole.INVESTIGATOR)


@bp.get("/")
def home():
    if auth.current_staff().role == StaffRole.ADMIN:
        return redirect(url_for(".accounts"), 303)
    return redirect(url_for(".cases"), 303)


def _filters() -> tracker.Filters:
    args = request.args
    return tracker.Filters(
        stage=args.get("stage") or None,
        overdue=args.get("overdue") == "1",
        due_this_week=args.get("due_this_week") == "1",
        unassigned=args.get("unassigned") == "1",
        urgent=args.get("urgent") == "1",
        mine=args.get("mine") == "1",
        reference=(args.get("reference") or "").strip()[:20] or None,
        due_what=args.get("due_what") if args.get("due_what") in DUE_FOR else None,
        topic=args.get("topic") if args.get("topic") in words.TOPICS else None,
    )


def _page_number() -> int:
    try:
        return max(1, int(request.args.get("page", "1")))
    except ValueError:
        return 1


@bp.get("/cases")
@auth.requires(*CASE_ROLES)
def cases():
    """The tracker: urgent and triage first, then by the next deadline."""
    user = auth.current_staff()
    filters = _filters()
    page = tracker.list_cases(filters, user, _page_number())
    accounts.viewed(user.email, "tracker_viewed", "tracker", page=page.page, total=page.total)
    query = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "staff/cases.html",
        page=page,
        filters=filters,
        query=query,
        alerts=tracker.unsent_alerts() if user.role != StaffRole.INVESTIGATOR else None,
        stages=list(Stage),
        topics=words.TOPICS,
        # Every manager sees who changed which account (separation of duties).
        account_changes=(
            accounts.recent_account_changes() if user.role == StaffRole.MANAGER else None
        ),
    )


def _case_or_404(reference: str):
    complaint = complaints.by_reference(reference)
    user = auth.current_staff()
    if complaint is None:
        abort(404)
    if user.role == StaffRole.INVESTIGATOR and complaint.assigned_to_id != user.id:
        abort(404)  # not theirs: do not even confirm that it exists
    return complaint


def _points(complaint) -> list[dict]:
    return [
        {"point": p, "topic": words.topic(p.topic, complaint.journey)} for p in complaint.points
    ]


def _case_context(complaint, **extra: Any) -> dict[str, Any]:
    user = auth.current_staff()
    actor = casework.Actor.of(user)
    state = casework.state_of(complaint)
    actions = action_choices(complaint, actor, state)
    step = next_step(complaint, actor, state)
    return {
        "complaint": complaint,
        "state": state,
        "step_label": STEP_LABELS[state.step],
        "group": tracker.complainant_group(complaint.complainant_role),
        "countdown": tracker.countdown(state.due),
        "extension_limit": extension_limit(state),
        "setup_days": tracker.working_days_since(state.stage_requested_on),
        "told_us": words.told_us(complaint.journey, complaint.voice, complaint.answers or {}),
        "points": _points(complaint),
        "decisions": words.decisions(
            complaints.decisions_of(complaint), complaint.urgent_reasons or [], wording.settings()
        ),
        "help_requests": safety.help_requests_for(complaint),
        "actions": actions,
        "next_step": step,
        "next_countdown": tracker.countdown(step.due if step else None),
        "other_actions": [a for a in actions if step is None or a["action"] != step.action],
        "due_for": DUE_FOR,
        "can_audit": user.role == StaffRole.MANAGER,
        "can_clear_word": user.role in (StaffRole.OFFICER, StaffRole.MANAGER),
        "word_paused": status_links.word_paused(complaint),
        "ACTION_LABELS": ACTION_LABELS,
        "outcome_labels": OUTCOME_LABELS,
        "remedy_labels": REMEDY_LABELS,
        **extra,
    }


@bp.get("/cases/<reference>")
@auth.requires(*CASE_ROLES)
def case(reference: str):
    complaint = _case_or_404(reference)
    user = auth.current_staff()
    accounts.viewed(user.email, "case_viewed", f"complaint:{complaint.reference}")
    return render_template("staff/case.html", **_case_context(complaint))


@bp.route("/cases/<reference>/do/<action>", methods=["GET", "POST"])
@auth.requires(*CASE_ROLES)
def act(reference: str, action: str):
    """Show the form for one move (or a declared pairing of two), or make it. Every move goes
    through casework.advance (a pairing through casework.advance_together)."""
    complaint = _case_or_404(reference)
    if action not in MOVES:
        abort(404)
    move: Action | Together = Together(action) if action in PAIRINGS else Action(action)
    user = auth.current_staff()
    actor = casework.Actor.of(user)
    if request.method == "GET":
        accounts.viewed(user.email, "case_viewed", f"complaint:{complaint.reference}", form=move)
        # Say at once if the move cannot be made now (an old bookmark, or someone moved it on).
        if isinstance(move, Together):
            refused = casework.why_not_together(complaint, move, actor)
        else:
            refused = casework.why_not(complaint, move, actor)
        return _action_page(complaint, move, {}, {}, refused=refused)
    form = request.form
    try:
        version = int(form.get("version", ""))
    except ValueError:
        version = -1
    make = casework.advance_together if isinstance(move, Together) else casework.advance
    try:
        make(complaint, move, actor, version, form)
    except casework.Conflict:
        complaints.refresh(complaint)
        return _action_page(complaint, move, form, {}, conflict=True), 409
    except casework.Invalid as invalid:
        return _action_page(complaint, move, form, invalid.errors), 400
    except Refused as refused:
        return _action_page(complaint, move, form, {}, refused=str(refused)), 400
    return redirect(url_for(".case", reference=complaint.reference, done=move), 303)


def _action_page(complaint, move: Action | Together, form, errors: dict[str, str], **extra: Any):
    """The form for one move, drawn from its declaration in portal/stages.py."""
    transition = MOVES[move]
    context = _case_context(complaint, **extra)
    return render_template(
        "staff/action.html",
        move=move,
        move_label=transition.label,
        fields=transition.fields_for(context["state"]),
        field_context=casework.context(complaint, context["state"]),
        form=form,
        errors=errors,
        assignable=casework.assignable_staff(),
        transition=transition,
        findings=FINDINGS,
        **context,
    )


@bp.get("/cases/<reference>/audit")
@auth.requires(StaffRole.MANAGER)
def audit(reference: str):
    """A case's audit trail: who looked, who changed what, before and after."""
    complaint = _case_or_404(reference)
    user = auth.current_staff()
    target = f"complaint:{complaint.reference}"
    entries = accounts.audit_trail(target)
    accounts.viewed(user.email, "audit_trail_viewed", target)
    return render_template("staff/audit.html", complaint=complaint, entries=entries)


@bp.get("/help/<int:request_id>")
@auth.requires(*CASE_ROLES)
def help_request(request_id: int):
    """Someone asked for urgent contact: who to call back, and how."""
    found = safety.help_request(request_id)
    if found is None:
        abort(404)
    user = auth.current_staff()
    if user.role == StaffRole.INVESTIGATOR and (
        found.complaint is None or found.complaint.assigned_to_id != user.id
    ):
        abort(404)
    accounts.viewed(user.email, "help_request_viewed", f"help:{found.id}")
    return render_template("staff/help_request.html", help_request=found)
