"""The enrichment cache: one row per arXiv id in `enrich.sqlite` under the data dir, with what
was found, where, when it was fetched and how many tries failed.

A row's `status`:
- `ok`: found (`source` says where: `hf` the Hugging Face papers API, `arxiv` the arXiv API);
- `missing`: no source knows the id (404); asked again after MISSING_RECHECK;
- `failed`: the last try failed (timeout, 5xx, 429, bad JSON); asked again after a backoff that
  doubles per try, until MAX_TRIES, then only after MISSING_RECHECK.
Readers (cards, retrieval) use only `ok` rows. The file is a cache: deleting it loses nothing
that cannot be fetched again, and the index never depends on it.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from store.index.datadir import narrow_if_present, private_file

FILE = "enrich.sqlite"
MAX_TRIES = 5
FIRST_BACKOFF = timedelta(minutes=10)
MISSING_RECHECK = timedelta(days=7)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS papers (
    arxiv_id     TEXT PRIMARY KEY,
    status       TEXT NOT NULL,     -- 'ok' | 'missing' | 'failed'
    source       TEXT,              -- 'hf' | 'arxiv'
    data         TEXT,              -- JSON: the Enrichment's content fields
    fetched_at   TEXT NOT NULL,     -- ISO UTC of the last try
    tries        INTEGER NOT NULL DEFAULT 0,  -- failed tries since the last success
    error        TEXT,
    revision     INTEGER NOT NULL DEFAULT 0   -- the cache's revision when written
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
"""
_CONTENT = ("abstract", "ai_summary", "keywords", "github", "project_page", "upvotes")


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Enrichment:
    """What the sources say about one paper (empty strings / None where they say nothing)."""

    arxiv_id: str
    status: str = "ok"
    source: str | None = None
    abstract: str = ""
    ai_summary: str = ""
    keywords: tuple[str, ...] = ()
    github: str | None = None
    project_page: str | None = None
    upvotes: int | None = None
    fetched_at: str = ""
    tries: int = 0
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    @property
    def english(self) -> str:
        """The English text a reader or a search sees: the one-line summary, else the abstract."""
        return self.ai_summary or self.abstract

    def content(self) -> dict:
        data = {name: getattr(self, name) for name in _CONTENT}
        data["keywords"] = list(self.keywords)
        return data


@dataclass
class EnrichCache:
    """The cache file; safe to share between threads (one connection under a lock)."""

    data_dir: Path
    _conn: sqlite3.Connection = field(init=False, repr=False)
    _lock: threading.RLock = field(init=False, repr=False, default_factory=threading.RLock)

    def __post_init__(self) -> None:
        path = private_file(self.data_dir / FILE)
        for kept_beside in ("-wal", "-shm"):
            narrow_if_present(path.with_name(path.name + kept_beside))
        self._conn = sqlite3.connect(
            path, isolation_level=None, check_same_thread=False, timeout=30
        )
        self._conn.row_factory = sqlite3.Row
        with self._lock:
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.executescript(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    # -- reading -----------------------------------------------------------------------------
    def revision(self) -> int:
        """Grows with every write: a reader keeping derived data (a search field) rebuilds it
        when this changed."""
        with self._lock:
            row = self._conn.execute("SELECT value FROM meta WHERE key = 'revision'").fetchone()
        return int(row["value"]) if row else 0

    def get(self, arxiv_id: str) -> Enrichment | None:
        with self._lock:
            row = self._conn.execute(
                "SELECT * FROM papers WHERE arxiv_id = ?", (arxiv_id,)
            ).fetchone()
        return _record(row) if row else None

    def many(self, arxiv_ids: Iterable[str]) -> dict[str, Enrichment]:
        """The `ok` rows among `arxiv_ids`."""
        ids = list(dict.fromkeys(arxiv_ids))
        found: dict[str, Enrichment] = {}
        for start in range(0, len(ids), 500):
            part = ids[start : start + 500]
            marks = ",".join("?" * len(part))
            with self._lock:
                rows = self._conn.execute(
                    f"SELECT * FROM papers WHERE status = 'ok' AND arxiv_id IN ({marks})", part
                ).fetchall()
            found.update((row["arxiv_id"], _record(row)) for row in rows)
        return found

    def found(self) -> dict[str, Enrichment]:
        """Every `ok` row (for the retrieval's English field)."""
        with self._lock:
            rows = self._conn.execute("SELECT * FROM papers WHERE status = 'ok'").fetchall()
        return {row["arxiv_id"]: _record(row) for row in rows}

    def counts(self) -> dict[str, int]:
        with self._lock:
            rows = self._conn.execute("SELECT status, COUNT(*) AS n FROM papers GROUP BY status")
            return {row["status"]: row["n"] for row in rows}

    def due(self, arxiv_ids: Sequence[str], now: datetime) -> list[str]:
        """The ids to fetch now, in the given order: never tried; failed, once its backoff
        (FIRST_BACKOFF doubled per try, MAX_TRIES tries) is over; missing, or failed MAX_TRIES
        times, after MISSING_RECHECK."""
        known: dict[str, sqlite3.Row] = {}
        ids = list(dict.fromkeys(arxiv_ids))
        for start in range(0, len(ids), 500):
            part = ids[start : start + 500]
            marks = ",".join("?" * len(part))
            with self._lock:
                rows = self._conn.execute(
                    f"SELECT arxiv_id, status, fetched_at, tries FROM papers"
                    f" WHERE arxiv_id IN ({marks})",
                    part,
                ).fetchall()
            known.update((row["arxiv_id"], row) for row in rows)
        due = []
        for arxiv_id in ids:
            row = known.get(arxiv_id)
            if row is None:
                due.append(arxiv_id)
                continue
            if row["status"] == "ok":
                continue
            last = datetime.fromisoformat(row["fetched_at"])
            if row["status"] == "failed" and row["tries"] < MAX_TRIES:
                wait = FIRST_BACKOFF * (2 ** (row["tries"] - 1))
            else:
                wait = MISSING_RECHECK
            if now - last >= wait:
                due.append(arxiv_id)
        return due

    # -- writing -----------------------------------------------------------------------------
    def put(self, records: Iterable[Enrichment], now: datetime | None = None) -> int:
        """Store results (one transaction); a failure never overwrites what was found before:
        it only counts the try. Returns how many rows were written."""
        at = _utc(now or datetime.now(UTC))
        records = list(records)
        if not records:
            return 0
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                revision = self._bump()
                for record in records:
                    self._put_one(record, at, revision)
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")
        return len(records)

    def _bump(self) -> int:
        self._conn.execute(
            "INSERT INTO meta (key, value) VALUES ('revision', '1') ON CONFLICT(key)"
            " DO UPDATE SET value = CAST(value AS INTEGER) + 1"
        )
        row = self._conn.execute("SELECT value FROM meta WHERE key = 'revision'").fetchone()
        return int(row["value"])

    def _put_one(self, record: Enrichment, at: str, revision: int) -> None:
        if record.status == "failed":
            self._conn.execute(
                "INSERT INTO papers (arxiv_id, status, fetched_at, tries, error, revision)"
                " VALUES (?, 'failed', ?, 1, ?, ?) ON CONFLICT(arxiv_id) DO UPDATE SET"
                " tries = tries + 1, error = excluded.error, fetched_at = excluded.fetched_at,"
                " status = CASE WHEN status = 'ok' THEN 'ok' ELSE 'failed' END",
                (record.arxiv_id, at, (record.error or "")[:300], revision),
            )
            return
        data = json.dumps(record.content(), ensure_ascii=False) if record.ok else None
        self._conn.execute(
            "INSERT OR REPLACE INTO papers (arxiv_id, status, source, data, fetched_at, tries,"
            " error, revision) VALUES (?, ?, ?, ?, ?, 0, NULL, ?)",
            (record.arxiv_id, record.status, record.source, data, at, revision),
        )


def counts_in(data_dir: Path) -> dict[str, int] | None:
    """Rows per status of the data dir's cache, read without writing anything (for `paperbot
    doctor`); None when there is no cache file yet."""
    path = data_dir / FILE
    if not path.is_file():
        return None
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=5)
    try:
        rows = conn.execute("SELECT status, COUNT(*) FROM papers GROUP BY status").fetchall()
    finally:
        conn.close()
    return dict(rows)


def _record(row: sqlite3.Row) -> Enrichment:
    data = json.loads(row["data"]) if row["data"] else {}
    base = Enrichment(
        arxiv_id=row["arxiv_id"],
        status=row["status"],
        source=row["source"],
        fetched_at=row["fetched_at"],
        tries=row["tries"],
        error=row["error"],
    )
    if not data:
        return base
    return replace(
        base,
        abstract=data.get("abstract") or "",
        ai_summary=data.get("ai_summary") or "",
        keywords=tuple(data.get("keywords") or ()),
        github=data.get("github"),
        project_page=data.get("project_page"),
        upvotes=data.get("upvotes"),
    )
