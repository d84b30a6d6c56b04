"""The active index, followed: every process re-reads the registry (at most every REFRESH_S
seconds) and switches when another process or host activated a new generation, or catches its
own tables up (store/index/sync.py) when another one wrote. A generation this process still has
open stays open until the one after it has been active for a while, so a query in flight always
finishes on what it started with."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from store.embedders import Embedder
from store.errors import StoreUnavailable
from store.index.chroma import make_client
from store.index.datadir import private_dir
from store.index.generations import Generation, Layout, Registry
from store.index.index import Index
from store.settings import Settings

log = logging.getLogger(__name__)
REFRESH_S = 2.0


class IndexHandle:
    def __init__(
        self,
        settings: Settings,
        embedder: Embedder,
        chunking: str,
        refresh_s: float = REFRESH_S,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self.settings = settings
        self.embedder = embedder
        self.client = make_client(settings)  # a Chroma server that is down is said first
        try:
            private_dir(settings.data_dir)  # 0700: it holds the bot's state too
        except OSError as error:
            raise StoreUnavailable(
                f"cannot create the data dir {settings.data_dir} (PAPERBOT_DATA_DIR): "
                f"{error.strerror}"
            ) from error
        layout = Layout(embedder.name, getattr(embedder, "model", embedder.name), chunking)
        server = f"{settings.chroma_host}:{settings.chroma_port}" if settings.chroma_host else None
        self.registry = Registry(self.client, layout, settings.data_dir, server)
        self.refresh_s = refresh_s
        self._clock = clock or _monotonic
        self._lock = threading.RLock()
        self._index: Index | None = None
        self._version = -1  # the registry version this process is in step with
        self._checked = -float("inf")
        self._retired: list[Index] = []

    @property
    def last(self) -> Index | None:
        """The index as of the last check (no I/O: safe on the event loop)."""
        return self._index

    def current(self, force: bool = False) -> Index:
        """The active generation's index, re-checked when `refresh_s` has passed (or `force`)
        and caught up with what other processes wrote. With nothing indexed yet it is an empty
        index that a first ingest will fill."""
        with self._lock:
            fresh = self._clock() - self._checked < self.refresh_s
            if self._index is not None and not force and fresh:
                return self._index
            state = self.registry.state()
            self._checked = self._clock()
            number = state.active if state.active is not None else state.next
            generation = self.registry.generation(number, state)
            if self._index is None or self._index.gen != generation:
                self._switch(generation)
            if state.version != self._version:
                assert self._index is not None
                if self._index.catch_up(state) is not None:  # None: our own write is running
                    self._version = state.version
            assert self._index is not None
            return self._index

    def writable(self) -> Index:
        """The active index for a writer (who holds the data dir's writer lock): the registry
        gets its first generation if it has none."""
        with self._lock:
            self.registry.ensure_active()
            return self.current(force=True)

    def open(self, generation: Generation) -> Index:
        """An index over `generation` (e.g. one being rebuilt), sharing this handle's client."""
        return Index(self.settings, self.embedder, generation, self.client, self.registry)

    def adopt(self, index: Index) -> None:
        """Answer from `index` (just activated by this process) from now on."""
        with self._lock:
            if self._index is not index:
                self._retire()
                self._index = index
            self._checked = self._clock()
            self._version = -1  # caught up at the next look (in step already: nothing to read)

    def close(self) -> None:
        with self._lock:
            for index in [*self._retired, *([self._index] if self._index else [])]:
                index.close()
            self._retired.clear()
            self._index = None

    def _switch(self, generation: Generation) -> None:
        index = self.open(generation)
        if self._index is not None:
            log.info("index generation %d is active now", generation.number)
        self._retire()
        self._index = index
        self._version = -1

    def _retire(self) -> None:
        if self._index is not None:
            self._retired.append(self._index)
        while len(self._retired) > 2:  # older ones cannot have a query in flight any more
            self._retired.pop(0).close()


def _monotonic() -> float:
    return time.monotonic()  # looked up at each call: a test's virtual clock is followed
