"""Every paper of one generation in memory: what /today, /top, /paper and autocomplete read.

Loaded once from the papers collection, then kept in step by the writes of this process
(`put`, `drop`: copy-on-write under the lock, so a reader iterating a snapshot never sees it
change and a write is never lost to a load that read before it). Writes made by another process
(another host of a Chroma server) are noticed through the registry version and applied the
same way by the catch-up (store/index/sync.py).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType

from store.models import Paper

Loader = Callable[[], Iterable[Paper]]


class Catalogue:
    def __init__(self, load: Loader) -> None:
        self._load = load
        self._papers: dict[str, Paper] | None = None
        self._dates: list[str] | None = None
        self._lock = threading.Lock()
        self.revision = 0  # changes whenever the papers do (the bot's autocomplete follows it)

    def papers(self) -> Mapping[str, Paper]:
        """A read-only snapshot: arxiv id -> paper."""
        with self._lock:
            if self._papers is None:
                # Loaded under the lock: a write that lands meanwhile waits and is applied after.
                self._papers = {p.arxiv_id: p for p in self._load()}
                self._dates = None
                self.revision += 1
            return MappingProxyType(self._papers)

    def dates(self) -> list[str]:
        papers = self.papers()
        with self._lock:
            if self._dates is None:
                self._dates = sorted({p.date for p in papers.values()})
            return self._dates

    def put(self, papers: Iterable[Paper]) -> None:
        with self._lock:
            if self._papers is not None:
                self._papers = {**self._papers, **{p.arxiv_id: p for p in papers}}
                self._dates = None
                self.revision += 1

    def drop(self, arxiv_ids: Iterable[str]) -> None:
        with self._lock:
            if self._papers is not None:
                gone = set(arxiv_ids)
                self._papers = {k: v for k, v in self._papers.items() if k not in gone}
                self._dates = None
                self.revision += 1

    def replace(self, papers: Iterable[Paper]) -> None:
        """Exactly these papers from now on (a host read the whole store)."""
        with self._lock:
            self._papers = {p.arxiv_id: p for p in papers}
            self._dates = None
            self.revision += 1

    @property
    def loaded(self) -> bool:
        return self._papers is not None

    def known(self) -> set[str]:
        """The ids held in memory (none while nothing was loaded)."""
        with self._lock:
            return set(self._papers or ())


def papers_from_documents(documents: Iterable[str]) -> Iterable[Paper]:
    return (Paper.from_json(json.loads(doc)) for doc in documents)
