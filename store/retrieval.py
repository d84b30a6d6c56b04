"""Hybrid retrieval: dense (Chroma) + BM25 (ours), fused per passage, aggregated per paper."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from store.index import Index
from store.lexical import tokenize
from store.models import Answer, Hit, Paper


@dataclass(frozen=True)
class RetrievalConfig:
    name: str = "hybrid"
    dense: bool = True
    lexical: bool = True
    pool: int = 100  # passages taken from each ranker before fusion
    rrf_k: int = 60
    dense_weight: float = 1.0
    lexical_weight: float = 1.0
    # "nothing relevant": abstain when neither ranker has real evidence (README, calibration)
    min_dense: float = 0.0
    min_coverage: float = 0.0


HYBRID = RetrievalConfig()
CONFIGS = {
    "hybrid": HYBRID,
    "dense": RetrievalConfig(name="dense", lexical=False),
    "bm25": RetrievalConfig(name="bm25", dense=False),
}


@dataclass
class _Passage:
    id: str
    arxiv_id: str
    text: str = ""
    dense: float = 0.0  # cosine similarity
    lexical: float = 0.0  # BM25
    fused: float = 0.0


def _date_int(day: str | None) -> int | None:
    return int(day.replace("-", "")) if day else None


def _where(since: int | None, until: int | None, min_votes: int | None) -> dict | None:
    clauses = []
    if since is not None:
        clauses.append({"date": {"$gte": since}})
    if until is not None:
        clauses.append({"date": {"$lte": until}})
    if min_votes is not None:
        clauses.append({"votes": {"$gte": min_votes}})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def dense_passages(
    index: Index, vector: np.ndarray, n: int, where: dict | None
) -> list[tuple[str, str, str, float]]:
    """(chunk id, arxiv id, text, cosine) best first; the filter is applied inside Chroma."""
    result = index.chunks.query(
        query_embeddings=[vector], n_results=n, where=where, include=["distances", "metadatas", "documents"]
    )
    return [
        (cid, meta["arxiv_id"], doc, 1.0 - dist)
        for cid, meta, doc, dist in zip(
            result["ids"][0], result["metadatas"][0], result["documents"][0], result["distances"][0]
        )
    ]


def search(
    index: Index,
    question: str,
    since: str | None = None,
    until: str | None = None,
    min_votes: int | None = None,
    k: int = 5,
    config: RetrievalConfig = HYBRID,
) -> Answer:
    """The best `k` papers for `question` inside the window, or none when nothing is relevant."""
    hits, abstained = rank(index, question, since, until, min_votes, k, config)
    return Answer(question, abstained, () if abstained else tuple(hits))


def rank(
    index: Index,
    question: str,
    since: str | None = None,
    until: str | None = None,
    min_votes: int | None = None,
    k: int = 5,
    config: RetrievalConfig = HYBRID,
) -> tuple[list[Hit], bool]:
    """The ranking and the abstention decision separately (evaluation reads both)."""
    lo, hi = _date_int(since), _date_int(until)
    passages: dict[str, _Passage] = {}
    if config.dense:
        vector = index.embedder.embed_query(question)
        ranked = dense_passages(index, vector, config.pool, _where(lo, hi, min_votes))
        for rank, (cid, arxiv_id, text, cosine) in enumerate(ranked):
            p = passages.setdefault(cid, _Passage(cid, arxiv_id, text))
            p.dense = cosine
            p.fused += config.dense_weight / (config.rrf_k + rank + 1)
    if config.lexical:
        for rank, (cid, score) in enumerate(index.lexical.search(question, config.pool, lo, hi, min_votes)):
            p = passages.setdefault(cid, _Passage(cid, cid.split("#")[0]))
            p.lexical = score
            p.fused += config.lexical_weight / (config.rrf_k + rank + 1)
    by_paper: dict[str, list[_Passage]] = defaultdict(list)
    for p in passages.values():
        by_paper[p.arxiv_id].append(p)
    scored = sorted(((_paper_score(ps), aid) for aid, ps in by_paper.items()), reverse=True)
    hits = []
    for score, arxiv_id in scored[:k]:
        paper = index.get(arxiv_id)
        if paper is not None:
            best = sorted(by_paper[arxiv_id], key=lambda p: -p.fused)
            hits.append(Hit(paper, score, tuple(evidence(paper, question, best))))
    return hits, not hits or _nothing_relevant(by_paper, question, config)


def _paper_score(passages: list[_Passage]) -> float:
    fused = sorted((p.fused for p in passages), reverse=True)
    return fused[0] + 0.3 * sum(fused[1:3])


def _nothing_relevant(by_paper: dict[str, list[_Passage]], question: str, config: RetrievalConfig) -> bool:
    best_dense = max((p.dense for ps in by_paper.values() for p in ps), default=0.0)
    return best_dense < config.min_dense and _coverage(by_paper, question) < config.min_coverage


def _coverage(by_paper: dict[str, list[_Passage]], question: str) -> float:
    return 0.0


def evidence(paper: Paper, question: str, passages: list[object], limit: int = 3) -> list[str]:
    """The paper's bullets inside its best-matching passages, best passage first."""
    query_tokens = set(tokenize(question))
    chosen: list[str] = []
    for passage in passages:
        text = getattr(passage, "text", "") or ""
        in_passage = [b for b in paper.summary if b[:60] in text or (text and text[-60:] in b)]
        in_passage.sort(key=lambda b: -len(query_tokens & set(tokenize(b))))
        chosen.extend(b for b in in_passage if b not in chosen)
        if len(chosen) >= limit:
            break
    if not chosen:
        ranked = sorted(paper.summary, key=lambda b: -len(query_tokens & set(tokenize(b))))
        chosen = ranked[:limit]
    return chosen[:limit]


def similar(index: Index, arxiv_id: str, k: int = 5) -> list[Hit]:
    """Nearest papers by their mean passage vector (stored in the papers collection)."""
    record = index.papers.get(ids=[arxiv_id], include=["embeddings"])
    if not record["ids"]:
        return []
    result = index.papers.query(
        query_embeddings=[record["embeddings"][0]], n_results=k + 1, include=["distances"]
    )
    hits = []
    for pid, dist in zip(result["ids"][0], result["distances"][0]):
        paper = index.get(pid)
        if pid != arxiv_id and paper is not None:
            hits.append(Hit(paper, 1.0 - dist, paper.summary[:1]))
    return hits[:k]


def config_from_spec(spec: str, default_embedder: str) -> tuple[str, RetrievalConfig]:
    """`hybrid`, `dense`, `bm25`, optionally with an embedder: `dense-minilm`, `hybrid-use`."""
    kind, _, embedder = spec.partition("-")
    if kind not in CONFIGS:
        raise ValueError(f"unknown retrieval configuration {spec!r}; known: {', '.join(CONFIGS)}")
    return embedder or default_embedder, CONFIGS[kind]
