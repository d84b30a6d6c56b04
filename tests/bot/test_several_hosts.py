"""Bots on several hosts of one Chroma server (a real `chroma run` on loopback): the bot that
holds the ingest duty runs the scheduled ingests; another bot skips them with a log line (its
own digest folder may lag behind, and an ingest mirrors the folder) and still serves the days
the writer added: /today moves on and the subscription DM goes out."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest

from ingest.pipeline import ingest, open_handle, open_index
from store.index.lease import Lease
from store.settings import Settings
from tests.bot.test_subscriptions import CAMERA, MATH, dms, linked, said, world, write_day
from tests.hosts import host

__all__ = ["world"]  # the fixture, shared with the subscription tests
HOUR = 3600
NEW_DAY = "2024-05-31"


@pytest.fixture
def shared(settings, chroma_server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """This bot's host (the `settings` data dir, its own copy of the samples) and host A, the
    writer, with another data dir and digest folder, both on the server."""
    monkeypatch.setenv("CHROMA_HOST", "127.0.0.1")
    monkeypatch.setenv("CHROMA_PORT", str(chroma_server))
    mine = tmp_path / "digests-b"
    shutil.copytree(settings.digests, mine)
    monkeypatch.setenv("PAPERBOT_DIGESTS", str(mine))
    theirs = tmp_path / "digests-a"
    shutil.copytree(settings.digests, theirs)
    writer = host(settings, chroma_server, tmp_path / "host-a", theirs)
    ingest(writer)
    return writer, mine


@pytest.fixture
def duty_elsewhere(shared):
    """Host A's bot holds the ingest duty (here: its lease, held by the test)."""
    writer, _ = shared
    lease = Lease(open_handle(writer).registry, "duty", "paperbot run")
    assert lease.claim() is None
    lease.keep()
    yield lease
    lease.release()


@pytest.fixture
def simcord_bot(shared, request: pytest.FixtureRequest):
    from bot import create_bot

    if "duty_elsewhere" in request.fixturenames:  # taken before this bot starts
        request.getfixturevalue("duty_elsewhere")
    bot = create_bot(Settings())
    yield bot
    # SimCord detaches the bot without closing it: the duty lease it took would go on renewing
    # (and logging that the stopped server refuses it) in later tests
    if bot.duty is not None:
        bot.duty.release()


async def test_a_follower_skips_the_scheduled_ingest_and_serves_the_writers_day(
    duty_elsewhere, simcord_env, simcord_bot, world, shared, caplog: pytest.LogCaptureFixture
) -> None:
    writer, mine = shared
    simcord_bot.indexes.refresh_s = 0.0  # SimCord's hour takes no real time; REFRESH_S is real
    caplog.set_level(logging.INFO, logger="bot.app")
    await world.alice.slash(world.channel, "subscribe", topic="camera control for video generation")
    await simcord_env.advance_time(10 * 60)  # the first look records the papers already there
    write_day(Path(writer.digests), NEW_DAY, [CAMERA, MATH])
    ingest(writer)  # host A ingests the new day; this host's folder never gets it
    await simcord_env.advance_time(HOUR)
    today = said(await world.alice.slash(world.channel, "today"))
    assert NEW_DAY in today.embeds[0].title
    [dm] = dms(world.users["alice"])
    assert f"arxiv.org/abs/{CAMERA}" in linked(dm) and MATH not in linked(dm)
    assert open_index(writer).get(CAMERA) is not None, "this host did not mirror its old folder"
    assert any("ingest duty" in r.getMessage() for r in caplog.records), "skipped, with a line"
    assert not (mine / f"{NEW_DAY}.md").exists()


async def test_the_bot_with_the_duty_runs_the_scheduled_ingest(
    simcord_env, simcord_bot, world, shared
) -> None:
    writer, mine = shared
    simcord_bot.indexes.refresh_s = 0.0
    assert simcord_bot.duty is not None and simcord_bot.duty.held, "no other bot: this one"
    write_day(mine, NEW_DAY, [CAMERA, MATH])
    await simcord_env.advance_time(HOUR)
    today = said(await world.alice.slash(world.channel, "today"))
    assert NEW_DAY in today.embeds[0].title
    assert open_index(writer).get(CAMERA) is not None, "written to the shared store"


async def test_a_scheduled_ingest_meeting_another_writer_skips_with_one_line(
    simcord_env, simcord_bot, world, shared, caplog: pytest.LogCaptureFixture
) -> None:
    """`paperbot ingest` runs on some host when the bot's hour comes: the bot waits for the
    next one, saying so in one line, not with a failure and a traceback."""
    from store.index import lease

    writer, mine = shared
    write_day(mine, NEW_DAY, [CAMERA, MATH])
    caplog.set_level(logging.INFO)
    with lease.writing(open_handle(writer).registry, "paperbot ingest"):
        await simcord_env.advance_time(HOUR)
    said_it = [r for r in caplog.records if "being written by `paperbot ingest`" in r.getMessage()]
    assert said_it and said_it[0].levelno < logging.ERROR and not said_it[0].exc_info
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert open_index(writer).get(CAMERA) is None, "nothing written meanwhile"
