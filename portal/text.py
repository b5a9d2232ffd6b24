"""Free text crosses into the app through here: stored as plain text, never as markup.

`plain_text` is the one cleaning function. bleach is unmaintained, so it stays behind this
function; tests/test_text_cleaning.py holds the tables (nested and split tags, known sanitiser
bypasses) that any replacement must pass, so changing library is a change to this file only.
"""

from __future__ import annotations

import html
import re
import unicodedata

import bleach

# Control characters other than tab and newline (PostgreSQL rejects NUL; others are invisible).
_CONTROL = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f"
# Bidirectional controls make a name or a sentence read differently on staff pages than what
# was typed; zero-width characters hide inside words. U+200C and U+200D (zero-width non-joiner
# and joiner) stay: Persian, Urdu, Indic scripts and emoji sequences need them.
_BIDI = "\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c"
_ZERO_WIDTH = "\u200b\u2060-\u2064\ufeff\u180e"
_INVISIBLE = re.compile(f"[{_CONTROL}{_BIDI}{_ZERO_WIDTH}]")
# What makes "<" start markup in HTML: an ASCII letter (a tag), "/" (an end tag), "!" (a
# comment, CDATA or doctype) or "?" (a processing instruction).
_TAG_OPEN = re.compile(r"<(?=[A-Za-z/!?])")
_SPACES = re.compile(r"[ \t]+")
_BLANK_LINES = re.compile(r"\n{3,}")
# Each pass removes at least one tag or comment; more passes than this is an attack, and the
# final step below makes whatever is left inert anyway.
_MAX_PASSES = 20


def _strip_markup_once(value: str) -> str:
    value = _INVISIBLE.sub("", unicodedata.normalize("NFC", value))
    # bleach escapes what it keeps, so unescape afterwards: we store plain text and Jinja
    # escapes it on the way out. Escaping "&" first keeps entities the person typed ("&lt;")
    # as they typed them, so they can never turn into "<".
    cleaned = bleach.clean(value.replace("&", "&amp;"), tags=set(), strip=True, strip_comments=True)
    return _INVISIBLE.sub("", html.unescape(cleaned))


def _without_markup(value: str) -> str:
    """Strip tags until nothing changes: "<<script>script>" must not leave "<script>" behind."""
    for _ in range(_MAX_PASSES):
        cleaned = _strip_markup_once(value)
        if cleaned == value:
            break
        value = cleaned
    # Text that would still open a tag ("x<y" at the very end) gets a space: "x< y".
    return _TAG_OPEN.sub("< ", value)


def plain_text(value: str | None) -> str:
    """Strip markup, control and invisible characters, normalise line ends and spaces, trim."""
    if not value:
        return ""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = _without_markup(value)
    lines = [_SPACES.sub(" ", line).strip() for line in value.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
