"""Private status links: signed, revocable, expiring, and guarded by an optional secret word.

A link is short (`/s/k7mq-2xpd-9rtf-hw3c-e8an-b4vz`, 33 characters after the host): a random
secret of 100 bits, of which only the SHA-256 is stored (`status_link`, as GOV.UK Notify does),
signed with the app's key so that a made-up one is refused before the database is asked, and
valid until its row's `expires_utc` (STATUS_LINK_MAX_DAYS). Its letters avoid i, l, o and u, and
it may be typed in capitals or without the dashes. Long links signed by itsdangerous, sent
before short links, keep working until they expire.

Every way into a complaint (opening a link, the status page, the confirmation page, the
download, the new-link, withdraw and "still not happy" forms, help) goes through `check`,
with what the browser holds: the complaint's public id, the link version it was given and
the secret-word version it has proved. Bumping the link version revokes every old link and
every browser holding one; bumping the secret-word version makes every browser prove it again.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from flask import current_app
from flask_babel import force_locale
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.security import check_password_hash

from portal import notifications
from portal.clock import now_utc
from portal.contact import Contact, given_with, lookup_hash
from portal.extensions import db
from portal.links import public_url, staff_url
from portal.models import Complaint, Event, OutboxMessage, StatusLink
from portal.notifications import lost_link_message, my_link_message, secret_word_help_alert
from portal.services import safety
from portal.services.complaints import closed_utc
from portal.services.hashing import slow_hash
from portal.services.staff import audit
from portal.types import EventType
from portal.wording import setting

SALT = "speakup.status-link"
# Wrong secret words allowed per complaint before the word is paused (then staff can help).
MAX_WORD_TRIES = 5
WORD_PAUSE = timedelta(hours=24)
WORD_MIN, WORD_MAX = 4, 60


class LinkProblem(StrEnum):
    INVALID = "invalid"
    REVOKED = "revoked"
    EXPIRED = "expired"
    # The link is good, but this browser has not given the secret word yet.
    NEEDS_WORD = "needs_word"


@dataclass(frozen=True)
class Access:
    """What a browser may see. `complaint` is set with NEEDS_WORD so the word can be checked."""

    complaint: Complaint | None
    problem: LinkProblem | None = None

    @property
    def ok(self) -> bool:
        return self.complaint is not None and self.problem is None


def grant(complaint: Complaint) -> dict[str, int | str]:
    """What a browser keeps once it may see this complaint (current link and word versions)."""
    return {
        "c": complaint.public_id,
        "v": complaint.status_link_version,
        "w": complaint.secret_word_version,
    }


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


# Short links -------------------------------------------------------------------------------

SHORT_SALT = b"speakup.short-link"
SHOWN_SALT = b"speakup.shown-link"
# Crockford's base 32 in small letters: no i, l, o or u to misread or mishear.
ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
SECRET_CHARS = 20  # 100 random bits
SIGNATURE_CHARS = 4  # 20 bits of HMAC: a made-up link is refused without asking the database
GROUP = 4
_READ_AS = str.maketrans({"i": "1", "l": "1", "o": "0"})
_SHORT = re.compile(rf"[{ALPHABET}]{{{SECRET_CHARS + SIGNATURE_CHARS}}}")


def _chars(raw: bytes, count: int) -> str:
    number = int.from_bytes(raw, "big")
    return "".join(ALPHABET[(number >> (5 * i)) & 31] for i in range(count))


def _key() -> bytes:
    return str(current_app.config["SECRET_KEY"]).encode()


def _signature(secret: str) -> str:
    digest = hmac.new(_key(), SHORT_SALT + secret.encode(), hashlib.sha256).digest()
    return _chars(digest, SIGNATURE_CHARS)


def secret_hash(secret: str) -> str:
    """What is stored for a link: the SHA-256 of its secret, never the secret itself."""
    return hashlib.sha256(secret.encode()).hexdigest()


def _spell(secret: str) -> str:
    """The token as written in a link: the secret and its signature, in groups of four."""
    whole = secret + _signature(secret)
    return "-".join(whole[i : i + GROUP] for i in range(0, len(whole), GROUP))


def _short_secret(token: str) -> str | None:
    """The secret in a short token however it was typed, or None when it is not a short one."""
    if len(token) > 64:
        return None
    whole = "".join(token.lower().translate(_READ_AS).replace("-", "").split())
    if not _SHORT.fullmatch(whole):
        return None
    secret, signature = whole[:SECRET_CHARS], whole[SECRET_CHARS:]
    if not hmac.compare_digest(signature, _signature(secret)):
        return None
    return secret


def _store(complaint: Complaint, secret: str) -> StatusLink:
    now = now_utc()
    row = StatusLink(
        complaint=complaint,
        secret_hash=secret_hash(secret),
        link_version=complaint.status_link_version,
        created_utc=now,
        expires_utc=now + timedelta(days=current_app.config["STATUS_LINK_MAX_DAYS"]),
    )
    db.session.add(row)
    return row


def token_for(complaint: Complaint, *, commit: bool = True) -> str:
    """Make a new short link to this complaint at its current link version; return its token.

    The secret is random and only its SHA-256 is kept, so the token can be shown only now.
    With `commit=False` the caller commits (with the message the link goes in).
    """
    secret = _chars(secrets.token_bytes(13), SECRET_CHARS)
    _store(complaint, secret)
    if commit:
        db.session.commit()
    return _spell(secret)


def token_for_session(complaint: Complaint, session_key: str) -> str:
    """The link this browser's session shows (the confirmation and status pages, to copy or
    keep): the same on every page of the session, so a link copied earlier stays right.

    Its secret is the HMAC of the session's random key (held only in the browser's cookie; the
    server keeps its SHA-256) with the app's key, so neither a copy of the cookie nor of the
    database can make it. A new link version makes a new one.
    """
    message = f"{session_key}|{complaint.public_id}|{complaint.status_link_version}".encode()
    raw = hmac.new(_key(), SHOWN_SALT + message, hashlib.sha256).digest()
    secret = _chars(raw[:13], SECRET_CHARS)
    known = db.session.scalars(
        select(StatusLink.id).where(StatusLink.secret_hash == secret_hash(secret))
    ).first()
    if known is None:
        _store(complaint, secret)
        try:
            db.session.commit()
        except IntegrityError:  # two pages of the same session at once: one row is enough
            db.session.rollback()
    return _spell(secret)


def _expired(complaint: Complaint) -> bool:
    closed = closed_utc(complaint)
    keep_for = timedelta(days=current_app.config["STATUS_LINK_DAYS_AFTER_CLOSE"])
    return closed is not None and now_utc() > closed + keep_for


def check(held: object) -> Access:
    """The one check for every way into a complaint: link version, expiry, secret word."""
    if held is None:
        return Access(None)  # no link opened in this browser: nothing has gone wrong
    if not isinstance(held, dict):
        return Access(None, LinkProblem.INVALID)
    public_id, version = held.get("c"), held.get("v")
    if not isinstance(public_id, str) or type(version) is not int or len(public_id) > 64:
        return Access(None, LinkProblem.INVALID)
    complaint = db.session.scalars(
        select(Complaint).where(Complaint.public_id == public_id)
    ).one_or_none()
    if complaint is None:
        return Access(None, LinkProblem.INVALID)
    if version != complaint.status_link_version:
        return Access(None, LinkProblem.REVOKED)
    if _expired(complaint):
        return Access(None, LinkProblem.EXPIRED)
    if complaint.secret_word_hash and held.get("w") != complaint.secret_word_version:
        return Access(complaint, LinkProblem.NEEDS_WORD)
    return Access(complaint)


def redeem(token: str) -> tuple[Access, dict | None]:
    """Read a token from a link; return the access it gives and what the browser should keep.

    Tokens are accepted for STATUS_LINK_MAX_DAYS at most; "Get a new link" gives a fresh one.
    """
    secret = _short_secret(token)
    if secret is not None:
        return _redeem_short(secret)
    if "." not in token:  # neither a short link nor a long one
        return Access(None, LinkProblem.INVALID), None
    try:
        payload = _serializer().loads(
            token, max_age=current_app.config["STATUS_LINK_MAX_DAYS"] * 24 * 3600
        )
    except BadSignature:  # includes SignatureExpired
        return Access(None, LinkProblem.INVALID), None
    if not isinstance(payload, dict):
        return Access(None, LinkProblem.INVALID), None
    held = {"c": payload.get("c"), "v": payload.get("v")}
    return check(held), held


def _redeem_short(secret: str) -> tuple[Access, dict | None]:
    row = db.session.scalars(
        select(StatusLink).where(StatusLink.secret_hash == secret_hash(secret))
    ).one_or_none()
    if row is None or now_utc() > row.expires_utc:
        return Access(None, LinkProblem.INVALID), None
    complaint = db.session.get(Complaint, row.complaint_id)
    if complaint is None:
        return Access(None, LinkProblem.INVALID), None
    held = {"c": complaint.public_id, "v": row.link_version}
    return check(held), held


def _bump(complaint: Complaint, event: EventType, actor: str, commit: bool = True) -> None:
    complaint.status_link_version += 1
    db.session.add(Event(complaint=complaint, type=event, at_utc=now_utc(), actor=actor, data={}))
    if commit:
        db.session.commit()


def reissue(complaint: Complaint, actor: str, *, commit: bool = True) -> str:
    """Stop every earlier link working and return a new one (the person asked for a fresh link).

    With `commit=False` the caller commits, with whatever else belongs in the same transaction.
    """
    _bump(complaint, EventType.STATUS_LINK_REISSUED, actor, commit=False)
    return token_for(complaint, commit=commit)


def renew(complaint: Complaint, actor: str) -> None:
    """Stop every earlier link working ("Get a new link"): the page then shows the new one."""
    _bump(complaint, EventType.STATUS_LINK_REISSUED, actor)


def revoke(complaint: Complaint, actor: str) -> None:
    """Stop every link to this complaint working."""
    _bump(complaint, EventType.STATUS_LINK_REVOKED, actor)


# The secret word --------------------------------------------------------------------------


def normal_word(word: str) -> str:
    """Compare words the way a child means them: any capitals, spaces and accents as typed."""
    return " ".join(unicodedata.normalize("NFKC", word).casefold().split())


def set_word(complaint: Complaint, word: str) -> None:
    """Set the complainant's secret word; every other browser must then give it."""
    complaint.secret_word_hash = slow_hash(normal_word(word))
    complaint.secret_word_version += 1
    complaint.secret_word_failures = 0
    complaint.secret_word_locked_until_utc = None
    complaint.events.append(
        Event(type=EventType.SECRET_WORD_SET, at_utc=now_utc(), actor="complainant", data={})
    )
    db.session.commit()


class WordResult(StrEnum):
    RIGHT = "right"
    WRONG = "wrong"
    PAUSED = "paused"


@dataclass(frozen=True)
class WordCheck:
    result: WordResult
    tries_left: int = 0
    paused_until: datetime | None = None


def try_word(complaint: Complaint, word: str) -> WordCheck:
    """Check a secret word. Wrong answers are counted atomically and pause the word."""
    now = now_utc()
    paused = complaint.secret_word_locked_until_utc
    if paused is not None and paused > now:
        return WordCheck(WordResult.PAUSED, paused_until=paused)
    if complaint.secret_word_hash and check_password_hash(
        complaint.secret_word_hash, normal_word(word or "")
    ):
        if complaint.secret_word_failures:
            complaint.secret_word_failures = 0
            db.session.commit()
        return WordCheck(WordResult.RIGHT)
    # One UPDATE, so answers sent at once are each counted (a read-then-write would lose some).
    failures = db.session.execute(
        update(Complaint)
        .where(Complaint.id == complaint.id)
        .values(secret_word_failures=Complaint.secret_word_failures + 1)
        .returning(Complaint.secret_word_failures)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    if failures >= MAX_WORD_TRIES:
        paused = now + WORD_PAUSE
        db.session.execute(
            update(Complaint)
            .where(Complaint.id == complaint.id)
            .values(secret_word_locked_until_utc=paused, secret_word_failures=0)
            .execution_options(synchronize_session=False)
        )
        db.session.add(
            Event(
                complaint_id=complaint.id,
                type=EventType.SECRET_WORD_PAUSED,
                at_utc=now,
                actor="complainant",
                data={},
            )
        )
        db.session.commit()
        db.session.expire(complaint)
        return WordCheck(WordResult.PAUSED, paused_until=paused)
    db.session.commit()
    db.session.expire(complaint)
    return WordCheck(WordResult.WRONG, tries_left=MAX_WORD_TRIES - failures)


def word_paused(complaint: Complaint) -> bool:
    """Say whether wrong answers have paused the secret word (staff see it on the case)."""
    paused = complaint.secret_word_locked_until_utc
    return paused is not None and paused > now_utc()


def clear_word(complaint: Complaint, by: str, how_checked: str) -> None:
    """Staff clear the secret word after checking who they are speaking to (audited)."""
    complaint.secret_word_hash = None
    complaint.secret_word_version += 1
    complaint.secret_word_failures = 0
    complaint.secret_word_locked_until_utc = None
    complaint.events.append(
        Event(type=EventType.SECRET_WORD_CLEARED, at_utc=now_utc(), actor=by, data={})
    )
    audit(
        by,
        "secret_word_cleared",
        f"complaint:{complaint.reference}",
        how_checked=how_checked,
    )
    db.session.commit()


def ask_for_word_help(
    complaint: Complaint, how_to_reach: str | None, risks: Iterable[str] = ()
) -> None:
    """Someone cannot give the secret word: tell the complaints team, who check who it is."""
    now = now_utc()
    safety.flag_urgent(complaint, list(risks), at=now)
    complaint.events.append(
        Event(
            type=EventType.SECRET_WORD_HELP_REQUESTED,
            at_utc=now,
            actor="complainant",
            data={},
            note=how_to_reach or None,
        )
    )
    alert = secret_word_help_alert(staff_url(f"/staff/cases/{complaint.reference}"))
    complaint.outbox.append(
        OutboxMessage(
            kind="link_help",
            to_address=current_app.config["COUNCIL_COMPLAINTS_EMAIL"],
            subject=alert.subject,
            body=alert.body,
            created_utc=now,
        )
    )
    db.session.commit()


# "I lost my link" ---------------------------------------------------------------------------

LOST_LINK = notifications.LOST_LINK  # the outbox message's kind
LOST_LINK_ACTOR = "lost-link form"  # who asked, on the timeline: anyone who knew the address
_LOST_LINK_TRIES = 3


def contact_lookup(contact: Contact) -> str:
    """The keyed hash of an email address or mobile number, as stored on complaints."""
    return lookup_hash(contact, current_app.config["SECRET_KEY"])


def _language_of(complaint: Complaint) -> str:
    """The language the complaint was sent in, as every message to the complainant uses."""
    from portal.services.messages import language_of  # it reaches back here for links

    return language_of(complaint)


def _can_have_a_link(complaint: Complaint) -> bool:
    # A person who said messages are not safe there gets none; an expired link would not work.
    return complaint.contact_safe is not False and not _expired(complaint)


def send_lost_links(typed: Contact) -> None:
    """Send a fresh private link to an address given with a complaint ("I lost my link").

    Whatever happens, nothing is returned: the page the person sees is the same whether or not
    the address is known (the view also makes every reply take the same time). When it
    matches, each complaint it was given with gets a new link (every older link stops
    working: the same `reissue` as "Get a new link") and one neutral message carries them all,
    in the complaint's language. A secret word does not stop this: the link page asks for it.
    """
    lookup = contact_lookup(typed)
    for _attempt in range(_LOST_LINK_TRIES):
        found = db.session.scalars(
            select(Complaint)
            .where(Complaint.contact_lookup == lookup, Complaint.anonymised_utc.is_(None))
            .order_by(Complaint.id)
        ).all()
        complaints_here = [c for c in found if _can_have_a_link(c)]
        if not complaints_here:
            db.session.rollback()
            return
        try:
            _queue_lost_links(typed, complaints_here)
            return
        except StaleDataError:  # a staff move landed at the same moment: read again
            db.session.rollback()
        except SQLAlchemyError:
            # Never a different reply for a known address: log it, and the page stays the same.
            db.session.rollback()
            current_app.logger.exception("lost-link: could not queue the new links")
            return
    current_app.logger.warning("lost-link: gave up after %s conflicts", _LOST_LINK_TRIES)


def _queue_lost_links(typed: Contact, found: list[Complaint]) -> None:
    links = [
        public_url("status.open_link", token=reissue(c, actor=LOST_LINK_ACTOR, commit=False))
        for c in found
    ]
    newest = found[-1]
    language = _language_of(newest)
    with force_locale(language):
        message = lost_link_message(setting("COUNCIL_NAME"), links)
    _queue_for_complainant(newest, LOST_LINK, typed, language, message)


def _queue_for_complainant(complaint: Complaint, kind: str, to: Contact, language: str, message):
    """Queue one message to an address the person typed or chose now, and commit."""
    complaint.outbox.append(
        OutboxMessage(
            kind=kind,
            channel=to.channel,
            audience="complainant",
            language=language,
            to_address=to.value,
            subject=message.subject,
            body=message.body,
            created_utc=now_utc(),
        )
    )
    db.session.commit()


# "Send me my link" ---------------------------------------------------------------------------

MY_LINK = notifications.MY_LINK  # the outbox message's kind
MY_LINK_ACTOR = "complainant"


def contact_given(complaint: Complaint) -> Contact | None:
    """The email address or mobile number given with the complaint, when messages may go there."""
    if complaint.contact_safe is False or complaint.anonymised_utc is not None:
        return None
    return given_with(complaint.contact_method, complaint.answers)


def send_my_link(complaint: Complaint, to: Contact, language: str) -> None:
    """Queue a new private link to an address the person chose now (the one they gave, or one
    they typed). Older links keep working. The address is used for this message only: it is
    not saved on the complaint.

    Neutral like every message to a complainant, in the language the page is in.
    """
    link = public_url("status.open_link", token=token_for(complaint, commit=False))
    with force_locale(language):
        message = my_link_message(setting("COUNCIL_NAME"), link)
    _queue_for_complainant(complaint, MY_LINK, to, language, message)
