"""Help requests say when it is safe to call and whether a message may be left

Revision ID: 0014
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("help_request") as batch:
        batch.add_column(sa.Column("safe_times", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("leave_message", sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("help_request") as batch:
        batch.drop_column("leave_message")
        batch.drop_column("safe_times")
