"""The weekly roll-up's servers and the record of each week's post, in `bot.sqlite`.

Exactly once per server and week (bot/delivery/once.py): the week is recorded as `posting`
before the send and as `posted` with the message id after; a `posting` record found by a later
try is first looked for in the channel's history. Failures follow bot/delivery/policy.py: the
tries and the next try per week; why the roll-up stopped and the last error per server."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from bot.state.db import Database
from bot.state.times import from_text, utc_text

_SCHEMA = """
CREATE TABLE IF NOT EXISTS weekly_servers (guild_id INTEGER PRIMARY KEY, enabled INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS weekly_posts (
    guild_id INTEGER NOT NULL,
    week TEXT NOT NULL,
    status TEXT NOT NULL,
    message_id INTEGER,
    PRIMARY KEY (guild_id, week)
);
"""
_ADDED = {
    "weekly_servers": {
        "stopped": "TEXT",  # JSON {key, values}: why the roll-up stopped on its own
        "last_error": "TEXT",
        "last_error_at": "TEXT",
    },
    "weekly_posts": {
        "tries": "INTEGER NOT NULL DEFAULT 0",  # failed tries in a row
        "next_try": "TEXT",  # ISO UTC: not before
    },
}


@dataclass(frozen=True)
class WeeklyServer:
    enabled: bool
    stopped: dict | None
    last_error: str | None
    last_error_at: datetime | None


@dataclass(frozen=True)
class WeeklyPost:
    status: str  # posting | posted | skipped | abandoned
    message_id: int | None
    tries: int
    next_try: datetime | None


class WeeklyState:
    """Which servers want the weekly roll-up, and each week's post record."""

    def __init__(self, db: Database) -> None:
        self._db = db
        db.migrate(_SCHEMA, _ADDED)

    def set(self, guild_id: int, enabled: bool) -> None:
        """On or off; either clears a stop reason and the last error (the admin acted)."""
        with self._db.transaction():
            self._db.execute(
                "INSERT INTO weekly_servers (guild_id, enabled) VALUES (?, ?) ON CONFLICT "
                "(guild_id) DO UPDATE SET enabled = excluded.enabled, stopped = NULL, "
                "last_error = NULL, last_error_at = NULL",
                (guild_id, int(enabled)),
            )

    def enabled(self) -> list[int]:
        rows = self._db.rows("SELECT guild_id FROM weekly_servers WHERE enabled = 1")
        return [r[0] for r in rows]

    def server(self, guild_id: int) -> WeeklyServer | None:
        row = self._db.one("SELECT * FROM weekly_servers WHERE guild_id = ?", guild_id)
        if row is None:
            return None
        return WeeklyServer(
            bool(row["enabled"]),
            json.loads(row["stopped"]) if row["stopped"] else None,
            row["last_error"],
            from_text(row["last_error_at"]),
        )

    def stop(self, guild_id: int, reason: dict) -> None:
        """The channel is gone or refuses the bot: off, with why (until /digest weekly on)."""
        self._db.execute(
            "UPDATE weekly_servers SET enabled = 0, stopped = ? WHERE guild_id = ?",
            (json.dumps(reason), guild_id),
        )

    def note_error(self, guild_id: int, text: str, now: datetime) -> None:
        self._db.execute(
            "UPDATE weekly_servers SET last_error = ?, last_error_at = ? WHERE guild_id = ?",
            (text[:500], utc_text(now), guild_id),
        )

    def post(self, guild_id: int, week: str) -> WeeklyPost | None:
        row = self._db.one(
            "SELECT * FROM weekly_posts WHERE guild_id = ? AND week = ?", guild_id, week
        )
        if row is None:
            return None
        return WeeklyPost(
            row["status"], row["message_id"], row["tries"], from_text(row["next_try"])
        )

    def status(self, guild_id: int, week: str) -> str | None:
        post = self.post(guild_id, week)
        return post.status if post else None

    def begin(self, guild_id: int, week: str) -> None:
        """Written before the send: a later try then knows it may have landed."""
        with self._db.transaction():
            self._db.execute(
                "INSERT OR IGNORE INTO weekly_posts (guild_id, week, status) VALUES (?, ?, 'posting')",
                (guild_id, week),
            )

    def finish(self, guild_id: int, week: str, status: str, message_id: int | None) -> None:
        with self._db.transaction():
            self._db.execute(
                "UPDATE weekly_posts SET status = ?, message_id = ? WHERE guild_id = ? AND week = ?",
                (status, message_id, guild_id, week),
            )

    def failed_try(self, guild_id: int, week: str, tries: int, next_try: datetime) -> None:
        """`tries` failures in a row now (0 after giving up until the next post time)."""
        self._db.execute(
            "UPDATE weekly_posts SET tries = ?, next_try = ? WHERE guild_id = ? AND week = ?",
            (tries, utc_text(next_try), guild_id, week),
        )
