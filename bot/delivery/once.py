"""Exactly-once sends: a pending mark before each send, the record after, and a look in the
target's history when a mark is found (the send may have landed before it was recorded).

A feature describes one delivery's record with a `Ledger` (three views of its row in
bot.sqlite) and what identifies its messages with a `recognise` function: the keys (an arXiv
id, "overview", "part:2", ...) one message of the bot carries. Then

    found = await courier.resume(target, ledger, recognise)   # after a crash: what landed
    message = await courier.send(target, ledger, keys, embeds=...)  # mark, send, record

`resume` records what it found (and clears the mark) in one `ledger.record` call; `send`
writes the mark, sends, and records the keys with the message's id. An exception from the
send leaves the mark: the next try resumes first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import discord

if TYPE_CHECKING:
    from discord.ext import commands

HISTORY = 100  # the bot's recent messages looked at in a target (a day's post is ~35)
Found = list[tuple[str, int]]  # (key, message id)


@dataclass(frozen=True)
class Ledger:
    """One delivery's record: `pending` (a send's result is unknown), `mark` (written before
    every send) and `record` ((key, message id) pairs that landed, in the write that clears the
    mark; called with [] after a look that found nothing)."""

    pending: bool
    mark: Callable[[], None]
    record: Callable[[Found], None]


class Courier:
    """The bot's one way of sending a message exactly once (see the module's text)."""

    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot

    def mine(self, message: discord.Message) -> bool:
        user = self.bot.user
        return user is not None and message.author.id == user.id

    async def resume(
        self,
        target: discord.abc.Messageable,
        ledger: Ledger,
        recognise: Callable[[discord.Message], Iterable[str]],
        after: discord.abc.Snowflake | None = None,
    ) -> dict[str, int]:
        """When the ledger has a pending mark: the keys in the bot's last HISTORY messages in
        `target` (after `after`, when given), recorded; {} when nothing is pending."""
        if not ledger.pending:
            return {}
        found: dict[str, int] = {}
        async for message in target.history(limit=HISTORY, after=after):
            if self.mine(message):
                for key in recognise(message):
                    found.setdefault(key, message.id)
        ledger.record(list(found.items()))
        return found

    async def send(
        self, target: discord.abc.Messageable, ledger: Ledger, keys: Sequence[str], **payload
    ) -> discord.Message:
        """Mark, send, record `keys` with the new message's id."""
        ledger.mark()
        message = await target.send(**payload)
        ledger.record([(key, message.id) for key in keys])
        return message
