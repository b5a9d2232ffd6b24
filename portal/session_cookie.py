"""The session cookie: sent again when the session changed, and otherwise at most once a minute.

Flask signs a permanent session's cookie again and sends it with every response, so that its
expiry moves on while the visitor is active. That is a signature, a compression and a
Set-Cookie header on every page, for an expiry counted in hours. Here the cookie is sent again
when the session changed (as before), or when its signature is a minute old or more: the same
precision as the server's own note of when a public session was last seen
(`public_sessions.TOUCH_EVERY`). The signature's own time says when it was signed, so the
cookie holds nothing new; an expired or forged cookie is still an empty session.

A worker sees the same cookie many times (each page of a visit, until the session changes), so
it remembers what each cookie value it checked holds, and which value it signed for each
session: a value seen again is read without checking its signature again (its age still is),
and a session signed less than a minute ago gets that same value (`Remembered`).
"""

from __future__ import annotations

import hashlib
import pickle
import time
import zlib
from datetime import UTC, datetime
from typing import Any

from flask import Flask, Request, Response
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from itsdangerous.encoding import base64_encode

from portal.security import DerivedOnce

RENEW_AFTER_SECONDS = 60
REMEMBERED = 4096  # cookie values a worker keeps of each kind; all forgotten when full


def _url_safe(payload: bytes) -> bytes:
    """What URLSafeSerializerMixin.dump_payload makes of the JSON: compressed when that makes
    it shorter (marked with a "."), in URL-safe base64. Here so `Remembered.dumps` writes the
    JSON once (super().dumps would write it again); tests/portal/test_session_cookie.py checks
    the cookie is Flask's own, byte for byte."""
    compressed = zlib.compress(payload)
    if len(compressed) < len(payload) - 1:
        return b"." + base64_encode(compressed)
    return base64_encode(payload)


class Remembered(URLSafeTimedSerializer):
    """Flask's cookie serializer, remembering the values it has checked and signed.

    A value is a pure function of what it holds, when it was signed and the key, so a value
    this serializer checked before (the same string, the same keys: one serializer per key)
    needs no second HMAC: only its age is checked again, as `loads` checks it. `dumps` gives
    the value it made for the same session less than RENEW_AFTER_SECONDS ago, the precision
    the cookie is renewed to anyway. Measured (a question page, in one process): the HMAC,
    the decompression and the base64 of reading and of signing were a tenth of its time.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._signer = self.make_signer()  # signs with the newest key, as dumps does
        self._read: dict[str | bytes, tuple[bytes, datetime]] = {}
        self._signed: dict[bytes | str, tuple[str, float]] = {}

    def _keep(self, kept: dict, key: Any, value: Any) -> None:
        if len(kept) >= REMEMBERED:
            kept.clear()
        kept[key] = value

    def loads(  # type: ignore[override]
        self,
        s: str | bytes,
        max_age: int | None = None,
        return_timestamp: bool = False,
        salt: str | bytes | None = None,
    ) -> Any:
        if salt is not None:
            return super().loads(s, max_age, return_timestamp, salt)
        found = self._read.get(s)
        if found is None:
            data, signed = super().loads(s, max_age=max_age, return_timestamp=True)
            found = (pickle.dumps(data), signed)
            self._keep(self._read, s, found)
        kept, signed = found
        if max_age is not None:  # as TimestampSigner.unsign counts it
            age = int(time.time()) - int(signed.timestamp())
            if age > max_age or age < 0:
                raise SignatureExpired(f"Signature age {age} out of 0 to {max_age} seconds")
        # A fresh copy each time (the session is changed in place): what was read, kept as
        # pickle's bytes, made here from bytes this process wrote (never from a cookie).
        data = pickle.loads(kept)  # noqa: S301 - our own bytes, above
        return (data, signed) if return_timestamp else data

    def dumps(self, obj: Any, salt: str | bytes | None = None) -> str:  # type: ignore[override]
        if salt is not None:
            return super().dumps(obj, salt)
        # Known by pickle's bytes (a tenth of the cost of the JSON): the same bytes are the
        # same session, so the same JSON. (Equal sessions pickled differently only miss.)
        try:
            known: bytes | str = pickle.dumps(obj)
        except (pickle.PicklingError, TypeError, AttributeError):
            known = self.serializer.dumps(obj)
        found = self._signed.get(known)
        if found is not None and 0 <= time.time() - found[1] < RENEW_AFTER_SECONDS:
            return found[0]
        text = self.serializer.dumps(obj)
        signed = int(time.time())  # the signature's time is this or a second later
        value = self._signer.sign(_url_safe(text.encode())).decode()  # as super().dumps(obj)
        self._keep(self._signed, known, (value, signed))
        read_back = pickle.dumps(self.serializer.loads(text))  # what reading the cookie gives
        self._keep(self._read, value, (read_back, datetime.fromtimestamp(signed, UTC)))
        return value


class Session(SecureCookieSession):
    signed_at: float | None = None  # when the cookie it came from was signed (Unix time)


class SessionInterface(SecureCookieSessionInterface):
    session_class = Session
    digest_method = staticmethod(hashlib.sha1)  # Flask's SHA-1, as hashlib's own (C's hmac)

    def __init__(self) -> None:
        self._serializers: dict[tuple, Remembered] = {}

    def get_signing_serializer(self, app: Flask) -> Remembered | None:
        """Flask's serializer (as `SecureCookieSessionInterface` makes it), made once per key
        rather than on every request (a tenth of a question page's time went on making it
        again), with a signer that derives its keys once (`security.DerivedOnce`). Keyed by
        the secret key and its fallbacks, so a key changed at run time (tests do) gets a new
        one."""
        if not app.secret_key:
            return None
        key = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        found = self._serializers.get(key)
        if found is None:
            if len(self._serializers) >= 8:
                self._serializers.clear()
            found = self._serializers[key] = Remembered(
                [*key[1], key[0]],  # the newest last, as itsdangerous expects
                salt=self.salt,
                serializer=self.serializer,
                signer=DerivedOnce,
                signer_kwargs={
                    "key_derivation": self.key_derivation,
                    "digest_method": self.digest_method,
                },
            )
        return found

    def open_session(self, app: Flask, request: Request) -> Session | None:
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()
        max_age = int(app.permanent_session_lifetime.total_seconds())
        try:
            data, signed = serializer.loads(value, max_age=max_age, return_timestamp=True)
        except BadSignature:
            return self.session_class()
        session = self.session_class(data)
        session.signed_at = signed.timestamp()
        return session

    def should_set_cookie(self, app: Flask, session: Session) -> bool:  # type: ignore[override]
        if session.modified:
            return True
        if not (session.permanent and app.config["SESSION_REFRESH_EACH_REQUEST"]):
            return False
        signed = session.signed_at
        return signed is None or time.time() - signed >= RENEW_AFTER_SECONDS

    def save_session(  # type: ignore[override]
        self, app: Flask, session: Session, response: Response
    ) -> None:
        """Flask's, with its commonest case made short: a session read, not changed and signed
        less than a minute ago sends no cookie, only `Vary: Cookie` (added as Flask adds it,
        without parsing and writing the header again when it is the only one)."""
        if session and session.accessed and not self.should_set_cookie(app, session):
            headers = response.headers
            if "Vary" in headers:
                response.vary.add("Cookie")
            else:
                headers.add("Vary", "Cookie")
            return
        super().save_session(app, session, response)


def init_app(app: Flask) -> None:
    app.session_interface = SessionInterface()
