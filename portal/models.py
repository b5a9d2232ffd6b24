"""Database models: one typed base, `*_utc` timestamps, and dates where the law counts days."""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Case,
    Date,
    DateTime,
    ForeignKey,
    Index,
    MetaData,
    String,
    Text,
    TypeDecorator,
    and_,
    case,
    literal,
    or_,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.sql.elements import Grouping

from portal.types import Stage

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator):
    """Store UTC everywhere and always hand back an aware datetime (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a *_utc column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UtcDateTime, dict[str, Any]: JSON, list[str]: JSON}


class Draft(Base):
    """Answers saved as they are given, linked to one visitor's session by a random key."""

    __tablename__ = "draft"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    journey: Mapped[str] = mapped_column(String(40))
    answers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_utc: Mapped[datetime]
    updated_utc: Mapped[datetime] = mapped_column(index=True)
    submitted_utc: Mapped[datetime | None]
    # Set when the person says they are not safe, or their words match a safety list.
    urgent_reasons: Mapped[list[str]] = mapped_column(JSON, default=list)


REPORT_INDEX = (
    "received_on",
    "complainant_role",
    "stage",
    "procedure",
    "arrived_by",
    "advocacy",
    "ended_as",
    "stage_1_timeliness",
    "stage_2_requested_on",
    "stage_3_requested_on",
    "ombudsman_enquiry_on",
)


class Complaint(Base):
    """A complaint as sent; what the person told us is kept in `answers`, in their words."""

    __tablename__ = "complaint"
    # The annual report reads only this index for the complaints received in a period (every
    # column its complaint-level tables count), never the wide rows (migration 0013).
    __table_args__ = (Index("ix_complaint_report", *REPORT_INDEX),)

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    reference: Mapped[str] = mapped_column(String(16), unique=True)
    # One draft makes at most one complaint: this is what makes a double submit harmless.
    draft_id: Mapped[int | None] = mapped_column(
        ForeignKey("draft.id", ondelete="SET NULL"), unique=True
    )
    journey: Mapped[str] = mapped_column(String(40))
    voice: Mapped[str] = mapped_column(String(10))
    complainant_role: Mapped[str] = mapped_column(String(40))
    age_group: Mapped[str | None] = mapped_column(String(20))
    contact_method: Mapped[str] = mapped_column(String(20))
    answers: Mapped[dict[str, Any]]
    received_on: Mapped[date] = mapped_column(Date, index=True)
    received_utc: Mapped[datetime]
    status_link_version: Mapped[int] = mapped_column(default=1)
    # An optional secret word the complainant chose (scrypt), asked for in a new browser.
    # The version is bumped each time it is set or cleared, so every browser must know the
    # current one; wrong answers are counted (atomically) and lock the word for a while.
    secret_word_hash: Mapped[str | None] = mapped_column(String(255))
    secret_word_version: Mapped[int] = mapped_column(default=0)
    secret_word_failures: Mapped[int] = mapped_column(default=0)
    secret_word_locked_until_utc: Mapped[datetime | None]
    # The complainant stopped the complaint from their link: staff check with them.
    withdrawal_to_check: Mapped[bool] = mapped_column(default=False, index=True)

    # What the rules decided at intake (portal/flows/rules.py): a value and its reason's key.
    eligibility: Mapped[str] = mapped_column(String(30))
    eligibility_reason: Mapped[str] = mapped_column(String(60))
    time_limit: Mapped[str] = mapped_column(String(30))
    time_limit_reason: Mapped[str] = mapped_column(String(60))
    legal_proceedings: Mapped[str] = mapped_column(String(30))
    legal_proceedings_reason: Mapped[str] = mapped_column(String(60))
    consent: Mapped[str] = mapped_column(String(30))
    consent_reason: Mapped[str] = mapped_column(String(60))
    parental_responsibility: Mapped[bool | None]
    on_child_instructions: Mapped[bool | None]
    advocacy: Mapped[str] = mapped_column(String(30))
    urgent: Mapped[bool] = mapped_column(default=False, index=True)
    # Which safety lists matched, or "asked_for_help": never a copy of what was written.
    urgent_reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The current urgent flag: when it was raised, and who on the duty team saw it and when.
    # A new risk raises it again and clears "seen"; each flag's history is in its events.
    urgent_since_utc: Mapped[datetime | None] = mapped_column(index=True)
    urgent_seen_by: Mapped[str | None] = mapped_column(String(254))
    urgent_seen_utc: Mapped[datetime | None]
    # Sent again to the out-of-hours address when nobody saw the alert in time.
    urgent_escalated_utc: Mapped[datetime | None]
    # A keyed hash of the email or mobile number given (never the address itself), so "I lost
    # my link" can find the complaint without searching what people wrote.
    contact_lookup: Mapped[str | None] = mapped_column(String(64), index=True)
    # The person's answer to "Is it safe for messages to come to this phone or email?"
    contact_safe: Mapped[bool | None]
    legal_hold: Mapped[bool] = mapped_column(default=False)
    anonymised_utc: Mapped[datetime | None]

    # How it reached the council: the portal, or logged by staff from a call, letter …
    arrived_by: Mapped[str] = mapped_column(String(20), default="portal", index=True)

    # Kept up to date by casework.advance, so nothing replays events to say where a case is.
    stage: Mapped[str] = mapped_column(String(20), default="triage", index=True)
    step: Mapped[str] = mapped_column(String(30), default="triage", index=True)
    next_deadline_on: Mapped[date | None] = mapped_column(Date, index=True)
    next_due_what: Mapped[str | None] = mapped_column(String(30), default="acknowledge")
    procedure: Mapped[str] = mapped_column(String(20), default="statutory")
    # What the annual report counts, kept by casework from the events (portal/milestones.py).
    ended_as: Mapped[str | None] = mapped_column(String(40))  # the ending event's type
    stage_1_extended_on: Mapped[date | None] = mapped_column(Date, index=True)
    stage_1_answered_on: Mapped[date | None] = mapped_column(Date)
    stage_1_timeliness: Mapped[str | None] = mapped_column(String(12))
    stage_2_requested_on: Mapped[date | None] = mapped_column(Date, index=True)
    stage_2_extended_on: Mapped[date | None] = mapped_column(Date, index=True)
    stage_2_answered_on: Mapped[date | None] = mapped_column(Date, index=True)
    stage_2_timeliness: Mapped[str | None] = mapped_column(String(12))
    stage_3_requested_on: Mapped[date | None] = mapped_column(Date, index=True)
    panel_on: Mapped[date | None] = mapped_column(Date, index=True)
    panel_timeliness: Mapped[str | None] = mapped_column(String(12))
    ombudsman_enquiry_on: Mapped[date | None] = mapped_column(Date, index=True)
    ombudsman_decided_on: Mapped[date | None] = mapped_column(Date, index=True)
    ombudsman_decision: Mapped[str | None] = mapped_column(String(40))
    ombudsman_remedy: Mapped[bool | None]
    assigned_to_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_user.id", ondelete="SET NULL"), index=True
    )
    # Optimistic locking: a second editor working from an old copy is told, not overwritten.
    version: Mapped[int] = mapped_column(default=1)
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy's own API
    outcomes_sought: Mapped[list[str]] = mapped_column(JSON)
    outcome_words: Mapped[str | None] = mapped_column(Text)

    # Only when an advocate complains on a young person's instructions.
    advocate_name: Mapped[str | None] = mapped_column(String(100))
    advocate_organisation: Mapped[str | None] = mapped_column(String(150))
    advocate_email: Mapped[str | None] = mapped_column(String(254))
    advocate_phone: Mapped[str | None] = mapped_column(String(30))
    child_words: Mapped[str | None] = mapped_column(Text)

    events: Mapped[list[Event]] = relationship(
        back_populates="complaint", order_by="Event.id", cascade="all, delete-orphan"
    )
    points: Mapped[list[ComplaintPoint]] = relationship(
        back_populates="complaint", order_by="ComplaintPoint.position", cascade="all, delete-orphan"
    )
    advocacy_referral: Mapped[AdvocacyReferral | None] = relationship(
        back_populates="complaint", cascade="all, delete-orphan"
    )
    outbox: Mapped[list[OutboxMessage]] = relationship(
        order_by="OutboxMessage.id", back_populates="complaint"
    )
    assigned_to: Mapped[StaffUser | None] = relationship()


def _fixed(value: Any) -> Any:
    """A constant written into the SQL itself, never sent as a parameter: the tracker's index
    below only matches a query (its ORDER BY and its WHERE) that spells out the same constants,
    on PostgreSQL and on SQLite alike."""
    return literal(value, literal_execute=True)


# The cases the tracker lists unless a stage is chosen: everything open, and closed cases
# withdrawn from the private link that staff still have to check.
TRACKER_LISTED = or_(
    Complaint.stage != _fixed(Stage.CLOSED.value), Complaint.withdrawal_to_check.is_(True)
)


def tracker_order() -> list[tuple[Any, bool]]:
    """The tracker's order, as (expression, descending) pairs: unseen urgent flags first (the
    longest waiting first; a flag with no start on record has waited at least as long as any
    other), then seen ones, then withdrawals to check, triage, and the next deadline (none
    last), and the id so every page is stable. ix_complaint_tracker holds exactly these keys."""
    urgent = Complaint.urgent.is_(True)
    return [
        (
            case(
                (and_(urgent, Complaint.urgent_seen_utc.is_(None)), _fixed(0)),
                (urgent, _fixed(1)),
                else_=_fixed(2),
            ),
            False,
        ),
        (
            case((and_(urgent, Complaint.urgent_since_utc.is_(None)), _fixed(0)), else_=_fixed(1)),
            False,
        ),
        (case((urgent, Complaint.urgent_since_utc), else_=None), False),
        (Complaint.withdrawal_to_check, True),
        (case((Complaint.stage == _fixed(Stage.TRIAGE.value), _fixed(0)), else_=_fixed(1)), False),
        (Complaint.next_deadline_on.is_(None), False),
        (Complaint.next_deadline_on, False),
        (Complaint.id, False),
    ]


def _index_key(key: Any, descending: bool) -> Any:
    key = Grouping(key) if isinstance(key, Case) else key  # PostgreSQL wants it in brackets
    return key.desc() if descending else key


# The tracker reads a page's ids straight from this index, in order, and counts the listed
# cases from it, instead of sorting every open case on each request (migration 0015). What the
# filters and the order read is in it too, so PostgreSQL never visits the cases it skips.
TRACKER_INCLUDES = (
    "urgent",
    "urgent_seen_utc",
    "urgent_since_utc",
    "stage",
    "assigned_to_id",
    "next_due_what",
)
Index(
    "ix_complaint_tracker",
    *(_index_key(key, descending) for key, descending in tracker_order()),
    postgresql_where=TRACKER_LISTED,
    postgresql_include=list(TRACKER_INCLUDES),
    sqlite_where=TRACKER_LISTED,
)


class ComplaintPoint(Base):
    """One thing the person is unhappy about; each point follows its own procedure."""

    __tablename__ = "complaint_point"
    # The report counts a period's points by theme and service area from this index alone.
    __table_args__ = (Index("ix_complaint_point_report", "complaint_id", "theme", "service_area"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(
        ForeignKey("complaint.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int]
    topic: Mapped[str] = mapped_column(String(40))
    description: Mapped[str | None] = mapped_column(Text)
    procedure: Mapped[str] = mapped_column(String(30), index=True)
    procedure_reason: Mapped[str] = mapped_column(String(60))
    # Reg 8: one point can wait for a court case or police investigation while the rest go on.
    held_reason: Mapped[str | None] = mapped_column(String(30))
    # From the council's own lists (settings), set at triage: what the reports count by.
    theme: Mapped[str | None] = mapped_column(String(40), index=True)
    service_area: Mapped[str | None] = mapped_column(String(40), index=True)

    complaint: Mapped[Complaint] = relationship(back_populates="points")
    outcomes: Mapped[list[PointOutcome]] = relationship(
        back_populates="point", order_by="PointOutcome.id", cascade="all, delete-orphan"
    )


class PointOutcome(Base):
    """What one stage (or the end of a case) decided on one point: typed, so reports can count
    outcomes and remedies with one query."""

    __tablename__ = "point_outcome"
    __table_args__ = (
        Index("ix_point_outcome_stage_outcome", "stage", "outcome"),
        # The report's outcomes per point for a period's complaints, from the index alone.
        Index("ix_point_outcome_report", "complaint_id", "stage", "outcome"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    point_id: Mapped[int] = mapped_column(
        ForeignKey("complaint_point.id", ondelete="CASCADE"), index=True
    )
    complaint_id: Mapped[int] = mapped_column(
        ForeignKey("complaint.id", ondelete="CASCADE"), index=True
    )
    event_id: Mapped[int | None] = mapped_column(ForeignKey("event.id", ondelete="SET NULL"))
    stage: Mapped[str] = mapped_column(String(20))
    outcome: Mapped[str] = mapped_column(String(20))
    remedies: Mapped[list[str]] = mapped_column(JSON, default=list)  # Remedy values
    remedy: Mapped[str | None] = mapped_column(Text)  # what will be done, in plain words
    decided_on: Mapped[date] = mapped_column(Date, index=True)
    # An upheld point needs learning actions, or a recorded reason why none is needed.
    no_learning_reason: Mapped[str | None] = mapped_column(Text)

    point: Mapped[ComplaintPoint] = relationship(back_populates="outcomes")
    event: Mapped[Event | None] = relationship()


class AdvocacyReferral(Base):
    """A referral to the local advocacy service, made when a young person says yes (s26A)."""

    __tablename__ = "advocacy_referral"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(
        ForeignKey("complaint.id", ondelete="CASCADE"), unique=True
    )
    service_name: Mapped[str] = mapped_column(String(150))
    service_contact: Mapped[str] = mapped_column(String(250))
    made_utc: Mapped[datetime]

    complaint: Mapped[Complaint] = relationship(back_populates="advocacy_referral")


class Event(Base):
    """A past-tense fact about a complaint (see EventType)."""

    __tablename__ = "event"
    __table_args__ = (Index("ix_event_complaint_type", "complaint_id", "type"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaint.id", ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(String(40))
    at_utc: Mapped[datetime]  # when it was recorded
    happened_on: Mapped[date | None] = mapped_column(Date)  # the day staff said it happened
    actor: Mapped[str] = mapped_column(String(254))  # a staff email, or "complainant"
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    note: Mapped[str | None] = mapped_column(Text)

    complaint: Mapped[Complaint] = relationship(back_populates="events")


class HelpRequest(Base):
    """Someone pressed "I don't feel safe" and asked the council to contact them urgently."""

    __tablename__ = "help_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int | None] = mapped_column(
        ForeignKey("draft.id", ondelete="SET NULL"), index=True
    )
    complaint_id: Mapped[int | None] = mapped_column(
        ForeignKey("complaint.id", ondelete="SET NULL"), index=True
    )
    how: Mapped[str] = mapped_column(String(20))
    contact: Mapped[str | None] = mapped_column(String(254))
    # When it is safe to call, in their words, and whether a message may be left (None: not said).
    safe_times: Mapped[str | None] = mapped_column(String(200))
    leave_message: Mapped[bool | None]
    created_utc: Mapped[datetime]
    # Asking again from the same browser folds into this request (and its one alert).
    public_session_id: Mapped[int | None] = mapped_column(
        ForeignKey("public_session.id", ondelete="SET NULL"), index=True
    )
    times_asked: Mapped[int] = mapped_column(default=1)
    last_asked_utc: Mapped[datetime | None]
    escalated_utc: Mapped[datetime | None]  # sent again to the out-of-hours address

    complaint: Mapped[Complaint | None] = relationship()


class PublicSession(Base):
    """One browser's visit to the public pages, ended on the server by Exit or by age.

    The cookie carries a random key; only its SHA-256 is stored, so a copy of the database
    cannot be turned into a working session.
    """

    __tablename__ = "public_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_utc: Mapped[datetime]
    seen_utc: Mapped[datetime] = mapped_column(index=True)
    ended_utc: Mapped[datetime | None]


class StatusLink(Base):
    """A short private link: a random secret, of which only the SHA-256 is kept (as in GOV.UK
    Notify), for one complaint at one link version, until `expires_utc`.

    Bumping the complaint's `status_link_version` switches every row made before it off.
    """

    __tablename__ = "status_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(
        ForeignKey("complaint.id", ondelete="CASCADE"), index=True
    )
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    link_version: Mapped[int]
    created_utc: Mapped[datetime]
    expires_utc: Mapped[datetime]

    complaint: Mapped[Complaint] = relationship()


class OutboxMessage(Base):
    """A message to send, written in the same transaction as the change that causes it.

    The sender (portal/outbox/) claims rows, delivers them at least once and records what
    happened; `idempotency_key` goes to the provider so a retry never makes a second copy.
    """

    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_message_status_next", "status", "next_attempt_utc"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(10), default="email")  # email or sms
    audience: Mapped[str] = mapped_column(String(20), default="staff")  # complainant, duty …
    language: Mapped[str] = mapped_column(String(10), default="en")
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    complaint_id: Mapped[int | None] = mapped_column(
        ForeignKey("complaint.id", ondelete="SET NULL"), index=True
    )
    help_request_id: Mapped[int | None] = mapped_column(
        ForeignKey("help_request.id", ondelete="SET NULL")
    )
    created_utc: Mapped[datetime]
    idempotency_key: Mapped[str] = mapped_column(
        String(64), unique=True, default=lambda: secrets.token_hex(16)
    )
    # queued → sent, or failed after the last try, or not_sendable (a text with no text route)
    status: Mapped[str] = mapped_column(String(20), default="queued")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_utc: Mapped[datetime | None]  # None: as soon as possible
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_until_utc: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(300))  # never personal data
    provider_ref: Mapped[str | None] = mapped_column(String(100))
    sent_utc: Mapped[datetime | None] = mapped_column(index=True)
    failed_utc: Mapped[datetime | None]

    complaint: Mapped[Complaint | None] = relationship(back_populates="outbox")


class LearningAction(Base):
    """What will change because a point was upheld (or the Ombudsman found fault), tracked
    until a manager signs it off with evidence."""

    __tablename__ = "learning_action"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(
        ForeignKey("complaint.id", ondelete="CASCADE"), index=True
    )
    point_id: Mapped[int | None] = mapped_column(
        ForeignKey("complaint_point.id", ondelete="SET NULL"), index=True
    )
    what: Mapped[str] = mapped_column(Text)
    owner_name: Mapped[str] = mapped_column(String(120))
    owner_team: Mapped[str] = mapped_column(String(120))
    due_on: Mapped[date] = mapped_column(Date, index=True)
    evidence: Mapped[str | None] = mapped_column(Text)
    completed_on: Mapped[date | None] = mapped_column(Date, index=True)
    signed_off_by: Mapped[str | None] = mapped_column(String(254))
    signed_off_utc: Mapped[datetime | None]
    created_by: Mapped[str] = mapped_column(String(254))
    created_utc: Mapped[datetime]
    # "point": an upheld point's learning; "ombudsman": a remedy the Ombudsman asked for.
    source: Mapped[str] = mapped_column(String(20), default="point", server_default="point")


class Feedback(Base):
    """A compliment, or a comment or idea: counted in the annual report, with no statutory
    clock. Compliments name the team or person thanked; comments are answered."""

    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)  # "compliment" or "comment"
    received_on: Mapped[date] = mapped_column(Date, index=True)
    arrived_by: Mapped[str] = mapped_column(String(20))  # portal, card, email, phone, ...
    # Who gave it: "young_person" (a child, under 18), "parent", "carer", "professional",
    # "other" (the children/adults split of the report).
    from_group: Mapped[str] = mapped_column(String(20))
    language: Mapped[str] = mapped_column(String(5), default="en")
    message: Mapped[str] = mapped_column(Text)  # cleaned and screened (portal.text/safety)
    about: Mapped[str | None] = mapped_column(String(200))  # the person or team thanked
    team: Mapped[str | None] = mapped_column(String(40), index=True)  # a SERVICE_AREAS key
    # Only when they want an answer; removed by retention like a complaint's contact.
    contact: Mapped[str | None] = mapped_column(String(254))
    safety_flag: Mapped[bool] = mapped_column(default=False)
    answer: Mapped[str | None] = mapped_column(Text)
    answered_on: Mapped[date | None] = mapped_column(Date)
    answered_by: Mapped[str | None] = mapped_column(String(254))
    recorded_by: Mapped[str | None] = mapped_column(String(254))  # staff, or None: the portal
    created_utc: Mapped[datetime]


class AuditEntry(Base):
    """Who did what to which record, and when: never the content itself."""

    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    at_utc: Mapped[datetime] = mapped_column(index=True)
    actor: Mapped[str] = mapped_column(String(254))  # a staff email, or "complainant"
    action: Mapped[str] = mapped_column(String(60))
    target: Mapped[str] = mapped_column(String(60))
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)


class StaffUser(Base):
    """A council staff account. Passwords are scrypt hashes; sessions carry a version."""

    __tablename__ = "staff_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(20))
    # None until the person sets their own password through their one-time set-up link.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    # Bumped when a set-up link is used or a new one is made: older links stop working.
    setup_version: Mapped[int] = mapped_column(default=1)
    # Bumped on sign-out and when an account is disabled: every older session ends at once.
    session_version: Mapped[int] = mapped_column(default=1)
    failed_sign_ins: Mapped[int] = mapped_column(default=0)
    locked_until_utc: Mapped[datetime | None]
    disabled: Mapped[bool] = mapped_column(default=False)
    created_utc: Mapped[datetime]
    # Time-based one-time codes (RFC 6238). The secret is set when enrolment starts and only
    # counts once a first code confirms it; the last step used stops a code being replayed.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_confirmed_utc: Mapped[datetime | None]
    totp_last_step: Mapped[int | None]
    # Daily digests of their own cases (officers) and of overdue cases (managers).
    wants_digest: Mapped[bool] = mapped_column(default=True)

    recovery_codes: Mapped[list[RecoveryCode]] = relationship(
        back_populates="user", cascade="all, delete-orphan", order_by="RecoveryCode.id"
    )


class RecoveryCode(Base):
    """A single-use code for when the phone with the authenticator app is lost (hashed)."""

    __tablename__ = "staff_recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_user_id: Mapped[int] = mapped_column(
        ForeignKey("staff_user.id", ondelete="CASCADE"), index=True
    )
    code_hash: Mapped[str] = mapped_column(String(64))
    used_utc: Mapped[datetime | None]

    user: Mapped[StaffUser] = relationship(back_populates="recovery_codes")
