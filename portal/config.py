"""Settings from the environment, with safe defaults for local use."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def local_secret_key(instance_path: str) -> str:
    """Read the instance's secret key, creating one on first run (never hard-coded)."""
    path = Path(instance_path) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    # O_EXCL so two processes starting at once cannot both write a key.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


def from_environment(instance_path: str) -> dict:
    """Build the app's settings; every value can be overridden by the environment."""
    default_db = "sqlite:///" + str(Path(instance_path) / "speakup.db")
    return {
        # Empty means "generate one into instance/" (see create_app); never a fixed default.
        "SECRET_KEY": os.environ.get("SECRET_KEY", ""),
        "DATABASE_URL": os.environ.get("DATABASE_URL", default_db),
        "SESSION_COOKIE_NAME": "su_session",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", False),
        # A draft is kept for a day of inactivity on the visitor's phone.
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=_int("SESSION_HOURS", 24)),
        # Long enough for a child to take a break in the middle of a question.
        "WTF_CSRF_TIME_LIMIT": _int("CSRF_TIME_LIMIT_SECONDS", 4 * 3600),
        "MAX_CONTENT_LENGTH": 64 * 1024,
        # English, Welsh, Polish and Arabic (right to left). Add a language: see the README.
        "LANGUAGES": ["en", "cy", "pl", "ar"],
        "BABEL_DEFAULT_TIMEZONE": "Europe/London",
        # Words a council sets. Left empty, each has a default in every language
        # (portal/wording.py); a council's own words are shown as they are written.
        "COUNCIL_NAME": os.environ.get("COUNCIL_NAME", ""),
        "COUNCIL_COMPLAINTS_PHONE": os.environ.get("COUNCIL_COMPLAINTS_PHONE", "0300 123 4567"),
        "COUNCIL_COMPLAINTS_EMAIL": os.environ.get(
            "COUNCIL_COMPLAINTS_EMAIL", "complaints@council.example"
        ),
        # The local advocacy service (s26A): every young person is offered it.
        "ADVOCACY_SERVICE_NAME": os.environ.get("ADVOCACY_SERVICE_NAME", ""),
        "ADVOCACY_SERVICE_CONTACT": os.environ.get(
            "ADVOCACY_SERVICE_CONTACT", "0808 000 0000, advocacy@example.org"
        ),
        # Where to go instead, for matters outside the council's complaints procedures.
        "SIGNPOST_SCHOOL": os.environ.get("SIGNPOST_SCHOOL", ""),
        "SIGNPOST_POLICE": os.environ.get("SIGNPOST_POLICE", ""),
        "SIGNPOST_HEALTH": os.environ.get("SIGNPOST_HEALTH", ""),
        "SIGNPOST_COURT": os.environ.get("SIGNPOST_COURT", ""),
        "SIGNPOST_CHILD_PROTECTION": os.environ.get("SIGNPOST_CHILD_PROTECTION", ""),
        "COUNCIL_OUT_OF_HOURS_PHONE": os.environ.get("COUNCIL_OUT_OF_HOURS_PHONE", ""),
        # Urgent alerts go to the duty team; links in them point at the staff area.
        "DUTY_TEAM_EMAIL": os.environ.get("DUTY_TEAM_EMAIL", "duty-team@council.example"),
        "STAFF_BASE_URL": os.environ.get("STAFF_BASE_URL", "http://127.0.0.1:5000"),
        # "Exit this page" goes here: a neutral site that gives nothing away.
        "EXIT_URL": os.environ.get("EXIT_URL", "https://www.bbc.co.uk/weather"),
        # Closed complaints are anonymised this long after closure (unless on legal hold).
        "RETENTION_YEARS": _int("RETENTION_YEARS", 6),
        "ACKNOWLEDGE_WORKING_DAYS": _int("ACKNOWLEDGE_WORKING_DAYS", 5),
        "STAGE1_WORKING_DAYS": _int("STAGE1_WORKING_DAYS", 10),
        "STATUS_LINK_DAYS_AFTER_CLOSE": _int("STATUS_LINK_DAYS_AFTER_CLOSE", 90),
        # The Local Government and Social Care Ombudsman, after the last stage.
        "OMBUDSMAN_PHONE": os.environ.get("OMBUDSMAN_PHONE", "0300 061 0614"),
        "OMBUDSMAN_WEBSITE": os.environ.get("OMBUDSMAN_WEBSITE", "www.lgo.org.uk"),
        # Staff sessions end after this long without a request.
        "STAFF_IDLE_MINUTES": _int("STAFF_IDLE_MINUTES", 30),
        # "production" turns off everything meant only for a local copy (demo accounts, seeds).
        "ENVIRONMENT": os.environ.get("SPEAKUP_ENV", "local"),
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "STAFF_SIGN_IN_RATE": os.environ.get("STAFF_SIGN_IN_RATE", "10 per minute"),
        "PUBLIC_BASE_URL": os.environ.get("PUBLIC_BASE_URL", ""),
    }
