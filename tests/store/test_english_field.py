"""The English field (store/search/english.py, store/enrich/english.py): enriched papers'
English text searchable for English questions, never for Korean ones, and retrieval unchanged
while nothing is enriched."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from ingest.pipeline import ingest, open_index
from store.enrich import EnrichCache, Enrichment
from store.enrich import english as english_module
from store.enrich.english import EnglishVectors, embed_pending
from store.search.retrieval import HYBRID, rank

OFF = replace(HYBRID, english=0.0)
STRICT = replace(HYBRID, abstain_below=0.99, abstain_below_en=0.99)  # dense says "nothing"
# words no sample summary holds: only the abstract below has them
QUESTION = "quokka marsupial photometry telescope"
KOREAN = "오디오 음악 음성 생성 툴킷"


class CountingEmbedder:
    """The index's hash embedder, counting what it embeds as passages."""

    def __init__(self, inner) -> None:
        self.inner, self.name, self.model, self.dim = inner, inner.name, inner.model, inner.dim
        self.passages: list[str] = []

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        self.passages.extend(texts)
        return self.inner.embed_passages(texts)

    def embed_query(self, text: str) -> np.ndarray:
        return self.inner.embed_query(text)


@pytest.fixture
def index(settings):
    index = open_index(settings)
    ingest(settings, index=index)
    yield index
    index.close()


def target(index) -> str:
    """A sample paper the question is not about (its summary shares none of its words)."""
    return sorted(index.by_id)[3]


def enrich(index, arxiv_id: str, abstract: str) -> EnrichCache:
    cache = EnrichCache(index.settings.data_dir)
    cache.put(
        [
            Enrichment(arxiv_id, source="hf", abstract=abstract, ai_summary="A toolkit paper."),
            # longer than the target's: BM25 scores a text longer than the field's average
            # below the question's ideal, and abstention wants the whole question covered
            Enrichment("9999.99999", source="hf", abstract="Not indexed: quokka. " + "x " * 60),
        ]
    )
    embed_pending(cache, index.embedder)
    return cache


def ranked(index, question: str, config=HYBRID) -> list[tuple[str, float]]:
    hits, _ = rank(index, question, k=10, config=config)
    return [(h.paper.arxiv_id, h.score) for h in hits]


def test_an_english_question_finds_a_paper_by_its_abstract_only_with_the_field(index) -> None:
    aid = target(index)
    before = ranked(index, QUESTION)
    assert rank(index, QUESTION, config=STRICT)[1]  # nothing in the summaries
    enrich(index, aid, f"We study the {QUESTION} problem with a marsupial quokka survey.")
    assert not rank(index, QUESTION, config=STRICT)[1]  # the abstract holds all of it
    hits, abstained = rank(index, QUESTION, k=5)
    assert aid not in [a for a, _ in before[:5]]
    assert not abstained
    assert aid in [h.paper.arxiv_id for h in hits]
    assert aid not in [a for a, _ in ranked(index, QUESTION, OFF)[:5]]  # weight 0: off
    assert "9999.99999" not in [h.paper.arxiv_id for h in hits]  # not indexed: never a hit


def test_a_korean_question_ranks_the_same_with_the_field(index) -> None:
    before = ranked(index, KOREAN)
    # even an English text holding the question's very words leaves a Korean question alone
    enrich(index, target(index), f"{KOREAN} {QUESTION}")
    assert index.english_field() is not None and len(index.english_field()) == 2
    assert ranked(index, KOREAN) == before


def test_an_empty_cache_ranks_exactly_as_without_the_feature(index) -> None:
    questions = [QUESTION, KOREAN, "diffusion video generation", "LLM 추론 speculative 방식"]
    before = [ranked(index, q, OFF) for q in questions]
    EnrichCache(index.settings.data_dir).put(
        [Enrichment("2312.00001", status="missing")]
    )  # a cache with no `ok` row
    assert len(index.english_field()) == 0
    assert [ranked(index, q) for q in questions] == before


def test_the_window_applies_to_the_field(index) -> None:
    aid = target(index)
    enrich(index, aid, f"We study the {QUESTION} problem.")
    date = index.get(aid).date
    later = [h.paper.arxiv_id for h in rank(index, QUESTION, since=f"{date[:3]}9-12-31")[0]]
    assert aid not in later


def test_vectors_are_computed_once_per_paper_text_and_embedder(index) -> None:
    counting = CountingEmbedder(index.embedder)
    cache = EnrichCache(index.settings.data_dir)
    cache.put([Enrichment("2312.00001", source="hf", abstract="An abstract.", ai_summary="One.")])
    assert embed_pending(cache, counting) == 2
    assert embed_pending(cache, counting) == 0
    cache.put(
        [Enrichment("2312.00001", source="hf", abstract="A new abstract.", ai_summary="One.")]
    )
    assert embed_pending(cache, counting) == 1  # only the changed text
    assert counting.passages == ["One.", "An abstract.", "A new abstract."]


def test_the_query_path_embeds_only_the_question(index, monkeypatch) -> None:
    cache = enrich(index, target(index), f"About {QUESTION}.")
    cache.put([Enrichment("2312.00002", source="hf", abstract="Never embedded yet.")])
    counting = CountingEmbedder(index.embedder)
    monkeypatch.setattr(index, "embedder", counting)
    rank(index, QUESTION)
    assert counting.passages == []
    assert len(index.english_field()) == 3  # the new row is searchable by BM25 meanwhile


def test_the_field_follows_the_cache_at_most_every_rebuild_interval(index, monkeypatch) -> None:
    aid = target(index)
    enrich(index, aid, "Nothing relevant here.")
    assert aid not in top5(index)
    source = index._english
    enrich(index, aid, f"We study the {QUESTION} problem.")
    assert aid not in top5(index)
    source.wait()
    assert aid not in top5(index)  # within REBUILD_S: the old field, no rebuild started
    monkeypatch.setattr(english_module, "REBUILD_S", 0.0)
    top5(index)  # starts a rebuild in the background, answers with the old field
    source.wait()
    assert aid in top5(index)


def top5(index) -> list[str]:
    return [a for a, _ in ranked(index, QUESTION)[:5]]


def test_vectors_of_another_embedder_are_not_mixed_in(index) -> None:
    cache = enrich(index, target(index), "Some abstract.")
    vectors = EnglishVectors(cache.data_dir)
    try:
        assert vectors.version("other-model") == 0
        assert vectors.version(index.embedder.model) > 0
    finally:
        vectors.close()


def test_each_english_list_holds_the_pool_best_inside_the_window() -> None:
    """A question costs the same whatever share of the archive is enriched: each list keeps
    the POOL best papers inside the window, not every paper sharing a word or a cosine."""
    from store.search.english import POOL, EnglishField

    n = POOL + 50
    rng = np.random.default_rng(3)
    ids = [f"2401.{i:05d}" for i in range(n)]
    tokens = {a: f"common word{i}" for i, a in enumerate(ids)}
    vectors = {a: [v / np.linalg.norm(v)] for a, v in zip(ids, rng.normal(size=(n, 8)))}
    field = EnglishField.build(tokens, vectors, 8)
    query = vectors[ids[7]][0]
    outside = {ids[7]}  # the best match, outside the question's window
    dense = field.dense(query, lambda a: a not in outside)
    assert len(dense) == POOL and ids[7] not in dense
    cosines = sorted((float(vectors[a][0] @ query) for a in ids if a not in outside), reverse=True)
    assert sorted(dense.values(), reverse=True) == pytest.approx(cosines[:POOL], rel=1e-5)
    lexical, coverage = field.lexical({"common": 1.0}, lambda a: True)
    assert len(lexical) == POOL and 0 < coverage <= 1
