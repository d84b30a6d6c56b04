"""What the papers' own sources add to a digest entry (an English abstract, a one-line summary,
keywords, the code repository), cached per arXiv id in the data dir: `EnrichCache`, `Enrichment`.
Fetching lives in ingest/enrich/; cards and retrieval read the cache."""

from store.enrich.cache import EnrichCache, Enrichment

__all__ = ["EnrichCache", "Enrichment"]
