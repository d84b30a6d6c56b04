"""An English -> Korean word bridge built from the embedder we ship.

The summaries are Korean; a vague English question ("a model that writes songs") shares few
BM25 tokens with them, and the gloss lexicon (store/search/lexicon.py) knows only the words the
summaries gloss. The bridge holds every Korean word of the summaries (particles stripped, two
syllables or more, in two papers or more), each embedded once by the index's embedder (through
the vector cache at ingest, so a rebuild embeds only new words). An English question whose
BM25 coverage is weak looks up each content word's nearest Korean words above a cosine cut
(song -> 노래, brain -> 뇌) and searches BM25 for them too, weighted by similarity; the dense
side and the abstention call still read the question alone.
"""

from __future__ import annotations

import re
import threading
from collections import Counter, OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from store.embedders import Embedder
from store.models import Paper
from store.search.tokens import query_tokens, strip_particle, tokenize

# Cosine between an English word and a Korean word above which the Korean word joins the
# query, per embedder (a model's cosines are its own; an embedder without a cut has no
# bridge). USE: fitted on the dev v2 + v3 English paraphrase rows (50; v1 unmoved), with the
# bridge weight 0.7 (docs/EVALUATION.md, "Retrieval v3"). Good pairs score 0.65-0.9 (song -> 노래
# 0.90, negotiation -> 협상 0.78), noise 0.55-0.6.
BRIDGE_CUT = {"use": 0.6}  # 0.55-0.65 rank alike; 0.7 loses v2 rows, 0.75 most of the gain
MIN_PAPERS = 2
_HANGUL = re.compile(r"[\uac00-\ud7a3]+")
_ENGLISH = re.compile(r"[a-z]{3,}")


def korean_words(papers: Iterable[Paper]) -> list[str]:
    """The summaries' Korean words (particles stripped, >= 2 syllables) found in at least
    MIN_PAPERS papers, sorted."""
    counts: Counter[str] = Counter()
    for paper in papers:
        words = {strip_particle(w) for line in paper.summary for w in _HANGUL.findall(line)}
        counts.update(w for w in words if len(w) >= 2)
    return sorted(w for w, n in counts.items() if n >= MIN_PAPERS)


@dataclass(frozen=True)
class WordBridge:
    words: tuple[str, ...]
    matrix: np.ndarray  # len(words) x dim, unit rows, float32 (27 MB for the archive's 13k)

    def nearest(self, vectors: np.ndarray, cut: float, top: int) -> list[list[tuple[str, float]]]:
        """For each (unit) vector, up to `top` Korean words at cosine >= `cut`, best first."""
        if not len(self.words) or not len(vectors):
            return [[] for _ in range(len(vectors))]
        sims = np.asarray(vectors, dtype=np.float32) @ self.matrix.T
        out = []
        for row in sims:
            best = np.argpartition(-row, top)[:top] if len(row) > top else np.arange(len(row))
            best = best[np.argsort(-row[best])]
            out.append([(self.words[i], float(row[i])) for i in best if row[i] >= cut])
        return out


class WordVectors:
    """English word vectors for the bridge: embedded as queries (ahead of any bulk embedding
    an ingest is doing), kept in an LRU (a user repeats words)."""

    def __init__(self, size: int = 4096) -> None:
        self._cache: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def get(self, embedder: Embedder, words: list[str]) -> np.ndarray:
        with self._lock:
            missing = [w for w in words if (embedder.model, w) not in self._cache]
        # at a query's priority, one word a call: the bulk path waits behind an ingest's slices
        fresh = [embedder.embed_query(word) for word in missing]
        with self._lock:
            for word, vector in zip(missing, fresh):
                self._cache[(embedder.model, word)] = vector
            for word in words:
                self._cache.move_to_end((embedder.model, word))
            while len(self._cache) > self._size:
                self._cache.popitem(last=False)
            return np.asarray([self._cache[(embedder.model, w)] for w in words])


WORD_VECTORS = WordVectors()


def english_words(question: str) -> list[str]:
    """The question's English content words (>= 3 letters, no function words), in order; none
    for a question holding Hangul (a Korean question is left as it is)."""
    if _HANGUL.search(question):
        return []
    return list(dict.fromkeys(t for t in query_tokens(question) if _ENGLISH.fullmatch(t)))


def bridge_weights(
    bridge: WordBridge | None,
    embedder: Embedder,
    question: str,
    weight: float,
    cut: float,
    top: int = 3,
    taken: Iterable[str] = (),
    decay: float = 0.0,
) -> dict[str, float]:
    """BM25 token weights for the Korean words nearest the question's English words:
    `weight` x cosine for each of a word's bigrams (the best when several lead to one token);
    tokens in `taken` (the question's own and its glosses) are left as they are."""
    words = english_words(question)
    if bridge is None or not words or weight <= 0:
        return {}
    taken = set(taken)
    extra: dict[str, float] = {}
    for found in bridge.nearest(WORD_VECTORS.get(embedder, words), cut, top):
        for n, (korean, similarity) in enumerate(found):
            scale = decay**n if decay > 0 else 1.0
            for token in tokenize(korean):
                if token not in taken:
                    extra[token] = max(extra.get(token, 0.0), weight * similarity * scale)
    return extra
