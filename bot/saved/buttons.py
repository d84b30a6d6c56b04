"""The Save button of paper cards: persistent (a DynamicItem with the arXiv id in its custom
id, registered by the Saved cog, so a button posted before a restart still works), answered
with a confirmation only the member who pressed it sees; and the whole set of controls a
message of cards carries (`card_buttons`: Save, Cite, Discuss)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

import discord

from bot.discuss.buttons import DiscussButton, DiscussMenu
from bot.saved.cite import CiteButton, CiteMenu
from bot.ui.i18n import Lang, lang_of, t
from bot.ui.render import NO_MENTIONS, plain_title
from store.index import Index
from store.models import Paper

if TYPE_CHECKING:
    from bot.app import PaperBot

MAX_SAVED = 500


class SaveButton(discord.ui.DynamicItem[discord.ui.Button], template=r"paper:save:(?P<id>\S+)"):
    """Save this paper (for a card's view): `SaveButton(arxiv_id, lang)`."""

    def __init__(
        self, arxiv_id: str, lang: Lang = "en", number: int | None = None, row: int | None = None
    ) -> None:
        label = t("saved_save", lang) if number is None else f"{t('saved_save', lang)} {number}"
        super().__init__(
            discord.ui.Button(
                label=label,
                emoji="🔖",
                style=discord.ButtonStyle.secondary,
                custom_id=f"paper:save:{arxiv_id}",
                row=row,
            )
        )
        self.arxiv_id = arxiv_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str]
    ) -> SaveButton:
        return cls(match["id"], lang_of(interaction.locale))

    async def callback(self, interaction: discord.Interaction) -> None:
        await save_paper(interaction, self.arxiv_id)


async def save_paper(interaction: discord.Interaction, arxiv_id: str) -> None:
    """Save a paper for the member who pressed Save; the confirmation only they see. (A
    paging view with a timeout uses this through a plain button: a DynamicItem inside a view
    that stops would unregister the persistent one.)"""
    lang = lang_of(interaction.locale)
    bot: PaperBot = interaction.client  # type: ignore[assignment]
    paper = await bot.query(Index.get, arxiv_id)
    title = plain_title(paper.title, 120) if paper else arxiv_id
    store = bot.state.saved
    user_id = interaction.user.id
    added = len(store.saved(user_id)) < MAX_SAVED and store.save(user_id, arxiv_id)
    key = "saved_added" if added else "saved_already"
    await interaction.response.send_message(
        t(key, lang, title=title), ephemeral=True, allowed_mentions=NO_MENTIONS
    )


def card_buttons(papers: Sequence[Paper], lang: Lang, discuss: bool = True) -> discord.ui.View:
    """What a message of paper cards carries, persistent (the view never times out).

    One card: Save, Cite and Discuss buttons in one row. Several (a daily-post message holds up
    to 10): numbered Save buttons (rows 1-2, five a row), then a Cite menu and a Discuss menu
    listing the papers by the same numbers. Three buttons per card would need 30 components for
    10 cards, over Discord's 25 (5 rows of 5); this layout needs at most 4 rows and 12."""
    view = discord.ui.View(timeout=None)
    if len(papers) == 1:
        arxiv_id = papers[0].arxiv_id
        view.add_item(SaveButton(arxiv_id, lang, row=0))
        view.add_item(CiteButton(arxiv_id, lang, row=0))
        if discuss:
            view.add_item(DiscussButton(arxiv_id, lang, row=0))
        return view
    for number, paper in enumerate(papers, 1):
        view.add_item(SaveButton(paper.arxiv_id, lang, number, row=(number - 1) // 5))
    listed = [(p.arxiv_id, p.title) for p in papers]
    view.add_item(CiteMenu(listed, lang, row=2))
    if discuss:
        view.add_item(DiscussMenu(listed, lang, row=3))
    return view
