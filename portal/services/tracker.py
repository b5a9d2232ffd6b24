"""The staff case tracker: one list, urgent and triage first, sorted by the next deadline."""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import case, func, insert, or_, select
from sqlalchemy.orm import selectinload

from portal.clock import now_utc, today_local
from portal.extensions import db
from portal.models import Complaint, OutboxMessage, StaffUser
from portal.references import new_reference
from portal.timescales import deadline_from_receipt, working_days_until
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
        query = query.where(
            or_(Complaint.stage != Stage.CLOSED, Complaint.withdrawal_to_check.is_(True))
        )
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
    if prefix:
        # A range rather than LIKE, so the unique index on reference does the work.
        query = query.where(Complaint.reference >= prefix, Complaint.reference < prefix + "~")
    return query


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
    query = (
        _filtered(
            select(
                Complaint.reference,
                Complaint.received_on,
                Complaint.complainant_role,
                Complaint.procedure,
                Complaint.stage,
                Complaint.next_deadline_on,
                Complaint.urgent,
                StaffUser.name,
                Complaint.withdrawal_to_check,
            ).outerjoin(StaffUser, StaffUser.id == Complaint.assigned_to_id),
            filters,
            viewer,
            today,
        )
        .order_by(
            Complaint.urgent.desc(),
            Complaint.withdrawal_to_check.desc(),
            case((Complaint.stage == Stage.TRIAGE, 0), else_=1),
            Complaint.next_deadline_on.is_(None),
            Complaint.next_deadline_on,
            Complaint.id,
        )
        .limit(PER_PAGE)
        .offset((page - 1) * PER_PAGE)
    )
    rows = []
    for r in db.session.execute(query):
        clock = countdown(r.next_deadline_on)
        rows.append(
            Row(
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
            )
        )
    return TrackerPage(rows, total, page, pages)


@dataclass(frozen=True)
class Alerts:
    newest: list[OutboxMessage]
    total: int


def unsent_alerts(show: int = 20) -> Alerts:
    """Alerts still waiting to be sent, newest first: shown in the tracker so none is missed."""
    waiting = OutboxMessage.sent_utc.is_(None)
    total = db.session.scalar(select(func.count(OutboxMessage.id)).where(waiting)) or 0
    newest = db.session.scalars(
        select(OutboxMessage)
        .where(waiting)
        .options(selectinload(OutboxMessage.complaint))
        .order_by(OutboxMessage.id.desc())
        .limit(show)
    )
    return Alerts(list(newest), total)


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
        "urgent": rng.random() < 0.02,
        "urgent_reasons": [],
        "outcomes_sought": [],
        "legal_hold": False,
        "stage": stage,
        "next_deadline_on": deadline,
        "procedure": rng.choice(["statutory", "statutory", "corporate"]),
        "version": 1,
    }
