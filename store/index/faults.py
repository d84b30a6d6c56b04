"""Named fault points for the kill and concurrency tests. Unset (always, outside tests), each
is one dict lookup.

- `PAPERBOT_CRASH_AT=<point>[:<n>]` makes the process SIGKILL itself the n-th time (default
  1st) it passes `<point>` (`crash_point`).
- `PAPERBOT_PAUSE_AT=<point>[:<n>]` with `PAPERBOT_PAUSE_DIR=<dir>` makes it stop the n-th time
  (default 1st) it passes `<point>` (`pause_point`; every crash point is a pause point too): it
  creates `<dir>/<point>.reached`, then waits until `<dir>/<point>.go` exists (at most
  PAUSE_LIMIT_S), so a test can run something else while this process is exactly there.
"""

from __future__ import annotations

import os
import signal
import time
from collections import Counter
from pathlib import Path

PAUSE_LIMIT_S = 120.0
_passed: Counter[str] = Counter()
_paused: Counter[str] = Counter()


def crash_point(name: str) -> None:
    pause_point(name)
    spec = os.environ.get("PAPERBOT_CRASH_AT")
    if not spec:
        return
    point, _, nth = spec.partition(":")
    if point != name:
        return
    _passed[name] += 1
    if _passed[name] == int(nth or 1):
        os.kill(os.getpid(), signal.SIGKILL)


def pause_point(name: str) -> None:
    spec = os.environ.get("PAPERBOT_PAUSE_AT")
    if not spec:
        return
    point, _, nth = spec.partition(":")
    if point != name:
        return
    _paused[name] += 1
    if _paused[name] != int(nth or 1):
        return
    folder = Path(os.environ.get("PAPERBOT_PAUSE_DIR", "."))
    (folder / f"{name}.reached").touch()
    deadline = time.monotonic() + PAUSE_LIMIT_S  # a hang guard, not a timing
    while not (folder / f"{name}.go").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
