"""Telling a server that something the bot posts on its own has stopped: a DM to the admin who
set it up, else the server's system channel (when the bot may post there)."""

from __future__ import annotations

import logging

import discord
from discord.ext import commands

from bot.ui.render import NO_MENTIONS

log = logging.getLogger(__name__)


async def tell_admin(bot: commands.Bot, guild_id: int, admin_id: int | None, text: str) -> bool:
    """True when the notice went out somewhere."""
    if admin_id is not None:
        try:
            user = bot.get_user(admin_id) or await bot.fetch_user(admin_id)
            await user.send(text, allowed_mentions=NO_MENTIONS)
            return True
        except discord.HTTPException:
            log.info("server %s: could not DM the admin %s", guild_id, admin_id)
    guild = bot.get_guild(guild_id)
    system = guild.system_channel if guild else None
    if guild is not None and system is not None and system.permissions_for(guild.me).send_messages:
        try:
            await system.send(text, allowed_mentions=NO_MENTIONS)
            return True
        except discord.HTTPException:
            log.warning("server %s: could not post the notice", guild_id)
    return False
