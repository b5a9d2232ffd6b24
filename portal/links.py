"""Links that leave the site (status links, links in alerts) are built from settings.

In production every such link starts with PUBLIC_BASE_URL (or STAFF_BASE_URL for the staff
area), never with the Host header of the request that made it, which a client can choose.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, url_for


def _base(setting: str) -> str:
    return (current_app.config.get(setting) or "").rstrip("/")


def public_url(endpoint: str, **values: Any) -> str:
    """Return an absolute link to a public page, starting with PUBLIC_BASE_URL when it is set."""
    base = _base("PUBLIC_BASE_URL")
    if not base:
        return url_for(endpoint, _external=True, **values)
    return base + url_for(endpoint, _external=False, **values)


def staff_url(path: str) -> str:
    """Return an absolute link to a staff page (STAFF_BASE_URL, else PUBLIC_BASE_URL)."""
    return (_base("STAFF_BASE_URL") or _base("PUBLIC_BASE_URL")) + path
