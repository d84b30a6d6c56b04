"""Long work shows itself: a bar on a terminal, elsewhere a log line at least every EVERY
seconds with the counts, the rate and the time left. Driven by a fake clock: no test waits."""

from __future__ import annotations

import io
import logging

import pytest

from store.progress import ProgressLog, Tick, duration


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class Lines:
    """The progress lines logged so far."""

    def __init__(self, caplog: pytest.LogCaptureFixture) -> None:
        self.caplog = caplog

    def __eq__(self, other: object) -> bool:
        return self.caplog.messages == other

    def __len__(self) -> int:
        return len(self.caplog.messages)

    def __getitem__(self, item):
        return self.caplog.messages[item]


@pytest.fixture
def lines(caplog: pytest.LogCaptureFixture) -> Lines:
    caplog.set_level(logging.INFO, logger="paperbot.progress")
    return Lines(caplog)


def piped(clock: Clock, **kw) -> ProgressLog:
    return ProgressLog("ingest", stream=io.StringIO(), clock=clock, heartbeat=False, **kw)


def test_a_line_at_most_every_interval_with_counts_rate_and_eta(lines: Lines) -> None:
    clock = Clock()
    with piped(clock, every=10) as progress:
        progress(Tick(0, 1000, 0, files=357))
        assert lines == []  # nothing is due yet
        clock.now += 4
        progress(Tick(256, 1000, 650, files=357))
        assert lines == []
        clock.now += 6  # 10 s after the start
        progress(Tick(512, 1000, 1300, files=357))
        assert lines == [
            "ingest: 512/1,000 papers (51%), 357 files, 1,300 passages, 130 passages/s, ETA 0:10"
        ]
        clock.now += 9
        progress(Tick(768, 1000, 1950, files=357))
        assert len(lines) == 1
    assert lines[-1] == "ingest: done in 0:19; 768/1,000 papers, 1,950 passages"


def test_the_heartbeat_logs_while_a_batch_takes_long(lines: Lines) -> None:
    """A MiniLM batch of 256 papers takes about a minute: the line keeps coming meanwhile."""
    clock = Clock()
    progress = piped(clock, every=10)
    progress.beat()
    assert lines == []
    clock.now += 10
    progress.beat()  # before the first tick: still reading and comparing the files
    assert lines == ["ingest: reading and comparing (0:10 so far)"]
    progress(Tick(0, 5487, 0, files=357))
    for _ in range(3):
        clock.now += 10
        progress.beat()
    assert lines[1:] == ["ingest: 0/5,487 papers (0%), 357 files, ETA unknown yet"] * 3


def test_work_refused_before_it_started_adds_no_line(lines: Lines) -> None:
    clock = Clock()
    with pytest.raises(RuntimeError), piped(clock):
        clock.now += 60
        raise RuntimeError("a guard refused")
    assert lines == []


def test_on_a_terminal_a_bar_and_no_progress_lines(lines: Lines) -> None:
    clock = Clock()
    screen = Terminal()
    with ProgressLog("ingest", stream=screen, clock=clock, every=0) as progress:
        progress(Tick(0, 62, 0, files=5))
        progress(Tick(62, 62, 123, files=5))
    assert "62/62" in screen.getvalue() and "ingest" in screen.getvalue()
    assert lines == ["ingest: done in 0:00; 62/62 papers, 123 passages"]


@pytest.mark.parametrize(
    ("seconds", "text"), [(0, "0:00"), (59.6, "1:00"), (754, "12:34"), (3725, "1:02:05")]
)
def test_duration(seconds: float, text: str) -> None:
    assert duration(seconds) == text


def test_the_heartbeat_thread_logs_without_ticks(lines: Lines) -> None:
    """The real thread, on a tiny interval: lines come while nothing ticks (no timing asserted,
    only that they come)."""
    import threading

    seen = threading.Event()
    with ProgressLog("ingest", stream=io.StringIO(), every=0.01) as progress:
        progress(Tick(0, 10, 0, files=1))
        for _ in range(1000):
            if len(lines) >= 2:
                seen.set()
                break
            seen.wait(0.01)
    assert seen.is_set()
    assert lines[0] == "ingest: 0/10 papers (0%), 1 file, ETA unknown yet"


def test_a_lazy_heartbeat_starts_only_when_there_is_work(lines: Lines) -> None:
    """The bot's hourly ingest is mostly a no-op: no thread for it."""
    import threading

    before = threading.active_count()
    with ProgressLog("daily ingest", stream=io.StringIO(), lazy=True) as progress:
        progress(Tick(0, 0, 0, files=5))
        assert threading.active_count() == before
    with ProgressLog("daily ingest", stream=io.StringIO(), lazy=True) as progress:
        progress(Tick(0, 12, 0, files=6))
        assert threading.active_count() == before + 1
    assert threading.active_count() == before
