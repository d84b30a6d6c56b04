"""`bot.sqlite` holds member ids, topics and saved papers: created 0600 (its WAL files follow
it), and an existing world-readable one is narrowed to 0600 when the bot opens it."""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.state import State


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def usual_umask() -> Iterator[None]:
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_bot_sqlite_is_created_private(tmp_path: Path) -> None:
    path = tmp_path / "data" / "bot.sqlite"
    state = State(path)
    state.set_meta("k", "v")
    try:
        assert mode(path) == 0o600
        assert mode(path.with_name("bot.sqlite-wal")) == 0o600
        assert mode(path.parent) == 0o700
    finally:
        state.close()


def test_an_existing_world_readable_bot_sqlite_is_narrowed(tmp_path: Path) -> None:
    path = tmp_path / "data" / "bot.sqlite"
    path.parent.mkdir(mode=0o755)
    old = sqlite3.connect(path)
    old.execute("PRAGMA journal_mode=WAL")
    old.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    old.execute("INSERT INTO meta VALUES ('kept', 'yes')")
    old.commit()
    for name in ("bot.sqlite", "bot.sqlite-wal", "bot.sqlite-shm"):
        path.with_name(name).chmod(0o644)
    state = State(path)
    try:
        assert state.meta("kept") == "yes", "nothing lost"
        assert [
            mode(path.with_name(n)) for n in ("bot.sqlite", "bot.sqlite-wal", "bot.sqlite-shm")
        ] == [0o600] * 3
        assert mode(path.parent) == 0o700
    finally:
        state.close()
        old.close()
