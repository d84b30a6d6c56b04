"""The English text of enriched papers for retrieval: its passages, their vectors (kept in
`enrich.sqlite`, computed once per paper, text and embedder by `embed_pending`, which the
enrichment runner calls after each batch, never a query), and `EnglishSource`, which keeps the
search field (store/search/english.py) in step with the cache for an index.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from store.embedders import Embedder
from store.enrich.cache import FILE, EnrichCache, Enrichment
from store.index.vectorcache import text_key
from store.search.english import EnglishField, english_tokens

log = logging.getLogger(__name__)
REBUILD_S = 60.0  # the most often the field is rebuilt while the cache is being written
BATCH = 32  # passages per embedding call in `embed_pending`

_SCHEMA = """
CREATE TABLE IF NOT EXISTS vectors (
    arxiv_id TEXT NOT NULL,
    embedder TEXT NOT NULL,  -- the embedder's model spec
    part     TEXT NOT NULL,  -- 'summary' | 'abstract'
    key      TEXT NOT NULL,  -- SHA-256 of the text embedded: a changed text is embedded again
    v        BLOB NOT NULL,  -- float32
    PRIMARY KEY (arxiv_id, embedder, part)
);
"""


def english_text(record: Enrichment) -> str:
    """What the English BM25 field holds for a paper: summary, abstract and keywords."""
    return "\n".join(filter(None, [record.ai_summary, record.abstract, " ".join(record.keywords)]))


def english_passages(record: Enrichment) -> dict[str, str]:
    """The passages embedded for a paper: its one-line summary and its abstract (those it has)."""
    parts = {"summary": record.ai_summary.strip(), "abstract": record.abstract.strip()}
    return {part: text for part, text in parts.items() if text}


class EnglishVectors:
    """The `vectors` table of enrich.sqlite (its own connection; WAL lets it read beside the
    cache's writes)."""

    def __init__(self, data_dir: Path) -> None:
        self._db = sqlite3.connect(data_dir / FILE, check_same_thread=False, timeout=30)
        self._lock = threading.Lock()
        with self._lock, self._db:
            self._db.executescript(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def version(self, embedder: str) -> int:
        """Grows with every vector written (a replaced row gets a new rowid)."""
        with self._lock:
            row = self._db.execute(
                "SELECT MAX(rowid) FROM vectors WHERE embedder = ?", (embedder,)
            ).fetchone()
        return row[0] or 0

    def keys(self, embedder: str) -> set[tuple[str, str, str]]:
        """(arxiv id, part, text key) of every vector this embedder has."""
        with self._lock:
            rows = self._db.execute(
                "SELECT arxiv_id, part, key FROM vectors WHERE embedder = ?", (embedder,)
            ).fetchall()
        return {tuple(row) for row in rows}

    def since(
        self, embedder: str, after: int, dim: int
    ) -> tuple[dict[tuple[str, str], tuple[str, np.ndarray]], int]:
        """The vectors written after rowid `after`: (arxiv id, part) -> (text key, vector), and
        the highest rowid read."""
        with self._lock:
            rows = self._db.execute(
                "SELECT rowid, arxiv_id, part, key, v FROM vectors WHERE embedder = ? AND rowid > ?",
                (embedder, after),
            ).fetchall()
        found = {}
        for _, aid, part, key, blob in rows:
            vector = np.frombuffer(blob, dtype=np.float32)
            if vector.shape == (dim,):
                found[(aid, part)] = (key, vector)
        return found, max((row[0] for row in rows), default=after)

    def put(self, embedder: str, rows: list[tuple[str, str, str, np.ndarray]]) -> None:
        data = [
            (aid, embedder, part, key, np.asarray(v, dtype=np.float32).tobytes())
            for aid, part, key, v in rows
        ]
        with self._lock, self._db:
            self._db.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?, ?, ?, ?)", data)


def embed_pending(cache: EnrichCache, embedder: Embedder, batch: int = BATCH) -> int:
    """Embed the English passages of the cache's `ok` rows that have no vector for this
    embedder and text yet, `batch` at a time (each batch kept as soon as it is done); returns
    how many passages were embedded."""
    vectors = EnglishVectors(cache.data_dir)
    try:
        have = vectors.keys(embedder.model)
        todo = [
            (aid, part, text_key(text), text)
            for aid, record in sorted(cache.found().items())
            for part, text in english_passages(record).items()
            if (aid, part, text_key(text)) not in have
        ]
        for start in range(0, len(todo), batch):
            part = todo[start : start + batch]
            embedded = embedder.embed_passages([text for *_, text in part])
            vectors.put(embedder.model, [(a, p, k, v) for (a, p, k, _), v in zip(part, embedded)])
        return len(todo)
    finally:
        vectors.close()


class EnglishSource:
    """The English field of one data dir for one embedder, rebuilt when the cache (its
    revision) or its vectors changed: the first time on the caller's thread, later at most
    every REBUILD_S in a background thread while questions go on with the field they have."""

    def __init__(self, data_dir: Path, embedder: Embedder) -> None:
        self.data_dir = data_dir
        self.embedder = embedder
        self._cache: EnrichCache | None = None
        self._vectors: EnglishVectors | None = None
        self._field: EnglishField | None = None
        self._stamp: tuple[int, int] | None = None
        self._built = 0.0
        self._building: threading.Thread | None = None
        self._tokens: dict[str, tuple[str, str]] = {}  # arxiv id -> (text key, tokens)
        self._loaded: dict[tuple[str, str], tuple[str, np.ndarray]] = {}
        self._after = 0  # the highest vector rowid loaded
        self._lock = threading.Lock()
        self._build_lock = threading.Lock()

    def field(self) -> EnglishField | None:
        """The current field (None while the data dir has no enrichment cache, or its first
        build failed: retrieval then goes on without it)."""
        if not self._open():
            return None
        with self._lock:
            if self._stamp is not None:
                due = time.monotonic() - self._built >= REBUILD_S
                if due and self._building is None and self._current() != self._stamp:
                    self._built = time.monotonic()
                    self._building = threading.Thread(
                        target=self._background, name="english-field", daemon=True
                    )
                    self._building.start()
                return self._field
            if time.monotonic() - self._built < REBUILD_S and self._built:
                return None  # the first build failed a moment ago
        try:
            return self.refresh()
        except Exception:
            log.exception("english field: build failed; English questions go on without it")
            self._built = time.monotonic()
            return None

    def refresh(self) -> EnglishField | None:
        """Rebuild the field now, on this thread (the first question; tests)."""
        if not self._open():
            return None
        with self._build_lock:
            stamp = self._current()
            built = self._build()
            with self._lock:
                self._field, self._stamp, self._built = built, stamp, time.monotonic()
            return built

    def _background(self) -> None:
        try:
            self.refresh()
        except Exception:
            log.exception("english field: rebuild failed; keeping the previous one")
        finally:
            with self._lock:
                self._building = None

    def wait(self) -> None:
        """Wait for a background rebuild, if one is running (tests)."""
        thread = self._building
        if thread is not None:
            thread.join()

    def close(self) -> None:
        self.wait()
        for part in (self._vectors, self._cache):
            if part is not None:
                part.close()

    def _open(self) -> bool:
        if self._cache is None:
            if not (self.data_dir / FILE).exists():
                return False
            with self._lock:
                if self._cache is None:
                    self._vectors = EnglishVectors(self.data_dir)
                    self._cache = EnrichCache(self.data_dir)
        return True

    def _current(self) -> tuple[int, int]:
        assert self._cache is not None and self._vectors is not None
        return self._cache.revision(), self._vectors.version(self.embedder.model)

    def _build(self) -> EnglishField:
        assert self._cache is not None and self._vectors is not None
        records = self._cache.found()
        tokens = {}
        for aid, record in records.items():
            text = english_text(record)
            key = text_key(text)
            known = self._tokens.get(aid)
            tokens[aid] = known if known and known[0] == key else (key, english_tokens(text))
        self._tokens = tokens
        fresh, self._after = self._vectors.since(
            self.embedder.model, self._after, self.embedder.dim
        )
        self._loaded |= fresh
        vectors = _current_vectors(records, self._loaded)
        log.debug("english field: %d papers, %d with vectors", len(tokens), len(vectors))
        return EnglishField.build(
            {aid: t for aid, (_, t) in tokens.items()}, vectors, self.embedder.dim
        )


def _current_vectors(
    records: Mapping[str, Enrichment], loaded: Mapping[tuple[str, str], tuple[str, np.ndarray]]
) -> dict[str, list[np.ndarray]]:
    """Each paper's vectors of the passages it has now (a vector of an older text is left out)."""
    out: dict[str, list[np.ndarray]] = {}
    for aid, record in records.items():
        for part, text in english_passages(record).items():
            found = loaded.get((aid, part))
            if found is not None and found[0] == text_key(text):
                out.setdefault(aid, []).append(found[1])
    return out
