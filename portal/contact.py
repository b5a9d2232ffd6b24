"""Email addresses and mobile numbers: one normal form, a keyed lookup hash, and masking.

Pure (no Flask, no database), so the app, the migrations and the tests share one definition.

- `normalise` turns what someone typed into one form: an email address trimmed and in lower
  case, or a UK mobile number as 11 digits starting 07 (+44 7…, 0044 7…, 44 7… and
  +44 (0) 7… all become 07…). Anything else is None.
- `lookup_hash` is an HMAC-SHA256 of that form, keyed with a key derived from the app's secret
  key. It is stored on the complaint (`contact_lookup`) so "I lost my link" finds it without
  reading anything people wrote, and a copy of the database alone cannot be searched for a
  known address.
- `mask` shows staff enough to recognise an address, never all of it: `j***@example.com`,
  `07*** ***123`.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

EMAIL = "email"
MOBILE = "mobile"

MAX_TYPED = 254  # the longest email address there can be; anything longer is not one of ours
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# What people put between digits: spaces (any kind), dashes, dots and brackets.
_PHONE_PUNCTUATION = re.compile(r"[\s\-.()\u2010-\u2015]")
_UK_MOBILE = re.compile(r"^(?:\+44|0044|44)?0?(7[0-9]{9})$")
# Derives the lookup key from the app's secret, so the hash is of no use for anything else.
_KEY_PURPOSE = b"speakup.contact-lookup.v1"


@dataclass(frozen=True)
class Contact:
    """An email address or a UK mobile number, in its normal form."""

    kind: str  # EMAIL or MOBILE
    value: str

    @property
    def channel(self) -> str:
        """The outbox channel that reaches it: "email" or "sms"."""
        return "email" if self.kind == EMAIL else "sms"


def normal_email(typed: str) -> str | None:
    """Trim and lower-case an email address; None if it does not look like one."""
    value = typed.strip().lower()
    return value if len(value) <= MAX_TYPED and _EMAIL.match(value) else None


def normal_mobile(typed: str) -> str | None:
    """A UK mobile number as 07 and nine more digits, however it was written; else None."""
    if len(typed) > 40:
        return None
    # Digits as any script writes them (٠٧٧٠٠ is 07700), then only ASCII ones count.
    digits = "".join(
        str(unicodedata.decimal(ch)) if ch.isdecimal() else ch
        for ch in _PHONE_PUNCTUATION.sub("", typed)
    )
    found = _UK_MOBILE.match(digits)
    return "0" + found.group(1) if found else None


def normalise(typed: object) -> Contact | None:
    """Read an email address or a UK mobile number from what someone typed."""
    if not isinstance(typed, str) or not typed.strip() or len(typed) > MAX_TYPED:
        return None
    if "@" in typed:
        email = normal_email(typed)
        return Contact(EMAIL, email) if email else None
    mobile = normal_mobile(typed)
    return Contact(MOBILE, mobile) if mobile else None


def _key(secret: str | bytes) -> bytes:
    if not secret:
        raise ValueError("a secret key is needed to make a contact lookup")
    raw = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(raw, _KEY_PURPOSE, hashlib.sha256).digest()


def lookup_hash(contact: Contact, secret: str | bytes) -> str:
    """The keyed hash stored in `complaint.contact_lookup`: 64 hex characters."""
    message = f"{contact.kind}:{contact.value}".encode()
    return hmac.new(_key(secret), message, hashlib.sha256).hexdigest()


def given_with(contact_method: str | None, answers: Mapping[str, Any] | None) -> Contact | None:
    """The email address or mobile number a complainant gave for messages, if they gave one."""
    answers = answers or {}
    if contact_method == "email":
        return normalise(answers.get("email"))
    if contact_method == "text":
        found = normalise(answers.get("phone"))
        return found if found is not None and found.kind == MOBILE else None
    return None


def lookup_for(
    contact_method: str | None, answers: Mapping[str, Any] | None, secret: str | bytes
) -> str | None:
    """The lookup hash for a complaint's contact, or None when it gave no email or mobile."""
    found = given_with(contact_method, answers)
    return lookup_hash(found, secret) if found is not None else None


def mask(address: str | None) -> str:
    """Enough of an address for staff to recognise it, never all of it.

    `jo@example.com` → `j***@example.com`; `07700 900123` → `07*** ***123`.
    """
    if not address:
        return ""
    typed = address.strip()
    if "@" in typed:
        local, _, domain = typed.rpartition("@")
        return f"{local[:1]}***@{domain}" if local else f"***@{domain}"
    mobile = normal_mobile(typed)
    if mobile is not None:
        return f"{mobile[:2]}*** ***{mobile[-3:]}"
    digits = re.sub(r"\D", "", typed)
    if len(digits) >= 6:
        return f"{digits[:2]}*** ***{digits[-3:]}"
    return "***"
