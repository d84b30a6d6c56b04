"""Log lines that systemd's journal, Docker's log and a terminal all show well.

One handler on stderr (whatever `sys.stderr` is at the time, so tests can capture it). Under
systemd (stderr is the journal: JOURNAL_STREAM names it) each line starts with a `<N>` syslog
priority, which journald turns into the entry's level and strips, and carries no time of its
own (journald stamps it); elsewhere it starts with the local date and time. PAPERBOT_LOG_LEVEL
(or `--log-level`) applies to the bot's own loggers and discord.py's; other libraries log
warnings and errors only."""

from __future__ import annotations

import logging
import os
import sys

OWN = ("bot", "ingest", "store", "measure", "paperbot", "discord")
_PRIORITY = {logging.DEBUG: 7, logging.INFO: 6, logging.WARNING: 4, logging.ERROR: 3}


class _Stderr(logging.StreamHandler):
    """A StreamHandler on the current `sys.stderr` (as logging's last-resort handler)."""

    def __init__(self) -> None:
        super().__init__()

    @property
    def stream(self):  # type: ignore[override]
        return sys.stderr

    @stream.setter
    def stream(self, value: object) -> None:
        pass


class _JournalFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        priority = _PRIORITY.get(record.levelno, 2 if record.levelno > logging.ERROR else 6)
        return f"<{priority}>" + super().format(record)


def to_journal() -> bool:
    """Whether stderr is connected to systemd's journal (systemd.exec(5), JOURNAL_STREAM)."""
    stream = os.environ.get("JOURNAL_STREAM", "")
    try:
        device, inode = (int(part) for part in stream.split(":"))
        info = os.fstat(sys.stderr.fileno())
    except (ValueError, OSError, AttributeError):
        return False
    return (info.st_dev, info.st_ino) == (device, inode)


def configure(level: str) -> logging.Handler:
    """Install the one stderr handler (replacing an earlier one of ours) and set the levels."""
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _Stderr)]:
        root.removeHandler(old)
    handler = _Stderr()
    if to_journal():
        handler.setFormatter(_JournalFormatter("%(levelname)s %(name)s: %(message)s"))
    else:
        handler.setFormatter(
            logging.Formatter(
                "%(asctime)s %(levelname)s %(name)s: %(message)s", datefmt="%Y-%m-%d %H:%M:%S"
            )
        )
    root.addHandler(handler)
    root.setLevel(logging.WARNING)
    for name in OWN:
        logging.getLogger(name).setLevel(level)
    return handler
