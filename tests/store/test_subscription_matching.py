"""Matching many subscriptions at once gives what /ask's relevance rule gives one at a time."""

from __future__ import annotations

import pytest

from store.search.matching import (
    Topic,
    author_names,
    embed_topics,
    match_authors,
    match_topics,
    normalise_name,
)
from store.search.retrieval import query_weights

TOPICS = [
    "언어 모델",
    "video generation",
    "오디오 음악 생성",
    "강화학습",
    "LA 갈비 양념 비율",
    "3D",
]


@pytest.fixture
def index(settings):
    from ingest.pipeline import ingest, open_index

    index = open_index(settings)
    ingest(settings, index=index)
    yield index
    index.close()


def one_at_a_time(index, question: str, arxiv_ids: list[str]) -> set[str]:
    """/ask's lexical rule per paper: its best passage holds the question's whole BM25 weight
    (the hash embedder has no calibrated cosine cut, so that is the whole rule)."""
    found = set()
    weights = query_weights(index, question)  # /ask weighs the lexicon's glosses
    ranked = index.lexical.search_weighted(weights, 10_000)
    for arxiv_id in arxiv_ids:
        best = max((s for cid, s in ranked if cid.split("#")[0] == arxiv_id), default=0.0)
        if index.lexical.coverage(weights, best) >= 1.0:
            found.add(arxiv_id)
    return found


def test_matrix_matching_agrees_with_the_rule_one_question_at_a_time(index) -> None:
    day = [p.arxiv_id for p in index.papers_on("2024-05-30")]
    vectors = embed_topics(index, TOPICS)
    topics = [Topic(i, text, vectors[i]) for i, text in enumerate(TOPICS)]
    found = match_topics(index, day, topics, limit=100)
    for i, text in enumerate(TOPICS):
        assert set(found.get(i, [])) == one_at_a_time(index, text, day), text
    assert found.get(0) and 4 not in found  # some match, the off-topic one never


def test_author_names_are_normalised() -> None:
    assert (
        normalise_name("  Élodie   MARTIN ") == normalise_name("elodie martin") == "elodie martin"
    )
    assert normalise_name("['Kim Minsu'") == "kim minsu"
    assert normalise_name("김민수") == "김민수"


def test_authors_match_by_normalised_name(index) -> None:
    papers = list(index.by_id.values())
    names = author_names(papers)
    spelling, count = names["bill lin"]
    assert spelling == "Bill Lin" and count >= 1
    found = match_authors(papers, {"bill lin": [7]})
    assert found[7] and all("Bill Lin" in index.get(a).authors for a in found[7])
