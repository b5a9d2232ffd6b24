"""Compliments and comments, and learning actions from Ombudsman remedies

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("learning_action") as batch_op:
        batch_op.add_column(
            sa.Column("source", sa.String(length=20), nullable=False, server_default="point")
        )
    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("arrived_by", sa.String(length=20), nullable=False),
        sa.Column("from_group", sa.String(length=20), nullable=False),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("about", sa.String(length=200), nullable=True),
        sa.Column("team", sa.String(length=40), nullable=True),
        sa.Column("contact", sa.String(length=254), nullable=True),
        sa.Column("safety_flag", sa.Boolean(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("answered_on", sa.Date(), nullable=True),
        sa.Column("answered_by", sa.String(length=254), nullable=True),
        sa.Column("recorded_by", sa.String(length=254), nullable=True),
        sa.Column("created_utc", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback")),
    )
    for column in ("kind", "received_on", "team"):
        op.create_index(op.f(f"ix_feedback_{column}"), "feedback", [column])


def downgrade() -> None:
    for column in ("team", "received_on", "kind"):
        op.drop_index(op.f(f"ix_feedback_{column}"), table_name="feedback")
    op.drop_table("feedback")
    with op.batch_alter_table("learning_action") as batch_op:
        batch_op.drop_column("source")
