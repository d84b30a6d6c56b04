"""/digest set|off|now|status and the loop that runs the daily posts.

The loop wakes every minute and hands the servers whose run is due to bot/digest/runner.py (each at
its own post time and zone). What a run posts and when it runs again: bot/digest/schedule.py. How a
date is posted exactly once per server and paper: bot/digest/posting.py and bot/state/digest.py.
"""

from __future__ import annotations

import logging
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING
from zoneinfo import available_timezones

import discord
from discord import app_commands
from discord.ext import commands, tasks

from bot.admin.cog import require_manager
from bot.digest.posting import ALL_PERMS, missing_perms
from bot.digest.runner import DigestRunner, RunResult, post_lang, reason_text
from bot.state.digest import GuildConfig
from bot.state.times import from_text, parse_hhmm
from bot.ui.errors import UserError
from bot.ui.i18n import Lang, lang_of, t
from bot.ui.render import NO_MENTIONS

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
    )
    @app_commands.choices(
        language=[
            app_commands.Choice(name="Korean", value="ko"),
            app_commands.Choice(name="English", value="en"),
        ]
    )
    async def set_channel(
        self,
        interaction: discord.Interaction,
        channel: discord.TextChannel,
        time: app_commands.Range[str, 1, 5] | None = None,
        timezone: app_commands.Range[str, 1, 64] | None = None,
        language: str | None = None,
    ) -> None:
        """Post the daily digest in a channel"""
        guild = interaction.guild
        assert guild is not None
        lang = lang_of(interaction.locale)
        settings = self.bot.settings
        post_time = _checked_time(time or settings.post_time)
        zone = _checked_zone(timezone or settings.timezone)
        if missing := missing_perms(channel, guild.me, ALL_PERMS):
            raise UserError(
                "digest_cannot_post",
                channel=channel.mention,
                perms=", ".join(t(f"perm_{p}", lang) for p in missing),
            )
        config = self.bot.state.digest.configure(
            guild.id,
            channel.id,
            post_time,
            zone,
            language,
            discord.utils.utcnow(),
            set_by=interaction.user.id,
        )
        text = t(
            "digest_set",
            lang,
            channel=channel.mention,
            time=post_time,
            tz=zone,
            lang_name=t(f"lang_{post_lang(guild, config)}", lang),
            next=discord.utils.format_dt(config.next_due, "F"),
        )
        await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_MENTIONS)

    @set_channel.autocomplete("timezone")
    async def timezone_choices(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=z, value=z) for z in zone_matches(current)]

    @digest.command(name="off")
    async def off(self, interaction: discord.Interaction) -> None:
        """Stop the daily digest posts"""
        assert interaction.guild is not None
        was_on = self.bot.state.digest.disable(interaction.guild.id)
        lang = lang_of(interaction.locale)
        await interaction.response.send_message(
            t("digest_off" if was_on else "digest_was_off", lang),
            ephemeral=True,
            allowed_mentions=NO_MENTIONS,
        )

    @digest.command(name="now")
    async def now(self, interaction: discord.Interaction) -> None:
        """Post the newest digest now, if it was not posted yet"""
        guild = interaction.guild
        assert guild is not None
        config = self.bot.state.digest.guild(guild.id)
        lang = lang_of(interaction.locale)
        if config is not None and not config.enabled and config.stopped:
            reason = reason_text(config.stopped, lang)
            raise UserError("digest_gone", channel=f"<#{config.channel_id}>", reason=reason)
        if config is None or not config.enabled:
            raise UserError("digest_not_set")
        channel = f"<#{config.channel_id}>"
        if self.runner.lock(guild.id).locked():  # the daily run is sending: nothing to add
            await interaction.response.send_message(
                t("digest_busy", lang, channel=channel),
                ephemeral=True,
                allowed_mentions=NO_MENTIONS,
            )
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        started = discord.utils.utcnow()
        await self.runner.refresh(started)  # global: at most once per INGEST_EVERY
        result = await self.runner.serve(guild.id)
        if result.outcome == "failed":  # retried by the loop, with backoff
            self.runner.reschedule(guild.id, result, started)
        text = self._now_text(result, guild.id, channel, lang)
        await interaction.followup.send(text, ephemeral=True, allowed_mentions=NO_MENTIONS)

    def _now_text(self, result: RunResult, guild_id: int, channel: str, lang: Lang) -> str:
        if result.outcome == "posted":
            if len(result.posted) > 1:
                return t("digest_posted_many", lang, days=", ".join(result.posted), channel=channel)
            return t("digest_posted", lang, day=result.posted[0], channel=channel)
        if result.outcome == "nothing":
            return t("digest_already", lang, day=result.day)
        if result.outcome == "busy":
            return t("digest_busy", lang, channel=channel)
        if result.outcome == "gone" and result.stopped:
            return t("digest_gone", lang, channel=channel, reason=reason_text(result.stopped, lang))
        if result.outcome == "failed":
            config = self.bot.state.digest.guild(guild_id)
            when = discord.utils.format_dt(config.next_due, "R") if config else "?"
            return t(
                "digest_failed",
                lang,
                day=result.day,
                error=result.error,
                when=t("retry_at", lang, when=when),
            )
        if result.outcome == "off":
            return t("digest_not_set", lang)
        return t("no_index", lang)

    @digest.command(name="status")
    async def status(self, interaction: discord.Interaction) -> None:
        """Show the daily digest settings, the last and next post and the last error"""
        guild = interaction.guild
        assert guild is not None
        lang = lang_of(interaction.locale)
        config = self.bot.state.digest.guild(guild.id)
        if config is None:
            raise UserError("digest_not_set")
        text = "\n".join(self.status_lines(guild, config, lang))
        await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_MENTIONS)

    def status_lines(self, guild: discord.Guild, config: GuildConfig, lang: Lang) -> list[str]:
        state = self.bot.state.digest
        lines = [
            t("status_stopped", lang, reason=reason_text(config.stopped, lang))
            if config.stopped and not config.enabled
            else t("status_on" if config.enabled else "status_off", lang),
            t(
                "status_where",
                lang,
                channel=f"<#{config.channel_id}>",
                time=config.post_time,
                tz=config.timezone,
                lang_name=t(f"lang_{post_lang(guild, config)}", lang),
            ),
        ]
        who = f"<@{config.set_by}>" if config.set_by else t("status_unknown_user", lang)
        lines.append(t("status_set_by", lang, user=who, when=_timestamp(config.set_at, "D")))
        last = state.last_posted(guild.id)
        lines.append(
            t("status_last", lang, day=last.day, when=_timestamp(from_text(last.finished_at), "R"))
            if last
            else t("status_never", lang)
        )
        if config.enabled:
            key = {"retry": "status_retry", "recheck": "status_recheck"}.get(
                config.run_kind, "status_next"
            )
            lines.append(
                t(key, lang, when=_timestamp(config.next_due, "F"), tries=config.tries + 1)
            )
        if config.last_error:
            lines.append(
                t(
                    "status_error",
                    lang,
                    when=_timestamp(config.last_error_at, "R"),
                    error=config.last_error,
                )
            )
        if config.note:
            lines.append(
                t("status_note", lang, note=t(config.note["key"], lang, **config.note["values"]))
            )
        return lines + self.weekly_lines(guild.id, lang)

    def weekly_lines(self, guild_id: int, lang: Lang) -> list[str]:
        """The weekly roll-up's part of /digest status: on or why it stopped, the last error."""
        weekly = self.bot.state.weekly.server(guild_id)
        if weekly is None or not (weekly.enabled or weekly.stopped):
            return []
        if weekly.stopped and not weekly.enabled:
            lines = [t("weekly_status_stopped", lang, reason=reason_text(weekly.stopped, lang))]
        else:
            lines = [t("weekly_status_on", lang)]
        if weekly.last_error:
            when = _timestamp(weekly.last_error_at, "R")
            lines.append(t("weekly_status_error", lang, when=when, error=weekly.last_error))
        return lines

    @commands.Cog.listener()
    async def on_guild_remove(self, guild: discord.Guild) -> None:
        """The bot was removed from the server (not an outage: that is `guild_unavailable`)."""
        config = self.bot.state.digest.guild(guild.id)
        if config is not None and config.enabled:
            self.bot.state.digest.stop(guild.id, "stop_removed")
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


def _timestamp(moment: datetime | None, style: str) -> str:
    """A Discord timestamp (shown in each member's own time zone), or a dash."""
    return discord.utils.format_dt(moment, style) if moment else "–"  # type: ignore[arg-type]


async def setup(bot: PaperBot) -> None:
    await bot.add_cog(Digest(bot))
