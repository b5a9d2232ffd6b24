"""The duty team's handling of an urgent flag: when it was raised, who saw it and when

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("complaint") as batch_op:
        batch_op.add_column(
            sa.Column("urgent_since_utc", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("urgent_seen_by", sa.String(length=254), nullable=True))
        batch_op.add_column(sa.Column("urgent_seen_utc", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f("ix_complaint_urgent_since_utc"), ["urgent_since_utc"])
    # Complaints already urgent were raised by their latest flag or help request (or, if
    # neither is on record, when they arrived); nobody has said they saw them yet.
    op.get_bind().execute(
        sa.text(
            "UPDATE complaint SET urgent_since_utc = COALESCE("
            "(SELECT MAX(e.at_utc) FROM event e WHERE e.complaint_id = complaint.id"
            " AND e.type IN ('flagged_urgent', 'help_requested')), received_utc)"
            " WHERE urgent = :yes"
        ),
        {"yes": True},
    )


def downgrade() -> None:
    with op.batch_alter_table("complaint") as batch_op:
        batch_op.drop_index(batch_op.f("ix_complaint_urgent_since_utc"))
        for name in ("urgent_seen_utc", "urgent_seen_by", "urgent_since_utc"):
            batch_op.drop_column(name)
