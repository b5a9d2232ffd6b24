"""Secret links never reach a log: a logging filter that swaps tokens in paths for fingerprints.

The private status link (`/s/<token>`) and a staff set-up link (`/staff/set-up/<token>`) are
bearer secrets: anyone holding one can open the complaint or claim the account. Access logs
(the development server's `werkzeug` logger, and later gunicorn's) write the request line, so
`TokenFilter` rewrites each such path to `/s/~<8 hex characters of sha256(token)>`. The
fingerprint is enough to match a log line to a link someone reports, and useless for opening it.

`redact_tokens(logger_or_handler)` attaches the filter to any logger or handler, once.

Each request also writes one line to the `speakup.requests` logger (as JSON with
LOG_FORMAT=json): a request id (the load balancer's `X-Request-Id` when it sends a plain one,
else a new one, and sent back in the response), the method, the route as declared
(`/s/<token>`, never the path itself), the status and the time taken. Never a token, an address
or anything typed.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import sys
import time
from typing import Any

from flask import Flask, Response, g, request

# A path segment after /s/ or /staff/set-up/, up to the next /, ?, #, space or quote; one
# that is already a fingerprint ("~" and 8 hex characters) is left alone.
_END = r"/?#\s\"'<>"
_TOKEN_PATH = re.compile(
    rf"(/s/|/staff/set-up/)(?!~[0-9a-f]{{8}}(?:[{_END}]|$))([^{_END}]+)", re.IGNORECASE
)


def fingerprint(token: str) -> str:
    """The first 8 hex characters of the token's SHA-256: names a link without revealing it."""
    return hashlib.sha256(token.encode()).hexdigest()[:8]


def redact(text: str) -> str:
    """Replace every status or set-up token in `text` with its fingerprint."""
    return _TOKEN_PATH.sub(lambda m: f"{m.group(1)}~{fingerprint(m.group(2))}", text)


_TRACEBACKS = logging.Formatter()


def _redact_value(value: Any) -> Any:
    return redact(value) if isinstance(value, str) else value


class TokenFilter(logging.Filter):
    """Rewrite tokens in a record's message, its arguments (a tuple, or a mapping as gunicorn's
    access log uses) and its traceback text. It changes the record, so every handler after it
    (and the root logger's, when the record propagates) sees only fingerprints."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = _redact_value(record.msg)
        if isinstance(record.args, dict):
            record.args = {key: _redact_value(value) for key, value in record.args.items()}
        elif isinstance(record.args, tuple):
            record.args = tuple(_redact_value(value) for value in record.args)
        if record.exc_info and not record.exc_text:
            # Formatters reuse exc_text when it is set, so the traceback is written redacted.
            record.exc_text = redact(_TRACEBACKS.formatException(record.exc_info))
        record.stack_info = _redact_value(record.stack_info)
        return True


def redact_tokens(target: logging.Logger | logging.Handler) -> None:
    """Attach a TokenFilter to a logger (records logged on it) or a handler (all it writes)."""
    if not any(isinstance(existing, TokenFilter) for existing in target.filters):
        target.addFilter(TokenFilter())


REQUESTS = logging.getLogger("speakup.requests")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class JsonFormatter(logging.Formatter):
    """One JSON object per line: the time, the level, the logger and the message, plus the
    request's fields for request lines."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        line.update(getattr(record, "request", {}))
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


def _start() -> None:
    sent = request.headers.get("X-Request-Id", "")
    here = g._get_current_object()  # once: each use of the proxy looks it up again
    here.request_id = sent if _REQUEST_ID.match(sent) else _new_id()
    here.request_started = time.perf_counter()


def _log_request(response: Response) -> Response:
    here, asked = g._get_current_object(), request._get_current_object()  # each looked up once
    request_id = here.get("request_id") or _new_id()
    response.headers["X-Request-Id"] = request_id
    rule = asked.url_rule.rule if asked.url_rule is not None else "(no route)"
    started = here.get("request_started")
    taken = round((time.perf_counter() - started) * 1000, 1) if started else None
    method = asked.method
    fields = {
        "request_id": request_id,
        "method": method,
        "route": rule,
        "status": response.status_code,
        "ms": taken,
    }
    if REQUESTS.isEnabledFor(logging.INFO):
        # Made and handled as Logger.info would, without looking up which line logged it
        # (no format of ours shows it): a third of what a line cost.
        REQUESTS.handle(
            REQUESTS.makeRecord(
                REQUESTS.name,
                logging.INFO,
                __file__,
                0,
                "%s %s %s %s %sms",
                (request_id, method, rule, response.status_code, taken),
                None,
                extra={"request": fields},
            )
        )
    return response


def _new_id() -> str:
    """32 random hex characters (as a UUID's hex, at a fifth of the cost)."""
    return os.urandom(16).hex()


class _TextFormatter(logging.Formatter):
    """logging's "%(asctime)s %(message)s", the date and time written once a second."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(message)s")
        self._second: tuple[int, str] = (-1, "")

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802
        second = int(record.created)
        kept = self._second
        if kept[0] != second:
            kept = self._second = (
                second,
                time.strftime(self.default_time_format, self.converter(second)),
            )
        return self.default_msec_format % (kept[1], record.msecs)


class _Stderr(logging.StreamHandler):
    """Writes to whatever sys.stderr is now (test runners swap it)."""

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value) -> None:
        pass


def _handler(log_format: str) -> logging.Handler:
    handler = _Stderr()
    handler.setFormatter(JsonFormatter() if log_format == "json" else _TextFormatter())
    redact_tokens(handler)
    return handler


def init_app(app: Flask) -> None:
    """Filter the dev server's access log, the app's own logger and the root handlers, and log
    one line per request."""
    redact_tokens(logging.getLogger("werkzeug"))
    redact_tokens(app.logger)
    for handler in logging.getLogger().handlers:
        redact_tokens(handler)
    REQUESTS.setLevel(logging.INFO)
    REQUESTS.propagate = False
    if not app.testing and not any(isinstance(h, _Stderr) for h in REQUESTS.handlers):
        REQUESTS.addHandler(_handler(app.config.get("LOG_FORMAT", "text")))
    if app.config.get("LOG_FORMAT") == "json":
        for handler in app.logger.handlers:
            handler.setFormatter(JsonFormatter())
    app.before_request_funcs.setdefault(None, []).insert(0, _start)
    app.after_request(_log_request)
