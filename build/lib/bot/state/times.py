"""Times in the state file and in server settings: one spelling each."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def utc_text(moment: datetime) -> str:
    """Whole-second ISO UTC text: compares correctly as a string in SQL."""
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def now_text() -> str:
    """This instant as `utc_text`."""
    return utc_text(datetime.now(UTC))


def from_text(text: str | None) -> datetime | None:
    """`utc_text`'s inverse; None stays None."""
    return datetime.fromisoformat(text) if text else None


def parse_hhmm(text: str) -> time:
    """`07:00` -> time(7, 0); ValueError for anything else."""
    hours, sep, minutes = text.strip().partition(":")
    if not sep or not (hours.isdigit() and minutes.isdigit() and len(minutes) == 2):
        raise ValueError(text)
    return time(int(hours), int(minutes))


def next_occurrence(post_time: str, timezone: str, after: datetime) -> datetime:
    """The first instant strictly after `after` (aware) when the clock in `timezone` reads
    `post_time`, as UTC."""
    zone = ZoneInfo(timezone)
    local = after.astimezone(zone)
    at = parse_hhmm(post_time)
    day: date = local.date()
    for _ in range(3):
        candidate = datetime.combine(day, at, tzinfo=zone)
        if candidate > local:
            return candidate.astimezone(ZoneInfo("UTC"))
        day += timedelta(days=1)
    raise AssertionError("unreachable: one of three consecutive days is later")
