"""Casework a council can run on: how a complaint arrived, where it is now, typed outcomes

Revision ID: 0007
Revises: 0006
"""

import json
from datetime import date

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("complaint") as batch_op:
        batch_op.add_column(
            sa.Column("arrived_by", sa.String(length=20), nullable=False, server_default="portal")
        )
        batch_op.add_column(
            sa.Column("step", sa.String(length=30), nullable=False, server_default="triage")
        )
        batch_op.add_column(sa.Column("next_due_what", sa.String(length=30), nullable=True))
        batch_op.create_index(batch_op.f("ix_complaint_arrived_by"), ["arrived_by"])
        batch_op.create_index(batch_op.f("ix_complaint_step"), ["step"])
    with op.batch_alter_table("complaint_point") as batch_op:
        batch_op.add_column(sa.Column("held_reason", sa.String(length=30), nullable=True))
    with op.batch_alter_table("event") as batch_op:
        batch_op.add_column(sa.Column("happened_on", sa.Date(), nullable=True))
    op.create_table(
        "point_outcome",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("point_id", sa.Integer(), nullable=False),
        sa.Column("complaint_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("stage", sa.String(length=20), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("remedies", sa.JSON(), nullable=False),
        sa.Column("remedy", sa.Text(), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["point_id"],
            ["complaint_point.id"],
            name=op.f("fk_point_outcome_point_id_complaint_point"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["complaint.id"],
            name=op.f("fk_point_outcome_complaint_id_complaint"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["event.id"],
            name=op.f("fk_point_outcome_event_id_event"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_point_outcome")),
    )
    op.create_index(op.f("ix_point_outcome_point_id"), "point_outcome", ["point_id"])
    op.create_index(op.f("ix_point_outcome_complaint_id"), "point_outcome", ["complaint_id"])
    op.create_index(op.f("ix_point_outcome_decided_on"), "point_outcome", ["decided_on"])
    op.create_index("ix_point_outcome_stage_outcome", "point_outcome", ["stage", "outcome"])
    _backfill()


def _backfill() -> None:
    """Existing events get the day they happened; existing replies get typed outcomes."""
    bind = op.get_bind()
    events = bind.execute(sa.text("SELECT id, complaint_id, type, at_utc, data FROM event"))
    for event_id, complaint_id, kind, at_utc, data in list(events):
        data = json.loads(data) if isinstance(data, str) else (data or {})
        on = data.get("on")
        if on:
            happened = date.fromisoformat(on)
        elif isinstance(at_utc, str):
            happened = date.fromisoformat(at_utc[:10])
        else:
            happened = at_utc.date()
        bind.execute(
            sa.text("UPDATE event SET happened_on = :on WHERE id = :id"),
            {"on": happened, "id": event_id},
        )
        if kind != "response_sent":
            continue
        for position, outcome in (data.get("outcomes") or {}).items():
            point = bind.execute(
                sa.text("SELECT id FROM complaint_point WHERE complaint_id = :c AND position = :p"),
                {"c": complaint_id, "p": int(position)},
            ).scalar()
            if point is None or not outcome:
                continue
            bind.execute(
                sa.text(
                    "INSERT INTO point_outcome (point_id, complaint_id, event_id, stage, outcome,"
                    " remedies, remedy, decided_on) VALUES (:point, :c, :e, :stage, :outcome,"
                    " :remedies, :remedy, :on)"
                ),
                {
                    "point": point,
                    "c": complaint_id,
                    "e": event_id,
                    "stage": data.get("stage") or "stage_1",
                    "outcome": outcome,
                    "remedies": "[]",
                    "remedy": data.get("remedy") or None,
                    "on": happened,
                },
            )
    _where_each_case_is(bind)


def _where_each_case_is(bind) -> None:
    """Fold each case's events once, so the new step and due columns start right (with the
    default timescales; the next move on a case recomputes them with the council's own)."""
    from portal import stages

    complaints = bind.execute(sa.text("SELECT id, received_on FROM complaint")).all()
    for complaint_id, received_on in complaints:
        procedures = bind.execute(
            sa.text("SELECT procedure FROM complaint_point WHERE complaint_id = :c"),
            {"c": complaint_id},
        ).scalars()
        rows = bind.execute(
            sa.text(
                "SELECT type, happened_on, data, note FROM event WHERE complaint_id = :c"
                " ORDER BY id"
            ),
            {"c": complaint_id},
        ).all()
        facts = [
            stages.Fact(kind, _as_date(on), _as_dict(data), note) for kind, on, data, note in rows
        ]
        state = stages.replay(
            _as_date(received_on),
            stages.overall_procedure(procedures),
            facts,
            stages.Timescales(),
        )
        bind.execute(
            sa.text("UPDATE complaint SET step = :step, next_due_what = :what WHERE id = :id"),
            {
                "step": str(state.step),
                "what": state.due_what if state.due else None,
                "id": complaint_id,
            },
        )


def _as_date(value) -> date:
    return date.fromisoformat(value[:10]) if isinstance(value, str) else value


def _as_dict(value) -> dict:
    return json.loads(value) if isinstance(value, str) else (value or {})


def downgrade() -> None:
    op.drop_index("ix_point_outcome_stage_outcome", table_name="point_outcome")
    for name in ("decided_on", "complaint_id", "point_id"):
        op.drop_index(op.f(f"ix_point_outcome_{name}"), table_name="point_outcome")
    op.drop_table("point_outcome")
    with op.batch_alter_table("event") as batch_op:
        batch_op.drop_column("happened_on")
    with op.batch_alter_table("complaint_point") as batch_op:
        batch_op.drop_column("held_reason")
    with op.batch_alter_table("complaint") as batch_op:
        batch_op.drop_index(batch_op.f("ix_complaint_step"))
        batch_op.drop_index(batch_op.f("ix_complaint_arrived_by"))
        for name in ("next_due_what", "step", "arrived_by"):
            batch_op.drop_column(name)
