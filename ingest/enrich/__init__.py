"""Fetching what the papers' own sources say about them (the Hugging Face papers API, the arXiv
API for abstracts HF lacks) into the enrichment cache (store/enrich), off the ingest path: the
bot runs `enrich` in the background after each ingest, `paperbot enrich` in the foreground.
docs/OPERATIONS.md ("Enrichment") says what is fetched, from where and how often."""

from ingest.enrich.runner import EnrichReport, Sources, enrich, newest_first

__all__ = ["EnrichReport", "Sources", "enrich", "newest_first"]
