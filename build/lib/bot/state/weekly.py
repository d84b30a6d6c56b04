"""The weekly roll-up's servers and the record of each week's post (exactly once per server
and week: `posting` before the send, `posted` with the message id after), in `bot.sqlite`."""

from __future__ import annotations

from bot.state.db import Database

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


class WeeklyState:
    """Which servers want the weekly roll-up, and each week's post record."""

    def __init__(self, db: Database) -> None:
        self._db = db
        db.migrate(_SCHEMA)

    def set(self, guild_id: int, enabled: bool) -> None:
        with self._db.transaction():
            self._db.execute(
                "INSERT OR REPLACE INTO weekly_servers VALUES (?, ?)", (guild_id, int(enabled))
            )

    def enabled(self) -> list[int]:
        rows = self._db.rows("SELECT guild_id FROM weekly_servers WHERE enabled = 1")
        return [r[0] for r in rows]

    def status(self, guild_id: int, week: str) -> str | None:
        row = self._db.one(
            "SELECT status FROM weekly_posts WHERE guild_id = ? AND week = ?", guild_id, week
        )
        return row[0] if row else None

    def begin(self, guild_id: int, week: str) -> None:
        with self._db.transaction():
            self._db.execute(
                "INSERT OR IGNORE INTO weekly_posts VALUES (?, ?, 'posting', NULL)",
                (guild_id, week),
            )

    def finish(self, guild_id: int, week: str, status: str, message_id: int | None) -> None:
        with self._db.transaction():
            self._db.execute(
                "UPDATE weekly_posts SET status = ?, message_id = ? WHERE guild_id = ? AND week = ?",
                (status, message_id, guild_id, week),
            )
