"""One generation of the index: chunk and paper collections in Chroma plus the lexical table.

Collections are named `pb-<embedder>-<chunking>-g<generation>-{chunks,papers}` so a different
model or chunking never mixes vectors, and a rebuild (blue/green) fills a new generation while
the active one keeps answering. The active generation is recorded in Chroma itself (the
metadata of a small `paperbot-active` collection), so every host of a Chroma server agrees.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from datetime import date, timedelta

import numpy as np

from store.chroma import collection_names, make_client, open_collection
from store.embedders import Embedder
from store.lexical import LexicalIndex, LexicalRow
from store.models import Chunk, Paper
from store.settings import Settings

_PAGE = 5000
# Part of the BM25 table's file name: a new format starts an empty table, which
# `heal_lexical` refills from Chroma's passages (no embedding).
LEXICAL_FORMAT = "v3"
PERIOD_DAYS = {"day": 1, "week": 7, "month": 30, "year": 365}


def window(period: str, first: str, latest: str) -> tuple[str, str]:
    """The `period` (day|week|month|year|all) ending at the latest digest date, inclusive,
    never starting before the first digest."""
    if period == "all":
        return first, latest
    start = date.fromisoformat(latest) - timedelta(days=PERIOD_DAYS[period] - 1)
    return max(start.isoformat(), first), latest


_POINTER = "paperbot-active"


def _pointer(client) -> dict[str, int]:
    collection = client.get_or_create_collection(_POINTER, embedding_function=None)
    return {k: int(v) for k, v in (collection.metadata or {}).items() if k.startswith("pb-")}


def _set_pointer(client, base: str, generation: int) -> None:
    collection = client.get_or_create_collection(_POINTER, embedding_function=None)
    collection.modify(metadata={**(collection.metadata or {}), base: generation})


def _vote_key(paper: Paper) -> tuple[int, str]:
    return (-(paper.votes if paper.votes is not None else -1), paper.title.lower())


class Index:
    def __init__(
        self,
        settings: Settings,
        embedder: Embedder,
        layout: str,
        generation: int | None = None,
        client=None,
    ) -> None:
        self.settings = settings
        self.embedder = embedder
        self.base = f"pb-{embedder.name}-{layout}"
        self.client = client or make_client(settings)
        self.generation = generation or _pointer(self.client).get(self.base, 1)
        name = f"{self.base}-g{self.generation}"
        self.chunks = open_collection(self.client, f"{name}-chunks")
        self.papers = open_collection(self.client, f"{name}-papers")
        self.lexical = LexicalIndex(
            settings.data_dir / "lexical" / f"{name}.{LEXICAL_FORMAT}.sqlite"
        )
        self._catalog: dict[str, Paper] | None = None
        self._lock = threading.Lock()

    # -- writing ---------------------------------------------------------------------------
    def paper_hashes(self) -> dict[str, str]:
        hashes: dict[str, str] = {}
        for offset in range(0, self.papers.count(), _PAGE):
            page = self.papers.get(include=["metadatas"], limit=_PAGE, offset=offset)
            hashes.update((i, m["hash"]) for i, m in zip(page["ids"], page["metadatas"]))
        return hashes

    def write(self, batch: Sequence[tuple[Paper, list[Chunk], np.ndarray]]) -> None:
        """Replace each paper's chunks; the paper record (with its hash) is written last, so an
        interrupted write is redone by the next ingest."""
        if not batch:
            return
        self.remove([paper.arxiv_id for paper, _, _ in batch], drop_records=False)
        ids, docs, metas, vectors, rows = [], [], [], [], []
        for paper, chunks, chunk_vectors in batch:
            meta = _metadata(paper)
            for chunk, vector in zip(chunks, chunk_vectors):
                ids.append(chunk.id)
                docs.append(chunk.text)
                metas.append({**meta, "chunk": chunk.index})
                vectors.append(vector)
                rows.append(
                    LexicalRow(
                        chunk.id,
                        paper.arxiv_id,
                        meta["date"],
                        paper.votes,
                        chunk.text,
                        bullet_span(paper, chunk.text),
                    )
                )
        self.chunks.add(ids=ids, documents=docs, metadatas=metas, embeddings=np.asarray(vectors))
        self.lexical.upsert(rows)
        paper_vectors = [_mean_direction(v) for _, _, v in batch]
        self.papers.upsert(
            ids=[p.arxiv_id for p, _, _ in batch],
            documents=[json.dumps(p.to_json(), ensure_ascii=False) for p, _, _ in batch],
            metadatas=[{**_metadata(p), "hash": p.content_hash()} for p, _, _ in batch],
            embeddings=np.asarray(paper_vectors),
        )
        self._catalog = None

    def remove(self, arxiv_ids: Sequence[str], drop_records: bool = True) -> None:
        for start in range(0, len(arxiv_ids), 500):
            part = list(arxiv_ids[start : start + 500])
            self.chunks.delete(where={"arxiv_id": {"$in": part}})
            if drop_records:
                self.papers.delete(ids=part)
        self.lexical.delete_papers(arxiv_ids)
        self._catalog = None

    def heal_lexical(self) -> int:
        """Refill an empty lexical table from the passages Chroma holds (a server-mode store
        whose local data dir is new, or a lost file): no text is embedded again."""
        if self.lexical.count() or not self.chunks.count():
            return 0
        rows = []
        for offset in range(0, self.chunks.count(), _PAGE):
            page = self.chunks.get(include=["documents", "metadatas"], limit=_PAGE, offset=offset)
            for cid, doc, meta in zip(page["ids"], page["documents"], page["metadatas"]):
                paper = self.catalog.get(meta["arxiv_id"])
                span = bullet_span(paper, doc) if paper else (0, -1)
                rows.append(
                    LexicalRow(cid, meta["arxiv_id"], meta["date"], meta.get("votes"), doc, span)
                )
        self.lexical.upsert(rows)
        return len(rows)

    # -- generations (blue/green) ------------------------------------------------------------
    def next_generation(self) -> Index:
        """An empty generation beside this one; it answers nothing until `activate()`."""
        existing = [
            int(n.removeprefix(f"{self.base}-g").split("-")[0])
            for n in collection_names(self.client)
            if n.startswith(f"{self.base}-g")
        ]
        new = max([self.generation, *existing]) + 1
        return Index(self.settings, self.embedder, self.base.split("-", 2)[2], new, self.client)

    def activate(self) -> None:
        """Make this generation the active one, then drop generations older than the previous
        one (the previous stays, so a query already running against it can finish)."""
        previous = _pointer(self.client).get(self.base, 1)
        _set_pointer(self.client, self.base, self.generation)
        for name in collection_names(self.client):
            if name.startswith(f"{self.base}-g"):
                gen = int(name.removeprefix(f"{self.base}-g").split("-")[0])
                if gen < min(previous, self.generation):
                    self.client.delete_collection(name)
                    for old in (self.settings.data_dir / "lexical").glob(f"{self.base}-g{gen}.*"):
                        old.unlink()

    # -- reading ---------------------------------------------------------------------------
    @property
    def catalog(self) -> dict[str, Paper]:
        with self._lock:
            if self._catalog is None:
                catalog: dict[str, Paper] = {}
                for offset in range(0, self.papers.count(), _PAGE):
                    page = self.papers.get(include=["documents"], limit=_PAGE, offset=offset)
                    for doc in page["documents"]:
                        paper = Paper.from_json(json.loads(doc))
                        catalog[paper.arxiv_id] = paper
                self._catalog = catalog
            return self._catalog

    def get(self, arxiv_id: str) -> Paper | None:
        return self.catalog.get(arxiv_id.strip())

    def dates(self) -> list[str]:
        return sorted({p.date for p in self.catalog.values()})

    def latest_date(self) -> str | None:
        dates = self.dates()
        return dates[-1] if dates else None

    def digest_date_for(self, day: str) -> str | None:
        """`day` when it has a digest, else the nearest earlier digest date (None if none)."""
        earlier = [d for d in self.dates() if d <= day]
        return earlier[-1] if earlier else None

    def papers_on(self, day: str) -> list[Paper]:
        return sorted((p for p in self.catalog.values() if p.date == day), key=_vote_key)

    def top_between(self, since: str, until: str, n: int) -> list[Paper]:
        inside = [p for p in self.catalog.values() if since <= p.date <= until]
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


def _metadata(paper: Paper) -> dict:
    meta = {"arxiv_id": paper.arxiv_id, "title": paper.title, "date": paper.date_int}
    if paper.votes is not None:
        meta["votes"] = paper.votes
    return meta


def bullet_span(paper: Paper, passage: str) -> tuple[int, int]:
    """Which of the paper's bullets a passage (title line + bullets) holds: (first, last), or
    (0, -1) for none. A bullet longer than a passage is split; each piece maps to it."""
    body = passage.partition("\n")[2]
    inside = [
        i
        for i, bullet in enumerate(paper.summary)
        if body and (" ".join(bullet.split())[:50] in body or body[:50] in " ".join(bullet.split()))
    ]
    return (inside[0], inside[-1]) if inside else (0, -1)


def _mean_direction(vectors: np.ndarray) -> np.ndarray:
    mean = np.asarray(vectors, dtype=np.float32).mean(axis=0)
    return mean / max(float(np.linalg.norm(mean)), 1e-12)
