"""Korean-aware BM25 over the indexed passages, persisted in SQLite beside Chroma.

Tokens (store/search/tokens.py): Hangul character bigrams and lowercased Latin/digit words. Each
passage's `한국어(English)` glosses are kept beside its tokens and mined into the term lexicon
(store/search/lexicon.py) whenever the matrix is built. The matrix is rebuilt in memory from the
stored token strings (milliseconds for the whole archive), so incremental ingest only writes
rows. A `meta` table records which generation (its uid) and which write version of the shared
store the rows reflect (store/index/sync.py keeps a host's table in step by it).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import sparse

from store.search.lexicon import Lexicon, extract_pairs
from store.search.tokens import tokenize


@dataclass(frozen=True)
class LexicalRow:
    id: str
    arxiv_id: str
    date: int
    votes: int | None
    text: str
    bullets: tuple[int, int] = (0, -1)  # the paper's summary bullets this passage holds


class LexicalIndex:
    """Rows (one per chunk) in SQLite; a BM25 matrix built lazily over them."""

    def __init__(self, path: Path, k1: float = 1.2, b: float = 0.75) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.k1, self.b = k1, b
        self._db = sqlite3.connect(path, check_same_thread=False)
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS chunks (id TEXT PRIMARY KEY, arxiv_id TEXT NOT NULL,"
            " date INTEGER NOT NULL, votes INTEGER, tokens TEXT NOT NULL,"
            " first_bullet INTEGER NOT NULL, last_bullet INTEGER NOT NULL)"
        )
        self._db.execute("CREATE INDEX IF NOT EXISTS chunks_paper ON chunks(arxiv_id)")
        # the summaries' `한국어(English)` glosses, mined into the term lexicon (store/search/lexicon.py)
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS glosses (chunk_id TEXT NOT NULL, arxiv_id TEXT NOT NULL,"
            " korean TEXT NOT NULL, english TEXT NOT NULL)"
        )
        self._db.execute("CREATE INDEX IF NOT EXISTS glosses_chunk ON glosses(chunk_id)")
        self._db.execute("CREATE INDEX IF NOT EXISTS glosses_paper ON glosses(arxiv_id)")
        self._db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
        self._db.commit()
        # One lock for the connection and the build; readers take an immutable snapshot, so an
        # ingest thread writing rows never changes the matrix a running query holds.
        self._lock = threading.Lock()
        self._snapshot: Snapshot | None = None

    def upsert(self, rows: Iterable[LexicalRow]) -> None:
        prepared = _prepared(list(rows))  # tokenized outside the lock: readers go on meanwhile
        with self._lock, self._db:
            self._insert(prepared)
            self._snapshot = None

    def delete_papers(self, arxiv_ids: Sequence[str]) -> None:
        with self._lock, self._db:
            self._delete(arxiv_ids)
            self._snapshot = None

    def replace(
        self, arxiv_ids: Iterable[str] | None, rows: Iterable[LexicalRow], synced: tuple[str, int]
    ) -> None:
        """In one transaction: drop these papers' rows (every row for None), add `rows`, and
        record that the table now reflects write version `synced[1]` of generation uid
        `synced[0]`. A reader never sees half of it; a process killed inside keeps the old."""
        from store.index.faults import crash_point  # here: store.index imports this module

        prepared = _prepared(list(rows))
        with self._lock, self._db:
            if arxiv_ids is None:
                self._db.execute("DELETE FROM chunks")
                self._db.execute("DELETE FROM glosses")
            else:
                self._delete(list(arxiv_ids))
            self._insert(prepared)
            crash_point("lexical-replaced")
            self._set_synced(*synced)
            self._snapshot = None

    def synced(self, uid: str) -> int | None:
        """The write version of generation `uid` these rows reflect; None when they were never
        caught up with it (a new table, one from before versions, or another store's)."""
        with self._lock:
            meta = dict(self._db.execute("SELECT key, value FROM meta"))
        if meta.get("uid") != uid or "synced" not in meta:
            return None
        return int(meta["synced"])

    def advance(self, uid: str, done: int) -> None:
        """Record write version `done` when the rows reflect the one before it (a writer's own
        write, applied here as it went to the store)."""
        with self._lock, self._db:
            meta = dict(self._db.execute("SELECT key, value FROM meta"))
            if meta.get("uid") == uid and meta.get("synced") == str(done - 1):
                self._set_synced(uid, done)

    def paper_ids(self) -> set[str]:
        with self._lock:
            return {row[0] for row in self._db.execute("SELECT DISTINCT arxiv_id FROM chunks")}

    def _insert(self, prepared: tuple[list[tuple], list[tuple]]) -> None:
        data, glosses = prepared
        self._db.executemany("INSERT OR REPLACE INTO chunks VALUES (?, ?, ?, ?, ?, ?, ?)", data)
        self._db.executemany("DELETE FROM glosses WHERE chunk_id = ?", [(d[0],) for d in data])
        self._db.executemany("INSERT INTO glosses VALUES (?, ?, ?, ?)", glosses)

    def _delete(self, arxiv_ids: Sequence[str]) -> None:
        self._db.executemany("DELETE FROM chunks WHERE arxiv_id = ?", [(a,) for a in arxiv_ids])
        self._db.executemany("DELETE FROM glosses WHERE arxiv_id = ?", [(a,) for a in arxiv_ids])

    def _set_synced(self, uid: str, version: int) -> None:
        self._db.executemany(
            "INSERT OR REPLACE INTO meta VALUES (?, ?)", [("uid", uid), ("synced", str(version))]
        )

    def count(self) -> int:
        with self._lock:
            return self._db.execute("SELECT COUNT(*) FROM chunks").fetchone()[0]

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def snapshot(self) -> Snapshot:
        """The current BM25 matrix, immutable: a write builds a new one the next time it is asked
        for, so a reader holding this one is never changed under it."""
        with self._lock:
            if self._snapshot is None:
                self._snapshot = self._build()
            return self._snapshot

    def _build(self) -> Snapshot:
        rows = self._db.execute(
            "SELECT id, arxiv_id, date, votes, tokens, first_bullet, last_bullet FROM chunks"
            " ORDER BY id"
        )
        ids, dates, votes, documents = [], [], [], []
        spans: dict[str, tuple[int, int]] = {}
        for chunk_id, _, date, vote, tokens, first, last in rows:
            spans[chunk_id] = (first, last)
            ids.append(chunk_id)
            dates.append(date)
            votes.append(-1 if vote is None else vote)
            documents.append(tokens)
        matrix, vocab, idf, max_idf = bm25_matrix(documents, self.k1, self.b)
        glosses = self._db.execute("SELECT korean, english FROM glosses")
        return Snapshot(
            lexicon=Lexicon.mine((tuple(k.split()), tuple(e.split())) for k, e in glosses),
            matrix=matrix,
            vocab=vocab,
            idf=idf,
            max_idf=max_idf,
            ids=ids,
            dates=np.asarray(dates, dtype=np.int64),
            votes=np.asarray(votes, dtype=np.int64),
            spans=spans,
        )

    def bullets(self, chunk_id: str) -> tuple[int, int]:
        """(first, last) summary bullet indices a passage holds; evidence needs no Chroma call."""
        return self.snapshot().spans.get(chunk_id, (0, -1))

    def coverage(self, weights: dict[str, float], score: float) -> float:
        """`score` as a share of the question's ideal score (`Snapshot.ideal`)."""
        ideal = self.snapshot().ideal(weights)
        return score / ideal if ideal else 0.0

    @property
    def lexicon(self) -> Lexicon:
        """The term lexicon mined from the indexed passages' glosses."""
        return self.snapshot().lexicon

    def search_weighted(
        self,
        weights: dict[str, float],
        k: int,
        since: int | None = None,
        until: int | None = None,
        min_votes: int | None = None,
    ) -> list[tuple[str, float]]:
        """Best `k` chunk ids with BM25 scores for these token weights (a lexicon gloss counts
        less than a word of the question); the window is applied before ranking."""
        snap = self.snapshot()
        scores = snap.scores(weights)
        if scores is None:
            return []
        mask = scores > 0
        if since is not None:
            mask &= snap.dates >= since
        if until is not None:
            mask &= snap.dates <= until
        if min_votes is not None:
            mask &= snap.votes >= min_votes
        candidates = np.flatnonzero(mask)
        if len(candidates) > k:
            top = np.argpartition(-scores[candidates], k)[:k]
            candidates = candidates[top]
        order = candidates[np.argsort(-scores[candidates], kind="stable")]
        return [(snap.ids[i], float(scores[i])) for i in order]


def bm25_matrix(
    documents: Sequence[str], k1: float = 1.2, b: float = 0.75
) -> tuple[sparse.csc_matrix, dict[str, int], np.ndarray, float]:
    """BM25 term weights of `documents` (each a space-separated token string): the matrix
    (documents x tokens, CSC), the vocabulary, the idf per token, and the idf of a token no
    document holds. The passages' table and the English field (store/search/english.py) share it."""
    vocab: dict[str, int] = {}
    indptr, indices, counts = [0], [], []
    for tokens in documents:
        terms, tf = np.unique(tokens.split(), return_counts=True)
        indices.extend(vocab.setdefault(t, len(vocab)) for t in terms)
        counts.extend(tf.tolist())
        indptr.append(len(indices))
    n = len(documents)
    tf = sparse.csr_matrix(
        (np.asarray(counts, dtype=np.float32), indices, indptr), shape=(n, len(vocab))
    )
    length = np.asarray(tf.sum(axis=1)).ravel()
    avg = float(length.mean()) if n else 1.0
    df = np.bincount(tf.indices, minlength=len(vocab))
    idf = np.log(1 + (n - df + 0.5) / (df + 0.5)).astype(np.float32)
    norm = k1 * (1 - b + b * length / max(avg, 1e-9))
    tf.data = tf.data * (k1 + 1) / (tf.data + np.repeat(norm, np.diff(tf.indptr)))
    return tf.multiply(idf[None, :]).tocsc(), vocab, idf, float(np.log(1 + (n + 0.5) / 0.5))


def _prepared(rows: list[LexicalRow]) -> tuple[list[tuple], list[tuple]]:
    """The rows of the chunks and glosses tables for these passages."""
    data = [
        (r.id, r.arxiv_id, r.date, r.votes, " ".join(tokenize(r.text)), *r.bullets) for r in rows
    ]
    glosses = [
        (r.id, r.arxiv_id, " ".join(ko), " ".join(en))
        for r in rows
        for ko, en in extract_pairs(r.text)
    ]
    return data, glosses


@dataclass(frozen=True)
class Snapshot:
    """The BM25 matrix (passages x tokens, CSC for column slices) and what goes with it."""

    lexicon: Lexicon
    matrix: sparse.csc_matrix
    vocab: dict[str, int]
    idf: np.ndarray
    max_idf: float
    ids: list[str]
    dates: np.ndarray
    votes: np.ndarray
    spans: dict[str, tuple[int, int]]

    def known(self, weights: dict[str, float]) -> dict[int, float]:
        """Column -> weight of the query tokens this table has."""
        return {self.vocab[t]: w for t, w in weights.items() if t in self.vocab and w > 0}

    def scores(self, weights: dict[str, float]) -> np.ndarray | None:
        """Every passage's BM25 score for these token weights; None when no token is known."""
        known = self.known(weights)
        if not known or not self.ids:
            return None
        cols = sorted(known)
        column_weights = np.asarray([known[c] for c in cols], dtype=np.float32)
        return np.asarray(self.matrix[:, cols] @ column_weights).ravel()

    def ideal(self, weights: dict[str, float]) -> float:
        """What a passage of average length holding every query token once would score (~1.0
        coverage); unknown tokens count with the highest idf, since a word the archive never
        uses is a sign the question is not about it. The one definition of "ideal" that /ask's
        abstention, subscription matching and /trend share."""
        return sum(
            w * (float(self.idf[self.vocab[t]]) if t in self.vocab else self.max_idf)
            for t, w in weights.items()
        )
