"""Helpers for the tests that run several hosts on one Chroma server: the server itself, a
host's settings (its own data dir), and the pause points of store/index/faults.py."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from store.settings import Settings

CHROMA = Path(sys.executable).with_name("chroma")
LIMIT_S = 120.0  # every wait here is a hang guard, never a timing


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_chroma(path: Path) -> tuple[subprocess.Popen, int]:
    if not CHROMA.exists() and shutil.which("chroma") is None:
        pytest.skip("chroma CLI not installed")
    port = _free_port()
    command = str(CHROMA if CHROMA.exists() else "chroma")
    proc = subprocess.Popen(
        [command, "run", "--host", "127.0.0.1", "--port", str(port), "--path", str(path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:  # bounded: wait until the port accepts
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return proc, port
        except OSError:
            time.sleep(0.2)
    stop_chroma(proc)
    pytest.fail("chroma server did not start within 30 s")


def stop_chroma(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


def host(settings: Settings, port: int, data_dir: Path, digests: Path | None = None) -> Settings:
    """One host of the server at `port`: its own data dir (and digest folder, if given)."""
    update: dict = {"chroma_host": "127.0.0.1", "chroma_port": port, "data_dir": data_dir}
    if digests is not None:
        update["digests"] = digests
    return settings.model_copy(update=update)


def host_env(env: dict[str, str], port: int, data_dir: Path, digests: Path) -> dict[str, str]:
    """The environment of a `paperbot` process on such a host."""
    return {
        **env,
        "CHROMA_HOST": "127.0.0.1",
        "CHROMA_PORT": str(port),
        "PAPERBOT_DATA_DIR": str(data_dir),
        "PAPERBOT_DIGESTS": str(digests),
    }


class Pause:
    """Drives `pause_point` (store/index/faults.py) in another process or thread."""

    def __init__(self, folder: Path, point: str) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.folder, self.point = folder, point

    def env(self) -> dict[str, str]:
        return {"PAPERBOT_PAUSE_AT": self.point, "PAPERBOT_PAUSE_DIR": str(self.folder)}

    def wait_reached(self, proc: subprocess.Popen | None = None) -> None:
        deadline = time.monotonic() + LIMIT_S
        while not (self.folder / f"{self.point}.reached").exists():
            if proc is not None and proc.poll() is not None:
                said = proc.stderr.read() if proc.stderr else ""
                pytest.fail(f"exited ({proc.returncode}) before {self.point}: {said}")
            if time.monotonic() > deadline:
                pytest.fail(f"{self.point} not reached")
            time.sleep(0.05)

    def go(self) -> None:
        (self.folder / f"{self.point}.go").touch()


def paperbot(env: dict[str, str], *args: str, **extra: str) -> subprocess.Popen:
    """Start `paperbot ARGS` (stdout and stderr piped)."""
    return subprocess.Popen(
        [sys.executable, "-m", "bot.cli", *args],
        env={**env, **extra},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=env["PAPERBOT_DATA_DIR"].rsplit(os.sep, 1)[0],
    )


def finish(proc: subprocess.Popen) -> tuple[int, str, str]:
    out, err = proc.communicate(timeout=300)
    return proc.returncode, out, err
