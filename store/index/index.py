"""One generation of the index: its chunk and paper collections in Chroma, its BM25 table, and
the catalogue of its papers. Which generation is active is the registry's business
(store/index/generations.py); following it is `IndexHandle`'s (store/index/handle.py)."""

from __future__ import annotations

import json
import threading
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from typing import Self

import chromadb
import numpy as np

from store.dates import window
from store.embedders import Embedder
from store.index.catalogue import Catalogue, papers_from_documents
from store.index.chroma import open_collection, pages
from store.index.faults import crash_point
from store.index.generations import Generation, Registry
from store.index.vectorcache import VectorCache
from store.models import Chunk, Paper
from store.search.bridge import BRIDGE_CUT, WordBridge, korean_words
from store.search.lexical import LexicalIndex, LexicalRow
from store.settings import Settings


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
        self.written_version = -1  # the registry version our last write produced
        self._bridge: WordBridge | None = None
        self._bridge_lock = threading.Lock()

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
        next ingest compares) last, so a write interrupted anywhere is redone by the next run."""
        if not batch:
            return
        self._remove_passages([paper.arxiv_id for paper, _, _ in batch])
        crash_point("passages-removed")
        ids, docs, metas, vectors, rows = [], [], [], [], []
        for paper, chunks, chunk_vectors in batch:
            meta = _metadata(paper)
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
        self.chunks.add(ids=ids, documents=docs, metadatas=metas, embeddings=np.asarray(vectors))
        crash_point("chunks-added")
        self.lexical.upsert(rows)
        crash_point("lexical-written")
        papers = [paper for paper, _, _ in batch]
        self.papers.upsert(
            ids=[p.arxiv_id for p in papers],
            documents=[json.dumps(p.to_json(), ensure_ascii=False) for p in papers],
            metadatas=[{**_metadata(p), "hash": p.content_hash()} for p in papers],
            embeddings=np.asarray([_mean_direction(v) for _, _, v in batch]),
        )
        crash_point("papers-written")
        self.catalogue.put(papers)
        self._changed()

    def remove(self, arxiv_ids: Sequence[str]) -> None:
        """Remove papers: passages first, records last, so a removal cut short leaves the
        records that make the next ingest remove them again."""
        self._remove_passages(arxiv_ids)
        crash_point("removal-passages-gone")
        for start in range(0, len(arxiv_ids), 500):
            self.papers.delete(ids=list(arxiv_ids[start : start + 500]))
        self.catalogue.drop(arxiv_ids)
        self._changed()

    def _remove_passages(self, arxiv_ids: Sequence[str]) -> None:
        for start in range(0, len(arxiv_ids), 500):
            self.chunks.delete(where={"arxiv_id": {"$in": list(arxiv_ids[start : start + 500])}})
        self.lexical.delete_papers(arxiv_ids)

    def word_bridge(self, embed_missing: bool = False) -> WordBridge | None:
        """The English -> Korean word bridge (store/search/bridge.py) over the indexed summaries, for
        an embedder with a bridge cut (None otherwise). Ingest embeds the words the vector cache
        lacks (`embed_missing`); a reader uses the cached ones only, so no query waits for the
        model to embed thousands of words."""
        if self.embedder.name not in BRIDGE_CUT:
            return None
        with self._bridge_lock:
            if self._bridge is None or embed_missing:
                words = korean_words(self.by_id.values())
                if embed_missing:
                    vectors, _ = self.vectors.embed(words, self.embedder.embed_passages)
                else:
                    found = self.vectors.lookup(words)
                    words = [w for w in words if w in found]
                    vectors = np.asarray([found[w] for w in words], dtype=np.float32)
                matrix = vectors.reshape(len(words), self.embedder.dim).astype(np.float32)
                self._bridge = WordBridge(tuple(words), matrix)
            return self._bridge

    def _changed(self) -> None:
        self._bridge = None
        if self.registry.active() == self.gen:
            self.written_version = self.registry.bump()

    def heal_lexical(self) -> int:
        """Refill an empty lexical table from the passages Chroma holds (a server-mode store
        whose local data dir is new, or a lost file): no text is embedded again."""
        if self.lexical.count() or not self.chunks.count():
            return 0
        by_id = self.by_id
        passages: dict[str, list[tuple[int, str, str, dict]]] = {}
        for page in pages(self.chunks, ["documents", "metadatas"]):
            for cid, doc, meta in zip(page["ids"], page["documents"], page["metadatas"]):
                passages.setdefault(meta["arxiv_id"], []).append((meta["chunk"], cid, doc, meta))
        rows = []
        for arxiv_id, found in passages.items():
            found.sort(key=lambda passage: passage[0])  # in order: spans are found in one pass
            paper = by_id.get(arxiv_id)
            docs = [doc for _, _, doc, _ in found]
            spans = bullet_spans(paper, docs) if paper else [(0, -1)] * len(docs)
            rows += [
                LexicalRow(cid, arxiv_id, meta["date"], meta.get("votes"), doc, span)
                for (_, cid, doc, meta), span in zip(found, spans)
            ]
        self.lexical.upsert(rows)
        return len(rows)

    def counts(self) -> tuple[int, int]:
        """(papers, passages) as Chroma holds them."""
        return self.papers.count(), self.chunks.count()

    # -- reading ---------------------------------------------------------------------------
    def _load_papers(self) -> list[Paper]:
        return [p for page in pages(self.papers, ["documents"]) for p in _papers_of(page)]

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


def bullet_spans(paper: Paper, passages: Sequence[str]) -> list[tuple[int, int]]:
    """Which of the paper's bullets each of its passages holds: (first, last), or (0, -1) for
    none. `passages` are the paper's, in order, each its title line and a piece of the bullets
    flattened and joined with line feeds (ingest/chunk.py); a bullet longer than a passage is
    split, and each piece maps to it. One pass: each bullet is flattened once and each passage
    looked for after the one before it (per passage, a 5 MB bullet took 48 minutes)."""
    flat = [" ".join(bullet.split("\n")) for bullet in paper.summary]
    starts, at = [], 0
    for bullet in flat:
        starts.append(at)
        at += len(bullet) + 1
    body = "\n".join(flat)
    spans, cursor = [], 0
    for passage in passages:
        piece = passage.partition("\n")[2]
        found = body.find(piece, cursor) if piece else -1
        if found < 0:
            spans.append((0, -1))
            continue
        cursor = found + len(piece)
        spans.append((bisect_right(starts, found) - 1, bisect_right(starts, cursor - 1) - 1))
    return spans


def _mean_direction(vectors: np.ndarray) -> np.ndarray:
    mean = np.asarray(vectors, dtype=np.float32).mean(axis=0)
    return mean / max(float(np.linalg.norm(mean)), 1e-12)
