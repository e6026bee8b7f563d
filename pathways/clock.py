"""The one source of the current time, so time-dependent rules can be tested with a frozen clock."""

from datetime import UTC, date, datetime


def now_utc() -> datetime:
    """Return the current time as a timezone-aware UTC datetime."""
    return datetime.now(UTC)


def today() -> date:
    """Return today's date in UTC, the calendar milestones are recorded against."""
    return now_utc().date()
