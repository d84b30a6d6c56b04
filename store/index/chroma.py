"""Chroma access: embedded PersistentClient under the data dir, or HttpClient when configured."""

from __future__ import annotations

from collections.abc import Iterator

import chromadb
from chromadb.config import Settings as ChromaSettings

from store.errors import StoreUnavailable
from store.index.datadir import private_dir
from store.settings import Settings

_COSINE = {"hnsw": {"space": "cosine"}}
PAGE = 5000


def make_client(settings: Settings) -> chromadb.ClientAPI:
    """The configured client; StoreUnavailable with a sentence when it cannot be opened."""
    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_host:
        where = f"{settings.chroma_host}:{settings.chroma_port}"
        try:
            client = chromadb.HttpClient(
                host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings
            )
            client.heartbeat()
        except Exception as error:  # chromadb raises ValueError, httpx errors, ...
            raise StoreUnavailable(
                f"cannot reach the Chroma server at {where} (CHROMA_HOST/CHROMA_PORT): "
                f"{_first_line(error).rstrip('.?! ')}. Is `chroma run` up?"
            ) from error
        return client
    path = settings.data_dir / "chroma"
    try:
        private_dir(settings.data_dir)  # created 0700, before Chroma makes its folder in it
        path.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(path), settings=chroma_settings)
    except Exception as error:
        raise StoreUnavailable(
            f"cannot open the index in {path} (PAPERBOT_DATA_DIR): {_first_line(error)}"
        ) from error


def open_collection(client: chromadb.ClientAPI, name: str) -> chromadb.Collection:
    # embedding_function=None: vectors always come from our embedders, never Chroma's default
    # (which would try to download a model).
    return client.get_or_create_collection(name, configuration=_COSINE, embedding_function=None)


def collection_names(client: chromadb.ClientAPI) -> list[str]:
    return [c if isinstance(c, str) else c.name for c in client.list_collections()]


def drop_collection(client: chromadb.ClientAPI, name: str) -> None:
    """Delete `name` if it exists (a generation half-built or already dropped elsewhere)."""
    if name in collection_names(client):
        client.delete_collection(name)


def pages(collection: chromadb.Collection, include: list[str]) -> Iterator[dict]:
    """Every record of `collection`, PAGE at a time (one `get` of 50k records costs GBs)."""
    total = collection.count()
    for offset in range(0, total, PAGE):
        yield collection.get(include=include, limit=PAGE, offset=offset)


def matching(collection: chromadb.Collection, where: dict, include: list[str]) -> Iterator[dict]:
    """Every record of `collection` that `where` selects, PAGE at a time."""
    offset = 0
    while True:
        page = collection.get(where=where, include=include, limit=PAGE, offset=offset)
        yield page
        if len(page["ids"]) < PAGE:
            return
        offset += PAGE


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0][:200] if text else type(error).__name__
