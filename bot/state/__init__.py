"""The bot's state file, `bot.sqlite` in the data dir: one connection (db.py) and one small
module per feature's tables. `create_bot()` opens it once and the cogs reach their part
through `bot.state`: `.digest` (daily-post settings and posts), `.subscriptions` (topics,
matches, DMs), `.saved` (saved papers), `.weekly` (the weekly roll-up), `.answers`
(written answers' budget and follow-up turns), `.discuss` (paper threads)."""

from __future__ import annotations

from pathlib import Path

from bot.state.answers import AnswerState
from bot.state.db import Database
from bot.state.digest import DigestState
from bot.state.discuss import DiscussState
from bot.state.saved import SavedState
from bot.state.subscriptions import SubscriptionState
from bot.state.weekly import WeeklyState

_SCHEMA = "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"


class State:
    def __init__(self, path: Path) -> None:
        self.db = Database(path)
        self.db.migrate(_SCHEMA)
        self.digest = DigestState(self.db)
        self.subscriptions = SubscriptionState(self.db)
        self.saved = SavedState(self.db)
        self.weekly = WeeklyState(self.db)
        self.answers = AnswerState(self.db)
        self.discuss = DiscussState(self.db)

    def meta(self, key: str) -> str | None:
        """A bot-wide value (e.g. the hash of the last synced command payload)."""
        row = self.db.one("SELECT value FROM meta WHERE key = ?", key)
        return row["value"] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    def close(self) -> None:
        self.db.close()
