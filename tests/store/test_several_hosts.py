"""Several hosts on one Chroma server (a real `chroma run` on loopback): a host that did not
write keeps its own derived tables (BM25, catalogue, word bridge) in step with the shared store,
so it answers, matches subscriptions and draws /trend exactly as the writer does."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import numpy as np
import pytest

from ingest import pipeline
from ingest.pipeline import ingest, open_handle, open_index
from store.index.index import Index
from store.search.bridge import BRIDGE_CUT
from store.search.matching import Topic, embed_topics, match_topics
from store.search.retrieval import search
from store.search.trends import matching_papers
from tests.conftest import SAMPLES
from tests.hosts import Pause, host

NEW_DAY = "2024-05-30"
TOPICS = [
    "언어 모델",
    "video generation",
    "오디오 음악 생성",
    "강화학습",
    "3D",
    "LA 갈비 양념 비율",
]


@pytest.fixture
def hosts(settings, chroma_server, tmp_path: Path):
    """Host A (the writer) and host B, each with its own data dir, over one digest folder that
    lacks the newest sample day."""
    folder = tmp_path / "digests"
    shutil.copytree(SAMPLES, folder)
    (folder / f"{NEW_DAY}.md").unlink()
    a = host(settings, chroma_server, tmp_path / "host-a", folder)
    b = host(settings, chroma_server, tmp_path / "host-b", folder)
    return a, b, folder


def answers(index: Index, question: str) -> list[tuple[str, float]]:
    return [(h.paper.arxiv_id, round(h.score, 5)) for h in search(index, question, k=5).hits]


def assert_alike(reader: Index, writer: Index) -> None:
    """B holds what A holds and answers, matches and trends as A does."""
    assert reader.lexical.count() == reader.chunks.count() == writer.lexical.count()
    assert set(reader.by_id) == set(writer.by_id)
    new = writer.papers_on(NEW_DAY)
    assert new, "the new day is indexed"
    for paper in new:
        assert answers(writer, paper.title)[0][0] == paper.arxiv_id, paper.title
        assert answers(reader, paper.title) == answers(writer, paper.title), paper.title
    ids = [p.arxiv_id for p in new]
    vectors = embed_topics(writer, TOPICS)
    topics = [Topic(i, text, vectors[i]) for i, text in enumerate(TOPICS)]
    found = match_topics(writer, ids, topics, limit=100)
    assert found, "some topic matches the new day"
    assert match_topics(reader, ids, topics, limit=100) == found
    for topic in TOPICS:
        mine = [p.arxiv_id for p in matching_papers(reader, topic)]
        assert mine == [p.arxiv_id for p in matching_papers(writer, topic)], topic


def test_a_host_that_answered_before_a_new_day_answers_it_like_the_writer(hosts) -> None:
    a, b, folder = hosts
    ingest(a)
    reader = open_handle(b)
    reader.refresh_s = 0.0
    assert search(reader.current(), "Amphion audio toolkit", k=1).hits  # B answered once
    shutil.copy(SAMPLES / f"{NEW_DAY}.md", folder / f"{NEW_DAY}.md")
    ingest(a)  # A writes the new day; B does nothing but answer
    assert_alike(reader.current(), open_index(a))


def test_a_host_that_opened_during_the_first_ingest_finishes_its_table(
    hosts, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    a, b, folder = hosts
    shutil.copy(SAMPLES / f"{NEW_DAY}.md", folder / f"{NEW_DAY}.md")
    monkeypatch.setattr(pipeline, "BATCH", 10)
    pause = Pause(tmp_path / "pause", "batch-written")
    for name, value in pause.env().items():
        monkeypatch.setenv(name, value)
    failed: list[BaseException] = []

    def first_ingest() -> None:
        try:
            ingest(a)
        except Exception as error:  # noqa: BLE001 — shown by the assertion below
            failed.append(error)

    writer = threading.Thread(target=first_ingest)
    writer.start()
    try:
        pause.wait_reached()
        reader = open_handle(b)
        reader.refresh_s = 0.0
        partial = reader.current()
        assert 0 < partial.lexical.count() < 62 * 2, "B opened on a half-written index"
    finally:
        pause.go()
        writer.join(120)
    assert not writer.is_alive() and not failed, failed
    assert_alike(reader.current(), open_index(a))


def test_a_host_without_the_word_vectors_gets_the_writers_word_bridge(
    hosts, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(BRIDGE_CUT, "hash", 0.6)  # the fake embedder gets a bridge too
    a, b, _ = hosts
    ingest(a)
    mine = open_index(a).word_bridge()
    assert mine is not None and len(mine.words) > 50
    theirs = open_index(b).word_bridge()
    assert theirs is not None and theirs.words == mine.words
    assert np.allclose(theirs.matrix, mine.matrix)
