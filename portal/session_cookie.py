"""The session cookie: sent again when the session changed, and otherwise at most once a minute.

Flask signs a permanent session's cookie again and sends it with every response, so that its
expiry moves on while the visitor is active. That is a signature, a compression and a
Set-Cookie header on every page, for an expiry counted in hours. Here the cookie is sent again
when the session changed (as before), or when its signature is a minute old or more: the same
precision as the server's own note of when a public session was last seen
(`public_sessions.TOUCH_EVERY`). The signature's own time says when it was signed, so the
cookie holds nothing new; an expired or forged cookie is still an empty session.
"""

from __future__ import annotations

import hashlib
import time

from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import BadSignature, URLSafeTimedSerializer

from portal.security import DerivedOnce

RENEW_AFTER_SECONDS = 60


class Session(SecureCookieSession):
    signed_at: float | None = None  # when the cookie it came from was signed (Unix time)


class SessionInterface(SecureCookieSessionInterface):
    session_class = Session
    digest_method = staticmethod(hashlib.sha1)  # Flask's SHA-1, as hashlib's own (C's hmac)

    def __init__(self) -> None:
        self._serializers: dict[tuple, URLSafeTimedSerializer] = {}

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
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
            found = self._serializers[key] = URLSafeTimedSerializer(
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


def init_app(app: Flask) -> None:
    app.session_interface = SessionInterface()
