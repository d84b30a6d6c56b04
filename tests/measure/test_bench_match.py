"""`paperbot bench`'s subscription-matching figure: 10k differently worded topics against the
largest day (here 500, on the samples)."""

from __future__ import annotations

from measure.bench import bench_match


def test_bench_match_reports_the_largest_day_and_a_time(settings) -> None:
    from ingest.pipeline import ingest, open_index

    index = open_index(settings)
    ingest(settings, index=index)
    figures = bench_match(index, ["언어 모델", "video generation", "강화학습 보상"], count=500)
    assert figures["subscriptions_day_papers"] == 15  # the samples' largest day
    assert figures["subscriptions_10k_match_s"] > 0
    assert figures["subscriptions_matched"] >= 0
    index.close()
