"""A Korean question's BM25 weights per word (store/search/tokens.py, question_weights): the options
measured in docs/EVALUATION.md, "Retrieval v3" (none is the default)."""

from __future__ import annotations

from store.search.tokens import query_tokens, question_weights

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
