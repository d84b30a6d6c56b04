"""Subscription DMs: new papers matched against every subscription, then ONE direct message
per member and day listing their matches.

New papers are the catalogue's arXiv ids not seen before (the first run only records what is
there). Whatever added them (the daily ingest, /digest now, /reindex, another host of a Chroma
server), the next tick after the catalogue changes matches them, in a worker thread. Only
papers dated within FRESH_DAYS of the newest digest are matched: pointing the bot at the whole
archive is not news.

Exactly once per member and day (the same discipline as the daily post): the DM is recorded
with its papers before it is sent and marked sent after; a `sending` record found later (a
crash or a failed send in between) is first looked for in the member's DM history. A member
whose DMs are closed (403) is remembered and not tried again until they subscribe again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import discord

from bot.state.subscriptions import Dm, SubscriptionState
from bot.ui import render
from bot.ui.i18n import Lang, t
from bot.ui.render import NO_MENTIONS, plain_title, safe
from store.index import Index
from store.models import Paper
from store.progress import ProgressLog
from store.search.matching import Topic, embed_topics, match_authors, match_topics

if TYPE_CHECKING:
    from bot.app import PaperBot

log = logging.getLogger(__name__)
FRESH_DAYS = 7
MAX_TRIES = 5
HISTORY = 20  # DMs looked at for one that may have landed before a crash
LISTED = 40  # papers listed in the DM's first embed; the rest are counted
CARDS = 9  # compact cards after it (10 embeds per message)


def match_new(index: Index, store: SubscriptionState) -> int:
    """Match the papers the catalogue gained since the last call; returns the matches made.
    Runs in a worker thread (the embedder and Chroma are synchronous)."""
    by_id = index.by_id
    if store.meta("baseline") is None:
        store.record_matches(list(by_id), [], baseline=True)
        return 0
    seen = store.seen()
    new = [paper for arxiv_id, paper in by_id.items() if arxiv_id not in seen]
    if not new:
        return 0
    latest = max(p.date for p in by_id.values())
    cutoff = (date.fromisoformat(latest) - timedelta(days=FRESH_DAYS)).isoformat()
    fresh = [p for p in new if p.date >= cutoff]
    matches = _matches(index, store, fresh) if fresh and store.count() else []
    store.record_matches([p.arxiv_id for p in new], matches)
    log.info("subscriptions: %d new papers, %d matches", len(new), len(matches))
    return len(matches)


def _in_step(index: Index) -> Index:
    return index


def _matches(index: Index, store: SubscriptionState, fresh: list[Paper]) -> list[tuple]:
    topics = store.all("topic")
    model, dim = index.embedder.model, index.embedder.dim
    stale = [s for s in topics if s.model != model or s.vector is None or len(s.vector) != dim]
    vectors = {s.id: s.vector for s in topics}
    if stale:  # the index changed embedders since these were stored: the long part
        with ProgressLog("subscriptions: embedding topics", "topics", bar=False) as progress:
            made = embed_topics(index, [s.text for s in stale], progress)
        store.set_vectors(model, [(s.id, v) for s, v in zip(stale, made)])
        vectors |= {s.id: v for s, v in zip(stale, made)}
    owner = {s.id: s.user_id for s in topics}
    found = match_topics(
        index, [p.arxiv_id for p in fresh], [Topic(s.id, s.text, vectors[s.id]) for s in topics]
    )
    authors: dict[str, list[int]] = {}
    for sub in store.all("author"):
        authors.setdefault(sub.norm, []).append(sub.id)
        owner[sub.id] = sub.user_id
    found |= match_authors(fresh, authors)
    return [(owner[key], arxiv_id, key) for key, ids in found.items() for arxiv_id in ids]


def label(what: str, lang: Lang) -> str:
    """`topic:...` / `author:...` as the member reads it (escaped: their own text)."""
    kind, _, text = what.partition(":")
    return t(f"subs_kind_{kind}", lang, text=safe(render.clip(text, 100)))


def dm_embeds(day: str, papers: Sequence[tuple[Paper, str]], lang: Lang) -> list[discord.Embed]:
    """The day's DM: the matches grouped by subscription with arXiv links, then compact cards;
    one message within Discord's limits."""
    lines: list[str] = [t("subs_dm_intro", lang, n=len(papers)), ""]
    group = None
    for rank, (paper, what) in enumerate(papers[:LISTED], 1):
        if what != group:
            group = what
            lines.append(f"**{label(what, lang)}**")
        lines.append(render.paper_lines([paper], rank)[0])
    if len(papers) > LISTED:
        lines.append(t("more_below", lang, n=len(papers) - LISTED))
    head = discord.Embed(
        title=t("subs_dm_title", lang, day=day), description="\n".join(lines), colour=render.COLOR
    )
    head.set_footer(text=t("subs_dm_footer", lang))
    cards = [compact_card(paper, lang) for paper, _ in papers[:CARDS]]
    return render.pack([head, *cards])[0]


def compact_card(paper: Paper, lang: Lang) -> discord.Embed:
    first = render.bullet_line(paper.summary[0]) if paper.summary else ""
    embed = discord.Embed(
        title=plain_title(paper.title),
        url=render.abs_url(paper.arxiv_id),
        description=f"{render.clip(first, 300)}\n{paper.date} · ▲ {paper.votes_text}".strip(),
        colour=render.COLOR,
    )
    return render.fit(embed)


class Notifier:
    def __init__(self, bot: PaperBot, store: SubscriptionState) -> None:
        self.bot = bot
        self.store = store
        self._matched_at: tuple[int, int] | None = None  # (generation, catalogue revision)
        self._lock = asyncio.Lock()

    def today(self, now: datetime) -> str:
        return now.astimezone(ZoneInfo(self.bot.settings.timezone)).date().isoformat()

    async def tick(self, now: datetime) -> None:
        """Match what is new (when the catalogue changed), then send the day's DMs."""
        async with self._lock:
            if self.bot.index is None:
                return
            index = await self.bot.query(_in_step)  # what another host wrote included
            key = (index.generation, index.catalogue.revision)
            if key != self._matched_at:
                await self.bot.query(match_new, self.store)
                self._matched_at = key
            for user_id in self.store.waiting():
                await self.deliver(user_id, now)

    async def deliver(self, user_id: int, now: datetime) -> None:
        day = self.today(now)
        dm = self.store.dm(user_id, day)
        resumed = dm is not None
        if dm is None:
            waiting = self.store.pending(user_id)
            if not waiting:
                return
            dm = self.store.begin_dm(user_id, day, waiting)
        elif dm.status != "sending":
            return  # sent (or given up) today: what came since waits for tomorrow's DM
        elif dm.next_try and now < datetime.fromisoformat(dm.next_try):
            return
        try:
            await self._send(dm, resumed)
        except discord.Forbidden:
            log.info("subscriptions: DMs to %s are closed; not trying again", user_id)
            self.store.refuse(user_id, day)
        except discord.NotFound:
            log.info("subscriptions: user %s is gone", user_id)
            self.store.refuse(user_id, day)
        except (discord.HTTPException, OSError) as error:
            wait = timedelta(minutes=2**dm.tries)
            give_up = dm.tries + 1 >= MAX_TRIES
            log.warning("subscriptions: DM to %s failed (%s); give up: %s", user_id, error, give_up)
            self.store.failed_try(user_id, day, now + wait, give_up)

    async def _send(self, dm: Dm, resumed: bool) -> None:
        user = self.bot.get_user(dm.user_id) or await self.bot.fetch_user(dm.user_id)
        channel = user.dm_channel or await user.create_dm()
        ids = [arxiv_id for arxiv_id, _ in dm.papers]
        if resumed:  # an earlier try may have landed before it could be recorded
            landed = await self._landed(channel, dm.day)
            if landed is not None:
                self.store.finish_dm(dm.user_id, dm.day, landed, ids)
                return
        lang: Lang = "ko" if self.store.lang(dm.user_id) == "ko" else "en"
        found = await self.bot.query(_papers, ids)
        papers = [(found[a], what) for a, what in dm.papers if a in found]
        if not papers:
            self.store.finish_dm(dm.user_id, dm.day, 0, ids)  # all removed meanwhile
            return
        message = await channel.send(
            embeds=dm_embeds(dm.day, papers, lang), allowed_mentions=NO_MENTIONS
        )
        self.store.finish_dm(dm.user_id, dm.day, message.id, ids)
        log.info("subscriptions: DM to %s sent (%d papers)", dm.user_id, len(papers))

    async def _landed(self, channel: discord.DMChannel, day: str) -> int | None:
        me = self.bot.user
        async for message in channel.history(limit=HISTORY):
            mine = me is not None and message.author.id == me.id
            if mine and any((e.title or "").endswith(day) for e in message.embeds):
                return message.id
        return None


def _papers(index: Index, ids: Sequence[str]) -> dict[str, Paper]:
    return {a: p for a in ids if (p := index.get(a)) is not None}
