"""One generation of the index: its chunk and paper collections in Chroma, its BM25 table, and
the catalogue of its papers. Which generation is active is the registry's business
(store/index/generations.py); following it is `IndexHandle`'s (store/index/handle.py); keeping
this host's tables in step with what other hosts wrote is store/index/sync.py's."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Mapping, Sequence
from typing import Self

import chromadb
import numpy as np

from store.dates import window
from store.embedders import Embedder
from store.index import lease, sync
from store.index.catalogue import Catalogue, papers_from_documents
from store.index.chroma import open_collection, pages
from store.index.faults import crash_point
from store.index.generations import Generation, Registry, RegistryState
from store.index.sync import STAMP, bullet_spans
from store.index.vectorcache import SharedWords, VectorCache
from store.models import Chunk, Paper
from store.search.bridge import BRIDGE_CUT, WordBridge, korean_words
from store.search.english import EnglishField
from store.search.lexical import LexicalIndex, LexicalRow
from store.settings import Settings

log = logging.getLogger(__name__)
BRIDGE_REBUILD_S = 60.0  # the most often a reader rebuilds the word bridge during writes
__all__ = ["Index", "bullet_spans"]


class Index:
    def __init__(
        self,
        settings: Settings,
        embedder: Embedder,
        generation: Generation,
        client: chromadb.ClientAPI,
        registry: Registry,
    ) -> None:
        self.settings = settings
        self.embedder = embedder
        self.gen = generation
        self.client = client
        self.registry = registry
        self.chunks = open_collection(client, generation.chunks)
        self.papers = open_collection(client, generation.papers)
        self.lexical = LexicalIndex(generation.lexical_path(settings.data_dir))
        cache = settings.data_dir / "vectors" / f"{registry.layout.model_key}.sqlite"
        self.vectors = VectorCache(cache, embedder.dim)
        self.catalogue = Catalogue(self._load_papers)
        self.catalogue_at: int | None = None  # the write version the loaded catalogue reflects
        self._bridge: WordBridge | None = None
        self._bridge_stale = False  # the summaries changed since it was built
        self._bridge_built = 0.0  # time.monotonic() of the last build
        self._bridge_lock = threading.Lock()
        self._write_lock = threading.Lock()  # a write, or a catch-up, at a time
        self._words: SharedWords | None = None
        self._english = None  # EnglishSource, made on first use (english_field)

    @property
    def generation(self) -> int:
        return self.gen.number

    # -- writing ---------------------------------------------------------------------------
    def paper_hashes(self) -> dict[str, str]:
        hashes: dict[str, str] = {}
        for page in pages(self.papers, ["metadatas"]):
            hashes.update((i, m["hash"]) for i, m in zip(page["ids"], page["metadatas"]))
        return hashes

    def write(self, batch: Sequence[tuple[Paper, list[Chunk], np.ndarray]]) -> None:
        """Replace each paper's passages. Order matters for crash safety: old passages out,
        new passages into Chroma and BM25, and the paper record (carrying the content hash the
        next ingest compares) last, so a write interrupted anywhere is redone by the next run.
        Everything written carries the next write version of this generation, recorded in the
        registry once complete (other hosts catch up from it)."""
        if not batch:
            return
        with self._write_lock:
            version = self._next_version()
            self._remove_passages([paper.arxiv_id for paper, _, _ in batch])
            crash_point("passages-removed")
            ids, docs, metas, vectors, rows = [], [], [], [], []
            for paper, chunks, chunk_vectors in batch:
                meta = {**_metadata(paper), STAMP: version}
                spans = bullet_spans(paper, [chunk.text for chunk in chunks])
                for chunk, vector, span in zip(chunks, chunk_vectors, spans):
                    ids.append(chunk.id)
                    docs.append(chunk.text)
                    metas.append({**meta, "chunk": chunk.index})
                    vectors.append(vector)
                    rows.append(
                        LexicalRow(
                            chunk.id, paper.arxiv_id, meta["date"], paper.votes, chunk.text, span
                        )
                    )
            embeddings = np.asarray(vectors)
            self.chunks.add(ids=ids, documents=docs, metadatas=metas, embeddings=embeddings)
            crash_point("chunks-added")
            self.lexical.upsert(rows)
            crash_point("lexical-written")
            papers = [paper for paper, _, _ in batch]
            self.papers.upsert(
                ids=[p.arxiv_id for p in papers],
                documents=[json.dumps(p.to_json(), ensure_ascii=False) for p in papers],
                metadatas=[
                    {**_metadata(p), "hash": p.content_hash(), STAMP: version} for p in papers
                ],
                embeddings=np.asarray([_mean_direction(v) for _, _, v in batch]),
            )
            crash_point("papers-written")
            self.catalogue.put(papers)
            self._changed(version)

    def remove(self, arxiv_ids: Sequence[str]) -> None:
        """Remove papers: passages first, records last, so a removal cut short leaves the
        records that make the next ingest remove them again."""
        with self._write_lock:
            version = self._next_version()
            self._remove_passages(arxiv_ids)
            crash_point("removal-passages-gone")
            for start in range(0, len(arxiv_ids), 500):
                self.papers.delete(ids=list(arxiv_ids[start : start + 500]))
            self.catalogue.drop(arxiv_ids)
            self._changed(version)

    def _next_version(self) -> int:
        """The write version for a write about to start (only the lease holder writes)."""
        lease.check_writing(self.registry)
        return self.registry.state().written_of(self.gen.number) + 1

    def _changed(self, version: int) -> None:
        self._bridge_stale = True
        self.registry.wrote(self.gen, version)
        self.lexical.advance(self.gen.uid, version)
        if self.catalogue_at == version - 1:
            self.catalogue_at = version

    def _remove_passages(self, arxiv_ids: Sequence[str]) -> None:
        for start in range(0, len(arxiv_ids), 500):
            self.chunks.delete(where={"arxiv_id": {"$in": list(arxiv_ids[start : start + 500])}})
        self.lexical.delete_papers(arxiv_ids)

    def catch_up(self, state: RegistryState | None = None) -> int | None:
        """Bring this host's BM25 table and catalogue in step with what the store holds
        (store/index/sync.py): papers read again, 0 when in step, None when a write of this
        process is running (it keeps them in step itself; look again later)."""
        if not self._write_lock.acquire(blocking=False):
            return None
        try:
            changed = sync.catch_up(self, state or self.registry.state())
        finally:
            self._write_lock.release()
        if changed:
            self._bridge_stale = True
        return changed

    def word_bridge(self, embed_missing: bool = False) -> WordBridge | None:
        """The English -> Korean word bridge (store/search/bridge.py) over the indexed summaries,
        for an embedder with a bridge cut (None otherwise). Ingest embeds the words the vector
        cache lacks (`embed_missing`) and, on a Chroma server, publishes them there; a reader
        uses the cached ones, copies those it lacks from the server and says how many are still
        missing, so no query waits for the model to embed thousands of words."""
        if self.embedder.name not in BRIDGE_CUT:
            return None
        if embed_missing:  # the writer: embed outside the lock, so no reader waits for it
            words = korean_words(self.by_id.values())
            vectors, _ = self.vectors.embed(words, self.embedder.embed_passages)
            if (shared := self._shared_words()) is not None:
                shared.publish(words, vectors)
            built = _bridge_of(words, vectors, self.embedder.dim)
            with self._bridge_lock:
                self._bridge, self._bridge_stale = built, False
                self._bridge_built = time.monotonic()
            return built
        with self._bridge_lock:
            # While an ingest writes batch after batch, a reader keeps its bridge and rebuilds it
            # at most every BRIDGE_REBUILD_S: a rebuild reads every summary (about a second on
            # the archive), and a bridge a minute old still finds the same words.
            due = time.monotonic() - self._bridge_built >= BRIDGE_REBUILD_S
            if self._bridge is None or (self._bridge_stale and due):
                self._bridge_stale, self._bridge_built = False, time.monotonic()
                words = korean_words(self.by_id.values())
                found = self._word_vectors(words)
                words = [w for w in words if w in found]
                vectors = np.asarray([found[w] for w in words], dtype=np.float32)
                self._bridge = _bridge_of(words, vectors, self.embedder.dim)
            return self._bridge

    def english_field(self) -> EnglishField | None:
        """The English field of the enriched papers (store/search/english.py) for this index's
        embedder; None while the data dir has no enrichment cache. Kept in step with the cache
        by store/enrich/english.py (`EnglishSource`): a question never waits for a rebuild
        after the first, nor embeds an abstract."""
        if self._english is None:
            # imported here: store.enrich's cache imports store.index (the data dir's modes)
            from store.enrich.english import EnglishSource

            with self._bridge_lock:
                if self._english is None:
                    self._english = EnglishSource(self.settings.data_dir, self.embedder)
        return self._english.field()

    def _word_vectors(self, words: list[str]) -> dict[str, np.ndarray]:
        found = self.vectors.lookup(words)
        missing = [w for w in words if w not in found]
        if missing and (shared := self._shared_words()) is not None:
            fetched = shared.fetch(missing)
            self.vectors.put(fetched)
            found |= fetched
            missing = [w for w in missing if w not in fetched]
        if missing:
            log.warning(
                "word bridge: %d of %d words have no vector on this host%s; English questions "
                "that need them may rank differently until the writer's next ingest",
                len(missing),
                len(words),
                " nor on the Chroma server" if self.registry.server else "",
            )
        return found

    def _shared_words(self) -> SharedWords | None:
        if self.registry.server is None:
            return None
        if self._words is None:
            self._words = SharedWords(self.client, f"{self.registry.layout.model_key}-words")
        return self._words

    def counts(self) -> tuple[int, int]:
        """(papers, passages) as Chroma holds them."""
        return self.papers.count(), self.chunks.count()

    # -- reading ---------------------------------------------------------------------------
    def _load_papers(self) -> list[Paper]:
        at = self.registry.state().written_of(self.gen.number)  # read first: the papers are newer
        papers = [p for page in pages(self.papers, ["documents"]) for p in _papers_of(page)]
        self.catalogue_at = at
        return papers

    @property
    def by_id(self) -> Mapping[str, Paper]:
        """Every paper of this generation by arXiv id (the catalogue's view, in memory)."""
        return self.catalogue.papers()

    def get(self, arxiv_id: str) -> Paper | None:
        return self.by_id.get(arxiv_id.strip())

    def dates(self) -> list[str]:
        return self.catalogue.dates()

    def latest_date(self) -> str | None:
        dates = self.dates()
        return dates[-1] if dates else None

    def digest_date_for(self, day: str) -> str | None:
        """`day` when it has a digest, else the nearest earlier digest date (None if none)."""
        earlier = [d for d in self.dates() if d <= day]
        return earlier[-1] if earlier else None

    def papers_on(self, day: str) -> list[Paper]:
        return sorted((p for p in self.by_id.values() if p.date == day), key=_vote_key)

    def top_between(self, since: str, until: str, n: int) -> list[Paper]:
        inside = [p for p in self.by_id.values() if since <= p.date <= until]
        return sorted(inside, key=_vote_key)[:n]

    def top(self, period: str, n: int) -> tuple[str, str, list[Paper]] | None:
        """Top-voted papers of the period ending at the latest digest: (since, until, papers);
        None while nothing is indexed."""
        dates = self.dates()
        if not dates:
            return None
        since, until = window(period, dates[0], dates[-1])
        return since, until, self.top_between(since, until, n)

    def close(self) -> None:
        self.lexical.close()
        self.vectors.close()
        if self._english is not None:
            self._english.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _papers_of(page: dict) -> list[Paper]:
    return list(papers_from_documents(page["documents"]))


def _vote_key(paper: Paper) -> tuple[int, str]:
    return (-(paper.votes if paper.votes is not None else -1), paper.title.lower())


def _metadata(paper: Paper) -> dict:
    meta = {"arxiv_id": paper.arxiv_id, "title": paper.title, "date": paper.date_int}
    if paper.votes is not None:
        meta["votes"] = paper.votes
    return meta


def _mean_direction(vectors: np.ndarray) -> np.ndarray:
    mean = np.asarray(vectors, dtype=np.float32).mean(axis=0)
    return mean / max(float(np.linalg.norm(mean)), 1e-12)


def _bridge_of(words: list[str], vectors: np.ndarray, dim: int) -> WordBridge:
    matrix = np.asarray(vectors, dtype=np.float32).reshape(len(words), dim)
    return WordBridge(tuple(words), matrix)
