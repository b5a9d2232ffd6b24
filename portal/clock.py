"""The one place the app reads the time, so tests can freeze it."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def now_utc() -> datetime:
    """Return the current time in UTC."""
    return datetime.now(UTC)


def today_local() -> date:
    """Return today's date in England, where the statutory days are counted."""
    return now_utc().astimezone(LONDON).date()


def local_date(moment: datetime) -> date:
    """Return the date in England of a UTC moment."""
    return moment.astimezone(LONDON).date()
