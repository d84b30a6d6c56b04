"""Chroma access: embedded PersistentClient under the data dir, or HttpClient when configured."""

from __future__ import annotations

import chromadb
from chromadb.config import Settings as ChromaSettings

from store.settings import Settings

_COSINE = {"hnsw": {"space": "cosine"}}


def make_client(settings: Settings) -> chromadb.ClientAPI:
    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_host:
        return chromadb.HttpClient(
            host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings
        )
    path = settings.data_dir / "chroma"
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=chroma_settings)


def open_collection(client: chromadb.ClientAPI, name: str) -> chromadb.Collection:
    # embedding_function=None: vectors always come from our embedders, never Chroma's default
    # (which would try to download a model).
    return client.get_or_create_collection(name, configuration=_COSINE, embedding_function=None)


def collection_names(client: chromadb.ClientAPI) -> list[str]:
    return [c if isinstance(c, str) else c.name for c in client.list_collections()]
