"""The annual report's typed columns on each complaint, filled from its events

Revision ID: 0013
Revises: 0012

How a case ended, when it was extended, escalated, answered at Stage 2 (and whether on time),
when its review panel met (and whether on time), and the Ombudsman's enquiry and decision:
kept by casework from now on (`portal.milestones`, called by `casework._keep_columns`), and
filled here for every case that moved before, by the same fold over its events.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

from portal import milestones, stages
from portal.stages import Fact, Timescales

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

BATCH = 500
LONDON = ZoneInfo("Europe/London")

DATES = (
    "stage_1_extended_on",
    "stage_1_answered_on",
    "stage_2_requested_on",
    "stage_2_extended_on",
    "stage_2_answered_on",
    "stage_3_requested_on",
    "panel_on",
    "ombudsman_enquiry_on",
    "ombudsman_decided_on",
)
INDEXED = tuple(name for name in DATES if name != "stage_1_answered_on")
WORDS = {
    "ended_as": 40,
    "stage_1_timeliness": 12,
    "stage_2_timeliness": 12,
    "panel_timeliness": 12,
    "ombudsman_decision": 40,
}

# What the report reads for a period's complaints, in one covering index (as in models.py,
# written out here so this revision never changes).
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

complaint = sa.table(
    "complaint",
    sa.column("id", sa.Integer),
    sa.column("received_on", sa.Date),
    *(sa.column(name, sa.Date) for name in DATES),
    *(sa.column(name, sa.String) for name in WORDS),
    sa.column("ombudsman_remedy", sa.Boolean),
)
event = sa.table(
    "event",
    sa.column("id", sa.Integer),
    sa.column("complaint_id", sa.Integer),
    sa.column("type", sa.String),
    sa.column("at_utc", sa.DateTime(timezone=True)),
    sa.column("happened_on", sa.Date),
    sa.column("data", sa.JSON),
    sa.column("note", sa.Text),
)
point = sa.table(
    "complaint_point",
    sa.column("complaint_id", sa.Integer),
    sa.column("procedure", sa.String),
)


def upgrade() -> None:
    with op.batch_alter_table("complaint") as batch_op:
        for name in DATES:
            batch_op.add_column(sa.Column(name, sa.Date(), nullable=True))
        for name, length in WORDS.items():
            batch_op.add_column(sa.Column(name, sa.String(length=length), nullable=True))
        batch_op.add_column(sa.Column("ombudsman_remedy", sa.Boolean(), nullable=True))
        for name in INDEXED:
            batch_op.create_index(batch_op.f(f"ix_complaint_{name}"), [name])
        batch_op.create_index("ix_complaint_report", list(REPORT_INDEX))
    op.create_index(
        "ix_complaint_point_report", "complaint_point", ["complaint_id", "theme", "service_area"]
    )
    op.create_index(
        "ix_point_outcome_report",
        "point_outcome",
        ["complaint_id", "stage", "outcome"],
    )
    backfill(op.get_bind())


def downgrade() -> None:
    op.drop_index("ix_point_outcome_report", table_name="point_outcome")
    op.drop_index("ix_complaint_point_report", table_name="complaint_point")
    with op.batch_alter_table("complaint") as batch_op:
        batch_op.drop_index("ix_complaint_report")
        for name in INDEXED:
            batch_op.drop_index(batch_op.f(f"ix_complaint_{name}"))
        for name in (*DATES, *WORDS, "ombudsman_remedy"):
            batch_op.drop_column(name)


def _timescales() -> Timescales:
    try:
        from flask import current_app, has_app_context

        if has_app_context():
            config = current_app.config
            return Timescales(
                config["ACKNOWLEDGE_WORKING_DAYS"],
                config["STAGE1_WORKING_DAYS"],
                config["STAGE2_SETUP_WORKING_DAYS"],
                config["RECEIVED_ON_A_NON_WORKING_DAY"],
            )
    except (ImportError, KeyError):  # pragma: no cover - a bare Alembic run
        pass
    return Timescales()


def _fact(kind: str, at_utc, happened_on, data, note) -> Fact:
    data = data if isinstance(data, dict) else {}
    on = happened_on or (date.fromisoformat(data["on"]) if data.get("on") else None)
    if on is None:
        moment = at_utc if isinstance(at_utc, datetime) else datetime.fromisoformat(str(at_utc))
        aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        on = aware.astimezone(LONDON).date()
    return Fact(kind, on, data, note)


def backfill(bind: sa.engine.Connection) -> int:
    """Fill the columns of every case with a stage move on record, a batch at a time."""
    moves = [str(t.event) for t in stages.TRANSITIONS.values()]
    timescales = _timescales()
    filled, after = 0, 0
    while True:
        ids = bind.scalars(
            sa.select(complaint.c.id)
            .where(complaint.c.id > after)
            .where(
                sa.exists().where(event.c.complaint_id == complaint.c.id, event.c.type.in_(moves))
            )
            .order_by(complaint.c.id)
            .limit(BATCH)
        ).all()
        if not ids:
            return filled
        received = dict(
            bind.execute(
                sa.select(complaint.c.id, complaint.c.received_on).where(complaint.c.id.in_(ids))
            ).all()
        )
        procedures: dict[int, list[str]] = {}
        for complaint_id, procedure in bind.execute(
            sa.select(point.c.complaint_id, point.c.procedure).where(point.c.complaint_id.in_(ids))
        ):
            procedures.setdefault(complaint_id, []).append(procedure)
        facts: dict[int, list[Fact]] = {}
        for row in bind.execute(
            sa.select(
                event.c.complaint_id,
                event.c.type,
                event.c.at_utc,
                event.c.happened_on,
                event.c.data,
                event.c.note,
            )
            .where(event.c.complaint_id.in_(ids))
            .order_by(event.c.id)
        ):
            facts.setdefault(row[0], []).append(_fact(*row[1:]))
        for complaint_id in ids:
            values = milestones.fold(
                _as_date(received[complaint_id]),
                stages.overall_procedure(procedures.get(complaint_id, [])),
                facts.get(complaint_id, []),
                timescales,
            )
            bind.execute(complaint.update().where(complaint.c.id == complaint_id).values(**values))
            filled += 1
        after = ids[-1]


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))
