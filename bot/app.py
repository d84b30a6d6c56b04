"""The bot object: settings, the current index (swapped after a rebuild), per-server state, the
command tree with its translator and error handler, and the cogs."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import sqlite3
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, TypeVar

import chromadb.errors
import discord
from discord.ext import commands

from bot.digest import source
from bot.papers.lookup import PaperLookup
from bot.state import State
from bot.state.times import utc_text
from bot.ui.errors import PaperTree
from bot.ui.i18n import Translator
from bot.ui.render import NO_MENTIONS
from ingest.enrich import Sources, newest_first
from ingest.enrich.background import Background
from store.enrich import EnrichCache, Enrichment
from store.enrich.english import embed_pending
from store.errors import WriterBusy
from store.index import Index, writelock
from store.index.handle import IndexHandle
from store.index.lease import Lease
from store.settings import Settings

if TYPE_CHECKING:
    from ingest.pipeline import IngestReport

log = logging.getLogger(__name__)
T = TypeVar("T")
COGS = (
    "bot.papers.cog",
    "bot.digest.cog",
    "bot.admin.cog",
    "bot.subscriptions.cog",
    "bot.papers.trend",
    "bot.saved.cog",
    "bot.papers.findpapers",
    "bot.weekly.cog",
    "bot.about.cog",
    "bot.discuss.cog",
)
ANSWERS_COG = "bot.answers.cog"


class PaperBot(commands.Bot):
    def __init__(self, settings: Settings) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,  # no prefix commands; slash commands only
            intents=discord.Intents.default(),  # no message content: nothing here reads messages
            tree_cls=PaperTree,
            allowed_mentions=NO_MENTIONS,
            help_command=None,
        )
        self.settings = settings
        self.indexes: IndexHandle | None = None  # follows the active generation
        self._lookup_of: tuple[int, int] | None = None  # (generation, catalogue revision)
        self.lookup = PaperLookup([])
        self.state = State(settings.data_dir / "bot.sqlite")  # every feature's tables
        # What the papers' own sources add (abstract, code link): filled in the background
        # after each ingest (ingest/enrich/), read by cards and retrieval; a cache only.
        self.enrichment = EnrichCache(settings.data_dir)
        self.enricher: Background | None = None  # the background runs; None: PAPERBOT_ENRICH=0
        if settings.enrich:
            self.enricher = Background(
                self.enrichment, Sources.of(settings), self._newest_ids, self._embed_english
            )
        # One writer at a time: a /reindex and the daily ingest must not write concurrently.
        self.index_lock = asyncio.Lock()
        # On a Chroma server shared by several hosts: whether this bot runs the scheduled
        # ingests (store/index/lease.py, `duty`); None with an embedded index (it always does).
        self.duty: Lease | None = None

    async def setup_hook(self) -> None:
        # The bot writes every day, and a second process writing (or even keeping an embedded
        # index open while another writes) corrupts it or goes stale: hold the data dir.
        writelock.acquire(self.settings.data_dir, "paperbot run")
        self.indexes = await asyncio.to_thread(_open_warm, self.settings)
        if self.settings.chroma_host:
            self.duty = Lease(self.indexes.registry, "duty", "paperbot run")
            await asyncio.to_thread(self._take_duty)
        self.lookup = await asyncio.to_thread(self._fresh_lookup, self.indexes.current())
        served = await asyncio.to_thread(describe, self.indexes.current(), self.settings)
        log.info("%s", served)
        await self.tree.set_translator(Translator())
        for name in COGS:
            await self.load_extension(name)
        if self.settings.llm_enabled:  # unset: no written answers, the commands as before
            await self.load_extension(ANSWERS_COG)
        await self.sync_commands()
        self.enrich_soon("start-up")

    async def close(self) -> None:
        await super().close()
        if self.enricher is not None:  # before its cache closes; a request in flight ends first
            await asyncio.to_thread(self.enricher.stop, self.settings.enrich_timeout + 5)
        self.state.close()
        self.enrichment.close()
        if self.duty is not None:
            await asyncio.to_thread(self.duty.release)
        if self.indexes is not None:
            self.indexes.close()
            self.indexes = None
        writelock.release(self.settings.data_dir)

    async def on_message(self, message: discord.Message) -> None:
        """No prefix commands: a message mentioning the bot is not a command (the Discuss cog
        answers those in a paper's thread), so it is not run as one."""

    # -- commands sync ---------------------------------------------------------------------
    async def sync_commands(self) -> None:
        """Sync to the dev guild when set, else globally, and only when the payload changed:
        Discord rate-limits syncs and a global one takes a while to reach clients."""
        guild = discord.Object(self.settings.dev_guild_id) if self.settings.dev_guild_id else None
        if guild is not None:
            self.tree.copy_global_to(guild=guild)
        translator = self.tree.translator
        assert translator is not None
        payload = [
            await command.get_translated_payload(self.tree, translator)
            for command in self.tree.get_commands(guild=guild)
        ]
        scope = f"{self.application_id}:{guild.id if guild else 'global'}"
        raw = json.dumps({"scope": scope, "commands": payload}, sort_keys=True, ensure_ascii=False)
        digest = hashlib.sha256(raw.encode()).hexdigest()
        if self.state.meta("commands_hash") == digest:
            log.info("application commands unchanged; not syncing")
            return
        await self.tree.sync(guild=guild)
        self.state.set_meta("commands_hash", digest)
        log.info("synced %d application commands (%s)", len(payload), scope)

    # -- enrichment ------------------------------------------------------------------------
    def extras(self, arxiv_ids: Iterable[str]) -> dict[str, Enrichment]:
        """What the papers' sources add, for the cards (render.card's `extra`): a local SQLite
        read, fine on the loop for a page's worth; nothing when the cache cannot be read."""
        try:
            return self.enrichment.many(arxiv_ids)
        except sqlite3.Error as error:
            log.warning("enrichment cache unreadable (%s); cards without it", error)
            return {}

    async def fetch_extras(self, arxiv_ids: Iterable[str]) -> dict[str, Enrichment]:
        """`extras` in a worker thread (a day's or a list's worth)."""
        return await asyncio.to_thread(self.extras, list(arxiv_ids))

    def enrich_soon(self, why: str) -> None:
        """Fetch what the papers' sources add, in a thread of its own, after an ingest: never
        waited for, never under the index lock (off with PAPERBOT_ENRICH=0)."""
        if self.enricher is not None:
            self.enricher.request(why)

    def _embed_english(self, _found: list[str]) -> None:
        """The new English text's vectors, made in the enrichment's thread (a question never
        embeds an abstract): what makes it searchable (store/enrich/english.py)."""
        if self.indexes is not None:
            embed_pending(self.enrichment, self.indexes.current().embedder)

    def _newest_ids(self) -> list[str]:
        assert self.indexes is not None
        return newest_first(self.indexes.current().by_id.values())

    # -- the index -------------------------------------------------------------------------
    @property
    def index(self) -> Index | None:
        """The index as of the last check: no I/O, safe to read on the event loop."""
        return self.indexes.last if self.indexes else None

    async def query(self, fn: Callable[..., T], *args: object) -> T:
        """Run a store call on the active index in a worker thread (Chroma and the embedder are
        synchronous). The index is taken once per call, so a swap mid-call cannot mix
        generations; a generation dropped elsewhere meanwhile is retried on the new one."""
        handle = self.indexes
        assert handle is not None, "setup_hook opens the index"

        def call() -> T:
            index = handle.current()
            try:
                result = fn(index, *args)
            except chromadb.errors.NotFoundError:
                index = handle.current(force=True)
                result = fn(index, *args)
            self._fresh_lookup(index)
            return result

        return await asyncio.to_thread(call)

    def swap_index(self, index: Index) -> None:
        """Answer from `index` (just activated) from now on. The old generation stays open for
        queries still running on it, and on disk until the next switch."""
        assert self.indexes is not None
        self.indexes.adopt(index)
        self.note_ingest()
        log.info("now answering from index generation %s", index.generation)

    def note_ingest(self) -> None:
        """An ingest or rebuild of this bot finished now (/stats shows when)."""
        self.state.set_meta("last_ingest", utc_text(discord.utils.utcnow()))

    def _fresh_lookup(self, index: Index) -> PaperLookup:
        """The autocomplete list, rebuilt when the catalogue changed (worker threads only)."""
        key = (index.generation, index.catalogue.revision)
        if key != self._lookup_of:
            self.lookup = lookup_of(index)
            self._lookup_of = key
        return self.lookup

    async def refresh_source(self) -> None:
        """Daily update: pull the digest folder when asked to, then an incremental ingest. The
        pull runs outside the index lock (bounded by its own timeout), so a slow remote never
        holds up /reindex; the lock is held only for the ingest. Skipped while a reindex runs
        (the rebuild reads the whole source anyway), and on a bot without the ingest duty of a
        shared Chroma server (another host's bot runs it; this one follows the index)."""
        if self.index_lock.locked():
            log.info("reindex running; the daily ingest is skipped")
            return
        follower = self.duty is not None and not self.duty.held
        if follower and not await asyncio.to_thread(self._take_duty):
            self.enrich_soon("index followed")  # this host's cache, the shared index's papers
            return  # another host's bot runs the scheduled ingests
        if self.settings.git_pull:
            await asyncio.to_thread(source.git_pull, self.settings.digests)
            if self.index_lock.locked():
                log.info("a reindex started during the pull; the daily ingest is skipped")
                return
        async with self.index_lock:
            from ingest.pipeline import ingest
            from store.progress import ProgressLog

            assert self.indexes is not None
            index = await asyncio.to_thread(self.indexes.current, True)
            purpose = "paperbot run (scheduled ingest)"

            def work() -> IngestReport:
                # quiet for a new day (seconds); a progress line every 10 s for a long one
                with ProgressLog("daily ingest", bar=False, lazy=True, logger=log) as progress:
                    return ingest(self.settings, index=index, progress=progress, purpose=purpose)

            try:
                report = await asyncio.to_thread(work)
            except WriterBusy as busy:  # another writer on the shared server: next time
                log.warning("scheduled ingest skipped: %s", busy)
                return
            self.note_ingest()
            log.info(
                "daily ingest: %d new, %d updated, %d removed papers (%d unchanged, %d entries "
                "skipped)%s",
                report.papers_new,
                report.papers_updated,
                report.papers_removed,
                report.papers_unchanged,
                len(report.skipped),
                "; removals held: " + "; ".join(report.removals_held)
                if report.removals_held
                else "",
            )
            await asyncio.to_thread(self._fresh_lookup, index)
        self.enrich_soon("daily ingest")

    def _take_duty(self) -> bool:
        """Take (or keep) the ingest duty of a shared index; False, with a log line, when
        another bot has it (worker threads only)."""
        assert self.duty is not None
        holder = self.duty.claim()
        if holder is not None:
            log.info(
                "scheduled ingest skipped: %s has the ingest duty (it runs them; this host "
                "follows the index)",
                holder.describe(),
            )
            return False
        if not self.duty.held:
            return False
        self.duty.keep()
        log.info("this host has the ingest duty: it runs the scheduled ingests")
        return True


def _open_warm(settings: Settings) -> IndexHandle:
    from ingest.pipeline import open_handle

    handle = open_handle(settings)
    handle.current().by_id  # noqa: B018 — load the paper catalogue here, off the event loop
    return handle


def describe(index: Index, settings: Settings) -> str:
    """What the bot serves, for its log at start-up (worker threads only: it counts)."""
    papers, passages = index.counts()
    dates = index.dates()
    where = (
        f"Chroma server {settings.chroma_host}:{settings.chroma_port}"
        if settings.chroma_host
        else f"{settings.data_dir / 'chroma'}"
    )
    span = f"digests {dates[0]} .. {dates[-1]}" if dates else "no digest yet"
    return (
        f"serving index generation {index.generation} ({index.embedder.name}, {where}): "
        f"{papers:,} papers, {passages:,} passages, {span}"
    )


def lookup_of(index: Index) -> PaperLookup:
    return PaperLookup(index.by_id.values())


def create_bot(settings: Settings | None = None) -> PaperBot:
    """The bot `paperbot run` starts and the tests drive (docs/CONTRACTS.md)."""
    return PaperBot(settings or Settings())
