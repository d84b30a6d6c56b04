"""The delivery primitive (bot/delivery/): the failure policy's sorting of errors, and the
exactly-once send over a fake channel (the features' SimCord tests kill the bot mid-send)."""

from __future__ import annotations

from types import SimpleNamespace

import aiohttp
import discord
import pytest

from bot.delivery.once import Courier, Ledger
from bot.delivery.policy import Failed, Gone, classify


def http(kind: type[discord.HTTPException], status: int, code: int = 0, text: str = "x"):
    response = SimpleNamespace(status=status, reason=text)
    return kind(response, {"code": code, "message": text})


@pytest.mark.parametrize(
    ("error", "stop", "transient"),
    [
        (http(discord.Forbidden, 403, 50013, "Missing Permissions"), "stop_refused", None),
        (http(discord.Forbidden, 403, 50007, "Cannot send messages to this user"), "stop_refused", None),
        (http(discord.NotFound, 404, 10003, "Unknown Channel"), "stop_deleted", None),
        (http(discord.NotFound, 404, 10013, "Unknown User"), "stop_deleted", None),
        (http(discord.NotFound, 404, 10008, "Unknown Message"), None, False),
        (http(discord.DiscordServerError, 500), None, True),
        (http(discord.DiscordServerError, 502), None, True),
        (http(discord.DiscordServerError, 503), None, True),
        (http(discord.HTTPException, 429, 0, "rate limited"), None, True),
        (http(discord.HTTPException, 400, 50035, "Invalid Form Body"), None, False),
        (aiohttp.ClientConnectionError("reset"), None, True),
        (TimeoutError(), None, True),
        (ValueError("a bug"), None, False),
    ],
)  # fmt: skip
def test_one_failure_policy(error, stop, transient) -> None:
    """403 and 404 Unknown Channel/User stop (and tell); 5xx, 429 and network errors are
    temporary (backoff); everything else is persistent (bounded tries, then given up)."""
    sorted_ = classify(error, 7)
    if stop:
        assert isinstance(sorted_, Gone) and sorted_.key == stop and sorted_.target_id == 7
    else:
        assert isinstance(sorted_, Failed) and sorted_.transient is transient


class FakeChannel:
    def __init__(self, bot_id: int, fail: bool = False) -> None:
        self.bot_id, self.fail, self.messages = bot_id, fail, []

    async def send(self, **payload):
        message = SimpleNamespace(
            id=len(self.messages) + 1, author=SimpleNamespace(id=self.bot_id), **payload
        )
        self.messages.append(message)  # it landed...
        if self.fail:
            raise discord.DiscordServerError(SimpleNamespace(status=504, reason="x"), "timeout")
        return message

    async def history(self, limit: int, after=None):
        for message in reversed(self.messages[-limit:]):
            yield message


class Book:
    """A ledger kept in memory, with what was written in order."""

    def __init__(self, pending: bool = False) -> None:
        self.pending, self.log = pending, []

    def ledger(self) -> Ledger:
        return Ledger(self.pending, lambda: self.log.append("mark"), self.log.append)


def by_key(message) -> list[str]:
    return [message.key]


async def test_a_send_is_marked_before_and_recorded_after() -> None:
    channel, book = FakeChannel(1), Book()
    courier = Courier(SimpleNamespace(user=SimpleNamespace(id=1)))
    assert await courier.resume(channel, book.ledger(), by_key) == {}  # nothing pending: no look
    message = await courier.send(channel, book.ledger(), ["a"], key="a")
    assert book.log == ["mark", [("a", message.id)]]


async def test_a_send_that_raised_after_landing_is_found_not_sent_again() -> None:
    """The send landed but raised (a timeout): the mark stays, nothing is recorded; the next
    try finds the message in the history, records it and sends nothing."""
    channel, book = FakeChannel(1, fail=True), Book()
    courier = Courier(SimpleNamespace(user=SimpleNamespace(id=1)))
    with pytest.raises(discord.DiscordServerError):
        await courier.send(channel, book.ledger(), ["a"], key="a")
    assert book.log == ["mark"]
    channel.messages.append(SimpleNamespace(id=9, author=SimpleNamespace(id=2), key="a"))
    again = Book(pending=True)
    assert await courier.resume(channel, again.ledger(), by_key) == {"a": 1}  # not another's
    assert again.log == [[("a", 1)]] and len(channel.messages) == 2
