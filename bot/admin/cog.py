"""/reindex: rebuild the index from the digest source, blue/green, while the old one answers.

A rebuild re-embeds the whole archive for every server the bot is in, so it is not a per-server
action: only the bot's owner (the application's owner or team) or a Manage Server holder in the
admin server (PAPERBOT_ADMIN_GUILD_ID) may start one, at most once per REINDEX_COOLDOWN seconds
(the owner is not held to it)."""

from __future__ import annotations

import asyncio
import logging
import math
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.digest.source import pulling
from bot.papers.lookup import PaperLookup
from bot.ui.errors import UserError
from bot.ui.i18n import Lang, lang_of, t
from bot.ui.render import NO_MENTIONS

if TYPE_CHECKING:
    from bot.app import PaperBot
    from ingest.pipeline import IngestReport
    from store.index import Index

log = logging.getLogger(__name__)
PROGRESS_EVERY = 2.0  # seconds between edits of the progress message (Discord rate-limits edits)
REINDEX_COOLDOWN = 600.0  # seconds between two rebuilds started by admin-server members


def require_manager(interaction: discord.Interaction) -> None:
    """Checked inside the bot: a server admin may loosen `default_permissions`, this still
    refuses. Raises the CheckFailure the error handler explains."""
    if interaction.guild is None:
        raise app_commands.NoPrivateMessage()
    if not interaction.permissions.manage_guild:
        raise app_commands.MissingPermissions(["manage_guild"])


async def may_rebuild(bot: PaperBot, interaction: discord.Interaction) -> bool:
    """The owner anywhere; otherwise a Manage Server holder inside the admin server. Notes the
    answer in `interaction.extras["owner"]` for the cooldown."""
    owner = interaction.extras["owner"] = await bot.is_owner(interaction.user)
    if owner:
        return True
    admin_guild = bot.settings.admin_guild_id
    if admin_guild is None or interaction.guild_id != admin_guild:
        return False
    require_manager(interaction)
    return True


class Admin(commands.Cog):
    def __init__(self, bot: PaperBot) -> None:
        self.bot = bot
        self.cooldown = app_commands.Cooldown(1, REINDEX_COOLDOWN)  # one bucket: all servers
        self.running = False  # a rebuild holds the index lock (the daily ingest may too)

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if not await may_rebuild(self.bot, interaction):
            raise UserError("reindex_not_allowed")
        return True

    def _take_turn(self, interaction: discord.Interaction, owner: bool) -> None:
        """Refuse while a rebuild, an ingest or a pull runs, or within the cooldown; only an
        accepted run starts the cooldown (a refusal does not extend it)."""
        if self.running:
            raise UserError("reindex_busy")
        if self.bot.index_lock.locked() or pulling():
            raise UserError("source_busy")
        if owner:
            return
        retry = self.cooldown.update_rate_limit()
        if retry:
            raise UserError("reindex_cooldown", minutes=max(1, math.ceil(retry / 60)))

    @app_commands.command(name="reindex")
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.guild_only()
    async def reindex(self, interaction: discord.Interaction) -> None:
        """Rebuild the search index from the digest source"""
        self._take_turn(interaction, owner=interaction.extras.get("owner", False))
        lang = lang_of(interaction.locale)
        async with self.bot.index_lock:
            self.running = True
            try:
                await interaction.response.defer(thinking=True)
                await interaction.edit_original_response(
                    content=t("reindex_start", lang), allowed_mentions=NO_MENTIONS
                )
                fresh, report = await self._rebuild(interaction, lang)
                self.bot.swap_index(fresh)
            finally:
                self.running = False
        self.bot.enrich_soon("/reindex")
        papers = report.papers_new + report.papers_updated + report.papers_unchanged
        done = t(
            "reindex_done", lang, papers=papers, files=report.files, skipped=len(report.skipped)
        )
        await interaction.edit_original_response(content=done, allowed_mentions=NO_MENTIONS)

    async def _rebuild(
        self, interaction: discord.Interaction, lang: Lang
    ) -> tuple[Index, IngestReport]:
        """Run the rebuild in a worker thread; its progress callback logs progress lines
        (store/progress.py) and hands (done, total) to the event loop, which edits the reply
        at most every PROGRESS_EVERY seconds."""
        from bot.app import lookup_of
        from ingest.pipeline import rebuild
        from store.progress import ProgressLog, Tick

        loop = asyncio.get_running_loop()
        updates: asyncio.Queue[tuple[int, int]] = asyncio.Queue()
        shown = ProgressLog("/reindex", bar=False, logger=log)

        def progress(tick: Tick) -> None:
            shown(tick)
            loop.call_soon_threadsafe(updates.put_nowait, (tick.done, tick.total))

        def work() -> tuple[Index, IngestReport, PaperLookup]:
            log.info("/reindex: rebuilding from %s", self.bot.settings.digests)
            with shown:
                fresh, report = rebuild(
                    self.bot.settings, self.bot.index, progress, purpose="paperbot run (/reindex)"
                )
            return fresh, report, lookup_of(fresh)  # warm the new catalogue before the swap

        job = asyncio.ensure_future(asyncio.to_thread(work))
        last_edit = 0.0
        while not job.done():
            getter = asyncio.ensure_future(updates.get())
            await asyncio.wait({job, getter}, return_when=asyncio.FIRST_COMPLETED)
            if not getter.done():
                getter.cancel()
                continue
            done, total = getter.result()
            if loop.time() - last_edit >= PROGRESS_EVERY:
                last_edit = loop.time()
                text = t("reindex_progress", lang, done=done, total=total)
                try:
                    await interaction.edit_original_response(
                        content=text, allowed_mentions=NO_MENTIONS
                    )
                except discord.HTTPException:
                    log.warning("could not show reindex progress", exc_info=True)
        fresh, report, lookup = job.result()
        self.bot.lookup = lookup
        return fresh, report


async def setup(bot: PaperBot) -> None:
    await bot.add_cog(Admin(bot))
