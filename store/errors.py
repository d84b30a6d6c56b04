"""The store's own exceptions. Each carries a sentence for the operator; the CLI and the bot's
error handler show it as it is (sqlite-utils style: the library raises, the shells explain)."""

from __future__ import annotations

import sqlite3
import sys
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")
RETRY_PAUSE = 0.5  # seconds before a read that met a half-built segment is tried again


class StoreError(Exception):
    """Something the operator can act on; `str(error)` is the whole message."""


class StoreUnavailable(StoreError):
    """The Chroma server cannot be reached, or the data dir cannot be written."""


class WriterBusy(StoreError):
    """Another process is writing to the same data dir."""


class IngestRefused(StoreError):
    """A guard stopped an ingest or a rebuild before it removed anything."""


def library_failure(error: BaseException) -> str | None:
    """The operator's line for what the store's libraries raise: Chroma's errors, the HTTP
    errors of a Chroma server that is down or went away mid-run, SQLite's operational errors
    (a locked or unwritable database in the data dir). None for anything else (a bug).
    Nothing is imported: a library that is not loaded raised nothing."""
    chroma, httpx = sys.modules.get("chromadb.errors"), sys.modules.get("httpx")
    kinds: list[tuple[type[BaseException], str]] = [
        (sqlite3.OperationalError, "a database in the data dir failed")
    ]
    if chroma is not None:
        kinds.append((chroma.ChromaError, "the index failed"))
    if httpx is not None:
        kinds.append((httpx.HTTPError, "lost the Chroma server (CHROMA_HOST/CHROMA_PORT)"))
    for kind, what in kinds:
        if isinstance(error, kind):
            lines = str(error).strip().splitlines()
            return f"{what}: {type(error).__name__}: {lines[0][:300] if lines else ''}".rstrip()
    return None


def retry_read(read: Callable[[], T]) -> T:
    """`read()`, tried once more after RETRY_PAUSE when Chroma could not open a vector segment:
    an embedded index read while another process builds it (its first ingest) meets a segment
    that is not on disk yet. Only reads are retried: they change nothing."""
    try:
        return read()
    except Exception as error:
        if "segment reader" not in str(error) or library_failure(error) is None:
            raise
    time.sleep(RETRY_PAUSE)
    return read()
