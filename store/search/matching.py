"""Matching new papers against many subscriptions at once (no Discord here).

A topic subscription is a question kept with its query vector (embedded once, when the member
subscribes). A day's new papers match it by the rule `/ask` uses to decide "nothing relevant"
(store/search/retrieval.py), applied to each new paper: its best passage either holds the question's
whole BM25 weight (coverage >= MIN_COVERAGE, with the full index's idf) or has a cosine at or
above the embedder's calibrated cut (an uncalibrated embedder matches on the lexical signal
only). Every subscription is scored against every new passage with two matrix products (dense:
topics x passages; BM25: a sparse topics x tokens matrix times the passages' BM25 rows), so
10,000 subscriptions against a 68-paper day cost well under a second (`paperbot bench`,
`subscriptions_10k_match_s`).

An author subscription is a normalised name; a paper matches when one of its authors has it.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from store.index import Index
from store.models import Paper
from store.progress import Tick
from store.search.retrieval import MIN_COVERAGE, cosine_cut, query_weights

PER_TOPIC = 5  # papers listed per subscription and day at most (as many as /ask shows)


@dataclass(frozen=True)
class Topic:
    key: int  # the subscription's id
    text: str
    vector: np.ndarray  # unit query vector from the index's embedder


def normalise_name(name: str) -> str:
    """An author name compared loosely: accents dropped, case folded, punctuation and quotes
    (the archive has `['A', 'B']` lists and `+`) turned into spaces, spaces collapsed. Hangul
    syllables are kept whole."""
    decomposed = unicodedata.normalize("NFKD", name)
    plain = unicodedata.normalize(
        "NFC", "".join(c for c in decomposed if not unicodedata.combining(c))
    )
    return " ".join(re.sub(r"[\W_]+", " ", plain.casefold()).split())


def author_names(papers: Iterable[Paper]) -> dict[str, tuple[str, int]]:
    """normalised name -> (the spelling seen most often, number of papers)."""
    spellings: dict[str, Counter[str]] = {}
    for paper in papers:
        for author in dict.fromkeys(a.strip() for a in paper.authors):
            norm = normalise_name(author)
            if norm:
                spellings.setdefault(norm, Counter())[author] += 1
    return {
        norm: (seen.most_common(1)[0][0], sum(seen.values())) for norm, seen in spellings.items()
    }


def match_authors(
    papers: Sequence[Paper], subscribed: Mapping[str, Sequence[int]]
) -> dict[int, list[str]]:
    """subscription id -> arXiv ids of the papers with that author, for `subscribed`:
    normalised name -> the ids of the subscriptions to it."""
    found: dict[int, list[str]] = {}
    for paper in papers:
        names = {normalise_name(a) for a in paper.authors}
        for name in names & subscribed.keys():
            for key in subscribed[name]:
                found.setdefault(key, []).append(paper.arxiv_id)
    return found


def embed_topics(
    index: Index, texts: Sequence[str], progress: Callable[[Tick], None] | None = None
) -> np.ndarray:
    """Query vectors for topic texts (what /subscribe stores). `progress` hears how many are
    done after each one (10,000 topics take minutes after a change of embedder)."""
    if not texts:
        return np.zeros((0, index.embedder.dim), dtype=np.float32)
    vectors = []
    for text in texts:
        vectors.append(index.embedder.embed_query(text))
        if progress:
            progress(Tick(len(vectors), len(texts)))
    return np.stack(vectors).astype(np.float32)


def match_topics(
    index: Index, arxiv_ids: Sequence[str], topics: Sequence[Topic], limit: int = PER_TOPIC
) -> dict[int, list[str]]:
    """subscription id -> the new papers (best first, at most `limit`) that the "nothing
    relevant" rule of /ask lets through for that topic."""
    if not topics or not arxiv_ids:
        return {}
    chunk_ids, vectors = _passages(index, arxiv_ids)
    if not chunk_ids:
        return {}
    papers = [cid.split("#")[0] for cid in chunk_ids]
    starts = np.flatnonzero([i == 0 or papers[i] != papers[i - 1] for i in range(len(papers))])
    paper_ids = [papers[i] for i in starts]

    coverage = _coverage(index, chunk_ids, [t.text for t in topics])  # topics x passages
    best_coverage = np.maximum.reduceat(coverage, starts, axis=1)
    score = best_coverage
    relevant = best_coverage >= MIN_COVERAGE
    cut_of = {text: cosine_cut(index, text) for text in {t.text for t in topics}}
    cuts = [cut_of[t.text] for t in topics]
    if any(cut is not None for cut in cuts):
        cut = np.asarray([np.inf if c is None else c for c in cuts], dtype=np.float32)[:, None]
        query = np.stack([t.vector for t in topics]).astype(np.float32)
        best_cosine = np.maximum.reduceat(query @ vectors.T, starts, axis=1)
        relevant |= best_cosine >= cut
        score = np.maximum(score, best_cosine / cut)
    found: dict[int, list[str]] = {}
    rows, cols = np.nonzero(relevant)
    for row in np.unique(rows):
        mine = cols[rows == row]
        ranked = mine[np.argsort(-score[row, mine], kind="stable")][:limit]
        found[topics[row].key] = [paper_ids[c] for c in ranked]
    return found


def _passages(index: Index, arxiv_ids: Sequence[str]) -> tuple[list[str], np.ndarray]:
    """The passages of these papers (chunk ids sorted, so a paper's passages are together)
    and their stored unit vectors."""
    ids: list[str] = []
    vectors: list[np.ndarray] = []
    wanted = list(dict.fromkeys(arxiv_ids))
    for start in range(0, len(wanted), 500):
        got = index.chunks.get(
            where={"arxiv_id": {"$in": wanted[start : start + 500]}}, include=["embeddings"]
        )
        ids.extend(got["ids"])
        vectors.extend(np.asarray(got["embeddings"], dtype=np.float32))
    order = sorted(range(len(ids)), key=lambda i: _chunk_key(ids[i]))
    matrix = np.asarray([vectors[i] for i in order], dtype=np.float32)
    return [ids[i] for i in order], matrix.reshape(len(order), -1)


def _chunk_key(chunk_id: str) -> tuple[str, int]:
    paper, _, number = chunk_id.partition("#")
    return paper, int(number or 0)


def _coverage(index: Index, chunk_ids: Sequence[str], texts: Sequence[str]) -> np.ndarray:
    """topics x passages: each passage's BM25 score for each topic over the topic's ideal
    score (`Snapshot.ideal`, as /ask's coverage), with the whole index's statistics."""
    snap = index.lexical.snapshot()  # the BM25 matrix /ask ranks with
    row_of = {cid: i for i, cid in enumerate(snap.ids)}
    rows = [row_of.get(cid, -1) for cid in chunk_ids]
    present = [i for i, r in enumerate(rows) if r >= 0]
    passages = sparse.csr_matrix((len(chunk_ids), len(snap.vocab)), dtype=np.float32)
    if present:
        picked = snap.matrix.tocsr()[[rows[i] for i in present]]
        placed = sparse.csr_matrix(
            (np.ones(len(present), dtype=np.float32), (present, range(len(present)))),
            shape=(len(chunk_ids), len(present)),
        )
        passages = (placed @ picked).tocsr()
    cols: list[int] = []
    data: list[float] = []
    indptr = [0]
    ideal = np.zeros(len(texts), dtype=np.float32)
    weights_of = {text: query_weights(index, text) for text in set(texts)}  # phrased alike
    for row, text in enumerate(texts):
        weights = weights_of[text]
        known = snap.known(weights)
        cols.extend(sorted(known))
        data.extend(known[c] for c in sorted(known))
        indptr.append(len(cols))
        ideal[row] = snap.ideal(weights)
    query = sparse.csr_matrix(
        (np.asarray(data, dtype=np.float32), cols, indptr), shape=(len(texts), len(snap.vocab))
    )
    scores = (query @ passages.T).toarray()
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(ideal[:, None] > 0, scores / ideal[:, None], 0.0)
