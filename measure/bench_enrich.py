"""`paperbot bench`'s enrichment figures: the time to enrich the whole archive from a loopback
server that answers every id in the sources' documented shapes (measure/sources_server.py),
without the pauses the real sources ask for, so the figure is the client's own cost; the paced
estimate says what the real sources' rate limits make of it. The ingest figures are not
touched: `ingest` never fetches.

Given the bench index's data dir and embedder, the cache is written there and its English text
embedded (`enrich_embed_s`), so the bench can time questions with the English field full
(`1x_enriched_*`, measure/bench.py); `drop_enrichment` then removes it again."""

from __future__ import annotations

import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

from ingest.enrich import Sources, enrich
from measure.sources_server import SourcesServer, hf_paper
from store.embedders import Embedder
from store.enrich import EnrichCache
from store.enrich.cache import FILE
from store.enrich.english import embed_pending

UNKNOWN_TO_HF_EVERY = 20  # every 20th id is left to arXiv (its abstract), as the fallback


def bench_enrich(
    arxiv_ids: list[str], data_dir: Path | None = None, embedder: Embedder | None = None
) -> dict[str, float]:
    hf, abstracts = {}, {}
    for n, arxiv_id in enumerate(arxiv_ids):
        abstract = f"We study problem {n} and propose a method that improves on the baselines."
        abstracts[arxiv_id] = abstract
        if n % UNKNOWN_TO_HF_EVERY:
            hf[arxiv_id] = hf_paper(
                arxiv_id,
                abstract=abstract,
                ai_summary=f"A method for problem {n}.",
                keywords=("benchmark", "method", f"topic {n % 50}"),
                github=f"https://github.com/lab/project-{n}",
                upvotes=n % 100,
            )
    embedded: dict[str, float] = {}
    with ExitStack() as stack:
        server = stack.enter_context(SourcesServer(hf, abstracts))
        folder = data_dir or Path(stack.enter_context(tempfile.TemporaryDirectory()))
        paced = Sources()  # the production pauses, for the estimate
        sources = Sources(server.hf_api, server.arxiv_api, hf_interval=0, arxiv_interval=0)
        cache = EnrichCache(folder)
        report = enrich(cache, arxiv_ids, sources)
        if embedder is not None:
            start = time.perf_counter()
            passages = embed_pending(cache, embedder)
            embedded = {
                "enrich_embed_s": time.perf_counter() - start,
                "enrich_passages_embedded": passages,
            }
        cache.close()
        hf_asked, arxiv_asked = len(server.requests("hf")), len(server.requests("arxiv"))
    seconds = max(report.seconds, 1e-9)
    estimate = hf_asked * paced.hf_interval + arxiv_asked * paced.arxiv_interval
    return {
        "enrich_archive_s": report.seconds,
        "enrich_papers_per_s": (report.ok + report.missing) / seconds,
        "enrich_requests": report.requests,
        "enrich_found": report.ok,
        "enrich_paced_estimate_min": (report.seconds + estimate) / 60,
    } | embedded


def drop_enrichment(data_dir: Path) -> None:
    """The bench's cache removed from the data dir (the 10x figures are the index's alone)."""
    for name in (FILE, f"{FILE}-wal", f"{FILE}-shm"):
        (data_dir / name).unlink(missing_ok=True)
