"""Dates as the digests use them: ISO `YYYY-MM-DD` strings, and the periods of `/top`."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Literal, get_args

Period = Literal["day", "week", "month", "year", "all"]
PERIODS: tuple[str, ...] = get_args(Period)
PERIOD_DAYS = {"day": 1, "week": 7, "month": 30, "year": 365}


def iso_date(text: str) -> str:
    """`text` as a calendar ISO date (`2024-05-30`); ValueError for anything else, `2024-02-30`
    included."""
    return date.fromisoformat(text.strip()).isoformat()


def window(period: str, first: str, latest: str) -> tuple[str, str]:
    """The `period` (day|week|month|year|all) ending at the latest digest date, inclusive,
    never starting before the first digest."""
    if period not in PERIODS:
        raise ValueError(f"unknown period {period!r}; one of {', '.join(PERIODS)}")
    if period == "all":
        return first, latest
    start = date.fromisoformat(latest) - timedelta(days=PERIOD_DAYS[period] - 1)
    return max(start.isoformat(), first), latest


def date_int(day: str | None) -> int | None:
    """`2024-05-30` -> 20240530, the form Chroma filters on."""
    return int(day.replace("-", "")) if day else None
