"""Security headers on every response: a strict CSP with a per-request nonce, no caching, HSTS."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import time
from typing import ClassVar
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, g, request, session
from itsdangerous import BadData, SignatureExpired, TimestampSigner, URLSafeTimedSerializer
from itsdangerous.encoding import want_bytes
from werkzeug.exceptions import SecurityError
from wtforms import ValidationError

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
    here = g._get_current_object()  # once: each use of the proxy looks it up again
    found = here.get("csp_nonce")
    if found is None:
        found = here.csp_nonce = secrets.token_urlsafe(16)
    return found


class DerivedOnce(TimestampSigner):
    """itsdangerous's TimestampSigner, giving the same signatures at less cost.

    The stock signer derives its HMAC key from the secret again on every signature and every
    check (an HMAC for nothing), and Flask and Flask-WTF hand it SHA-1 wrapped in a function of
    their own, which sends Python's hmac down its slow pure-Python path. Here each key is
    derived once per process and SHA-1 is hashlib's own, so hmac runs in C: the same bytes
    either way (tests/portal/test_session_cookie.py compares them with the stock ones).
    """

    default_digest_method = staticmethod(hashlib.sha1)
    _derived: ClassVar[dict[tuple, bytes]] = {}

    def derive_key(self, secret_key: str | bytes | None = None) -> bytes:
        secret = self.secret_keys[-1] if secret_key is None else want_bytes(secret_key)
        key = (secret, self.salt, self.key_derivation, self.digest_method)
        found = self._derived.get(key)
        if found is None:
            if len(self._derived) >= 32:  # keys changed at run time (tests do)
                self._derived.clear()
            found = self._derived[key] = super().derive_key(secret)
        return found


CSRF_SALT = "wtf-csrf-token"  # Flask-WTF's, which checks the tokens (CSRFProtect)
_CSRF_SIGNING: dict[object, tuple[URLSafeTimedSerializer, TimestampSigner]] = {}


def _csrf_signing(secret_key: object) -> tuple[URLSafeTimedSerializer, TimestampSigner]:
    """Flask-WTF's serializer and its signer, made once per secret key (Flask-WTF makes both
    afresh for each token), the signer deriving its key once."""
    found = _CSRF_SIGNING.get(secret_key)
    if found is None:
        if len(_CSRF_SIGNING) >= 8:  # a key changed at run time (tests do)
            _CSRF_SIGNING.clear()
        serializer = URLSafeTimedSerializer(secret_key, salt=CSRF_SALT, signer=DerivedOnce)
        found = _CSRF_SIGNING[secret_key] = (serializer, serializer.make_signer())
    return found


def csrf_token() -> str:
    """This request's CSRF token: Flask-WTF's `generate_csrf`, the same token (its raw half in
    the session, signed with a timestamp, kept for the request in `g`), at three fifths of the
    cost (measured: 28 against 46 microseconds). CSRFProtect checks it on every POST."""
    app, here = current_app._get_current_object(), g._get_current_object()  # looked up once
    config = app.config
    field = config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    token = here.get(field)
    if token is None:
        secret_key = config.get("WTF_CSRF_SECRET_KEY") or app.secret_key
        visit = session._get_current_object()
        raw = visit.get(field)
        if not isinstance(raw, str):
            raw = visit[field] = hashlib.sha1(os.urandom(64)).hexdigest()  # noqa: S324 - as Flask-WTF
        token = _signed_token(secret_key, raw)
        setattr(here, field, token)
    return token


CSRF_RESIGN_SECONDS = 60
_CSRF_SIGNED: dict[tuple[object, str], tuple[str, float]] = {}


def _signed_token(secret_key: object, raw: str) -> str:
    """The session's raw token signed with the time, as `serializer.dumps` does; the same
    signed token again within a minute (each page of a visit shows one: the HMAC every time
    was a twentieth of a question page). A token lives WTF_CSRF_TIME_LIMIT (an hour) from its
    time, so one reused is at most a minute older."""
    key = (secret_key, raw)
    found = _CSRF_SIGNED.get(key)
    now = time.time()
    if found is not None and 0 <= now - found[1] < CSRF_RESIGN_SECONDS:
        return found[0]
    serializer, signer = _csrf_signing(secret_key)
    signed = int(now)  # the token's time is this or a second later
    token = signer.sign(serializer.dump_payload(raw)).decode()
    _remember(_CSRF_SIGNED, key, (token, float(signed)))
    _remember(_CSRF_CHECKED, (secret_key, token), (raw, signed))
    return token


def _remember(kept: dict, key: object, value: object) -> None:
    if len(kept) >= 4096:
        kept.clear()
    kept[key] = value


# Tokens signed or accepted here: their raw half and their time, by key and token.
_CSRF_CHECKED: dict[tuple[object, str], tuple[str, int]] = {}


def check_csrf_token(data: str | None) -> None:
    """Flask-WTF's `validate_csrf`, the same checks and the same messages (it raises
    ValidationError), remembering each token it accepted: a token seen before (each page of
    a visit has the same one for a minute) needs no second HMAC, only its age checked again and
    its raw half compared with this session's. tests/portal/test_round_trips.py compares
    every answer with Flask-WTF's."""
    config = current_app.config
    secret_key = config.get("WTF_CSRF_SECRET_KEY") or current_app.secret_key
    field = config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    time_limit = config.get("WTF_CSRF_TIME_LIMIT", 3600)
    if not data:
        raise ValidationError("The CSRF token is missing.")
    if field not in session:
        raise ValidationError("The CSRF session token is missing.")
    found = _CSRF_CHECKED.get((secret_key, data))
    if found is None:
        serializer, _ = _csrf_signing(secret_key)
        try:
            raw, signed = serializer.loads(data, max_age=time_limit, return_timestamp=True)
        except SignatureExpired as error:
            raise ValidationError("The CSRF token has expired.") from error
        except BadData as error:
            raise ValidationError("The CSRF token is invalid.") from error
        found = (raw, int(signed.timestamp()))
        _remember(_CSRF_CHECKED, (secret_key, data), found)
    raw, signed_at = found
    if time_limit is not None:  # as TimestampSigner.unsign counts it
        age = int(time.time()) - signed_at
        if age > time_limit or age < 0:
            raise ValidationError("The CSRF token has expired.")
    if not isinstance(raw, str) or not hmac.compare_digest(session[field], raw):
        raise ValidationError("The CSRF tokens do not match.")


# The policy, with a gap for the request's nonce: written once, filled in per response.
_CSP_BEFORE, _CSP_AFTER = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' 'nonce-\0'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
).split("\0")


def _csp() -> str:
    return _CSP_BEFORE + csp_nonce() + _CSP_AFTER


# No view sets these, so they are added, not looked for and replaced.
_FIXED_HEADERS = (
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
    ("X-Frame-Options", "DENY"),
    ("Permissions-Policy", PERMISSIONS_POLICY),
    ("Cross-Origin-Opener-Policy", "same-origin"),
)


# Someone else may pick up the phone: never keep a copy of any page we make (every page but
# the static files). These replace any a view set.
_PAGE_HEADERS = (("Cache-Control", "no-store"), ("X-Robots-Tag", "noindex, nofollow"))


def set_headers(response: Response) -> Response:
    headers = response.headers
    added = [("Content-Security-Policy", _csp()), *_FIXED_HEADERS]
    if current_app.config["ENVIRONMENT"] == PRODUCTION:
        # Browsers that have seen the site once never fall back to plain HTTP for a year.
        headers["Strict-Transport-Security"] = HSTS
    if request.endpoint != "static":
        for name, _ in _PAGE_HEADERS:
            if name in headers:
                del headers[name]
        added += _PAGE_HEADERS
    headers.extend(added)
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
    # Flask-WTF offers its own to every template (a global and a context processor); this
    # one gives the same tokens, so every page uses it.
    app.jinja_env.globals["csrf_token"] = csrf_token
    app.context_processor(lambda: {"csrf_token": csrf_token})
