"""Per-server settings and the record of daily posts, in SQLite under the data dir.

What makes a daily post exactly once per (server, date, paper):
- a `posts` row per (server, date), created as `posting` before anything is sent;
- `pending` is written before each send ('overview' or 'cards') and cleared in the same
  statement that records what the send returned, so a crash or an HTTP error between the two
  leaves `pending` set: the next run looks in the channel or thread history before sending again;
- the arXiv id of every card that went out, in `cards`, per (server, date, paper): a resumed post
  sends only the papers not recorded there, packed again from scratch.

Its tables live in `bot.sqlite` beside the other features' (bot/state/db.py).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from bot.state.db import Database
from bot.state.times import from_text, next_occurrence, utc_text

_SCHEMA = """
CREATE TABLE IF NOT EXISTS guilds (
    guild_id   INTEGER PRIMARY KEY,
    channel_id INTEGER NOT NULL,
    post_time  TEXT NOT NULL,      -- HH:MM in `timezone`
    timezone   TEXT NOT NULL,
    lang       TEXT,               -- 'ko' | 'en' | NULL: the server's preferred locale
    enabled    INTEGER NOT NULL DEFAULT 1,
    next_due   TEXT NOT NULL       -- ISO UTC instant of the next run
);
CREATE TABLE IF NOT EXISTS posts (
    guild_id   INTEGER NOT NULL,
    day        TEXT NOT NULL,      -- the digest date
    status     TEXT NOT NULL,      -- see DONE and 'posting'
    channel_id INTEGER NOT NULL,
    message_id INTEGER,            -- the overview, once Discord confirmed it
    thread_id  INTEGER,            -- 0: cards go to the channel itself
    parts_done INTEGER NOT NULL DEFAULT 0,  -- unused since the cards table (old files keep it)
    attempts   INTEGER NOT NULL DEFAULT 0,  -- failed tries
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
# Columns added after the first release: added to an existing file at start-up.
_ADDED = {
    "guilds": {
        "set_by": "INTEGER",  # the user who ran /digest set
        "set_at": "TEXT",
        "fresh": "INTEGER NOT NULL DEFAULT 0",  # 1: the next run posts only the newest date
        "run_kind": "TEXT NOT NULL DEFAULT 'slot'",  # 'slot' | 'retry' | 'recheck'
        "tries": "INTEGER NOT NULL DEFAULT 0",  # failed tries since the last post time
        "stopped": "TEXT",  # JSON {key, values}: why posts stopped on their own
        "last_error": "TEXT",
        "last_error_at": "TEXT",
        "note": "TEXT",  # JSON {key, values}: the last catch-up or skip, for /digest status
    },
    "posts": {
        "pending": "TEXT",  # 'overview' | 'cards': a send whose result is not recorded
        "finished_at": "TEXT",
    },
}
# A post in one of these states is over: never sent again.
DONE = ("posted", "partial", "abandoned", "skipped")


@dataclass(frozen=True)
class GuildConfig:
    guild_id: int
    channel_id: int
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


@dataclass(frozen=True)
class Post:
    guild_id: int
    day: str
    status: str
    channel_id: int
    message_id: int | None
    thread_id: int | None
    attempts: int
    pending: str | None
    finished_at: str | None


class DigestState:
    """Daily-post settings per server and the record of every post (see the module's text)."""

    def __init__(self, db: Database) -> None:
        self._db = db
        db.migrate(_SCHEMA, _ADDED)
        # A post interrupted under the old schema counted card messages: look in the history.
        db.execute(
            "UPDATE posts SET pending = 'cards' WHERE status = 'posting' AND parts_done > 0"
            " AND pending IS NULL AND NOT EXISTS (SELECT 1 FROM cards c"
            " WHERE c.guild_id = posts.guild_id AND c.day = posts.day)"
        )

    # -- server settings --------------------------------------------------------------------
    def configure(
        self,
        guild_id: int,
        channel_id: int,
        post_time: str,
        timezone: str,
        lang: str | None,
        now: datetime,
        set_by: int | None = None,
    ) -> GuildConfig:
        """Turn posts on; the first run is at the next post time (not at once). A server whose
        posts were off gets only the newest date then, not the days it had switched off."""
        due, kind, tries = next_occurrence(post_time, timezone, now), "slot", 0
        before = self.guild(guild_id)
        fresh = before is None or not before.enabled or before.fresh
        if before and before.enabled and before.run_kind != "slot" and before.next_due < due:
            due, kind, tries = before.next_due, before.run_kind, before.tries  # a retry stays
        self._db.execute(
            "INSERT OR REPLACE INTO guilds (guild_id, channel_id, post_time, timezone, lang,"
            " enabled, next_due, set_by, set_at, fresh, run_kind, tries, note)"
            " VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?)",
            (
                guild_id,
                channel_id,
                post_time,
                timezone,
                lang,
                utc_text(due),
                set_by,
                utc_text(now),
                int(fresh),
                kind,
                tries,
                json.dumps(before.note) if before and before.note else None,
            ),
        )
        if before is None or not before.enabled:  # a date half posted before posts went off
            # is not finished weeks later
            self._db.execute(
                "UPDATE posts SET status = 'abandoned' WHERE guild_id = ? AND status = 'posting'",
                (guild_id,),
            )
        config = self.guild(guild_id)
        assert config is not None
        return config

    def disable(self, guild_id: int) -> bool:
        """Turn posts off (/digest off); True when they were on."""
        cur = self._db.execute(
            "UPDATE guilds SET enabled = 0 WHERE guild_id = ? AND enabled = 1", (guild_id,)
        )
        return cur.rowcount > 0

    def stop(self, guild_id: int, key: str, **values: object) -> None:
        """Posts stopped on their own (the channel is gone or refuses the bot): off, with why."""
        self._db.execute(
            "UPDATE guilds SET enabled = 0, stopped = ? WHERE guild_id = ?",
            (json.dumps({"key": key, "values": values}), guild_id),
        )

    def guild(self, guild_id: int) -> GuildConfig | None:
        row = self._db.one("SELECT * FROM guilds WHERE guild_id = ?", guild_id)
        return _config(row) if row else None

    def due(self, now: datetime) -> list[GuildConfig]:
        rows = self._db.rows(
            "SELECT * FROM guilds WHERE enabled = 1 AND next_due <= ? ORDER BY next_due",
            utc_text(now),
        )
        return [_config(r) for r in rows]

    def schedule(self, guild_id: int, at: datetime, kind: str, tries: int) -> None:
        """The next run: 'slot' (a post time), 'retry' (after a failure) or 'recheck' (a late
        digest may still land before the next post time)."""
        self._db.execute(
            "UPDATE guilds SET next_due = ?, run_kind = ?, tries = ? WHERE guild_id = ?",
            (utc_text(at), kind, tries, guild_id),
        )

    def note_error(self, guild_id: int, text: str, now: datetime) -> None:
        self._db.execute(
            "UPDATE guilds SET last_error = ?, last_error_at = ? WHERE guild_id = ?",
            (text[:500], utc_text(now), guild_id),
        )

    def set_note(self, guild_id: int, key: str, **values: object) -> None:
        self._db.execute(
            "UPDATE guilds SET note = ? WHERE guild_id = ?",
            (json.dumps({"key": key, "values": values}), guild_id),
        )

    def served(self, guild_id: int) -> None:
        """A run went through: the next one catches up on missed dates again."""
        self._db.execute("UPDATE guilds SET fresh = 0 WHERE guild_id = ?", (guild_id,))

    # -- posts -------------------------------------------------------------------------------
    def post(self, guild_id: int, day: str) -> Post | None:
        row = self._db.one("SELECT * FROM posts WHERE guild_id = ? AND day = ?", guild_id, day)
        return _post(row) if row else None

    def statuses(self, guild_id: int) -> dict[str, str]:
        """Every recorded date of this server -> its status."""
        rows = self._db.rows("SELECT day, status FROM posts WHERE guild_id = ?", guild_id)
        return {row["day"]: row["status"] for row in rows}

    def last_posted(self, guild_id: int) -> Post | None:
        row = self._db.one(
            "SELECT * FROM posts WHERE guild_id = ? AND status IN ('posted', 'partial')"
            " ORDER BY day DESC LIMIT 1",
            guild_id,
        )
        return _post(row) if row else None

    def begin_post(self, guild_id: int, day: str, channel_id: int) -> Post:
        """The post record for this date, created as `posting` before anything is sent. A post
        already begun keeps its channel (a /digest set elsewhere applies to the next date)."""
        self._db.execute(
            "INSERT OR IGNORE INTO posts (guild_id, day, status, channel_id) VALUES (?, ?, 'posting', ?)",
            (guild_id, day, channel_id),
        )
        post = self.post(guild_id, day)
        assert post is not None
        return post

    def mark_pending(self, guild_id: int, day: str, what: str) -> None:
        """Written before a send: a later run then knows the send may have landed."""
        self._update(guild_id, day, "pending = ?", what)

    def set_message(self, guild_id: int, day: str, message_id: int | None) -> None:
        """The overview is recorded (or forgotten, None, when it was deleted)."""
        self._update(guild_id, day, "message_id = ?, pending = NULL", message_id)

    def set_thread(self, guild_id: int, day: str, thread_id: int) -> None:
        self._update(guild_id, day, "thread_id = ?", thread_id)

    def cards(self, guild_id: int, day: str) -> set[str]:
        """The arXiv ids whose cards went out for this date."""
        rows = self._db.rows(
            "SELECT arxiv_id FROM cards WHERE guild_id = ? AND day = ?", guild_id, day
        )
        return {row["arxiv_id"] for row in rows}

    def record_cards(
        self, guild_id: int, day: str, found: Iterable[tuple[str, int]], settled: bool = True
    ) -> None:
        """(arXiv id, message id) pairs that landed; `settled` clears `pending` in the same
        transaction, so the record and the end of the uncertainty are one write."""
        with self._db.transaction():
            self._db.executemany(
                "INSERT OR IGNORE INTO cards (guild_id, day, arxiv_id, message_id) VALUES (?, ?, ?, ?)",
                [(guild_id, day, arxiv_id, message_id) for arxiv_id, message_id in found],
            )
            if settled:
                self._update(guild_id, day, "pending = NULL")

    def failed_try(self, guild_id: int, day: str) -> None:
        self._update(guild_id, day, "attempts = attempts + 1")

    def finish_post(self, guild_id: int, day: str, status: str, now: datetime) -> None:
        assert status in DONE
        self._update(guild_id, day, "status = ?, finished_at = ?", status, utc_text(now))

    def skip_days(self, guild_id: int, days: Iterable[str], channel_id: int, now: datetime) -> None:
        """Dates left out by the catch-up cap: recorded as over, never posted later."""
        for day in days:
            self.begin_post(guild_id, day, channel_id)
            self.finish_post(guild_id, day, "skipped", now)

    def _update(self, guild_id: int, day: str, assignment: str, *values: object) -> None:
        self._db.execute(
            f"UPDATE posts SET {assignment} WHERE guild_id = ? AND day = ?",
            (*values, guild_id, day),
        )


def _config(row: sqlite3.Row) -> GuildConfig:
    return GuildConfig(
        guild_id=row["guild_id"],
        channel_id=row["channel_id"],
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
        guild_id=row["guild_id"],
        day=row["day"],
        status=row["status"],
        channel_id=row["channel_id"],
        message_id=row["message_id"],
        thread_id=row["thread_id"],
        attempts=row["attempts"],
        pending=row["pending"],
        finished_at=row["finished_at"],
    )
