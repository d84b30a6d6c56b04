"""The English -> Korean word bridge (store/search/bridge.py): built at ingest through the vector
cache, used only for weak English questions, never for Korean ones, never in abstention."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from ingest.pipeline import ingest, open_index
from store.search import bridge as bridge_module
from store.search.bridge import WordBridge, bridge_weights, korean_words
from store.search.retrieval import HYBRID, bridge_query, query_weights, rank

# the fixtures' hash embedder has no bridge cut of its own: these configurations set one
ON = replace(HYBRID, bridge=0.7, bridge_cut=0.9)
OFF = replace(HYBRID, bridge=0.0)
WEAK = "software that writes a song"  # no sample passage holds "song" or "writes"
STRONG = "Amphion audio toolkit"
KOREAN = "오디오 음악 음성 생성 툴킷"


@pytest.fixture
def index(settings, monkeypatch: pytest.MonkeyPatch):
    index = open_index(settings)
    ingest(settings, index=index)
    # a bridge of one pair: the hash embedder gives "song" and this "Korean word" one vector
    vector = index.embedder.embed_passages(["song"])
    monkeypatch.setattr(
        index, "word_bridge", lambda embed_missing=False: WordBridge(("음악",), vector)
    )
    return index


def coverage(index, question: str) -> float:
    weights = query_weights(index, question)
    best = max((s for _, s in index.lexical.search_weighted(weights, 100)), default=0.0)
    return index.lexical.coverage(weights, best)


def test_a_weak_english_question_gets_the_nearest_korean_words(index) -> None:
    assert coverage(index, WEAK) < HYBRID.weak_lexical_below
    extra = bridge_query(index, WEAK, query_weights(index, WEAK), ON)
    assert extra == {"음악": pytest.approx(0.7, abs=0.01)}  # weight x cosine (1.0)
    assert rank(index, WEAK, config=ON)[0] != rank(index, WEAK, config=OFF)[0]


def test_a_strong_english_question_is_searched_as_it_is(index, monkeypatch) -> None:
    assert coverage(index, STRONG) >= HYBRID.weak_lexical_below
    calls: list[str] = []
    monkeypatch.setattr(
        "store.search.retrieval.bridge_query", lambda _i, q, *_a: calls.append(q) or {"음악": 9.0}
    )
    rank(index, STRONG, config=ON)
    assert calls == []
    rank(index, WEAK, config=ON)
    assert calls == [WEAK]


def test_a_korean_question_is_untouched(index) -> None:
    assert bridge_weights(index.word_bridge(), index.embedder, KOREAN + " song", 1.0, 0.0) == {}
    for question in (KOREAN, "song 만드는 모델"):
        on, off = rank(index, question, config=ON), rank(index, question, config=OFF)
        assert [(h.paper.arxiv_id, h.score) for h in on[0]] == [
            (h.paper.arxiv_id, h.score) for h in off[0]
        ]


def test_abstention_is_unchanged_by_the_bridge(index) -> None:
    # the hash embedder has no abstention cut either: one high enough to say "nothing" here
    cut = {"abstain_below": 0.5, "abstain_below_en": 0.5}
    on, off = replace(ON, **cut), replace(OFF, **cut)
    said = {q: rank(index, q, config=off)[1] for q in (WEAK, STRONG, "a song about the weather")}
    assert True in said.values() and False in said.values()
    assert {q: rank(index, q, config=on)[1] for q in said} == said


def test_abstention_and_the_dense_weight_read_the_questions_own_coverage(
    index, monkeypatch
) -> None:
    from store.search import retrieval

    seen: list[tuple[str, float]] = []
    for name in ("_nothing_relevant", "dense_weight"):
        real = getattr(retrieval, name)

        def spy(*args, _real=real, _name=name):
            seen.append((_name, next(a for a in args if isinstance(a, float))))
            return _real(*args)

        monkeypatch.setattr(retrieval, name, spy)
    rank(index, WEAK, config=OFF)
    alone = list(seen)
    seen.clear()
    rank(index, WEAK, config=ON)
    assert len(seen) == 2 and seen == alone  # though the bridge changed the ranking (above)


def test_built_at_ingest_through_the_vector_cache(settings, monkeypatch) -> None:
    index = open_index(settings)
    ingest(settings, index=index)
    assert index.word_bridge() is None  # an embedder without a cut has no bridge
    monkeypatch.setitem(bridge_module.BRIDGE_CUT, "hash", 0.9)
    cached = index.vectors.count()
    ingest(settings, index=index)
    words = korean_words(index.by_id.values())
    assert 500 < len(words) and index.vectors.count() == cached + len(words)
    built = index.word_bridge()
    assert built is not None and built.words == tuple(words)
    assert built.matrix.dtype == np.float32 and built.matrix.shape == (len(words), 256)
    again = open_index(settings)  # a new reader: vectors from the cache, nothing embedded
    monkeypatch.setattr(again.embedder, "embed_passages", lambda texts: pytest.fail("embedded"))
    assert again.word_bridge().words == tuple(words)
    ingest(settings, index=again)  # nothing new to embed
    assert again.vectors.count() == cached + len(words)


def test_korean_words_strip_particles_and_need_two_papers() -> None:
    from store.models import Paper

    def paper(aid: str, text: str) -> Paper:
        return Paper(aid, "t", "u", "2024-01-01", None, (), (text,), None, "x.md:1")

    words = korean_words([paper("1", "환각을 줄이는 노래 뇌"), paper("2", "환각이 노래를")])
    assert words == ["노래", "환각"]  # "줄이는": one paper; "뇌": one syllable


def test_measurement_options_are_off_by_default_and_do_what_they_say(index, monkeypatch) -> None:
    # bridge_below / bridge_decay (docs/EVALUATION.md, "Retrieval v3": measured, not kept)
    assert HYBRID.bridge_below is None and HYBRID.bridge_decay == 0.0
    calls: list[str] = []
    monkeypatch.setattr(
        "store.search.retrieval.bridge_query", lambda _i, q, *_a: calls.append(q) or {}
    )
    rank(index, STRONG, config=replace(ON, bridge_below=2.0))  # past any coverage
    assert calls == [STRONG]
    vectors = index.embedder.embed_passages(["song", "songs"])
    two = WordBridge(("음악", "가요"), np.asarray(vectors, dtype=np.float32))
    flat = bridge_weights(two, index.embedder, WEAK, 1.0, -1.0, top=2)
    decayed = bridge_weights(two, index.embedder, WEAK, 1.0, -1.0, top=2, decay=0.5)
    second = min(flat, key=flat.get)  # the farther neighbour weighs half as much
    assert decayed[second] == pytest.approx(flat[second] * 0.5)
    first = max(flat, key=flat.get)
    assert decayed[first] == pytest.approx(flat[first])


def test_a_reader_keeps_its_bridge_while_writes_go_on(settings, monkeypatch) -> None:
    """A write marks the bridge stale; a reader rebuilds it only once BRIDGE_REBUILD_S has
    passed (a rebuild reads every summary: per query during an ingest it cost seconds)."""
    from ingest.chunk import chunk_paper
    from store.index import index as index_module
    from tests.store.test_index import make_paper

    monkeypatch.setitem(bridge_module.BRIDGE_CUT, "hash", 0.9)
    index = open_index(settings)
    ingest(settings, index=index)
    before = index.word_bridge()
    assert before is not None
    papers = [make_paper(f"2405.9999{n}", "2024-05-30", 1, "환상특급 실험입니다.") for n in (1, 2)]
    batch = []
    for paper in papers:
        chunks = chunk_paper(paper)
        batch.append((paper, chunks, index.embedder.embed_passages([c.text for c in chunks])))
    index.write(batch)
    assert index.word_bridge() is before  # stale, but rebuilt only when due
    monkeypatch.setattr(index_module, "BRIDGE_REBUILD_S", 0.0)
    after = index.word_bridge()
    assert after is not before
    assert index.word_bridge() is after  # rebuilt once, then kept until the next write
