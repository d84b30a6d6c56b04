"""Fixtures shared by every test folder."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from store.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
# SimCord waits this long (real time) for the bot to settle after each action, and runs the
# virtual timers due within it; its default, 5 s, timed out on a loaded 2-core machine. A test's
# own @pytest.mark.simcord wins (tests/bot/test_digest_delivery.py needs a shorter window).
SETTLE_TIMEOUT = 120.0
SAMPLES = ROOT / "samples"


def _archive() -> Path:
    """A checkout of the digest archive for the whole-archive tests (they skip without one):
    PAPERBOT_TEST_ARCHIVE, else `daily_papers_ko` beside this repository (README, "Using the
    archive"), else a sibling folder's `corpus/daily_papers_ko`."""
    if os.environ.get("PAPERBOT_TEST_ARCHIVE"):
        return Path(os.environ["PAPERBOT_TEST_ARCHIVE"])
    beside = ROOT.parent / "daily_papers_ko"
    found = [beside, *sorted(ROOT.parent.glob("*/corpus/daily_papers_ko"))]
    return next((path for path in found if path.is_dir()), beside)


ARCHIVE = _archive()


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Settings for a fresh data dir over the shipped samples, with the fast fake embedder."""
    monkeypatch.setenv("PAPERBOT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("PAPERBOT_DIGESTS", str(SAMPLES))
    monkeypatch.setenv("PAPERBOT_EMBEDDER", "hash")
    for name in ("CHROMA_HOST", "DISCORD_TOKEN", "PAPERBOT_DEV_GUILD_ID", "PAPERBOT_GIT_PULL"):
        monkeypatch.delenv(name, raising=False)
    for name in ("BASE_URL", "MODEL", "API_KEY"):  # answers stay off unless a test turns them on
        monkeypatch.delenv(f"PAPERBOT_LLM_{name}", raising=False)
    monkeypatch.setenv("PAPERBOT_ENRICH", "0")  # nothing fetched unless a test serves it
    no_env_file = tmp_path / "empty.env"  # no stray .env from the developer's checkout
    no_env_file.touch()
    monkeypatch.setenv("PAPERBOT_ENV_FILE", str(no_env_file))
    monkeypatch.chdir(tmp_path)
    return Settings()


@pytest.fixture
def env(tmp_path: Path, settings: Settings) -> dict[str, str]:
    """Environment for a `paperbot` subprocess on a copy of the samples (the kill and
    writer-lock tests run real processes)."""
    shutil.copytree(SAMPLES, tmp_path / "digests")
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "PAPERBOT_DATA_DIR": str(settings.data_dir),
        "PAPERBOT_DIGESTS": str(tmp_path / "digests"),
        "PAPERBOT_EMBEDDER": "hash",
    }


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.get_closest_marker("simcord") is None:
            item.add_marker(pytest.mark.simcord(settle_timeout=SETTLE_TIMEOUT))


@pytest.fixture
def chroma_server(tmp_path: Path):
    """A real Chroma server (`chroma run`) on a free loopback port, stopped after the test;
    yields the port. Several "hosts" are several data dirs (or processes) pointing at it
    (tests/hosts.py)."""
    from tests.hosts import start_chroma, stop_chroma

    proc, port = start_chroma(tmp_path / "chroma-server")
    try:
        yield port
    finally:
        stop_chroma(proc)


@pytest.fixture(autouse=True)
def no_lease_left_renewing():
    """A test ends with no lease keeper thread of its own still renewing (SimCord detaches a
    bot without closing it: a bot's duty lease would go on renewing, and logging that the
    stopped server refuses it, into later tests' output)."""
    import threading

    before = set(threading.enumerate())
    yield
    left = [
        t.name for t in threading.enumerate() if t not in before and t.name.startswith("lease ")
    ]
    assert not left, f"lease threads still renewing after the test: {left}"
