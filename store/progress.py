"""Progress of long work (ingest, rebuild, /reindex, subscription matching) where people and
service managers can see it: a tqdm bar on a terminal; anywhere else (systemd's journal, Docker's
log, a pipe, the bot's log) one log line at least every `every` seconds, saying what is done,
the rate and the time left. A bar cannot be read in a journal, and a silent half-hour cannot be
told from a hang."""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Self, TextIO

EVERY = 10.0  # seconds between two progress lines at most (when no bar is shown)
log = logging.getLogger("paperbot.progress")


@dataclass(frozen=True)
class Tick:
    """Where long work stands: `done` of `total` units (papers, topics), passages written so
    far, digest files read (None when the work reads none)."""

    done: int
    total: int
    passages: int = 0
    files: int | None = None


Progress = Callable[[Tick], None]


def duration(seconds: float) -> str:
    seconds = max(0, round(seconds))
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


class ProgressLog:
    """A `Progress` callback that shows itself. Use as a context manager: on entry it starts a
    heartbeat thread (no bar) so a line appears every `every` seconds even while one batch takes
    minutes; on exit it logs the closing line.

    `bar`: None decides by `stream.isatty()`. `lazy`: start the heartbeat only at the first tick
    that leaves work to do (for work that runs often and is mostly a no-op, such as the bot's
    hourly ingest: a thread per run is measurable). `clock` and `heartbeat=False` let tests
    drive it (`beat()` is what the heartbeat calls)."""

    def __init__(
        self,
        what: str,
        unit: str = "papers",
        *,
        every: float | None = None,
        bar: bool | None = None,
        stream: TextIO | None = None,
        clock: Callable[[], float] = time.monotonic,
        heartbeat: bool = True,
        lazy: bool = False,
        logger: logging.Logger = log,
    ) -> None:
        self.what = what
        self.unit = unit
        self.every = EVERY if every is None else every
        self.stream = stream if stream is not None else sys.stderr
        self.clock = clock
        self.logger = logger
        self.tick: Tick | None = None
        self._use_bar = self.stream.isatty() if bar is None else bar
        self._bar = None
        self._heartbeat = heartbeat and not self._use_bar
        self._lazy = lazy
        self._started = clock()
        self._first_tick: float | None = None  # the rate counts from the first tick
        self._last_line = self._started
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- as a context manager ------------------------------------------------------------
    def __enter__(self) -> Self:
        if self._heartbeat and not self._lazy:
            self._start_heartbeat()
        return self

    def __exit__(self, kind: type[BaseException] | None, *rest: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        if self._bar is not None:
            self._bar.close()
        if self.tick is None and kind is not None:
            return  # refused before any work (a guard, a busy data dir): its error says it all
        elapsed = duration(self.clock() - self._started)
        if kind is None:
            self.logger.info("%s: done in %s%s", self.what, elapsed, self._summary())
        else:
            self.logger.info("%s: stopped after %s%s", self.what, elapsed, self._summary())

    # -- the callback --------------------------------------------------------------------
    def __call__(self, tick: Tick) -> None:
        with self._lock:
            now = self.clock()
            if self._first_tick is None:
                self._first_tick = now
            self.tick = tick
            start = (
                self._lazy and self._heartbeat and self._thread is None and tick.done < tick.total
            )
        if start:
            self._start_heartbeat()
        if self._use_bar:
            self._show_bar(tick)
        else:
            self.beat()

    def beat(self) -> None:
        """Log the current state when `every` seconds passed since the last line."""
        with self._lock:
            now = self.clock()
            if now - self._last_line < self.every:
                return
            self._last_line = now
            line = self.line(now)
        self.logger.info("%s", line)

    def line(self, now: float | None = None) -> str:
        now = self.clock() if now is None else now
        tick = self.tick
        if tick is None:
            return f"{self.what}: reading and comparing ({duration(now - self._started)} so far)"
        parts = [f"{tick.done:,}/{tick.total:,} {self.unit}"]
        if tick.total:
            parts[0] += f" ({100 * tick.done // tick.total}%)"
        if tick.files is not None:
            parts.append(f"{tick.files:,} file{'' if tick.files == 1 else 's'}")
        if tick.passages:
            parts.append(f"{tick.passages:,} passages")
        running = now - (self._first_tick if self._first_tick is not None else now)
        if running > 0 and tick.passages:
            parts.append(f"{tick.passages / running:.0f} passages/s")
        if running > 0 and tick.done:
            left = (tick.total - tick.done) * running / tick.done
            parts.append(f"ETA {duration(left)}")
        elif tick.done < tick.total:
            parts.append("ETA unknown yet")
        return f"{self.what}: " + ", ".join(parts)

    # -- internals -----------------------------------------------------------------------
    def _summary(self) -> str:
        tick = self.tick
        if tick is None:
            return ""
        text = f"; {tick.done:,}/{tick.total:,} {self.unit}"
        return text + (f", {tick.passages:,} passages" if tick.passages else "")

    def _show_bar(self, tick: Tick) -> None:
        if self._bar is None:
            from tqdm import tqdm

            self._bar = tqdm(total=tick.total, unit=self.unit[:-1] or self.unit, file=self.stream)
            self._bar.set_description(self.what)
        self._bar.total = tick.total
        self._bar.n = tick.done
        if tick.passages:
            self._bar.set_postfix(passages=tick.passages, refresh=False)
        self._bar.refresh()

    def _start_heartbeat(self) -> None:
        if self._stop.is_set():
            return
        self._thread = threading.Thread(target=self._beat_loop, name="progress", daemon=True)
        self._thread.start()

    def _beat_loop(self) -> None:
        # Sleep until the next line is due (a tick may have logged one meanwhile), so that no
        # two lines are more than `every` apart.
        while True:
            with self._lock:
                due = self._last_line + self.every
            if self._stop.wait(max(0.05, due - self.clock())):
                return
            self.beat()
