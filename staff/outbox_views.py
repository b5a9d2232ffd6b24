"""Undelivered messages: what failed or cannot be sent, and "Try again" (officers, managers).

The tracker shows the newest of them (staff/templates/staff/outbox_panel.html); this page shows
more. Addresses are masked by the service; "Try again" is audited there.
"""

from __future__ import annotations

from typing import Any

from flask import abort, redirect, render_template, request, url_for

from portal.notifications import STAFF_LABELS
from portal.services import outbox
from portal.services import staff as accounts
from portal.types import StaffRole
from staff import auth
from staff.views import bp

OUTBOX_ROLES = (StaffRole.OFFICER, StaffRole.MANAGER)
SHOW = 200
# What each kind of message is, for staff (a kind not listed is shown in words from its name).
DONE = {
    "retried": "Queued again: it will be sent in the next few seconds.",
    "gone": "Nothing to try again: it was already queued again or sent.",
}


def kind_words(kind: str) -> str:
    return STAFF_LABELS.get(kind) or kind.replace("_", " ").capitalize()


@bp.context_processor
def _outbox_helpers() -> dict[str, Any]:
    return {"outbox_kind": kind_words}


@bp.get("/messages", endpoint="outbox")
@auth.requires(*OUTBOX_ROLES)
def outbox_page():
    """Every message that did not go (the newest 200), and what still waits to be sent."""
    user = auth.current_staff()
    accounts.viewed(user.email, "outbox_viewed", "outbox")
    return render_template(
        "staff/outbox.html",
        alerts=outbox.panel(SHOW),
        done=DONE.get(request.args.get("done", "")),
    )


@bp.post("/messages/retry", endpoint="outbox_retry")
@auth.requires(*OUTBOX_ROLES)
def outbox_retry():
    """Send a failed or not-sendable message again, from its first try."""
    try:
        message_id = int(request.form.get("message", ""))
    except ValueError:
        abort(400)
    tried = outbox.retry(message_id, auth.current_staff().email)
    return redirect(url_for(".outbox", done="retried" if tried else "gone"), 303)
