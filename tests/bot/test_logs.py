"""What the service logs, as journald and Docker show it: a syslog priority per line under
systemd, a timestamp elsewhere; the index `paperbot run` serves; each daily post's outcome."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from bot.app import describe
from bot.digest.runner import RunResult, outcome_text
from tests.conftest import ROOT

EMIT = (
    "import logging; from bot.ops.logs import configure; configure('INFO'); "
    "log = logging.getLogger('bot.digest.runner'); log.debug('hidden'); log.info('posted'); "
    "log.warning('careful'); logging.getLogger('chromadb').info('noise')"
)


def emitted(tmp_path: Path, journal: bool) -> list[str]:
    out = tmp_path / "stderr"
    with out.open("w") as stream:
        info = os.fstat(stream.fileno())
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        env.pop("JOURNAL_STREAM", None)
        if journal:
            env["JOURNAL_STREAM"] = f"{info.st_dev}:{info.st_ino}"
        subprocess.run([sys.executable, "-c", EMIT], stderr=stream, env=env, check=True, timeout=60)
    return out.read_text(encoding="utf-8").splitlines()


def test_under_systemd_each_line_carries_its_priority(tmp_path: Path) -> None:
    assert emitted(tmp_path, journal=True) == [
        "<6>INFO bot.digest.runner: posted",
        "<4>WARNING bot.digest.runner: careful",
    ]


def test_elsewhere_each_line_starts_with_the_time(tmp_path: Path) -> None:
    lines = emitted(tmp_path, journal=False)
    stamp = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d "
    assert len(lines) == 2
    assert re.fullmatch(stamp + "INFO bot.digest.runner: posted", lines[0])
    assert re.fullmatch(stamp + "WARNING bot.digest.runner: careful", lines[1])


def test_run_logs_the_index_it_serves(indexed) -> None:
    from ingest.pipeline import open_index

    with open_index(indexed) as index:
        text = describe(index, indexed)
    assert text == (
        f"serving index generation 1 (hash, {indexed.data_dir / 'chroma'}): 62 papers, "
        "123 passages, digests 2023-12-12 .. 2024-05-30"
    )


def test_each_daily_post_outcome_reads_as_a_sentence() -> None:
    assert outcome_text(RunResult("posted", ["2024-05-29", "2024-05-30"])) == (
        "posted 2024-05-29, 2024-05-30"
    )
    assert outcome_text(RunResult("nothing", day="2024-05-30")) == (
        "nothing new (the newest digest, 2024-05-30, is already posted)"
    )
    assert outcome_text(RunResult("empty")) == "nothing to post: the index is empty"
    stopped = RunResult("gone", ["2024-05-29"], stopped={"key": "stop_forbidden"})
    assert outcome_text(stopped) == "stopped (stop_forbidden) after posting 2024-05-29"
