"""The data dir holds the bot's state (member ids, topics, saved papers) and the index: only its
owner may read it. It is created 0700, and an existing one is narrowed to 0700 when the index
or the writer lock opens it; `bot.sqlite` (and its WAL files) are 0600 (tests/bot/test_state_modes.py)."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from ingest.pipeline import ingest, open_index


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def usual_umask() -> Iterator[None]:
    """The common umask 022, which made the data dir 0755 and its files 0644."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_a_new_data_dir_is_private(settings) -> None:
    open_index(settings).close()
    assert mode(settings.data_dir) == 0o700


def test_a_new_data_dir_made_by_the_writer_lock_is_private(settings) -> None:
    ingest(settings)
    assert mode(settings.data_dir) == 0o700


def test_an_existing_world_readable_data_dir_is_narrowed(settings) -> None:
    settings.data_dir.mkdir(mode=0o755)
    settings.data_dir.chmod(0o755)
    open_index(settings).close()
    assert mode(settings.data_dir) == 0o700
