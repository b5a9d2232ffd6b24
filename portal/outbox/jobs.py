"""The periodic jobs the sender runs: importing a module here registers its `@job`s.

`portal.outbox.sender` imports this module, so every sender process runs every job listed
here (see portal/outbox/schedule.py for what a job must promise).
"""

from __future__ import annotations

# Urgent alerts (and flagged compliments or comments) nobody has seen, sent again to the
# out-of-hours team; staff daily digests.
from portal.services import feedback, messages, safety  # noqa: F401 - registers their jobs
