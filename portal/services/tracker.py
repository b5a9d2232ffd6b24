"""The staff case tracker: one list, urgent and triage first, sorted by the next deadline.

Urgent cases nobody has seen come first, the longest waiting first; then urgent cases someone
has seen; then everything else as before (withdrawals to check, triage, the next deadline).
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, insert, select

from portal.clock import LONDON, now_utc, today_local
from portal.extensions import db
from portal.models import TRACKER_LISTED, Complaint, ComplaintPoint, StaffUser, tracker_order
from portal.references import new_reference
from portal.services.safety import concept_words
from portal.stages import DUE_FOR
from portal.timescales import deadline_from_receipt, working_days_between, working_days_until
from portal.types import Role, StaffRole, Stage

PER_PAGE = 50
AMBER_WITHIN = 3  # working days

YOUNG_PEOPLE = {
    Role.LOOKED_AFTER_CHILD,
    Role.CHILD_IN_NEED,
    Role.CARE_LEAVER,
    Role.SGO_CHILD,
    Role.ADOPTION_CHILD,
    Role.YOUNG_PERSON_UNSURE,
    Role.YOUNG_HELPER,
}
PARENTS = {Role.PARENT, Role.SPECIAL_GUARDIAN, Role.SGO_PARENT, Role.ADOPTER, Role.BIRTH_PARENT}


def complainant_group(role: str) -> str:
    """Who complained, in the groups the annual report uses."""
    if role in YOUNG_PEOPLE:
        return "young_person"
    if role == Role.ADVOCATE:
        return "with_advocate"
    if role in PARENTS:
        return "parent"
    if role == Role.FOSTER_CARER:
        return "foster_carer"
    return "other"


@dataclass(frozen=True)
class Filters:
    stage: str | None = None
    overdue: bool = False
    due_this_week: bool = False
    unassigned: bool = False
    urgent: bool = False
    mine: bool = False
    reference: str | None = None
    due_what: str | None = None  # what the next deadline is for (portal/stages.py DUE_FOR)
    topic: str | None = None  # a complaint point's topic


@dataclass(frozen=True)
class Row:
    reference: str
    received_on: date
    group: str
    procedure: str
    stage: str
    next_deadline_on: date | None
    days_left: int | None
    rag: str | None
    urgent: bool
    assigned_to: str | None
    # Withdrawn from the private link: staff check with the complainant (stays listed till then).
    to_check: bool = False
    # The current urgent flag: what was found (plain words), since when, and who has seen it.
    concepts: tuple[str, ...] = ()
    urgent_since: str | None = None  # "14:05" today, or "3 Mar, 14:05" before
    due_what: str | None = None  # what the next deadline is for (casework keeps the column)
    waited: str | None = None  # "3 hours"
    seen_by: str | None = None
    escalated: str | None = None  # when it was sent again to the out-of-hours team
    topics: tuple[str, ...] = ()  # the topics of its points, in order


@dataclass(frozen=True)
class TrackerPage:
    rows: list[Row]
    total: int
    page: int
    pages: int


def _rag(days_left: int | None) -> str | None:
    if days_left is None:
        return None
    if days_left < 0:
        return "red"
    return "amber" if days_left <= AMBER_WITHIN else "green"


@dataclass(frozen=True)
class Countdown:
    days_left: int | None
    rag: str | None


def working_days_since(day: date | None) -> int | None:
    """Working days from `day` to today (how long something has waited)."""
    return None if day is None else working_days_between(day, today_local())


def countdown(deadline: date | None) -> Countdown:
    """Working days left to a deadline, and its red/amber/green state."""
    if deadline is None:
        return Countdown(None, None)
    days = working_days_until(today_local(), deadline)
    return Countdown(days, _rag(days))


def _filtered(query, filters: Filters, viewer: StaffUser, today: date):
    if viewer.role == StaffRole.INVESTIGATOR:
        query = query.where(Complaint.assigned_to_id == viewer.id)
    prefix = _reference_prefix(filters.reference)
    if filters.stage in set(Stage):
        query = query.where(Complaint.stage == filters.stage)
    elif not prefix:  # a search by reference finds closed cases too
        query = query.where(TRACKER_LISTED)  # as ix_complaint_tracker's own WHERE
    if filters.overdue:
        query = query.where(Complaint.next_deadline_on < today)
    if filters.due_this_week:
        week_end = today + timedelta(days=6 - today.weekday())
        query = query.where(Complaint.next_deadline_on.between(today, week_end))
    if filters.unassigned:
        query = query.where(Complaint.assigned_to_id.is_(None))
    if filters.urgent:
        query = query.where(Complaint.urgent.is_(True))
    if filters.mine:
        query = query.where(Complaint.assigned_to_id == viewer.id)
    query = _what_is_due_and_topic(query, filters)
    if prefix:
        # A range rather than LIKE, so the unique index on reference does the work.
        query = query.where(Complaint.reference >= prefix, Complaint.reference < prefix + "~")
    return query


def _what_is_due_and_topic(query, filters: Filters):
    if filters.due_what in DUE_FOR:
        query = query.where(Complaint.next_due_what == filters.due_what)
    if filters.topic:
        about = ComplaintPoint.complaint_id == Complaint.id, ComplaintPoint.topic == filters.topic
        query = query.where(select(ComplaintPoint.id).where(*about).exists())
    return query


def waited(since: datetime, now: datetime) -> str:
    """How long a flag has waited, the way people say it: "5 minutes", "3 hours", "2 days"."""
    minutes = max(0, int((now - since).total_seconds() // 60))
    if minutes < 1:
        return "less than a minute"
    if minutes < 60:
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    hours = minutes // 60
    if hours < 48:
        return f"{hours} hour{'s' if hours != 1 else ''}"
    return f"{hours // 24} days"


def since_words(since: datetime, now: datetime) -> str:
    """When a flag was raised, in UK time and always with its day: "today, 14:05",
    "3 Mar, 14:05", or "3 Mar 2025, 14:05" in another year."""
    since = since if since.tzinfo else since.replace(tzinfo=UTC)
    now = now if now.tzinfo else now.replace(tzinfo=UTC)
    local, today = since.astimezone(LONDON), now.astimezone(LONDON)
    if local.date() == today.date():
        return f"today ({local.day} {local:%b}), {local:%H:%M}"
    year = f" {local.year}" if local.year != today.year else ""
    return f"{local.day} {local:%b}{year}, {local:%H:%M}"


def _order(backwards: bool = False) -> list:
    """The tracker's order (portal/models.py tracker_order, which its index holds), or the
    exact reverse of it, so the last pages are read from the end of the index."""
    return [
        key.desc() if descending != backwards else key.asc() for key, descending in tracker_order()
    ]


def _reference_prefix(typed: str | None) -> str:
    """The start of a reference as stored ("abcd ef" -> "ABCD-EF"), however it was typed."""
    cleaned = "".join(ch for ch in (typed or "").upper() if ch.isalnum())[:8]
    return cleaned[:4] + "-" + cleaned[4:] if len(cleaned) > 4 else cleaned


def list_cases(filters: Filters, viewer: StaffUser, page: int = 1) -> TrackerPage:
    """Return one page of the tracker for this member of staff."""
    today = today_local()
    total = (
        db.session.scalar(_filtered(select(func.count(Complaint.id)), filters, viewer, today)) or 0
    )
    pages = max(1, -(-total // PER_PAGE))
    page = min(max(page, 1), pages)
    start = (page - 1) * PER_PAGE
    end = min(start + PER_PAGE, total)
    # The last pages are the first ones read backwards: no page skips more than half the list.
    backwards = start > total - end
    # The page's ids are read in order from ix_complaint_tracker alone (the cases skipped over
    # are never read); only then are those cases' columns read.
    ids = (
        _filtered(select(Complaint.id), filters, viewer, today)
        .order_by(*_order(backwards))
        .limit(max(end - start, 1) if backwards else PER_PAGE)
        .offset(total - end if backwards else start)
        .subquery("page")
    )
    query = (
        select(
            Complaint.id,
            Complaint.reference,
            Complaint.received_on,
            Complaint.complainant_role,
            Complaint.procedure,
            Complaint.stage,
            Complaint.next_deadline_on,
            Complaint.next_due_what,
            Complaint.urgent,
            StaffUser.name,
            Complaint.withdrawal_to_check,
            Complaint.urgent_reasons,
            Complaint.urgent_since_utc,
            Complaint.urgent_seen_by,
            Complaint.urgent_escalated_utc,
        )
        .join(ids, ids.c.id == Complaint.id)
        .outerjoin(StaffUser, StaffUser.id == Complaint.assigned_to_id)
        .order_by(*_order())
    )
    now = now_utc()
    found = list(db.session.execute(query))
    topics = _topics([r.id for r in found])
    rows = [_row(r, now, topics.get(r.id, ())) for r in found]
    return TrackerPage(rows, total, page, pages)


def _topics(ids: list[int]) -> dict[int, tuple[str, ...]]:
    """The topics of each listed case's points, in order, without repeats (one query)."""
    if not ids:
        return {}
    found: dict[int, list[str]] = {}
    for complaint_id, topic in db.session.execute(
        select(ComplaintPoint.complaint_id, ComplaintPoint.topic)
        .where(ComplaintPoint.complaint_id.in_(ids))
        .order_by(ComplaintPoint.complaint_id, ComplaintPoint.position)
    ):
        listed = found.setdefault(complaint_id, [])
        if topic not in listed:
            listed.append(topic)
    return {k: tuple(v) for k, v in found.items()}


def _row(r, now: datetime, topics: tuple[str, ...] = ()) -> Row:
    clock = countdown(r.next_deadline_on)
    since = r.urgent_since_utc if r.urgent else None
    return Row(
        r.reference,
        r.received_on,
        complainant_group(r.complainant_role),
        r.procedure,
        r.stage,
        r.next_deadline_on,
        clock.days_left,
        clock.rag,
        r.urgent,
        r.name,
        r.withdrawal_to_check,
        concepts=tuple(concept_words(r.urgent_reasons or [])) if r.urgent else (),
        urgent_since=since_words(since, now) if since else None,
        waited=waited(since, now) if since else None,
        seen_by=r.urgent_seen_by if r.urgent else None,
        due_what=r.next_due_what,
        topics=topics,
        escalated=(
            since_words(r.urgent_escalated_utc, now)
            if r.urgent and r.urgent_escalated_utc
            else None
        ),
    )


def unsent_alerts(show: int = 20):
    """The messages panel on the tracker: what failed or cannot be sent (with "Try again"),
    and what still waits to be sent and for how long (portal/services/outbox.py)."""
    from portal.services import outbox  # it words waits with `waited`, from here

    return outbox.panel(show)


def seed(count: int, seed_value: int = 2026, batch: int = 5000) -> int:
    """Insert `count` made-up complaints spread over five years (for load testing only).

    Like a real council's records: almost everything older than six months is closed, a few
    old cases are still at Stage 2, Stage 3 or with the Ombudsman, and recent ones are open.
    """
    rng = random.Random(seed_value)  # noqa: S311 - made-up data, not secrets
    today = today_local()
    roles = [r.value for r in Role]
    recent = [Stage.TRIAGE, Stage.STAGE_1, Stage.STAGE_1, Stage.STAGE_2, Stage.CLOSED]
    lingering = [Stage.STAGE_2, Stage.STAGE_3, Stage.OMBUDSMAN]
    taken = set(db.session.scalars(select(Complaint.reference)))
    made = 0
    while made < count:
        rows = []
        for _ in range(min(batch, count - made)):
            age = rng.randint(0, 5 * 365)
            if age < 182:
                stage = rng.choice(recent)
            else:
                stage = rng.choice(lingering) if rng.random() < 0.02 else Stage.CLOSED
            row = _seed_row(rng, today - timedelta(days=age), stage, roles)
            while row["reference"] in taken:  # 21^8 references: 100,000 will meet twice
                row["reference"] = new_reference()
            taken.add(row["reference"])
            rows.append(row)
        db.session.execute(insert(Complaint), rows)
        db.session.commit()
        made += len(rows)
    if db.engine.dialect.name == "postgresql":
        # What autovacuum does to a table in use: statistics, and the visibility map that lets
        # the tracker count from its index alone. Freshly loaded, the count reads every row.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM (ANALYZE) complaint")
    return made


def _seed_row(rng: random.Random, received: date, stage: str, roles: list[str]) -> dict:
    deadline = (
        None
        if stage == Stage.CLOSED
        else deadline_from_receipt(received, rng.choice([5, 10, 20, 25, 65]))
    )
    return {
        "public_id": secrets.token_hex(16),
        "reference": new_reference(),
        "journey": "complaint",
        "voice": "self",
        "complainant_role": rng.choice(roles),
        "contact_method": "link_only",
        "answers": {},
        "received_on": received,
        "received_utc": now_utc(),
        "status_link_version": 1,
        "eligibility": "as_of_right",
        "eligibility_reason": "seeded",
        "time_limit": "in_time",
        "time_limit_reason": "seeded",
        "legal_proceedings": "none",
        "legal_proceedings_reason": "seeded",
        "consent": "not_needed",
        "consent_reason": "seeded",
        "advocacy": "not_wanted",
        **_seed_urgency(rng),
        "outcomes_sought": [],
        "legal_hold": False,
        "stage": stage,
        "next_deadline_on": deadline,
        "procedure": rng.choice(["statutory", "statutory", "corporate"]),
        "version": 1,
    }


_URGENT_COLUMNS = ("urgent_since_utc", "urgent_seen_by", "urgent_seen_utc")


def _seed_urgency(rng: random.Random) -> dict:
    """About 2% urgent, some seen already, each with a made-up concept and start."""
    if rng.random() >= 0.02:
        return dict.fromkeys(_URGENT_COLUMNS) | {"urgent": False, "urgent_reasons": []}
    since = now_utc() - timedelta(minutes=rng.randint(5, 60 * 24 * 3))
    seen = rng.random() < 0.5
    return {
        "urgent": True,
        "urgent_reasons": [rng.choice(["harm_from_others", "self_harm", "immediate_danger"])],
        "urgent_since_utc": since,
        "urgent_seen_by": "seed@council.example" if seen else None,
        "urgent_seen_utc": since + timedelta(minutes=5) if seen else None,
    }
