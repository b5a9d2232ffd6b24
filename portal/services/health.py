"""Is this instance fit to serve? The database answers, and the sender keeps up.

"Behind" means a message that has never been tried has waited longer than
HEALTH_SENDER_BEHIND_SECONDS: no sender is running, or they cannot keep up. Messages that were
tried and wait to be retried (the mail service is down) do not count: taking every web
instance out of service would not bring the mail service back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError

from portal.clock import now_utc
from portal.extensions import db
from portal.models import OutboxMessage
from portal.services.outbox import QUEUED


@dataclass(frozen=True)
class Health:
    database: bool
    sender_behind_seconds: int | None  # the oldest untried message's wait; None: none waiting
    limit_seconds: int

    @property
    def sender_ok(self) -> bool:
        return (
            self.sender_behind_seconds is None or self.sender_behind_seconds <= self.limit_seconds
        )

    @property
    def ok(self) -> bool:
        return self.database and self.sender_ok


def check() -> Health:
    limit = current_app.config["HEALTH_SENDER_BEHIND_SECONDS"]
    try:
        db.session.execute(text("SELECT 1"))
        oldest = db.session.scalar(
            select(func.min(OutboxMessage.created_utc)).where(
                OutboxMessage.status == QUEUED, OutboxMessage.attempts == 0
            )
        )
    except SQLAlchemyError:
        db.session.rollback()
        return Health(False, None, limit)
    waited = None if oldest is None else max(0, int((now_utc() - oldest) / timedelta(seconds=1)))
    return Health(True, waited, limit)
