"""A question asked about one paper (its discussion thread): the paper's bullets that answer
it, chosen as /ask chooses evidence, but among that paper's passages only."""

from __future__ import annotations

from store.index import Index
from store.models import Hit
from store.search.retrieval import evidence

PASSAGES = 2  # the paper's best passages by the question's vector


def within_paper(index: Index, arxiv_id: str, question: str) -> Hit | None:
    """The paper with the bullets of its passages nearest the question (those sharing most of
    the question's words first; the best-sharing bullets when none is near); None when the
    paper is not in the index."""
    paper = index.get(arxiv_id)
    if paper is None:
        return None
    vector = index.embedder.embed_query(question)
    found = index.chunks.query(
        query_embeddings=[vector],
        n_results=PASSAGES,
        where={"arxiv_id": arxiv_id},
        include=["distances"],
    )
    ids, distances = found["ids"][0], found["distances"][0]
    spans = [index.lexical.bullets(cid) for cid in ids]
    best = 1.0 - distances[0] if distances else 0.0
    return Hit(paper, best, tuple(evidence(paper, question, spans)))
