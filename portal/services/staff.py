"""Staff accounts and sign-in: scrypt hashes, lockout, revocable sessions, audited."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from portal.clock import now_utc
from portal.extensions import db
from portal.models import AuditEntry, StaffUser
from portal.types import StaffRole

MAX_FAILURES = 5
LOCK_FOR = timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 12
# Checked when no account matches, so a wrong email takes as long as a wrong password.
_DUMMY_HASH = generate_password_hash("not a real password", method="scrypt")


class AccountError(ValueError):
    """A staff account could not be created or changed; the message says why."""


def _normal(email: str) -> str:
    return email.strip().lower()


def _email_fingerprint(email: str) -> str:
    """Identify a typed email in the audit log without storing what was typed."""
    return hashlib.sha256(_normal(email).encode()).hexdigest()[:16]


def audit(actor: str, action: str, target: str, **data) -> None:
    """Append to the audit log: who, what, which record. Never passwords, tokens or content."""
    db.session.add(
        AuditEntry(at_utc=now_utc(), actor=actor, action=action, target=target, data=data)
    )


def create(email: str, name: str, role: str, password: str, by: str = "cli") -> StaffUser:
    """Create a staff account."""
    if role not in set(StaffRole):
        raise AccountError(f"Role must be one of: {', '.join(StaffRole)}.")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"Passwords need at least {MIN_PASSWORD_LENGTH} characters.")
    if "@" not in email:
        raise AccountError("That does not look like an email address.")
    if by_email(email) is not None:
        raise AccountError("There is already an account with that email address.")
    user = StaffUser(
        email=_normal(email),
        name=name.strip() or _normal(email),
        role=role,
        password_hash=generate_password_hash(password, method="scrypt"),
        created_utc=now_utc(),
    )
    db.session.add(user)
    db.session.flush()
    audit(by, "staff_account_created", f"staff:{user.id}", role=role)
    db.session.commit()
    return user


def by_email(email: str) -> StaffUser | None:
    return db.session.scalars(select(StaffUser).where(StaffUser.email == _normal(email))).first()


def by_id(user_id: object) -> StaffUser | None:
    return db.session.get(StaffUser, user_id) if isinstance(user_id, int) else None


def count() -> int:
    return db.session.scalar(select(func.count()).select_from(StaffUser)) or 0


@dataclass(frozen=True)
class SignIn:
    user: StaffUser | None


def sign_in(email: str, password: str) -> SignIn:
    """Check a sign-in; lock the account for a while after repeated failures."""
    user = by_email(email)
    now = now_utc()
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        audit("anonymous", "staff_sign_in_failed", "staff:unknown", email=_email_fingerprint(email))
        db.session.commit()
        return SignIn(None)
    locked = user.locked_until_utc is not None and user.locked_until_utc > now
    good = check_password_hash(user.password_hash, password)
    if good and not locked and not user.disabled:
        user.failed_sign_ins = 0
        user.locked_until_utc = None
        audit(user.email, "staff_signed_in", f"staff:{user.id}")
        db.session.commit()
        return SignIn(user)
    if not locked:
        user.failed_sign_ins += 1
        if user.failed_sign_ins >= MAX_FAILURES:
            user.locked_until_utc = now + LOCK_FOR
            user.failed_sign_ins = 0
    audit(
        "anonymous",
        "staff_sign_in_failed",
        f"staff:{user.id}",
        locked=user.locked_until_utc is not None and user.locked_until_utc > now,
    )
    db.session.commit()
    return SignIn(None)


def end_sessions(user: StaffUser, actor: str, action: str = "staff_signed_out") -> None:
    """End every session of this account at once (sign-out, or an admin's decision)."""
    user.session_version += 1
    audit(actor, action, f"staff:{user.id}")
    db.session.commit()


def disable(email: str, actor: str) -> StaffUser | None:
    """Disable an account and end its sessions at once."""
    user = by_email(email)
    if user is None:
        return None
    user.disabled = True
    end_sessions(user, actor, "staff_account_disabled")
    return user


def audit_trail(target: str) -> list[AuditEntry]:
    """Return every audit entry about one record, oldest first."""
    return list(
        db.session.scalars(
            select(AuditEntry).where(AuditEntry.target == target).order_by(AuditEntry.id)
        )
    )


def everyone() -> list[StaffUser]:
    return list(db.session.scalars(select(StaffUser).order_by(StaffUser.name)))


def commit() -> None:
    """Commit what a view recorded (for example an audit entry for a page view)."""
    db.session.commit()
