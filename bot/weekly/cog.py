"""/digest weekly on|off and the loop that posts the weekly roll-up (bot/weekly/runner.py).

The `weekly` subgroup joins the `/digest` group of bot/digest/cog.py when this cog loads (after
it), so `/digest weekly on` sits beside `/digest set` with the same Manage Server default."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands, tasks

from bot.admin.cog import require_manager
from bot.digest.posting import WEEKLY_NEEDED, missing_perms
from bot.ui.errors import UserError
from bot.ui.i18n import lang_of, t
from bot.ui.render import NO_MENTIONS
from bot.weekly.runner import WeeklyRunner

if TYPE_CHECKING:
    from bot.app import PaperBot

log = logging.getLogger(__name__)


class Weekly(commands.Cog):
    weekly = app_commands.Group(
        name="weekly", description="Weekly roll-up every Monday at the daily post time"
    )

    def __init__(self, bot: PaperBot) -> None:
        self.bot = bot
        self.store = bot.state.weekly
        self.runner = WeeklyRunner(bot, self.store)

    async def cog_load(self) -> None:
        self.tick.start()

    def join_digest(self) -> None:
        """Move `weekly` from the top level (where add_cog puts a cog's group) under /digest."""
        digest = self.bot.tree.get_command("digest")
        if isinstance(digest, app_commands.Group):
            self.bot.tree.remove_command("weekly")
            digest.add_command(self.weekly)

    async def cog_unload(self) -> None:
        self.tick.cancel()

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        require_manager(interaction)
        return True

    @weekly.command(name="on")
    async def on(self, interaction: discord.Interaction) -> None:
        """Post the weekly roll-up every Monday"""
        lang = lang_of(interaction.locale)
        assert interaction.guild_id is not None
        config = self.bot.state.digest.guild(interaction.guild_id)
        if config is None or not config.enabled:
            raise UserError("weekly_need_digest")
        guild = interaction.guild
        channel = guild.get_channel(config.channel_id) if guild else None
        if isinstance(channel, discord.TextChannel) and guild is not None:
            missing = missing_perms(channel, guild.me, WEEKLY_NEEDED)
        else:
            missing = []  # not in the cache: the roll-up's own check says so later
        if missing:
            raise UserError(
                "weekly_cannot_post",
                channel=channel.mention,
                perms=", ".join(t(f"perm_{p}", lang) for p in missing),
            )
        self.store.set(interaction.guild_id, True)
        text = t(
            "weekly_on",
            lang,
            time=config.post_time,
            zone=config.timezone,
            channel=f"<#{config.channel_id}>",
        )
        await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_MENTIONS)

    @weekly.command(name="off")
    async def off(self, interaction: discord.Interaction) -> None:
        """Stop the weekly roll-up"""
        assert interaction.guild_id is not None
        self.store.set(interaction.guild_id, False)
        await interaction.response.send_message(
            t("weekly_off", lang_of(interaction.locale)),
            ephemeral=True,
            allowed_mentions=NO_MENTIONS,
        )

    @tasks.loop(minutes=5)  # a roll-up goes out within five minutes of the post time
    async def tick(self) -> None:
        try:
            await self.runner.tick(discord.utils.utcnow())
        except Exception:
            log.exception("weekly roll-up failed; trying again in five minutes")

    @tick.before_loop
    async def before_tick(self) -> None:
        await self.bot.wait_until_ready()


async def setup(bot: PaperBot) -> None:
    cog = Weekly(bot)
    await bot.add_cog(cog)
    cog.join_digest()
