"""Exactly once per (server, date, paper): a crash after a card landed, /digest now racing the
daily run, restarts. Each test fails when its guard is removed (see the test's docstring)."""

from __future__ import annotations

import asyncio
from collections import Counter

import discord
import pytest

from tests.bot.helpers import (
    FIRST_POST,
    HOUR,
    LATEST,
    POST_AT,
    cards_in,
    heads,
    overviews,
)


def card_posts(simcord_env, thread_id: int) -> list:
    return [
        r
        for r in simcord_env.http_requests
        if r.method == "POST" and r.path == f"/channels/{thread_id}/messages"
    ]


# SimCord runs the virtual timers due within its settle window at once; these tests look at a
# post while it is still sending, so the window must be shorter than one 50 s card send.
SENDING = pytest.mark.simcord(settle_timeout=30)


@pytest.fixture
def slow_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each message sent into a thread first waits 50 s (virtual), as discord.py does under
    Discord's per-channel rate limit: a day's cards then take minutes to send."""
    real = discord.abc.Messageable.send

    async def send(self, *args, **kwargs):
        if isinstance(self, discord.Thread):
            await asyncio.sleep(50)
        return await real(self, *args, **kwargs)

    monkeypatch.setattr(discord.abc.Messageable, "send", send)


async def test_a_crash_after_a_later_card_landed_does_not_send_it_again(
    simcord_env, server, monkeypatch: pytest.MonkeyPatch, caplog
) -> None:
    """The bot dies after Discord accepted the SECOND card message but before its papers were
    recorded. After a restart the message is found in the thread history and not sent again.
    Red when bot/digest/posting.py skips the history look-up (`_landed`): those cards appear twice."""
    from bot.state.digest import DigestState

    real = DigestState.record_cards
    calls = Counter()

    def record_cards(self, guild_id, day, found, settled=True):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("killed before the write")
        return real(self, guild_id, day, found, settled)

    monkeypatch.setattr(DigestState, "record_cards", record_cards)
    await server.admin.slash(server.channel, "digest set", channel=server.channel)
    await simcord_env.advance_time(POST_AT + 30)
    assert "killed before the write" in caplog.text
    [thread] = server.channel.threads
    landed = [m for m in thread.history() if m.embeds]
    assert len(landed) == 2  # the first card message recorded, the second landed unrecorded
    monkeypatch.setattr(DigestState, "record_cards", real)

    from bot import create_bot

    await simcord_env.restart_bot(create_bot())
    await simcord_env.advance_time(10 * 60)
    assert overviews(server.channel) == [f"Daily Papers {LATEST}"]
    urls = cards_in(thread)
    assert len(urls) == 12 and len(set(urls)) == 12
    assert len(card_posts(simcord_env, thread.id)) == len([m for m in thread.history() if m.embeds])
    await simcord_env.restart_bot(create_bot())
    await simcord_env.advance_time(2 * 24 * HOUR)  # and nothing more on later days
    assert cards_in(thread) == urls and len(heads(server.channel)) == 1


@SENDING
async def test_digest_now_while_the_daily_run_is_sending(simcord_env, server, slow_threads) -> None:
    """/digest now pressed while the 07:00 run is between card messages says so and posts
    nothing. Red when the per-server lock is dropped (`DigestRunner.lock` returning a new lock):
    both runs send the remaining cards."""
    await server.admin.slash(server.channel, "digest set", channel=server.channel)
    await simcord_env.advance_time(POST_AT + 1)  # the run waits to send its first card message
    [thread] = server.channel.threads
    assert len(cards_in(thread)) < 12
    pressed = await server.admin.slash(server.channel, "digest now")
    assert pressed.ephemeral
    assert pressed.response.content == (
        f"A digest post is being sent in <#{server.channel.id}> right now; nothing will be "
        "posted twice. /digest status shows when it is done."
    )
    await simcord_env.advance_time(15 * 60)
    assert overviews(server.channel) == [f"Daily Papers {LATEST}"]
    urls = cards_in(thread)
    assert len(urls) == 12 and len(set(urls)) == 12


@SENDING
async def test_daily_run_while_digest_now_is_sending(simcord_env, server, slow_threads) -> None:
    """The post time comes while /digest now is still sending: the run waits a minute and then
    finds the date posted. Red without the lock: the run sends the remaining cards again."""
    await server.admin.slash(
        server.channel, "digest set", channel=server.channel, time="00:01", timezone="UTC"
    )
    await server.admin.slash(server.channel, "digest now")  # still sending when it returns
    [thread] = server.channel.threads
    assert len(cards_in(thread)) < 12
    await simcord_env.advance_time(15 * 60)  # 00:01 UTC falls inside
    assert overviews(server.channel) == [f"Daily Papers {LATEST}"]
    urls = cards_in(thread)
    assert len(urls) == 12 and len(set(urls)) == 12
    await simcord_env.advance_time(FIRST_POST)
    assert len(heads(server.channel)) == 1 and cards_in(thread) == urls
