"""Crash safety, shown by killing: an ingest or a rebuild SIGKILLed after any write step is
completed by the next run, Chroma and BM25 agree, a further run embeds nothing, and a killed
rebuild leaves the old index answering and its half-built generation is dropped next time.

The kill comes from the process itself at a named point (store/index/faults.py), so every step is
hit exactly, not by the luck of a timer."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from ingest.pipeline import open_index
from store.search.retrieval import search

WRITE_STEPS = ["passages-removed", "chunks-added", "lexical-written", "papers-written"]


def paperbot(env: dict[str, str], *args: str, crash_at: str | None = None) -> dict | None:
    run_env = {**env, "PAPERBOT_CRASH_AT": crash_at} if crash_at else env
    done = subprocess.run(  # noqa: PLW1510 — the return code is asserted below
        [sys.executable, "-m", "bot.cli", *args, "--json"],
        env=run_env,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=env["PAPERBOT_DATA_DIR"].rsplit("/", 1)[0],
    )
    if crash_at:
        assert done.returncode == -signal.SIGKILL, done.stderr
        return None
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def assert_complete(settings, papers: int) -> None:
    index = open_index(settings)
    assert len(index.by_id) == papers
    with_passages = {m["arxiv_id"] for m in index.chunks.get(include=["metadatas"])["metadatas"]}
    assert with_passages == set(index.by_id), "every paper has its passages, and only those"
    assert index.lexical.count() == index.chunks.count(), "Chroma and BM25 agree"
    index.close()


@pytest.mark.parametrize("step", WRITE_STEPS)
def test_a_killed_ingest_is_completed_by_the_next(env, settings, step: str) -> None:
    paperbot(env, "ingest", crash_at=step)
    report = paperbot(env, "ingest")
    redone = report["papers_new"] + report["papers_updated"]
    assert redone == (0 if step == "papers-written" else 62), "exactly the unfinished work"
    assert_complete(settings, 62)
    assert paperbot(env, "ingest")["passages_embedded"] == 0


def test_a_killed_removal_is_completed_by_the_next(env, settings) -> None:
    paperbot(env, "ingest")
    (Path(env["PAPERBOT_DIGESTS"]) / "2024-03-14.md").unlink()
    paperbot(env, "ingest", crash_at="removal-passages-gone")
    assert paperbot(env, "ingest")["papers_removed"] == 9
    assert_complete(settings, 53)


@pytest.mark.parametrize("step", ["chunks-added", "papers-written", "rebuild-filled"])
def test_a_killed_rebuild_leaves_the_old_index_answering(env, settings, step: str) -> None:
    paperbot(env, "ingest")
    before = open_index(settings)
    generation = before.generation
    before.close()
    paperbot(env, "ingest", "--full", crash_at=step)
    index = open_index(settings)
    assert index.generation == generation
    assert search(index, "Amphion audio music speech toolkit", k=1).hits[0].paper.arxiv_id == (
        "2312.09911"
    )
    assert index.registry.state().building, "the dead rebuild is still registered"
    index.close()
    paperbot(env, "ingest", "--full")
    index = open_index(settings)
    state = index.registry.state()
    assert index.generation > generation and state.building == ()
    assert sorted(n for n, _ in state.prefixes) == sorted([state.active, state.previous])
    names = {c.name for c in index.client.list_collections()}
    assert not any(
        f"-g{n}-" in name
        for name in names
        for n in range(generation + 1, 99)
        if n not in (state.active, state.previous)
    ), "half-built collections dropped"
    index.close()
    assert_complete(settings, 62)
