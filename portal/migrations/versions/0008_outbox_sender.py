"""Messages that reach people: what the sender needs to deliver each message exactly once

Revision ID: 0008
Revises: 0007
"""

import secrets

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

COLUMNS = (
    ("channel", sa.String(length=10), "email"),
    ("audience", sa.String(length=20), "staff"),
    ("language", sa.String(length=10), "en"),
    ("status", sa.String(length=20), "queued"),
)


def upgrade() -> None:
    with op.batch_alter_table("outbox_message") as batch_op:
        for name, kind, default in COLUMNS:
            batch_op.add_column(sa.Column(name, kind, nullable=False, server_default=default))
        batch_op.add_column(sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("idempotency_key", sa.String(length=64), nullable=True))
        for name in ("next_attempt_utc", "claimed_until_utc", "failed_utc"):
            batch_op.add_column(sa.Column(name, sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("claimed_by", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("last_error", sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column("provider_ref", sa.String(length=100), nullable=True))
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT id, sent_utc FROM outbox_message")).all()
    for message_id, sent in rows:
        bind.execute(
            sa.text(
                "UPDATE outbox_message SET idempotency_key = :key, status = :status WHERE id = :id"
            ),
            {
                "key": secrets.token_hex(16),
                "status": "sent" if sent else "queued",
                "id": message_id,
            },
        )
    with op.batch_alter_table("outbox_message") as batch_op:
        batch_op.alter_column("idempotency_key", existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint(
            batch_op.f("uq_outbox_message_idempotency_key"), ["idempotency_key"]
        )
        batch_op.create_index("ix_outbox_message_status_next", ["status", "next_attempt_utc"])
    with op.batch_alter_table("complaint") as batch_op:
        batch_op.add_column(
            sa.Column("urgent_escalated_utc", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("contact_lookup", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("contact_safe", sa.Boolean(), nullable=True))
        batch_op.create_index(batch_op.f("ix_complaint_contact_lookup"), ["contact_lookup"])
    with op.batch_alter_table("help_request") as batch_op:
        batch_op.add_column(sa.Column("escalated_utc", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("staff_user") as batch_op:
        batch_op.add_column(
            sa.Column("wants_digest", sa.Boolean(), nullable=False, server_default=sa.true())
        )


def downgrade() -> None:
    with op.batch_alter_table("staff_user") as batch_op:
        batch_op.drop_column("wants_digest")
    with op.batch_alter_table("help_request") as batch_op:
        batch_op.drop_column("escalated_utc")
    with op.batch_alter_table("complaint") as batch_op:
        batch_op.drop_index(batch_op.f("ix_complaint_contact_lookup"))
        for name in ("contact_safe", "contact_lookup", "urgent_escalated_utc"):
            batch_op.drop_column(name)
    with op.batch_alter_table("outbox_message") as batch_op:
        batch_op.drop_index("ix_outbox_message_status_next")
        batch_op.drop_constraint(batch_op.f("uq_outbox_message_idempotency_key"), type_="unique")
        for name in (
            "provider_ref",
            "last_error",
            "claimed_by",
            "failed_utc",
            "claimed_until_utc",
            "next_attempt_utc",
            "idempotency_key",
            "attempts",
            "status",
            "language",
            "audience",
            "channel",
        ):
            batch_op.drop_column(name)
