"""The weekly roll-up: every Monday at a server's post time (the daily digest's channel, time,
zone and language), one post with the week's top papers by votes, the topics that grew most
against the four weeks before, and a chart of them (an upload: it needs Attach Files).

Exactly once per server and week through the delivery primitive (bot/delivery/once.py): the
week is recorded as `posting` before the send and as `posted` with the message id after; a
`posting` record found by a later try is first looked for in the channel's history (the bot's
own message with the week's title, in either language).

Failures follow the one failure policy (bot/delivery/policy.py): a channel that is gone or
refuses the bot (403, 404, a permission missing) stops the roll-up there, the admin is told and
/digest status says why; other errors are retried with backoff (at most MAX_TRIES in a row,
never past the next post time; a transient one is tried again at the next post time that week,
a persistent one drops the week), and /digest status shows the last error.
"""

from __future__ import annotations

import asyncio
import io
import logging
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import discord

from bot.delivery.notice import tell_admin
from bot.delivery.once import Courier, Ledger
from bot.delivery.policy import Failed, Gone, after_failure, classify
from bot.digest.posting import WEEKLY_NEEDED, missing_perms, text_channel
from bot.digest.runner import post_lang, reason_text
from bot.state.digest import GuildConfig
from bot.state.times import next_occurrence, parse_hhmm
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
        self.courier = Courier(bot)
        self._lock = asyncio.Lock()

    async def tick(self, now: datetime) -> None:
        """Post the week's roll-up where it is due: from Monday's post time, and later in the
        week only a roll-up begun on Monday (its retries)."""
        async with self._lock:
            for guild_id in self.store.enabled():
                config = self.bot.state.digest.guild(guild_id)
                if config is None or not config.enabled:
                    continue
                week, monday, local = week_of(now, config.timezone)
                post = self.store.post(guild_id, week)
                if post is None:
                    if not monday or local.time() < parse_hhmm(config.post_time):
                        continue
                elif post.status != "posting" or (post.next_try and now < post.next_try):
                    continue
                await self.serve(config, week, now, resumed=post is not None)

    async def serve(self, config: GuildConfig, week: str, now: datetime, resumed: bool) -> None:
        """One try at this week's roll-up; a failure is sorted by the failure policy."""
        guild_id = config.guild_id
        guild = self.bot.get_guild(guild_id)
        lang = post_lang(guild, config)
        self.store.begin(guild_id, week)  # the tries are counted from the first one
        try:
            await self.post(guild, config.channel_id, week, lang, resumed)
        except Exception as error:
            failure = classify(error, config.channel_id)
            if isinstance(failure, Gone):
                await self.stopped(config, failure, lang)
                return
            if not isinstance(error, discord.HTTPException | Failed):
                log.exception("weekly roll-up for %s failed", guild_id)
            post = self.store.post(guild_id, week)
            tries = (post.tries if post else 0) + 1
            step = after_failure(
                tries, now, next_occurrence(config.post_time, config.timezone, now)
            )
            text = f"{week}: {failure}"
            if step.gave_up:
                text += f" ({tries} tries; next try at the next post time)"
                if not failure.transient:  # it will not get better: drop the week
                    self.store.finish(guild_id, week, "abandoned", None)
            log.warning("weekly roll-up for %s failed: %s", guild_id, text)
            self.store.note_error(guild_id, text, now)
            self.store.failed_try(guild_id, week, step.tries, step.at)

    async def stopped(self, config: GuildConfig, gone: Gone, lang: Lang) -> None:
        self.store.stop(config.guild_id, gone.reason)
        log.warning("weekly roll-up for %s stopped: %s", config.guild_id, gone)
        guild = self.bot.get_guild(config.guild_id)
        text = t(
            "weekly_stopped_notice",
            lang,
            guild=discord.utils.escape_markdown(guild.name if guild else str(config.guild_id)),
            channel=f"<#{config.channel_id}>",
            reason=reason_text(gone.reason, lang),
        )
        await tell_admin(self.bot, config.guild_id, config.set_by, text)

    async def post(
        self,
        guild: discord.Guild | None,
        channel_id: int,
        week: str,
        lang: Lang,
        resumed: bool = False,
    ) -> None:
        """Post (or find) this week's roll-up. Raises what the failure policy sorts."""
        if guild is None or guild.unavailable:
            raise Failed("the server is unavailable (Discord outage?)", transient=True)
        channel = await text_channel(guild, channel_id)
        if missing := missing_perms(channel, guild.me, WEEKLY_NEEDED):
            raise Gone(channel.id, "stop_missing", perms=missing)
        store, guild_id = self.store, guild.id
        ledger = Ledger(
            pending=resumed,
            mark=lambda: store.begin(guild_id, week),
            record=lambda found: (
                store.finish(guild_id, week, "posted", found[0][1]) if found else None
            ),
        )
        titles = {t("weekly_title", each, week=week) for each in ("en", "ko")}

        def recognise(message: discord.Message) -> list[str]:
            return ["roll-up"] if any(e.title in titles for e in message.embeds) else []

        if await self.courier.resume(channel, ledger, recognise):
            return
        found = await self.bot.query(roll_up)
        if found is None:
            store.finish(guild_id, week, "skipped", None)
            log.info("server %s: weekly roll-up of %s skipped: the index is empty", guild_id, week)
            return
        since, until, papers, grown = found
        embed = weekly_embed(week, since, until, papers, grown, lang)
        files = []
        if grown:
            from bot.ui.charts import growth_png

            png = await asyncio.to_thread(growth_png, grown, lang, week)  # off the event loop
            files.append(discord.File(io.BytesIO(png), filename=FILENAME))
        await self.courier.send(
            channel, ledger, ["roll-up"], embed=embed, files=files, allowed_mentions=NO_MENTIONS
        )
        log.info("server %s: weekly roll-up of %s posted (%d papers)", guild_id, week, len(papers))
