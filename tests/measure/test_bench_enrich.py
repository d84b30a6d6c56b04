"""`paperbot bench`'s enrichment figure: the archive enriched from a loopback server answering
every id (every 20th through arXiv)."""

from __future__ import annotations

from measure.bench_enrich import bench_enrich


def test_bench_enrich_fetches_every_id_and_reports_a_time() -> None:
    ids = [f"2405.{n:05d}" for n in range(45)]
    figures = bench_enrich(ids)
    assert figures["enrich_found"] == 45  # 42 from HF, 3 from arXiv's abstracts
    assert figures["enrich_requests"] == 45 + 3  # one arXiv request per batch of 20 with a gap
    assert figures["enrich_archive_s"] > 0 and figures["enrich_papers_per_s"] > 0
    # at the real sources' pace: 45 HF requests 0.65 s apart, 3 arXiv requests 3 s apart
    assert figures["enrich_paced_estimate_min"] * 60 >= 45 * 0.65 + 3 * 3
