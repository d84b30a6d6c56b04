"""Members' saved papers (/saved and the Save button), in `bot.sqlite`."""

from __future__ import annotations

from bot.state.db import Database
from bot.state.times import now_text

_SCHEMA = """
CREATE TABLE IF NOT EXISTS saved_papers (
    user_id INTEGER NOT NULL,
    arxiv_id TEXT NOT NULL,
    saved_at TEXT NOT NULL,
    PRIMARY KEY (user_id, arxiv_id)
);
"""


class SavedState:
    def __init__(self, db: Database) -> None:
        self._db = db
        db.migrate(_SCHEMA)

    def save(self, user_id: int, arxiv_id: str) -> bool:
        """True when it was not saved yet."""
        cursor = self._db.execute(
            "INSERT OR IGNORE INTO saved_papers VALUES (?, ?, ?)", (user_id, arxiv_id, now_text())
        )
        return bool(cursor.rowcount)

    def unsave(self, user_id: int, arxiv_id: str) -> bool:
        cursor = self._db.execute(
            "DELETE FROM saved_papers WHERE user_id = ? AND arxiv_id = ?", (user_id, arxiv_id)
        )
        return bool(cursor.rowcount)

    def saved(self, user_id: int) -> list[str]:
        """A member's saved arXiv ids, newest first."""
        rows = self._db.rows(
            "SELECT arxiv_id FROM saved_papers WHERE user_id = ? ORDER BY saved_at DESC, rowid DESC",
            user_id,
        )
        return [r[0] for r in rows]
