"""The one SQLite connection to `bot.sqlite`, shared by every feature's tables.

The event loop and worker threads (subscription matching) use it alike: every statement runs
under one re-entrant lock, and `transaction()` holds that lock from BEGIN to COMMIT, so two
features' writes never interleave inside each other's transaction. Outside a transaction each
statement commits on its own (autocommit), so a write is durable when the call returns.
Statements are single rows or small batches on a local file (well under a millisecond), so the
bot makes them on the event loop.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from store.index.datadir import narrow_if_present, private_file


class Database:
    def __init__(self, path: Path) -> None:
        # Member ids, topics, saved papers: only the owner may read them. SQLite gives its WAL
        # files the database file's mode; those of an older install are narrowed too.
        private_file(path)
        for kept_beside in ("-wal", "-shm"):
            narrow_if_present(path.with_name(path.name + kept_beside))
        self._conn = sqlite3.connect(
            path, isolation_level=None, check_same_thread=False, timeout=30
        )
        self._conn.row_factory = sqlite3.Row
        self._lock = threading.RLock()
        self.execute("PRAGMA journal_mode=WAL")
        self.path = path

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def execute(self, sql: str, args: Sequence[object] = ()) -> sqlite3.Cursor:
        """One statement; read `rowcount` from the cursor, fetch rows with `rows`/`one`."""
        with self._lock:
            return self._conn.execute(sql, args)

    def executemany(self, sql: str, args: Iterable[Sequence[object]]) -> None:
        with self._lock:
            self._conn.executemany(sql, args)

    def rows(self, sql: str, *args: object) -> list[sqlite3.Row]:
        with self._lock:
            return self._conn.execute(sql, args).fetchall()

    def one(self, sql: str, *args: object) -> sqlite3.Row | None:
        with self._lock:
            return self._conn.execute(sql, args).fetchone()

    @contextmanager
    def transaction(self) -> Iterator[Database]:
        """Every statement inside commits together, or none does."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def migrate(self, schema: str, added: dict[str, dict[str, str]] | None = None) -> None:
        """Create a feature's tables, then add the columns that came after its first release."""
        with self._lock:
            self._conn.executescript(schema)
            for table, columns in (added or {}).items():
                have = {row["name"] for row in self._conn.execute(f"PRAGMA table_info({table})")}
                for name, kind in columns.items():
                    if name not in have:
                        self._conn.execute(f"ALTER TABLE {table} ADD COLUMN {name} {kind}")
