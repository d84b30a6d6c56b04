"""Written answers' state in `bot.sqlite`: tokens used per server and day (the daily budget),
and the turns of each follow-up conversation (keyed by the thread, whose id is the id of the
/ask reply it was started from)."""

from __future__ import annotations

from bot.state.db import Database
from bot.state.times import now_text

_SCHEMA = """
CREATE TABLE IF NOT EXISTS answer_usage (
    scope INTEGER NOT NULL,
    day TEXT NOT NULL,
    tokens INTEGER NOT NULL DEFAULT 0,
    answers INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (scope, day)
);
CREATE TABLE IF NOT EXISTS answer_turns (
    conversation INTEGER NOT NULL,
    n INTEGER NOT NULL,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (conversation, n)
);
"""


class AnswerState:
    def __init__(self, db: Database) -> None:
        self._db = db
        db.migrate(_SCHEMA)

    def usage(self, scope: int, day: str) -> tuple[int, int]:
        """(tokens, answers) used by `scope` on `day`."""
        row = self._db.one(
            "SELECT tokens, answers FROM answer_usage WHERE scope = ? AND day = ?", scope, day
        )
        return (row["tokens"], row["answers"]) if row else (0, 0)

    def add_usage(self, scope: int, day: str, tokens: int, answers: int = 0) -> None:
        """Add to the day's figures (`tokens` may be negative: a reservation given back)."""
        self._db.execute(
            "INSERT INTO answer_usage (scope, day, tokens, answers) VALUES (?, ?, max(0, ?), ?) "
            "ON CONFLICT (scope, day) DO UPDATE SET tokens = max(0, tokens + ?), "
            "answers = answers + ?",
            (scope, day, tokens, answers, tokens, answers),
        )

    def add_usage_within(self, scope: int, day: str, tokens: int, limit: int | None) -> bool:
        """Add `tokens` when the day's total stays within `limit` (None: no limit)."""
        with self._db.transaction():
            used, _ = self.usage(scope, day)
            if limit is not None and used + tokens > limit:
                return False
            self.add_usage(scope, day, tokens)
        return True

    def turns(self, conversation: int) -> list[tuple[str, str]]:
        """(question, answer) of a conversation, oldest first."""
        rows = self._db.rows(
            "SELECT question, answer FROM answer_turns WHERE conversation = ? ORDER BY n",
            conversation,
        )
        return [(r["question"], r["answer"]) for r in rows]

    def add_turn(self, conversation: int, question: str, answer: str) -> None:
        with self._db.transaction():
            row = self._db.one(
                "SELECT coalesce(max(n), 0) + 1 AS n FROM answer_turns WHERE conversation = ?",
                conversation,
            )
            self._db.execute(
                "INSERT INTO answer_turns VALUES (?, ?, ?, ?, ?)",
                (conversation, row["n"], question, answer, now_text()),
            )

    def move(self, old: int, new: int) -> None:
        """A conversation now goes on under another key (a thread whose id is not the reply's)."""
        self._db.execute(
            "UPDATE answer_turns SET conversation = ? WHERE conversation = ?", (new, old)
        )
