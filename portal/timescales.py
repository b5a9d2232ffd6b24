"""Working-day arithmetic for the statutory deadlines (reg 2 of SI 2006/1738).

A working day is any day except Saturday, Sunday, Christmas Day, Boxing Day, Good Friday and
England & Wales bank holidays (substitute days included), all of which `holidays` provides.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays


@lru_cache(maxsize=1)
def _bank_holidays() -> holidays.HolidayBase:
    return holidays.country_holidays("GB", subdiv="ENG")


def is_working_day(day: date) -> bool:
    """Say whether `day` counts as a working day."""
    return day.weekday() < 5 and day not in _bank_holidays()


def next_working_day_on_or_after(day: date) -> date:
    """Return `day` if it is a working day, else the first working day after it."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def add_working_days(start: date, n: int) -> date:
    """Return the date `n` working days after `start`, counting from the working day after it."""
    if n < 0:
        raise ValueError("n must not be negative")
    day = start
    counted = 0
    while counted < n:
        day += timedelta(days=1)
        if is_working_day(day):
            counted += 1
    return day


def deadline_from_receipt(received: date, n: int) -> date:
    """Return the deadline `n` working days after receipt.

    Something received on a non-working day is treated as received on the next working day.
    """
    return add_working_days(next_working_day_on_or_after(received), n)
