"""The Korean-aware BM25 index: tokens, windows, coverage, and reads during writes."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from store.search.lexical import LexicalIndex, LexicalRow, tokenize
from store.search.tokens import query_tokens


def words(text: str) -> dict[str, float]:
    """A question's BM25 weights without lexicon glosses."""
    return dict.fromkeys(query_tokens(text), 1.0)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("강화학습", ["강화", "화학", "학습"]),
        ("새 모델", ["새", "모델"]),
        ("LoRA fine-tuning", ["lora", "fine-tuning", "fine", "tuning"]),
        ("the GPT-4 of it", ["gpt-4", "gpt", "4"]),
    ],
)
def test_tokenize(text: str, expected: list[str]) -> None:
    assert tokenize(text) == expected


def test_decomposed_hangul_matches_composed(tmp_path: Path) -> None:
    import unicodedata

    assert tokenize(unicodedata.normalize("NFD", "학습")) == ["학습"]


def rows(n: int, day: int = 20240101) -> list[LexicalRow]:
    return [
        LexicalRow(f"p{i}#0", f"p{i}", day, i, f"강화학습 보상 모델 {i}", (0, 0)) for i in range(n)
    ]


def test_window_votes_and_coverage(tmp_path: Path) -> None:
    index = LexicalIndex(tmp_path / "bm25.sqlite")
    index.upsert(
        rows(5) + [LexicalRow("late#0", "late", 20250101, 99, "강화학습 보상 모델", (0, 1))]
    )
    found = index.search_weighted(
        words("강화학습 보상"), 10, since=20240101, until=20241231, min_votes=3
    )
    assert {cid for cid, _ in found} == {"p3#0", "p4#0"}
    best = index.search_weighted(words("강화학습 보상"), 1)[0][1]
    assert index.coverage(words("강화학습 보상"), best) >= 1.0
    assert index.coverage(words("주식 추천"), 0.0) == 0.0
    assert index.bullets("late#0") == (0, 1)


def test_queries_during_writes_see_a_consistent_index(tmp_path: Path) -> None:
    index = LexicalIndex(tmp_path / "bm25.sqlite")
    index.upsert(rows(50))
    errors: list[BaseException] = []

    def reader() -> None:
        try:
            for _ in range(200):
                for cid, _ in index.search_weighted(words("강화학습 모델"), 5):
                    assert cid.endswith("#0")
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=reader) for _ in range(2)]
    for t in threads:
        t.start()
    for n in range(20):
        index.upsert(
            [LexicalRow(f"new{n}#0", f"new{n}", 20240102, n, f"새로운 단어{n} 모델", (0, 0))]
        )
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert index.count() == 70
