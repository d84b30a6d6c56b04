"""Message context menu "Find papers" (right-click a message -> Apps): /ask on that message's
text, answered only to the member who asked. The text comes from the resolved message in the
interaction, so no privileged intent is needed; chit-chat gets "nothing relevant"."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.ui import render
from bot.ui.i18n import Lang, lang_of, t
from bot.ui.render import safe
from bot.ui.views import Pager
from store.enrich import Enrichment
from store.models import Answer
from store.search.retrieval import search
from store.usertext import visible

if TYPE_CHECKING:
    from bot.app import PaperBot

QUESTION = 300  # the same bound as /ask's question
RESULTS = 5


def message_text(message: discord.Message) -> str:
    """The message's visible words: its content, else its first embed's title and
    description."""
    text = message.content or ""
    if not visible(text) and message.embeds:
        embed = message.embeds[0]
        text = f"{embed.title or ''}\n{embed.description or ''}"
    return visible(text)[:QUESTION]


def answer_pages(
    text: str, answer: Answer, lang: Lang, extras: Mapping[str, Enrichment] | None = None
) -> list[list[discord.Embed]]:
    quoted = t("question", lang, q=safe(render.clip(text, 300)))
    if answer.abstained:
        return [[render.notice(f"{quoted}\n{t('nothing_found', lang)}")]]
    head = render.listing(
        t("find_title", lang), [quoted], [h.paper for h in answer.hits], "more_in_pages", lang
    )
    known = extras or {}
    return [[head], *([render.hit_card(h, lang, known.get(h.paper.arxiv_id))] for h in answer.hits)]


class FindPapers(commands.Cog):
    def __init__(self, bot: PaperBot) -> None:
        self.bot = bot
        self.menu = app_commands.ContextMenu(name="Find papers", callback=self.find)
        app_commands.checks.cooldown(5, 60.0)(self.menu)  # per user, as /ask

    async def cog_load(self) -> None:
        self.bot.tree.add_command(self.menu)

    async def cog_unload(self) -> None:
        self.bot.tree.remove_command(self.menu.name, type=self.menu.type)

    async def find(self, interaction: discord.Interaction, message: discord.Message) -> None:
        lang = lang_of(interaction.locale)
        text = message_text(message)
        if len(text) < 2:
            await interaction.response.send_message(
                t("find_empty", lang), ephemeral=True, allowed_mentions=render.NO_MENTIONS
            )
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        answer = await self.bot.query(search, text, None, None, None, RESULTS)
        extras = await self.bot.fetch_extras(h.paper.arxiv_id for h in answer.hits)
        pages = answer_pages(text, answer, lang, extras)
        await Pager(pages, interaction.user.id, lang).send(interaction, ephemeral=True)


async def setup(bot: PaperBot) -> None:
    await bot.add_cog(FindPapers(bot))
