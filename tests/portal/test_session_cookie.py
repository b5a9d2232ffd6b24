"""The session cookie is sent again when the session changes, and otherwise at most once a
minute (portal/session_cookie.py): its expiry still moves on while someone is active."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from flask import request
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import BadSignature, TimestampSigner

from portal.clock import now_utc
from portal.security import DerivedOnce
from tests.pages import PageClient

COOKIE = "su_session"


def _answered_first_question(app) -> tuple[PageClient, str]:
    """A browser with a live public session, on the second question."""
    pages = PageClient(app.test_client())
    second = pages.submit(pages.get("/chat/who"), {"answer": "self"})
    return pages, second.path


def _sent(response) -> list[str]:
    return [h for h in response.headers.getlist("Set-Cookie") if h.startswith(f"{COOKIE}=")]


def test_an_unchanged_session_is_not_signed_again_within_the_minute(app):
    pages, path = _answered_first_question(app)
    with time_machine.travel(now_utc() + timedelta(seconds=30), tick=False):
        again = pages.client.get(path)
    assert again.status_code == 200
    assert _sent(again) == []


def test_after_a_minute_it_is_sent_again_so_its_expiry_moves_on(app):
    pages, path = _answered_first_question(app)
    before = pages.client.get_cookie(COOKIE, domain="speakup.test")
    with time_machine.travel(now_utc() + timedelta(minutes=5), tick=False):
        again = pages.client.get(path)
        assert again.status_code == 200
        assert len(_sent(again)) == 1
        after = pages.client.get_cookie(COOKIE, domain="speakup.test")
        assert after.value != before.value
        assert after.expires > before.expires
        # And within the next minute, not again.
        assert _sent(pages.client.get(path)) == []


def test_a_changed_session_is_always_sent(app):
    pages = PageClient(app.test_client())
    _, fields = pages.get("/chat/who").form_data("form.ask")
    first = pages.client.post("/chat/who", data={**fields, "answer": "self"})
    assert first.status_code == 303 and len(_sent(first)) == 1, "a new draft: its key is sent"
    value = pages.client.get_cookie(COOKIE, domain="speakup.test").value
    interface = app.session_interface
    with app.test_request_context("/chat/self_status", headers={"Cookie": f"{COOKIE}={value}"}):
        session = interface.open_session(app, request)
        assert not interface.should_set_cookie(app, session), "signed a moment ago"
        session["draft"] = "another"
        response = app.response_class()
        interface.save_session(app, session, response)
        assert len(_sent(response)) == 1, "changed within the minute, and sent"


def test_a_cookie_past_its_lifetime_or_forged_is_an_empty_session(app):
    pages, path = _answered_first_question(app)
    interface = app.session_interface
    lifetime = app.permanent_session_lifetime
    value = pages.client.get_cookie(COOKIE, domain="speakup.test").value
    with app.test_request_context(path, headers={"Cookie": f"{COOKIE}={value}"}):
        assert "sid" in interface.open_session(app, request)
    with (
        time_machine.travel(now_utc() + lifetime + timedelta(minutes=1), tick=False),
        app.test_request_context(path, headers={"Cookie": f"{COOKIE}={value}"}),
    ):
        assert dict(interface.open_session(app, request)) == {}
    forged = value[:-4] + ("AAAA" if not value.endswith("AAAA") else "BBBB")
    with app.test_request_context(path, headers={"Cookie": f"{COOKIE}={forged}"}):
        assert dict(interface.open_session(app, request)) == {}


def test_a_new_secret_key_is_followed_at_once_and_an_old_one_only_as_a_fallback(app):
    """The signing serializer is made once per key (not per request): a changed key still
    takes effect on the next request."""
    pages, path = _answered_first_question(app)
    value = pages.client.get_cookie(COOKIE, domain="speakup.test").value
    interface, old = app.session_interface, app.secret_key
    app.secret_key = "another secret key, at least thirty-two characters long"
    try:
        with app.test_request_context(path, headers={"Cookie": f"{COOKIE}={value}"}):
            assert dict(interface.open_session(app, request)) == {}
        app.config["SECRET_KEY_FALLBACKS"] = [old]
        with app.test_request_context(path, headers={"Cookie": f"{COOKIE}={value}"}):
            assert "sid" in interface.open_session(app, request)
    finally:
        app.secret_key = old
        app.config["SECRET_KEY_FALLBACKS"] = []


def test_the_cookie_is_flasks_own_byte_for_byte(app):
    """The serializer is Flask's with a signer that derives its key once and uses hashlib's
    SHA-1 (security.DerivedOnce): the cookie it signs is the one Flask signs, and each reads
    the other's."""
    stock = SecureCookieSessionInterface().get_signing_serializer(app)
    ours = app.session_interface.get_signing_serializer(app)
    data = {"sid": "a key", "draft": "another", "arrived": "age"}
    longer = {**data, "status": {"ref": "SU-2026-0001", "words": "the same words " * 20}}
    with time_machine.travel(now_utc(), tick=False):
        assert ours.dumps(data) == stock.dumps(data)
        assert not stock.dumps(data).startswith(".")  # not compressed: as it is shorter
        assert ours.dumps(longer) == stock.dumps(longer)
        assert stock.dumps(longer).startswith(".")  # compressed
    assert ours.loads(stock.dumps(data)) == data == stock.loads(ours.dumps(data))
    app.config["SECRET_KEY_FALLBACKS"] = [app.secret_key]
    old = stock.dumps(data)
    app.secret_key = "a new key"
    assert app.session_interface.get_signing_serializer(app).loads(old) == data


def test_a_key_derived_once_signs_as_itsdangerous_does():
    for derivation in ("django-concat", "hmac", "concat", "none"):
        for salt in ("one salt", "another"):
            stock = TimestampSigner(["old", "new"], salt=salt, key_derivation=derivation)
            ours = DerivedOnce(["old", "new"], salt=salt, key_derivation=derivation)
            for _ in range(2):  # the second time, from the keys kept
                assert ours.get_signature(b"words") == stock.get_signature(b"words")
                assert ours.unsign(stock.sign(b"words")) == b"words"
            by_old_key = TimestampSigner("old", salt=salt, key_derivation=derivation)
            assert ours.unsign(by_old_key.sign(b"words")) == b"words"
            with pytest.raises(BadSignature):
                ours.unsign(TimestampSigner("other", salt=salt).sign(b"words"))


def test_a_value_is_checked_once_and_its_age_every_time(app):
    """The serializer remembers a value it checked (portal/session_cookie.Remembered): read
    again, it gives the same session, its own copy to change, and the same signing time; past
    the session's lifetime it is refused as before; a value changed by one character is
    checked, and refused."""
    serializer = app.session_interface.get_signing_serializer(app)
    lifetime = int(app.permanent_session_lifetime.total_seconds())
    data = {"sid": "a key", "status": {"ref": "SU-1", "until": 5}}
    value = SecureCookieSessionInterface().get_signing_serializer(app).dumps(data)
    first = serializer.loads(value, max_age=lifetime, return_timestamp=True)
    first[0]["status"]["ref"] = "changed by a view"
    again = serializer.loads(value, max_age=lifetime, return_timestamp=True)
    assert again == (data, first[1])
    with (
        time_machine.travel(now_utc() + timedelta(seconds=lifetime + 5), tick=False),
        pytest.raises(BadSignature),
    ):
        serializer.loads(value, max_age=lifetime)
    assert serializer.loads(value, max_age=lifetime) == data
    forged = value[:-1] + ("A" if value[-1] != "A" else "B")
    with pytest.raises(BadSignature):
        serializer.loads(forged, max_age=lifetime)


def test_the_same_session_signed_within_the_minute_is_the_same_value(app):
    serializer = app.session_interface.get_signing_serializer(app)
    stock = SecureCookieSessionInterface().get_signing_serializer(app)
    data = {"sid": "a key", "draft": "another"}
    start = now_utc()
    with time_machine.travel(start, tick=False):
        value = serializer.dumps(data)
    with time_machine.travel(start + timedelta(seconds=50), tick=False):
        assert serializer.dumps(dict(data)) == value
        assert serializer.dumps({**data, "draft": "a third"}) != value
        assert stock.loads(value) == data  # what Flask itself would read
    with time_machine.travel(start + timedelta(seconds=61), tick=False):
        later = serializer.dumps(data)
        assert later != value
        assert stock.loads(later, return_timestamp=True)[1].timestamp() == int(
            (start + timedelta(seconds=61)).timestamp()
        )


def test_what_is_remembered_is_what_reading_the_cookie_gives(app):
    """The serializer remembers what a value it signed reads back as (JSON's way: a number
    key becomes text, a tuple and a date stay as Flask tags them), not the session given."""
    serializer = app.session_interface.get_signing_serializer(app)
    stock = SecureCookieSessionInterface().get_signing_serializer(app)
    data = {"sid": "k", "pair": ("a", 1), "when": now_utc().replace(microsecond=0), "n": {1: "x"}}
    value = serializer.dumps(data)
    assert serializer.loads(value) == stock.loads(value)
    assert serializer.loads(value)["n"] == {"1": "x"}


@pytest.mark.parametrize("vary_before", [None, "Accept-Language", "Cookie"])
def test_a_session_read_and_not_changed_varies_on_the_cookie_as_flasks_does(app, vary_before):
    """The short way (session_cookie.SessionInterface.save_session) gives Flask's headers."""
    pages, path = _answered_first_question(app)
    value = pages.client.get_cookie(COOKIE, domain="speakup.test").value
    ours, flasks = app.session_interface, SecureCookieSessionInterface()
    found = []
    for interface in (ours, flasks):
        with app.test_request_context(path, headers={"Cookie": f"{COOKIE}={value}"}):
            session = ours.open_session(app, request)
            assert session.get("sid")
            session.accessed = True  # read through flask.session, as a view does; not changed
            response = app.response_class()
            if vary_before:
                response.headers["Vary"] = vary_before
            interface.save_session(app, session, response)
            found.append((response.headers.getlist("Vary"), response.headers.getlist("Set-Cookie")))
    # The same Vary; no cookie from ours within the minute (Flask's sends it every time).
    assert found[0][0] == found[1][0] and found[0][1] == []
