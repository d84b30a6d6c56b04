"""Generations: names built from parts, never parsed; the pointer moves for any model name;
every process follows it; a catalogue never loses a write."""

from __future__ import annotations

import threading

import pytest

from ingest.pipeline import CHUNKING, ingest, open_handle, rebuild
from store.embedders import HashEmbedder, e5_prefixes
from store.index.catalogue import Catalogue
from store.index.generations import Generation, Layout
from store.index.handle import IndexHandle
from tests.store.test_index import PAPERS, make_paper, write


class NamedHash(HashEmbedder):
    """The fake embedder under a real-world model name."""

    def __init__(self, model: str) -> None:
        self.model = model
        self.name = model.rstrip("/").split("/")[-1]


@pytest.mark.parametrize("model", ["intfloat/multilingual-e5-small", "a-b-c-d"])
def test_rebuild_moves_the_pointer_for_names_with_dashes(settings, model: str) -> None:
    embedder = NamedHash(model)
    ingest(settings, index=open_handle(settings, embedder).writable())
    first = open_handle(settings, embedder).current()
    fresh, _ = rebuild(settings, first)
    reopened = open_handle(settings, embedder).current()
    assert reopened.generation == fresh.generation == first.generation + 1
    assert len(reopened.by_id) == 62
    fresh2, _ = rebuild(settings, reopened)
    assert open_handle(settings, embedder).current().generation == fresh2.generation


def test_models_that_slug_alike_never_share_collections() -> None:
    a = Layout("e5-small", "orgA/e5-small", "c2s400")
    b = Layout("e5-small", "orgB/e5-small", "c2s400")
    assert a.key != b.key and a.key.startswith("pb-e5-small-")


@pytest.mark.parametrize(
    ("model", "prefixed"),
    [
        ("intfloat/multilingual-e5-small", True),
        ("intfloat/e5-base-v2", True),
        ("/models/me5-tuned/all-MiniLM-L6-v2", False),
        ("sentence-transformers/e5ish-model", False),
    ],
)
def test_e5_prefixes_only_for_e5_models(model: str, prefixed: bool) -> None:
    assert (e5_prefixes(model) == ("query: ", "passage: ")) is prefixed


def test_a_process_follows_rebuilds_made_elsewhere(settings) -> None:
    ingest(settings)
    bot = open_handle(settings)
    bot.refresh_s = 0.0
    seen = bot.current()
    for _ in range(2):  # after two rebuilds the first generation is gone from Chroma
        rebuild(settings, open_handle(settings).current())
    index = bot.current()
    assert index.generation == seen.generation + 2
    assert index.get("2312.09911") is not None and index.chunks.count() > 0


def test_a_write_made_elsewhere_reaches_this_catalogue(settings) -> None:
    ingest(settings)
    bot = open_handle(settings)
    bot.refresh_s = 0.0
    assert bot.current().get("2401.00001") is None
    other = open_handle(settings).writable()
    write(other, PAPERS[0])
    assert bot.current().get("2401.00001") is not None


def test_a_load_running_during_a_write_never_loses_it() -> None:
    """The catalogue loads while a write lands: the write must survive the load."""
    stored = [make_paper("2401.00001", "2024-01-01", 1, "a")]
    loading, release = threading.Event(), threading.Event()

    def slow_load():
        snapshot = list(stored)  # read before the write below
        loading.set()
        release.wait(5)
        return snapshot

    catalogue = Catalogue(slow_load)
    reader = threading.Thread(target=catalogue.papers)
    reader.start()
    loading.wait(5)
    new = make_paper("2401.00002", "2024-01-02", 2, "b")
    stored.append(new)
    writer = threading.Thread(target=catalogue.put, args=([new],))
    writer.start()
    release.set()
    reader.join(5)
    writer.join(5)
    assert set(catalogue.papers()) == {"2401.00001", "2401.00002"}
    assert catalogue.dates() == ["2024-01-01", "2024-01-02"]


def test_handle_answers_from_an_empty_index_before_the_first_ingest(settings) -> None:
    index = IndexHandle(settings, HashEmbedder(), "c2s400").current()
    assert index.latest_date() is None and index.registry.state().active is None


def test_an_index_made_before_the_registry_is_adopted(settings) -> None:
    """A data dir from before the registry (collections `pb-<embedder>-<chunking>-g1-*`, no
    registry entry) keeps answering after the upgrade, and the next write registers it."""
    handle = IndexHandle(settings, HashEmbedder(), "test")
    old = Generation(handle.registry.layout.key, 1, "pb-hash-test-g1")
    write(handle.open(old), PAPERS[0])
    upgraded = IndexHandle(settings, HashEmbedder(), "test").current()
    assert upgraded.gen.prefix == "pb-hash-test-g1"
    assert upgraded.get("2401.00001") is not None


def test_a_handle_looks_at_the_registry_again_within_seconds(settings) -> None:
    """A host follows what another one wrote within seconds (REFRESH_S: every 2 s), and between
    two looks answers from what it has (the clock is the handle's, moved by hand)."""
    ingest(settings)
    now = [1000.0]
    follower = IndexHandle(settings, HashEmbedder(), CHUNKING, clock=lambda: now[0])
    assert follower.current().get("2401.00001") is None
    write(open_handle(settings).writable(), PAPERS[0])  # written by another process or host
    now[0] += 1.0
    assert follower.current().get("2401.00001") is None, "no registry read between looks"
    now[0] += 1.5
    assert follower.current().get("2401.00001") is not None, "seen 2.5 s after the last look"
