"""Security headers on every response: a strict CSP with a per-request nonce, and no caching."""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from flask import Flask, Response, g, request

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
    if request.endpoint != "static":
        # Someone else may pick up the phone: never keep a copy of any page we make.
        response.headers["Cache-Control"] = "no-store"
        response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


def init_app(app: Flask) -> None:
    app.after_request(set_headers)
    app.jinja_env.globals["csp_nonce"] = csp_nonce
