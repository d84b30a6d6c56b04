"""Digest channels (feeds) around topic channels: a bot.sqlite from before them opens with its
records and keeps posting without reposting; /digest set's options are checked; a server has at
most MAX_FEEDS channels; /digest off stops one channel or all."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.state.digest import MAX_FEEDS
from tests.bot.helpers import FIRST_POST, HOUR, LATEST, POST_AT, cards_in, heads, overviews

# The daily post's tables as the release before topic channels created them (its _SCHEMA with
# every column of its _ADDED), copied here so that a change to the migration cannot change them.
OLD_SCHEMA = """
CREATE TABLE guilds (guild_id INTEGER PRIMARY KEY, channel_id INTEGER NOT NULL,
    post_time TEXT NOT NULL, timezone TEXT NOT NULL, lang TEXT,
    enabled INTEGER NOT NULL DEFAULT 1, next_due TEXT NOT NULL, set_by INTEGER, set_at TEXT,
    fresh INTEGER NOT NULL DEFAULT 0, run_kind TEXT NOT NULL DEFAULT 'slot',
    tries INTEGER NOT NULL DEFAULT 0, stopped TEXT, last_error TEXT, last_error_at TEXT,
    note TEXT);
CREATE TABLE posts (guild_id INTEGER NOT NULL, day TEXT NOT NULL, status TEXT NOT NULL,
    channel_id INTEGER NOT NULL, message_id INTEGER, thread_id INTEGER,
    parts_done INTEGER NOT NULL DEFAULT 0, attempts INTEGER NOT NULL DEFAULT 0, pending TEXT,
    finished_at TEXT, PRIMARY KEY (guild_id, day));
CREATE TABLE cards (guild_id INTEGER NOT NULL, day TEXT NOT NULL, arxiv_id TEXT NOT NULL,
    message_id INTEGER NOT NULL, PRIMARY KEY (guild_id, day, arxiv_id));
"""
SETTINGS = (
    "channel_id, post_time, timezone, lang, enabled, next_due, set_by, set_at, fresh, run_kind,"
    " tries, stopped, last_error, last_error_at, note"
)
POST = "day, status, channel_id, message_id, thread_id, attempts, pending, finished_at"


def back_to_the_old_layout(path: Path) -> None:
    """Rewrite the feed tables of a one-channel-per-server file as the old release kept them."""
    db = sqlite3.connect(path, isolation_level=None)
    db.executescript(OLD_SCHEMA)
    db.execute(
        f"INSERT INTO guilds (guild_id, {SETTINGS}) SELECT guild_id, {SETTINGS} FROM digest_feeds"
    )
    db.execute(
        f"INSERT INTO posts (guild_id, {POST}) SELECT f.guild_id, {', '.join('p.' + c.strip() for c in POST.split(','))}"
        " FROM digest_posts p JOIN digest_feeds f USING (feed_id)"
    )
    db.execute(
        "INSERT INTO cards SELECT f.guild_id, c.day, c.arxiv_id, c.message_id"
        " FROM digest_cards c JOIN digest_feeds f USING (feed_id)"
    )
    for table in ("digest_cards", "digest_posts", "digest_feeds"):
        db.execute(f"DROP TABLE {table}")
    db.close()


def tables(path: Path) -> set[str]:
    db = sqlite3.connect(path)
    try:
        return {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    finally:
        db.close()


def test_an_old_file_becomes_one_feed_per_server_with_every_record(tmp_path: Path) -> None:
    from bot.state import State

    path = tmp_path / "bot.sqlite"
    old = sqlite3.connect(path, isolation_level=None)
    old.executescript(OLD_SCHEMA)
    old.executescript(
        "INSERT INTO guilds VALUES (7, 70, '08:30', 'UTC', 'ko', 1, '2026-01-02T08:30:00+00:00',"
        " 5, '2026-01-01T00:00:00+00:00', 0, 'retry', 2, NULL, '503', '2026-01-01T08:31:00+00:00',"
        ' \'{"key": "note_abandoned", "values": {"day": "2024-05-28"}}\');'
        "INSERT INTO guilds VALUES (9, 90, '07:00', 'Asia/Seoul', NULL, 0, '2026-01-02T22:00:00+00:00',"
        ' NULL, NULL, 0, \'slot\', 0, \'{"key": "stop_deleted", "values": {}}\', NULL, NULL, NULL);'
        "INSERT INTO posts VALUES (7, '2024-05-29', 'posted', 70, 1, 2, 0, 0, NULL, 'x');"
        "INSERT INTO posts VALUES (7, '2024-05-30', 'posting', 70, 3, 4, 0, 1, 'cards', NULL);"
        "INSERT INTO posts VALUES (9, '2024-05-30', 'posted', 90, 8, 0, 0, 0, NULL, 'y');"
        "INSERT INTO cards VALUES (7, '2024-05-30', '2405.00001', 5);"
    )
    old.close()
    state = State(path)
    [feed] = state.digest.feeds(7)
    assert (feed.channel_id, feed.topic, feed.empty, feed.post_time, feed.timezone) == (
        70,
        None,
        "quiet",
        "08:30",
        "UTC",
    )
    assert (feed.lang, feed.enabled, feed.set_by, feed.run_kind, feed.tries) == (
        "ko",
        True,
        5,
        "retry",
        2,
    )
    assert feed.last_error == "503" and feed.note["key"] == "note_abandoned"
    assert state.digest.statuses(feed.feed_id) == {"2024-05-29": "posted", "2024-05-30": "posting"}
    post = state.digest.post(feed.feed_id, "2024-05-30")
    assert (post.message_id, post.thread_id, post.pending, post.attempts) == (3, 4, "cards", 1)
    assert state.digest.cards(feed.feed_id, "2024-05-30") == {"2405.00001"}
    [off] = state.digest.feeds(9)
    assert not off.enabled and off.stopped == {"key": "stop_deleted", "values": {}}
    assert state.digest.statuses(off.feed_id) == {"2024-05-30": "posted"}
    state.close()
    assert not tables(path) & {"guilds", "posts", "cards"}
    again = State(path)  # opened a second time: nothing moved twice
    assert len(again.digest.feeds(7)) == 1 and again.digest.cards(feed.feed_id, "2024-05-30")
    again.close()


async def test_an_upgraded_server_finishes_its_post_once_and_keeps_posting(
    simcord_env, simcord_bot, server, digests
) -> None:
    """The old release had sent the overview but crashed before recording it (pending, no
    message id) and before the thread: after the upgrade the overview is found in the channel,
    the thread and cards follow once, and later days are posted once each."""
    from bot import create_bot
    from tests.bot.helpers import write_digest

    await server.admin.slash(server.channel, "digest set", channel=server.channel)
    simcord_env.inject_error("POST", "/channels/*/messages/*/threads", status=500, times=1)
    await simcord_env.advance_time(POST_AT + 30)
    assert len(heads(server.channel)) == 1 and server.channel.threads == []
    path = simcord_bot.settings.data_dir / "bot.sqlite"
    simcord_bot.state.db.execute(
        "UPDATE digest_posts SET message_id = NULL, pending = 'overview'"
    )  # the crash: the overview landed, its id was never written
    back_to_the_old_layout(path)
    assert {"guilds", "posts"} <= tables(path)

    await simcord_env.restart_bot(create_bot())
    await simcord_env.advance_time(10 * 60)
    assert overviews(server.channel) == [f"Daily Papers {LATEST}"]
    [thread] = server.channel.threads
    assert len(cards_in(thread)) == len(set(cards_in(thread))) == 12
    write_digest(digests, "2024-05-31", ["2405.90001"])
    await simcord_env.advance_time(2 * 24 * HOUR)
    assert overviews(server.channel) == [f"Daily Papers {LATEST}", "Daily Papers 2024-05-31"]
    status = (await server.admin.slash(server.channel, "digest status")).response.content
    assert status.startswith(f"Daily digest: **on**\nChannel: <#{server.channel.id}> at 07:00")


@pytest.mark.parametrize(
    ("options", "says"),
    [
        ({"topic": "x" * 101}, "A topic can be at most 100 characters."),
        (
            {"empty": "line"},
            "`empty` is for topic channels: a channel without a topic gets every paper.",
        ),
        ({"topic": "\u200b\u200b", "empty": "line"}, "`empty` is for topic channels"),
    ],
)
async def test_bad_topic_options_get_a_short_private_reply(
    simcord_env, server, options, says
) -> None:
    result = await server.admin.slash(
        server.channel, "digest set", channel=server.channel, **options
    )
    assert result.ephemeral and result.response.content.startswith(says)
    assert simcord_env.errors
    assert simcord_env.bot.state.digest.feeds(server.guild.id) == []


async def test_an_invisible_topic_means_every_paper(simcord_env, server) -> None:
    result = await server.admin.slash(
        server.channel, "digest set", channel=server.channel, topic="\u200b \u2066"
    )
    assert result.response.content.startswith(f"Daily digest: <#{server.channel.id}> at 07:00")
    [feed] = simcord_env.bot.state.digest.feeds(server.guild.id)
    assert feed.topic is None


async def test_at_most_ten_channels_and_off_stops_one_or_all(simcord_env, server) -> None:
    channels = [server.guild.create_text_channel(f"c{n}") for n in range(MAX_FEEDS + 1)]
    for channel in channels[:MAX_FEEDS]:
        await server.admin.slash(
            server.channel, "digest set", channel=channel, topic=f"topic {channel.name}"
        )
    refused = await server.admin.slash(server.channel, "digest set", channel=channels[-1])
    assert refused.ephemeral and refused.response.content == (
        "This server already has 10 digest channels; turn one off with /digest off first."
    )
    assert simcord_env.errors
    again = await server.admin.slash(
        server.channel, "digest set", channel=channels[0], time="09:00"
    )
    assert again.response.content.startswith(
        f"Daily digest: <#{channels[0].id}> at 09:00"
    )  # an update
    off = await server.admin.slash(server.channel, "digest off", channel=channels[1])
    assert off.response.content == f"Daily digest posts in <#{channels[1].id}> are off."
    feeds = simcord_env.bot.state.digest.feeds(server.guild.id)
    assert [f.channel_id for f in feeds if not f.enabled] == [channels[1].id]  # only that one
    added = await server.admin.slash(server.channel, "digest set", channel=channels[-1])
    # no time given: the main feed's (the oldest without a topic: channels[0], now at 09:00)
    assert added.response.content.startswith(f"Daily digest: <#{channels[-1].id}> at 09:00")
    everything = await server.admin.slash(server.channel, "digest off")
    assert everything.response.content == "Daily digest posts are off."
    await simcord_env.advance_time(FIRST_POST)
    assert all(overviews(c) == [] for c in channels)
    status = await server.admin.slash(server.channel, "digest status")
    texts = [status.response.content] + [m.content for m in status.followups]
    assert all(len(text) <= 2000 for text in texts)
    shown = "\n".join(texts)
    assert shown.count("Daily digest: **off**") == MAX_FEEDS + 1
    assert all(f"<#{c.id}>" in shown for c in channels)
