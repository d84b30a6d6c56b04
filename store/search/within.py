"""A question asked about one paper (its discussion thread): the paper's bullets that answer
it, chosen as /ask chooses evidence (the bullets of the paper's best dense passage and of its
best BM25 passage, those sharing most question words first), among that paper's passages."""

from __future__ import annotations

import numpy as np

from store.index import Index
from store.models import Hit
from store.search.retrieval import evidence, query_weights


def _best_lexical(index: Index, arxiv_id: str, question: str) -> str | None:
    """The paper's passage with the best BM25 score for the question; None when no passage of
    it holds a word of the question."""
    snap = index.lexical.snapshot()
    scores = snap.scores(query_weights(index, question))
    if scores is None:
        return None
    prefix = f"{arxiv_id}#"
    mine = [(float(scores[i]), snap.ids[i]) for i in np.flatnonzero(scores > 0)]
    mine = [(score, cid) for score, cid in mine if cid.startswith(prefix)]
    return max(mine)[1] if mine else None


def within_paper(index: Index, arxiv_id: str, question: str) -> Hit | None:
    """The paper with the bullets that answer the question (at most three); its score is the
    best passage's cosine. None when the paper is not in the index."""
    paper = index.get(arxiv_id)
    if paper is None:
        return None
    vector = index.embedder.embed_query(question)
    found = index.chunks.query(
        query_embeddings=[vector], n_results=1, where={"arxiv_id": arxiv_id}, include=["distances"]
    )
    passages = list(found["ids"][0])
    lexical = _best_lexical(index, arxiv_id, question)
    if lexical is not None and lexical not in passages:
        passages.append(lexical)
    spans = [index.lexical.bullets(cid) for cid in passages]
    cosine = 1.0 - found["distances"][0][0] if found["distances"][0] else 0.0
    return Hit(paper, cosine, tuple(evidence(paper, question, spans)))
