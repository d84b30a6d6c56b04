"""Chunking: whole bullets per passage, the title on every passage, deterministic ids."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from ingest.chunk import CHUNK_SIZE, chunk_paper
from store.models import Chunk, Paper


def chunk_body(chunk: Chunk) -> str:
    return chunk.text.partition("\n")[2]


def paper(*bullets: str, title: str = "Vary: Scaling up the Vision Vocabulary") -> Paper:
    return Paper(
        "2312.06109",
        title,
        "https://arxiv.org/abs/2312.06109",
        "2023-12-12",
        15,
        (),
        bullets,
        None,
        "x.md:1",
    )


def test_every_chunk_carries_the_title_and_ids_are_sequential() -> None:
    bullets = [f"What's New: 문장 {i} " + "가나다라마바사 " * 30 for i in range(4)]
    chunks = chunk_paper(paper(*bullets))
    assert len(chunks) >= 4
    assert [c.id for c in chunks] == [f"2312.06109#{i}" for i in range(len(chunks))]
    assert all(c.text.startswith("Vary: Scaling up the Vision Vocabulary\n") for c in chunks)


def test_short_bullets_share_a_passage_and_are_not_cut() -> None:
    bullets = ["짧은 요약 하나입니다.", "짧은 요약 둘입니다.", "세 번째 요약입니다."]
    chunks = chunk_paper(paper(*bullets))
    assert len(chunks) == 1
    assert chunk_body(chunks[0]).split("\n") == bullets


def test_a_paper_without_summary_still_has_one_passage() -> None:
    assert [c.text for c in chunk_paper(paper())] == ["Vary: Scaling up the Vision Vocabulary"]


@given(st.lists(st.text(min_size=1, max_size=900), min_size=1, max_size=8))
def test_chunks_are_bounded_and_deterministic(bullets: list[str]) -> None:
    p = paper(*bullets)
    first, second = chunk_paper(p), chunk_paper(p)
    assert first == second
    assert all(len(chunk_body(c)) <= CHUNK_SIZE for c in first)
