"""Language-aware fusion: the dense side counts more for a vague English question only."""

from __future__ import annotations

from store.search.fusion import by_language, dense_weight, hangul_share
from store.search.retrieval import HYBRID


def test_hangul_share() -> None:
    assert hangul_share("tracking every pixel in 3D") == 0.0
    assert hangul_share("비디오 픽셀 추적") == 1.0
    assert 0.5 < hangul_share("LLM 추론 속도 올리는 speculative 방식") < 1.0


def weight(question: str, coverage: float) -> float:
    config = HYBRID
    return dense_weight(
        question, coverage, config.dense_weight, config.dense_weight_en, config.weak_lexical_below
    )


def test_a_vague_english_question_leans_on_the_dense_side() -> None:
    vague = "tracking every pixel through a video by lifting points into 3D"
    assert weight(vague, coverage=0.1) > HYBRID.dense_weight
    # English whose words BM25 finds (a model name), and Korean, keep the default
    assert weight("GritLM: one model for both generation and embeddings", 0.6) == 0.4
    assert weight("비디오 픽셀 트래킹을 3D로 올려서 추적", coverage=0.1) == 0.4


def test_per_language_setting_is_linear_in_the_hangul_share() -> None:
    assert by_language("영어", 0.4, None) == 0.4
    assert by_language("english", 0.4, 0.6) == 0.6
    assert 0.4 < by_language("LLM 추론", 0.4, 0.6) < 0.6
