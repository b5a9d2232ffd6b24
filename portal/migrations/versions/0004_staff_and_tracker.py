"""Staff accounts, and the tracker's stage, next deadline, assignee and edit version

Revision ID: 0004
Revises: 0003

Existing complaints start in triage with their acknowledgement date as the next deadline,
worked out with the same working-day calendar the app uses.
"""

from datetime import date

import sqlalchemy as sa
from alembic import op

from portal.timescales import deadline_from_receipt

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

ACKNOWLEDGE_WORKING_DAYS = 5  # the default setting; a council's own value applies from now on


def upgrade() -> None:
    op.create_table(
        "staff_user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("session_version", sa.Integer(), nullable=False),
        sa.Column("failed_sign_ins", sa.Integer(), nullable=False),
        sa.Column("locked_until_utc", sa.DateTime(timezone=True), nullable=True),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("created_utc", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_user")),
        sa.UniqueConstraint("email", name=op.f("uq_staff_user_email")),
    )
    with op.batch_alter_table("complaint") as batch_op:
        batch_op.add_column(
            sa.Column("stage", sa.String(20), nullable=False, server_default="triage")
        )
        batch_op.add_column(sa.Column("next_deadline_on", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column("procedure", sa.String(20), nullable=False, server_default="statutory")
        )
        batch_op.add_column(sa.Column("assigned_to_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
        batch_op.create_index(batch_op.f("ix_complaint_stage"), ["stage"])
        batch_op.create_index(batch_op.f("ix_complaint_next_deadline_on"), ["next_deadline_on"])
        batch_op.create_index(batch_op.f("ix_complaint_assigned_to_id"), ["assigned_to_id"])
        batch_op.create_foreign_key(
            batch_op.f("fk_complaint_assigned_to_id_staff_user"),
            "staff_user",
            ["assigned_to_id"],
            ["id"],
            ondelete="SET NULL",
        )

    complaint = sa.table(
        "complaint",
        sa.column("id", sa.Integer),
        sa.column("received_on", sa.Date),
        sa.column("next_deadline_on", sa.Date),
    )
    bind = op.get_bind()
    for row in bind.execute(sa.select(complaint.c.id, complaint.c.received_on)).all():
        received = row.received_on
        if isinstance(received, str):  # SQLite hands back text here
            received = date.fromisoformat(received)
        bind.execute(
            complaint.update()
            .where(complaint.c.id == row.id)
            .values(next_deadline_on=deadline_from_receipt(received, ACKNOWLEDGE_WORKING_DAYS))
        )

    with op.batch_alter_table("complaint") as batch_op:
        batch_op.alter_column("stage", server_default=None)
        batch_op.alter_column("version", server_default=None)
        batch_op.alter_column("procedure", server_default=None)
    # The complaint's procedure: statutory if any point is, else corporate, else not_council.
    op.execute(
        "UPDATE complaint SET procedure = CASE"
        " WHEN EXISTS (SELECT 1 FROM complaint_point p WHERE p.complaint_id = complaint.id"
        " AND p.procedure = 'statutory') THEN 'statutory'"
        " WHEN EXISTS (SELECT 1 FROM complaint_point p WHERE p.complaint_id = complaint.id"
        " AND p.procedure = 'corporate') THEN 'corporate'"
        " WHEN EXISTS (SELECT 1 FROM complaint_point p WHERE p.complaint_id = complaint.id)"
        " THEN 'not_council' ELSE 'statutory' END"
    )
    # Complaints that already ended are closed, with no deadline left.
    op.execute(
        "UPDATE complaint SET stage = 'closed', next_deadline_on = NULL WHERE EXISTS"
        " (SELECT 1 FROM event e WHERE e.complaint_id = complaint.id"
        " AND e.type IN ('complaint_closed', 'complaint_withdrawn'))"
    )


def downgrade() -> None:
    with op.batch_alter_table("complaint") as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_complaint_assigned_to_id_staff_user"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_complaint_assigned_to_id"))
        batch_op.drop_index(batch_op.f("ix_complaint_next_deadline_on"))
        batch_op.drop_index(batch_op.f("ix_complaint_stage"))
        for name in ["version", "assigned_to_id", "procedure", "next_deadline_on", "stage"]:
            batch_op.drop_column(name)
    op.drop_table("staff_user")
