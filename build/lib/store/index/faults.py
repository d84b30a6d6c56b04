"""Named crash points for the kill tests: `PAPERBOT_CRASH_AT=<point>[:<n>]` makes the process
SIGKILL itself the n-th time (default 1st) it passes `<point>`. Unset (always, outside tests),
`crash_point` is one dict lookup."""

from __future__ import annotations

import os
import signal
from collections import Counter

_passed: Counter[str] = Counter()


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
