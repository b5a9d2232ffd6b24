"""Staff passwords and complainants' secret words are kept only as slow scrypt hashes.

The cost is werkzeug's (n = 2**15, r = 8, p = 1: about 0.15 s and 32 MB a hash here), in every
running app. A test app (TESTING) may ask for less with TEST_HASH_METHOD: each account a test
makes and signs in with cost about 0.3 s of hashing, and the cost is not what those tests check.
A hash keeps its own cost, so checking one never depends on this setting.
"""

from __future__ import annotations

from flask import current_app
from werkzeug.security import generate_password_hash

SCRYPT = "scrypt"
_DUMMIES: dict[str, str] = {}


def method() -> str:
    """How new hashes are made: scrypt at werkzeug's cost, unless a test app says otherwise."""
    if current_app.testing:
        return current_app.config.get("TEST_HASH_METHOD", SCRYPT)
    return SCRYPT


def slow_hash(secret: str) -> str:
    return generate_password_hash(secret, method=method())


def dummy_hash() -> str:
    """A hash of no one's password at the same cost as real ones: checked when no account
    matches, so a wrong email takes as long as a wrong password."""
    wanted = method()
    if wanted not in _DUMMIES:
        _DUMMIES[wanted] = generate_password_hash("not a real password", method=wanted)
    return _DUMMIES[wanted]
