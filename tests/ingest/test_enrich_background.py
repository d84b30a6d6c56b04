"""The background runner the bot uses: one run at a time, a request meanwhile queued once, a
failure logged and not raised, a stop that cuts the pauses short, one warning for a network
that stays down."""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

import pytest

from ingest.enrich import Sources
from ingest.enrich.background import Background
from measure.sources_server import SourcesServer, closed_port, hf_paper
from store.enrich import EnrichCache

IDS = [f"2405.{n:05d}" for n in range(6)]


@pytest.fixture
def server():
    with SourcesServer({i: hf_paper(i) for i in IDS}) as running:
        yield running


@pytest.fixture
def cache(tmp_path: Path):
    opened = EnrichCache(tmp_path)
    yield opened
    opened.close()


def sources_of(server: SourcesServer, **changes) -> Sources:
    base = Sources(server.hf_api, server.arxiv_api, hf_interval=0, arxiv_interval=0, backoff=0.01)
    return replace(base, **changes)


def test_a_request_while_a_run_goes_is_queued_once(server, cache) -> None:
    server.gate.clear()  # the first run waits at its first request
    background = Background(cache, sources_of(server), lambda: IDS)
    background.request("first")
    for why in ("second", "third", "fourth"):
        background.request(why)
    assert background.running and cache.counts() == {}
    server.gate.set()
    assert background.wait(120)
    assert background.runs == 2  # the first, then one more for all the requests meanwhile
    assert background.last.requests == 0  # nothing was due any more
    assert cache.counts() == {"ok": len(IDS)} and len(server.requests("hf")) == len(IDS)


def test_stop_cuts_the_pause_between_requests_short(server, cache) -> None:
    background = Background(cache, sources_of(server, hf_interval=30), lambda: IDS)
    background.request("start")
    while not server.requests("hf"):
        server.gate.wait(0.05)
    assert background.stop(120)
    assert len(server.requests("hf")) == 1 and background.last.ended == "stopped"
    background.request("after the stop")  # a closed bot starts no more runs
    assert not background.running


def test_a_failing_run_is_logged_not_raised(cache, caplog) -> None:
    def broken() -> list[str]:
        raise RuntimeError("the index is gone")

    background = Background(cache, Sources(), broken)
    with caplog.at_level(logging.ERROR):
        background.request("start")
        assert background.wait(120)
    assert "enrichment (start) failed" in caplog.text and "the index is gone" in caplog.text


def test_a_network_that_stays_down_is_one_warning(cache, caplog) -> None:
    port = closed_port()
    dead = Sources(f"http://127.0.0.1:{port}", f"http://127.0.0.1:{port}/api/query")
    background = Background(cache, dead, lambda: IDS)
    with caplog.at_level(logging.INFO, logger="ingest.enrich.background"):
        for why in ("start-up", "daily ingest", "daily ingest"):
            background.request(why)
            assert background.wait(120)
    lines = [r for r in caplog.records if r.name == "ingest.enrich.background"]
    assert [r.levelno for r in lines] == [logging.WARNING, logging.INFO, logging.INFO]
    assert "cannot reach 127.0.0.1" in lines[0].getMessage()
    assert cache.counts() == {}


def test_a_run_with_nothing_due_logs_no_info_line(server, cache, caplog) -> None:
    background = Background(cache, sources_of(server), lambda: IDS)
    with caplog.at_level(logging.INFO, logger="ingest.enrich.background"):
        for why in ("start-up", "daily ingest"):
            background.request(why)
            assert background.wait(120)
    [line] = [r.getMessage() for r in caplog.records if r.name == "ingest.enrich.background"]
    assert line.startswith("enrichment (start-up): enriched 6 papers in ")
