"""Leases on a Chroma server shared by several hosts, kept as records of the registry collection
(store/index/generations.py), one pair per layout:

- `write`: the one process that writes the index (`paperbot ingest`, `--full`, the bot's
  ingests and /reindex), held while it writes; a second writer is refused with one line naming
  the holder (`LeaseHeld`, a `WriterBusy`: the CLI exits 3);
- `duty`: the one bot that runs the scheduled ingests, held for the bot's life; the other bots
  follow the index and skip them (a digest folder that lags behind on one host must not mirror
  its older view over the newer one).

A lease is the newest of its numbered records, `lease/<layout>/<kind>/<epoch>`, each holding who
took it, since when and until when (wall-clock seconds). To take it a process adds the next
epoch; Chroma keeps the first record added under an id, so of two hosts adding the same epoch
one wins, and each reads back which. A running lease is never taken: only one its holder let go,
or stopped renewing for TTL seconds (the process died, froze or lost the server). The holder
renews it every TTL/4 from a thread and counts itself the holder only while its last renewal is
less than TTL/2 old; a writer that is not stops before its next write (`LeaseLost`), so a frozen
writer that wakes up after a takeover writes nothing more. TTL is 60 s (`PAPERBOT_LEASE_TTL_S`
changes it, for tests); the hosts' clocks must agree to well within it (NTP).
"""

from __future__ import annotations

import logging
import math
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

import chromadb

from store.errors import StoreError, WriterBusy
from store.index.generations import REGISTRY, Registry

log = logging.getLogger(__name__)
TTL_S = 60.0


class LeaseHeld(WriterBusy):
    """Another process (on this host or another) holds the lease."""


class LeaseLost(StoreError):
    """This process's write lease lapsed or was taken over while it was writing."""


def ttl_s() -> float:
    return float(os.environ.get("PAPERBOT_LEASE_TTL_S") or TTL_S)


@dataclass(frozen=True)
class Holder:
    epoch: int
    token: str
    who: str  # "`paperbot ingest` on host-a (pid 4242)"
    since: str
    expires: float  # wall-clock seconds; 0 once let go

    def describe(self) -> str:
        until = datetime.fromtimestamp(self.expires, UTC).strftime("%H:%M:%S UTC")
        return f"{self.who}, since {self.since}, lease until {until}"


class Lease:
    """One process's claim on one lease (a fresh token per object)."""

    def __init__(
        self,
        registry: Registry,
        kind: str,
        purpose: str,
        ttl: float | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.registry = registry
        self.name = f"{registry.layout.key}/{kind}"
        self.ttl = ttl or ttl_s()
        self.clock = clock
        self.token = uuid.uuid4().hex
        self.who = f"`{purpose}` on {socket.gethostname()} (pid {os.getpid()})"
        self.epoch: int | None = None
        self._since = ""
        self._renewed = -math.inf  # _elapsed() at the last renewal that held
        self._lock = threading.RLock()
        self._stop = threading.Event()
        self._keeper: threading.Thread | None = None

    @property
    def held(self) -> bool:
        """Whether this process may act as the holder now (no I/O)."""
        return self.epoch is not None and _elapsed() - self._renewed < self.ttl / 2

    def holder(self) -> Holder | None:
        """The lease as the server has it: its newest record (None: never taken)."""
        got = self._collection().get(where={"lease": self.name}, include=["metadatas"])
        records = [_holder(meta) for meta in got["metadatas"]]
        return max(records, key=lambda h: h.epoch) if records else None

    def claim(self) -> Holder | None:
        """Take the lease (or renew it, when this object holds it). None when held now; else
        the holder in the way."""
        with self._lock:
            start = _elapsed()
            latest = self.holder()
            if latest is not None and latest.token == self.token and self._renew(latest, start):
                return None
            self.epoch = None
            if latest is not None and latest.token != self.token and latest.expires > self.clock():
                return latest
            epoch = (latest.epoch if latest else 0) + 1
            since = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
            self._collection().add(
                ids=[self._id(epoch)],
                embeddings=[[1.0]],
                metadatas=[self._record(epoch, since, self.clock() + self.ttl)],
            )
            winner = self.holder()
            if winner is None or winner.token != self.token:
                return winner
            self.epoch, self._since, self._renewed = epoch, since, start
            self._prune(epoch)
            return None

    def renew(self) -> bool:
        """Push the expiry on; False when the lease is no longer this object's."""
        with self._lock:
            if self.epoch is None:
                return False
            start = _elapsed()
            latest = self.holder()
            return latest is not None and self._renew(latest, start)

    def keep(self) -> None:
        """Renew from a daemon thread every TTL/4 until released or lost."""
        with self._lock:
            if self._keeper is not None and self._keeper.is_alive():
                return
            self._stop.clear()
            self._keeper = threading.Thread(
                target=self._keep, name=f"lease {self.name}", daemon=True
            )
            self._keeper.start()

    def release(self) -> None:
        """Let the lease go now (another process may take it at once)."""
        self._stop.set()
        if self._keeper is not None and self._keeper is not threading.current_thread():
            self._keeper.join(timeout=self.ttl)
        with self._lock:
            if self.epoch is None:
                return
            try:
                latest = self.holder()
                if latest is not None and latest.token == self.token:
                    self._update(latest.epoch, 0.0)
            except Exception as error:  # noqa: BLE001 — it lapses by itself
                log.warning(
                    "could not let the %s lease go (%s); it lapses in %.0f s",
                    self.name,
                    error,
                    self.ttl,
                )
            self.epoch = None

    # -- internals ---------------------------------------------------------------------
    def _keep(self) -> None:
        while not self._stop.wait(self.ttl / 4):
            try:
                if not self.renew():
                    log.warning("the %s lease was taken over: %s", self.name, self.holder())
                    return
            except Exception as error:  # noqa: BLE001 — a failed renewal lets the lease lapse
                log.warning("could not renew the %s lease: %s", self.name, error)

    def _renew(self, latest: Holder, start: float) -> bool:
        if latest.token != self.token or latest.expires <= self.clock():
            self.epoch = None
            return False
        self._update(latest.epoch, self.clock() + self.ttl)
        self.epoch, self._renewed = latest.epoch, start
        return True

    def _update(self, epoch: int, expires: float) -> None:
        record = self._record(epoch, self._since, expires)
        self._collection().update(ids=[self._id(epoch)], metadatas=[record])

    def _prune(self, epoch: int) -> None:
        got = self._collection().get(where={"lease": self.name}, include=["metadatas"])
        old = [i for i, meta in zip(got["ids"], got["metadatas"]) if meta["epoch"] < epoch]
        if old:
            self._collection().delete(ids=old)

    def _record(self, epoch: int, since: str, expires: float) -> dict:
        return {
            "lease": self.name,
            "epoch": epoch,
            "token": self.token,
            "who": self.who,
            "since": since,
            "expires": float(expires),
        }

    def _id(self, epoch: int) -> str:
        return f"lease/{self.name}/{epoch}"

    def _collection(self) -> chromadb.Collection:
        return self.registry.client.get_or_create_collection(REGISTRY, embedding_function=None)


def _elapsed() -> float:
    """Real seconds for the holder's own count: perf_counter, which a test's virtual clock
    (SimCord moves time.monotonic) never moves, as the lease's real TTL runs on regardless."""
    return time.perf_counter()


def _holder(meta: dict) -> Holder:
    return Holder(
        int(meta["epoch"]), meta["token"], meta["who"], meta["since"], float(meta["expires"])
    )


_writing: dict[tuple[str, str], Lease] = {}  # (server, layout) -> the write lease held here
_guard = threading.Lock()


@contextmanager
def writing(registry: Registry, purpose: str) -> Iterator[None]:
    """Hold the write lease of `registry`'s layout while the block runs. An embedded index has
    one writer already (the data dir's lock, store/index/writelock.py): nothing to take."""
    if registry.server is None:
        yield
        return
    lease = Lease(registry, "write", purpose)
    holder = lease.claim()
    if holder is not None:
        raise LeaseHeld(_refusal(registry, holder))
    lease.keep()
    key = (registry.server, registry.layout.key)
    with _guard:
        _writing[key] = lease
    try:
        yield
    finally:
        with _guard:
            if _writing.get(key) is lease:
                del _writing[key]
        lease.release()


def holds_writing(registry: Registry) -> bool:
    """Whether this process may write to `registry`'s index now (always, when embedded)."""
    if registry.server is None:
        return True
    with _guard:
        lease = _writing.get((registry.server, registry.layout.key))
    return lease is not None and lease.held


def check_writing(registry: Registry) -> None:
    """Refuse a write to a shared index unless this process holds its write lease now."""
    if not holds_writing(registry):
        raise LeaseLost(
            f"stopped writing to the index on the Chroma server at {registry.server}: this "
            "process no longer holds the write lease (it lapsed, or another host took it over "
            "after it lapsed); nothing more was written. Run the ingest again."
        )


def _refusal(registry: Registry, holder: Holder) -> str:
    return (
        f"the index on the Chroma server at {registry.server} is being written by "
        f"{holder.describe()}; a shared index has one writer at a time. Wait for it to finish "
        "(a writer that died holds the lease until it lapses), or ingest on that host "
        "(/digest now or /reindex if it is the bot); docs/SEVERAL_HOSTS.md."
    )
