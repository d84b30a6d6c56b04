"""Per-server settings and the record of daily posts, in SQLite under the data dir.

A post moves through `posting` (recorded before anything is sent) to `posted`; the overview's
message id, the thread and how many card messages went out are written after each send, so a
crash or an HTTP error resumes where it stopped instead of posting anything twice. Calls are
single-row SQLite statements on a local file (well under a millisecond), so the bot makes them
on the event loop.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

_SCHEMA = """
CREATE TABLE IF NOT EXISTS guilds (
    guild_id   INTEGER PRIMARY KEY,
    channel_id INTEGER NOT NULL,
    post_time  TEXT NOT NULL,      -- HH:MM in `timezone`
    timezone   TEXT NOT NULL,
    lang       TEXT,               -- 'ko' | 'en' | NULL: the server's preferred locale
    enabled    INTEGER NOT NULL DEFAULT 1,
    next_due   TEXT NOT NULL       -- ISO UTC instant of the next post run
);
CREATE TABLE IF NOT EXISTS posts (
    guild_id   INTEGER NOT NULL,
    day        TEXT NOT NULL,      -- the digest date
    status     TEXT NOT NULL,      -- 'posting' | 'posted' | 'abandoned'
    channel_id INTEGER NOT NULL,
    message_id INTEGER,            -- the overview, once Discord confirmed it
    thread_id  INTEGER,            -- 0: cards go to the channel itself
    parts_done INTEGER NOT NULL DEFAULT 0,
    attempts   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (guild_id, day)
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


@dataclass(frozen=True)
class GuildConfig:
    guild_id: int
    channel_id: int
    post_time: str
    timezone: str
    lang: str | None
    enabled: bool
    next_due: datetime


@dataclass(frozen=True)
class Post:
    guild_id: int
    day: str
    status: str
    channel_id: int
    message_id: int | None
    thread_id: int | None
    parts_done: int
    attempts: int


def parse_hhmm(text: str) -> time:
    """`07:00` -> time(7, 0); ValueError for anything else."""
    hours, sep, minutes = text.strip().partition(":")
    if not sep or not (hours.isdigit() and minutes.isdigit() and len(minutes) == 2):
        raise ValueError(text)
    return time(int(hours), int(minutes))


def next_occurrence(post_time: str, timezone: str, after: datetime) -> datetime:
    """The first instant strictly after `after` (aware) when the clock in `timezone` reads
    `post_time`, as UTC."""
    zone = ZoneInfo(timezone)
    local = after.astimezone(zone)
    at = parse_hhmm(post_time)
    day: date = local.date()
    for _ in range(3):
        candidate = datetime.combine(day, at, tzinfo=zone)
        if candidate > local:
            return candidate.astimezone(ZoneInfo("UTC"))
        day += timedelta(days=1)
    raise AssertionError("unreachable: one of three consecutive days is later")


class BotState:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, isolation_level=None)  # autocommit: each write is durable
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        self._db.close()

    # -- meta --------------------------------------------------------------------------------
    def meta(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row["value"] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self._db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    # -- server settings --------------------------------------------------------------------
    def configure(
        self,
        guild_id: int,
        channel_id: int,
        post_time: str,
        timezone: str,
        lang: str | None,
        now: datetime,
    ) -> GuildConfig:
        """Turn posts on; the first run is at the next post time (not at once)."""
        due = next_occurrence(post_time, timezone, now)
        self._db.execute(
            "INSERT OR REPLACE INTO guilds VALUES (?, ?, ?, ?, ?, 1, ?)",
            (guild_id, channel_id, post_time, timezone, lang, _utc(due)),
        )
        config = self.guild(guild_id)
        assert config is not None
        return config

    def disable(self, guild_id: int) -> bool:
        """Turn posts off; True when they were on."""
        cur = self._db.execute(
            "UPDATE guilds SET enabled = 0 WHERE guild_id = ? AND enabled = 1", (guild_id,)
        )
        return cur.rowcount > 0

    def guild(self, guild_id: int) -> GuildConfig | None:
        row = self._db.execute("SELECT * FROM guilds WHERE guild_id = ?", (guild_id,)).fetchone()
        return _config(row) if row else None

    def due(self, now: datetime) -> list[GuildConfig]:
        rows = self._db.execute(
            "SELECT * FROM guilds WHERE enabled = 1 AND next_due <= ? ORDER BY next_due",
            (_utc(now),),
        ).fetchall()
        return [_config(r) for r in rows]

    def reschedule(self, guild_id: int, now: datetime) -> None:
        """The run for this post time is done: the next one is at the next post time."""
        config = self.guild(guild_id)
        if config is not None:
            due = next_occurrence(config.post_time, config.timezone, now)
            self._db.execute(
                "UPDATE guilds SET next_due = ? WHERE guild_id = ?", (_utc(due), guild_id)
            )

    def retry_soon(self, guild_id: int, now: datetime) -> None:
        """A post failed outside the loop (/digest now): let the next minute's run retry it."""
        self._db.execute("UPDATE guilds SET next_due = ? WHERE guild_id = ?", (_utc(now), guild_id))

    # -- posts -------------------------------------------------------------------------------
    def post(self, guild_id: int, day: str) -> Post | None:
        row = self._db.execute(
            "SELECT * FROM posts WHERE guild_id = ? AND day = ?", (guild_id, day)
        ).fetchone()
        return Post(**dict(row)) if row else None

    def begin_post(self, guild_id: int, day: str, channel_id: int) -> Post:
        """The post record for this date, created as `posting` before anything is sent. Older
        unfinished posts are abandoned: only the newest date is posted after downtime."""
        self._db.execute(
            "UPDATE posts SET status = 'abandoned' WHERE guild_id = ? AND status = 'posting' AND day < ?",
            (guild_id, day),
        )
        self._db.execute(
            "INSERT OR IGNORE INTO posts (guild_id, day, status, channel_id) VALUES (?, ?, 'posting', ?)",
            (guild_id, day, channel_id),
        )
        post = self.post(guild_id, day)
        assert post is not None
        return post

    def note_attempt(self, guild_id: int, day: str) -> None:
        """Written before the overview is sent: a later run then knows a send may have landed."""
        self._update(guild_id, day, "attempts = attempts + 1")

    def set_message(self, guild_id: int, day: str, message_id: int) -> None:
        self._update(guild_id, day, "message_id = ?", message_id)

    def set_thread(self, guild_id: int, day: str, thread_id: int) -> None:
        self._update(guild_id, day, "thread_id = ?", thread_id)

    def set_parts_done(self, guild_id: int, day: str, parts: int) -> None:
        self._update(guild_id, day, "parts_done = ?", parts)

    def finish_post(self, guild_id: int, day: str) -> None:
        self._update(guild_id, day, "status = 'posted'")

    def _update(self, guild_id: int, day: str, assignment: str, *values: object) -> None:
        self._db.execute(
            f"UPDATE posts SET {assignment} WHERE guild_id = ? AND day = ?",
            (*values, guild_id, day),
        )


def _utc(moment: datetime) -> str:
    """Whole-second ISO UTC text: compares correctly as a string in SQL."""
    return moment.astimezone(ZoneInfo("UTC")).isoformat(timespec="seconds")


def _config(row: sqlite3.Row) -> GuildConfig:
    return GuildConfig(
        guild_id=row["guild_id"],
        channel_id=row["channel_id"],
        post_time=row["post_time"],
        timezone=row["timezone"],
        lang=row["lang"],
        enabled=bool(row["enabled"]),
        next_due=datetime.fromisoformat(row["next_due"]),
    )
