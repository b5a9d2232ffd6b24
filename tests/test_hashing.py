"""Passwords and secret words: full-cost scrypt in every running app; cheaper only in tests."""

from __future__ import annotations

from werkzeug.security import check_password_hash

from portal.services.hashing import dummy_hash, slow_hash
from tests.conftest import TEST_HASH_METHOD

FULL_COST = "scrypt:32768:8:1$"


def test_a_running_app_hashes_at_werkzeugs_full_scrypt_cost(make_app):
    app = make_app(TESTING=False)
    with app.app_context():
        made = slow_hash("correct horse battery staple")
        assert made.startswith(FULL_COST)
        assert dummy_hash().startswith(FULL_COST)
        assert check_password_hash(made, "correct horse battery staple")


def test_a_test_app_may_not_weaken_a_running_app(make_app):
    app = make_app(TESTING=False, TEST_HASH_METHOD="pbkdf2:sha256:1")
    with app.app_context():
        assert slow_hash("word").startswith(FULL_COST)


def test_the_tests_use_cheaper_scrypt_and_every_hash_checks_at_its_own_cost(make_app):
    cheap = make_app()
    with cheap.app_context():
        made = slow_hash("word")
        assert made.startswith(TEST_HASH_METHOD + "$")
        assert dummy_hash().startswith(TEST_HASH_METHOD + "$")
    full = make_app(TESTING=False)
    with full.app_context():
        assert check_password_hash(made, "word")  # the cost is read from the hash itself
        assert not check_password_hash(made, "other")
