"""Paper threads (the Discuss button): which thread discusses which paper in which channel, and
the card message it came from, in `bot.sqlite`."""

from __future__ import annotations

from dataclasses import dataclass

from bot.state.db import Database
from bot.state.times import now_text

_SCHEMA = """
CREATE TABLE IF NOT EXISTS paper_threads (
    channel_id INTEGER NOT NULL,
    arxiv_id TEXT NOT NULL,
    thread_id INTEGER NOT NULL UNIQUE,
    origin_url TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (channel_id, arxiv_id)
);
"""


@dataclass(frozen=True)
class PaperThread:
    channel_id: int  # the text channel the thread belongs to
    arxiv_id: str
    thread_id: int
    origin_url: str  # the card message the thread was opened from


class DiscussState:
    def __init__(self, db: Database) -> None:
        self._db = db
        db.migrate(_SCHEMA)

    def thread(self, channel_id: int, arxiv_id: str) -> PaperThread | None:
        row = self._db.one(
            "SELECT * FROM paper_threads WHERE channel_id = ? AND arxiv_id = ?",
            channel_id,
            arxiv_id,
        )
        return _thread(row) if row else None

    def by_thread(self, thread_id: int) -> PaperThread | None:
        row = self._db.one("SELECT * FROM paper_threads WHERE thread_id = ?", thread_id)
        return _thread(row) if row else None

    def record(self, found: PaperThread) -> None:
        """The paper's thread in that channel from now on (replacing one that was deleted)."""
        with self._db.transaction():
            self._db.execute("DELETE FROM paper_threads WHERE thread_id = ?", (found.thread_id,))
            self._db.execute(
                "INSERT OR REPLACE INTO paper_threads VALUES (?, ?, ?, ?, ?)",
                (found.channel_id, found.arxiv_id, found.thread_id, found.origin_url, now_text()),
            )

    def forget(self, thread_id: int) -> None:
        self._db.execute("DELETE FROM paper_threads WHERE thread_id = ?", (thread_id,))


def _thread(row) -> PaperThread:
    return PaperThread(row["channel_id"], row["arxiv_id"], row["thread_id"], row["origin_url"])
