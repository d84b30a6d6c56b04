"""One enrichment run: the due ids, newest digest first, in batches: the Hugging Face papers API
for each, then one arXiv request for the batch's ids HF does not know or has no abstract for;
each batch written to the cache (store/enrich) before the next starts.

A run never raises for what the sources do: a 404 is `missing`, a source failing through its
retries (or answering malformed data) is `failed` (the cache backs it off across runs), and a
run ends early, with one warning line, when there is no connection at all (the rest waits for
the next run, the cache is left as it is) or when `give_up_after` papers in a row failed; the
report says why (`ended`), and the caller tells the operator."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime

from ingest.enrich import arxiv, hf
from ingest.enrich.http import Failed, Fetcher, Pace, Stopped, Unreachable
from store.enrich import EnrichCache, Enrichment
from store.models import Paper
from store.progress import Progress, Tick
from store.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Sources:
    """Where to fetch from and how gently."""

    hf_api: str = "https://huggingface.co"
    arxiv_api: str = "http://export.arxiv.org/api/query"
    timeout: float = 10.0  # seconds per request
    hf_interval: float = 0.65  # seconds between two HF requests (500 per 5 minutes, no token)
    arxiv_interval: float = 3.0  # seconds between two arXiv requests (arXiv's terms)
    retries: int = 2  # further tries after a 429, a 5xx or a timeout, within one run
    backoff: float = 2.0  # seconds before a retry when the reply names none; doubles
    retry_cap: float = 30.0  # the longest wait honoured, Retry-After included
    batch: int = 20  # ids per arXiv request and per cache write
    give_up_after: int = 5  # papers failing in a row that end the run

    @classmethod
    def of(cls, settings: Settings) -> Sources:
        return cls(
            hf_api=settings.hf_api,
            arxiv_api=settings.arxiv_api,
            timeout=settings.enrich_timeout,
            hf_interval=settings.hf_interval,
            arxiv_interval=settings.arxiv_interval,
        )


@dataclass
class EnrichReport:
    """What a run did: papers found (`ok`), unknown to every source (`missing`), failed;
    `skipped`: not due (cached, or backing off); `left`: due but not reached (the limit, a stop,
    or the run ended early: `ended` says why, None when it went through)."""

    ok: int = 0
    missing: int = 0
    failed: int = 0
    skipped: int = 0
    left: int = 0
    requests: int = 0
    seconds: float = 0.0
    ended: str | None = None
    unreachable: bool = False

    def line(self) -> str:
        done = self.ok + self.missing + self.failed
        text = (
            f"enriched {done} papers in {self.seconds:.1f} s: {self.ok} found, {self.missing} "
            f"unknown to the sources, {self.failed} failed; {self.skipped} skipped (cached or "
            f"backing off); {self.requests} requests"
        )
        if self.left:
            text += f"; {self.left} left for the next run"
        return text + (f" ({self.ended})" if self.ended else "")

    def to_json(self) -> dict:
        return asdict(self)


def newest_first(papers: Iterable[Paper]) -> list[str]:
    """arXiv ids by digest date, newest first (today's cards are enriched first), then votes."""
    ordered = sorted(papers, key=lambda p: (p.date, p.votes or 0, p.arxiv_id), reverse=True)
    return [paper.arxiv_id for paper in ordered]


def enrich(
    cache: EnrichCache,
    arxiv_ids: Sequence[str],
    sources: Sources,
    *,
    limit: int | None = None,
    force: bool = False,
    stop: threading.Event | None = None,
    on_batch: Callable[[list[str]], None] | None = None,
    progress: Progress | None = None,
) -> EnrichReport:
    """Fetch what `cache.due()` says of `arxiv_ids` (all of them with `force`), in their order,
    at most `limit`. `on_batch(ids)` is called with each batch's newly found ids after they are
    written; `stop` ends the run between requests (and cuts its waits short)."""
    started = time.monotonic()
    ids = list(dict.fromkeys(arxiv_ids))
    due = ids if force else cache.due(ids, datetime.now(UTC))
    todo = due[:limit] if limit is not None else due
    report = EnrichReport(skipped=len(ids) - len(due))
    run = _Run(sources, stop or threading.Event())
    done = 0
    try:
        for start in range(0, len(todo), sources.batch):
            chunk = todo[start : start + sources.batch]
            records = run.batch(chunk)
            _write(cache, records, report, on_batch)
            done += len(records)
            if progress is not None:
                progress(Tick(done, len(todo)))
            if run.ended:
                break
    finally:
        report.left = len(due) - done
        report.requests = run.fetcher.requests
        report.seconds = time.monotonic() - started
        report.ended, report.unreachable = run.ended, run.unreachable
    return report


def _write(
    cache: EnrichCache,
    records: list[Enrichment],
    report: EnrichReport,
    on_batch: Callable[[list[str]], None] | None,
) -> None:
    cache.put(records, datetime.now(UTC))
    for record in records:
        setattr(report, record.status, getattr(report, record.status) + 1)
    found = [r.arxiv_id for r in records if r.ok]
    if on_batch is not None and found:
        try:
            on_batch(found)
        except Exception:
            log.exception("enrichment: the on_batch hook failed (the cache is written)")


class _Run:
    def __init__(self, sources: Sources, stop: threading.Event) -> None:
        self.sources = sources
        self.fetcher = Fetcher(
            sources.timeout, sources.retries, sources.backoff, sources.retry_cap, stop
        )
        self.hf_pace, self.arxiv_pace = Pace(sources.hf_interval), Pace(sources.arxiv_interval)
        self.stop = stop
        self.ended: str | None = None
        self.unreachable = False
        self.failing = 0  # papers failed in a row

    def batch(self, arxiv_ids: list[str]) -> list[Enrichment]:
        """The records of the ids reached (all unless the run ended meanwhile)."""
        got: dict[str, Enrichment | None] = {}  # None: HF does not know it
        for arxiv_id in arxiv_ids:
            if self.stop.is_set():
                self.ended = "stopped"
                break
            try:
                got[arxiv_id] = self._from_hf(arxiv_id)
            except (Unreachable, Stopped) as end:
                self._end(end)
                break
            if self.failing >= self.sources.give_up_after:
                self.ended = f"{self.failing} papers failed in a row (last: {got[arxiv_id].error})"
                break
        ask = [i for i, r in got.items() if r is None or (r.ok and not r.abstract)]
        waiting = set(ask)  # not known to HF and not yet asked of arXiv: nothing is written
        if ask and not self.unreachable and not self.stop.is_set():
            try:
                got |= self._from_arxiv(ask, got)
                waiting.clear()
            except (Unreachable, Stopped) as end:
                self._end(end)
        return [
            record or Enrichment(i, status="missing")
            for i, record in got.items()
            if record is not None or i not in waiting
        ]

    def _end(self, end: Exception) -> None:
        if isinstance(end, Unreachable):
            self.ended, self.unreachable = f"cannot reach {end}", True
        else:
            self.ended = "stopped"

    def _from_hf(self, arxiv_id: str) -> Enrichment | None:
        try:
            reply = self.fetcher.fetch(self.hf_pace, hf.paper_url(self.sources.hf_api, arxiv_id))
            if reply.status == 404:
                record = None
            elif reply.status == 200:
                record = hf.parse_paper(arxiv_id, reply.body)
            else:
                raise Failed(f"HTTP {reply.status}")
        except (Failed, hf.Malformed) as error:
            self.failing += 1
            return Enrichment(arxiv_id, status="failed", error=f"Hugging Face: {error}")
        self.failing = 0
        return record

    def _from_arxiv(
        self, arxiv_ids: list[str], got: dict[str, Enrichment | None]
    ) -> dict[str, Enrichment | None]:
        """The records of `arxiv_ids` with what arXiv adds: an abstract for a paper HF has
        without one, a record of its own for one HF does not know (None: arXiv neither)."""
        url = arxiv.query_url(self.sources.arxiv_api, arxiv_ids)
        try:
            reply = self.fetcher.fetch(self.arxiv_pace, url)
            if reply.status != 200:
                raise Failed(f"HTTP {reply.status}")
            abstracts = arxiv.parse_feed(reply.body)
        except (Failed, hf.Malformed) as error:
            failed = Enrichment("", status="failed", error=f"arXiv: {error}")
            return {i: got[i] or replace(failed, arxiv_id=i) for i in arxiv_ids}
        out: dict[str, Enrichment | None] = {}
        for arxiv_id in arxiv_ids:
            abstract, known = abstracts.get(arxiv_id, ""), got[arxiv_id]
            if known is not None:
                out[arxiv_id] = replace(known, abstract=abstract) if abstract else known
            elif abstract:
                out[arxiv_id] = Enrichment(arxiv_id, source="arxiv", abstract=abstract)
            else:
                out[arxiv_id] = None
        return out
