"""`git pull` of the digest folder with real repositories: only the folder's own checkout, no
prompts, a missing git or a slow remote logged, never while the index lock is held."""

from __future__ import annotations

import asyncio
import logging
import os
import subprocess
import time
from pathlib import Path

import pytest

from bot.digest import source

ID = ("-c", "user.name=t", "-c", "user.email=t@t")


def git(*args: str, cwd: Path) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True)
    return done.stdout.strip()


def commit(repo: Path, name: str, text: str) -> str:
    (repo / name).write_text(text, encoding="utf-8")
    git("add", name, cwd=repo)
    git(*ID, "commit", "-qm", name, cwd=repo)
    return git("rev-parse", "HEAD", cwd=repo)


@pytest.fixture
def origin(tmp_path: Path) -> Path:
    """A bare origin with one commit, and an author clone that pushes to it."""
    bare = tmp_path / "origin.git"
    git("init", "-q", "--bare", "-b", "main", str(bare), cwd=tmp_path)
    author = tmp_path / "author"
    git("clone", "-q", str(bare), str(author), cwd=tmp_path)
    git("checkout", "-q", "-b", "main", cwd=author)
    commit(author, "2024-05-30.md", "## Daily Papers (2024-05-30)\n")
    git("push", "-q", "origin", "main", cwd=author)
    return bare


def push_new_day(tmp_path: Path) -> str:
    author = tmp_path / "author"
    head = commit(author, "2024-05-31.md", "## Daily Papers (2024-05-31)\n")
    git("push", "-q", "origin", "main", cwd=author)
    return head


def test_pulls_the_folders_own_checkout(origin: Path, tmp_path: Path) -> None:
    digests = tmp_path / "digests"
    git("clone", "-q", str(origin), str(digests), cwd=tmp_path)
    head = push_new_day(tmp_path)
    assert source.git_pull(digests) == "pulled"
    assert git("rev-parse", "HEAD", cwd=digests) == head
    assert (digests / "2024-05-31.md").is_file()


def test_an_enclosing_repository_is_not_pulled(
    origin: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Like the default ./samples inside the bot's own checkout: the repository found above the
    folder is someone else's, and it stays where it was."""
    checkout = tmp_path / "bot-checkout"
    git("clone", "-q", str(origin), str(checkout), cwd=tmp_path)
    samples = checkout / "samples"
    samples.mkdir()
    before = git("rev-parse", "HEAD", cwd=checkout)
    push_new_day(tmp_path)
    with caplog.at_level(logging.WARNING, logger="bot.digest.source"):
        assert source.git_pull(samples) == "enclosing"
    assert git("rev-parse", "HEAD", cwd=checkout) == before
    assert not (checkout / "2024-05-31.md").exists()
    assert f"{samples} is inside the git repository {checkout}" in caplog.text


def test_a_folder_that_is_no_checkout(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    with caplog.at_level(logging.WARNING, logger="bot.digest.source"):
        assert source.git_pull(plain) == "not-a-repo"
    assert "is not a git checkout" in caplog.text


def test_no_git_on_path(
    origin: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    digests = tmp_path / "digests"
    git("clone", "-q", str(origin), str(digests), cwd=tmp_path)
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    with caplog.at_level(logging.WARNING, logger="bot.digest.source"):
        assert source.git_pull(digests) == "no-git"
    assert "git is not installed" in caplog.text


def fake_git(tmp_path: Path, pull: str) -> Path:
    """A `git` on PATH that answers rev-parse with the folder, records its environment and
    arguments, then runs `pull` (shell) for the pull itself."""
    folder = tmp_path / "bin"
    folder.mkdir()
    script = folder / "git"
    script.write_text(
        "#!/bin/sh\n"
        'for a in "$@"; do [ "$a" = rev-parse ] && { echo "$PWD_TOP"; exit 0; }; done\n'
        f'env > "{tmp_path}/env.txt"; echo "$@" > "{tmp_path}/args.txt"\n'
        f"[ -t 0 ] && echo tty > '{tmp_path}/stdin.txt'\n"
        f"{pull}\n",
        encoding="utf-8",
    )
    script.chmod(0o755)
    return folder


def test_the_pull_never_prompts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    digests = tmp_path / "digests"
    digests.mkdir()
    folder = fake_git(tmp_path, "exit 0")
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("PWD_TOP", str(digests))
    monkeypatch.setenv("GIT_ASKPASS", "/usr/bin/some-gui-askpass")
    assert source.git_pull(digests) == "pulled"
    env = dict(
        line.split("=", 1)
        for line in (tmp_path / "env.txt").read_text().splitlines()
        if "=" in line
    )
    assert env["GIT_TERMINAL_PROMPT"] == "0"
    assert env["GIT_ASKPASS"] == "" and env["SSH_ASKPASS"] == ""
    assert "BatchMode=yes" in env["GIT_SSH_COMMAND"]
    args = (tmp_path / "args.txt").read_text().split()
    assert args[:2] == ["-c", "credential.helper="] and "--ff-only" in args
    assert not (tmp_path / "stdin.txt").exists()  # no terminal to prompt on


def test_a_hanging_pull_is_stopped_with_what_it_started(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The pull and everything it started are killed at the timeout: a child holding its
    output (like ssh) and one detached from it (red when only the pull itself is killed)."""
    digests = tmp_path / "digests"
    digests.mkdir()
    pids, ready = tmp_path / "pids.tmp", tmp_path / "pids"
    started = (  # the pids are written before the pull hangs, then renamed in one step
        f'sleep 30 & echo $! >> "{pids}"; sleep 120 </dev/null >/dev/null 2>&1 & '
        f'echo $! >> "{pids}"; echo $$ >> "{pids}"; mv "{pids}" "{ready}"; sleep 30'
    )
    folder = fake_git(tmp_path, started)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("PWD_TOP", str(digests))
    with caplog.at_level(logging.WARNING, logger="bot.digest.source"):
        # 5 s: time for the fake git to start its children even on a loaded machine
        assert source.git_pull(digests, timeout=5) == "timeout"
    assert ready.exists(), "the fake git did not start its children within the timeout"
    survivors = [int(pid) for pid in ready.read_text().split()]
    for _ in range(100):  # SIGKILL is delivered at once; an exit can take a moment to show
        survivors = [pid for pid in survivors if alive(pid)]
        if not survivors:
            break
        time.sleep(0.1)
    assert survivors == []
    assert "took over" in caplog.text


def test_one_pull_at_a_time(tmp_path: Path) -> None:
    assert source._running.acquire(blocking=False)
    try:
        assert source.pulling() and source.git_pull(tmp_path) == "busy"
    finally:
        source._running.release()
    assert not source.pulling()


async def test_refresh_pulls_outside_the_index_lock(
    simcord_env, simcord_bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: dict[str, bool] = {}

    def pull(folder: Path, timeout: float = source.PULL_TIMEOUT) -> str:
        seen["locked during the pull"] = simcord_bot.index_lock.locked()
        return "pulled"

    monkeypatch.setattr(source, "git_pull", pull)
    simcord_bot.settings.git_pull = True
    await simcord_bot.refresh_source()
    assert seen == {"locked during the pull": False}


async def test_a_reindex_during_the_pull_skips_the_ingest(
    simcord_env, simcord_bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A /reindex that takes the lock while the pull runs reads the whole folder anyway: the
    daily ingest gives way at once instead of queueing behind it."""
    from ingest import pipeline

    loop = asyncio.get_running_loop()
    lock = simcord_bot.index_lock
    gate = asyncio.Event()

    async def reindex() -> None:
        async with lock:
            await gate.wait()

    rebuild: list[asyncio.Task] = []

    def pull(folder: Path, timeout: float = source.PULL_TIMEOUT) -> str:
        loop.call_soon_threadsafe(lambda: rebuild.append(loop.create_task(reindex())))
        while not lock.locked():
            time.sleep(0.001)
        return "pulled"

    ingested: list[object] = []
    monkeypatch.setattr(source, "git_pull", pull)
    monkeypatch.setattr(pipeline, "ingest", lambda *a, **k: ingested.append(a))
    simcord_bot.settings.git_pull = True
    refresh = asyncio.ensure_future(simcord_bot.refresh_source())
    for _ in range(3000):  # real milliseconds: SimCord's clock is virtual
        if refresh.done():
            break
        await asyncio.sleep(0)
        time.sleep(0.001)  # noqa: ASYNC251 — let the worker thread run in real time
    finished_while_locked = refresh.done()
    gate.set()
    await rebuild[0]
    await asyncio.gather(refresh, return_exceptions=True)
    assert finished_while_locked and ingested == []


def alive(pid: int) -> bool:
    """A process that exists and is not a zombie waiting to be reaped."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"
