"""/trend topic [period]: papers per week on a topic as a chart, the peak weeks' top papers
listed under it."""

from __future__ import annotations

import asyncio
import io
from typing import TYPE_CHECKING, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.ui import render
from bot.ui.charts import trend_png
from bot.ui.errors import UserError
from bot.ui.i18n import Lang, lang_of, t
from bot.ui.render import NO_MENTIONS, safe
from store.search.trends import Trend, trend
from store.usertext import visible

if TYPE_CHECKING:
    from bot.app import PaperBot

TrendPeriod = Literal["month", "year", "all"]
RATE, PER = 3, 60.0  # per user: a chart costs a search over the whole window and a render
FILENAME = "trend.png"


def trend_embed(found: Trend, lang: Lang) -> discord.Embed:
    """The chart's embed: the count over the window, then each peak week with its top papers."""
    lines = [
        t(
            "trend_summary",
            lang,
            total=found.total,
            since=found.since,
            until=found.until,
            weeks=len(found.weeks),
        )
    ]
    for week, papers in found.peaks:
        count = dict(found.weeks)[week]
        key = "trend_peak_one" if count == 1 else "trend_peak"
        lines += ["", f"**{t(key, lang, week=week, n=count)}**"]
        lines += [f"• {line.partition('. ')[2]}" for line in render.paper_lines(papers)]
    topic = safe(render.clip(" ".join(found.topic.split()), 100))
    embed = discord.Embed(
        title=render.clip(t("trend_title", lang, topic=topic), render.TITLE),
        description="\n".join(lines),
        colour=render.COLOR,
    )
    embed.set_image(url=f"attachment://{FILENAME}")
    embed.set_footer(text=t("footer_list", lang))
    return render.fit(embed)


class Trends(commands.Cog):
    def __init__(self, bot: PaperBot) -> None:
        self.bot = bot

    @app_commands.command(name="trend")
    @app_commands.checks.cooldown(RATE, PER)
    @app_commands.describe(
        topic="A topic or keyword, in Korean or English",
        period="Period ending at the latest digest (default: all)",
    )
    async def trend(
        self,
        interaction: discord.Interaction,
        topic: app_commands.Range[str, 1, 200],
        period: TrendPeriod = "all",
    ) -> None:
        """Chart of the papers on a topic per week, with the peak weeks' top papers"""
        topic = visible(topic)
        if not topic:
            raise UserError("nothing_visible")
        await interaction.response.defer(thinking=True)
        lang = lang_of(interaction.locale)
        found = await self.bot.query(trend, topic, period)
        if found is None:
            raise UserError("no_index")
        if not found.total:
            text = t("trend_none", lang, topic=safe(render.clip(topic, 100)))
            await interaction.followup.send(embed=render.notice(text), allowed_mentions=NO_MENTIONS)
            return
        png = await asyncio.to_thread(trend_png, found, lang)  # matplotlib: off the loop
        await interaction.followup.send(
            embed=trend_embed(found, lang),
            file=discord.File(io.BytesIO(png), filename=FILENAME),
            allowed_mentions=NO_MENTIONS,
        )


async def setup(bot: PaperBot) -> None:
    await bot.add_cog(Trends(bot))
