"""The Cite control of paper cards: one paper's BibTeX entry in a code block, only for the
member who asked. Persistent like Save (DynamicItems registered by the Saved cog): a button on
a one-card message carries the arXiv id in its custom id; a message of several cards carries
one select menu whose options are its papers."""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

import discord

from bot.saved.bibtex import entries
from bot.ui.errors import UserError, report
from bot.ui.i18n import Lang, lang_of, t
from bot.ui.render import NO_MENTIONS, clip, plain_title
from store.index import Index
from store.models import Paper

if TYPE_CHECKING:
    from bot.app import PaperBot

CITE_MENU = "cards:cite"
MESSAGE = 2000  # characters of a message's content
# A select option's label holds at most 100 characters; a menu at most 25 options.
OPTION_LABEL, OPTIONS = 100, 25


def _cited(index: Index, arxiv_id: str) -> tuple[Paper, str] | None:
    paper = index.get(arxiv_id)
    return (paper, entries([paper], index.by_id)[0]) if paper else None


async def cite_paper(interaction: discord.Interaction, arxiv_id: str) -> None:
    """Reply privately with the paper's BibTeX entry (the key `/saved-export` and `paperbot bib`
    give it too)."""
    bot: PaperBot = interaction.client  # type: ignore[assignment]
    lang = lang_of(interaction.locale)
    found = await bot.query(_cited, arxiv_id)
    if found is None:
        raise UserError("paper_gone", arxiv_id=arxiv_id)
    paper, text = found
    head = t("cite_entry", lang, title=plain_title(paper.title, 150))
    block = "```bibtex\n" + text.replace("```", "`\u200b``") + "```"
    if len(head) + 1 + len(block) <= MESSAGE:
        await interaction.response.send_message(
            f"{head}\n{block}", ephemeral=True, allowed_mentions=NO_MENTIONS
        )
        return
    # a paper with a few hundred authors: its entry goes as a file
    upload = discord.File(
        io.BytesIO(text.encode("utf-8")), filename=paper.arxiv_id.replace("/", "_") + ".bib"
    )
    await interaction.response.send_message(
        head, file=upload, ephemeral=True, allowed_mentions=NO_MENTIONS
    )


class CiteButton(discord.ui.DynamicItem[discord.ui.Button], template=r"paper:cite:(?P<id>\S+)"):
    """Cite this paper (under a message holding one card): `CiteButton(arxiv_id, lang)`."""

    def __init__(self, arxiv_id: str, lang: Lang = "en", row: int | None = None) -> None:
        super().__init__(
            discord.ui.Button(
                label=t("cite_button", lang),
                emoji="📑",
                style=discord.ButtonStyle.secondary,
                custom_id=f"paper:cite:{arxiv_id}",
                row=row,
            )
        )
        self.arxiv_id = arxiv_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str]
    ) -> CiteButton:
        return cls(match["id"], lang_of(interaction.locale))

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            await cite_paper(interaction, self.arxiv_id)
        except Exception as error:  # noqa: BLE001 — reported: a DynamicItem has no on_error
            await report(interaction, error, "cite button")


def paper_options(papers: Sequence[tuple[str, str]]) -> list[discord.SelectOption]:
    """`n. title` options (numbered as the cards and their Save buttons) valued by arXiv id."""
    return [
        discord.SelectOption(label=clip(f"{n}. {title}", OPTION_LABEL), value=arxiv_id)
        for n, (arxiv_id, title) in enumerate(papers[:OPTIONS], 1)
    ]


def paper_select(
    custom_id: str, placeholder: str, papers: Sequence[tuple[str, str]], row: int | None
) -> discord.ui.Select:
    """A menu of a card message's papers (Cite, Discuss); a menu rebuilt from a press has no
    papers yet: its options are the pressed one's."""
    options = paper_options(papers) or [discord.SelectOption(label="-")]
    return discord.ui.Select(custom_id=custom_id, placeholder=placeholder, options=options, row=row)


class CiteMenu(discord.ui.DynamicItem[discord.ui.Select], template=CITE_MENU):
    """Cite one of the papers of a message holding several cards."""

    def __init__(
        self, papers: Sequence[tuple[str, str]] = (), lang: Lang = "en", row: int | None = None
    ) -> None:
        super().__init__(paper_select(CITE_MENU, t("cite_pick", lang), papers, row))

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Select, match: re.Match[str]
    ) -> CiteMenu:
        menu = cls(lang=lang_of(interaction.locale))
        menu.item.options = item.options
        return menu

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            await cite_paper(interaction, self.item.values[0])
        except Exception as error:  # noqa: BLE001 — reported: a DynamicItem has no on_error
            await report(interaction, error, "cite menu")
