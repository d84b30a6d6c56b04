"""The index on disk: one generation (`Index`: Chroma passages, the paper catalogue, the BM25
table and the vector cache), the registry that says which generation is active, the handle
that follows it across processes and hosts, and the writer lock."""

from store.index.handle import IndexHandle
from store.index.index import Index

__all__ = ["Index", "IndexHandle"]
