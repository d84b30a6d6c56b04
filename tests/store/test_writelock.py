"""One writer per data dir, shown with real processes: a second writer is refused with a
sentence naming the first, a dead writer's lock is gone, and two ingests started together never
corrupt the index (the bot's hold on its data dir: tests/bot/test_data_dir.py)."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

from ingest.pipeline import open_index

HOLD = """
import sys, time
from pathlib import Path
from store.index import writelock
writelock.acquire(Path(sys.argv[1]), "paperbot ingest")
print("held", flush=True)
time.sleep(60)
"""


def start(env: dict[str, str], *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "bot.cli", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=str(Path(env["PAPERBOT_DIGESTS"]).parent),
    )


def finish(proc: subprocess.Popen) -> tuple[int, str]:
    _, err = proc.communicate(timeout=300)
    return proc.returncode, err


def test_a_second_writer_is_refused_until_the_first_dies(env, settings) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(settings.data_dir)],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        code, err = finish(start(env, "ingest"))
        assert code == 3
        assert f"being written by `paperbot ingest` (pid {holder.pid}" in err
        assert "Chroma server" in err and err.count("\n") == 1
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait(10)
    code, err = finish(start(env, "ingest"))
    assert code == 0, err


def test_two_ingests_started_together_leave_one_complete_index(env, settings) -> None:
    procs = [start(env, "ingest"), start(env, "ingest")]
    results = [finish(p) for p in procs]
    assert min(code for code, _ in results) == 0
    assert all(code in (0, 3) for code, _ in results), results
    index = open_index(settings)
    assert len(index.by_id) == 62
    assert index.lexical.count() == index.chunks.count()
    code, err = finish(start(env, "ask", "Amphion audio toolkit", "-k", "1"))
    assert code == 0, err
