"""/help (every command with one example, in the member's language) and /stats (how much the
bot knows, how fresh it is, when it posts here next)."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.state.times import from_text
from bot.ui import render
from bot.ui.errors import UserError
from bot.ui.i18n import COMMAND_TEXT_KO, Lang, lang_of, t
from bot.ui.render import NO_MENTIONS
from bot.ui.texts.about import EXAMPLES
from store.index import Index

if TYPE_CHECKING:
    from bot.app import PaperBot


def commands_of(tree: app_commands.CommandTree) -> list[tuple[str, str, bool]]:
    """(qualified name, description, for admins only) of every command the tree holds, slash
    commands first in registration order, then context-menu commands."""
    found = []
    for command in tree.walk_commands():
        if isinstance(command, app_commands.Group):
            continue
        root = command.root_parent or command
        perms = root.default_permissions
        admin = bool(perms and perms.value)
        found.append((command.qualified_name, command.description, admin))
    for menu in tree.get_commands(type=discord.AppCommandType.message):
        perms = menu.default_permissions
        found.append((menu.name, "", bool(perms and perms.value)))
    return found


def help_embed(listed: list[tuple[str, str, bool]], first: str | None, lang: Lang) -> discord.Embed:
    embed = discord.Embed(
        title=t("help_title", lang),
        description=t("help_intro", lang, first=first or "—"),
        colour=render.COLOR,
    )
    for admin in (False, True):
        entries = []
        for name, description, for_admin in listed:
            if for_admin != admin:
                continue
            text = COMMAND_TEXT_KO.get(description, description) if lang == "ko" else description
            shown = name if " " in name or name[0].isupper() else f"/{name}"
            entry = f"**{shown}** — {text}" if text else f"**{shown}**"
            if example := EXAMPLES.get(name, {}).get(lang):
                entry += "\n  " + t("help_example", lang, example=example)
            entries.append(entry)
        key = "help_admins" if admin else "help_members"
        for n, value in enumerate(_fields(entries)):
            embed.add_field(name=t(key, lang) if n == 0 else "\u200b", value=value, inline=False)
    return render.fit(embed)


def _fields(entries: list[str], limit: int = 1024) -> list[str]:
    """Entries packed into field values of at most `limit` characters, none split."""
    values: list[str] = []
    for entry in entries:
        if values and len(values[-1]) + 1 + len(entry) <= limit:
            values[-1] += "\n" + entry
        else:
            values.append(render.clip(entry, limit))
    return values


def _version() -> str:
    try:
        return version("paperbot")
    except PackageNotFoundError:  # a checkout run without installing
        return "unknown"


def _index_figures(index: Index) -> tuple[int, list[str]]:
    return len(index.by_id), index.dates()


class About(commands.Cog):
    def __init__(self, bot: PaperBot) -> None:
        self.bot = bot

    @app_commands.command(name="help")
    async def help(self, interaction: discord.Interaction) -> None:
        """What this bot can do, with an example for each command"""
        await interaction.response.defer(ephemeral=True, thinking=True)
        lang = lang_of(interaction.locale)
        _, dates = await self.bot.query(_index_figures)
        embed = help_embed(commands_of(self.bot.tree), dates[0] if dates else None, lang)
        await interaction.followup.send(embed=embed, allowed_mentions=NO_MENTIONS)

    @app_commands.command(name="stats")
    async def stats(self, interaction: discord.Interaction) -> None:
        """How much the bot knows and how fresh it is"""
        await interaction.response.defer(ephemeral=True, thinking=True)
        lang = lang_of(interaction.locale)
        papers, dates = await self.bot.query(_index_figures)
        if not dates:
            raise UserError("no_index")
        embed = discord.Embed(title=t("stats_title", lang), colour=render.COLOR)
        embed.add_field(name=t("stats_papers", lang), value=f"{papers:,}")
        span = t("stats_dates_value", lang, days=len(dates), first=dates[0], latest=dates[-1])
        embed.add_field(name=t("stats_dates", lang), value=span, inline=False)
        ingested = from_text(self.bot.state.meta("last_ingest"))
        when = discord.utils.format_dt(ingested, "R") if ingested else t("stats_never", lang)
        embed.add_field(name=t("stats_ingest", lang), value=when)
        config = self.bot.state.digest.guild(interaction.guild_id) if interaction.guild_id else None
        if config is not None and config.enabled:
            nxt = discord.utils.format_dt(config.next_due, "F")
            nxt += f" · <#{config.channel_id}>"
        else:
            nxt = t("stats_no_post", lang)
        embed.add_field(name=t("stats_next", lang), value=nxt, inline=False)
        writer = self.bot.get_cog("Answers")  # written answers on: today's use here
        if writer is not None:
            usage = writer.usage_field  # type: ignore[attr-defined]
            name, value = usage(interaction.guild_id, interaction.user.id, lang)
            embed.add_field(name=name, value=value, inline=False)
        embed.add_field(name=t("stats_version", lang), value=_version())
        await interaction.followup.send(embed=render.fit(embed), allowed_mentions=NO_MENTIONS)


async def setup(bot: PaperBot) -> None:
    await bot.add_cog(About(bot))
