"""What the daily-post tests share: the samples' dates, SimCord's clock, and readers of what
the bot posted."""

from __future__ import annotations

from pathlib import Path

import discord
from simcord.backend.models.channel import Overwrite
from simcord.enums import OverwriteType

LATEST = "2024-05-30"
HOUR = 3600
# SimCord's clock starts 2026-01-01 00:00 UTC (09:00 in Seoul): the default 07:00 KST post time
# comes 22 hours later.
POST_AT = 22 * HOUR
FIRST_POST = POST_AT + HOUR


def overviews(channel) -> list[str]:
    return [m.embeds[0].title for m in channel.history() if m.author.bot and m.embeds]


def heads(channel) -> list[discord.Message]:
    """The bot's overview messages (the channel also holds "thread started" notices)."""
    return [m for m in channel.history() if m.author.bot and m.embeds]


def cards_in(thread) -> list[str]:
    return [e.url for m in thread.history() for e in m.embeds]


def write_digest(folder: Path, day: str, ids: list[str]) -> None:
    entries = "".join(
        f"### [Paper {i}](https://arxiv.org/abs/{i})\n\nVote: 5\n\nAuthors: A B\n\n- 요약 {i}입니다.\n\n"
        for i in ids
    )
    (folder / f"{day}.md").write_text(f"## Daily Papers ({day})\n\n{entries}", encoding="utf-8")


def posts_to(simcord_env, channel_id: int) -> list:
    """Every message POST the bot made to this channel (failed ones too)."""
    return [
        r
        for r in simcord_env.http_requests
        if r.method == "POST" and r.path == f"/channels/{channel_id}/messages"
    ]


async def status_of(server) -> str:
    result = await server.admin.slash(server.channel, "digest status")
    assert result.ephemeral
    return result.response.content


def deny_bot(simcord_env, channel, **perms: bool) -> None:
    """A channel overwrite taking these permissions from the bot."""
    bot_id = simcord_env.bot.user.id
    deny = discord.Permissions(**perms).value
    overwrite = Overwrite(target_id=bot_id, type=OverwriteType.MEMBER, allow=0, deny=deny)
    simcord_env.backend.set_overwrite(channel.id, overwrite)
