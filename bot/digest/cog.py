"""/digest set|off|now|status and the loop that runs the daily posts.

A server has up to MAX_FEEDS digest channels (feeds): `/digest set channel` adds or updates that
channel's feed (optional topic, language, time, zone; an omitted time or zone is the server's
main feed's), `/digest off [channel]` stops one or all, `/digest now` runs every feed that is
on, `/digest status` lists them all. The loop wakes every minute and hands the feeds whose run is
due to bot/digest/runner.py (each at its own post time and zone). What a run posts and when it
runs again: bot/digest/schedule.py. How a date is posted exactly once per feed and paper:
bot/digest/posting.py and bot/state/digest.py.
"""

from __future__ import annotations

import asyncio
import logging
from functools import cache
from typing import TYPE_CHECKING
from zoneinfo import available_timezones

import discord
from discord import app_commands
from discord.ext import commands, tasks

from bot.admin.cog import require_manager
from bot.digest.posting import ALL_PERMS, missing_perms
from bot.digest.runner import DigestRunner, post_lang, reason_text
from bot.digest.status import empty_text, feed_lines, messages, now_text, weekly_lines
from bot.digest.topic import checked_topic
from bot.state.digest import MAX_FEEDS
from bot.state.times import parse_hhmm
from bot.ui.errors import UserError
from bot.ui.i18n import lang_of, t
from bot.ui.render import NO_MENTIONS, safe

if TYPE_CHECKING:
    from bot.app import PaperBot

log = logging.getLogger(__name__)
COMMON_ZONES = ("Asia/Seoul", "UTC", "Asia/Tokyo", "America/New_York", "Europe/London")


class Digest(commands.Cog):
    digest = app_commands.Group(
        name="digest",
        description="Daily digest posts for this server",
        default_permissions=discord.Permissions(manage_guild=True),
        guild_only=True,
    )

    def __init__(self, bot: PaperBot) -> None:
        self.bot = bot
        self.runner = DigestRunner(bot)

    async def cog_load(self) -> None:
        self.daily.start()

    async def cog_unload(self) -> None:
        self.daily.cancel()

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        require_manager(interaction)
        return True

    # -- commands ----------------------------------------------------------------------------
    @digest.command(name="set")
    @app_commands.describe(
        channel="Channel to post in",
        time="Post time HH:MM (default 07:00)",
        timezone="IANA time zone, e.g. Asia/Seoul",
        language="Language of the posts (default: the server's)",
        topic="Only papers matching this topic, e.g. computer vision, video (default: every paper)",
        empty="A topic channel on a day without a match (default: stay quiet)",
    )
    @app_commands.choices(
        language=[
            app_commands.Choice(name="Korean", value="ko"),
            app_commands.Choice(name="English", value="en"),
        ],
        empty=[
            app_commands.Choice(name="stay quiet", value="quiet"),
            app_commands.Choice(name="post a line", value="line"),
        ],
    )
    async def set_channel(
        self,
        interaction: discord.Interaction,
        channel: discord.TextChannel,
        time: app_commands.Range[str, 1, 5] | None = None,
        timezone: app_commands.Range[str, 1, 64] | None = None,
        language: str | None = None,
        topic: app_commands.Range[str, 1, 200] | None = None,
        empty: str | None = None,
    ) -> None:
        """Post the daily digest in a channel"""
        guild = interaction.guild
        assert guild is not None
        lang = lang_of(interaction.locale)
        state = self.bot.state.digest
        # Omitted time and zone: the server's main feed's, so its channels post together.
        main = state.guild(guild.id)
        settings = self.bot.settings
        post_time = _checked_time(time or (main.post_time if main else settings.post_time))
        zone = _checked_zone(timezone or (main.timezone if main else settings.timezone))
        wanted = checked_topic(topic)
        if empty is not None and wanted is None:
            raise UserError("feed_empty_needs_topic")
        before = state.feed_in(guild.id, channel.id)
        adding = before is None or not before.enabled
        if adding and sum(f.enabled for f in state.feeds(guild.id)) >= MAX_FEEDS:
            raise UserError("feed_too_many", n=MAX_FEEDS)
        if missing := missing_perms(channel, guild.me, ALL_PERMS):
            raise UserError(
                "digest_cannot_post",
                channel=channel.mention,
                perms=", ".join(t(f"perm_{p}", lang) for p in missing),
            )
        config = state.configure(
            guild.id,
            channel.id,
            post_time,
            zone,
            language,
            discord.utils.utcnow(),
            set_by=interaction.user.id,
            topic=wanted,
            empty=empty or "quiet",
        )
        values = {
            "channel": channel.mention,
            "time": post_time,
            "tz": zone,
            "lang_name": t(f"lang_{post_lang(guild, config)}", lang),
            "next": discord.utils.format_dt(config.next_due, "F"),
        }
        if wanted is None:
            text = t("digest_set", lang, **values)
        else:
            empty_says = empty_text(config, lang)
            text = t("digest_set_topic", lang, topic=safe(wanted), empty=empty_says, **values)
        await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_MENTIONS)

    @set_channel.autocomplete("timezone")
    async def timezone_choices(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=z, value=z) for z in zone_matches(current)]

    @digest.command(name="off")
    @app_commands.describe(channel="Channel to stop (default: every digest channel)")
    async def off(
        self, interaction: discord.Interaction, channel: discord.TextChannel | None = None
    ) -> None:
        """Stop the daily digest posts"""
        assert interaction.guild is not None
        state, lang = self.bot.state.digest, lang_of(interaction.locale)
        if channel is None:
            was_on = state.disable_all(interaction.guild.id) > 0
            text = t("digest_off" if was_on else "digest_was_off", lang)
        else:
            feed = state.feed_in(interaction.guild.id, channel.id)
            was_on = feed is not None and state.disable(feed.feed_id)
            key = "digest_off_channel" if was_on else "digest_was_off_channel"
            text = t(key, lang, channel=channel.mention)
        await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_MENTIONS)

    @digest.command(name="now")
    async def now(self, interaction: discord.Interaction) -> None:
        """Post the newest digest now, if it was not posted yet"""
        guild = interaction.guild
        assert guild is not None
        state, lang = self.bot.state.digest, lang_of(interaction.locale)
        feeds = [f for f in state.feeds(guild.id) if f.enabled]
        main = state.guild(guild.id)
        if not feeds and main is not None and main.stopped:
            reason = reason_text(main.stopped, lang)
            raise UserError("digest_gone", channel=f"<#{main.channel_id}>", reason=reason)
        if not feeds:
            raise UserError("digest_not_set")
        if all(self.runner.lock(f.feed_id).locked() for f in feeds):  # the daily runs are
            # sending: nothing to add
            busy = t("digest_busy", lang, channel=f"<#{feeds[0].channel_id}>")
            await interaction.response.send_message(
                busy, ephemeral=True, allowed_mentions=NO_MENTIONS
            )
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        started = discord.utils.utcnow()
        await self.runner.refresh(started)  # global: at most once per INGEST_EVERY
        results = await asyncio.gather(*(self.runner.serve(f.feed_id) for f in feeds))
        lines = []
        for feed, result in zip(feeds, results, strict=True):
            if result.outcome == "failed":  # retried by the loop, with backoff
                self.runner.reschedule(feed.feed_id, result, started)
            record = state.post(feed.feed_id, result.day) if result.day else None
            if result.outcome == "nothing" and record and record.status == "quiet":
                result.quiet = [result.day]  # the newest date had no match: say so
            line = now_text(result, state.feed(feed.feed_id) or feed, lang)
            lines.append(line if len(feeds) == 1 else f"<#{feed.channel_id}>: {line}")
        for text in messages([lines]):
            await interaction.followup.send(text, ephemeral=True, allowed_mentions=NO_MENTIONS)

    @digest.command(name="status")
    async def status(self, interaction: discord.Interaction) -> None:
        """Show the daily digest settings, the last and next post and the last error"""
        guild = interaction.guild
        assert guild is not None
        lang = lang_of(interaction.locale)
        feeds = self.bot.state.digest.feeds(guild.id)
        if not feeds:
            raise UserError("digest_not_set")
        blocks = [feed_lines(self.bot.state.digest, guild, f, lang) for f in feeds]
        blocks[-1] += weekly_lines(self.bot.state.weekly, guild.id, lang)
        first, *more = messages(blocks)
        await interaction.response.send_message(first, ephemeral=True, allowed_mentions=NO_MENTIONS)
        for text in more:
            await interaction.followup.send(text, ephemeral=True, allowed_mentions=NO_MENTIONS)

    @commands.Cog.listener()
    async def on_guild_remove(self, guild: discord.Guild) -> None:
        """The bot was removed from the server (not an outage: that is `guild_unavailable`)."""
        self.bot.state.digest.stop_all(guild.id, "stop_removed")
        log.info("server %s: removed from the server; daily posts stopped", guild.id)

    # -- the daily loop ----------------------------------------------------------------------
    @tasks.loop(minutes=1)
    async def daily(self) -> None:
        try:
            await self.runner.run_due(discord.utils.utcnow())
        except Exception:  # an escaping error would end the loop, and every later post with it
            log.exception("daily post run failed")

    @daily.before_loop
    async def before_daily(self) -> None:
        await self.bot.wait_until_ready()


@cache
def _zones() -> tuple[str, ...]:
    return tuple(sorted(available_timezones()))


def zone_matches(current: str, limit: int = 25) -> list[str]:
    """Time zones for the autocomplete: names starting with the text first, then containing it."""
    text = current.strip().lower()
    if not text:
        return list(COMMON_ZONES)
    starts = [z for z in _zones() if z.lower().startswith(text)]
    contains = [z for z in _zones() if text in z.lower() and z not in starts]
    return (starts + contains)[:limit]


def _checked_time(value: str) -> str:
    try:
        at = parse_hhmm(value)
    except ValueError:
        raise UserError("bad_time", value=value) from None
    return f"{at.hour:02d}:{at.minute:02d}"


def _checked_zone(value: str) -> str:
    """One of the IANA names Python knows: `America` (a folder) or `Mars/Base` is refused."""
    zone = value.strip()
    if zone not in _zones():
        raise UserError("bad_timezone_pick", value=value)
    return zone


async def setup(bot: PaperBot) -> None:
    await bot.add_cog(Digest(bot))
