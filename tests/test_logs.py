"""Logs keep nothing a person typed and no secret link: database errors and access logs."""

from __future__ import annotations

import logging
import re
import secrets
import threading
import urllib.error
import urllib.request

import pytest
from sqlalchemy import create_engine, text
from werkzeug.serving import make_server

from portal.logs import TokenFilter, _TextFormatter, fingerprint, redact, redact_tokens

MARKER = "Zq7-only-in-this-answer-4jW"


def _csrf_token(page: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def _fail_updates_on_draft(connection, backend: str) -> None:
    """Make every UPDATE of a draft fail inside the database, with the answer as a parameter."""
    if backend == "sqlite":
        connection.execute(
            text(
                "CREATE TRIGGER draft_fails BEFORE UPDATE ON draft"
                " BEGIN SELECT RAISE(ABORT, 'forced failure for the test'); END"
            )
        )
    else:
        connection.execute(
            text(
                "CREATE FUNCTION draft_fails() RETURNS trigger LANGUAGE plpgsql AS"
                " $$ BEGIN RAISE EXCEPTION 'forced failure for the test'; END $$"
            )
        )
        connection.execute(
            text(
                "CREATE TRIGGER draft_fails BEFORE UPDATE ON draft"
                " FOR EACH ROW EXECUTE FUNCTION draft_fails()"
            )
        )


def _undo(connection, backend: str, breakage: str) -> None:
    if breakage == "rename":
        connection.execute(text("ALTER TABLE draft_gone RENAME TO draft"))
        return
    connection.execute(
        text("DROP TRIGGER draft_fails" + ("" if backend == "sqlite" else " ON draft"))
    )
    if backend != "sqlite":
        connection.execute(text("DROP FUNCTION draft_fails()"))


@pytest.mark.parametrize("breakage", ["update_fails", "rename"])
def test_a_database_error_logs_nothing_from_the_request(make_app, database_url, caplog, breakage):
    """The friendly 500 page, and a log with the SQL but not one value bound to it."""
    app = make_app(PROPAGATE_EXCEPTIONS=False)
    client = app.test_client()
    token = _csrf_token(client.get("/chat/who").get_data(as_text=True))
    assert (
        client.post("/chat/who", data={"answer": "advocate", "csrf_token": token}).status_code
        == 303
    )
    engine = create_engine(database_url)
    backend = "sqlite" if database_url.startswith("sqlite") else "postgresql"
    with engine.connect() as connection:
        draft_key = connection.execute(text("SELECT key FROM draft")).scalar_one()
    try:
        with engine.begin() as connection:
            if breakage == "rename":  # the draft is looked up by its key, and that fails
                connection.execute(text("ALTER TABLE draft RENAME TO draft_gone"))
            else:  # the draft is found; saving the answer into it fails
                _fail_updates_on_draft(connection, backend)
        caplog.clear()
        with caplog.at_level(logging.DEBUG):
            response = client.post(
                "/chat/advocate_name", data={"answer": MARKER, "csrf_token": token}
            )
    finally:
        with engine.begin() as connection:
            _undo(connection, backend, breakage)
        engine.dispose()
    assert response.status_code == 500
    assert "Sorry, something went wrong" in response.get_data(as_text=True)
    logged = caplog.text
    assert "Unhandled error" in logged, "the error itself is logged"
    assert MARKER not in logged, "what the person wrote reached the log"
    assert draft_key not in logged, "the draft's key (a bearer secret) reached the log"
    assert token not in logged
    assert "draft" in logged and "parameters hidden" in logged, "the SQL is still there to debug"


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - our own server
            return response.status
    except urllib.error.HTTPError as error:
        error.close()
        return error.code


def test_the_dev_servers_access_log_never_holds_a_private_link(make_app, caplog):
    """A real server (werkzeug, as `make run`): its access log shows fingerprints only."""
    app = make_app(SERVER_NAME=None)
    status_token = secrets.token_urlsafe(48)
    setup_token = secrets.token_urlsafe(32)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    caplog.set_level(logging.INFO, logger="werkzeug")
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.port}"
        _get(f"{base}/s/{status_token}")
        _get(f"{base}/staff/set-up/{setup_token}?next=/staff/")
    finally:
        server.shutdown()
        thread.join(10)
    access = [r.getMessage() for r in caplog.records if r.name == "werkzeug"]
    assert any(f"/s/~{fingerprint(status_token)} HTTP/1.1" in line for line in access), access
    assert any(f"/staff/set-up/~{fingerprint(setup_token)}?next=/staff/" in line for line in access)
    assert status_token not in caplog.text and setup_token not in caplog.text


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("GET /s/abc.DEF-g_h HTTP/1.1", f"GET /s/~{fingerprint('abc.DEF-g_h')} HTTP/1.1"),
        ("https://x.gov.uk/s/tok?a=1#top", f"https://x.gov.uk/s/~{fingerprint('tok')}?a=1#top"),
        ('"GET /staff/set-up/k1 HTTP/1.1"', f'"GET /staff/set-up/~{fingerprint("k1")} HTTP/1.1"'),
        ("\x1b[33mGET /s/t HTTP/1.1\x1b[0m", f"\x1b[33mGET /s/~{fingerprint('t')} HTTP/1.1\x1b[0m"),
        ("GET /static/speakup.css HTTP/1.1", "GET /static/speakup.css HTTP/1.1"),
        ("GET /chat/who HTTP/1.1", "GET /chat/who HTTP/1.1"),
    ],
)
def test_redact_swaps_tokens_for_fingerprints(line, expected):
    assert redact(line) == expected
    assert redact(expected) == expected, "redacting twice changes nothing"


def test_the_filter_works_on_any_logger_with_tuple_or_mapping_arguments(caplog):
    """gunicorn's access log passes a mapping; werkzeug's, a tuple: both are rewritten."""
    logger = logging.getLogger("tests.any.access")
    redact_tokens(logger)
    redact_tokens(logger)
    assert sum(isinstance(f, TokenFilter) for f in logger.filters) == 1
    with caplog.at_level(logging.INFO, logger="tests.any.access"):
        logger.info('"%s" %s', "GET /s/secret-one HTTP/1.1", 200)
        logger.info("%(r)s %(s)s", {"r": "GET /staff/set-up/secret-two HTTP/1.1", "s": 302})
        logger.info("opened /s/secret-three")
        try:
            raise ValueError("bad link /s/secret-four")
        except ValueError:
            logger.exception("failed")
    assert "secret-" not in caplog.text
    for token in ("secret-one", "secret-two", "secret-three", "secret-four"):
        assert f"~{fingerprint(token)}" in caplog.text


def test_a_text_line_is_written_as_loggings_own_format_says():
    """The request lines' text format writes the date once a second (logs._TextFormatter):
    every line is still exactly what logging's "%(asctime)s %(message)s" writes."""
    ours, theirs = _TextFormatter(), logging.Formatter("%(asctime)s %(message)s")
    for created in (1700000000.0, 1700000000.999, 1700000001.0005, 1700000001.2, 86399.5):
        record = logging.LogRecord(
            "speakup.requests", logging.INFO, __file__, 1, "%s", ("x",), None
        )
        record.created, record.msecs = created, (created - int(created)) * 1000
        assert ours.format(record) == theirs.format(record)
