"""Reading commands: /today, /top, /ask, /paper, /similar."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import discord
from discord import app_commands
from discord.ext import commands

from bot.ui import render
from bot.ui.errors import IsoDate, UserError
from bot.ui.i18n import lang_of, t
from bot.ui.views import Pager
from store.dates import STALE_AFTER, Period, missing_weekdays
from store.index import Index
from store.models import ARXIV_ID, Paper
from store.search.retrieval import search, similar
from store.usertext import visible

if TYPE_CHECKING:
    from bot.app import PaperBot

ASK_RESULTS = 5
SIMILAR_RESULTS = 5
# Per-user rate of the commands that embed and search: 5 in any 60 seconds.
SEARCH_RATE, SEARCH_PER = 5, 60.0


def arxiv_id_of(value: str) -> str:
    """An id as typed or pasted: `2405.19327`, `2405.19327v2`, or an arXiv/HF URL."""
    match = ARXIV_ID.search(value.strip())
    return match[1] if match else value.strip()


def _digest(index: Index, asked: str | None) -> tuple[str | None, list]:
    day = index.digest_date_for(asked) if asked else index.latest_date()
    return day, index.papers_on(day) if day else []


class Papers(commands.Cog):
    def __init__(self, bot: PaperBot) -> None:
        self.bot = bot

    @app_commands.command(name="today")
    @app_commands.describe(date="Date as YYYY-MM-DD (default: the latest digest)")
    async def today(self, interaction: discord.Interaction, date: IsoDate | None = None) -> None:
        """Show the latest digest, or the one for a date"""
        await interaction.response.defer(thinking=True)  # Discord's 3 s deadline
        lang = lang_of(interaction.locale)
        day, papers = await self.bot.query(_digest, date)
        if day is None:
            raise UserError("no_digest_before", day=date) if date else UserError("no_index")
        stale = None if date else self.stale_days(day)
        pages = render.digest_pages(
            day, papers, lang, asked=date, stale_days=stale, extras=self.bot.extras
        )
        await Pager(pages, interaction.user.id, lang).send(interaction)

    def stale_days(self, latest: str) -> int | None:
        """Days since the newest digest when the archive has not moved (STALE_AFTER weekday
        digests missing, in the bot's time zone), else None."""
        today = discord.utils.utcnow().astimezone(ZoneInfo(self.bot.settings.timezone)).date()
        if missing_weekdays(latest, today) < STALE_AFTER:
            return None
        return (today - dt.date.fromisoformat(latest)).days

    @app_commands.command(name="top")
    @app_commands.describe(
        period="Period ending at the latest digest date (default: week)",
        count="How many papers (1-25, default 10)",
    )
    async def top(
        self,
        interaction: discord.Interaction,
        period: Period = "week",
        count: app_commands.Range[int, 1, 25] = 10,
    ) -> None:
        """Top-voted papers in a period ending at the latest digest"""
        await interaction.response.defer(thinking=True)
        lang = lang_of(interaction.locale)
        found = await self.bot.query(Index.top, period, count)
        if found is None:
            raise UserError("no_index")
        since, until, papers = found
        extras = await self.bot.fetch_extras(p.arxiv_id for p in papers)
        pages = [
            [render.top_overview(since, until, papers, lang)],
            *([render.card(p, lang, extra=extras.get(p.arxiv_id))] for p in papers),
        ]
        await Pager(pages, interaction.user.id, lang).send(interaction)

    @app_commands.command(name="ask")
    @app_commands.checks.cooldown(SEARCH_RATE, SEARCH_PER)  # per user
    @app_commands.describe(
        question="Your question, in Korean or English",
        since="Only papers from this date on (YYYY-MM-DD)",
        until="Only papers up to this date (YYYY-MM-DD)",
        min_votes="Only papers with at least this many votes",
    )
    async def ask(
        self,
        interaction: discord.Interaction,
        question: app_commands.Range[str, 1, 300],
        since: IsoDate | None = None,
        until: IsoDate | None = None,
        min_votes: app_commands.Range[int, 0, 100_000] | None = None,
    ) -> None:
        """Ask a question; get the papers whose summaries answer it"""
        question = visible(question)
        if not question:
            raise UserError("nothing_visible")
        if since and until and since > until:
            raise UserError("since_after_until", since=since, until=until)
        threads = self.bot.get_cog("Discuss")  # in a paper's thread: that paper first
        if threads is not None and await threads.ask(interaction, question):  # type: ignore[attr-defined]
            return
        await interaction.response.defer(thinking=True)  # embedding + search: can pass 3 s
        lang = lang_of(interaction.locale)
        answer = await self.bot.query(search, question, since, until, min_votes, ASK_RESULTS)
        writer = self.bot.get_cog("Answers")  # loaded only with an LLM endpoint configured
        if writer is not None:
            await writer.reply(interaction, question, answer, lang)  # type: ignore[attr-defined]
            return
        if answer.abstained:
            asked = t("question", lang, q=render.safe(render.clip(question, 300)))
            text = f"{asked}\n{t('nothing_found', lang)}"
            await Pager([[render.notice(text)]], interaction.user.id, lang).send(interaction)
            return
        extras = await self.bot.fetch_extras(h.paper.arxiv_id for h in answer.hits)
        pages = [
            [render.ask_overview(question, answer.hits, lang)],
            *([render.hit_card(h, lang, extras.get(h.paper.arxiv_id))] for h in answer.hits),
        ]
        await Pager(pages, interaction.user.id, lang).send(interaction)

    async def _known_paper(self, typed: str) -> Paper:
        found = await self.bot.query(Index.get, arxiv_id_of(typed))
        if found is None:
            raise UserError("unknown_paper", value=typed[:40])
        return found

    @app_commands.command(name="paper")
    @app_commands.describe(arxiv_id="arXiv id, e.g. 2405.19327 (type to search titles)")
    async def paper(
        self, interaction: discord.Interaction, arxiv_id: app_commands.Range[str, 1, 200]
    ) -> None:
        """Show one paper's full card"""
        await interaction.response.defer(thinking=True)
        lang = lang_of(interaction.locale)
        found = await self._known_paper(arxiv_id)
        extra = (await self.bot.fetch_extras([found.arxiv_id])).get(found.arxiv_id)
        card = render.card(found, lang, extra=extra)
        await Pager([[card]], interaction.user.id, lang).send(interaction)

    @app_commands.command(name="similar")
    @app_commands.checks.cooldown(SEARCH_RATE, SEARCH_PER)  # per user
    @app_commands.describe(arxiv_id="arXiv id, e.g. 2405.19327 (type to search titles)")
    async def similar(
        self, interaction: discord.Interaction, arxiv_id: app_commands.Range[str, 1, 200]
    ) -> None:
        """Papers most similar to one paper"""
        await interaction.response.defer(thinking=True)
        lang = lang_of(interaction.locale)
        paper = await self._known_paper(arxiv_id)
        hits = await self.bot.query(similar, paper.arxiv_id, SIMILAR_RESULTS)
        if not hits:
            await Pager([[render.notice(t("no_similar", lang))]], interaction.user.id, lang).send(
                interaction
            )
            return
        title = t("similar_title", lang, title=render.plain_title(paper.title, 150))
        head = render.listing(
            title,
            [],
            [h.paper for h in hits],
            "more_in_pages",
            lang,
            url=render.abs_url(paper.arxiv_id),
        )
        extras = await self.bot.fetch_extras(h.paper.arxiv_id for h in hits)
        pages = [
            [head],
            *([render.card(h.paper, lang, extra=extras.get(h.paper.arxiv_id))] for h in hits),
        ]
        await Pager(pages, interaction.user.id, lang).send(interaction)

    @paper.autocomplete("arxiv_id")
    @similar.autocomplete("arxiv_id")
    async def arxiv_id_choices(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return self.bot.lookup.choices(current)


async def setup(bot: PaperBot) -> None:
    await bot.add_cog(Papers(bot))
