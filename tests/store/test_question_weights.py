"""A Korean question's BM25 weights per word (store/search/tokens.py, question_weights): the options
measured in docs/EVALUATION.md, "Retrieval v3" (none is the default)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from store.embedders import HashEmbedder
from store.index import Index
from store.index.handle import IndexHandle
from store.search import retrieval
from store.search.retrieval import HYBRID, rank
from store.search.tokens import query_tokens, question_weights
from tests.store.test_index import make_paper, write

QUESTION = "멀티모달 모델 환각 학습하는 방법을 정리해줘"


def test_the_default_is_every_query_token_at_one() -> None:
    for text in (QUESTION, "state-of-the-art LLM 추론 속도", "Qwen2 테크니컬 리포트"):
        assert question_weights(text) == dict.fromkeys(query_tokens(text), 1.0)


def test_with_norm_one_a_long_word_weighs_as_much_as_a_short_one() -> None:
    weights = question_weights(QUESTION, norm=1.0)
    long_word = weights["멀티"] + weights["티모"] + weights["모달"]
    assert long_word == weights["환각"] == 1.0  # 3 bigrams share one word's weight
    assert question_weights(QUESTION)["멀티"] * 3 > question_weights(QUESTION)["환각"]


def test_idf_shares_the_rarest_bigrams_weight() -> None:
    idf = {"멀티": 2.0, "티모": 4.0, "모달": 2.0}.get
    weights = question_weights("멀티모달", idf=lambda t: idf(t) or 1.0)
    assert sum(weights[t] * idf(t) for t in ("멀티", "티모", "모달")) == 4.0


def test_strip_and_asks_drop_particles_endings_and_request_words() -> None:
    plain, stripped = question_weights(QUESTION), question_weights(QUESTION, strip=1)
    assert "법을" in plain and "법을" not in stripped  # "방법을" -> "방법"
    assert "습하" in stripped  # "학습하는" -> "학습하" (a particle only)
    assert set(question_weights("학습하는", strip=2)) == {"학습"}
    asked = question_weights(QUESTION, asks=True)
    assert not {"방법", "정리", "해줘"} & set(asked) and "환각" in asked


# -- the two questions of issue 15, item 2, on small fixture archives ------------------------


BEFORE = replace(HYBRID, lexical_floor=0.0, word_norm=0.0)  # issue 15's starting point


@pytest.fixture
def index(settings) -> Index:
    return IndexHandle(settings, HashEmbedder(), "test").writable()


def _found(index: Index, question: str, config=HYBRID, k: int = 3) -> list[str]:
    return [hit.paper.arxiv_id for hit in rank(index, question, k=k, config=config)[0]]


def test_a_short_korean_word_is_not_drowned_by_a_long_common_one(
    index: Index, monkeypatch: pytest.MonkeyPatch
) -> None:
    """'멀티모달 모델 환각 줄이는 방법' on the archive: every multimodal summary matches the three
    bigrams of 멀티모달 (and 모델), the hallucination papers also 환각; the dense side prefers
    multimodal reasoning papers. Without the floor the lexical scores sit close together and
    the dense side decides: no hallucination paper in the top 3."""
    hallucination = make_paper(
        "2402.00001", "2024-02-01", 5, "대규모 멀티모달 모델의 환각을 완화하는 디코딩을 제안합니다."
    )
    multimodal = [
        make_paper(
            f"2402.0001{i}",
            "2024-02-01",
            5,
            f"멀티모달 추론 모델과 멀티모달 에이전트를 위한 {i}번째 연구입니다.",
        )
        for i in range(5)
    ]
    # 환각 is rarer than 멀티모달, as on the archive (66 papers against ~1,000), and papers
    # that share no word with the question make the idf
    others = [
        make_paper(f"2402.001{i:02d}", "2024-02-01", 5, f"음성 합성 {i}번째 속도 개선입니다.")
        for i in range(30)
    ] + [
        make_paper(f"2402.0002{i}", "2024-02-01", 5, f"음성 인식 {i}번째 환각 평가입니다.")
        for i in range(2)
    ]
    write(index, hallucination, *multimodal, *others)
    # the dense side prefers the multimodal papers; the hallucination paper a quarter down
    order = [p.arxiv_id for p in multimodal + others]
    order.insert(len(order) // 4, hallucination.arxiv_id)
    dense = [(f"{aid}#0", 0.45 - 0.004 * n) for n, aid in enumerate(order)]
    monkeypatch.setattr(retrieval, "dense_passages", lambda *args: dense)
    question = "멀티모달 모델 환각 줄이는 방법"
    assert hallucination.arxiv_id in _found(index, question)
    assert hallucination.arxiv_id not in _found(index, question, BEFORE)


def test_a_korean_questions_bm25_scores_are_floored_before_fusion() -> None:
    """The shared base every 멀티모달 passage gets is taken out (the pool's weakest paper scores
    0) for a Korean question; an English question keeps s / max (the bridge was fitted on it)."""
    lexical = {"a": ("a#0", 10.0), "b": ("b#0", 8.0), "c": ("c#0", 6.0)}
    korean = retrieval._lexical_normalised(lexical, "멀티모달 모델 환각", HYBRID.lexical_floor)
    assert korean == {"a": 1.0, "b": 0.5, "c": 0.0}
    english = retrieval._lexical_normalised(lexical, "multimodal hallucination", 1.0)
    assert english == {"a": 1.0, "b": 0.8, "c": 0.6}
