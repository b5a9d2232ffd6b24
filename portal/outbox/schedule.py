"""Jobs the sender runs on its loop: re-sending unseen alerts, daily digests.

Every sender process runs them, so each job must be safe to run at once in several processes
and more than once (claim with an atomic update, or give each message an idempotency key that
the database keeps unique). A job returns how many messages it queued.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

Job = Callable[[datetime], int]


@dataclass(frozen=True)
class Scheduled:
    name: str
    every: timedelta
    run: Job


JOBS: dict[str, Scheduled] = {}


def job(name: str, every: timedelta) -> Callable[[Job], Job]:
    """Register a function as a periodic job (import its module from portal/outbox/jobs.py)."""

    def register(run: Job) -> Job:
        JOBS[name] = Scheduled(name, every, run)
        return run

    return register
