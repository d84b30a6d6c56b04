"""The daily post's tables before topic channels (one channel per server: `guilds`, `posts`,
`cards`, keyed by the server) and their one-time move into the feed tables of
bot/state/digest.py.

A file that still has `guilds` is brought up to that layout's last version first (its added
columns, and a post interrupted under the oldest layout marked to be looked up in the history),
then every server becomes one feed (its channel, no topic) and every post and card record moves
to that feed unchanged: a date posted or half posted before the upgrade is never posted again,
and a send left pending is still looked for in the history first. The copy and the removal of
the old tables are one transaction: a crash leaves either the old tables or the new records.
"""

from __future__ import annotations

from bot.state.db import Database

SCHEMA = """
CREATE TABLE IF NOT EXISTS guilds (
    guild_id   INTEGER PRIMARY KEY,
    channel_id INTEGER NOT NULL,
    post_time  TEXT NOT NULL,
    timezone   TEXT NOT NULL,
    lang       TEXT,
    enabled    INTEGER NOT NULL DEFAULT 1,
    next_due   TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS posts (
    guild_id   INTEGER NOT NULL,
    day        TEXT NOT NULL,
    status     TEXT NOT NULL,
    channel_id INTEGER NOT NULL,
    message_id INTEGER,
    thread_id  INTEGER,
    parts_done INTEGER NOT NULL DEFAULT 0,
    attempts   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (guild_id, day)
);
CREATE TABLE IF NOT EXISTS cards (
    guild_id   INTEGER NOT NULL,
    day        TEXT NOT NULL,
    arxiv_id   TEXT NOT NULL,
    message_id INTEGER NOT NULL,
    PRIMARY KEY (guild_id, day, arxiv_id)
);
"""
ADDED = {
    "guilds": {
        "set_by": "INTEGER",
        "set_at": "TEXT",
        "fresh": "INTEGER NOT NULL DEFAULT 0",
        "run_kind": "TEXT NOT NULL DEFAULT 'slot'",
        "tries": "INTEGER NOT NULL DEFAULT 0",
        "stopped": "TEXT",
        "last_error": "TEXT",
        "last_error_at": "TEXT",
        "note": "TEXT",
    },
    "posts": {"pending": "TEXT", "finished_at": "TEXT"},
}
_SETTINGS = (
    "channel_id, post_time, timezone, lang, enabled, next_due, set_by, set_at, fresh,"
    " run_kind, tries, stopped, last_error, last_error_at, note"
)
_POST = "day, status, channel_id, message_id, thread_id, attempts, pending, finished_at"


def has_old_tables(db: Database) -> bool:
    return (
        db.one("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'guilds'") is not None
    )


def complete_old_tables(db: Database) -> None:
    """The old tables at their last version (called before the feed tables exist)."""
    db.migrate(SCHEMA, ADDED)
    # A post interrupted under the oldest layout counted card messages: look in the history.
    db.execute(
        "UPDATE posts SET pending = 'cards' WHERE status = 'posting' AND parts_done > 0"
        " AND pending IS NULL AND NOT EXISTS (SELECT 1 FROM cards c"
        " WHERE c.guild_id = posts.guild_id AND c.day = posts.day)"
    )


def move_to_feeds(db: Database) -> None:
    """Each server's settings -> its first feed (no topic); its posts and cards -> that feed."""
    with db.transaction():
        db.execute(
            f"INSERT INTO digest_feeds (guild_id, topic, empty, {_SETTINGS})"
            f" SELECT guild_id, NULL, 'quiet', {_SETTINGS} FROM guilds ORDER BY guild_id"
        )
        db.execute(
            f"INSERT INTO digest_posts (feed_id, {_POST})"
            f" SELECT f.feed_id, {', '.join('p.' + c.strip() for c in _POST.split(','))}"
            " FROM posts p JOIN digest_feeds f ON f.guild_id = p.guild_id"
        )
        db.execute(
            "INSERT INTO digest_cards (feed_id, day, arxiv_id, message_id)"
            " SELECT f.feed_id, c.day, c.arxiv_id, c.message_id"
            " FROM cards c JOIN digest_feeds f ON f.guild_id = c.guild_id"
        )
        for table in ("cards", "posts", "guilds"):
            db.execute(f"DROP TABLE {table}")
