"""Enrichment runs against a real HTTP server on 127.0.0.1 playing the Hugging Face papers API and
the arXiv API in their documented shapes (measure/sources_server.py): what lands in the cache
for a found paper, an unknown one, a rate limit, a failing or slow source, malformed replies,
and no network at all."""

from __future__ import annotations

import itertools
import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ingest.enrich import EnrichReport, Sources, enrich, newest_first
from measure.sources_server import Scripted, SourcesServer, closed_port, hf_paper
from store.enrich import EnrichCache
from store.enrich.cache import FIRST_BACKOFF

AMPHION = "2312.09911"
UNKNOWN_TO_HF = "2405.00001"
UNKNOWN = "2405.99999"


@pytest.fixture
def server():
    papers = {
        AMPHION: hf_paper(
            AMPHION,
            "Amphion: An Open-Source Audio, Music and Speech Generation Toolkit",
            "Amphion is a toolkit for\n  audio, music and speech generation.",
            ai_summary="Amphion unifies audio generation research in one toolkit.",
            keywords=("text-to-speech", "singing voice conversion", "vocoder"),
            github="https://github.com/open-mmlab/Amphion",
            project_page="https://amphion.example",
            upvotes=33,
        )
    }
    with SourcesServer(papers, {UNKNOWN_TO_HF: "An abstract only arXiv has."}) as running:
        yield running


@pytest.fixture
def cache(tmp_path: Path):
    opened = EnrichCache(tmp_path)
    yield opened
    opened.close()


def fast(server: SourcesServer, **changes) -> Sources:
    """The loopback sources without the production pauses (each test sets what it checks)."""
    base = Sources(
        server.hf_api, server.arxiv_api, timeout=5.0, hf_interval=0, arxiv_interval=0,
        backoff=0.01, retry_cap=0.2,
    )  # fmt: skip
    return replace(base, **changes)


def test_a_paper_hf_knows_fills_the_cache_with_its_fields(server, cache) -> None:
    report = enrich(cache, [AMPHION], fast(server))
    got = cache.get(AMPHION)
    assert got is not None and got.ok and got.source == "hf"
    assert got.abstract == "Amphion is a toolkit for audio, music and speech generation."
    assert got.ai_summary.startswith("Amphion unifies")
    assert got.keywords == ("text-to-speech", "singing voice conversion", "vocoder")
    assert (got.github, got.project_page, got.upvotes) == (
        "https://github.com/open-mmlab/Amphion",
        "https://amphion.example",
        33,
    )
    assert (report.ok, report.missing, report.failed, report.requests) == (1, 0, 0, 1)
    assert server.requests("arxiv") == []  # HF had the abstract: arXiv is not asked


def test_an_id_hf_does_not_know_is_asked_of_arxiv_then_missing(server, cache) -> None:
    report = enrich(cache, [UNKNOWN_TO_HF, UNKNOWN], fast(server))
    [asked] = server.requests("arxiv")
    assert asked.ids == (UNKNOWN_TO_HF, UNKNOWN)  # one batched request
    found = cache.get(UNKNOWN_TO_HF)
    assert found.ok and found.source == "arxiv" and found.abstract == "An abstract only arXiv has."
    assert cache.get(UNKNOWN).status == "missing"
    assert (report.ok, report.missing) == (1, 1)
    assert cache.due([AMPHION, UNKNOWN_TO_HF, UNKNOWN], datetime.now(UTC)) == [AMPHION]


def test_hf_without_an_abstract_gets_arxivs_and_keeps_its_own_fields(server, cache) -> None:
    server.hf[UNKNOWN_TO_HF] = hf_paper(UNKNOWN_TO_HF, abstract="", github="https://github.com/x/y")
    enrich(cache, [UNKNOWN_TO_HF], fast(server))
    got = cache.get(UNKNOWN_TO_HF)
    assert (got.source, got.abstract, got.github) == (
        "hf",
        "An abstract only arXiv has.",
        "https://github.com/x/y",
    )


def test_arxiv_error_entries_are_not_papers(server, cache) -> None:
    enrich(cache, ["not-an-id"], fast(server))
    assert cache.get("not-an-id").status == "missing"


def test_a_429_is_retried_after_retry_after_capped(server, cache) -> None:
    server.script["hf"] = [Scripted(429, b"{}", {"Retry-After": "3600"})]
    report = enrich(cache, [AMPHION], fast(server, retry_cap=0.3))
    first, second = server.requests("hf")
    assert first.status == 429 and second.status == 200
    assert second.at - first.at >= 0.3  # waited, but the cap, not the hour asked
    assert cache.get(AMPHION).ok and report.requests == 2


def test_a_failing_source_is_tried_a_bounded_number_of_times_then_failed_and_due_later(
    server, cache
) -> None:
    server.script["hf"] = [Scripted(503, b"busy")] * 10
    report = enrich(cache, [AMPHION], fast(server, retries=2))
    assert len(server.requests("hf")) == 3 and report.failed == 1
    got = cache.get(AMPHION)
    assert got.status == "failed" and got.tries == 1 and "HTTP 503" in got.error
    now = datetime.now(UTC)
    assert cache.due([AMPHION], now) == []  # backing off
    assert cache.due([AMPHION], now + FIRST_BACKOFF + timedelta(seconds=1)) == [AMPHION]
    server.script["hf"] = []
    enrich(cache, [AMPHION], fast(server), force=True)
    assert cache.get(AMPHION).ok


def test_malformed_json_is_a_failure_with_its_reason(server, cache) -> None:
    server.script["hf"] = [Scripted(200, b'{"id": "2312.09911", "summary": ')]
    report = enrich(cache, [AMPHION], fast(server))
    got = cache.get(AMPHION)
    assert report.failed == 1 and got.status == "failed"
    assert got.error.startswith("Hugging Face: not JSON")
    assert len(server.requests("hf")) == 1  # a malformed reply is not retried within the run


def test_a_json_that_is_not_an_object_is_malformed(server, cache) -> None:
    server.script["hf"] = [Scripted(200, b"[1, 2]")]
    enrich(cache, [AMPHION], fast(server))
    assert "a JSON list, not an object" in cache.get(AMPHION).error


def test_a_malformed_feed_fails_the_ids_only_arxiv_could_answer(server, cache) -> None:
    server.script["arxiv"] = [Scripted(200, b"<html>maintenance</html>")]
    enrich(cache, [UNKNOWN_TO_HF], fast(server))
    got = cache.get(UNKNOWN_TO_HF)
    assert got.status == "failed" and got.error.startswith("arXiv: not an Atom feed")


def test_a_slow_source_times_out_and_the_paper_fails(server, cache) -> None:
    server.script["hf"] = [Scripted(delay=3.0)] * 3
    report = enrich(cache, [AMPHION], fast(server, timeout=0.3, retries=1))
    got = cache.get(AMPHION)
    assert report.failed == 1 and "no reply within 0.3 s" in got.error


def test_no_network_ends_the_run_at_once_and_changes_nothing(cache) -> None:
    port = closed_port()
    dead = Sources(f"http://127.0.0.1:{port}", f"http://127.0.0.1:{port}/api/query")
    ids = [f"2405.{n:05d}" for n in range(200)]
    report = enrich(cache, ids, dead)
    assert report.unreachable and report.requests == 1 and report.left == 200
    assert report.ended.startswith("cannot reach 127.0.0.1")
    assert cache.counts() == {}  # nothing recorded: every id is still due


def test_no_network_for_arxiv_keeps_the_ids_only_arxiv_could_answer_due(server, cache) -> None:
    port = closed_port()
    report = enrich(
        cache, [AMPHION, UNKNOWN], fast(server, arxiv_api=f"http://127.0.0.1:{port}/api/query")
    )
    assert report.unreachable and (report.ok, report.missing, report.left) == (1, 0, 1)
    assert cache.get(UNKNOWN) is None


def test_papers_failing_in_a_row_end_the_run(server, cache) -> None:
    server.script["hf"] = [Scripted(500)] * 100
    ids = [f"2405.{n:05d}" for n in range(40)]
    report = enrich(cache, ids, fast(server, retries=0, give_up_after=3))
    assert report.failed == 3 and report.left == 37 and not report.unreachable
    assert report.ended == "3 papers failed in a row (last: Hugging Face: HTTP 500 (1 try))"


def test_arxiv_gets_batched_id_lists_spaced_by_its_interval(server, cache) -> None:
    ids = [f"2405.{n:05d}" for n in range(7)]
    enrich(cache, ids, fast(server, batch=3, arxiv_interval=0.4))
    asked = server.requests("arxiv")
    assert [len(seen.ids) for seen in asked] == [3, 3, 1]
    assert all(b.at - a.at >= 0.4 for a, b in itertools.pairwise(asked))


def test_hf_requests_are_spaced_by_their_interval(server, cache) -> None:
    server.hf |= {i: hf_paper(i) for i in ("2405.00010", "2405.00011", "2405.00012")}
    enrich(cache, list(server.hf), fast(server, hf_interval=0.25))
    asked = server.requests("hf")
    assert len(asked) == 4
    assert all(b.at - a.at >= 0.25 for a, b in itertools.pairwise(asked))


def test_only_due_ids_are_fetched_and_the_limit_holds(server, cache) -> None:
    enrich(cache, [AMPHION], fast(server))
    report = enrich(cache, [AMPHION, UNKNOWN_TO_HF, UNKNOWN], fast(server), limit=1)
    assert (report.skipped, report.ok, report.left) == (1, 1, 1)
    assert [seen.ids for seen in server.requests("hf")] == [(AMPHION,), (UNKNOWN_TO_HF,)]


def test_a_stop_ends_the_run_between_requests(server, cache) -> None:
    stop = threading.Event()
    server.hf |= {f"2405.{n:05d}": hf_paper(f"2405.{n:05d}") for n in range(50)}

    def stop_after_first(found: list[str]) -> None:
        stop.set()

    report = enrich(
        cache, list(server.hf), fast(server, batch=5), stop=stop, on_batch=stop_after_first
    )
    assert report.ended == "stopped" and report.ok == 5 and report.left == 46
    assert len(server.requests("hf")) == 5


def test_on_batch_gets_each_batchs_found_ids_after_they_are_written(server, cache) -> None:
    calls: list[tuple[list[str], bool]] = []
    ids = [AMPHION, UNKNOWN, UNKNOWN_TO_HF]
    enrich(
        cache,
        ids,
        fast(server, batch=2),
        on_batch=lambda found: calls.append((found, all(cache.get(i) for i in found))),
    )
    assert calls == [([AMPHION], True), ([UNKNOWN_TO_HF], True)]


def test_newest_digest_dates_come_first() -> None:
    from store.models import Paper

    def paper(arxiv_id: str, date: str, votes: int | None) -> Paper:
        return Paper(arxiv_id, "t", "u", date, votes, (), (), None, "s")

    papers = [
        paper("a", "2024-05-01", 9),
        paper("b", "2024-05-30", 1),
        paper("c", "2024-05-30", None),
    ]
    assert newest_first(papers) == ["b", "c", "a"]


def test_the_report_line_says_what_happened() -> None:
    report = EnrichReport(ok=3, missing=1, failed=1, skipped=2, left=4, requests=9, seconds=1.25)
    assert report.line() == (
        "enriched 5 papers in 1.2 s: 3 found, 1 unknown to the sources, 1 failed; 2 skipped "
        "(cached or backing off); 9 requests; 4 left for the next run"
    )
