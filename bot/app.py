"""The bot object: settings, the current index (swapped after a rebuild), per-server state, the
command tree with its translator and error handler, and the cogs."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from collections.abc import Callable
from typing import TypeVar

import discord
from discord.ext import commands

from bot import source
from bot.errors import PaperTree
from bot.i18n import Translator
from bot.lookup import PaperLookup
from bot.render import NO_MENTIONS
from bot.state import BotState
from store.index import Index
from store.settings import Settings

log = logging.getLogger(__name__)
T = TypeVar("T")
COGS = ("bot.cogs.papers", "bot.cogs.digest", "bot.cogs.admin")


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
        self.index: Index | None = None
        self.lookup = PaperLookup([])
        self.state = BotState(settings.data_dir / "bot.sqlite")
        # One writer at a time: a /reindex and the daily ingest must not write concurrently.
        self.index_lock = asyncio.Lock()

    async def setup_hook(self) -> None:
        self.index = await asyncio.to_thread(_open_warm, self.settings)
        self.lookup = await asyncio.to_thread(lookup_of, self.index)
        await self.tree.set_translator(Translator())
        for name in COGS:
            await self.load_extension(name)
        await self.sync_commands()

    async def close(self) -> None:
        await super().close()
        self.state.close()

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

    # -- the index -------------------------------------------------------------------------
    async def query(self, fn: Callable[..., T], *args: object) -> T:
        """Run a store call on the current index in a worker thread (Chroma and the embedder are
        synchronous). The index is taken once, so a swap mid-call cannot mix generations."""
        index = self.index
        assert index is not None, "setup_hook opens the index"
        return await asyncio.to_thread(fn, index, *args)

    def swap_index(self, index: Index) -> None:
        """Answer from `index` from now on. The old generation is left to finish any query that
        still runs on it; `activate()` keeps it on disk until the next rebuild."""
        self.index = index
        log.info("now answering from index generation %s", index.generation)

    async def refresh_source(self) -> None:
        """Daily update: pull the digest folder when asked to, then an incremental ingest. The
        pull runs outside the index lock (bounded by its own timeout), so a slow remote never
        holds up /reindex; the lock is held only for the ingest. Skipped while a reindex runs:
        the rebuild reads the whole source anyway."""
        if self.index_lock.locked():
            log.info("reindex running; the daily ingest is skipped")
            return
        if self.settings.git_pull:
            await asyncio.to_thread(source.git_pull, self.settings.digests)
            if self.index_lock.locked():
                log.info("a reindex started during the pull; the daily ingest is skipped")
                return
        async with self.index_lock:
            from ingest.pipeline import ingest

            index = self.index
            assert index is not None
            report = await asyncio.to_thread(ingest, self.settings, index=index)
            if report.papers_new or report.papers_updated or report.papers_removed:
                log.info("daily ingest: %s", report.to_json() | {"skipped": len(report.skipped)})
            self.lookup = await asyncio.to_thread(lookup_of, index)


def _open_warm(settings: Settings) -> Index:
    from ingest.pipeline import open_index

    index = open_index(settings)
    index.catalog  # noqa: B018 — load the paper catalogue here, off the event loop
    return index


def lookup_of(index: Index) -> PaperLookup:
    return PaperLookup(index.catalog.values())


def create_bot(settings: Settings | None = None) -> PaperBot:
    """The bot `paperbot run` starts and the tests drive (DESIGN.md)."""
    return PaperBot(settings or Settings())
