"""Staff accounts and sign-in: scrypt hashes, lockout, a second factor, set-up links, audited.

Sign-in is two steps: the password, then (when the account has one) a code from an authenticator
app or a single-use recovery code. Wrong passwords and wrong codes count toward the same lockout,
and the count is kept with one atomic UPDATE so that attempts sent at once are all counted.
A locked account is locked for unknown devices only: staff/auth.py keeps a signed "known device"
cookie and its own, smaller limit, so someone who knows a colleague's email cannot keep them out.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import pyotp
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import delete, func, or_, select, update
from werkzeug.security import check_password_hash

from portal import notifications
from portal.clock import now_utc
from portal.extensions import db
from portal.links import staff_url
from portal.models import AuditEntry, OutboxMessage, RecoveryCode, StaffUser
from portal.services.hashing import dummy_hash, slow_hash
from portal.types import StaffRole

Account = StaffUser  # the name pages use for a staff account (they never import models)

MAX_FAILURES = 5
LOCK_FOR = timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 12
SETUP_SALT = "speakup.staff-set-up"
SETUP_HOURS = 72
TOTP_ISSUER = "Speak Up staff"
RECOVERY_CODES = 10
# No 0/o, 1/l/i: recovery codes are read off paper. 12 of 31 characters is about 59 bits.
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
ACCOUNT_CHANGE_DAYS = 30
# What the "Recent account changes" panel shows every manager, with its wording.
ACCOUNT_CHANGES = {
    "staff_account_created": "Account created",
    "staff_role_changed": "Role changed",
    "staff_account_disabled": "Account disabled",
    "staff_two_step_reset": "Two-step sign-in reset",
    "staff_set_up_link_made": "Set-up link made",
}
_NO_UPDATE_SYNC = {"synchronize_session": False}


class AccountError(ValueError):
    """A staff account could not be created or changed; the message says why."""

    def __init__(self, message: str, field: str = "email") -> None:
        super().__init__(message)
        self.field = field


def _normal(email: str) -> str:
    return email.strip().lower()


def _keyed(purpose: str, value: str) -> str:
    """An HMAC-SHA256 keyed with the app's secret key: cannot be reversed or guessed offline."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()


def email_fingerprint(email: str) -> str:
    """Identify a typed email in the audit log without storing what was typed."""
    return _keyed("staff-email", _normal(email))[:32]


def audit(actor: str, action: str, target: str, **data) -> None:
    """Append to the audit log: who, what, which record. Never passwords, tokens or content."""
    db.session.add(
        AuditEntry(at_utc=now_utc(), actor=actor, action=action, target=target, data=data)
    )


def _target(user: StaffUser) -> str:
    return f"staff:{user.id}"


# Accounts ---------------------------------------------------------------------------------


def valid_email(email: str) -> str:
    """Return the address in its normal form, or say plainly that it is not an email address."""
    try:
        found = validate_email(email.strip(), check_deliverability=False)
    except EmailNotValidError as problem:
        raise AccountError("Enter an email address like name@council.gov.uk.") from problem
    return _normal(found.normalized)


def check_new_password(password: str, again: str | None = None) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(
            f"Passwords need at least {MIN_PASSWORD_LENGTH} characters.", field="password"
        )
    if again is not None and not hmac.compare_digest(password.encode(), again.encode()):
        raise AccountError("The two passwords are different. Type the same one twice.", "again")


def _add_account(email: str, name: str, role: str, password: str | None, by: str) -> StaffUser:
    if role not in set(StaffRole):
        raise AccountError(f"Role must be one of: {', '.join(StaffRole)}.", field="role")
    email = valid_email(email)
    if password is not None:
        check_new_password(password)
    if by_email(email) is not None:
        raise AccountError("There is already an account with that email address.")
    user = StaffUser(
        email=email,
        name=" ".join(name.split())[:120] or email,
        role=role,
        password_hash=slow_hash(password) if password else None,
        created_utc=now_utc(),
    )
    db.session.add(user)
    db.session.flush()
    audit(by, "staff_account_created", _target(user), role=role)
    return user


def create(
    email: str, name: str, role: str, password: str | None = None, by: str = "cli"
) -> StaffUser:
    """Create a staff account. Without a password, the person sets their own with a link."""
    user = _add_account(email, name, role, password, by)
    db.session.commit()
    return user


def invite(email: str, name: str, role: str, by: str) -> StaffUser:
    """Create an account and queue its set-up link to the person's own email (never shown)."""
    user = _add_account(email, name, role, None, by)
    _make_set_up_link(user, by, send=True)
    db.session.commit()
    return user


def by_email(email: str) -> StaffUser | None:
    return db.session.scalars(select(StaffUser).where(StaffUser.email == _normal(email))).first()


def by_id(user_id: object) -> StaffUser | None:
    return db.session.get(StaffUser, user_id) if isinstance(user_id, int) else None


def count() -> int:
    return db.session.scalar(select(func.count()).select_from(StaffUser)) or 0


def change_role(user: StaffUser, role: str, actor: StaffUser) -> None:
    """An admin changes someone else's role (never their own: there must always be an admin)."""
    if role not in set(StaffRole):
        raise AccountError(f"Role must be one of: {', '.join(StaffRole)}.", field="role")
    if user.id == actor.id:
        raise AccountError("Ask another admin to change your own role.", field="role")
    if user.role == role:
        return
    audit(actor.email, "staff_role_changed", _target(user), before=user.role, after=role)
    user.role = role
    db.session.commit()


def set_digest(user: StaffUser, wanted: bool) -> None:
    """Turn someone's own daily digest email on or off (audited; no content)."""
    if user.wants_digest == wanted:
        return
    user.wants_digest = wanted
    audit(user.email, "staff_digest_on" if wanted else "staff_digest_off", _target(user))
    db.session.commit()


def end_sessions(user: StaffUser, actor: str, action: str = "staff_signed_out") -> None:
    """End every session of this account at once (sign-out, or an admin's decision)."""
    user.session_version += 1
    audit(actor, action, _target(user))
    db.session.commit()


def disable(email: str, actor: str) -> StaffUser | None:
    """Disable an account and end its sessions at once."""
    user = by_email(email)
    if user is None:
        return None
    user.disabled = True
    end_sessions(user, actor, "staff_account_disabled")
    return user


def everyone() -> list[StaffUser]:
    return list(db.session.scalars(select(StaffUser).order_by(StaffUser.name)))


# Set-up links -----------------------------------------------------------------------------


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SETUP_SALT)


def set_up_hours() -> int:
    return int(current_app.config.get("STAFF_SETUP_HOURS", SETUP_HOURS))


def _set_up_message(user: StaffUser, link: str) -> OutboxMessage:
    body = (
        f"Hello {user.name},\n\n"
        "An account has been made for you in the council's Speak Up staff area.\n"
        "Choose your own password here to start using it:\n\n"
        f"{link}\n\n"
        f"The link works once, for {set_up_hours()} hours. If you were not expecting this "
        "email, you can ignore it.\n"
    )
    return OutboxMessage(
        kind=notifications.STAFF_SET_UP,
        to_address=user.email,
        subject="Your Speak Up staff account",
        body=body,
        created_utc=now_utc(),
    )


def _make_set_up_link(user: StaffUser, actor: str, send: bool) -> str:
    """Bump the set-up version (older links stop working) and sign a link for the new one."""
    user.setup_version += 1
    db.session.flush()
    token = _serializer().dumps({"u": user.id, "v": user.setup_version})
    link = staff_url(f"/staff/set-up/{token}")
    if send:
        db.session.add(_set_up_message(user, link))
    audit(actor, "staff_set_up_link_made", _target(user), sent_by_email=send)
    return link


def new_set_up_link(user: StaffUser, actor: str, send: bool) -> str:
    """A fresh set-up link, ending older ones: emailed (queued), or returned for the CLI."""
    link = _make_set_up_link(user, actor, send)
    db.session.commit()
    return link


def _read_set_up_token(token: str) -> tuple[StaffUser, int] | None:
    try:
        payload = _serializer().loads(token, max_age=set_up_hours() * 3600)
    except BadSignature:  # a bad signature, or SignatureExpired (a subclass)
        return None
    if not isinstance(payload, dict):
        return None
    user, version = by_id(payload.get("u")), payload.get("v")
    if user is None or user.disabled or version != user.setup_version:
        return None
    return user, version


def set_up_account(token: str) -> StaffUser | None:
    """Whose set-up link this is, if it still works (looking does not use it up)."""
    found = _read_set_up_token(token)
    return found[0] if found else None


def choose_password(token: str, password: str, again: str) -> StaffUser:
    """Set the person's own password through their link, using the link up (once, atomically)."""
    found = _read_set_up_token(token)
    if found is None:
        raise AccountError("This set-up link has been used or has expired.", field="password")
    user, version = found
    check_new_password(password, again)
    password_hash = slow_hash(password)
    used = db.session.execute(
        update(StaffUser)
        .where(StaffUser.id == user.id, StaffUser.setup_version == version)
        .values(
            password_hash=password_hash,
            setup_version=StaffUser.setup_version + 1,
            session_version=StaffUser.session_version + 1,
        ),
        execution_options=_NO_UPDATE_SYNC,
    )
    if used.rowcount != 1:
        db.session.rollback()
        raise AccountError("This set-up link has been used or has expired.", field="password")
    audit(user.email, "staff_password_set", _target(user))
    db.session.commit()
    db.session.refresh(user)
    return user


# Sign-in ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignIn:
    user: StaffUser | None
    # The attempt came from a device this account signed in on before (its own limit applies).
    known_device: bool = False
    # Too many failures from this address: refused before any password was checked.
    throttled: bool = False


def _locked(user: StaffUser, now: datetime) -> bool:
    return user.locked_until_utc is not None and user.locked_until_utc > now


def _password_matches(user: StaffUser | None, password: str) -> bool:
    """Always one scrypt check, whether or not the account exists or has a password yet."""
    stored = user.password_hash if user is not None and user.password_hash else None
    matches = check_password_hash(stored or dummy_hash(), password)
    return matches and stored is not None


def _count_failure(user: StaffUser, now: datetime) -> bool:
    """Count one failure atomically; lock the account when the count reaches the limit."""
    failures = db.session.execute(
        update(StaffUser)
        .where(StaffUser.id == user.id)
        .values(failed_sign_ins=StaffUser.failed_sign_ins + 1)
        .returning(StaffUser.failed_sign_ins),
        execution_options=_NO_UPDATE_SYNC,
    ).scalar_one()
    if failures < MAX_FAILURES:
        return False
    db.session.execute(
        update(StaffUser)
        .where(StaffUser.id == user.id)
        .values(locked_until_utc=now + LOCK_FOR, failed_sign_ins=0),
        execution_options=_NO_UPDATE_SYNC,
    )
    return True


def refused(user: StaffUser, known_device: bool, device_locked: bool) -> bool:
    """Whether this account may not sign in from here now (disabled, or locked for here)."""
    if user.disabled:
        return True
    return device_locked if known_device else _locked(user, now_utc())


def _failed(user: StaffUser, known_device: bool, device_locked: bool, step: str) -> None:
    """Record a failed password or code; unknown devices count toward the account's lockout."""
    now = now_utc()
    locked = device_locked if known_device else _locked(user, now)
    if not locked and not known_device and not user.disabled:
        locked = _count_failure(user, now)
    audit(
        "anonymous",
        "staff_sign_in_failed",
        _target(user),
        step=step,
        known_device=known_device,
        locked=locked,
    )
    db.session.commit()


def sign_in(
    email: str,
    password: str,
    device_user_id: int | None = None,
    device_locked: bool = False,
    address_blocked: bool = False,
) -> SignIn:
    """Check the password. The same answer, after the same work, for every kind of failure."""
    user = by_email(email)
    known = user is not None and device_user_id == user.id
    if address_blocked and not known:
        return SignIn(None, throttled=True)
    good = _password_matches(user, password)
    if user is None:
        audit("anonymous", "staff_sign_in_failed", "staff:unknown", email=email_fingerprint(email))
        db.session.commit()
        return SignIn(None)
    if good and not refused(user, known, device_locked):
        return SignIn(user, known)
    _failed(user, known, device_locked, "password")
    return SignIn(None, known)


def finish_sign_in(user: StaffUser, known_device: bool) -> None:
    """Both steps passed. A success from an unknown device clears its failure count."""
    if not known_device:
        db.session.execute(
            update(StaffUser).where(StaffUser.id == user.id).values(failed_sign_ins=0),
            execution_options=_NO_UPDATE_SYNC,
        )
    audit(
        user.email,
        "staff_signed_in",
        _target(user),
        two_step=user.totp_confirmed_utc is not None,
        known_device=known_device,
    )
    db.session.commit()


# The second factor ------------------------------------------------------------------------


def has_two_step(user: StaffUser) -> bool:
    return user.totp_confirmed_utc is not None and user.totp_secret is not None


def enrolment_marker(user: StaffUser) -> str | None:
    """A keyed fingerprint of the unconfirmed secret, so a browser can hold on to its own."""
    if user.totp_secret is None or has_two_step(user):
        return None
    return _keyed("totp-enrolment", user.totp_secret)[:24]


def start_two_step(user: StaffUser, marker: str | None) -> str:
    """Return the unconfirmed secret this browser is setting up, or start a fresh one.

    A fresh secret for every new set-up, so a secret someone else once saw is never used.
    """
    if has_two_step(user):
        raise AccountError("Two-step sign-in is already set up.", field="code")
    if marker is None or marker != enrolment_marker(user):
        user.totp_secret = pyotp.random_base32()
        user.totp_last_step = None
        db.session.commit()
    return user.totp_secret


def two_step_uri(user: StaffUser) -> str:
    return pyotp.TOTP(user.totp_secret).provisioning_uri(name=user.email, issuer_name=TOTP_ISSUER)


def _totp_step(user: StaffUser, code: str) -> int | None:
    """The time step a code belongs to (now, or one step either side), if newer than the last."""
    if not user.totp_secret or not (len(code) == 6 and code.isdigit()):
        return None
    totp = pyotp.TOTP(user.totp_secret)
    now_step = totp.timecode(now_utc())
    for step in (now_step - 1, now_step, now_step + 1):
        if user.totp_last_step is not None and step <= user.totp_last_step:
            continue
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _use_step(user: StaffUser, step: int) -> bool:
    """Record the step atomically: the same code sent twice at once works only once."""
    used = db.session.execute(
        update(StaffUser)
        .where(
            StaffUser.id == user.id,
            or_(StaffUser.totp_last_step.is_(None), StaffUser.totp_last_step < step),
        )
        .values(totp_last_step=step),
        execution_options=_NO_UPDATE_SYNC,
    )
    return used.rowcount == 1


def _normal_code(code: str) -> str:
    return "".join(ch for ch in code.lower() if ch.isalnum())


def _recovery_hash(user: StaffUser, code: str) -> str:
    return _keyed(f"staff-recovery:{user.id}", _normal_code(code))


def _use_recovery_code(user: StaffUser, code: str) -> bool:
    if len(_normal_code(code)) != 12:
        return False
    used = db.session.execute(
        update(RecoveryCode)
        .where(
            RecoveryCode.staff_user_id == user.id,
            RecoveryCode.code_hash == _recovery_hash(user, code),
            RecoveryCode.used_utc.is_(None),
        )
        .values(used_utc=now_utc()),
        execution_options=_NO_UPDATE_SYNC,
    )
    return used.rowcount == 1


def _code_accepted(user: StaffUser, code: str) -> str | None:
    """Which kind of code worked ("app" or "recovery"), using it up; None if none did."""
    code = code.strip().replace(" ", "")
    step = _totp_step(user, code)
    if step is not None and _use_step(user, step):
        return "app"
    if _use_recovery_code(user, code):
        return "recovery"
    return None


def check_code(user: StaffUser, code: str, known_device: bool, device_locked: bool) -> bool:
    """The second step of sign-in. Wrong codes count toward the same lockout as passwords."""
    db.session.refresh(user)
    if has_two_step(user) and not refused(user, known_device, device_locked):
        kind = _code_accepted(user, code[:40])
        if kind is not None:
            audit(user.email, "staff_sign_in_code_accepted", _target(user), kind=kind)
            db.session.commit()
            return True
    db.session.rollback()
    _failed(user, known_device, device_locked, "code")
    return False


def _new_recovery_codes(user: StaffUser) -> list[str]:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.staff_user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(12))
        codes.append(f"{raw[:4]}-{raw[4:8]}-{raw[8:]}")
        db.session.add(RecoveryCode(staff_user_id=user.id, code_hash=_recovery_hash(user, raw)))
    return codes


def confirm_two_step(user: StaffUser, code: str) -> list[str] | None:
    """Turn two-step sign-in on once a first code proves the app has the secret.

    Returns the ten recovery codes, to be shown once; they are stored only as keyed hashes.
    """
    if has_two_step(user):
        return None
    step = _totp_step(user, code.strip().replace(" ", "")[:40])
    if step is None:
        return None
    user.totp_last_step = step
    user.totp_confirmed_utc = now_utc()
    codes = _new_recovery_codes(user)
    audit(user.email, "staff_two_step_set_up", _target(user))
    db.session.commit()
    return codes


def replace_recovery_codes(user: StaffUser) -> list[str]:
    """Ten new recovery codes; the old ones stop working."""
    if not has_two_step(user):
        raise AccountError("Set up two-step sign-in first.", field="code")
    codes = _new_recovery_codes(user)
    audit(user.email, "staff_recovery_codes_replaced", _target(user))
    db.session.commit()
    return codes


def recovery_codes_left(user: StaffUser) -> int:
    return (
        db.session.scalar(
            select(func.count())
            .select_from(RecoveryCode)
            .where(RecoveryCode.staff_user_id == user.id, RecoveryCode.used_utc.is_(None))
        )
        or 0
    )


def reset_two_step(user: StaffUser, actor: str) -> None:
    """Someone lost their phone and codes: remove the second factor and end their sessions.

    In production they set up a new one straight after their password next time.
    """
    user.totp_secret = None
    user.totp_confirmed_utc = None
    user.totp_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.staff_user_id == user.id))
    end_sessions(user, actor, "staff_two_step_reset")


# Reading the audit log --------------------------------------------------------------------


@dataclass(frozen=True)
class AccountChange:
    at_utc: datetime
    actor: str
    what: str
    person: str
    detail: str


def _detail(entry: AuditEntry) -> str:
    data = entry.data or {}
    if entry.action == "staff_role_changed":
        return f"from {data.get('before')} to {data.get('after')}"
    if entry.action == "staff_account_created":
        return f"as {data.get('role')}"
    if entry.action == "staff_set_up_link_made":
        return "emailed to them" if data.get("sent_by_email") else "given out on the command line"
    return ""


def recent_account_changes(limit: int = 50) -> list[AccountChange]:
    """Account changes in the last 30 days, newest first: every manager sees them."""
    since = now_utc() - timedelta(days=ACCOUNT_CHANGE_DAYS)
    entries = list(
        db.session.scalars(
            select(AuditEntry)
            .where(AuditEntry.action.in_(ACCOUNT_CHANGES), AuditEntry.at_utc >= since)
            .order_by(AuditEntry.at_utc.desc(), AuditEntry.id.desc())
            .limit(limit)
        )
    )
    ids = {int(e.target[6:]) for e in entries if e.target[6:].isdigit()}  # "staff:<id>"
    people = {
        f"staff:{u.id}": f"{u.name} ({u.email})"
        for u in db.session.scalars(select(StaffUser).where(StaffUser.id.in_(ids)))
    }
    return [
        AccountChange(
            e.at_utc, e.actor, ACCOUNT_CHANGES[e.action], people.get(e.target, ""), _detail(e)
        )
        for e in entries
    ]


def audit_trail(target: str) -> list[AuditEntry]:
    """Return every audit entry about one record, oldest first."""
    return list(
        db.session.scalars(
            select(AuditEntry).where(AuditEntry.target == target).order_by(AuditEntry.id)
        )
    )


def viewed(actor: str, action: str, target: str, **data) -> None:
    """Record that someone looked at a page or record (audited and committed here)."""
    audit(actor, action, target, **data)
    db.session.commit()
