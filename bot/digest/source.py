"""`git pull` of the digest folder (PAPERBOT_GIT_PULL=1): never a prompt, never an enclosing
repository, never longer than PULL_TIMEOUT. A blocking function for a worker thread; every
failure is logged and the day goes on with the files already there."""

from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
import threading
from pathlib import Path
from typing import Literal

log = logging.getLogger(__name__)
PULL_TIMEOUT = 120.0  # seconds for the whole pull; the archive is a few MB a month
CHECK_TIMEOUT = 15.0  # seconds for `git rev-parse`
Outcome = Literal["pulled", "failed", "timeout", "no-git", "not-a-repo", "enclosing", "busy"]

_running = threading.Lock()  # one pull at a time (the daily run and /digest now may overlap)

# No terminal prompt, no askpass program, no credential helper, no interactive ssh: a pull that
# needs a password fails at once instead of waiting for one.
_NO_PROMPTS = {
    "GIT_TERMINAL_PROMPT": "0",
    "GIT_ASKPASS": "",
    "SSH_ASKPASS": "",
    "GCM_INTERACTIVE": "never",
}


def pulling() -> bool:
    """Whether a pull is under way (a rebuild must not read the folder meanwhile)."""
    return _running.locked()


def git_pull(folder: Path, timeout: float = PULL_TIMEOUT) -> Outcome:
    """`git pull --ff-only` in `folder` when it is the top level of its own git checkout."""
    if not _running.acquire(blocking=False):
        log.info("a git pull of %s is already running", folder)
        return "busy"
    try:
        return _pull(folder, timeout)
    finally:
        _running.release()


def _pull(folder: Path, timeout: float) -> Outcome:
    git = shutil.which("git")
    if git is None:
        log.warning("PAPERBOT_GIT_PULL=1 but git is not installed (not on PATH); not pulling")
        return "no-git"
    try:
        code, out, _ = _run([git, "-C", str(folder), "rev-parse", "--show-toplevel"], CHECK_TIMEOUT)
    except subprocess.TimeoutExpired:
        log.warning("git rev-parse in %s took over %.0f s; not pulling", folder, CHECK_TIMEOUT)
        return "timeout"
    except OSError as error:
        log.warning("could not run git: %s; not pulling", error)
        return "no-git"
    if code != 0:
        log.warning("PAPERBOT_GIT_PULL=1 but %s is not a git checkout; not pulling", folder)
        return "not-a-repo"
    top = Path(out.strip())
    if not _same(top, folder):
        log.warning(
            "PAPERBOT_GIT_PULL=1: %s is inside the git repository %s, not the top of its own; "
            "not pulling (point PAPERBOT_DIGESTS at the archive checkout itself)",
            folder,
            top,
        )
        return "enclosing"
    command = [git, "-c", "credential.helper=", "-C", str(folder), "pull", "--ff-only", "--quiet"]
    try:
        code, _, err = _run(command, timeout)
    except subprocess.TimeoutExpired:
        log.warning("git pull in %s took over %.0f s and was stopped", folder, timeout)
        return "timeout"
    except OSError as error:
        log.warning("could not run git pull in %s: %s", folder, error)
        return "failed"
    if code != 0:
        log.warning("git pull --ff-only in %s failed: %s", folder, err.strip()[:500])
        return "failed"
    log.info("git pull --ff-only in %s: done", folder)
    return "pulled"


def _same(top: Path, folder: Path) -> bool:
    try:
        return top.resolve() == folder.resolve()
    except OSError:
        return False


def _run(command: list[str], timeout: float) -> tuple[int, str, str]:
    """Run without a terminal or stdin, in its own process group, so that on timeout git and
    whatever it started (ssh, a remote helper) are killed together; a plain `subprocess.run`
    would wait on pipes a surviving grandchild still holds."""
    ssh = os.environ.get("GIT_SSH_COMMAND") or "ssh"
    env = {**os.environ, **_NO_PROMPTS, "GIT_SSH_COMMAND": f"{ssh} -o BatchMode=yes"}
    process = subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        start_new_session=True,
    )
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.communicate()
        raise
    return process.returncode, out, err
