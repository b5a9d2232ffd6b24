"""The annual report: themes and service areas per point, and learning actions

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("complaint_point") as batch_op:
        batch_op.add_column(sa.Column("theme", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("service_area", sa.String(length=40), nullable=True))
        batch_op.create_index(batch_op.f("ix_complaint_point_theme"), ["theme"])
        batch_op.create_index(batch_op.f("ix_complaint_point_service_area"), ["service_area"])
    with op.batch_alter_table("point_outcome") as batch_op:
        batch_op.add_column(sa.Column("no_learning_reason", sa.Text(), nullable=True))
    op.create_table(
        "learning_action",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("complaint_id", sa.Integer(), nullable=False),
        sa.Column("point_id", sa.Integer(), nullable=True),
        sa.Column("what", sa.Text(), nullable=False),
        sa.Column("owner_name", sa.String(length=120), nullable=False),
        sa.Column("owner_team", sa.String(length=120), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=True),
        sa.Column("completed_on", sa.Date(), nullable=True),
        sa.Column("signed_off_by", sa.String(length=254), nullable=True),
        sa.Column("signed_off_utc", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.String(length=254), nullable=False),
        sa.Column("created_utc", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["complaint.id"],
            name=op.f("fk_learning_action_complaint_id_complaint"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["point_id"],
            ["complaint_point.id"],
            name=op.f("fk_learning_action_point_id_complaint_point"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_learning_action")),
    )
    for column in ("complaint_id", "point_id", "due_on", "completed_on"):
        op.create_index(op.f(f"ix_learning_action_{column}"), "learning_action", [column])


def downgrade() -> None:
    for column in ("completed_on", "due_on", "point_id", "complaint_id"):
        op.drop_index(op.f(f"ix_learning_action_{column}"), table_name="learning_action")
    op.drop_table("learning_action")
    with op.batch_alter_table("point_outcome") as batch_op:
        batch_op.drop_column("no_learning_reason")
    with op.batch_alter_table("complaint_point") as batch_op:
        batch_op.drop_index(batch_op.f("ix_complaint_point_service_area"))
        batch_op.drop_index(batch_op.f("ix_complaint_point_theme"))
        batch_op.drop_column("service_area")
        batch_op.drop_column("theme")
