"""Staff sign-in: throttled, locking, two steps, revocable on the server, with an idle timeout.

The session holds only the account id, its session version and when it was last used. Every
request to /staff checks all three against the database, so signing out, disabling an account
or an admin ending its sessions takes effect at once.

Between the password and the second step the session holds a short-lived "pending" record
instead, which opens only the code page (or, for an account without a second factor where one
is required, the page that sets one up).

Failed attempts are throttled three ways (OWASP's authentication cheat sheet): per account (the
lockout in portal/services/staff.py), per address, and per known device. A "known device" is a
browser that signed in to that account before: it carries a signed cookie naming the account, so
while strangers have locked the account, its owner can still sign in from their own browser.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import TYPE_CHECKING, Any

from flask import Response, abort, current_app, g, redirect, request, session, url_for
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from itsdangerous import BadSignature, URLSafeTimedSerializer
from limits import RateLimitItem, parse

from portal.clock import now_utc
from portal.security import same_site_path
from portal.services import staff as accounts

if TYPE_CHECKING:  # type hints only: staff code never touches models
    from portal.services.staff import Account

limiter = Limiter(key_func=get_remote_address, default_limits=[])
SESSION_KEY = "staff"
PENDING_KEY = "staff_pending"
PENDING_SECONDS = 10 * 60
# Reachable without signing in: everything else under /staff is behind `guard`. Each of these
# checks for itself what it needs (a set-up link, or a password just given).
OPEN_ENDPOINTS = {"staff.sign_in", "staff.set_up", "staff.two_step", "staff.two_step_set_up"}

DEVICE_SALT = "speakup.staff-device"
DEVICE_DAYS = 90
# A known device's own limit, smaller than the account's: a stolen cookie buys few guesses.
DEVICE_FAILURES = parse("3 per 15 minutes")
# Failed passwords and codes from one address (unknown devices only), across every account.
ADDRESS_FAILURES = "30 per hour"


@dataclass(frozen=True)
class Device:
    user_id: int
    nonce: str


def device_cookie_name() -> str:
    return "__Host-su_device" if current_app.config.get("SESSION_COOKIE_SECURE") else "su_device"


def _device_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=DEVICE_SALT)


def read_device() -> Device | None:
    """The known-device cookie this browser holds, if it is genuine and not too old."""
    raw = request.cookies.get(device_cookie_name())
    if not raw:
        return None
    try:
        payload = _device_serializer().loads(raw, max_age=DEVICE_DAYS * 86400)
    except BadSignature:
        return None
    if not isinstance(payload, dict):
        return None
    user_id, nonce = payload.get("u"), payload.get("n")
    if not isinstance(user_id, int) or not isinstance(nonce, str):
        return None
    return Device(user_id, nonce)


def has_known_device() -> bool:
    return read_device() is not None


def device_for(user: Account) -> Device | None:
    """This browser's cookie, if it names this account."""
    device = read_device()
    return device if device is not None and device.user_id == user.id else None


def remember_device(response: Response, user: Account) -> None:
    """After a full sign-in: a new cookie naming the account, for 90 days."""
    token = _device_serializer().dumps({"u": user.id, "n": secrets.token_urlsafe(16)})
    response.set_cookie(
        device_cookie_name(),
        token,
        max_age=DEVICE_DAYS * 86400,
        path="/",
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
        httponly=True,
        samesite="Lax",
    )


def _counter():
    return limiter.limiter if limiter.enabled else None


def _address_limit() -> RateLimitItem:
    return parse(current_app.config.get("STAFF_SIGN_IN_FAILURES_PER_ADDRESS", ADDRESS_FAILURES))


def _address() -> str:
    return request.remote_addr or "unknown"


def address_blocked() -> bool:
    """Too many failures from this address lately (known devices are not held back by it)."""
    counter = _counter()
    return counter is not None and not counter.test(_address_limit(), "staff-fail", _address())


def device_locked(device: Device | None) -> bool:
    counter = _counter()
    if device is None or counter is None:
        return False
    return not counter.test(DEVICE_FAILURES, "staff-device", device.nonce)


def count_failure(device: Device | None) -> None:
    """A known device counts against itself; anything else against this address."""
    counter = _counter()
    if counter is None:
        return
    if device is not None:
        counter.hit(DEVICE_FAILURES, "staff-device", device.nonce)
    else:
        counter.hit(_address_limit(), "staff-fail", _address())


def two_step_required() -> bool:
    return current_app.config["ENVIRONMENT"] == "production"


def start_session(user: Account) -> None:
    """Begin a fresh session (a new cookie, so nothing from before sign-in carries over)."""
    session.clear()
    session[SESSION_KEY] = {"id": user.id, "v": user.session_version, "seen": _now()}
    session.permanent = False


def end_session() -> None:
    session.pop(SESSION_KEY, None)
    session.pop(PENDING_KEY, None)


@dataclass(frozen=True)
class Pending:
    """A password (or set-up link) was accepted; the second step is still to come."""

    user: Account
    next: str | None


def start_pending(user: Account, step: str, next_path: str | None) -> None:
    session.clear()
    session[PENDING_KEY] = {
        "id": user.id,
        "v": user.session_version,
        "step": step,
        "at": _now(),
        "next": safe_next(next_path),
    }
    session.permanent = False


def pending(step: str) -> Pending | None:
    """The account waiting for this step, if the password was given in the last ten minutes."""
    held = session.get(PENDING_KEY)
    if not isinstance(held, dict) or held.get("step") != step:
        return None
    user = accounts.by_id(held.get("id"))
    at = held.get("at")
    if user is None or user.disabled or held.get("v") != user.session_version:
        return None
    if not isinstance(at, int) or _now() - at > PENDING_SECONDS:
        return None
    return Pending(user, held.get("next"))


def finish(user: Account, response: Response) -> Response:
    """Every step passed: start the session and remember this browser as a known device."""
    accounts.finish_sign_in(user, device_for(user) is not None)
    start_session(user)
    remember_device(response, user)
    return response


def after_password(user: Account, next_path: str | None) -> Response:
    """Password (or set-up link) accepted: ask for a code, set one up, or sign in."""
    if accounts.has_two_step(user):
        start_pending(user, "code", next_path)
        return redirect(url_for("staff.two_step"), 303)
    if two_step_required():
        start_pending(user, "set_up", next_path)
        return redirect(url_for("staff.two_step_set_up"), 303)
    return finish(user, redirect(safe_next(next_path) or url_for("staff.home"), 303))


def _now() -> int:
    return int(now_utc().timestamp())


def signed_in_user() -> Account | None:
    held = session.get(SESSION_KEY)
    if not isinstance(held, dict):
        return None
    user = accounts.by_id(held.get("id"))
    if user is None or user.disabled or held.get("v") != user.session_version:
        return None
    if two_step_required() and not accounts.has_two_step(user):
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
    user = signed_in_user()
    if user is None:
        timed_out = SESSION_KEY in session
        session.pop(SESSION_KEY, None)  # a sign-in waiting for its code carries on
        target = request.full_path if request.method == "GET" else None
        return redirect(
            url_for("staff.sign_in", next=safe_next(target), timed_out=1 if timed_out else None),
            code=303,
        )
    g.staff = user
    return None


def current_staff() -> Account:
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
