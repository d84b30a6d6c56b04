"""Chroma in server mode: the test starts `chroma run` on loopback, ingests and asks through it."""

from __future__ import annotations

from ingest.pipeline import ingest, open_index, rebuild
from store.search.retrieval import search


def test_ingest_and_ask_through_a_chroma_server(settings, chroma_server: int) -> None:
    remote = settings.model_copy(update={"chroma_host": "127.0.0.1", "chroma_port": chroma_server})
    report = ingest(remote)
    assert report.papers_new == 62
    assert not (remote.data_dir / "chroma").exists(), "no embedded store was used"
    index = open_index(remote)
    assert index.chunks.count() == report.passages_embedded
    answer = search(index, "Amphion audio music speech generation toolkit", k=3)
    assert answer.hits[0].paper.arxiv_id == "2312.09911"
    assert ingest(remote).passages_embedded == 0


def test_a_new_local_data_dir_refills_bm25_from_the_server(
    settings, chroma_server, tmp_path
) -> None:
    remote = settings.model_copy(update={"chroma_host": "127.0.0.1", "chroma_port": chroma_server})
    ingest(remote)
    elsewhere = remote.model_copy(update={"data_dir": tmp_path / "another-host"})
    rebuild(remote)  # generation 2 is active on the server, and this host has no local files
    index = open_index(elsewhere)
    assert index.generation == 2
    assert index.lexical.count() == index.chunks.count() > 0
    assert ingest(elsewhere).passages_embedded == 0
