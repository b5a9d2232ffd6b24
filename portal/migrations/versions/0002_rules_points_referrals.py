"""Rules decisions on each complaint, complaint points, and advocacy referrals

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23

Complaints sent before the rules existed are marked "not_assessed" (a reason staff see), and
their advocate answer moves from advocate_wanted to advocacy.
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# Columns that every complaint has, with the value given to complaints sent before this revision.
BACKFILL = {
    "eligibility": (sa.String(30), "decision_needed"),
    "eligibility_reason": (sa.String(60), "not_assessed"),
    "time_limit": (sa.String(30), "in_time"),
    "time_limit_reason": (sa.String(60), "not_assessed"),
    "legal_proceedings": (sa.String(30), "none"),
    "legal_proceedings_reason": (sa.String(60), "not_assessed"),
    "consent": (sa.String(30), "not_needed"),
    "consent_reason": (sa.String(60), "not_assessed"),
    "advocacy": (sa.String(30), "not_wanted"),
    "outcomes_sought": (sa.JSON(), "[]"),
}
OPTIONAL = {
    "parental_responsibility": sa.Boolean(),
    "on_child_instructions": sa.Boolean(),
    "outcome_words": sa.Text(),
    "advocate_name": sa.String(100),
    "advocate_organisation": sa.String(150),
    "advocate_email": sa.String(254),
    "advocate_phone": sa.String(30),
    "child_words": sa.Text(),
}


def upgrade() -> None:
    op.create_table(
        "advocacy_referral",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("complaint_id", sa.Integer(), nullable=False),
        sa.Column("service_name", sa.String(length=150), nullable=False),
        sa.Column("service_contact", sa.String(length=250), nullable=False),
        sa.Column("made_utc", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["complaint.id"],
            ondelete="CASCADE",
            name=op.f("fk_advocacy_referral_complaint_id_complaint"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_advocacy_referral")),
        sa.UniqueConstraint("complaint_id", name=op.f("uq_advocacy_referral_complaint_id")),
    )
    op.create_table(
        "complaint_point",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("complaint_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("topic", sa.String(length=40), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("procedure", sa.String(length=30), nullable=False),
        sa.Column("procedure_reason", sa.String(length=60), nullable=False),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["complaint.id"],
            ondelete="CASCADE",
            name=op.f("fk_complaint_point_complaint_id_complaint"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaint_point")),
    )
    with op.batch_alter_table("complaint_point") as batch_op:
        batch_op.create_index(batch_op.f("ix_complaint_point_complaint_id"), ["complaint_id"])
        batch_op.create_index(batch_op.f("ix_complaint_point_procedure"), ["procedure"])

    with op.batch_alter_table("complaint") as batch_op:
        for name, (type_, default) in BACKFILL.items():
            batch_op.add_column(sa.Column(name, type_, nullable=False, server_default=default))
        batch_op.add_column(
            sa.Column("urgent", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        for name, type_ in OPTIONAL.items():
            batch_op.add_column(sa.Column(name, type_, nullable=True))
        batch_op.create_index(batch_op.f("ix_complaint_urgent"), ["urgent"])

    op.execute("UPDATE complaint SET advocacy = 'wanted' WHERE advocate_wanted")

    # The defaults were only for rows that already existed; new rows get values from the rules.
    with op.batch_alter_table("complaint") as batch_op:
        for name in [*BACKFILL, "urgent"]:
            batch_op.alter_column(name, server_default=None)
        batch_op.drop_column("advocate_wanted")


def downgrade() -> None:
    with op.batch_alter_table("complaint") as batch_op:
        batch_op.add_column(
            sa.Column("advocate_wanted", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.execute("UPDATE complaint SET advocate_wanted = (advocacy = 'wanted')")
    with op.batch_alter_table("complaint") as batch_op:
        batch_op.alter_column("advocate_wanted", server_default=None)
        batch_op.drop_index(batch_op.f("ix_complaint_urgent"))
        for name in [*BACKFILL, "urgent", *OPTIONAL]:
            batch_op.drop_column(name)
    with op.batch_alter_table("complaint_point") as batch_op:
        batch_op.drop_index(batch_op.f("ix_complaint_point_procedure"))
        batch_op.drop_index(batch_op.f("ix_complaint_point_complaint_id"))
    op.drop_table("complaint_point")
    op.drop_table("advocacy_referral")
