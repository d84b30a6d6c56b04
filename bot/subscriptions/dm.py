"""The subscription DM's messages (pure: no Discord calls, no state).

A day's DM lists every match, grouped by subscription, ranked 1..n across the whole DM. When
the listing does not fit one embed (4,096 characters), it is cut into parts before anything is
sent (`split`); each part is one message (`part`) whose title says `(k/n)` and whose first line
gives the exact total and the ranks it holds, followed by compact cards of its first papers as
far as Discord's limits allow. `shown` reads back which papers a message lists: only those are
recorded as delivered."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import discord

from bot.ui import render
from bot.ui.i18n import Lang, t
from bot.ui.render import plain_title, safe
from store.enrich import Enrichment
from store.models import Paper

CARDS = 9  # compact cards after the listing (10 embeds per message)
# Room left in each part's listing when it is cut: the papers' titles are read again when the
# part is sent (after a restart, perhaps from a re-ingested index).
MARGIN = 300

Match = tuple[Paper, str]  # a paper and what it matched ("topic:..." / "author:...")


def label(what: str, lang: Lang) -> str:
    """`topic:...` / `author:...` as the member reads it (escaped: their own text)."""
    kind, _, text = what.partition(":")
    return t(f"subs_kind_{kind}", lang, text=safe(render.clip(text, 100)))


def title(day: str, k: int, n: int, lang: Lang) -> str:
    base = t("subs_dm_title", lang, day=day)
    return base if n == 1 else f"{base} ({k}/{n})"


def titles(day: str, n: int) -> dict[str, int]:
    """Every part's title in either language -> its number (to recognise a landed part)."""
    return {title(day, k, n, lang): k for k in range(1, n + 1) for lang in ("en", "ko")}


def _intro(total: int, first: int, last: int, k: int, n: int, lang: Lang) -> str:
    if n == 1:
        return t("subs_dm_intro", lang, n=total)
    return t("subs_dm_intro_part", lang, n=total, first=first, last=last, k=k, parts=n)


def _heading(what: str, lang: Lang) -> str:
    return f"**{label(what, lang)}**"


def split(matches: Sequence[Match], lang: Lang) -> list[list[str]]:
    """The matches' arXiv ids, in order, cut into parts whose listing fits one embed."""
    total = len(matches)
    widest = _intro(total, total, total, total, total, lang)  # no part's first line is longer
    budget = render.DESCRIPTION - len(widest) - 2 - MARGIN
    parts: list[list[str]] = [[]]
    size, group = 0, None
    for rank, (paper, what) in enumerate(matches, 1):
        line = render.paper_lines([paper], rank)[0]
        extra = len(line) + 1 + (len(_heading(what, lang)) + 1 if what != group else 0)
        if parts[-1] and size + extra > budget:
            parts.append([])
            size = 0
            extra = len(line) + 1 + len(_heading(what, lang)) + 1
        parts[-1].append(paper.arxiv_id)
        size += extra
        group = what
    return parts


def part(
    day: str,
    matches: Sequence[Match],
    ids: Sequence[str],
    k: int,
    n: int,
    lang: Lang,
    extras: Mapping[str, Enrichment] | None = None,
) -> list[discord.Embed]:
    """Part k of n: the listing of `ids` (ranked within all `matches`), then compact cards
    (with a Code link where `extras` knows the paper's repository)."""
    rank_of = {paper.arxiv_id: rank for rank, (paper, _) in enumerate(matches, 1)}
    mine = [(paper, what) for paper, what in matches if paper.arxiv_id in set(ids)]
    ranks = [rank_of[paper.arxiv_id] for paper, _ in mine] or [0]
    lines = [_intro(len(matches), min(ranks), max(ranks), k, n, lang), ""]
    group = None
    for paper, what in mine:
        if what != group:
            group = what
            lines.append(_heading(what, lang))
        lines.append(render.paper_lines([paper], rank_of[paper.arxiv_id])[0])
    head = discord.Embed(
        title=title(day, k, n, lang), description="\n".join(lines), colour=render.COLOR
    )
    head.set_footer(text=t("subs_dm_footer", lang))
    known = extras or {}
    cards = [compact_card(paper, lang, known.get(paper.arxiv_id)) for paper, _ in mine[:CARDS]]
    return render.pack([head, *cards])[0]


def compact_card(paper: Paper, lang: Lang, extra: Enrichment | None = None) -> discord.Embed:
    first = render.bullet_line(paper.summary[0]) if paper.summary else ""
    last = f"{paper.date} · ▲ {paper.votes_text}{render.extra_links(extra, lang)}"
    embed = discord.Embed(
        title=plain_title(paper.title),
        url=render.abs_url(paper.arxiv_id),
        description=f"{render.clip(first, 300)}\n{last}".strip(),
        colour=render.COLOR,
    )
    return render.fit(embed)


def shown(embeds: Sequence[discord.Embed], ids: Sequence[str]) -> list[str]:
    """Which of `ids` a message lists (a link in its listing) or shows as a card."""
    listing = (embeds[0].description or "") if embeds else ""
    urls = {e.url for e in embeds}
    return [a for a in ids if f"({render.abs_url(a)})" in listing or render.abs_url(a) in urls]
