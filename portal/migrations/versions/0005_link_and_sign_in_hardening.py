"""Server-side public sessions, the complainant's secret word, staff second factor and set-up

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "public_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("created_utc", sa.DateTime(timezone=True), nullable=False),
        sa.Column("seen_utc", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_utc", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_public_session")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_public_session_key_hash")),
    )
    op.create_index(op.f("ix_public_session_seen_utc"), "public_session", ["seen_utc"])
    op.create_table(
        "staff_recovery_code",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_user_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("used_utc", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["staff_user_id"],
            ["staff_user.id"],
            name=op.f("fk_staff_recovery_code_staff_user_id_staff_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_recovery_code")),
    )
    op.create_index(
        op.f("ix_staff_recovery_code_staff_user_id"), "staff_recovery_code", ["staff_user_id"]
    )
    with op.batch_alter_table("complaint") as batch_op:
        batch_op.add_column(sa.Column("secret_word_hash", sa.String(length=255), nullable=True))
        for name in ("secret_word_version", "secret_word_failures"):
            batch_op.add_column(sa.Column(name, sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(
            sa.Column("secret_word_locked_until_utc", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column(
                "withdrawal_to_check", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )
        batch_op.create_index(
            batch_op.f("ix_complaint_withdrawal_to_check"), ["withdrawal_to_check"]
        )
    with op.batch_alter_table("complaint") as batch_op:
        for name in ("secret_word_version", "secret_word_failures", "withdrawal_to_check"):
            batch_op.alter_column(name, server_default=None)
    with op.batch_alter_table("help_request") as batch_op:
        batch_op.add_column(sa.Column("public_session_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("times_asked", sa.Integer(), nullable=False, server_default="1")
        )
        batch_op.add_column(sa.Column("last_asked_utc", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_help_request_public_session_id"), ["public_session_id"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_help_request_public_session_id_public_session"),
            "public_session",
            ["public_session_id"],
            ["id"],
            ondelete="SET NULL",
        )
    with op.batch_alter_table("help_request") as batch_op:
        batch_op.alter_column("times_asked", server_default=None)
    with op.batch_alter_table("staff_user") as batch_op:
        batch_op.alter_column("password_hash", existing_type=sa.String(255), nullable=True)
        batch_op.add_column(
            sa.Column("setup_version", sa.Integer(), nullable=False, server_default="1")
        )
        batch_op.add_column(sa.Column("totp_secret", sa.String(length=64), nullable=True))
        batch_op.add_column(
            sa.Column("totp_confirmed_utc", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("totp_last_step", sa.Integer(), nullable=True))
    with op.batch_alter_table("staff_user") as batch_op:
        batch_op.alter_column("setup_version", server_default=None)
    # Actors are staff emails, which may be up to 254 characters.
    for table in ("event", "audit_entry"):
        with op.batch_alter_table(table) as batch_op:
            batch_op.alter_column(
                "actor", existing_type=sa.String(120), type_=sa.String(254), existing_nullable=False
            )


def downgrade() -> None:
    for table in ("event", "audit_entry"):
        with op.batch_alter_table(table) as batch_op:
            batch_op.alter_column(
                "actor", existing_type=sa.String(254), type_=sa.String(120), existing_nullable=False
            )
    with op.batch_alter_table("staff_user") as batch_op:
        for name in ("totp_last_step", "totp_confirmed_utc", "totp_secret", "setup_version"):
            batch_op.drop_column(name)
        batch_op.alter_column("password_hash", existing_type=sa.String(255), nullable=False)
    with op.batch_alter_table("help_request") as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_help_request_public_session_id_public_session"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_help_request_public_session_id"))
        for name in ("last_asked_utc", "times_asked", "public_session_id"):
            batch_op.drop_column(name)
    with op.batch_alter_table("complaint") as batch_op:
        batch_op.drop_index(batch_op.f("ix_complaint_withdrawal_to_check"))
        for name in (
            "withdrawal_to_check",
            "secret_word_locked_until_utc",
            "secret_word_failures",
            "secret_word_version",
            "secret_word_hash",
        ):
            batch_op.drop_column(name)
    op.drop_index(op.f("ix_staff_recovery_code_staff_user_id"), table_name="staff_recovery_code")
    op.drop_table("staff_recovery_code")
    op.drop_index(op.f("ix_public_session_seen_utc"), table_name="public_session")
    op.drop_table("public_session")
