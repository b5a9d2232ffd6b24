"""Fill in the keyed contact hash ("I lost my link") for complaints sent before it existed

Revision ID: 0009
Revises: 0008

The hash is keyed with the app's secret key, so this step needs it: from the migration
config's attributes ("secret_key"), else the Flask app running `flask db upgrade` (how the
Makefile and production run it), else the SECRET_KEY environment variable. Without one (a bare
Alembic run, as the tests do on an empty database) nothing can be filled: if any complaint is
waiting, the log says so and the step carries on. Those complaints are then not found by
"I lost my link" (whose page always says how to reach the council instead); `backfill()` below
fills them whenever it is run with the key.
"""

from __future__ import annotations

import logging
import os

import sqlalchemy as sa
from alembic import op

from portal.contact import lookup_for

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

BATCH = 500
log = logging.getLogger("alembic.runtime.migration")

complaint = sa.table(
    "complaint",
    sa.column("id", sa.Integer),
    sa.column("contact_method", sa.String),
    sa.column("answers", sa.JSON),
    sa.column("contact_lookup", sa.String),
)


def _secret_key() -> str | None:
    given = op.get_context().config.attributes.get("secret_key")
    if given:
        return given
    try:
        from flask import current_app, has_app_context

        if has_app_context() and current_app.config.get("SECRET_KEY"):
            return current_app.config["SECRET_KEY"]
    except ImportError:  # pragma: no cover - Flask is always installed with the app
        pass
    return os.environ.get("SECRET_KEY") or None


def backfill(bind: sa.engine.Connection, secret: str) -> int:
    """Fill contact_lookup where it is empty, from the contact each complaint was given with."""
    filled, after = 0, 0
    while True:
        rows = bind.execute(
            sa.select(complaint.c.id, complaint.c.contact_method, complaint.c.answers)
            .where(complaint.c.contact_lookup.is_(None), complaint.c.id > after)
            .where(complaint.c.contact_method.in_(("email", "text")))
            .order_by(complaint.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return filled
        for complaint_id, method, answers in rows:
            lookup = lookup_for(method, answers if isinstance(answers, dict) else {}, secret)
            if lookup is not None:
                bind.execute(
                    complaint.update()
                    .where(complaint.c.id == complaint_id)
                    .values(contact_lookup=lookup)
                )
                filled += 1
        after = rows[-1][0]


def upgrade() -> None:
    bind = op.get_bind()
    waiting = bind.execute(
        sa.select(sa.func.count())
        .select_from(complaint)
        .where(
            complaint.c.contact_lookup.is_(None),
            complaint.c.contact_method.in_(("email", "text")),
        )
    ).scalar_one()
    if not waiting:
        return
    secret = _secret_key()
    if not secret:
        log.warning(
            "0009: no SECRET_KEY here, so %s complaints keep an empty contact_lookup "
            "('I lost my link' cannot find them). To fill them, downgrade to 0008 and run "
            "`flask --app portal db upgrade`, which has the app's key.",
            waiting,
        )
        return
    log.info("0009: filled contact_lookup for %s complaints", backfill(bind, secret))


def downgrade() -> None:
    # The column belongs to 0008; taking the values away loses nothing that cannot be remade.
    op.execute(complaint.update().values(contact_lookup=None))
