"""Settings from the environment, with safe defaults for local use."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Mapping, MutableMapping
from datetime import time, timedelta
from email.utils import parseaddr
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from portal.timescales import ReceiptRule

LOCAL = "local"
PRODUCTION = "production"
ENVIRONMENTS = (LOCAL, PRODUCTION)
# Browsers only accept a "__Host-" cookie when it is Secure, has Path=/ and no Domain, so no
# other site under the same domain (or a plain-HTTP page) can set or overwrite it.
SESSION_COOKIE = "su_session"
HOST_PREFIX = "__Host-"
HSTS = "max-age=31536000; includeSubDomains"
# GOV.UK Notify's API; tests point NOTIFY_BASE_URL at a local server that follows it.
NOTIFY_API = "https://api.notifications.service.gov.uk"
MAIL_SCHEMES = ("smtp", "smtps", "notify")
MAIL_URL_FORMS = "smtp://host:port, smtps://user:password@host:port or notify://"
# A Notify API key is "name-<service id: 36>-<secret: 36>"; the client reads both from its end.
NOTIFY_KEY_MIN_LENGTH = 74


# The lists staff choose a complaint point's theme and service area from (a council can change
# them: `key=Label`, separated by commas). Reports count by the keys, so keep a key once used.
DEFAULT_THEMES = (
    "communication=Communication,"
    "staff_attitude=Staff attitude or conduct,"
    "quality_of_care=Quality of care or service failure,"
    "delay=Delay,"
    "decision_or_policy=A decision or policy,"
    "assessments=Assessments,"
    "finance=Finance and allowances,"
    "placement=Placement,"
    "contact_with_family=Contact with family,"
    "leaving_care_support=Leaving care support,"
    "safeguarding=Safeguarding,"
    "wrong_or_shared_information=Wrong or shared information,"
    "level_of_provision=Level of provision,"
    "no_provision=No provision"
)
DEFAULT_SERVICE_AREAS = (
    "children_in_care=Children in care,"
    "fostering=Fostering,"
    "adoption=Adoption,"
    "leaving_care=Leaving care,"
    "children_in_need=Children in need,"
    "child_protection=Child protection,"
    "disabled_children=Disabled children,"
    "special_guardianship=Special guardianship,"
    "early_help=Early help,"
    "other=Other"
)


def labelled_list(value: str) -> dict[str, str]:
    """Read "key=Label, other=Other label" into {key: label}, in order (a bare key is its
    own label); keys are lower case with underscores, at most 40 characters."""
    found: dict[str, str] = {}
    for item in value.split(","):
        key, _, label = item.partition("=")
        key = key.strip().lower().replace(" ", "_")[:40]
        if key:
            found.setdefault(key, label.strip() or key.replace("_", " ").capitalize())
    return found


class ConfigError(RuntimeError):
    """The settings cannot run the app; the message names every setting to fix."""


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


def environment_name(config: dict | None = None) -> str:
    """Return "local" or "production": from `config` when it says, else SPEAKUP_ENV."""
    return (config or {}).get("ENVIRONMENT") or os.environ.get("SPEAKUP_ENV") or LOCAL


# The made-up contact details a local copy starts with. Pages label them as examples wherever
# they are shown, and production refuses them even when someone sets them on purpose.
EXAMPLE_CONTACTS = frozenset(
    {
        "0300 123 4567",
        "complaints@council.example",
        "0808 000 0000",
        "advocacy@example.org",
        "0808 000 0000, advocacy@example.org",
        "0300 123 4999",
    }
)


def from_environment(instance_path: str, environment: str | None = None) -> dict:
    """Build the app's settings; every value can be overridden by the environment.

    Example values (contact details, the local staff address) are defaults only for a local
    copy: in production they are empty, so `check_production` names each one still missing.
    """
    environment = environment or environment_name()
    production = environment == PRODUCTION

    def local_default(name: str, example: str) -> str:
        return os.environ.get(name, "" if production else example)

    default_db = "" if production else "sqlite:///" + str(Path(instance_path) / "speakup.db")
    return {
        # Empty means "generate one into instance/" (see create_app); never a fixed default.
        "SECRET_KEY": os.environ.get("SECRET_KEY", ""),
        "DATABASE_URL": os.environ.get("DATABASE_URL", default_db),
        "SESSION_COOKIE_NAME": SESSION_COOKIE,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", False),
        # A draft is kept for a day of inactivity on the visitor's phone.
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=_int("SESSION_HOURS", 24)),
        # Long enough for a child to take a break in the middle of a question.
        "WTF_CSRF_TIME_LIMIT": _int("CSRF_TIME_LIMIT_SECONDS", 4 * 3600),
        # Over HTTPS Flask-WTF also wants a same-host Referer, but every page sends
        # Referrer-Policy: no-referrer, so browsers send none (and Origin: null): every form
        # would fail. The token, tied to a "__Host-" session cookie in production that no
        # other site or subdomain can plant, is the check.
        "WTF_CSRF_SSL_STRICT": False,
        "MAX_CONTENT_LENGTH": 64 * 1024,
        # English, Welsh, Polish and Arabic (right to left). Add a language: see the README.
        "LANGUAGES": ["en", "cy", "pl", "ar"],
        "BABEL_DEFAULT_TIMEZONE": "Europe/London",
        # Words a council sets. Left empty, each has a default in every language
        # (portal/wording.py); a council's own words are shown as they are written.
        "COUNCIL_NAME": os.environ.get("COUNCIL_NAME", ""),
        "COUNCIL_COMPLAINTS_PHONE": local_default("COUNCIL_COMPLAINTS_PHONE", "0300 123 4567"),
        "COUNCIL_COMPLAINTS_EMAIL": local_default(
            "COUNCIL_COMPLAINTS_EMAIL", "complaints@council.example"
        ),
        # The local advocacy service (s26A): every young person is offered it.
        "ADVOCACY_SERVICE_NAME": os.environ.get("ADVOCACY_SERVICE_NAME", ""),
        "ADVOCACY_SERVICE_CONTACT": local_default(
            "ADVOCACY_SERVICE_CONTACT", "0808 000 0000, advocacy@example.org"
        ),
        # Where to go instead, for matters outside the council's complaints procedures.
        "SIGNPOST_SCHOOL": os.environ.get("SIGNPOST_SCHOOL", ""),
        "SIGNPOST_POLICE": os.environ.get("SIGNPOST_POLICE", ""),
        "SIGNPOST_HEALTH": os.environ.get("SIGNPOST_HEALTH", ""),
        "SIGNPOST_COURT": os.environ.get("SIGNPOST_COURT", ""),
        "SIGNPOST_CHILD_PROTECTION": os.environ.get("SIGNPOST_CHILD_PROTECTION", ""),
        "COUNCIL_OUT_OF_HOURS_PHONE": os.environ.get("COUNCIL_OUT_OF_HOURS_PHONE", ""),
        # The council's children's services "front door" (MASH): adults worried about a child
        # are told to call it. The local example is made up; production must set it.
        "CHILDRENS_SERVICES_PHONE": local_default("CHILDRENS_SERVICES_PHONE", "0300 123 4999"),
        # Urgent alerts go to the duty team; links in them point at the staff area.
        "DUTY_TEAM_EMAIL": local_default("DUTY_TEAM_EMAIL", "duty-team@council.example"),
        # An urgent alert nobody has seen within this many minutes of working hours (and any
        # unseen alert outside them) goes again to the out-of-hours team (empty: the duty team).
        "URGENT_ESCALATE_MINUTES": _int("URGENT_ESCALATE_MINUTES", 30),
        "WORKING_HOURS": os.environ.get("WORKING_HOURS", "09:00-17:00"),
        # Shown with "(an example, not real)" beside them; none in production.
        "EXAMPLE_CONTACTS": frozenset() if production else EXAMPLE_CONTACTS,
        "OUT_OF_HOURS_EMAIL": local_default("OUT_OF_HOURS_EMAIL", "out-of-hours@council.example"),
        # Where messages for a young person who chose "through my advocate" or "through my
        # social worker" go (the reference, never the link). Empty: the complaints team.
        "ADVOCACY_SERVICE_EMAIL": local_default("ADVOCACY_SERVICE_EMAIL", "advocacy@example.org"),
        "SOCIAL_WORK_EMAIL": local_default("SOCIAL_WORK_EMAIL", "social-work@council.example"),
        # A point given the theme "wrong_or_shared_information" alerts information governance
        # (a possible data breach): a staff link only, never case content.
        "INFORMATION_GOVERNANCE_EMAIL": local_default(
            "INFORMATION_GOVERNANCE_EMAIL", "information-governance@council.example"
        ),
        "THEMES": labelled_list(os.environ.get("THEMES", DEFAULT_THEMES)),
        "SERVICE_AREAS": labelled_list(os.environ.get("SERVICE_AREAS", DEFAULT_SERVICE_AREAS)),
        # Staff digests go out on working days from this hour (England).
        "DIGEST_HOUR": _int("DIGEST_HOUR", 7),
        # Empty: the staff area is at PUBLIC_BASE_URL (portal/links.py).
        "STAFF_BASE_URL": local_default("STAFF_BASE_URL", "http://127.0.0.1:5000"),
        # "Exit this page" goes here: a neutral site that gives nothing away.
        "EXIT_URL": os.environ.get("EXIT_URL", "https://www.bbc.co.uk/weather"),
        # Closed complaints are anonymised this long after closure (unless on legal hold).
        "RETENTION_YEARS": _int("RETENTION_YEARS", 6),
        "ACKNOWLEDGE_WORKING_DAYS": _int("ACKNOWLEDGE_WORKING_DAYS", 5),
        "STAGE1_WORKING_DAYS": _int("STAGE1_WORKING_DAYS", 10),
        # A complaint that arrives on a weekend or bank holiday: received on the next working
        # day (the default), or counted from the day after it arrived (portal/timescales.py).
        "RECEIVED_ON_A_NON_WORKING_DAY": os.environ.get(
            "RECEIVED_ON_A_NON_WORKING_DAY", ReceiptRule.NEXT_WORKING_DAY
        ),
        "STAGE2_SETUP_WORKING_DAYS": _int("STAGE2_SETUP_WORKING_DAYS", 10),
        "LOST_LINK_MIN_SECONDS": float(os.environ.get("LOST_LINK_MIN_SECONDS") or 0.8),
        "STATUS_LINK_DAYS_AFTER_CLOSE": _int("STATUS_LINK_DAYS_AFTER_CLOSE", 90),
        # No link works for longer than this, however long the complaint takes (2 years covers
        # all three stages and the Ombudsman); "Get a new link" gives a fresh one at any time.
        "STATUS_LINK_MAX_DAYS": _int("STATUS_LINK_MAX_DAYS", 730),
        # The Local Government and Social Care Ombudsman, after the last stage.
        "OMBUDSMAN_PHONE": os.environ.get("OMBUDSMAN_PHONE", "0300 061 0614"),
        "OMBUDSMAN_WEBSITE": os.environ.get("OMBUDSMAN_WEBSITE", "www.lgo.org.uk"),
        # Staff sessions end after this long without a request.
        "STAFF_IDLE_MINUTES": _int("STAFF_IDLE_MINUTES", 30),
        # "production" turns off everything meant only for a local copy (demo accounts, seeds).
        "ENVIRONMENT": environment,
        # Redis, shared by every web process on every machine: the rate limiter counts there.
        "REDIS_URL": os.environ.get("REDIS_URL", ""),
        "RATELIMIT_STORAGE_URI": os.environ.get(
            "RATELIMIT_STORAGE_URI", os.environ.get("REDIS_URL") or "memory://"
        ),
        # "text" or "json": one line per request (a request id, the route, never the path).
        "LOG_FORMAT": os.environ.get("LOG_FORMAT", "text"),
        # /healthz answers 503 when a message nobody has tried to send waits longer than this.
        "HEALTH_SENDER_BEHIND_SECONDS": _int("HEALTH_SENDER_BEHIND_SECONDS", 300),
        "STAFF_SIGN_IN_RATE": os.environ.get("STAFF_SIGN_IN_RATE", "10 per minute"),
        # Failed sign-ins allowed per address, whatever the account (known browsers are exempt).
        "STAFF_SIGN_IN_FAILURES_PER_ADDRESS": os.environ.get(
            "STAFF_SIGN_IN_FAILURES_PER_ADDRESS", "30 per hour"
        ),
        # How long a new member of staff's one-time set-up link works.
        "STAFF_SETUP_HOURS": _int("STAFF_SETUP_HOURS", 72),
        # The address people use (https://...). Links that leave the site start with it.
        "PUBLIC_BASE_URL": os.environ.get("PUBLIC_BASE_URL", ""),
        # How many proxies in front of the app set X-Forwarded-For/-Proto/-Host. 0 (local):
        # those headers are ignored, so nobody can choose the address the rate limit counts.
        "TRUSTED_PROXIES": _int("TRUSTED_PROXIES", 0),
        # Where the sender (`flask outbox send`, portal/outbox/) delivers messages. Unset: one
        # .eml file per message in instance/mail/, so nothing leaves the machine.
        "MAIL_URL": os.environ.get("MAIL_URL", ""),
        "MAIL_FROM": local_default("MAIL_FROM", "Speak Up <speakup@council.example>"),
        "MAIL_TIMEOUT_SECONDS": _int("MAIL_TIMEOUT_SECONDS", 20),
        "NOTIFY_API_KEY": os.environ.get("NOTIFY_API_KEY", ""),
        "NOTIFY_EMAIL_TEMPLATE_ID": os.environ.get("NOTIFY_EMAIL_TEMPLATE_ID", ""),
        "NOTIFY_SMS_TEMPLATE_ID": os.environ.get("NOTIFY_SMS_TEMPLATE_ID", ""),
        "NOTIFY_BASE_URL": os.environ.get("NOTIFY_BASE_URL", NOTIFY_API),
        # Retries: full jitter, a random wait up to min(MAX, BASE * 2^(tries - 1)) seconds. The
        # small cap means a message waits at most a minute once the mail server is back.
        "OUTBOX_RETRY_BASE_SECONDS": _int("OUTBOX_RETRY_BASE_SECONDS", 5),
        "OUTBOX_RETRY_MAX_SECONDS": _int("OUTBOX_RETRY_MAX_SECONDS", 60),
        "OUTBOX_MAX_ATTEMPTS": _int("OUTBOX_MAX_ATTEMPTS", 200),
        "OUTBOX_BATCH_SIZE": _int("OUTBOX_BATCH_SIZE", 20),
        # A sender that dies mid-batch leaves its claim: another takes the messages after this.
        "OUTBOX_CLAIM_SECONDS": _int("OUTBOX_CLAIM_SECONDS", 300),
        "OUTBOX_POLL_SECONDS": _int("OUTBOX_POLL_SECONDS", 2),
    }


def _https_url(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme == "https" and bool(parts.hostname)


# RFC 2606 and RFC 6761 keep these names for examples and tests: mail to them never arrives.
_RESERVED_TLDS = {"example", "test", "invalid", "localhost"}


def _real_address(value: str) -> bool:
    """An email address whose domain could receive mail (not example.org, council.example)."""
    local, _, domain = value.strip().lower().rpartition("@")
    labels = domain.split(".")
    reserved = labels[-1] in _RESERVED_TLDS or (len(labels) > 1 and labels[-2] == "example")
    return bool(local) and len(labels) > 1 and not reserved


def _filled(value: str) -> bool:
    return bool(value.strip())


def _real_contact(value: str) -> bool:
    """Set, and none of its parts one of the made-up local examples."""
    parts = {part.strip() for part in value.split(",")} | {value.strip()}
    return _filled(value) and not parts & EXAMPLE_CONTACTS


# Each setting production cannot run without: the check its value must pass, and why.
PRODUCTION_CHECKS: tuple[tuple[str, Callable[[str], bool], str], ...] = (
    ("SECRET_KEY", lambda v: len(v) >= 32, "at least 32 random characters"),
    ("PUBLIC_BASE_URL", _https_url, "the https:// address people use"),
    ("STAFF_BASE_URL", lambda v: not v or _https_url(v), "https://, or unset for PUBLIC_BASE_URL"),
    ("DATABASE_URL", lambda v: _filled(v) and not v.startswith("sqlite"), "PostgreSQL, not SQLite"),
    ("DUTY_TEAM_EMAIL", _real_address, "a real address: urgent alerts go there"),
    ("COUNCIL_OUT_OF_HOURS_PHONE", _real_contact, "shown with 999 and Childline"),
    ("CHILDRENS_SERVICES_PHONE", _real_contact, "adults worried about a child are told to call it"),
    ("COUNCIL_COMPLAINTS_PHONE", _real_contact, "shown to people who need help"),
    ("COUNCIL_COMPLAINTS_EMAIL", _real_address, "shown to people who need help"),
    ("ADVOCACY_SERVICE_CONTACT", _real_contact, "every young person is offered an advocate"),
)


def production_problems(config: Mapping[str, Any]) -> list[str]:
    """Return one line for each setting production cannot run without, naming it."""
    problems = [
        f"{name} ({why})"
        for name, passes, why in PRODUCTION_CHECKS
        if not passes(str(config.get(name) or ""))
    ]
    return problems + mail_problems(config, production=True)


def mail_url_problem(url: str) -> str | None:
    """Why MAIL_URL cannot be used (an unknown scheme, no host, a bad port), or None."""
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme not in MAIL_SCHEMES:
        return f"MAIL_URL (one of {MAIL_URL_FORMS})"
    if parts.scheme == "notify":
        return None
    try:
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        return "MAIL_URL (the port is not a number)"
    return None if parts.hostname else f"MAIL_URL (no host: {MAIL_URL_FORMS})"


def wants_starttls(query: str) -> bool:
    """`smtp://host:port?starttls=true`: upgrade the connection to TLS before anything else."""
    values = parse_qs(query).get("starttls", [""])
    return values[-1].strip().lower() in {"1", "true", "yes", "on", "required"}


def mail_problems(config: Mapping[str, Any], production: bool = False) -> list[str]:
    """What the chosen mail route still needs: one line per setting, naming it.

    The sender refuses to start with any of these; production refuses to start at all.
    """
    url = str(config.get("MAIL_URL") or "")
    problem = mail_url_problem(url)
    if problem:
        return [problem]
    scheme = urlsplit(url).scheme
    found = []
    if scheme in ("smtp", "smtps"):
        sender = parseaddr(str(config.get("MAIL_FROM") or ""))[1]
        good = _real_address(sender) if production else "@" in sender
        if not good:
            found.append("MAIL_FROM (the address messages come from)")
        parts = urlsplit(url)
        plain = scheme == "smtp" and not wants_starttls(parts.query)
        if production and parts.password and plain:
            found.append("MAIL_URL (a password needs smtps://, or smtp://...?starttls=true)")
    if scheme == "notify":
        if len(str(config.get("NOTIFY_API_KEY") or "").strip()) < NOTIFY_KEY_MIN_LENGTH:
            found.append("NOTIFY_API_KEY (a GOV.UK Notify API key)")
        if not _filled(str(config.get("NOTIFY_EMAIL_TEMPLATE_ID") or "")):
            found.append("NOTIFY_EMAIL_TEMPLATE_ID (a template with ((subject)) and ((body)))")
        if production and not _https_url(str(config.get("NOTIFY_BASE_URL") or "")):
            found.append("NOTIFY_BASE_URL (https://)")
    return found


def trusted_hosts(config: Mapping[str, Any]) -> list[str]:
    """The host names in PUBLIC_BASE_URL and STAFF_BASE_URL: the only Host headers served."""
    urls = (config.get("PUBLIC_BASE_URL"), config.get("STAFF_BASE_URL"))
    return sorted({urlsplit(url).hostname for url in urls if url and urlsplit(url).hostname})


def working_hours(value: str) -> tuple[time, time]:
    """Read WORKING_HOURS ("09:00-17:00") as the time the day starts and ends; ValueError if
    it is not two times, the first before the second."""
    opens, _, closes = (value or "").partition("-")
    start, end = time.fromisoformat(opens.strip()), time.fromisoformat(closes.strip())
    if start >= end:
        raise ValueError("working hours must start before they end")
    return start, end


# Settings with a fixed set of values: a typo must not quietly change how deadlines count.
CHOICES: dict[str, tuple[str, ...]] = {
    "RECEIVED_ON_A_NON_WORKING_DAY": tuple(ReceiptRule),
    "LOG_FORMAT": ("text", "json"),
}


def check_environment(config: Mapping[str, Any]) -> None:
    """Refuse an unknown SPEAKUP_ENV (a typo must not quietly run a production copy as local),
    and any value a fixed-choice setting does not have."""
    if config.get("ENVIRONMENT") not in ENVIRONMENTS:
        raise ConfigError(
            f"SPEAKUP_ENV is {config.get('ENVIRONMENT')!r}: it must be 'local' or 'production'."
        )
    for name, allowed in CHOICES.items():
        if config.get(name) not in allowed:
            raise ConfigError(f"{name} is {config.get(name)!r}: it must be one of {allowed}.")
    try:
        working_hours(str(config.get("WORKING_HOURS") or ""))
    except ValueError as error:
        raise ConfigError(
            f"WORKING_HOURS is {config.get('WORKING_HOURS')!r}: write it like 09:00-17:00."
        ) from error
    problem = mail_url_problem(str(config.get("MAIL_URL") or ""))
    if problem:  # a typo must not leave every message waiting, or going somewhere else
        raise ConfigError(f"Speak Up will not start until this setting is fixed: {problem}.")


def apply_production(config: MutableMapping[str, Any]) -> None:
    """Check production's settings (ConfigError names every gap) and lock its cookies down."""
    problems = production_problems(config)
    if problems:
        raise ConfigError(
            "Speak Up will not start with SPEAKUP_ENV=production until these settings are"
            " set:\n  " + "\n  ".join(problems)
        )
    config["SESSION_COOKIE_NAME"] = HOST_PREFIX + SESSION_COOKIE
    config["SESSION_COOKIE_SECURE"] = True
    config["SESSION_COOKIE_DOMAIN"] = None
    config["SESSION_COOKIE_PATH"] = "/"
    config["PREFERRED_URL_SCHEME"] = "https"
    config["TRUSTED_HOSTS"] = trusted_hosts(config)
