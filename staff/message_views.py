"""The case page's list of messages about the case: queued, sent, failed, addresses masked."""

from __future__ import annotations

from typing import Any

from portal.services import message_log
from staff.views import bp


@bp.context_processor
def _message_log() -> dict[str, Any]:
    return {"messages_about": message_log.messages_about}
