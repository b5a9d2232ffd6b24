"""Free text crosses into the app through here: stored as plain text, never as markup."""

from __future__ import annotations

import html
import re
import unicodedata

import bleach

# Control characters other than tab and newline (PostgreSQL rejects NUL; others are invisible).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACES = re.compile(r"[ \t]+")
_BLANK_LINES = re.compile(r"\n{3,}")


def plain_text(value: str | None) -> str:
    """Strip markup and control characters, normalise line ends and spaces, and trim."""
    if not value:
        return ""
    value = unicodedata.normalize("NFC", value)
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = _CONTROL.sub("", value)
    # bleach is unmaintained, so it stays behind this one function. It escapes what it keeps,
    # so unescape afterwards: we store plain text and Jinja escapes it on the way out. Escaping
    # "&" first keeps entities the person typed ("&lt;") as they typed them.
    value = value.replace("&", "&amp;")
    value = html.unescape(bleach.clean(value, tags=set(), strip=True, strip_comments=True))
    value = _CONTROL.sub("", value)
    lines = [_SPACES.sub(" ", line).strip() for line in value.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
