"""Vectors already computed, by (embedder, passage text): a rebuild, a /reindex or a chunking
change embeds only text it has never seen. One SQLite file per embedder under the data dir;
a row is the text's SHA-256 and its float32 vector.

On a Chroma server shared by several hosts, the word bridge's vectors (store/search/bridge.py)
are also kept on the server (`SharedWords`): the writer publishes the words it embedded, and a
host that did not embed them copies them into its own cache instead of answering English
questions without them."""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

import chromadb
import numpy as np

from store.index.chroma import open_collection

Embed = Callable[[list[str]], np.ndarray]


def text_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class VectorCache:
    def __init__(self, path: Path, dim: int) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.dim = dim
        self._db = sqlite3.connect(path, check_same_thread=False)
        self._db.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, v BLOB)")
        self._db.commit()
        self._lock = threading.Lock()

    def embed(self, texts: Sequence[str], embed: Embed) -> tuple[np.ndarray, int]:
        """Vectors for `texts` (cached ones looked up, the rest computed by `embed` and kept);
        also how many were computed."""
        keys = [text_key(t) for t in texts]
        found = self._get(set(keys))
        missing = sorted({k: t for k, t in zip(keys, texts) if k not in found}.items())
        if missing:
            vectors = np.asarray(embed([t for _, t in missing]), dtype=np.float32)
            fresh = {k: v for (k, _), v in zip(missing, vectors)}
            self._put(fresh)
            found |= fresh
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, key in enumerate(keys):
            out[row] = found[key]
        return out, len(missing)

    def lookup(self, texts: Sequence[str]) -> dict[str, np.ndarray]:
        """The cached vectors of `texts` (text -> vector); nothing is computed."""
        keys = {text_key(t): t for t in texts}
        return {keys[k]: v for k, v in self._get(set(keys)).items()}

    def put(self, vectors: dict[str, np.ndarray]) -> None:
        """Keep these vectors (text -> vector), computed elsewhere."""
        self._put({text_key(t): v for t, v in vectors.items()})

    def count(self) -> int:
        with self._lock:
            return self._db.execute("SELECT COUNT(*) FROM vectors").fetchone()[0]

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _get(self, keys: set[str]) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        ordered = sorted(keys)
        with self._lock:
            for start in range(0, len(ordered), 500):
                part = ordered[start : start + 500]
                marks = ",".join("?" * len(part))
                rows = self._db.execute(f"SELECT key, v FROM vectors WHERE key IN ({marks})", part)
                for key, blob in rows:
                    vector = np.frombuffer(blob, dtype=np.float32)
                    if vector.shape == (self.dim,):
                        found[key] = vector
        return found

    def _put(self, vectors: dict[str, np.ndarray]) -> None:
        rows = [(k, np.asarray(v, dtype=np.float32).tobytes()) for k, v in vectors.items()]
        with self._lock, self._db:
            self._db.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?)", rows)


class SharedWords:
    """Word vectors on the Chroma server, one collection per embedder (ids: the words' keys)."""

    def __init__(self, client: chromadb.ClientAPI, name: str) -> None:
        self.collection = open_collection(client, name)

    def publish(self, words: Sequence[str], vectors: np.ndarray) -> int:
        """Add the words the server lacks; returns how many."""
        keys = [text_key(w) for w in words]
        have: set[str] = set()
        for start in range(0, len(keys), 500):
            have.update(self.collection.get(ids=keys[start : start + 500], include=[])["ids"])
        new = [i for i, key in enumerate(keys) if key not in have]
        for start in range(0, len(new), 500):
            part = new[start : start + 500]
            self.collection.add(
                ids=[keys[i] for i in part],
                documents=[words[i] for i in part],
                embeddings=np.asarray([vectors[i] for i in part], dtype=np.float32),
            )
        return len(new)

    def fetch(self, words: Sequence[str]) -> dict[str, np.ndarray]:
        """The vectors the server has for these words (word -> vector)."""
        word_of = {text_key(w): w for w in words}
        keys = sorted(word_of)
        found: dict[str, np.ndarray] = {}
        for start in range(0, len(keys), 500):
            got = self.collection.get(ids=keys[start : start + 500], include=["embeddings"])
            for key, vector in zip(got["ids"], got["embeddings"]):
                found[word_of[key]] = np.asarray(vector, dtype=np.float32)
        return found
