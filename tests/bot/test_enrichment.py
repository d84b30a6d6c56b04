"""The bot enriches in the background after each ingest (and at start-up) from the papers'
sources, here a loopback server in their documented shapes: the command that ingested has
answered before any paper is fetched; with no network, or with PAPERBOT_ENRICH=0, the bot
answers as before."""

from __future__ import annotations

import asyncio
import logging

import pytest

from ingest.parse import parse_paths
from measure.sources_server import SourcesServer, closed_port, hf_paper
from store.enrich.english import EnglishVectors
from store.settings import Settings
from tests.conftest import SAMPLES

SAMPLE_IDS = sorted({paper.arxiv_id for paper in parse_paths([SAMPLES]).papers})


@pytest.fixture
def sources():
    papers = {
        i: hf_paper(i, abstract=f"The abstract of {i}.", github=f"https://github.com/lab/{i}")
        for i in SAMPLE_IDS
    }
    with SourcesServer(papers) as running:
        yield running


@pytest.fixture
def where() -> str:
    """Where the bot looks for the sources: `server`, `closed` (no network) or `off`."""
    return "server"


@pytest.fixture
def simcord_bot(digests, sources, where, monkeypatch: pytest.MonkeyPatch):
    from bot import create_bot
    from ingest.pipeline import ingest

    base = sources.hf_api if where != "closed" else f"http://127.0.0.1:{closed_port()}"
    for name, value in {
        "PAPERBOT_ENRICH": "0" if where == "off" else "1",
        "PAPERBOT_HF_API": base,
        "PAPERBOT_ARXIV_API": f"{base}/api/query",
        "PAPERBOT_HF_INTERVAL": "0",
        "PAPERBOT_ARXIV_INTERVAL": "0",
        "PAPERBOT_ENRICH_TIMEOUT": "120",  # a reply held by the test's gate must not time out
    }.items():
        monkeypatch.setenv(name, value)
    ingest(Settings())
    sources.gate.clear()  # the start-up run waits at its first request until the test says
    return create_bot()


async def idle(bot) -> None:
    assert await asyncio.to_thread(bot.enricher.wait, 120)


async def test_reindex_answers_first_then_the_cache_fills_in_the_background(
    simcord_env, simcord_bot, sources, server
) -> None:
    simcord_bot.owner_id = server.admin.id
    result = await server.admin.slash(server.channel, "reindex")
    assert "Index rebuilt" in result.response.content
    # the rebuild is done and answered while the start-up run still waits for its first reply
    assert simcord_bot.enricher.running and simcord_bot.enrichment.counts() == {}
    sources.gate.set()
    await idle(simcord_bot)
    found = simcord_bot.enrichment.found()
    assert sorted(found) == SAMPLE_IDS
    some = found[SAMPLE_IDS[0]]
    assert some.abstract == f"The abstract of {SAMPLE_IDS[0]}." and some.github.endswith(
        SAMPLE_IDS[0]
    )
    # the English text is searchable: its vectors were made in the enrichment's thread
    vectors = EnglishVectors(simcord_bot.settings.data_dir)
    try:
        embedded = {aid for aid, _, _ in vectors.keys(simcord_bot.index.embedder.model)}
    finally:
        vectors.close()
    assert sorted(embedded) == SAMPLE_IDS
    # start-up's run, then the one /reindex asked for (nothing left to fetch by then)
    assert simcord_bot.enricher.runs == 2 and simcord_bot.enricher.last.requests == 0
    assert len(sources.requests("hf")) == len(SAMPLE_IDS)


async def test_the_daily_ingest_enriches_a_new_day(
    simcord_env, simcord_bot, sources, digests
) -> None:
    sources.gate.set()
    await idle(simcord_bot)
    new = "2405.20000"
    (digests / "2099-01-01.md").write_text(
        "## Daily Papers (2099-01-01)\n\n### [A new paper](https://arxiv.org/abs/2405.20000)\n\n"
        "Vote: 3\n\nAuthors: A. Author\n\n- 새 논문의 요약입니다.\n",
        encoding="utf-8",
    )
    sources.hf[new] = hf_paper(new, abstract="Brand new.")
    await simcord_bot.refresh_source()
    await idle(simcord_bot)
    assert simcord_bot.enrichment.get(new).abstract == "Brand new."
    assert sources.requests("hf")[-1].ids == (new,)


@pytest.mark.parametrize("where", ["closed"])
async def test_without_a_network_the_bot_answers_as_before(
    simcord_env, simcord_bot, server, caplog
) -> None:
    with caplog.at_level(logging.INFO, logger="ingest.enrich.background"):
        await idle(simcord_bot)
        assert simcord_bot.enricher.last.unreachable
        await simcord_bot.refresh_source()  # the next daily ingest tries again, quietly
        await idle(simcord_bot)
        result = await server.member.slash(server.channel, "today")
    assert result.followups or result.response
    assert simcord_bot.enrichment.counts() == {}
    records = caplog.get_records("setup") + caplog.records
    warnings = [
        r for r in records if r.name == "ingest.enrich.background" and r.levelno >= logging.WARNING
    ]
    assert len(warnings) == 1 and "cannot reach 127.0.0.1" in warnings[0].getMessage()


@pytest.mark.parametrize("where", ["off"])
async def test_enrich_off_fetches_nothing(simcord_env, simcord_bot, sources, server) -> None:
    sources.gate.set()
    simcord_bot.owner_id = server.admin.id
    assert "Index rebuilt" in (await server.admin.slash(server.channel, "reindex")).response.content
    await simcord_bot.refresh_source()
    assert simcord_bot.enricher is None and sources.seen == []
