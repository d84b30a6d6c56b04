"""One writer per data dir: an exclusive `flock` on `<data dir>/writer.lock`.

Chroma's embedded PersistentClient is single-process: a second process writing the same files
corrupts them, and a process that merely keeps the index open never sees another's writes (its
vector index is in memory). So every command that writes takes this lock, and `paperbot run`
holds it for its whole life (it writes every day). The lock belongs to the process and is
re-entrant inside it, so the bot's own ingests and /reindex pass. The kernel drops it when the
process dies, SIGKILL included: a crashed writer never leaves the data dir locked.
"""

from __future__ import annotations

import fcntl
import json
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from store.errors import StoreUnavailable, WriterBusy
from store.index.datadir import private_dir

_held: dict[Path, tuple[int, int]] = {}  # lock path -> (fd, depth) held by this process
_guard = threading.Lock()


def lock_path(data_dir: Path) -> Path:
    return data_dir.resolve() / "writer.lock"


def acquire(data_dir: Path, purpose: str) -> None:
    """Take the data dir's writer lock for `purpose` (shown to a process that is refused)."""
    path = lock_path(data_dir)
    with _guard:
        if path in _held:
            fd, depth = _held[path]
            _held[path] = (fd, depth + 1)
            return
        try:
            private_dir(path.parent)
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as error:
            raise StoreUnavailable(
                f"cannot write to the data dir {path.parent} (PAPERBOT_DATA_DIR): {error.strerror}"
            ) from error
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_holder(fd)
            os.close(fd)
            raise WriterBusy(_busy_message(path.parent, holder)) from None
        os.ftruncate(fd, 0)
        info = {"pid": os.getpid(), "purpose": purpose, "since": time.strftime("%F %T")}
        os.write(fd, json.dumps(info).encode())
        _held[path] = (fd, 1)


def release(data_dir: Path) -> None:
    path = lock_path(data_dir)
    with _guard:
        if path not in _held:
            return
        fd, depth = _held[path]
        if depth > 1:
            _held[path] = (fd, depth - 1)
            return
        del _held[path]
        os.close(fd)  # closing the only descriptor releases the flock


@contextmanager
def writer(data_dir: Path, purpose: str) -> Iterator[None]:
    acquire(data_dir, purpose)
    try:
        yield
    finally:
        release(data_dir)


def _read_holder(fd: int) -> dict:
    try:
        return json.loads(os.pread(fd, 4096, 0).decode() or "{}")
    except (OSError, ValueError):
        return {}


def _busy_message(data_dir: Path, holder: dict) -> str:
    who = f"`{holder.get('purpose', 'another paperbot process')}`"
    if holder.get("pid"):
        who += f" (pid {holder['pid']}, since {holder.get('since', '?')})"
    return (
        f"the index in {data_dir} is being written by {who}; an embedded index has one writer. "
        "Wait for it to finish, use /reindex or /digest now if it is the bot, or share one "
        "index between processes through a Chroma server (CHROMA_HOST; docs/OPERATIONS.md, "
        "'Several hosts')."
    )
