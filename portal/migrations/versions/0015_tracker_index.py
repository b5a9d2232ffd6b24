"""The tracker reads its pages and its count from one index, in its own order

Revision ID: 0015
Revises: 0014

The tracker lists every open case (and closed ones withdrawn from the link, to check), urgent
and triage first, then by the next deadline. Without an index in that order, each page sorted
every open case and counted them with a scan of the whole table. This partial index holds only
the listed cases, keyed by the tracker's order (portal/models.py tracker_order), so a page is
read from it in order (the last pages from its end), and the count from the index alone.

Written out here, as in models.py, so this revision never changes. The constants are written
into the SQL: a query matches the index only when it spells them the same way.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.sql.elements import Grouping

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

complaint = sa.table(
    "complaint",
    sa.column("id", sa.Integer),
    sa.column("stage", sa.String),
    sa.column("withdrawal_to_check", sa.Boolean),
    sa.column("urgent", sa.Boolean),
    sa.column("urgent_since_utc", sa.DateTime(timezone=True)),
    sa.column("urgent_seen_utc", sa.DateTime(timezone=True)),
    sa.column("next_deadline_on", sa.Date),
)


# What the filters and the order read, so PostgreSQL answers from the index alone.
INCLUDES = (
    "urgent",
    "urgent_seen_utc",
    "urgent_since_utc",
    "stage",
    "assigned_to_id",
    "next_due_what",
)


def _keys() -> list:
    c = complaint.c
    urgent = c.urgent.is_(True)
    return [
        Grouping(sa.case((sa.and_(urgent, c.urgent_seen_utc.is_(None)), 0), (urgent, 1), else_=2)),
        Grouping(sa.case((sa.and_(urgent, c.urgent_since_utc.is_(None)), 0), else_=1)),
        Grouping(sa.case((urgent, c.urgent_since_utc), else_=None)),
        c.withdrawal_to_check.desc(),
        Grouping(sa.case((c.stage == "triage", 0), else_=1)),
        c.next_deadline_on.is_(None),
        c.next_deadline_on,
        c.id,
    ]


def upgrade() -> None:
    c = complaint.c
    listed = sa.or_(c.stage != "closed", c.withdrawal_to_check.is_(True))
    op.create_index(
        "ix_complaint_tracker",
        "complaint",
        _keys(),
        postgresql_where=listed,
        postgresql_include=list(INCLUDES),
        sqlite_where=listed,
    )


def downgrade() -> None:
    op.drop_index("ix_complaint_tracker", table_name="complaint")
