"""Members' subscriptions, their pending matches and the subscription DMs (their tables in
`bot.sqlite`, through the one connection of bot/state/db.py).

Exactly once, like the daily post: matches are recorded together with the papers they were
computed for (one transaction), so a crash re-matches nothing twice and misses nothing. A day's
DM is recorded as `sending` with its papers and their cut into messages (`parts`) before
anything is sent; each message is marked `pending` before its send and recorded after (in
`sub_dm_parts`, with the papers it listed delivered, in one write), and a pending mark is first
looked for in the member's DM history (bot/subscriptions/notify.py through bot/delivery/). The
primary key (member, day) makes a second DM on the same day impossible to record; an earlier
day's DM left `sending` is settled (looked up, then `sent` or `closed`) before the next one.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np

from bot.state.db import Database
from bot.state.times import now_text

MAX_PER_MEMBER = 20

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sub_subscriptions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('topic', 'author')),
    text TEXT NOT NULL,
    norm TEXT NOT NULL,
    model TEXT,
    vector BLOB,
    created TEXT NOT NULL,
    UNIQUE (user_id, kind, norm)
);
CREATE TABLE IF NOT EXISTS sub_members (
    user_id INTEGER PRIMARY KEY,
    lang TEXT NOT NULL DEFAULT 'en',
    dm_refused TEXT
);
CREATE TABLE IF NOT EXISTS sub_seen (arxiv_id TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS sub_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sub_pending (
    user_id INTEGER NOT NULL,
    arxiv_id TEXT NOT NULL,
    sub_id INTEGER NOT NULL,
    PRIMARY KEY (user_id, arxiv_id, sub_id)
);
CREATE TABLE IF NOT EXISTS sub_delivered (
    user_id INTEGER NOT NULL,
    arxiv_id TEXT NOT NULL,
    PRIMARY KEY (user_id, arxiv_id)
);
CREATE TABLE IF NOT EXISTS sub_dms (
    user_id INTEGER NOT NULL,
    day TEXT NOT NULL,
    status TEXT NOT NULL,
    papers TEXT NOT NULL,
    message_id INTEGER,
    tries INTEGER NOT NULL DEFAULT 0,
    next_try TEXT,
    PRIMARY KEY (user_id, day)
);
CREATE TABLE IF NOT EXISTS sub_dm_parts (
    user_id INTEGER NOT NULL,
    day TEXT NOT NULL,
    part INTEGER NOT NULL,
    message_id INTEGER NOT NULL,
    PRIMARY KEY (user_id, day, part)
);
"""
_ADDED = {
    "sub_dms": {
        "parts": "TEXT",  # JSON [[arXiv id, ...], ...]: the messages the DM is cut into
        "pending": "INTEGER",  # 1: a message's send is not recorded (NULL: an older file's row)
    }
}


@dataclass(frozen=True)
class Subscription:
    id: int
    user_id: int
    kind: str  # "topic" | "author"
    text: str  # as the member typed it (topic) or the index's spelling (author)
    norm: str
    model: str | None = None
    vector: np.ndarray | None = None


@dataclass(frozen=True)
class Dm:
    user_id: int
    day: str
    status: str  # sending | sent | refused | failed | closed (an earlier day's, settled)
    papers: list[tuple[str, str]]  # (arXiv id, what it matched), in order
    message_id: int | None  # the first message, once every part is recorded
    tries: int
    next_try: datetime | None
    parts: list[list[str]] = field(default_factory=list)  # arXiv ids per message
    done: frozenset[int] = frozenset()  # parts recorded as landed (1-based)
    pending: bool = False  # a part's send may have landed unrecorded

    @property
    def complete(self) -> bool:
        return len(self.done) >= len(self.parts)


class SubscriptionState:
    def __init__(self, db: Database) -> None:
        self._db = db
        db.migrate(_SCHEMA, _ADDED)

    # -- subscriptions -----------------------------------------------------------------------
    def add(
        self,
        user_id: int,
        kind: str,
        text: str,
        norm: str,
        lang: str,
        model: str | None = None,
        vector: np.ndarray | None = None,
    ) -> str:
        """ "added", "duplicate" or "full" (MAX_PER_MEMBER reached); also records the member's
        language and clears a refused-DM mark (subscribing again is how a member says DMs are
        open now)."""
        blob = None if vector is None else np.asarray(vector, dtype=np.float32).tobytes()
        with self._db.transaction():
            self._db.execute(
                "INSERT INTO sub_members (user_id, lang) VALUES (?, ?) ON CONFLICT (user_id) "
                "DO UPDATE SET lang = excluded.lang, dm_refused = NULL",
                (user_id, lang),
            )
            row = self._db.execute(
                "SELECT 1 FROM sub_subscriptions WHERE user_id = ? AND kind = ? AND norm = ?",
                (user_id, kind, norm),
            ).fetchone()
            if row is not None:
                return "duplicate"
            (count,) = self._db.execute(
                "SELECT COUNT(*) FROM sub_subscriptions WHERE user_id = ?", (user_id,)
            ).fetchone()
            if count >= MAX_PER_MEMBER:
                return "full"
            self._db.execute(
                "INSERT INTO sub_subscriptions (user_id, kind, text, norm, model, vector, created)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (user_id, kind, text, norm, model, blob, now_text()),
            )
        return "added"

    def remove(self, user_id: int, sub_id: int) -> bool:
        with self._db.transaction():
            gone = self._db.execute(
                "DELETE FROM sub_subscriptions WHERE id = ? AND user_id = ?", (sub_id, user_id)
            ).rowcount
            self._db.execute("DELETE FROM sub_pending WHERE sub_id = ?", (sub_id,))
        return bool(gone)

    def of(self, user_id: int) -> list[Subscription]:
        rows = self._db.rows(
            "SELECT * FROM sub_subscriptions WHERE user_id = ? ORDER BY id", user_id
        )
        return [_subscription(r, with_vector=False) for r in rows]

    def all(self, kind: str) -> list[Subscription]:
        rows = self._db.rows("SELECT * FROM sub_subscriptions WHERE kind = ? ORDER BY id", kind)
        return [_subscription(r, with_vector=kind == "topic") for r in rows]

    def count(self) -> int:
        return self._db.rows("SELECT COUNT(*) FROM sub_subscriptions")[0][0]

    def set_vectors(self, model: str, vectors: Iterable[tuple[int, np.ndarray]]) -> None:
        """Query vectors made again for another embedder (the index changed models)."""
        data = [(model, np.asarray(v, dtype=np.float32).tobytes(), key) for key, v in vectors]
        with self._db.transaction():
            self._db.executemany(
                "UPDATE sub_subscriptions SET model = ?, vector = ? WHERE id = ?", data
            )

    # -- members -----------------------------------------------------------------------------
    def lang(self, user_id: int) -> str:
        rows = self._db.rows("SELECT lang FROM sub_members WHERE user_id = ?", user_id)
        return rows[0]["lang"] if rows else "en"

    def refused(self, user_id: int) -> str | None:
        """When the member's DMs were found closed (ISO time), or None."""
        rows = self._db.rows("SELECT dm_refused FROM sub_members WHERE user_id = ?", user_id)
        return rows[0]["dm_refused"] if rows else None

    def refuse(self, user_id: int, day: str) -> None:
        """DMs closed: remember it, drop what was waiting, stop trying."""
        with self._db.transaction():
            self._db.execute(
                "INSERT INTO sub_members (user_id, dm_refused) VALUES (?, ?) ON CONFLICT (user_id)"
                " DO UPDATE SET dm_refused = excluded.dm_refused",
                (user_id, now_text()),
            )
            self._db.execute("DELETE FROM sub_pending WHERE user_id = ?", (user_id,))
            self._db.execute(
                "UPDATE sub_dms SET status = 'refused', pending = 0 WHERE user_id = ? AND day = ?",
                (user_id, day),
            )

    # -- new papers and matches ----------------------------------------------------------------
    def meta(self, key: str) -> str | None:
        rows = self._db.rows("SELECT value FROM sub_meta WHERE key = ?", key)
        return rows[0]["value"] if rows else None

    def seen(self) -> set[str]:
        return {r[0] for r in self._db.rows("SELECT arxiv_id FROM sub_seen")}

    def record_matches(
        self, seen: Sequence[str], matches: Iterable[tuple[int, str, int]], baseline: bool = False
    ) -> None:
        """In one transaction: (member, arXiv id, subscription id) matches and the papers they
        were computed for, so no paper is matched twice and none is lost to a crash."""
        with self._db.transaction():
            self._db.executemany(
                "INSERT OR IGNORE INTO sub_seen VALUES (?)", [(aid,) for aid in seen]
            )
            self._db.executemany(
                "INSERT OR IGNORE INTO sub_pending SELECT ?, ?, ? WHERE NOT EXISTS (SELECT 1 "
                "FROM sub_delivered WHERE user_id = ? AND arxiv_id = ?)",
                [(u, a, s, u, a) for u, a, s in matches],
            )
            if baseline:
                self._db.execute(
                    "INSERT OR REPLACE INTO sub_meta VALUES ('baseline', ?)", (now_text(),)
                )

    def waiting(self) -> list[int]:
        """Members with matches waiting and DMs not known to be closed."""
        rows = self._db.rows(
            "SELECT DISTINCT p.user_id FROM sub_pending p LEFT JOIN sub_members m "
            "ON m.user_id = p.user_id WHERE m.dm_refused IS NULL ORDER BY p.user_id"
        )
        return [r[0] for r in rows]

    def pending(self, user_id: int) -> list[tuple[str, str]]:
        """(arXiv id, what it matched) for a member, oldest subscription first."""
        rows = self._db.rows(
            "SELECT p.arxiv_id, s.kind, s.text FROM sub_pending p JOIN sub_subscriptions s "
            "ON s.id = p.sub_id WHERE p.user_id = ? ORDER BY s.id, p.arxiv_id",
            user_id,
        )
        found: dict[str, str] = {}
        for row in rows:
            found.setdefault(row["arxiv_id"], f"{row['kind']}:{row['text']}")
        return list(found.items())

    # -- DMs -----------------------------------------------------------------------------------
    def dm(self, user_id: int, day: str) -> Dm | None:
        rows = self._db.rows("SELECT * FROM sub_dms WHERE user_id = ? AND day = ?", user_id, day)
        return self._dm(rows[0]) if rows else None

    def open_dms(self, user_id: int, before: str) -> list[Dm]:
        """Earlier days' DMs not settled: still `sending`, or with a send whose result is
        unknown."""
        rows = self._db.rows(
            "SELECT * FROM sub_dms WHERE user_id = ? AND day < ? AND (status = 'sending' OR "
            "pending = 1 OR (pending IS NULL AND status = 'failed')) ORDER BY day",
            user_id,
            before,
        )
        return [self._dm(r) for r in rows]

    def open_members(self, before: str) -> list[int]:
        rows = self._db.rows(
            "SELECT DISTINCT user_id FROM sub_dms WHERE day < ? AND (status = 'sending' OR "
            "pending = 1 OR (pending IS NULL AND status = 'failed'))",
            before,
        )
        return [r[0] for r in rows]

    def begin_dm(
        self, user_id: int, day: str, papers: list[tuple[str, str]], parts: list[list[str]]
    ) -> Dm:
        """The day's DM, recorded with its papers and its messages before anything is sent."""
        with self._db.transaction():
            self._db.execute(
                "INSERT INTO sub_dms (user_id, day, status, papers, parts, pending) "
                "VALUES (?, ?, 'sending', ?, ?, 0)",
                (user_id, day, json.dumps(papers, ensure_ascii=False), json.dumps(parts)),
            )
        dm = self.dm(user_id, day)
        assert dm is not None
        return dm

    def mark_dm(self, user_id: int, day: str) -> None:
        """Written before each message's send: a later try then knows it may have landed."""
        self._db.execute(
            "UPDATE sub_dms SET pending = 1 WHERE user_id = ? AND day = ?", (user_id, day)
        )

    def record_dm(self, user_id: int, day: str, found: Sequence[tuple[str, int]]) -> None:
        """What landed, as (key, message id): `part:K` for the DM's K-th message, an arXiv id
        for a paper it listed (delivered: never sent to this member again). One write, which
        also clears the pending mark; the DM is `sent` when every part is recorded."""
        parts = [(int(k[5:]), m) for k, m in found if k.startswith("part:")]
        papers = [k for k, _ in found if not k.startswith("part:")]
        with self._db.transaction():
            self._db.executemany(
                "INSERT OR IGNORE INTO sub_dm_parts VALUES (?, ?, ?, ?)",
                [(user_id, day, k, m) for k, m in parts],
            )
            self._db.executemany(
                "INSERT OR IGNORE INTO sub_delivered VALUES (?, ?)", [(user_id, a) for a in papers]
            )
            self._db.executemany(
                "DELETE FROM sub_pending WHERE user_id = ? AND arxiv_id = ?",
                [(user_id, a) for a in papers],
            )
            self._db.execute(
                "UPDATE sub_dms SET pending = 0 WHERE user_id = ? AND day = ?", (user_id, day)
            )
            dm = self.dm(user_id, day)
            if dm is not None and dm.complete and dm.status != "sent":
                first = self._db.one(
                    "SELECT message_id FROM sub_dm_parts WHERE user_id = ? AND day = ? "
                    "ORDER BY part LIMIT 1",
                    user_id,
                    day,
                )
                self._db.execute(
                    "UPDATE sub_dms SET status = 'sent', message_id = ? WHERE user_id = ? AND "
                    "day = ?",
                    (first[0] if first else None, user_id, day),
                )

    def close_dm(self, user_id: int, day: str) -> None:
        """An earlier day's DM, looked up: `sent` when every message landed, else `closed`
        (the papers it did not list wait for the next DM)."""
        dm = self.dm(user_id, day)
        if dm is None or dm.status not in ("sending", "failed"):
            return
        status = "sent" if dm.complete else "closed"
        self._db.execute(
            "UPDATE sub_dms SET status = ?, pending = 0 WHERE user_id = ? AND day = ?",
            (status, user_id, day),
        )

    def forget(self, user_id: int, arxiv_ids: Sequence[str]) -> None:
        """Matches whose papers left the index: nothing to send."""
        self._db.executemany(
            "DELETE FROM sub_pending WHERE user_id = ? AND arxiv_id = ?",
            [(user_id, a) for a in arxiv_ids],
        )

    def failed_try(self, user_id: int, day: str, next_try: datetime, give_up: bool) -> None:
        status = "failed" if give_up else "sending"
        with self._db.transaction():
            self._db.execute(
                "UPDATE sub_dms SET tries = tries + 1, next_try = ?, status = ? "
                "WHERE user_id = ? AND day = ? AND status IN ('sending', 'failed')",
                (next_try.astimezone(UTC).isoformat(), status, user_id, day),
            )

    def _dm(self, row: sqlite3.Row) -> Dm:
        papers = [tuple(p) for p in json.loads(row["papers"])]
        # An older file's row: one message with every paper, maybe landed when `sending`.
        parts = json.loads(row["parts"]) if row["parts"] else [[p[0] for p in papers]]
        pending = (
            row["status"] in ("sending", "failed") if row["pending"] is None else row["pending"]
        )
        done = self._db.rows(
            "SELECT part FROM sub_dm_parts WHERE user_id = ? AND day = ?",
            row["user_id"],
            row["day"],
        )
        return Dm(
            row["user_id"],
            row["day"],
            row["status"],
            papers,  # type: ignore[arg-type]
            row["message_id"],
            row["tries"],
            datetime.fromisoformat(row["next_try"]) if row["next_try"] else None,
            parts,
            frozenset(r[0] for r in done),
            bool(pending),
        )


def _subscription(row: sqlite3.Row, with_vector: bool) -> Subscription:
    vector = None
    if with_vector and row["vector"] is not None:
        vector = np.frombuffer(row["vector"], dtype=np.float32)
    return Subscription(
        row["id"], row["user_id"], row["kind"], row["text"], row["norm"], row["model"], vector
    )
