"""/saved: a member's saved papers with paging and removal, only for them; /saved-export: the
same papers as a BibTeX file (bot/saved/bibtex.py), only for them. The Save and Cite controls
of cards are in bot/saved/buttons.py and cite.py (registered here, so they work after a
restart).

/saved stays a plain command: Discord cannot run a command that has subcommands, so a
`/saved export` subcommand would turn `/saved` itself into `/saved list` for everyone."""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.saved import bibtex
from bot.saved.buttons import SaveButton
from bot.saved.cite import CiteButton, CiteMenu
from bot.state.saved import SavedState
from bot.ui import render
from bot.ui.i18n import Lang, lang_of, t
from bot.ui.render import NO_MENTIONS
from store.enrich import Enrichment
from store.index import Index
from store.models import Paper

if TYPE_CHECKING:
    from bot.app import PaperBot

EXPORT_NAME = "saved-papers.bib"


def saved_pages(
    papers: list[Paper], lang: Lang, extras: Mapping[str, Enrichment] | None = None
) -> list[discord.Embed]:
    """The list (titles linked, newest saved first), then one card per paper."""
    if not papers:
        return [render.notice(t("saved_none", lang))]
    head = render.listing(t("saved_title", lang, n=len(papers)), [], papers, "more_in_pages", lang)
    known = extras or {}
    return [head, *(render.card(p, lang, extra=known.get(p.arxiv_id)) for p in papers)]


class SavedView(discord.ui.View):
    """Prev / x/y / Next over the pages, and Remove on a paper's card; for its owner only."""

    def __init__(
        self,
        store: SavedState,
        user_id: int,
        papers: list[Paper],
        lang: Lang,
        extras: Mapping[str, Enrichment] | None = None,
    ) -> None:
        super().__init__(timeout=600)
        self.store, self.user_id, self.lang = store, user_id, lang
        self.extras = extras or {}
        self.papers = papers
        self.index = 0
        self.prev.label = t("prev", lang)
        self.next.label = t("next", lang)
        self.remove.label = t("saved_unsave", lang)
        self._sync_page()

    def _sync_page(self) -> None:
        # not `_refresh`: discord.py's View calls its own `_refresh(components)` after an edit
        self.pages = saved_pages(self.papers, self.lang, self.extras)
        self.index = max(0, min(self.index, len(self.pages) - 1))
        self.prev.disabled = self.index == 0
        self.next.disabled = self.index >= len(self.pages) - 1
        self.remove.disabled = self.index == 0
        self.position.label = f"{self.index + 1}/{len(self.pages)}"

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        return interaction.user.id == self.user_id

    async def _show(self, interaction: discord.Interaction) -> None:
        self._sync_page()
        await interaction.response.edit_message(
            embed=self.pages[self.index], view=self, allowed_mentions=NO_MENTIONS
        )

    @discord.ui.button(label="Prev", style=discord.ButtonStyle.primary, custom_id="saved:prev")
    async def prev(self, interaction: discord.Interaction, _: discord.ui.Button) -> None:
        self.index -= 1
        await self._show(interaction)

    @discord.ui.button(
        label="1/1", style=discord.ButtonStyle.secondary, custom_id="saved:position", disabled=True
    )
    async def position(self, interaction: discord.Interaction, _: discord.ui.Button) -> None:
        pass  # a label, not an action

    @discord.ui.button(label="Next", style=discord.ButtonStyle.primary, custom_id="saved:next")
    async def next(self, interaction: discord.Interaction, _: discord.ui.Button) -> None:
        self.index += 1
        await self._show(interaction)

    @discord.ui.button(label="Remove", style=discord.ButtonStyle.danger, custom_id="saved:remove")
    async def remove(self, interaction: discord.Interaction, _: discord.ui.Button) -> None:
        if self.index >= 1:
            paper = self.papers.pop(self.index - 1)
            self.store.unsave(self.user_id, paper.arxiv_id)
        await self._show(interaction)


class Saved(commands.Cog):
    def __init__(self, bot: PaperBot) -> None:
        self.bot = bot
        self.store = bot.state.saved

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(SaveButton, CiteButton, CiteMenu)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(SaveButton, CiteButton, CiteMenu)

    @app_commands.command(name="saved")
    async def saved(self, interaction: discord.Interaction) -> None:
        """Your saved papers"""
        await interaction.response.defer(ephemeral=True, thinking=True)  # before the index
        lang = lang_of(interaction.locale)
        ids = self.store.saved(interaction.user.id)
        found = await self.bot.query(_papers, ids)
        papers = [found[a] for a in ids if a in found]  # a paper gone from the index is skipped
        extras = await self.bot.fetch_extras(p.arxiv_id for p in papers)
        view = SavedView(self.store, interaction.user.id, papers, lang, extras)
        await interaction.followup.send(
            embed=view.pages[0],
            view=view if papers else discord.utils.MISSING,
            ephemeral=True,
            allowed_mentions=NO_MENTIONS,
        )

    @app_commands.command(name="saved-export")
    async def saved_export(self, interaction: discord.Interaction) -> None:
        """Your saved papers as a BibTeX file (only you see it)"""
        await interaction.response.defer(ephemeral=True, thinking=True)
        lang = lang_of(interaction.locale)
        ids = self.store.saved(interaction.user.id)
        texts = await self.bot.query(_entries, ids)
        if not texts:
            await interaction.followup.send(
                t("export_none", lang), ephemeral=True, allowed_mentions=NO_MENTIONS
            )
            return
        files = bibtex.split(texts, bibtex.UPLOAD_LIMIT)
        names = (
            [EXPORT_NAME]
            if len(files) == 1
            else [f"saved-papers-{n}.bib" for n in range(1, len(files) + 1)]
        )
        for group in bibtex.messages(files, bibtex.UPLOAD_LIMIT):
            if len(files) == 1:
                text = t("export_done", lang, n=len(texts))
            else:
                text = t(
                    "export_split",
                    lang,
                    n=len(texts),
                    files=len(files),
                    first=group[0] + 1,
                    last=group[-1] + 1,
                )
            uploads = [discord.File(io.BytesIO(files[i]), filename=names[i]) for i in group]
            await interaction.followup.send(
                text, files=uploads, ephemeral=True, allowed_mentions=NO_MENTIONS
            )


def _entries(index: Index, ids: list[str]) -> list[str]:
    """The BibTeX entries of the saved papers still in the index, newest saved first."""
    found = _papers(index, ids)
    return bibtex.entries([found[a] for a in ids if a in found], index.by_id)


def _papers(index: Index, ids: list[str]) -> dict[str, Paper]:
    return {a: p for a in ids if (p := index.get(a)) is not None}


async def setup(bot: PaperBot) -> None:
    await bot.add_cog(Saved(bot))
