"""Staff sign-in: rate-limited, locking, revocable on the server, with an idle timeout.

The session holds only the account id, its session version and when it was last used. Every
request to /staff checks all three against the database, so signing out, disabling an account
or an admin ending its sessions takes effect at once.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort, current_app, g, redirect, request, session, url_for
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from portal.clock import now_utc
from portal.models import StaffUser
from portal.security import same_site_path
from portal.services import staff as accounts

limiter = Limiter(key_func=get_remote_address, default_limits=[])
SESSION_KEY = "staff"
# Reachable without signing in: everything else under /staff is behind `guard`.
OPEN_ENDPOINTS = {"staff.sign_in"}


def start_session(user: StaffUser) -> None:
    """Begin a fresh session (a new cookie, so nothing from before sign-in carries over)."""
    session.clear()
    session[SESSION_KEY] = {"id": user.id, "v": user.session_version, "seen": _now()}
    session.permanent = False


def end_session() -> None:
    session.pop(SESSION_KEY, None)


def _now() -> int:
    return int(now_utc().timestamp())


def _signed_in_user() -> StaffUser | None:
    held = session.get(SESSION_KEY)
    if not isinstance(held, dict):
        return None
    user = accounts.by_id(held.get("id"))
    if user is None or user.disabled or held.get("v") != user.session_version:
        return None
    idle_limit = current_app.config["STAFF_IDLE_MINUTES"] * 60
    seen = held.get("seen")
    if not isinstance(seen, int) or _now() - seen > idle_limit:
        return None
    held["seen"] = _now()
    session.modified = True
    return user


def guard() -> Any:
    """Run before every /staff request: no valid session, no page."""
    if request.endpoint in OPEN_ENDPOINTS:
        return None
    user = _signed_in_user()
    if user is None:
        timed_out = SESSION_KEY in session
        end_session()
        target = request.full_path if request.method == "GET" else None
        return redirect(
            url_for("staff.sign_in", next=safe_next(target), timed_out=1 if timed_out else None),
            code=303,
        )
    g.staff = user
    return None


def current_staff() -> StaffUser:
    return g.staff


def requires(*roles: str) -> Callable:
    """Allow a view only to these roles; others get a plain "not for your role" page."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if current_staff().role not in roles:
                abort(403)
            return view(*args, **kwargs)

        wrapped.allowed_roles = roles  # read by the guard test
        return wrapped

    return decorate


def safe_next(target: str | None) -> str | None:
    """Only go back to a path in the staff area on this site, never to another host."""
    path = same_site_path(target, fallback=None)
    return path.rstrip("?") if path and path.startswith("/staff/") else None
