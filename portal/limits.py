"""Rate limits for the public pages (storage from RATELIMIT_STORAGE_URI, shared when Redis)."""

from __future__ import annotations

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
