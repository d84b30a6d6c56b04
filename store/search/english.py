"""The English field: what the papers' own sources say in English (the one-line summary, the
abstract, the keywords; store/enrich/), searchable beside the Korean summaries.

Two extra ranked lists for a question without Hangul (store/search/retrieval.py fuses them at
`RetrievalConfig.english` each, scaled down linearly with the question's Hangul share, so an
all-Hangul question never sees them):
- BM25 over one document per paper (`bm25_matrix`, the passages' own weighting), scored as a
  share of the question's ideal score (`Snapshot.ideal`, capped at 1) rather than of the best
  paper's: a small field (a few enriched papers) must not hand its best match a full score for
  one shared common word;
- cosines of the question to the papers' English passages (vectors computed once by
  store/enrich/english.py, never on the query path), placed on the dense side's own scale (the
  pool's weakest paper 0, its best 1, capped) for the same reason.
Each list holds at most POOL papers (the best inside the question's window), as the dense side
ranks a pool of passages, not the archive: a question costs the same whatever share of the
archive is enriched, beyond one matrix product.
A field with no papers adds nothing: retrieval is then what it was without it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from store.search.fusion import hangul_share
from store.search.lexical import Snapshot, bm25_matrix
from store.search.lexicon import Lexicon
from store.search.tokens import query_tokens, tokenize

if TYPE_CHECKING:  # store.index imports this module
    from store.index import Index

Inside = Callable[[str], bool]  # is this paper inside the question's window
POOL = 100  # papers per English list at most


def _best_inside(ids: Sequence[str], scores: np.ndarray, inside: Inside) -> dict[str, float]:
    """The POOL best-scoring papers inside the window, best first."""
    found: dict[str, float] = {}
    for i in np.argsort(-scores, kind="stable"):
        if len(found) == POOL:
            break
        if inside(ids[i]):
            found[ids[i]] = float(scores[i])
    return found


@dataclass(frozen=True)
class EnglishField:
    snapshot: Snapshot  # one row per paper (its id in `ids`)
    passages: tuple[str, ...]  # the arXiv id of each row of `matrix` (a paper's rows together)
    matrix: np.ndarray  # unit vectors of the English passages, float32
    starts: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    # the row where each paper's passages start (`build`), and those papers

    @cached_property
    def papers(self) -> list[str]:
        return [self.passages[i] for i in self.starts]

    @classmethod
    def build(
        cls,
        tokens: Mapping[str, str],
        vectors: Mapping[str, Sequence[np.ndarray]],
        dim: int,
    ) -> EnglishField:
        """From each paper's token string (`english_tokens`) and its English passages' vectors."""
        ids = sorted(tokens)
        matrix, vocab, idf, max_idf = bm25_matrix([tokens[i] for i in ids])
        snapshot = Snapshot(
            lexicon=Lexicon({}, {}),
            matrix=matrix,
            vocab=vocab,
            idf=idf,
            max_idf=max_idf,
            ids=ids,
            dates=np.zeros(len(ids), dtype=np.int64),
            votes=np.zeros(len(ids), dtype=np.int64),
            spans={},
        )
        owners = [aid for aid in sorted(vectors) for _ in vectors[aid]]
        rows = [v for aid in sorted(vectors) for v in vectors[aid]]
        stacked = np.asarray(rows, dtype=np.float32).reshape(len(rows), dim)
        starts = np.flatnonzero([i == 0 or owners[i] != owners[i - 1] for i in range(len(owners))])
        return cls(snapshot, tuple(owners), stacked, starts)

    def __len__(self) -> int:
        return len(self.snapshot.ids)

    def lexical(self, weights: dict[str, float], inside: Inside) -> tuple[dict[str, float], float]:
        """Paper -> BM25 score as a share of the question's ideal (capped at 1), for the papers
        inside the window; and the best such share (the field's coverage of the question)."""
        scores = self.snapshot.scores(weights)
        ideal = self.snapshot.ideal(weights)
        if scores is None or ideal <= 0:
            return {}, 0.0
        shared = np.flatnonzero(scores > 0)
        best = _best_inside([self.snapshot.ids[i] for i in shared], scores[shared], inside)
        found = {aid: min(score / ideal, 1.0) for aid, score in best.items()}
        return found, max(found.values(), default=0.0)

    def dense(self, vector: np.ndarray, inside: Inside) -> dict[str, float]:
        """Paper -> its best English passage's cosine to the question, inside the window."""
        if not len(self.passages):
            return {}
        cosines = self.matrix @ np.asarray(vector, dtype=np.float32)
        best = np.maximum.reduceat(cosines, self.starts)  # per paper
        return _best_inside(self.papers, best, inside)


def english_tokens(text: str) -> str:
    """A paper's English text as the BM25 field stores it."""
    return " ".join(tokenize(text))


def on_dense_scale(cosines: Mapping[str, float], dense: Sequence[float]) -> dict[str, float]:
    """English cosines in the units of the dense side's normalised scores: `dense` (its pool's
    best cosine per paper) sets 0 at its weakest and 1 at its best; capped to [0, 1]."""
    if not dense or not cosines:
        return {}
    low = min(dense)
    span = max(max(dense) - low, 1e-9)
    return {aid: min(max((c - low) / span, 0.0), 1.0) for aid, c in cosines.items()}


def english_lists(
    index: Index,
    question: str,
    vector: np.ndarray | None,
    dense: dict[str, tuple[str, float]],
    window: tuple[int | None, int | None, int | None],
    weight: float,
    lexical: bool = True,
) -> tuple[list[tuple[float, dict[str, float]]], float]:
    """The English field's ranked lists for this question, each with its weight (`weight` x
    the question's non-Hangul share; RetrievalConfig.english), and the field's coverage of the
    question; nothing for an all-Hangul question or while no paper is enriched. `vector` is
    the question's (the dense side's): the papers' vectors come from the enrichment cache,
    nothing is embedded here. `window`: (since, until, min_votes)."""
    weight *= 1 - hangul_share(question)
    if weight <= 0:
        return [], 0.0
    field = index.english_field()
    if field is None or not len(field):
        return [], 0.0

    lo, hi, min_votes = window

    def inside(arxiv_id: str) -> bool:
        paper = index.get(arxiv_id)
        if paper is None:
            return False
        date = paper.date_int
        return (
            (lo is None or date >= lo)
            and (hi is None or date <= hi)
            and (min_votes is None or (paper.votes is not None and paper.votes >= min_votes))
        )

    lists: list[tuple[float, dict[str, float]]] = []
    coverage = 0.0
    if lexical:
        found, coverage = field.lexical(dict.fromkeys(query_tokens(question), 1.0), inside)
        lists.append((weight, found))
    if vector is not None and dense:
        cosines = field.dense(vector, inside)
        lists.append((weight, on_dense_scale(cosines, [s for _, s in dense.values()])))
    return lists, coverage
