"""Written answers from an OpenAI-compatible endpoint (loaded only when PAPERBOT_LLM_BASE_URL
is set; docs/ANSWERS.md): the answer above /ask's cards, follow-ups in a thread (the Follow up
button, `/followup`), and `/summarize`.

Every call goes through `Writer.call` (writer.py): rate limits and the daily budget first, the
timeout around it, and a quiet line instead of an answer when anything fails; the cards never
wait for it."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.answers import followup
from bot.answers.client import Completion, OnText
from bot.answers.pages import EditThrottle, answer_embed, answer_pages, quiet_embed
from bot.answers.prompt import (
    ANSWER_MAX_TOKENS,
    LOCALE_LANGUAGES,
    SUMMARY_MAX_TOKENS,
    Turn,
    answer_language,
    answer_messages,
    summary_messages,
)
from bot.answers.writer import Writer, budget_day
from bot.papers.cog import ASK_RESULTS, arxiv_id_of
from bot.ui import render
from bot.ui.errors import UserError
from bot.ui.i18n import COMMAND_TEXT_KO, Lang, lang_of, t
from bot.ui.render import NO_MENTIONS
from bot.ui.views import Pager
from store.index import Index
from store.models import Answer, Hit
from store.search.retrieval import search

if TYPE_CHECKING:
    from bot.app import PaperBot

log = logging.getLogger(__name__)
SUMMARY_CHARS = 1500
SUMMARY_LANGUAGES = ("English", "Korean", "Japanese", "Chinese", "German", "French", "Spanish")


class Answers(commands.Cog):
    def __init__(self, bot: PaperBot) -> None:
        self.bot = bot
        self.writer = Writer.from_settings(bot.settings, bot.state.answers)

    # -- cost controls -----------------------------------------------------------------------
    def today(self) -> str:
        """The budget's day, in the bot's time zone."""
        return budget_day(self.bot.settings.timezone)

    def usage_field(self, guild_id: int | None, user_id: int, lang: Lang) -> tuple[str, str]:
        """/stats: what this server (a DM: this member) used today."""
        tokens, answers = self.writer.limits.budget.used(scope_of(guild_id, user_id), self.today())
        daily = self.bot.settings.llm_daily_tokens
        budget = f"{daily:,}" if daily else t("stats_no_limit", lang)
        value = t("stats_answers_value", lang, answers=answers, tokens=tokens, budget=budget)
        return t("stats_answers", lang), value

    async def call(
        self,
        scope: int,
        user_id: int,
        messages: list[dict],
        max_tokens: int,
        lang: Lang,
        on_text: OnText | None = None,
    ) -> Completion | str:
        """One answer from the endpoint, or the quiet line to show instead."""
        now = asyncio.get_running_loop().time()
        result = await self.writer.call(
            scope, user_id, self.today(), now, messages, max_tokens, on_text
        )
        return self._refusal(result, lang) if isinstance(result, str) else result

    def _refusal(self, key: str, lang: Lang) -> str:
        """The quiet line for a reason `Writer.call` gave."""
        settings = self.bot.settings
        limit = settings.llm_user_rate if key == "answer_user_rate" else settings.llm_server_rate
        return t(key, lang, n=limit, timezone=settings.timezone)

    # -- /ask and follow-ups -----------------------------------------------------------------
    async def reply(
        self, interaction: discord.Interaction, question: str, answer: Answer, lang: Lang
    ) -> None:
        """/ask with answers on: the cards at once, the answer edited in above them."""
        if answer.abstained:
            await Pager([[abstained_notice(question, lang)]], interaction.user.id, lang).send(
                interaction
            )
            return
        pager = self.pager(question, answer.hits, lang, interaction.user.id)
        await pager.send(interaction)
        await self.write(
            pager,
            interaction,
            question,
            answer.hits,
            lang,
            history=(),
            conversation=conversation_of(interaction, pager),
        )

    def pager(self, question: str, hits: Sequence[Hit], lang: Lang, owner: int) -> Pager:
        writing = quiet_embed(t("answer_writing", lang))
        extras = self.bot.extras(h.paper.arxiv_id for h in hits)  # a few local rows
        return Pager(answer_pages(writing, question, hits, lang, extras), owner, lang)

    async def write(
        self,
        pager: Pager,
        interaction: discord.Interaction,
        question: str,
        hits: Sequence[Hit],
        lang: Lang,
        history: Sequence[Turn],
        conversation: int | None,
    ) -> None:
        """Stream the answer into page one of `pager`'s message (edits paced by EditThrottle);
        a written answer becomes a turn of `conversation` and gets the Follow up button."""
        model = self.bot.settings.llm_model or ""
        language = answer_language(interaction.locale, question)
        messages = answer_messages(question, hits, language, history)
        throttle = EditThrottle(asyncio.get_running_loop().time)

        async def show(text: str) -> None:
            if throttle.due():
                await self._show(pager, answer_embed(text, hits, lang, model, partial=True))

        result = await self.call(
            scope_of(interaction.guild_id, interaction.user.id),
            interaction.user.id,
            messages,
            ANSWER_MAX_TOKENS,
            lang,
            on_text=show,
        )
        if isinstance(result, str):
            await self._show(pager, quiet_embed(result))
            return
        if conversation is not None:  # not in DMs: no threads there
            self.bot.state.answers.add_turn(conversation, question, result.text)
            pager.add_open_item(followup.button(self, lang))
        answered = answer_embed(result.text, hits, lang, model)
        await self._show(pager, answered, view_changed=conversation is not None)

    async def _show(self, pager: Pager, top: discord.Embed, view_changed: bool = False) -> None:
        page = pager.pages[0]
        try:
            await pager.update(0, [top, *page[1:]], view_changed)
        except discord.HTTPException as error:  # deleted meanwhile: the answer has nowhere to go
            log.info("could not show a written answer: %s", error)

    async def turn(
        self,
        interaction: discord.Interaction,
        conversation: int,
        question: str,
        send: Callable[[Pager | discord.Embed], Awaitable[None]],
    ) -> None:
        """One follow-up: retrieve again (the question with the one before it, so "what about
        its cost?" still finds the topic), then cards and an answer that knows the earlier
        turns."""
        lang = lang_of(interaction.locale)
        history = [Turn(q, a) for q, a in self.bot.state.answers.turns(conversation)]
        query = f"{history[-1].question} {question}" if history else question
        found = await self.bot.query(search, query, None, None, None, ASK_RESULTS)
        if found.abstained:
            await send(abstained_notice(question, lang))
            return
        pager = self.pager(question, found.hits, lang, interaction.user.id)
        await send(pager)
        await self.write(pager, interaction, question, found.hits, lang, history, conversation)

    # -- commands ----------------------------------------------------------------------------
    @app_commands.command(name="followup")
    @app_commands.guild_only()
    @app_commands.describe(question="Your follow-up question")
    async def followup_command(
        self, interaction: discord.Interaction, question: app_commands.Range[str, 1, 300]
    ) -> None:
        """Ask a follow-up question in this answer thread"""
        thread = interaction.channel
        if not isinstance(thread, discord.Thread) or not self.bot.state.answers.turns(thread.id):
            raise UserError("follow_up_where")
        await interaction.response.defer(thinking=True)

        async def send(what: Pager | discord.Embed) -> None:
            if isinstance(what, Pager):
                await what.send(interaction)
            else:
                await interaction.followup.send(embed=what, allowed_mentions=NO_MENTIONS)

        await self.turn(interaction, thread.id, question, send)

    @app_commands.command(name="summarize")
    @app_commands.describe(
        arxiv_id="arXiv id, e.g. 2405.19327 (type to search titles)",
        language="Language of the summary (default: yours)",
    )
    @app_commands.choices(
        language=[app_commands.Choice(name=name, value=name) for name in SUMMARY_LANGUAGES]
    )
    async def summarize(
        self,
        interaction: discord.Interaction,
        arxiv_id: app_commands.Range[str, 1, 200],
        language: app_commands.Choice[str] | None = None,
    ) -> None:
        """Summarize one paper in a language of your choice"""
        await interaction.response.defer(thinking=True)
        lang = lang_of(interaction.locale)
        paper = await self.bot.query(Index.get, arxiv_id_of(arxiv_id))
        if paper is None:
            raise UserError("unknown_paper", value=arxiv_id[:40])
        name = language.value if language else LOCALE_LANGUAGES.get(str(interaction.locale))
        name = name if name in SUMMARY_LANGUAGES else "English"
        result = await self.call(
            scope_of(interaction.guild_id, interaction.user.id),
            interaction.user.id,
            summary_messages(paper, name),
            SUMMARY_MAX_TOKENS,
            lang,
        )
        if isinstance(result, str):
            line = t("summary_fallback", lang)
            extra = (await self.bot.fetch_extras([paper.arxiv_id])).get(paper.arxiv_id)
            embeds = [quiet_embed(f"{result}\n{line}"), render.card(paper, lang, extra=extra)]
        else:
            embed = discord.Embed(
                title=render.plain_title(paper.title),
                url=render.abs_url(paper.arxiv_id),
                description=render.safe(render.clip(result.text.strip(), SUMMARY_CHARS)),
                colour=render.COLOR,
            )
            embed.add_field(name=t("field_date", lang), value=paper.date)
            embed.add_field(name=t("field_votes", lang), value=paper.votes_text)
            model = render.clip(self.bot.settings.llm_model or "", 80)
            shown = COMMAND_TEXT_KO.get(name, name) if lang == "ko" else name  # 영어, 일본어, ...
            embed.set_footer(text=t("summary_footer", lang, language=shown, model=model))
            embeds = [render.fit(embed)]
        await interaction.followup.send(embeds=embeds, allowed_mentions=NO_MENTIONS)

    @summarize.autocomplete("arxiv_id")
    async def arxiv_id_choices(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return self.bot.lookup.choices(current)


def scope_of(guild_id: int | None, user_id: int) -> int:
    """Whose daily budget a call spends: the server's; in a DM, the member's own."""
    return guild_id if guild_id else -user_id


def conversation_of(interaction: discord.Interaction, pager: Pager) -> int | None:
    """The conversation an /ask answer starts: asked in a thread, that thread's (a thread is
    one conversation); else the reply's, whose thread (same id) Follow up starts; none in DMs."""
    if interaction.guild_id is None or pager.message is None:
        return None
    if isinstance(interaction.channel, discord.Thread):
        return interaction.channel.id
    return pager.message.id


def abstained_notice(question: str, lang: Lang) -> discord.Embed:
    asked = t("question", lang, q=render.safe(render.clip(question, 300)))
    return render.notice(f"{asked}\n{t('nothing_found', lang)}\n{t('answer_not_covered', lang)}")


async def setup(bot: PaperBot) -> None:
    await bot.add_cog(Answers(bot))
