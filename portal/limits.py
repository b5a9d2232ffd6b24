"""Rate limits for the public pages (storage from RATELIMIT_STORAGE_URI, shared when Redis)."""

from __future__ import annotations

from functools import partial

from flask import Flask, session
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

limiter = Limiter(key_func=get_remote_address, default_limits=[])


def per_session() -> str:
    """Count one browser's requests, whatever address it comes from."""
    key = session.get("sid")
    return f"session:{key}" if isinstance(key, str) else f"address:{get_remote_address()}"


def init_app(app: Flask) -> None:
    limiter.init_app(app)


def checked_where_declared(app: Flask, *limiters: Limiter) -> None:
    """Check limits only on the views that declare them.

    Flask-Limiter checks every request before its view for limits that cover the whole app
    (application, default and blueprint limits) and again, in the view's decorator, for the
    view's own. Every limit here is a view's own (sign-in, sending a link, the help form), so
    the check before every page finds nothing: with two limiters it was about a twentieth of a
    question page. It is dropped only while no app-wide limit exists; the decorators still
    check their views' limits.
    """
    for each in limiters:
        manager = each.limit_manager
        if manager.application_limits or manager.default_limits or manager._blueprint_limits:
            continue
        hooks = app.before_request_funcs.get(None, [])
        if each._check_request_limit in hooks:
            hooks.remove(each._check_request_limit)
        if each._headers_enabled or _deducts_after_the_view(manager):
            continue
        # After every response it would deduct `deduct_when` limits and add headers (neither is
        # used), and clear its notes on a request that is ending anyway: a tenth of what a page
        # costs before its view runs.
        app.after_request_funcs[None] = [
            hook
            for hook in app.after_request_funcs.get(None, [])
            if not (isinstance(hook, partial) and hook.args[:1] == (each,))
        ]
        app.teardown_request_funcs[None] = [
            hook
            for hook in app.teardown_request_funcs.get(None, [])
            if getattr(hook, "__self__", None) is not each
        ]


def _deducts_after_the_view(manager) -> bool:
    """Whether any declared limit is counted only after its view (`deduct_when`)."""
    return any(
        getattr(limit, "deduct_when", None) is not None
        for limits in manager._decorated_limits.values()
        for limit in limits
    )
