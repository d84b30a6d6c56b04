"""One failure policy for every send the bot makes on its own (see the package's text).

`classify` sorts an exception from a send into `Gone` (stop sending there and tell someone) or
`Failed` (`transient`: 5xx, 429, network; else a persistent error); `after_failure` says when
the next try is, or that this run gives up until the feature's next regular time (`slot`)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta

import aiohttp
import discord

UNKNOWN_CHANNEL, UNKNOWN_MESSAGE, UNKNOWN_USER = 10003, 10008, 10013
MAX_TRIES = 6
BACKOFF_FIRST = timedelta(minutes=1)
BACKOFF_CAP = timedelta(minutes=30)


class Gone(Exception):
    """The target was deleted or refuses the bot: stop there and tell someone. `key` names the
    reason in the text catalogue, `values` fill it in."""

    def __init__(self, target_id: int, key: str, **values: object) -> None:
        super().__init__(f"{target_id}: {key} {values}")
        self.target_id = target_id
        self.key = key
        self.values = values

    @property
    def reason(self) -> dict:
        """As stored in the state file: {key, values}."""
        return {"key": self.key, "values": self.values}


class Failed(Exception):
    """A send failed; `transient` for the kinds of error that pass by themselves."""

    def __init__(self, text: str, transient: bool) -> None:
        super().__init__(text)
        self.transient = transient


def classify(error: BaseException, target_id: int) -> Gone | Failed:
    if isinstance(error, Gone | Failed):
        return error
    if isinstance(error, discord.Forbidden):
        return Gone(target_id, "stop_refused", error=f"{error.status} {error.text}".strip())
    if isinstance(error, discord.NotFound) and error.code in (UNKNOWN_CHANNEL, UNKNOWN_USER):
        return Gone(target_id, "stop_deleted")
    if isinstance(error, discord.HTTPException):
        transient = error.status == 429 or error.status >= 500
        return Failed(f"{error.status} {error.text}".strip(), transient)
    if isinstance(error, aiohttp.ClientError | OSError | asyncio.TimeoutError):
        return Failed(f"network: {error!r}", transient=True)
    return Failed(f"{type(error).__name__}: {error}", transient=False)


def backoff(tries: int) -> timedelta:
    """The wait after the `tries`-th failure in a row (1-based): 1, 2, 4, ... minutes, capped."""
    return min(BACKOFF_FIRST * 2 ** max(tries - 1, 0), BACKOFF_CAP)


@dataclass(frozen=True)
class Next:
    at: datetime
    kind: str  # 'slot' | 'retry' | 'recheck'
    tries: int
    gave_up: bool = False


def after_failure(tries: int, now: datetime, slot: datetime) -> Next:
    """`tries` failures in a row so far (this one included); `slot` is the feature's next
    regular time (the next post time, the next day's DM)."""
    retry_at = now + backoff(tries)
    if tries >= MAX_TRIES or retry_at >= slot:
        return Next(slot, "slot", 0, gave_up=True)
    return Next(retry_at, "retry", tries)
