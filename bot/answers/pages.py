"""What a written answer looks like: the answer embed above the question's overview (page one
of the /ask pager, the cards on the pages after it), and the pace of streamed edits."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import discord

from bot.answers.prompt import discord_answer
from bot.ui import render
from bot.ui.i18n import Lang, t
from bot.ui.views import Page
from store.enrich import Enrichment
from store.models import Hit

EDIT_EVERY = 1.5  # seconds between streamed edits of one message at most
CURSOR = " ▌"


class EditThrottle:
    """Says when a streamed answer may be shown again: at most once every `every` seconds
    of `clock` (the event loop's), the first time `every` after the reply went out."""

    def __init__(self, clock: Callable[[], float], every: float = EDIT_EVERY) -> None:
        self.clock = clock
        self.every = every
        self.last = clock()

    def due(self) -> bool:
        now = self.clock()
        if now - self.last < self.every:
            return False
        self.last = now
        return True


def answer_embed(
    text: str, hits: Sequence[Hit], lang: Lang, model: str, partial: bool = False
) -> discord.Embed:
    """The model's answer (escaped, citations linked to the cards' arXiv pages)."""
    body = discord_answer(text, hits) + (CURSOR if partial else "")
    embed = discord.Embed(title=t("answer_title", lang), description=body, colour=render.COLOR)
    embed.set_footer(text=t("answer_footer", lang, model=render.clip(model, 80), n=len(hits)))
    return render.fit(embed)


def quiet_embed(line: str) -> discord.Embed:
    """One quiet line where the answer would be (writing, fallback, limits)."""
    return render.fit(discord.Embed(description=line, colour=render.COLOR))


def first_page(top: discord.Embed, question: str, hits: Sequence[Hit], lang: Lang) -> Page:
    """The answer (or its line) above the question's overview, within one message's limits."""
    head = render.ask_overview(question, hits, lang)
    room = render.TOTAL - len(head) - len(top) + len(top.description or "")
    if top.description and len(top) + len(head) > render.TOTAL:
        top.description = render.join_within(top.description.split("\n"), max(room, 1))
    return [top, head]


def answer_pages(
    top: discord.Embed,
    question: str,
    hits: Sequence[Hit],
    lang: Lang,
    extras: Mapping[str, Enrichment] | None = None,
) -> list[Page]:
    """/ask with an answer: page one as above, then one card per paper, numbered as cited."""
    known = extras or {}
    cards = ([render.hit_card(h, lang, known.get(h.paper.arxiv_id))] for h in hits)
    return [first_page(top, question, hits, lang), *cards]
