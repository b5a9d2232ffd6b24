"""Secret links never reach a log: a logging filter that swaps tokens in paths for fingerprints.

The private status link (`/s/<token>`) and a staff set-up link (`/staff/set-up/<token>`) are
bearer secrets: anyone holding one can open the complaint or claim the account. Access logs
(the development server's `werkzeug` logger, and later gunicorn's) write the request line, so
`TokenFilter` rewrites each such path to `/s/~<8 hex characters of sha256(token)>`. The
fingerprint is enough to match a log line to a link someone reports, and useless for opening it.

`redact_tokens(logger_or_handler)` attaches the filter to any logger or handler, once.
"""

from __future__ import annotations

import hashlib
import logging
import re
from typing import Any

from flask import Flask

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


def init_app(app: Flask) -> None:
    """Filter the dev server's access log, the app's own logger and the root handlers."""
    redact_tokens(logging.getLogger("werkzeug"))
    redact_tokens(app.logger)
    for handler in logging.getLogger().handlers:
        redact_tokens(handler)
