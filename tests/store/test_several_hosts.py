"""Several hosts on one Chroma server (a real `chroma run` on loopback): a host that did not
write keeps its own derived tables (BM25, catalogue, word bridge) in step with the shared store,
so it answers, matches subscriptions and draws /trend exactly as the writer does."""

from __future__ import annotations

import shutil
import signal
import threading
from pathlib import Path

import numpy as np
import pytest

from ingest import pipeline
from ingest.pipeline import ingest, open_handle, open_index
from store.index.index import Index
from store.search.bridge import BRIDGE_CUT
from store.search.lexical import LexicalIndex
from store.search.matching import Topic, embed_topics, match_topics
from store.search.retrieval import search
from store.search.trends import matching_papers
from tests.conftest import SAMPLES
from tests.hosts import Pause, finish, host, host_env, paperbot

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
    folder = tmp_path / "digests-shared"
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


def ingest_in_a_thread(settings) -> tuple[threading.Thread, list[BaseException]]:
    failed: list[BaseException] = []

    def run() -> None:
        try:
            ingest(settings)
        except Exception as error:  # noqa: BLE001 — shown by the caller's assertion
            failed.append(error)

    thread = threading.Thread(target=run)
    thread.start()
    return thread, failed


def test_a_host_that_opened_during_the_first_ingest_finishes_its_table(
    hosts, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    a, b, folder = hosts
    shutil.copy(SAMPLES / f"{NEW_DAY}.md", folder / f"{NEW_DAY}.md")
    monkeypatch.setattr(pipeline, "BATCH", 10)
    pause = Pause(tmp_path / "pause", "batch-written")
    for name, value in pause.env().items():
        monkeypatch.setenv(name, value)
    writer, failed = ingest_in_a_thread(a)
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


def test_a_host_that_read_a_write_half_done_reads_it_again_when_done(
    hosts, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """B catches up (after A's first batch) while A's second batch has its passages in Chroma
    and not yet its paper records."""
    a, b, folder = hosts
    ingest(a)
    reader = open_handle(b)
    reader.refresh_s = 0.0
    reader.current()
    shutil.copy(SAMPLES / f"{NEW_DAY}.md", folder / f"{NEW_DAY}.md")
    monkeypatch.setattr(pipeline, "BATCH", 4)
    pause = Pause(tmp_path / "pause", "chunks-added")
    monkeypatch.setenv("PAPERBOT_PAUSE_AT", "chunks-added:2")
    monkeypatch.setenv("PAPERBOT_PAUSE_DIR", str(pause.folder))
    writer, failed = ingest_in_a_thread(a)
    try:
        pause.wait_reached()
        half = reader.current()
        assert half.latest_date() == NEW_DAY and len(half.papers_on(NEW_DAY)) == 4
    finally:
        pause.go()
        writer.join(120)
    assert not writer.is_alive() and not failed, failed
    assert_alike(reader.current(), open_index(a))


def test_a_host_killed_while_catching_up_keeps_its_table_and_finishes_later(
    hosts, env, chroma_server
) -> None:
    a, b, folder = hosts
    ingest(a)
    before = open_index(b)
    rows, synced = before.lexical.count(), before.lexical.synced(before.gen.uid)
    before.close()
    shutil.copy(SAMPLES / f"{NEW_DAY}.md", folder / f"{NEW_DAY}.md")
    ingest(a)
    asking = host_env(env, chroma_server, b.data_dir, folder)
    proc = paperbot(asking, "ask", "Amphion audio toolkit", PAPERBOT_CRASH_AT="lexical-replaced")
    code, _, err = finish(proc)
    assert code == -signal.SIGKILL, err
    generation = open_handle(b).registry.active()
    table = LexicalIndex(generation.lexical_path(b.data_dir))  # as the killed process left it
    assert table.count() == rows and table.synced(generation.uid) == synced, "the old one, whole"
    table.close()
    assert_alike(open_index(b), open_index(a))
