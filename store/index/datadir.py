"""The data dir holds the index and the bot's state (member ids, topics, saved papers): only
its owner may read it. Made 0700 and state files 0600 when created, and narrowed to that when
an existing one is opened (an install before this, or a copied folder, left 0755 and 0644)."""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

log = logging.getLogger(__name__)

DIR_MODE = 0o700
FILE_MODE = 0o600


def private_dir(path: Path) -> Path:
    """`path` as a folder only its owner can enter, created (with its parents) if missing."""
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    _narrow(path, DIR_MODE)
    return path


def private_file(path: Path) -> Path:
    """`path` as a file only its owner can read, created empty if missing (never truncated),
    in a private folder."""
    private_dir(path.parent)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, FILE_MODE))
    _narrow(path, FILE_MODE)
    return path


def narrow_if_present(path: Path) -> None:
    """Make an existing file 0600 (the WAL files SQLite keeps beside a database)."""
    if path.exists():
        _narrow(path, FILE_MODE)


def _narrow(path: Path, mode: int) -> None:
    try:
        if stat.S_IMODE(path.stat().st_mode) & ~mode:
            path.chmod(mode)
    except OSError as error:  # not our folder (a shared mount): say so, and go on
        log.warning("could not make %s private (mode %o): %s", path, mode, error.strerror)
