"""Subscription DMs: new papers matched against every subscription, then ONE direct message
per member and day listing all their matches (cut into several messages when one embed cannot
hold the list: bot/subscriptions/dm.py).

New papers are the catalogue's arXiv ids not seen before (the first run only records what is
there). Whatever added them (the daily ingest, /digest now, /reindex, another host of a Chroma
server), the next tick after the catalogue changes matches them, in a worker thread. Only
papers dated within FRESH_DAYS of the newest digest are matched: pointing the bot at the whole
archive is not news.

Exactly once per member and paper, through the delivery primitive (bot/delivery/once.py): the
DM is recorded with its papers and its messages before anything is sent; each message is
marked pending before its send and recorded after with the papers it listed, which are then
delivered (never sent to this member again); a pending mark is first looked for in the
member's DM history. An earlier day's DM left unsettled (the process died before midnight and
came back after) is looked up and settled before the next day's DM is begun, so a paper that
went out at 23:50 is not sent again at 00:10. Failures follow bot/delivery/policy.py: closed
DMs (403) or an unknown member (404) stop DMs to that member until they subscribe again
(/subscriptions says so); other errors are retried with backoff, at most MAX_TRIES times and
not past midnight, and what was not sent waits for the next day's DM.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import discord

from bot.delivery.once import Courier, Ledger
from bot.delivery.policy import Failed, Gone, after_failure, classify
from bot.state.subscriptions import Dm, SubscriptionState
from bot.subscriptions import dm as render_dm
from bot.ui.i18n import Lang
from bot.ui.render import NO_MENTIONS
from store.index import Index
from store.models import Paper
from store.progress import ProgressLog
from store.search.matching import Topic, embed_topics, match_authors, match_topics

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from bot.app import PaperBot

log = logging.getLogger(__name__)
FRESH_DAYS = 7


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


class Notifier:
    def __init__(self, bot: PaperBot, store: SubscriptionState) -> None:
        self.bot = bot
        self.store = store
        self.courier = Courier(bot)
        self._matched_at: tuple[int, int] | None = None  # (generation, catalogue revision)
        self._lock = asyncio.Lock()

    def _local(self, now: datetime) -> datetime:
        return now.astimezone(ZoneInfo(self.bot.settings.timezone))

    def today(self, now: datetime) -> str:
        return self._local(now).date().isoformat()

    def midnight(self, now: datetime) -> datetime:
        """The next local midnight: the next day's DM."""
        local = self._local(now)
        return datetime.combine(local.date() + timedelta(days=1), datetime.min.time(), local.tzinfo)

    async def tick(self, now: datetime) -> None:
        """Match what is new (when the catalogue changed), then send the day's DMs (and settle
        an earlier day's left unsettled)."""
        async with self._lock:
            if self.bot.index is None:
                return
            index = await self.bot.query(_in_step)  # what another host wrote included
            key = (index.generation, index.catalogue.revision)
            if key != self._matched_at:
                await self.bot.query(match_new, self.store)
                self._matched_at = key
            members = set(self.store.waiting()) | set(self.store.open_members(self.today(now)))
            for user_id in sorted(members):
                await self.deliver(user_id, now)

    async def deliver(self, user_id: int, now: datetime) -> None:
        day = self.today(now)
        for old in self.store.open_dms(user_id, before=day):  # settled first, or no DM today
            if not await self._attempt(old, now, self._settle):
                return
        dm = self.store.dm(user_id, day)
        if dm is None:
            dm = await self._begin(user_id, day)
            if dm is None:
                return
        elif dm.status != "sending":
            return  # sent (or given up) today: what came since waits for tomorrow's DM
        await self._attempt(dm, now, self._send)

    async def _attempt(self, dm: Dm, now: datetime, step: Callable[[Dm], Awaitable[None]]) -> bool:
        """One try at `step` for this DM record, its failure sorted by the failure policy;
        True when it went through."""
        if dm.next_try and now < dm.next_try:
            return False
        try:
            await step(dm)
            return True
        except Exception as error:
            failure = classify(error, dm.user_id)
            if isinstance(failure, Gone):
                log.info("subscriptions: DMs to %s stopped (%s)", dm.user_id, failure.key)
                self.store.refuse(dm.user_id, dm.day)
                return False
            if not isinstance(error, discord.HTTPException | Failed):
                log.exception("subscriptions: the DM to %s failed", dm.user_id)
            retry = after_failure(dm.tries + 1, now, self.midnight(now))
            log.warning(
                "subscriptions: DM to %s failed (%s); give up: %s",
                dm.user_id,
                failure,
                retry.gave_up,
            )
            self.store.failed_try(dm.user_id, dm.day, retry.at, retry.gave_up)
            return False

    async def _begin(self, user_id: int, day: str) -> Dm | None:
        """Today's DM, recorded with its papers and their cut into messages."""
        waiting = self.store.pending(user_id)
        if not waiting:
            return None
        found = await self.bot.query(_papers, [a for a, _ in waiting])
        if gone := [a for a, _ in waiting if a not in found]:
            self.store.forget(user_id, gone)  # removed from the index meanwhile
        matches = [(found[a], what) for a, what in waiting if a in found]
        if not matches:
            return None
        parts = render_dm.split(matches, self._lang(user_id))
        return self.store.begin_dm(user_id, day, [(p.arxiv_id, w) for p, w in matches], parts)

    async def _send(self, dm: Dm) -> None:
        """The DM's messages not recorded yet, after looking for a pending one."""
        channel = await self._channel(dm.user_id)
        ledger = self._ledger(dm)
        await self.courier.resume(channel, ledger, self._recognise(dm))
        dm = self.store.dm(dm.user_id, dm.day) or dm
        ids = [a for a, _ in dm.papers]
        found = await self.bot.query(_papers, ids)
        matches = [(found[a], what) for a, what in dm.papers if a in found]
        lang = self._lang(dm.user_id)
        extras = await self.bot.fetch_extras(
            a for part in dm.parts for a in part[: render_dm.CARDS]
        )
        for k, part in enumerate(dm.parts, 1):
            if k in dm.done:
                continue
            embeds = render_dm.part(dm.day, matches, part, k, len(dm.parts), lang, extras)
            keys = [f"part:{k}", *render_dm.shown(embeds, part)]
            await self.courier.send(
                channel, ledger, keys, embeds=embeds, allowed_mentions=NO_MENTIONS
            )
        log.info("subscriptions: DM to %s sent (%d papers)", dm.user_id, len(matches))

    async def _settle(self, dm: Dm) -> None:
        """An earlier day's DM: what landed is recorded, then it is closed; what it did not
        list waits for the next DM."""
        if dm.pending:
            channel = await self._channel(dm.user_id)
            await self.courier.resume(channel, self._ledger(dm), self._recognise(dm))
        self.store.close_dm(dm.user_id, dm.day)

    async def _channel(self, user_id: int) -> discord.DMChannel:
        user = self.bot.get_user(user_id) or await self.bot.fetch_user(user_id)
        return user.dm_channel or await user.create_dm()

    def _ledger(self, dm: Dm) -> Ledger:
        store, user_id, day = self.store, dm.user_id, dm.day
        return Ledger(
            pending=dm.pending,
            mark=lambda: store.mark_dm(user_id, day),
            record=lambda found: store.record_dm(user_id, day, found),
        )

    def _recognise(self, dm: Dm) -> Callable[[discord.Message], list[str]]:
        """A landed message of this DM: its part (by title, either language) and the papers
        it lists."""
        titles = render_dm.titles(dm.day, len(dm.parts))
        ids = [a for a, _ in dm.papers]

        def recognise(message: discord.Message) -> list[str]:
            k = titles.get(message.embeds[0].title or "") if message.embeds else None
            return [] if k is None else [f"part:{k}", *render_dm.shown(message.embeds, ids)]

        return recognise

    def _lang(self, user_id: int) -> Lang:
        return "ko" if self.store.lang(user_id) == "ko" else "en"


def _papers(index: Index, ids: Sequence[str]) -> dict[str, Paper]:
    return {a: p for a in ids if (p := index.get(a)) is not None}
