"""The daily post's feeds and the record of their posts, in SQLite under the data dir.

A feed is one channel of a server that gets the daily post: its own optional topic (then only
the papers that match it are posted), language, post time and zone, and its own run state
(next run, tries, why it stopped). A server has up to MAX_FEEDS of them, one per channel.

What makes a daily post exactly once per (feed, date, paper):
- a `digest_posts` row per (feed, date), created as `posting` before anything is sent;
- `pending` is written before each send ('overview' or 'cards') and cleared in the same
  statement that records what the send returned, so a crash or an HTTP error between the two
  leaves `pending` set: the next run looks in the channel or thread history before sending again;
- the arXiv id of every card that went out, in `digest_cards`, per (feed, date, paper): a
  resumed post sends only the papers not recorded there, packed again from scratch.
Two feeds never share a record: each channel's post of a date is its own.

A file from before topic channels (one channel per server) is moved into these tables when it
is opened (bot/state/digest_legacy.py): each server's channel becomes its first feed, with no
topic, keeping every post and card record. Its tables live in `bot.sqlite` beside the other
features' (bot/state/db.py).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from bot.state import digest_legacy
from bot.state.db import Database
from bot.state.times import from_text, next_occurrence, utc_text

MAX_FEEDS = 10  # feeds switched on per server
_SCHEMA = """
CREATE TABLE IF NOT EXISTS digest_feeds (
    feed_id    INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id   INTEGER NOT NULL,
    channel_id INTEGER NOT NULL,
    topic      TEXT,                   -- NULL: every paper of the day
    empty      TEXT NOT NULL DEFAULT 'quiet',  -- a topic day without a match: 'quiet' | 'line'
    post_time  TEXT NOT NULL,          -- HH:MM in `timezone`
    timezone   TEXT NOT NULL,
    lang       TEXT,                   -- 'ko' | 'en' | NULL: the server's preferred locale
    enabled    INTEGER NOT NULL DEFAULT 1,
    next_due   TEXT NOT NULL,          -- ISO UTC instant of the next run
    set_by     INTEGER,                -- the user who ran /digest set
    set_at     TEXT,
    fresh      INTEGER NOT NULL DEFAULT 0,  -- 1: the next run posts only the newest date
    run_kind   TEXT NOT NULL DEFAULT 'slot',  -- 'slot' | 'retry' | 'recheck'
    tries      INTEGER NOT NULL DEFAULT 0,    -- failed tries since the last post time
    stopped    TEXT,                   -- JSON {key, values}: why posts stopped on their own
    last_error TEXT,
    last_error_at TEXT,
    note       TEXT,                   -- JSON {key, values}: the last catch-up or skip
    UNIQUE (guild_id, channel_id)
);
CREATE TABLE IF NOT EXISTS digest_posts (
    feed_id    INTEGER NOT NULL,
    day        TEXT NOT NULL,          -- the digest date
    status     TEXT NOT NULL,          -- see DONE and 'posting'
    channel_id INTEGER NOT NULL,
    message_id INTEGER,                -- the overview (or the no-match line), once confirmed
    thread_id  INTEGER,                -- 0: cards go to the channel itself
    attempts   INTEGER NOT NULL DEFAULT 0,  -- failed tries
    pending    TEXT,                   -- 'overview' | 'cards': a send whose result is not recorded
    finished_at TEXT,
    PRIMARY KEY (feed_id, day)
);
CREATE TABLE IF NOT EXISTS digest_cards (
    feed_id    INTEGER NOT NULL,
    day        TEXT NOT NULL,
    arxiv_id   TEXT NOT NULL,
    message_id INTEGER NOT NULL,
    PRIMARY KEY (feed_id, day, arxiv_id)
);
"""
# A post in one of these states is over: never sent again. 'quiet': a topic feed's day without
# a match, nothing sent.
DONE = ("posted", "partial", "abandoned", "skipped", "quiet")


@dataclass(frozen=True)
class FeedConfig:
    feed_id: int
    guild_id: int
    channel_id: int
    topic: str | None
    empty: str
    post_time: str
    timezone: str
    lang: str | None
    enabled: bool
    next_due: datetime
    set_by: int | None = None
    set_at: datetime | None = None
    fresh: bool = False
    run_kind: str = "slot"
    tries: int = 0
    stopped: dict | None = None
    last_error: str | None = None
    last_error_at: datetime | None = None
    note: dict | None = None


GuildConfig = FeedConfig  # the name from before topic channels (the weekly roll-up's import)


@dataclass(frozen=True)
class Post:
    feed_id: int
    day: str
    status: str
    channel_id: int
    message_id: int | None
    thread_id: int | None
    attempts: int
    pending: str | None
    finished_at: str | None


class DigestState:
    """The daily post's feeds and the record of every post (see the module's text)."""

    def __init__(self, db: Database) -> None:
        self._db = db
        old = digest_legacy.has_old_tables(db)
        if old:
            digest_legacy.complete_old_tables(db)
        db.migrate(_SCHEMA)
        if old:
            digest_legacy.move_to_feeds(db)

    # -- feeds -------------------------------------------------------------------------------
    def configure(
        self,
        guild_id: int,
        channel_id: int,
        post_time: str,
        timezone: str,
        lang: str | None,
        now: datetime,
        set_by: int | None = None,
        topic: str | None = None,
        empty: str = "quiet",
    ) -> FeedConfig:
        """Add or update this channel's feed and turn it on; the first run is at the next post
        time (not at once). A feed that was off gets only the newest date then, not the days
        it had switched off."""
        due, kind, tries = next_occurrence(post_time, timezone, now), "slot", 0
        before = self.feed_in(guild_id, channel_id)
        fresh = before is None or not before.enabled or before.fresh
        if before and before.enabled and before.run_kind != "slot" and before.next_due < due:
            due, kind, tries = before.next_due, before.run_kind, before.tries  # a retry stays
        values = (topic, empty, post_time, timezone, lang, utc_text(due), set_by, utc_text(now))
        values += (int(fresh), kind, tries)
        if before is None:
            self._db.execute(
                "INSERT INTO digest_feeds (guild_id, channel_id, topic, empty, post_time,"
                " timezone, lang, enabled, next_due, set_by, set_at, fresh, run_kind, tries)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?)",
                (guild_id, channel_id, *values),
            )
        else:
            self._db.execute(
                "UPDATE digest_feeds SET topic = ?, empty = ?, post_time = ?, timezone = ?,"
                " lang = ?, enabled = 1, next_due = ?, set_by = ?, set_at = ?, fresh = ?,"
                " run_kind = ?, tries = ?, stopped = NULL, last_error = NULL, last_error_at = NULL"
                " WHERE feed_id = ?",
                (*values, before.feed_id),
            )
            if not before.enabled:  # a date half posted before posts went off is not
                # finished weeks later
                self._db.execute(
                    "UPDATE digest_posts SET status = 'abandoned'"
                    " WHERE feed_id = ? AND status = 'posting'",
                    (before.feed_id,),
                )
        config = self.feed_in(guild_id, channel_id)
        assert config is not None
        return config

    def disable(self, feed_id: int) -> bool:
        """Turn one feed off (/digest off channel); True when it was on."""
        cur = self._db.execute(
            "UPDATE digest_feeds SET enabled = 0 WHERE feed_id = ? AND enabled = 1", (feed_id,)
        )
        return cur.rowcount > 0

    def disable_all(self, guild_id: int) -> int:
        """Turn every feed of the server off (/digest off); how many were on."""
        cur = self._db.execute(
            "UPDATE digest_feeds SET enabled = 0 WHERE guild_id = ? AND enabled = 1", (guild_id,)
        )
        return cur.rowcount

    def stop(self, feed_id: int, key: str, **values: object) -> None:
        """This feed stopped on its own (its channel is gone or refuses the bot): off, with why."""
        self._db.execute(
            "UPDATE digest_feeds SET enabled = 0, stopped = ? WHERE feed_id = ?",
            (json.dumps({"key": key, "values": values}), feed_id),
        )

    def stop_all(self, guild_id: int, key: str) -> None:
        """Every feed of the server that is on stops (the bot was removed from the server)."""
        self._db.execute(
            "UPDATE digest_feeds SET enabled = 0, stopped = ? WHERE guild_id = ? AND enabled = 1",
            (json.dumps({"key": key, "values": {}}), guild_id),
        )

    def feed(self, feed_id: int) -> FeedConfig | None:
        row = self._db.one("SELECT * FROM digest_feeds WHERE feed_id = ?", feed_id)
        return _config(row) if row else None

    def feed_in(self, guild_id: int, channel_id: int) -> FeedConfig | None:
        row = self._db.one(
            "SELECT * FROM digest_feeds WHERE guild_id = ? AND channel_id = ?", guild_id, channel_id
        )
        return _config(row) if row else None

    def feeds(self, guild_id: int) -> list[FeedConfig]:
        """The server's feeds, oldest first."""
        rows = self._db.rows(
            "SELECT * FROM digest_feeds WHERE guild_id = ? ORDER BY feed_id", guild_id
        )
        return [_config(r) for r in rows]

    def guild(self, guild_id: int) -> FeedConfig | None:
        """The server's main feed, whose channel, time and language the weekly roll-up and
        /stats use: the oldest feed that is on, one without a topic first; else the oldest."""
        row = self._db.one(
            "SELECT * FROM digest_feeds WHERE guild_id = ?"
            " ORDER BY enabled DESC, topic IS NOT NULL, feed_id LIMIT 1",
            guild_id,
        )
        return _config(row) if row else None

    def due(self, now: datetime) -> list[FeedConfig]:
        rows = self._db.rows(
            "SELECT * FROM digest_feeds WHERE enabled = 1 AND next_due <= ? ORDER BY next_due",
            utc_text(now),
        )
        return [_config(r) for r in rows]

    def schedule(self, feed_id: int, at: datetime, kind: str, tries: int) -> None:
        """The next run: 'slot' (a post time), 'retry' (after a failure) or 'recheck' (a late
        digest may still land before the next post time)."""
        self._set(feed_id, "next_due = ?, run_kind = ?, tries = ?", utc_text(at), kind, tries)

    def note_error(self, feed_id: int, text: str, now: datetime) -> None:
        self._set(feed_id, "last_error = ?, last_error_at = ?", text[:500], utc_text(now))

    def set_note(self, feed_id: int, key: str, **values: object) -> None:
        self._set(feed_id, "note = ?", json.dumps({"key": key, "values": values}))

    def served(self, feed_id: int) -> None:
        """A run went through: the next one catches up on missed dates again."""
        self._set(feed_id, "fresh = 0")

    def _set(self, feed_id: int, assignment: str, *values: object) -> None:
        self._db.execute(
            f"UPDATE digest_feeds SET {assignment} WHERE feed_id = ?", (*values, feed_id)
        )

    # -- posts -------------------------------------------------------------------------------
    def post(self, feed_id: int, day: str) -> Post | None:
        row = self._db.one("SELECT * FROM digest_posts WHERE feed_id = ? AND day = ?", feed_id, day)
        return _post(row) if row else None

    def statuses(self, feed_id: int) -> dict[str, str]:
        """Every recorded date of this feed -> its status."""
        rows = self._db.rows("SELECT day, status FROM digest_posts WHERE feed_id = ?", feed_id)
        return {row["day"]: row["status"] for row in rows}

    def last_posted(self, feed_id: int) -> Post | None:
        row = self._db.one(
            "SELECT * FROM digest_posts WHERE feed_id = ? AND status IN ('posted', 'partial')"
            " ORDER BY day DESC LIMIT 1",
            feed_id,
        )
        return _post(row) if row else None

    def begin_post(self, feed_id: int, day: str, channel_id: int) -> Post:
        """The post record for this date, created as `posting` before anything is sent."""
        self._db.execute(
            "INSERT OR IGNORE INTO digest_posts (feed_id, day, status, channel_id)"
            " VALUES (?, ?, 'posting', ?)",
            (feed_id, day, channel_id),
        )
        post = self.post(feed_id, day)
        assert post is not None
        return post

    def mark_pending(self, feed_id: int, day: str, what: str) -> None:
        """Written before a send: a later run then knows the send may have landed."""
        self._update(feed_id, day, "pending = ?", what)

    def set_message(self, feed_id: int, day: str, message_id: int | None) -> None:
        """The overview is recorded (or forgotten, None, when it was deleted)."""
        self._update(feed_id, day, "message_id = ?, pending = NULL", message_id)

    def set_thread(self, feed_id: int, day: str, thread_id: int) -> None:
        self._update(feed_id, day, "thread_id = ?", thread_id)

    def cards(self, feed_id: int, day: str) -> set[str]:
        """The arXiv ids whose cards went out for this date."""
        rows = self._db.rows(
            "SELECT arxiv_id FROM digest_cards WHERE feed_id = ? AND day = ?", feed_id, day
        )
        return {row["arxiv_id"] for row in rows}

    def record_cards(
        self, feed_id: int, day: str, found: Iterable[tuple[str, int]], settled: bool = True
    ) -> None:
        """(arXiv id, message id) pairs that landed; `settled` clears `pending` in the same
        transaction, so the record and the end of the uncertainty are one write."""
        with self._db.transaction():
            self._db.executemany(
                "INSERT OR IGNORE INTO digest_cards (feed_id, day, arxiv_id, message_id)"
                " VALUES (?, ?, ?, ?)",
                [(feed_id, day, arxiv_id, message_id) for arxiv_id, message_id in found],
            )
            if settled:
                self._update(feed_id, day, "pending = NULL")

    def failed_try(self, feed_id: int, day: str) -> None:
        self._update(feed_id, day, "attempts = attempts + 1")

    def finish_post(self, feed_id: int, day: str, status: str, now: datetime) -> None:
        assert status in DONE
        self._update(feed_id, day, "status = ?, finished_at = ?", status, utc_text(now))

    def skip_days(self, feed_id: int, days: Iterable[str], channel_id: int, now: datetime) -> None:
        """Dates left out by the catch-up cap: recorded as over, never posted later."""
        for day in days:
            self.begin_post(feed_id, day, channel_id)
            self.finish_post(feed_id, day, "skipped", now)

    def _update(self, feed_id: int, day: str, assignment: str, *values: object) -> None:
        self._db.execute(
            f"UPDATE digest_posts SET {assignment} WHERE feed_id = ? AND day = ?",
            (*values, feed_id, day),
        )


def _config(row: sqlite3.Row) -> FeedConfig:
    return FeedConfig(
        feed_id=row["feed_id"],
        guild_id=row["guild_id"],
        channel_id=row["channel_id"],
        topic=row["topic"],
        empty=row["empty"],
        post_time=row["post_time"],
        timezone=row["timezone"],
        lang=row["lang"],
        enabled=bool(row["enabled"]),
        next_due=datetime.fromisoformat(row["next_due"]),
        set_by=row["set_by"],
        set_at=from_text(row["set_at"]),
        fresh=bool(row["fresh"]),
        run_kind=row["run_kind"],
        tries=row["tries"],
        stopped=json.loads(row["stopped"]) if row["stopped"] else None,
        last_error=row["last_error"],
        last_error_at=from_text(row["last_error_at"]),
        note=json.loads(row["note"]) if row["note"] else None,
    )


def _post(row: sqlite3.Row) -> Post:
    return Post(
        feed_id=row["feed_id"],
        day=row["day"],
        status=row["status"],
        channel_id=row["channel_id"],
        message_id=row["message_id"],
        thread_id=row["thread_id"],
        attempts=row["attempts"],
        pending=row["pending"],
        finished_at=row["finished_at"],
    )
