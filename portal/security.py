"""Security headers on every response: a strict CSP with a per-request nonce, no caching, HSTS."""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, g, request
from werkzeug.exceptions import SecurityError

from portal.config import HSTS, PRODUCTION

PERMISSIONS_POLICY = "geolocation=(), camera=(), microphone=(), payment=(), usb=()"


def same_site_path(target: str | None, fallback: str | None = "/") -> str | None:
    """Return `target` if it is a path on this site, else `fallback`.

    Browsers treat "//host" and "/\\host" as other sites, so both are refused.
    """
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return fallback
    return target


def csp_nonce() -> str:
    """Return this request's nonce for the few script tags we serve."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def _csp() -> str:
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' 'nonce-{csp_nonce()}'",
            "style-src 'self'",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def set_headers(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = _csp()
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Permissions-Policy"] = PERMISSIONS_POLICY
    response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
    if current_app.config["ENVIRONMENT"] == PRODUCTION:
        # Browsers that have seen the site once never fall back to plain HTTP for a year.
        response.headers["Strict-Transport-Security"] = HSTS
    if request.endpoint != "static":
        # Someone else may pick up the phone: never keep a copy of any page we make.
        response.headers["Cache-Control"] = "no-store"
        response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


def refuse_unknown_host() -> Response | None:
    """A Host header outside TRUSTED_HOSTS (production) gets a bare 400, before anything else.

    Flask cannot build links for such a request, so no page (not even an error page) is made.
    """
    if isinstance(request.routing_exception, SecurityError):
        return Response("Bad request: unknown host.\n", 400, mimetype="text/plain")
    return None


def init_app(app: Flask) -> None:
    # First of all the before-request functions (CSRF's included), whatever their order.
    app.before_request_funcs.setdefault(None, []).insert(0, refuse_unknown_host)
    app.after_request(set_headers)
    app.jinja_env.globals["csp_nonce"] = csp_nonce
