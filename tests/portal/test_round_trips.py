"""What a question page costs the database and the signer: the visitor's session and draft are
read in one statement (public_sessions.live), and the CSRF token is Flask-WTF's own, signed
with a key derived once (security.csrf_token)."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

import psycopg
import pytest
import time_machine
from flask import g, request, session
from flask_wtf.csrf import generate_csrf, validate_csrf
from sqlalchemy import event
from wtforms import ValidationError

from portal.clock import now_utc
from portal.extensions import _HELD
from portal.security import check_csrf_token, csrf_token
from tests.pages import PageClient


def _counting(dbapi_connection, run: list[str]) -> None:
    """Note every statement this driver connection sends, however it is sent (SQLAlchemy's
    Connection, or extensions.PlainRead on the driver's cursor): SQLite's trace callback, or
    a psycopg cursor class that notes what it executes."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.set_trace_callback(
            lambda sql: (
                run.append(" ".join(sql.split()))
                if sql.split(None, 1)[0].upper() in {"SELECT", "INSERT", "UPDATE", "DELETE"}
                else None
            )
        )
        return
    plain = psycopg.Cursor

    class Noting(plain):  # type: ignore[misc, valid-type]
        def execute(self, query, *args, **kwargs):
            run.append(" ".join(str(query).split()))
            return super().execute(query, *args, **kwargs)

    dbapi_connection.cursor_factory = Noting


def _quiet(dbapi_connection) -> None:
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.set_trace_callback(None)
    else:
        dbapi_connection.cursor_factory = psycopg.Cursor


def _statements(app, pages: PageClient, path: str, answer: str | None = None):
    """The SQL sent to the database to open a page (or to answer it), and what the page said."""
    engine = app.extensions["database"][0]
    run: list[str] = []
    touched: list = []

    def note(dbapi_connection, _record, _proxy) -> None:
        touched.append(dbapi_connection)
        _counting(dbapi_connection, run)

    page = pages.get(path) if answer is not None else None
    event.listen(engine.pool, "checkout", note)
    for _, kept in _HELD._waiting(engine):  # kept checked out by PlainRead between reads
        note(kept.dbapi_connection, None, None)
    try:
        if answer is None:
            page = pages.get(path)
        else:
            form = page.form_data("form.ask")[1]
            response = pages.client.post(path, data={**form, "answer": answer})
            assert response.status_code == 303, response.status_code
    finally:
        event.remove(engine.pool, "checkout", note)
        for dbapi_connection in touched:
            _quiet(dbapi_connection)
    # The pool's check that a PostgreSQL connection is alive (pool_pre_ping) is not the page's.
    ping = engine.dialect._dialect_specific_select_one
    return [sql for sql in run if sql != ping], page.text


def test_a_question_page_reads_the_session_and_the_draft_in_one_statement(app):
    pages = PageClient(app.test_client())
    second = pages.submit(pages.get("/chat/who"), {"answer": "self"})
    run, text = _statements(app, pages, second.path)
    assert len(run) == 1, run
    assert "public_session" in run[0] and "draft" in run[0]
    # and what it read is the draft: the answer given shows in "Your answers so far"
    assert "This is about me" in text


def test_an_answer_is_read_and_saved_in_two_statements(app):
    pages = PageClient(app.test_client())
    second = pages.submit(pages.get("/chat/who"), {"answer": "self"})
    run, _ = _statements(app, pages, second.path, answer="looked_after")
    assert len(run) == 2, "\n".join(s[:90] for s in run)
    assert run[0].startswith("SELECT") and "public_session" in run[0] and "draft" in run[0]
    assert run[1].startswith("UPDATE draft")


def test_the_count_sees_what_sqlalchemy_sends_too(app):
    """The count above is taken at the driver: an ORM query is counted like the plain read."""
    pages = PageClient(app.test_client())
    run, _ = _statements(app, pages, "/staff/sign-in")
    with app.app_context():
        engine = app.extensions["database"][0]
        noted: list[str] = []
        with engine.connect() as connection:
            _counting(connection.connection.dbapi_connection, noted)
            connection.exec_driver_sql("SELECT 2")
            _quiet(connection.connection.dbapi_connection)
    assert noted == ["SELECT 2"]


def test_a_draft_read_with_the_session_is_not_used_after_an_answer_is_saved(app):
    pages = PageClient(app.test_client())
    second = pages.submit(pages.get("/chat/who"), {"answer": "self"})
    third = pages.submit(second, {"answer": "looked_after"})
    back = pages.get(second.path)  # the page reads the draft as it is now, with both answers
    assert back.select_one("input[value=looked_after]").has_attr("checked")
    assert third.path != second.path


def test_a_session_that_ended_reads_no_draft(app):
    pages = PageClient(app.test_client())
    second = pages.submit(pages.get("/chat/who"), {"answer": "self"})
    pages.client.get("/exit")  # "Exit this page"
    again = pages.client.get(second.path)
    assert again.status_code == 303 and again.headers["Location"].endswith("/chat/who")


def test_the_csrf_token_is_flask_wtfs_own(app):
    with app.test_request_context("/"):
        with time_machine.travel(now_utc(), tick=False):
            ours = csrf_token()
            g.pop("csrf_token")
            theirs = generate_csrf()
        assert ours == theirs
        validate_csrf(ours)  # raises if Flask-WTF would refuse it
        raw = session["csrf_token"]
        assert csrf_token() == theirs and session["csrf_token"] == raw  # one per request


def test_a_new_secret_key_signs_new_tokens(app):
    with app.test_request_context("/"):
        first = csrf_token()
        g.pop("csrf_token")
        app.secret_key = "another key, as after a rotation"
        second = csrf_token()
        assert first.split(".")[0] == second.split(".")[0]  # the same raw token
        assert first.split(".")[-1] != second.split(".")[-1]  # signed with the new key
        validate_csrf(second)


def test_a_token_signed_within_the_minute_is_given_again_and_never_one_past_its_limit(app):
    """Each page of a visit shows the same signed token for a minute (security._signed_token),
    then a newly signed one: Flask-WTF takes each, and the oldest is a minute older."""
    start = now_utc()
    with app.test_request_context("/"):
        session["csrf_token"] = raw = "a" * 40
        with time_machine.travel(start, tick=False):
            first = csrf_token()
    with app.test_request_context("/"):
        session["csrf_token"] = raw
        with time_machine.travel(start + timedelta(seconds=59), tick=False):
            assert csrf_token() == first
            validate_csrf(first)
    with app.test_request_context("/"):
        session["csrf_token"] = "b" * 40  # another visitor: their own token
        with time_machine.travel(start + timedelta(seconds=59), tick=False):
            assert csrf_token() != first
    limit = app.config.get("WTF_CSRF_TIME_LIMIT") or 3600
    with app.test_request_context("/"):
        session["csrf_token"] = raw
        with time_machine.travel(start + timedelta(seconds=limit + 30), tick=False):
            later = csrf_token()
            assert later != first
            validate_csrf(later)
            with pytest.raises(ValidationError, match="expired"):
                validate_csrf(first)


def _answers(check, token) -> str:
    try:
        check(token)
    except ValidationError as error:
        return error.args[0]
    return "accepted"


def test_the_csrf_check_answers_as_flask_wtfs_does_the_first_time_and_after(app):
    """security.check_csrf_token replaces Flask-WTF's validate_csrf in CSRFProtect: for every
    token (good, expired, forged, another session's, missing) it answers as Flask-WTF does,
    the first time and when it has seen the token before."""
    start = now_utc()
    limit = app.config["WTF_CSRF_TIME_LIMIT"]
    with app.test_request_context("/"):
        with time_machine.travel(start, tick=False):
            good = csrf_token()
        raw = session["csrf_token"]
        cases = {
            "good": (good, start + timedelta(minutes=5)),
            "expired": (good, start + timedelta(seconds=limit + 2)),
            "before it was made": (good, start - timedelta(minutes=5)),
            "forged": (good[:-2] + ("AA" if not good.endswith("AA") else "BB"), start),
            "nonsense": ("not.a.token", start),
            "missing": ("", start),
        }
        for name, (token, when) in cases.items():
            with time_machine.travel(when, tick=False):
                for _ in range(2):  # the second time, from what it remembered
                    theirs = _answers(validate_csrf, token)
                    assert _answers(check_csrf_token, token) == theirs, name
        session["csrf_token"] = "another session's raw token"
        assert _answers(check_csrf_token, good) == _answers(validate_csrf, good)
        assert _answers(check_csrf_token, good) == "The CSRF tokens do not match."
        session.pop("csrf_token")
        assert _answers(check_csrf_token, good) == "The CSRF session token is missing."
        assert _answers(validate_csrf, good) == "The CSRF session token is missing."
        session["csrf_token"] = raw
        assert _answers(check_csrf_token, good) == "accepted"


def test_a_post_with_a_bad_token_is_still_refused(app):
    pages = PageClient(app.test_client())
    page = pages.get("/chat/who")
    _, fields = page.form_data("form.ask")
    for token in ("", "x" + fields["csrf_token"], fields["csrf_token"][:-3]):
        refused = pages.client.post(
            "/chat/who", data={**fields, "csrf_token": token, "answer": "self"}
        )
        assert refused.status_code == 400
    accepted = pages.client.post("/chat/who", data={**fields, "answer": "self"})
    assert accepted.status_code == 303


def test_a_question_page_with_buttons_made_before_makes_no_form(app, monkeypatch):
    """The buttons are made from the form once; after that a question page marks the person's
    choices on them without a form, and says exactly what the page made with the form said."""
    from portal.views import chat

    made: list[tuple[str, str]] = []
    real = chat.form_for

    def counting(step, *args, **kwargs):
        made.append((request.method, step.id))
        return real(step, *args, **kwargs)

    monkeypatch.setattr(chat, "form_for", counting)
    pages = PageClient(app.test_client())
    page = pages.get("/chat/who")
    for answer in ("self", "looked_after", "12_15"):
        page = pages.submit(page, {"answer": answer})
    first = page  # the topics question, its buttons made now: from a form
    assert first.path == "/chat/topics" and ("GET", "topics") in made
    pages.submit(first, {"answer": ["family", "social_worker"]})
    made.clear()
    again = pages.get("/chat/topics")
    assert made == []  # no form at all
    boxes = again.select("form.ask input[name=answer]")
    assert sorted(i["value"] for i in boxes if i.has_attr("checked")) == [
        "family",
        "social_worker",
    ]
    assert [i.attrs | {"checked": None} for i in boxes] == [
        i.attrs | {"checked": None} for i in first.select("form.ask input[name=answer]")
    ]
    pages.get("/chat/what_happened")  # a box to write in is still made from the form
    assert made == [("GET", "what_happened")]
