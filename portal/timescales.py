"""Working-day arithmetic for the statutory deadlines (reg 2 of SI 2006/1738).

A working day is any day except Saturday, Sunday, Christmas Day, Boxing Day, Good Friday and
England & Wales bank holidays (substitute days included), all of which `holidays` provides.
"""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum
from functools import lru_cache

import holidays


class ReceiptRule(StrEnum):
    """How a complaint received on a non-working day is counted (a council setting).

    The regulations count working days but do not say when a weekend arrival is received;
    most councils treat it as received on the next working day, which is the default.
    """

    NEXT_WORKING_DAY = "next_working_day"  # received on the next working day; count after it
    AS_RECEIVED = "as_received"  # count from the day after it arrived, like any other day


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


def receipt_day(received: date, rule: str = ReceiptRule.NEXT_WORKING_DAY) -> date:
    """Return the day the clocks count from, for something that arrived on `received`."""
    if ReceiptRule(rule) == ReceiptRule.NEXT_WORKING_DAY:
        return next_working_day_on_or_after(received)
    return received


def deadline_from_receipt(received: date, n: int, rule: str = ReceiptRule.NEXT_WORKING_DAY) -> date:
    """Return the deadline `n` working days after receipt.

    By default (`RECEIVED_ON_A_NON_WORKING_DAY`), something received on a non-working day is
    treated as received on the next working day.
    """
    return add_working_days(receipt_day(received, rule), n)


def subtract_working_days(end: date, n: int) -> date:
    """Return the working day `n` working days before `end` (papers go out 10 before a panel)."""
    if n < 0:
        raise ValueError("n must not be negative")
    day = end
    counted = 0
    while counted < n:
        day -= timedelta(days=1)
        if is_working_day(day):
            counted += 1
    return day


@lru_cache(maxsize=64)
def _weekday_holidays(year: int) -> tuple[date, ...]:
    calendar = _bank_holidays()
    calendar.get(date(year, 1, 1))  # makes `holidays` fill in this year
    return tuple(sorted(d for d in calendar if d.year == year and d.weekday() < 5))


def working_days_between(start: date, end: date) -> int:
    """Count the working days after `start`, up to and including `end` (0 if end <= start).

    Counted with arithmetic, not a day-by-day walk, so a tracker page of cases years overdue
    stays quick.
    """
    if end <= start:
        return 0
    days = (end - start).days
    weeks, extra = divmod(days, 7)
    weekdays = weeks * 5
    for offset in range(1, extra + 1):
        if (start + timedelta(days=offset)).weekday() < 5:
            weekdays += 1
    holidays_in_range = sum(
        1
        for year in range(start.year, end.year + 1)
        for day in _weekday_holidays(year)
        if start < day <= end
    )
    return weekdays - holidays_in_range


def working_days_until(today: date, deadline: date) -> int:
    """Count working days left before a deadline: 0 on the day, negative once it has passed."""
    if deadline >= today:
        return working_days_between(today, deadline)
    # Overdue: how many working days have gone by since the deadline (at least one).
    return -max(1, working_days_between(deadline, today))
