"""`paperbot bench`'s enrichment figures: the time to enrich the whole archive from a loopback
server that answers every id in the sources' documented shapes (measure/sources_server.py),
without the pauses the real sources ask for, so the figure is the client's own cost; the paced
estimate says what the real sources' rate limits make of it. The ingest figures are not
touched: `ingest` never fetches."""

from __future__ import annotations

import tempfile
from pathlib import Path

from ingest.enrich import Sources, enrich
from measure.sources_server import SourcesServer, hf_paper
from store.enrich import EnrichCache

UNKNOWN_TO_HF_EVERY = 20  # every 20th id is left to arXiv (its abstract), as the fallback


def bench_enrich(arxiv_ids: list[str]) -> dict[str, float]:
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
    with tempfile.TemporaryDirectory() as tmp, SourcesServer(hf, abstracts) as server:
        paced = Sources()  # the production pauses, for the estimate
        sources = Sources(server.hf_api, server.arxiv_api, hf_interval=0, arxiv_interval=0)
        cache = EnrichCache(Path(tmp))
        report = enrich(cache, arxiv_ids, sources)
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
    }
