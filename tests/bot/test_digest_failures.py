"""The failure policy of the daily post: a channel that is gone or refuses the bot stops the posts
and tells the server; one message gone is re-posted or skipped; transient and persistent errors
are retried with backoff a bounded number of times, and the daily ingest keeps running."""

from __future__ import annotations

import asyncio
from pathlib import Path

import discord
import pytest

from bot.delivery.policy import MAX_TRIES
from store.index import Index
from tests.bot.helpers import (
    FIRST_POST,
    HOUR,
    LATEST,
    POST_AT,
    cards_in,
    deny_bot,
    heads,
    overviews,
    posts_to,
    status_of,
    write_digest,
)


async def test_a_permission_removed_later_stops_posts_and_says_which(simcord_env, server) -> None:
    await server.admin.slash(server.channel, "digest set", channel=server.channel)
    deny_bot(simcord_env, server.channel, send_messages=True)
    await simcord_env.settle()
    await simcord_env.advance_time(FIRST_POST + 2 * 24 * HOUR)
    assert posts_to(simcord_env, server.channel.id) == []  # checked before sending: no 403 loop
    [dm] = server.admin.user.dm_channel.history()
    assert "I am missing Send Messages, Embed Links there" in dm.content  # one implies the other
    status = await status_of(server)
    assert status.splitlines()[0] == (
        "Daily digest: **stopped**, I am missing Send Messages, Embed Links there. "
        "Fix it and run /digest set again."
    )


async def test_a_deleted_channel_stops_posts_with_a_notice_in_the_system_channel(
    simcord_env, server
) -> None:
    """The admin's DMs are closed: the notice goes to the server's system channel."""
    lobby = server.guild.create_text_channel("lobby")
    simcord_env.backend.edit_guild(server.guild.id, {"system_channel_id": lobby.id})
    await server.admin.slash(server.channel, "digest set", channel=server.channel)
    dm = server.admin.user.dm_channel
    simcord_env.inject_error(
        "POST", f"/channels/{dm.id}/messages", status=403, code=50007, times=None,
        message="Cannot send messages to this user",
    )  # fmt: skip
    simcord_env.backend.delete_channel(server.channel.id)
    await simcord_env.settle()
    await simcord_env.advance_time(FIRST_POST)
    [notice] = lobby.history()
    assert notice.content == (
        f"Daily digest posts in **{server.guild.name}** have stopped: I can't post in "
        f"<#{server.channel.id}>: the channel was deleted. Fix it, then run /digest set there "
        "again; /digest status shows the details."
    )
    status = await server.admin.slash(lobby, "digest status")
    assert "**stopped**, the channel was deleted" in status.response.content


async def test_a_start_during_an_outage_does_not_stop_anything(
    simcord_env, server, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Discord reports the server unavailable at start (no channels known): retried, never
    switched off; posted once the server is back."""
    from bot import create_bot

    await server.admin.slash(server.channel, "digest set", channel=server.channel)
    fresh = create_bot()
    monkeypatch.setattr(fresh, "get_guild", lambda guild_id: None)  # unavailable guilds
    await simcord_env.restart_bot(fresh)
    await simcord_env.advance_time(FIRST_POST)
    assert overviews(server.channel) == []
    assert "the server is unavailable" in (await status_of(server))
    monkeypatch.undo()  # the guild is available again
    await simcord_env.advance_time(24 * HOUR)
    assert overviews(server.channel) == [f"Daily Papers {LATEST}"]
    assert (await status_of(server)).startswith("Daily digest: **on**")


async def test_the_overview_deleted_before_its_thread_is_posted_again(simcord_env, server) -> None:
    await server.admin.slash(server.channel, "digest set", channel=server.channel)
    simcord_env.inject_error("POST", "/channels/*/messages/*/threads", status=500, times=1)
    await simcord_env.advance_time(POST_AT + 30)
    [head] = heads(server.channel)
    simcord_env.backend.delete_message(server.channel.id, head.id)  # a moderator deletes it
    await simcord_env.settle()
    await simcord_env.advance_time(10 * 60)
    assert overviews(server.channel) == [f"Daily Papers {LATEST}"]
    [thread] = server.channel.threads
    assert len(cards_in(thread)) == len(set(cards_in(thread))) == 12
    assert (await status_of(server)).startswith("Daily digest: **on**")


@pytest.mark.parametrize("when", ["while sending", "between tries"])
async def test_a_thread_deleted_midway_skips_the_rest_and_keeps_the_schedule(
    simcord_env, server, digests: Path, monkeypatch: pytest.MonkeyPatch, when: str
) -> None:
    real = discord.abc.Messageable.send

    async def slow(self, *args, **kwargs):
        if isinstance(self, discord.Thread):
            await asyncio.sleep(50)
        return await real(self, *args, **kwargs)

    await server.admin.slash(server.channel, "digest set", channel=server.channel)
    if when == "while sending":
        monkeypatch.setattr(discord.abc.Messageable, "send", slow)
        await simcord_env.advance_time(POST_AT + 55)  # the first card message went out
        [thread] = server.channel.threads
        assert 0 < len(cards_in(thread)) < 12
    else:  # the first card message fails; the thread is deleted before the retry
        simcord_env.inject_error("POST", "/channels/*/messages/*/threads", status=500, times=1)
        await simcord_env.advance_time(POST_AT + 30)
        [head] = heads(server.channel)
        simcord_env.inject_error("POST", f"/channels/{head.id}/messages", status=502, times=1)
        await simcord_env.advance_time(90)
        [thread] = server.channel.threads
        assert cards_in(thread) == []
    simcord_env.backend.delete_channel(thread.id)
    await simcord_env.settle()
    await simcord_env.advance_time(10 * 60)
    assert server.channel.threads == [] and len(heads(server.channel)) == 1
    feed = simcord_env.bot.state.digest.guild(server.guild.id)  # the server's one feed
    post = simcord_env.bot.state.digest.post(feed.feed_id, LATEST)
    assert post.status == "partial" and post.attempts == (0 if when == "while sending" else 2)
    write_digest(digests, "2024-05-31", ["2405.90001"])
    await simcord_env.advance_time(24 * HOUR)
    assert overviews(server.channel) == [f"Daily Papers {LATEST}", "Daily Papers 2024-05-31"]
    [new] = server.channel.threads
    assert cards_in(new) == ["https://arxiv.org/abs/2405.90001"]
    assert (await status_of(server)).startswith("Daily digest: **on**")


async def test_transient_errors_back_off_and_then_post_once(simcord_env, server) -> None:
    await server.admin.slash(server.channel, "digest set", channel=server.channel)
    simcord_env.inject_error("POST", f"/channels/{server.channel.id}/messages", status=503, times=4)
    await simcord_env.advance_time(POST_AT + 6 * 60)  # tries at 07:00, :01, :03 failed; next :07
    assert len(posts_to(simcord_env, server.channel.id)) == 3 and overviews(server.channel) == []
    status = await status_of(server)
    assert "Next try:" in status and "503" in status
    await simcord_env.advance_time(20 * 60)  # :07 fails, :15 lands
    assert len(posts_to(simcord_env, server.channel.id)) == 5
    assert overviews(server.channel) == [f"Daily Papers {LATEST}"]
    [thread] = server.channel.threads
    assert len(cards_in(thread)) == 12


async def test_a_persistent_400_ends_after_bounded_tries_and_the_ingest_still_runs(
    simcord_env, simcord_bot, server, digests: Path
) -> None:
    """Every send answers 400 for 26 hours: a bounded number of tries per post time (not one a
    minute), the date is dropped after them, and the next post time still ingests the archive."""
    await server.admin.slash(server.channel, "digest set", channel=server.channel)
    simcord_env.inject_error(
        "POST", f"/channels/{server.channel.id}/messages", status=400, code=50035,
        message="Invalid Form Body", times=None,
    )  # fmt: skip
    await simcord_env.advance_time(POST_AT + 2 * HOUR)
    first_day = len(posts_to(simcord_env, server.channel.id))
    assert first_day == MAX_TRIES
    write_digest(digests, "2024-05-31", ["2405.90001"])  # lands during the outage
    await simcord_env.advance_time(24 * HOUR)
    assert len(posts_to(simcord_env, server.channel.id)) == 2 * MAX_TRIES  # not 1,561
    assert await simcord_bot.query(Index.latest_date) == "2024-05-31"  # ingested all the same
    status = await status_of(server)
    assert "Invalid Form Body" in status and "6 tries; next try at the next post time" in status
    assert f"Gave up on the digest of {LATEST}" not in status  # the newer note replaced it
    assert "Gave up on the digest of 2024-05-31 after repeated errors." in status
    assert status.startswith("Daily digest: **on**")


@pytest.mark.parametrize(
    "stage", ["before its thread", "between card messages", "old channel deleted"]
)
async def test_a_second_channel_added_while_a_post_is_half_done(
    simcord_env, server, digests: Path, monkeypatch: pytest.MonkeyPatch, stage: str
) -> None:
    """/digest set in another channel adds a second feed (since topic channels; it used to
    move the server's one channel). The date being sent in the first channel is finished there
    (one overview, one thread, every card once); when that channel is deleted only its feed
    stops and the admin is told; the new channel starts at its next post time."""
    real = discord.abc.Messageable.send

    async def slow(self, *args, **kwargs):
        if isinstance(self, discord.Thread):
            await asyncio.sleep(50)
        return await real(self, *args, **kwargs)

    if stage == "between card messages":
        monkeypatch.setattr(discord.abc.Messageable, "send", slow)
    else:
        simcord_env.inject_error("POST", "/channels/*/messages/*/threads", status=500, times=1)
    other = server.guild.create_text_channel("papers-2")
    await server.admin.slash(server.channel, "digest set", channel=server.channel)
    await simcord_env.advance_time(POST_AT + 1)
    assert len(heads(server.channel)) == 1
    added = await server.admin.slash(server.channel, "digest set", channel=other)
    assert f"Daily digest: <#{other.id}> at 07:00" in added.response.content
    if stage == "old channel deleted":
        simcord_env.backend.delete_channel(server.channel.id)
        await simcord_env.settle()
    await simcord_env.advance_time(10 * 60)
    if stage != "old channel deleted":
        [thread] = server.channel.threads
        assert len(cards_in(thread)) == len(set(cards_in(thread))) == 12
        assert overviews(server.channel) == [f"Daily Papers {LATEST}"]
    assert overviews(other) == []
    write_digest(digests, "2024-05-31", ["2405.90001"])
    await simcord_env.advance_time(24 * HOUR)
    assert overviews(other) == ["Daily Papers 2024-05-31"]
    status = (await server.admin.slash(other, "digest status")).response.content
    first, second = status.split("\n\n")
    assert second.startswith(f"Daily digest: **on**\nChannel: <#{other.id}>")
    dms = server.admin.user.dm_channel.history()
    if stage == "old channel deleted":
        assert first.startswith("Daily digest: **stopped**, the channel was deleted")
        [dm] = dms
        assert f"<#{server.channel.id}>: the channel was deleted" in dm.content
    else:
        assert first.startswith(f"Daily digest: **on**\nChannel: <#{server.channel.id}>")
        assert overviews(server.channel) == [f"Daily Papers {LATEST}", "Daily Papers 2024-05-31"]
        assert dms == []


async def test_digest_set_says_which_permissions_are_missing(simcord_env, server) -> None:
    locked = server.guild.create_text_channel("locked")
    deny_bot(simcord_env, locked, embed_links=True, create_public_threads=True)
    await simcord_env.settle()
    result = await server.admin.slash(server.channel, "digest set", channel=locked)
    assert result.ephemeral
    assert result.response.content == (
        f"I can't post the digest in <#{locked.id}>: I am missing Embed Links, Create Public "
        "Threads there. Give me these permissions in that channel, then run /digest set again."
    )
    assert simcord_env.errors
    status = await server.admin.slash(server.channel, "digest status")
    assert "No digest channel is set" in status.response.content
    assert simcord_env.errors


async def test_the_bot_removed_from_a_server_stops_its_posts(
    simcord_env, simcord_bot, server
) -> None:
    """Kicked (GUILD_DELETE without `unavailable`): posts stop at once, no retries every day.
    An outage (an unavailable server) is the test above and stops nothing."""
    await server.admin.slash(server.channel, "digest set", channel=server.channel)
    simcord_env.backend.remove_guild(server.guild.id)
    await simcord_env.settle()
    await simcord_env.advance_time(FIRST_POST + 2 * 24 * HOUR)
    config = simcord_bot.state.digest.guild(server.guild.id)
    assert not config.enabled and config.stopped == {"key": "stop_removed", "values": {}}
    assert config.last_error is None  # never tried


def test_an_old_state_file_is_migrated(tmp_path: Path) -> None:
    """A data dir from before the cards table: columns are added, and a post interrupted
    mid-cards is marked to be looked up in the history instead of counted."""
    import sqlite3

    from bot.state import State

    path = tmp_path / "bot.sqlite"
    old = sqlite3.connect(path)
    old.executescript(
        "CREATE TABLE guilds (guild_id INTEGER PRIMARY KEY, channel_id INTEGER NOT NULL,"
        " post_time TEXT NOT NULL, timezone TEXT NOT NULL, lang TEXT,"
        " enabled INTEGER NOT NULL DEFAULT 1, next_due TEXT NOT NULL);"
        "CREATE TABLE posts (guild_id INTEGER NOT NULL, day TEXT NOT NULL, status TEXT NOT NULL,"
        " channel_id INTEGER NOT NULL, message_id INTEGER, thread_id INTEGER,"
        " parts_done INTEGER NOT NULL DEFAULT 0, attempts INTEGER NOT NULL DEFAULT 0,"
        " PRIMARY KEY (guild_id, day));"
        "INSERT INTO guilds VALUES (1, 2, '07:00', 'Asia/Seoul', NULL, 1, '2026-01-01T22:00:00+00:00');"
        "INSERT INTO posts VALUES (1, '2024-05-30', 'posting', 2, 3, 3, 2, 0);"
    )
    old.commit()
    old.close()
    state = State(path)
    config = state.digest.guild(1)
    assert config.enabled and config.run_kind == "slot" and config.stopped is None
    post = state.digest.post(config.feed_id, "2024-05-30")
    assert post.pending == "cards" and post.message_id == 3
    state.close()


async def test_a_5xx_outage_longer_than_the_tries_keeps_the_date(simcord_env, server) -> None:
    """Every send answers 503 for the whole first post time: six tries, then the run waits for
    the next post time and posts the date then. Red when a 5xx counts as permanent (the date is
    dropped after the tries, as a 400's is, and never posted)."""
    await server.admin.slash(server.channel, "digest set", channel=server.channel)
    path = f"/channels/{server.channel.id}/messages"
    simcord_env.inject_error("POST", path, status=503, times=MAX_TRIES)
    await simcord_env.advance_time(POST_AT + 2 * HOUR)
    assert len(posts_to(simcord_env, server.channel.id)) == MAX_TRIES
    status = await status_of(server)
    assert "503" in status and "6 tries; next try at the next post time" in status
    assert "Gave up" not in status
    await simcord_env.advance_time(24 * HOUR)
    assert overviews(server.channel) == [f"Daily Papers {LATEST}"]
    [thread] = server.channel.threads
    assert len(cards_in(thread)) == 12


async def test_unknown_channel_on_send_stops_posts_and_tells_the_admin(simcord_env, server) -> None:
    """The channel is still in the bot's cache but Discord answers 404 Unknown Channel (10003)
    to the send: one POST, posts stop, the admin is told. Red without the 404 branch of the
    failure policy (six tries a day, the date dropped, nobody told)."""
    await server.admin.slash(server.channel, "digest set", channel=server.channel)
    path = f"/channels/{server.channel.id}/messages"
    simcord_env.inject_error(
        "POST", path, status=404, code=10003, message="Unknown Channel", times=None
    )
    await simcord_env.advance_time(FIRST_POST + 2 * 24 * HOUR)
    assert len(posts_to(simcord_env, server.channel.id)) == 1
    [dm] = server.admin.user.dm_channel.history()
    assert "the channel was deleted" in dm.content
    assert (await status_of(server)).startswith(
        "Daily digest: **stopped**, the channel was deleted"
    )
