"""Named fault points for the kill and concurrency tests. Unset (always, outside tests), each
is one dict lookup.

- `PAPERBOT_CRASH_AT=<point>[:<n>]` makes the process SIGKILL itself the n-th time (default
  1st) it passes `<point>` (`crash_point`).
- `PAPERBOT_PAUSE_AT=<point>` with `PAPERBOT_PAUSE_DIR=<dir>` makes it stop the first time it
  passes `<point>` (`pause_point`): it creates `<dir>/<point>.reached`, then waits until
  `<dir>/<point>.go` exists (at most PAUSE_LIMIT_S), so a test can run something else while
  this process is exactly there.
"""

from __future__ import annotations

import os
import signal
import time
from collections import Counter
from pathlib import Path

PAUSE_LIMIT_S = 120.0
_passed: Counter[str] = Counter()
_paused: set[str] = set()


def crash_point(name: str) -> None:
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
    if os.environ.get("PAPERBOT_PAUSE_AT") != name or name in _paused:
        return
    _paused.add(name)
    folder = Path(os.environ.get("PAPERBOT_PAUSE_DIR", "."))
    (folder / f"{name}.reached").touch()
    deadline = time.monotonic() + PAUSE_LIMIT_S  # a hang guard, not a timing
    while not (folder / f"{name}.go").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
