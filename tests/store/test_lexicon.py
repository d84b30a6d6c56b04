"""The term lexicon mined from the summaries' `한국어(English)` glosses, and the English ->
Korean bridge it gives BM25 (the fake hash embedder: no model time)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from store.embedders import HashEmbedder
from store.index import Index
from store.index.handle import IndexHandle
from store.search.lexicon import Lexicon, extract_pairs
from store.search.retrieval import CONFIGS, rank
from tests.store.test_index import make_paper, write


def test_glosses_both_ways_keep_the_words_nearest_the_parenthesis() -> None:
    text = "이 논문은 직접 선호 최적화(Direct Preference Optimization; DPO)로 LLM(대형 언어 모델)의 환각(hallucinations)을 줄입니다."
    assert extract_pairs(text) == [
        (("논문", "직접", "선호", "최적화"), ("direct", "preference", "optimization", "dpo")),
        (("환각",), ("hallucination",)),
        (("대형", "언어", "모델"), ("llm",)),
    ]


def test_mining_keeps_the_consistent_translation() -> None:
    pairs = [(("환각",), ("hallucination",))] * 3 + [
        (("객체", "환각"), ("object", "hallucination"))
    ]
    pairs += [(("객체", "탐지"), ("object", "detection"))] * 2
    lexicon = Lexicon.mine(pairs)
    assert lexicon.en_to_ko["hallucination"][0][0] == "환각"
    assert lexicon.ko_to_en["환각"][0][0] == "hallucination"
    assert lexicon.en_to_ko["object"][0][0] == "객체"
    weights = lexicon.expand("object hallucinations", weight=0.5)
    assert weights["object"] == weights["hallucinations"] == 1.0
    assert 0 < weights["환각"] <= 0.5 and "객체" in weights


@pytest.fixture
def index(settings) -> Index:
    return IndexHandle(settings, HashEmbedder(), "test").writable()


def test_an_english_question_finds_a_korean_only_summary(index: Index) -> None:
    write(
        index,
        make_paper(
            "2401.00001", "2024-01-01", 5, "새 디코딩 방법으로 음성 인식의 환각을 줄였습니다."
        ),
        # other papers gloss the words (the lexicon is mined from the indexed passages)
        make_paper(
            "2401.00002", "2024-01-01", 5, "환각(hallucination) 평가 벤치마크를 제안합니다."
        ),
        make_paper("2401.00003", "2024-01-01", 5, "환각(hallucination) 데이터셋을 만들었습니다."),
        make_paper("2401.00004", "2024-01-01", 5, "추측 디코딩(decoding) 속도를 높입니다."),
        make_paper("2401.00005", "2024-01-01", 5, "병렬 디코딩(decoding) 전략을 씁니다."),
        make_paper("2401.00006", "2024-01-01", 5, "음성 인식(speech recognition) 모델입니다."),
        make_paper("2401.00007", "2024-01-01", 5, "다국어 음성 인식(speech recognition) 연구."),
        make_paper("2401.00008", "2024-01-01", 5, "이미지 생성 모델의 속도를 높입니다."),
    )
    question = "decoding against hallucination in speech recognition"
    lexical = CONFIGS["bm25"]  # BM25 alone: the hash embedder would not bridge languages either
    found = [hit.paper.arxiv_id for hit in rank(index, question, k=8, config=lexical)[0]]
    assert "2401.00001" in found and "2401.00008" not in found
    without = rank(index, question, k=8, config=replace(lexical, expand=0.0))[0]
    assert "2401.00001" not in [hit.paper.arxiv_id for hit in without]


def test_glosses_of_a_removed_paper_leave_the_lexicon(index: Index) -> None:
    write(
        index,
        *[make_paper(f"2401.0000{i}", "2024-01-01", 5, "환각(hallucination) 연구") for i in (1, 2)],
    )
    assert "hallucination" in index.lexical.lexicon.en_to_ko
    index.remove(["2401.00001", "2401.00002"])
    assert "hallucination" not in index.lexical.lexicon.en_to_ko


def test_function_words_never_become_translations() -> None:
    # "state-of-the-art(최첨단)" glosses are everywhere; "the" and "of" must not learn 최첨단
    pairs = extract_pairs("최첨단(state-of-the-art) 성능과 최첨단(state-of-the-art) 결과") * 3
    lexicon = Lexicon.mine(pairs)
    assert lexicon.en_to_ko["art"][0][0] == "최첨단"
    assert "the" not in lexicon.en_to_ko and "of" not in lexicon.en_to_ko
    weights = Lexicon.mine(pairs + [(("최첨단",), ("the",))] * 5).expand("the best of all")
    assert "최첨" not in weights and "the" not in weights and weights == {"best": 1.0}


def test_a_function_word_in_a_title_does_not_answer_a_question(index: Index) -> None:
    unrelated = make_paper("2401.00001", "2024-01-01", 5, "추천 시스템의 공정성을 다룹니다.")
    write(
        index,
        replace(unrelated, title="Would I Lie To You?"),
        make_paper("2401.00002", "2024-01-01", 5, "환각(hallucination)을 줄이는 디코딩 방법."),
    )
    found = rank(index, "what would reduce hallucination", k=5, config=CONFIGS["bm25"])[0]
    assert [hit.paper.arxiv_id for hit in found] == ["2401.00002"]
