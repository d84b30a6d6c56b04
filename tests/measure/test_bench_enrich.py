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


def test_bench_enrich_into_a_data_dir_embeds_and_is_dropped_again(tmp_path) -> None:
    """What `paperbot bench` times questions with: the cache in the index's data dir, its English
    text embedded; removed afterwards, so the 10x figures are the index's alone."""
    from measure.bench_enrich import drop_enrichment
    from store.embedders import get_embedder
    from store.enrich.english import EnglishVectors

    ids = [f"2405.{n:05d}" for n in range(25)]
    embedder = get_embedder("hash")
    figures = bench_enrich(ids, tmp_path, embedder)
    assert figures["enrich_passages_embedded"] == 23 * 2 + 2  # HF: summary + abstract; 2 arXiv
    vectors = EnglishVectors(tmp_path)
    assert len(vectors.keys(embedder.model)) == 48
    vectors.close()
    drop_enrichment(tmp_path)
    assert not list(tmp_path.glob("enrich.sqlite*"))
