"""/digest set|off|now and the daily post loop.

The loop wakes every minute and serves the servers whose post time has come (each at its own
time and zone). A run posts the newest digest date not yet posted there: an overview message and
a thread with the cards. Exactly once per server and date across restarts and HTTP failures:
see bot/state.py for the record kept before and after every send.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import discord
from discord import app_commands
from discord.ext import commands, tasks

from bot import render
from bot.cogs.admin import require_manager
from bot.errors import UserError
from bot.i18n import Lang, lang_of, t
from bot.render import NO_MENTIONS
from bot.state import GuildConfig, Post, parse_hhmm
from store.index import Index

if TYPE_CHECKING:
    from bot.app import PaperBot

log = logging.getLogger(__name__)
Outcome = Literal["posted", "already", "failed", "gone", "empty"]
THREAD_EXISTS = 160004  # Discord: "A thread has already been created for this message"


class ChannelGone(Exception):
    """The configured channel was deleted or the bot may no longer post there."""


class Digest(commands.Cog):
    digest = app_commands.Group(
        name="digest",
        description="Daily digest posts for this server",
        default_permissions=discord.Permissions(manage_guild=True),
        guild_only=True,
    )

    def __init__(self, bot: PaperBot) -> None:
        self.bot = bot
        self._retrying: set[int] = set()  # servers whose last run failed and retry each minute

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
        assert interaction.guild is not None
        settings = self.bot.settings
        post_time = _checked_time(time or settings.post_time)
        zone = _checked_zone(timezone or settings.timezone)
        config = self.bot.state.configure(
            interaction.guild.id, channel.id, post_time, zone, language, discord.utils.utcnow()
        )
        lang = lang_of(interaction.locale)
        post_lang = self._lang(interaction.guild, config)
        text = t(
            "digest_set",
            lang,
            channel=channel.mention,
            time=post_time,
            tz=zone,
            lang_name=t(f"lang_{post_lang}", lang),
            next=discord.utils.format_dt(config.next_due, "F"),
        )
        await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_MENTIONS)

    @digest.command(name="off")
    async def off(self, interaction: discord.Interaction) -> None:
        """Stop the daily digest posts"""
        assert interaction.guild is not None
        was_on = self.bot.state.disable(interaction.guild.id)
        lang = lang_of(interaction.locale)
        await interaction.response.send_message(
            t("digest_off" if was_on else "digest_was_off", lang), ephemeral=True
        )

    @digest.command(name="now")
    async def now(self, interaction: discord.Interaction) -> None:
        """Post the newest digest now, if it was not posted yet"""
        assert interaction.guild is not None
        config = self.bot.state.guild(interaction.guild.id)
        if config is None or not config.enabled:
            raise UserError("digest_not_set")
        await interaction.response.defer(ephemeral=True, thinking=True)
        await self.bot.refresh_source()
        outcome, day = await self.serve(config)
        if outcome == "failed":
            self.bot.state.retry_soon(config.guild_id, discord.utils.utcnow())
        lang = lang_of(interaction.locale)
        channel = f"<#{config.channel_id}>"
        key = {
            "posted": "digest_posted",
            "already": "digest_already",
            "failed": "digest_failed",
            "gone": "digest_gone",
            "empty": "no_index",
        }[outcome]
        await interaction.followup.send(
            t(key, lang, day=day, channel=channel), ephemeral=True, allowed_mentions=NO_MENTIONS
        )

    # -- the daily loop ----------------------------------------------------------------------
    @tasks.loop(minutes=1)
    async def daily(self) -> None:
        try:
            await self.run_due(discord.utils.utcnow())
        except Exception:  # an escaping error would end the loop, and every later post with it
            log.exception("daily post run failed")

    async def run_due(self, now: datetime) -> None:
        due = self.bot.state.due(now)
        if not due:
            return
        if any(c.guild_id not in self._retrying for c in due):  # a retry needs no new ingest
            try:
                await self.bot.refresh_source()
            except Exception:
                log.exception("daily ingest failed; posting from the current index")
        for config in due:
            outcome, _ = await self.serve(config)
            if outcome == "failed":
                self._retrying.add(config.guild_id)
            else:
                self._retrying.discard(config.guild_id)
                self.bot.state.reschedule(config.guild_id, now)

    @daily.before_loop
    async def before_daily(self) -> None:
        await self.bot.wait_until_ready()

    async def serve(self, config: GuildConfig) -> tuple[Outcome, str | None]:
        """Post the newest digest date to this server unless it was posted there already."""
        day = await self.bot.query(Index.latest_date)
        if day is None:
            return "empty", None
        existing = self.bot.state.post(config.guild_id, day)
        if existing is not None and existing.status == "posted":
            return "already", day
        papers = await self.bot.query(Index.papers_on, day)
        try:
            await self._post(config, day, papers)
        except ChannelGone as gone:
            log.warning("server %s: %s; daily posts switched off", config.guild_id, gone)
            self.bot.state.disable(config.guild_id)
            return "gone", day
        except discord.HTTPException as error:
            log.warning(
                "server %s: posting %s failed (%s); retrying next minute",
                config.guild_id,
                day,
                error.status,
            )
            return "failed", day
        except Exception:
            log.exception("server %s: posting %s failed", config.guild_id, day)
            return "failed", day
        log.info(
            "server %s: posted the digest of %s (%d papers)", config.guild_id, day, len(papers)
        )
        return "posted", day

    def _lang(self, guild: discord.Guild, config: GuildConfig) -> Lang:
        return (
            "ko"
            if config.lang == "ko"
            else "en"
            if config.lang == "en"
            else lang_of(guild.preferred_locale)
        )

    async def _post(self, config: GuildConfig, day: str, papers: list) -> None:
        guild = self.bot.get_guild(config.guild_id)
        channel = guild.get_channel(config.channel_id) if guild else None
        if guild is None or not isinstance(channel, discord.TextChannel):
            raise ChannelGone(f"channel {config.channel_id} not found")
        state = self.bot.state
        post = state.begin_post(guild.id, day, channel.id)
        lang = self._lang(guild, config)
        threads_allowed = (
            channel.permissions_for(guild.me).create_public_threads and post.thread_id != 0
        )
        head, parts = render.digest_post(day, papers, lang, in_thread=threads_allowed)
        try:
            message = await self._overview(channel, post, head)
            target = await self._thread(guild, message, post, lang) if threads_allowed else channel
            if not threads_allowed and post.thread_id is None:
                state.set_thread(guild.id, day, 0)
            for number in range(post.parts_done, len(parts)):
                await target.send(embeds=parts[number], allowed_mentions=NO_MENTIONS)
                state.set_parts_done(guild.id, day, number + 1)
        except (discord.Forbidden, discord.NotFound) as error:
            raise ChannelGone(f"#{channel.name}: {error.status} {error.text}") from error
        state.finish_post(guild.id, day)

    async def _overview(
        self, channel: discord.TextChannel, post: Post, head: discord.Embed
    ) -> discord.Message | discord.PartialMessage:
        """The overview message: the recorded one, one that landed although its send failed
        (found in the recent history), or a new one."""
        state = self.bot.state
        if post.message_id:
            return channel.get_partial_message(post.message_id)
        if post.attempts:
            found = await self._find_overview(channel, head.url or "")
            if found is not None:
                state.set_message(post.guild_id, post.day, found.id)
                return found
        state.note_attempt(post.guild_id, post.day)
        message = await channel.send(embed=head, allowed_mentions=NO_MENTIONS)
        state.set_message(post.guild_id, post.day, message.id)
        return message

    async def _find_overview(
        self, channel: discord.TextChannel, url: str
    ) -> discord.Message | None:
        try:
            async for message in channel.history(limit=50):
                if message.author.id == self.bot.user.id and any(
                    e.url == url for e in message.embeds
                ):
                    return message
        except discord.Forbidden:
            pass  # no Read Message History: assume the failed send did not land
        return None

    async def _thread(
        self,
        guild: discord.Guild,
        message: discord.Message | discord.PartialMessage,
        post: Post,
        lang: Lang,
    ) -> discord.Thread:
        if post.thread_id:
            thread = guild.get_thread(post.thread_id) or await guild.fetch_channel(post.thread_id)
        else:
            try:
                thread = await message.create_thread(
                    name=t("thread_name", lang, day=post.day), auto_archive_duration=1440
                )
            except discord.HTTPException as error:
                if error.code != THREAD_EXISTS:
                    raise
                thread = await guild.fetch_channel(message.id)  # a message's thread has its id
            self.bot.state.set_thread(guild.id, post.day, thread.id)
        assert isinstance(thread, discord.Thread)
        return thread


def _checked_time(value: str) -> str:
    try:
        at = parse_hhmm(value)
    except ValueError:
        raise UserError("bad_time", value=value) from None
    return f"{at.hour:02d}:{at.minute:02d}"


def _checked_zone(value: str) -> str:
    try:
        ZoneInfo(value.strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise UserError("bad_timezone", value=value) from None
    return value.strip()


async def setup(bot: PaperBot) -> None:
    await bot.add_cog(Digest(bot))
