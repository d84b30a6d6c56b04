"""Index generations and the active pointer (blue/green), recorded in Chroma so every host of a
Chroma server agrees.

A *layout* is what fixes the vectors: the embedder (its short name for people, a hash of the
full model spec so `orgA/e5-small` and `orgB/e5-small` never share collections) and the
chunking. A layout has numbered generations; each is a pair of collections
(`<prefix>-chunks`, `<prefix>-papers`) plus a local BM25 file `<prefix>.<format>.sqlite`.
The registry (the metadata of the `paperbot-registry` collection, one JSON value per layout)
stores, per layout: the active generation, the previous one (kept until the next switch so a
query already running on it can finish), the generations being built, the collection prefix of
each, a random uid of each (so a host's local table never mistakes another store's generation
of the same number for its own), each generation's write version (`written`: every write to it
stamps its rows with the next one, then records it; store/index/sync.py catches a host up from
it), a counter so numbers are never reused, and a version that every change bumps so other
processes know to look. Names are built from these parts and never parsed back. The records of
the same collection hold the leases (store/index/lease.py).
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import uuid
from dataclasses import dataclass, replace
from pathlib import Path

import chromadb

from store.index.chroma import collection_names, drop_collection

REGISTRY = "paperbot-registry"
LEGACY_POINTER = "paperbot-active"  # the pointer before the registry: {"pb-use-c2s400": 3}
# Part of the BM25 table's file name: a new format starts an empty table, which
# the catch-up (store/index/sync.py) fills from Chroma's passages (no embedding).
LEXICAL_FORMAT = "v3"


@dataclass(frozen=True)
class Layout:
    embedder: str  # the embedder's short name ("use", "multilingual-e5-small")
    model: str  # the full spec it was made from ("use", "intfloat/multilingual-e5-small")
    chunking: str  # "c2s400"

    @property
    def model_key(self) -> str:
        """The embedder's part of the name: its slug and a hash of the full model spec."""
        digest = hashlib.sha256(self.model.encode("utf-8")).hexdigest()[:8]
        slug = re.sub(r"[^a-z0-9]+", "-", self.embedder.lower()).strip("-")[:40] or "model"
        return f"pb-{slug}-{digest}"

    @property
    def key(self) -> str:
        return f"{self.model_key}-{self.chunking}"

    @property
    def legacy_key(self) -> str:
        return f"pb-{self.embedder}-{self.chunking}"


@dataclass(frozen=True)
class Generation:
    layout_key: str
    number: int
    prefix: str  # collection name prefix, recorded in the registry
    uid: str = ""  # recorded in the registry ("" for a generation made before uids)

    @property
    def chunks(self) -> str:
        return f"{self.prefix}-chunks"

    @property
    def papers(self) -> str:
        return f"{self.prefix}-papers"

    def lexical_path(self, data_dir: Path) -> Path:
        return data_dir / "lexical" / f"{self.prefix}.{LEXICAL_FORMAT}.sqlite"


@dataclass(frozen=True)
class RegistryState:
    active: int | None = None
    previous: int | None = None
    building: tuple[int, ...] = ()
    prefixes: tuple[tuple[int, str], ...] = ()
    next: int = 1
    version: int = 0
    uids: tuple[tuple[int, str], ...] = ()
    written: tuple[tuple[int, int], ...] = ()  # generation -> its last complete write version

    def to_json(self) -> str:
        return json.dumps(
            {
                "active": self.active,
                "previous": self.previous,
                "building": list(self.building),
                "prefixes": {str(n): p for n, p in self.prefixes},
                "next": self.next,
                "version": self.version,
                "uids": {str(n): u for n, u in self.uids},
                "written": {str(n): w for n, w in self.written},
            }
        )

    @classmethod
    def from_json(cls, raw: str) -> RegistryState:
        data = json.loads(raw)
        return cls(
            active=data.get("active"),
            previous=data.get("previous"),
            building=tuple(data.get("building", ())),
            prefixes=tuple(sorted((int(n), p) for n, p in data.get("prefixes", {}).items())),
            next=int(data.get("next", 1)),
            version=int(data.get("version", 0)),
            uids=tuple(sorted((int(n), u) for n, u in data.get("uids", {}).items())),
            written=tuple(sorted((int(n), int(w)) for n, w in data.get("written", {}).items())),
        )

    def prefix(self, number: int) -> str | None:
        return dict(self.prefixes).get(number)

    def uid(self, number: int) -> str:
        return dict(self.uids).get(number, "")

    def written_of(self, number: int) -> int:
        """The last complete write version of generation `number` (0: none recorded)."""
        return dict(self.written).get(number, 0)

    def numbered(self, number: int, prefix: str) -> RegistryState:
        """This state with generation `number` registered under `prefix` (with a fresh uid), and
        `next` past it."""
        prefixes = tuple(sorted({**dict(self.prefixes), number: prefix}.items()))
        uids = tuple(sorted({**dict(self.uids), number: uuid.uuid4().hex[:12]}.items()))
        return replace(self, prefixes=prefixes, uids=uids, next=max(self.next, number + 1))

    def keeping(self, numbers: set[int]) -> RegistryState:
        """This state with only these generations' prefixes, uids and write versions."""
        return replace(
            self,
            prefixes=tuple((n, p) for n, p in self.prefixes if n in numbers),
            uids=tuple((n, u) for n, u in self.uids if n in numbers),
            written=tuple((n, w) for n, w in self.written if n in numbers),
        )


class Registry:
    """Reads and changes one layout's entry. Changes are read-modify-write of one metadata
    value: callers hold the data dir's writer lock (store/index/writelock.py) and, on a Chroma
    server, the write lease (store/index/lease.py); a lock here serialises threads of one
    process."""

    def __init__(
        self,
        client: chromadb.ClientAPI,
        layout: Layout,
        data_dir: Path,
        server: str | None = None,
    ) -> None:
        self.client = client
        self.layout = layout
        self.data_dir = data_dir
        self.server = server  # "host:port" of a Chroma server shared by hosts; None: embedded
        self._lock = threading.RLock()

    # -- reading -----------------------------------------------------------------------
    def state(self) -> RegistryState:
        raw = self._metadata().get(self.layout.key)
        if raw is None:
            return self._legacy_state() or RegistryState()
        return RegistryState.from_json(raw)

    def generation(self, number: int, state: RegistryState | None = None) -> Generation:
        state = state or self.state()
        prefix = state.prefix(number) or self._prefix(number)
        return Generation(self.layout.key, number, prefix, state.uid(number))

    def active(self) -> Generation | None:
        state = self.state()
        return None if state.active is None else self.generation(state.active, state)

    # -- changing ----------------------------------------------------------------------
    def ensure_active(self) -> Generation:
        """The active generation, creating the first one for a new layout (writers only)."""
        with self._lock:
            state = self.state()
            if state.active is not None:
                self._save(state)  # persists an adopted legacy pointer
                return self.generation(state.active, state)
            number = state.next
            state = replace(state.numbered(number, self._prefix(number)), active=number)
            self._save(state)
            return self.generation(number, state)

    def begin(self) -> Generation:
        """A new, empty generation for a rebuild; registered as building, so a rebuild that
        dies is cleaned up by the next one (`discard_unfinished`)."""
        with self._lock:
            state = self.state()
            number = state.next
            building = (*state.building, number)
            state = replace(state.numbered(number, self._prefix(number)), building=building)
            self._save(state)
            return self.generation(number, state)

    def activate(self, generation: Generation) -> Generation | None:
        """Point readers at `generation`; the old active one becomes `previous` and stays;
        anything older is dropped. Returns the generation that was active."""
        with self._lock:
            state = self.state()
            old = state.active
            keep = {generation.number, old}
            for number, _ in state.prefixes:
                if number not in keep and number not in state.building:
                    self._drop(self.generation(number, state))
            building = tuple(n for n in state.building if n != generation.number)
            kept = state.keeping({n for n in keep if n is not None} | set(building))
            self._save(
                replace(
                    kept,
                    active=generation.number,
                    previous=old,
                    building=building,
                    version=state.version + 1,
                )
            )
            return None if old is None else self.generation(old, state)

    def discard(self, generation: Generation) -> None:
        """Drop a generation that will never be activated (a refused or failed rebuild)."""
        with self._lock:
            state = self.state()
            self._drop(generation)
            building = tuple(n for n in state.building if n != generation.number)
            numbers = {n for n, _ in state.prefixes}
            if generation.number not in (state.active, state.previous):
                numbers.discard(generation.number)
            self._save(replace(state.keeping(numbers), building=building))

    def discard_unfinished(self) -> int:
        """Drop generations left half-built by a rebuild that died; returns how many."""
        state = self.state()
        for number in state.building:
            self.discard(self.generation(number, state))
        return len(state.building)

    def wrote(self, generation: Generation, version: int) -> RegistryState:
        """Record a complete write of `generation` stamped `version` (hosts catch up from it)."""
        with self._lock:
            state = self.state()
            written = {**dict(state.written), generation.number: version}
            written[generation.number] = max(version, state.written_of(generation.number))
            state = replace(
                state, written=tuple(sorted(written.items())), version=state.version + 1
            )
            self._save(state)
            return state

    # -- internals ---------------------------------------------------------------------
    def _prefix(self, number: int) -> str:
        return f"{self.layout.key}-g{number}"

    def _collection(self) -> chromadb.Collection:
        return self.client.get_or_create_collection(REGISTRY, embedding_function=None)

    def _metadata(self) -> dict:
        if REGISTRY not in collection_names(self.client):
            return {}
        return dict(self.client.get_collection(REGISTRY).metadata or {})

    def _save(self, state: RegistryState) -> None:
        collection = self._collection()
        metadata = dict(collection.metadata or {})
        metadata[self.layout.key] = state.to_json()
        collection.modify(metadata=metadata)

    def _drop(self, generation: Generation) -> None:
        drop_collection(self.client, generation.chunks)
        drop_collection(self.client, generation.papers)
        for path in generation.lexical_path(self.data_dir).parent.glob(f"{generation.prefix}.*"):
            path.unlink(missing_ok=True)

    def _legacy_state(self) -> RegistryState | None:
        """Adopt the generation an older paperbot answered from (its pointer, or generation 1
        when it never rebuilt), so an upgrade keeps its index."""
        names = collection_names(self.client)
        pointer = {}
        if LEGACY_POINTER in names:
            pointer = self.client.get_collection(LEGACY_POINTER).metadata or {}
        number = int(pointer.get(self.layout.legacy_key, 1))
        prefix = f"{self.layout.legacy_key}-g{number}"
        if f"{prefix}-papers" not in names:
            return None
        return RegistryState(
            active=int(number), prefixes=((int(number), prefix),), next=int(number) + 1
        )
