"""The weekly roll-up: every Monday at a server's post time (the daily digest's channel, time,
zone and language), one post with the week's top papers by votes, the topics that grew most
against the four weeks before, and a chart of them.

Exactly once per server and week, like the daily post: the week is recorded as `posting`
before the send and as `posted` with the message id after; a `posting` record found later (a
crash between the two) is first looked for in the channel's history.
"""

from __future__ import annotations

import asyncio
import io
import logging
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import discord

from bot.state.times import parse_hhmm
from bot.state.weekly import WeeklyState
from bot.ui import render
from bot.ui.i18n import Lang, t
from bot.ui.render import NO_MENTIONS, safe
from store.index import Index
from store.models import Paper
from store.search.trends import Growth, growing_terms

if TYPE_CHECKING:
    from bot.app import PaperBot

log = logging.getLogger(__name__)
TOP = 10
HISTORY = 50
FILENAME = "weekly.png"


def week_of(now: datetime, zone: str) -> tuple[str, bool, datetime]:
    """(the Monday of the local week, whether today is that Monday, the local time)."""
    local = now.astimezone(ZoneInfo(zone))
    monday = local.date() - timedelta(days=local.weekday())
    return monday.isoformat(), local.weekday() == 0, local


def roll_up(index: Index) -> tuple[str, str, list[Paper], list[Growth]] | None:
    """The week ending at the latest digest: (since, until, top papers, grown topics)."""
    until = index.latest_date()
    if until is None:
        return None
    since = (date.fromisoformat(until) - timedelta(days=6)).isoformat()
    return since, until, index.top_between(since, until, TOP), growing_terms(index, until)


def weekly_embed(
    week: str, since: str, until: str, papers: list[Paper], grown: list[Growth], lang: Lang
) -> discord.Embed:
    head = [t("weekly_window", lang, since=since, until=until)]
    embed = render.listing(t("weekly_title", lang, week=week), head, papers, "more_below", lang)
    lines = [
        t("weekly_growth", lang, term=safe(g.label), n=g.this_week, before=f"{g.before:.1f}")
        for g in grown
    ]
    embed.add_field(name=t("weekly_rising", lang), value="\n".join(lines) or "–", inline=False)
    if grown:
        embed.set_image(url=f"attachment://{FILENAME}")
    return render.fit(embed)


class WeeklyRunner:
    def __init__(self, bot: PaperBot, store: WeeklyState) -> None:
        self.bot = bot
        self.store = store
        self._lock = asyncio.Lock()

    async def tick(self, now: datetime) -> None:
        async with self._lock:
            for guild_id in self.store.enabled():
                config = self.bot.state.digest.guild(guild_id)
                if config is None or not config.enabled:
                    continue
                week, monday, local = week_of(now, config.timezone)
                if not monday or local.time() < parse_hhmm(config.post_time):
                    continue
                if self.store.status(guild_id, week) not in (None, "posting"):
                    continue
                try:
                    await self.post(guild_id, config.channel_id, week, config.lang or "en")
                except discord.HTTPException as error:
                    log.warning("weekly roll-up for %s failed: %s", guild_id, error)

    async def post(self, guild_id: int, channel_id: int, week: str, lang: str) -> None:
        resumed = self.store.status(guild_id, week) == "posting"
        self.store.begin(guild_id, week)
        channel = self.bot.get_channel(channel_id) or await self.bot.fetch_channel(channel_id)
        assert isinstance(channel, discord.abc.Messageable)
        if resumed:  # an earlier try may have landed before it could be recorded
            landed = await self._landed(channel, week, lang)
            if landed is not None:
                self.store.finish(guild_id, week, "posted", landed)
                return
        found = await self.bot.query(roll_up)
        if found is None:
            self.store.finish(guild_id, week, "skipped", None)
            log.info("server %s: weekly roll-up of %s skipped: the index is empty", guild_id, week)
            return
        language: Lang = "ko" if lang == "ko" else "en"
        since, until, papers, grown = found
        embed = weekly_embed(week, since, until, papers, grown, language)
        files = []
        if grown:
            from bot.ui.charts import growth_png

            png = await asyncio.to_thread(growth_png, grown, language, week)  # off the event loop
            files.append(discord.File(io.BytesIO(png), filename=FILENAME))
        message = await channel.send(embed=embed, files=files, allowed_mentions=NO_MENTIONS)
        self.store.finish(guild_id, week, "posted", message.id)
        log.info("server %s: weekly roll-up of %s posted (%d papers)", guild_id, week, len(papers))

    async def _landed(self, channel: discord.abc.Messageable, week: str, lang: str) -> int | None:
        me = self.bot.user
        title = t("weekly_title", "ko" if lang == "ko" else "en", week=week)
        async for message in channel.history(limit=HISTORY):
            mine = me is not None and message.author.id == me.id
            if mine and any(e.title == title for e in message.embeds):
                return message.id
        return None
