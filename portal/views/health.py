"""GET /healthz for load balancers and platforms: 200 when fit to serve, 503 when not.

The answer names no person, case or address: only whether the database answered and how long
the oldest untried message has waited (portal/services/health.py).
"""

from __future__ import annotations

from flask import Blueprint, jsonify

from portal.services import health

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    found = health.check()
    body = {
        "status": "ok" if found.ok else "unavailable",
        "database": "ok" if found.database else "not answering",
        "sender": "ok" if found.sender_ok else "behind",
        "oldest_unsent_seconds": found.sender_behind_seconds,
    }
    return jsonify(body), 200 if found.ok else 503
