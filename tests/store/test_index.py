"""The index: incremental writes, removal, date/vote windows, generations."""

from __future__ import annotations

import numpy as np
import pytest

from store.embedders import HashEmbedder
from store.index import Index
from store.index.handle import IndexHandle
from store.models import Chunk, Paper
from store.search.retrieval import search, similar


def make_paper(arxiv_id: str, day: str, votes: int | None, *bullets: str) -> Paper:
    return Paper(
        arxiv_id=arxiv_id,
        title=f"Paper {arxiv_id}",
        url=f"https://arxiv.org/abs/{arxiv_id}",
        date=day,
        votes=votes,
        authors=("Ada", "Grace"),
        summary=bullets,
        media=None,
        source=f"{day}.md:1",
    )


def write(index: Index, *papers: Paper) -> None:
    items = []
    for paper in papers:
        chunks = [
            Chunk(paper.arxiv_id, i, f"{paper.title}\n{b}") for i, b in enumerate(paper.summary)
        ]
        items.append((paper, chunks, index.embedder.embed_passages([c.text for c in chunks])))
    index.write(items)


def handle(settings) -> IndexHandle:
    return IndexHandle(settings, HashEmbedder(), "test")


@pytest.fixture
def index(settings) -> Index:
    return handle(settings).writable()


PAPERS = [
    make_paper("2401.00001", "2024-01-01", 10, "비디오 생성 모델의 카메라 제어", "camera control"),
    make_paper("2401.00002", "2024-01-02", None, "한국어 토크나이저 연구", "tokenizer for Korean"),
    make_paper("2401.00003", "2024-01-08", 50, "video diffusion with camera motion"),
]


def test_records_by_id_date_and_votes(index: Index) -> None:
    write(index, *PAPERS)
    assert index.get("2401.00002").summary == ("한국어 토크나이저 연구", "tokenizer for Korean")
    assert index.dates() == ["2024-01-01", "2024-01-02", "2024-01-08"]
    assert index.latest_date() == "2024-01-08"
    assert index.digest_date_for("2024-01-05") == "2024-01-02"
    assert index.digest_date_for("2023-12-31") is None
    assert [p.arxiv_id for p in index.top_between("2024-01-01", "2024-01-08", 10)] == [
        "2401.00003",
        "2401.00001",
        "2401.00002",  # no votes ranks last
    ]


def test_chunk_metadata_is_typed_for_filters(index: Index) -> None:
    write(index, *PAPERS)
    got = index.chunks.get(ids=["2401.00001#0", "2401.00002#0"], include=["metadatas"])
    meta = dict(zip(got["ids"], got["metadatas"]))
    assert meta["2401.00001#0"]["date"] == 20240101
    assert meta["2401.00001#0"]["votes"] == 10
    assert "votes" not in meta["2401.00002#0"]
    assert meta["2401.00001#0"]["title"] == "Paper 2401.00001"


def test_rewrite_replaces_all_chunks(index: Index) -> None:
    write(index, *PAPERS)
    write(index, make_paper("2401.00001", "2024-01-01", 12, "only one bullet now"))
    ids = index.chunks.get(where={"arxiv_id": "2401.00001"})["ids"]
    assert ids == ["2401.00001#0"]
    assert index.lexical.count() == 4
    assert index.get("2401.00001").votes == 12


def test_remove_drops_chunks_lexical_rows_and_record(index: Index) -> None:
    write(index, *PAPERS)
    index.remove(["2401.00003"])
    assert index.get("2401.00003") is None
    assert index.chunks.get(where={"arxiv_id": "2401.00003"})["ids"] == []
    answer = search(index, "video diffusion camera motion", k=5)
    assert "2401.00003" not in [h.paper.arxiv_id for h in answer.hits]


def test_window_and_min_votes_are_applied_inside_retrieval(index: Index) -> None:
    write(index, *PAPERS)
    # 20 more recent papers that match the words better must not crowd the window out
    write(
        index,
        *[
            make_paper(f"2402.{i:05d}", "2024-02-01", 99, "camera control camera")
            for i in range(20)
        ],
    )
    answer = search(index, "camera control", since="2024-01-01", until="2024-01-31", k=3)
    assert {h.paper.date for h in answer.hits} <= {"2024-01-01", "2024-01-02", "2024-01-08"}
    assert answer.hits[0].paper.arxiv_id in {"2401.00001", "2401.00003"}
    voted = search(index, "camera", min_votes=20, since="2024-01-01", until="2024-01-31")
    assert [h.paper.arxiv_id for h in voted.hits] == ["2401.00003"]


def test_evidence_is_the_bullets_of_the_matching_passage(index: Index) -> None:
    write(index, *PAPERS)
    hit = search(index, "tokenizer for Korean", k=1).hits[0]
    assert hit.paper.arxiv_id == "2401.00002"
    assert hit.evidence[0] == "tokenizer for Korean"


def test_similar_excludes_the_paper_itself(index: Index) -> None:
    write(index, *PAPERS)
    hits = similar(index, "2401.00001", k=2)
    assert hits and all(h.paper.arxiv_id != "2401.00001" for h in hits)


def test_new_generation_is_invisible_until_activated(index: Index, settings) -> None:
    write(index, *PAPERS)
    registry = index.registry
    fresh = handle(settings).open(registry.begin())
    write(fresh, PAPERS[0])
    assert handle(settings).current().generation == index.generation
    registry.activate(fresh.gen)
    reopened = handle(settings).current()
    assert reopened.generation == fresh.generation
    assert list(reopened.by_id) == ["2401.00001"]
    assert index.get("2401.00003") is not None, "the old generation still answers"


def test_paper_vector_is_unit_mean_of_chunks(index: Index) -> None:
    write(index, PAPERS[0])
    got = index.papers.get(ids=["2401.00001"], include=["embeddings"])
    assert np.isclose(np.linalg.norm(got["embeddings"][0]), 1.0, atol=1e-5)


class CountedSplits(str):
    """A bullet that counts how often it is split (flattened or normalised)."""

    splits = 0

    def split(self, *args, **kwargs):  # type: ignore[override]
        CountedSplits.splits += 1
        return super().split(*args, **kwargs)


def test_a_long_bullet_is_flattened_once_per_write_not_once_per_passage(settings) -> None:
    """A 5 MB summary line became 7,490 passages, and each passage's bullet span re-split the
    whole bullet: 48 minutes under the writer lock. The spans are computed in one pass."""
    from ingest.chunk import chunk_paper

    bullet = CountedSplits("대규모 언어 모델의 추론 속도를 높인다. " * 3000)
    paper = make_paper("2401.00001", "2024-01-02", 1, "첫 요약.", bullet, "끝 요약.")
    chunks = chunk_paper(paper)
    assert len(chunks) > 100
    vectors = HashEmbedder().embed_passages([c.text for c in chunks])
    index = handle(settings).writable()
    CountedSplits.splits = 0
    index.write([(paper, chunks, vectors)])
    assert CountedSplits.splits <= 2, f"split {CountedSplits.splits} times for {len(chunks)}"


def test_bullet_spans_name_the_bullets_each_passage_holds() -> None:
    from ingest.chunk import chunk_paper
    from store.index.sync import bullet_spans

    long = "긴 요약 문장입니다. " * 100  # split over several passages
    paper = make_paper("2401.00001", "2024-01-02", 1, "첫째.", "둘째.", long, "넷째\n이어짐.")
    chunks = chunk_paper(paper)
    spans = bullet_spans(paper, [c.text for c in chunks])
    assert spans[0] == (0, 1) and spans[-1][1] == 3
    assert all(span == (2, 2) for span in spans[1:-1])
    assert bullet_spans(paper, ["Paper 2401.00001\nnot in the summary"]) == [(0, -1)]


def test_a_healed_lexical_table_has_the_spans_the_write_gave(settings) -> None:
    """A host's BM25 table filled from the store (a new data dir over a Chroma server) has the
    rows and spans the write gave, whatever order Chroma returns the passages in."""
    from ingest.chunk import chunk_paper

    long = "긴 요약 문장입니다. " * 100
    paper = make_paper("2401.00001", "2024-01-02", 1, "첫째.", "둘째.", long, "넷째.")
    chunks = chunk_paper(paper)
    index = handle(settings).writable()
    index.write([(paper, chunks, HashEmbedder().embed_passages([c.text for c in chunks]))])
    written = [index.lexical.bullets(c.id) for c in chunks]
    assert written[0] == (0, 1) and (2, 2) in written
    index.lexical.replace(None, [], ("another store's generation", 0))  # never caught up
    assert index.lexical.count() == 0
    index.catch_up()
    assert index.lexical.count() == len(chunks)
    assert [index.lexical.bullets(c.id) for c in chunks] == written
