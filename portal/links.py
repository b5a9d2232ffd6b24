"""Links that leave the site (status links, links in alerts) are built from settings.

In production every such link starts with PUBLIC_BASE_URL (or STAFF_BASE_URL for the staff
area), never with the Host header of the request that made it, which a client can choose.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, has_request_context, url_for


def _base(setting: str) -> str:
    return (current_app.config.get(setting) or "").rstrip("/")


def public_url(endpoint: str, **values: Any) -> str:
    """Return an absolute link to a public page, starting with PUBLIC_BASE_URL when it is set.

    Outside a request (the sender's jobs, a command) with no PUBLIC_BASE_URL (local use only:
    production requires it), links start with STAFF_BASE_URL, the local server's address.
    """
    base = _base("PUBLIC_BASE_URL")
    if base:
        return base + _path(endpoint, values)
    if has_request_context():
        return url_for(endpoint, _external=True, **values)
    return _base("STAFF_BASE_URL") + _path(endpoint, values)


def _path(endpoint: str, values: dict[str, Any]) -> str:
    if has_request_context():
        return url_for(endpoint, _external=False, **values)
    with current_app.test_request_context("/"):
        return url_for(endpoint, _external=False, **values)


def staff_url(path: str) -> str:
    """Return an absolute link to a staff page (STAFF_BASE_URL, else PUBLIC_BASE_URL)."""
    return (_base("STAFF_BASE_URL") or _base("PUBLIC_BASE_URL")) + path
