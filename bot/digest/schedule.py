"""When a server's daily post runs and which dates it posts: pure functions, no Discord.

- At the post time a run posts the dates not yet posted there, oldest first, at most
  CATCH_UP_CAP of them (the newest ones); older missed dates are recorded as skipped and said so.
  A newly configured server gets only the newest date.
- A run that found nothing new looks again every RECHECK until the next post time, so a digest
  that lands late is still posted that day.
- A failed run follows the one failure policy (bot/delivery/policy.py): retried after 1, 2,
  4, ... minutes, at most MAX_TRIES times and never past the next post time; then it waits for
  the next post time. The daily ingest runs at every post time whatever happened before,
  and at least every KEEP_FRESH_EVERY when no post time brings one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.delivery.policy import Next
from bot.state.digest import DONE

CATCH_UP_CAP = 3
RECHECK = timedelta(hours=1)
# The global ingest (git pull + incremental ingest) runs at most this often, for any reason.
INGEST_EVERY = timedelta(minutes=10)
# Hourly rechecks need a fresher index only about once an hour.
RECHECK_INGEST_EVERY = timedelta(minutes=50)
# With no post time due (or no server posting at all), the index is still refreshed this often.
KEEP_FRESH_EVERY = timedelta(hours=1)


@dataclass(frozen=True)
class Plan:
    todo: list[str]  # dates to post, oldest first
    skipped: list[str]  # missed dates left out by the cap


def plan(dates: Sequence[str], statuses: Mapping[str, str], fresh: bool) -> Plan:
    """Which digest dates a run posts, given every indexed date and this server's records."""
    if not dates:
        return Plan([], [])
    newest = dates[-1]
    if fresh or not statuses:
        return Plan([] if statuses.get(newest) in DONE else [newest], [])
    last = max(statuses)
    unfinished = {d for d, s in statuses.items() if s not in DONE}
    todo = sorted({d for d in dates if d > last} | (unfinished & set(dates)))
    if len(todo) > CATCH_UP_CAP:
        return Plan(todo[-CATCH_UP_CAP:], todo[:-CATCH_UP_CAP])
    return Plan(todo, [])


def after_success(posted_any: bool, now: datetime, slot: datetime) -> Next:
    """A run that posted waits for the next post time; one that found nothing new (the newest
    date was posted already: today's file may be late) looks again every RECHECK until then."""
    if posted_any:
        return Next(slot, "slot", 0)
    recheck = now + RECHECK
    return Next(recheck, "recheck", 0) if recheck < slot else Next(slot, "slot", 0)
