"""The store's own exceptions. Each carries a sentence for the operator; the CLI and the bot's
error handler show it as it is (sqlite-utils style: the library raises, the shells explain)."""

from __future__ import annotations


class StoreError(Exception):
    """Something the operator can act on; `str(error)` is the whole message."""


class StoreUnavailable(StoreError):
    """The Chroma server cannot be reached, or the data dir cannot be written."""


class WriterBusy(StoreError):
    """Another process is writing to the same data dir."""


class IngestRefused(StoreError):
    """A guard stopped an ingest or a rebuild before it removed anything."""
