"""Enrichment in the background, as the bot runs it after each ingest: in a thread of its own
(never on the event loop, never under the index lock, so an ingest, a post or a command never
waits for it), one run at a time; a request while one runs is queued once (a second, third...
request meanwhile add nothing); a run's failure is logged, never raised; `stop` ends it
between two requests."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from ingest.enrich.runner import EnrichReport, Sources, enrich
from store.enrich import EnrichCache

log = logging.getLogger(__name__)


class Background:
    """`ids_of()` (called in the thread) gives the ids to enrich, newest digest first;
    `on_batch(ids)` is handed each batch's newly found ids, and `[]` once after each run (to
    catch up on what an earlier run or another embedder left; None: nothing to do)."""

    def __init__(
        self,
        cache: EnrichCache,
        sources: Sources,
        ids_of: Callable[[], list[str]],
        on_batch: Callable[[list[str]], None] | None = None,
    ) -> None:
        self.cache, self.sources, self.ids_of, self.on_batch = cache, sources, ids_of, on_batch
        self.last: EnrichReport | None = None  # the last run's report
        self.runs = 0
        self._stop = threading.Event()
        self._idle = threading.Event()
        self._idle.set()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._again: str | None = None  # why a run is queued after the current one

    @property
    def running(self) -> bool:
        return not self._idle.is_set()

    def request(self, why: str) -> None:
        """Start a run now, or once more after the one running (`why` is logged)."""
        with self._lock:
            if self._stop.is_set():
                return
            if self._thread is not None:
                self._again = why
                return
            self._idle.clear()
            self._thread = threading.Thread(
                target=self._work, args=(why,), name="enrichment", daemon=True
            )
            self._thread.start()

    def wait(self, timeout: float) -> bool:
        """Until no run is going or queued; False when `timeout` seconds passed first."""
        return self._idle.wait(timeout)

    def stop(self, timeout: float) -> bool:
        """End the running run between two requests (a request in flight ends within its
        timeout) and start no more; False when it has not ended within `timeout` seconds."""
        self._stop.set()
        with self._lock:
            thread = self._thread
        if thread is not None:
            thread.join(timeout)
            return not thread.is_alive()
        return True

    def _work(self, why: str) -> None:
        while True:
            try:
                report = enrich(
                    self.cache,
                    self.ids_of(),
                    self.sources,
                    stop=self._stop,
                    on_batch=self.on_batch,
                )
            except Exception:
                log.exception("enrichment (%s) failed; the cards stay as they are", why)
            else:
                self._tell(why, report)
            self._after_run(why)
            with self._lock:
                if self._again is None or self._stop.is_set():
                    self._thread = None
                    self._idle.set()
                    return
                why, self._again = self._again, None

    def _after_run(self, why: str) -> None:
        if self.on_batch is None or self._stop.is_set():
            return
        try:
            self.on_batch([])
        except Exception:
            log.exception("enrichment (%s): the step after the run failed", why)

    def _tell(self, why: str, report: EnrichReport) -> None:
        """One log line per run that fetched something (INFO) or ended early (a WARNING, unless
        the run before it ended the same way: no network all night is one warning, not one an
        hour)."""
        early = report.ended is not None and report.ended != "stopped"
        again = self.last is not None and self.last.unreachable == report.unreachable
        again = again and self.last.ended is not None and self.last.ended != "stopped"
        self.last, self.runs = report, self.runs + 1
        level = logging.WARNING if early and not again else logging.INFO
        if not early and report.requests == 0:
            level = logging.DEBUG  # the hourly check found nothing due: no line in the log
        log.log(level, "enrichment (%s): %s", why, report.line())
