"""The Discuss control of paper cards, persistent like Save (DynamicItems registered by the
Discuss cog): a button under a message holding one card (the arXiv id in its custom id), a
select menu of its papers under a message holding several."""

from __future__ import annotations

import re
from collections.abc import Sequence

import discord

from bot.saved.cite import paper_select
from bot.ui.errors import report
from bot.ui.i18n import Lang, lang_of, t

DISCUSS_MENU = "cards:discuss"


async def discuss(interaction: discord.Interaction, arxiv_id: str, from_message: bool) -> None:
    """Open (or point to) the paper's thread; `from_message`: the pressed message is that
    paper's card alone, so the thread may start from it."""
    cog = interaction.client.get_cog("Discuss")  # type: ignore[union-attr]
    try:
        await cog.discuss(interaction, arxiv_id, from_message)  # type: ignore[union-attr]
    except Exception as error:  # noqa: BLE001 — reported: a DynamicItem has no on_error
        await report(interaction, error, "discuss")


class DiscussButton(
    discord.ui.DynamicItem[discord.ui.Button], template=r"paper:discuss:(?P<id>\S+)"
):
    """Discuss this paper in a thread: `DiscussButton(arxiv_id, lang)`."""

    def __init__(self, arxiv_id: str, lang: Lang = "en", row: int | None = None) -> None:
        super().__init__(
            discord.ui.Button(
                label=t("discuss_button", lang),
                emoji="💬",
                style=discord.ButtonStyle.secondary,
                custom_id=f"paper:discuss:{arxiv_id}",
                row=row,
            )
        )
        self.arxiv_id = arxiv_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str]
    ) -> DiscussButton:
        return cls(match["id"], lang_of(interaction.locale))

    async def callback(self, interaction: discord.Interaction) -> None:
        message = interaction.message
        await discuss(interaction, self.arxiv_id, bool(message and len(message.embeds) == 1))


class DiscussMenu(discord.ui.DynamicItem[discord.ui.Select], template=DISCUSS_MENU):
    """Discuss one of the papers of a message holding several cards (in a thread of its own
    in the channel: the message itself can start only one thread)."""

    def __init__(
        self, papers: Sequence[tuple[str, str]] = (), lang: Lang = "en", row: int | None = None
    ) -> None:
        super().__init__(paper_select(DISCUSS_MENU, t("discuss_pick", lang), papers, row))

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Select, match: re.Match[str]
    ) -> DiscussMenu:
        menu = cls(lang=lang_of(interaction.locale))
        menu.item.options = item.options
        return menu

    async def callback(self, interaction: discord.Interaction) -> None:
        await discuss(interaction, self.item.values[0], from_message=False)
