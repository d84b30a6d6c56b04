"""`paperbot doctor`: is this set-up ready for `paperbot run`? Checks the settings, the bot
token's shape, the data dir, the embedder's packages, the Chroma server, the index, the digest
folder and its git remote, and says for each problem what to fix, in one line. It starts no
Discord connection, loads no model and writes nothing, so it is cheap enough for a container
health check, beside a running bot."""

from __future__ import annotations

import difflib
import importlib.util
import os
import re
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ValidationError

from ingest.files import date_from_path, find_digest_files
from ingest.pipeline import CHUNKING
from store.embedders import identity, needs_st
from store.enrich.cache import counts_in
from store.errors import StoreError
from store.settings import Settings

if TYPE_CHECKING:
    from chromadb.api import ClientAPI

ARCHIVE_URL = "https://github.com/l-yohai/daily_papers_ko"
GIT_TIMEOUT = 15.0
# Variables read by the tests and the fault injection, not settings.
# Variables read outside Settings: the file Settings reads, the lease length (store/index/lease.py),
# and the test and fault hooks.
NOT_SETTINGS = {
    "PAPERBOT_ENV_FILE",
    "PAPERBOT_LEASE_TTL_S",
    "PAPERBOT_TEST_ARCHIVE",
    "PAPERBOT_TRANSCRIPT",
    "PAPERBOT_CRASH_AT",
    "PAPERBOT_PAUSE_AT",
    "PAPERBOT_PAUSE_DIR",
}
# Three dot-separated parts: the application id (base64), a timestamp, an HMAC.
_TOKEN = re.compile(r"[\w-]{16,}\.[\w-]{4,}\.[\w-]{16,}")


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    text: str  # ok: what was found; a problem: what is wrong, then what to fix

    def line(self) -> str:
        return f"{'ok ' if self.ok else 'FIX'}  {self.name}: {self.text}"


def aliases() -> dict[str, str]:
    """Environment variable -> Settings field."""
    return {field.alias or name: name for name, field in Settings.model_fields.items()}


def settings_despite(error: ValidationError) -> tuple[Settings, list[Check]]:
    """Settings with each bad value replaced by its default, and one problem per bad value, so
    the other checks still run."""
    fields = aliases()
    problems, defaults = [], {}
    for item in error.errors():
        variable = str(item["loc"][0]) if item["loc"] else "settings"
        problems.append(Check(variable, False, f"{item['msg']}; fix it in .env or the environment"))
        if variable in fields:
            defaults[variable] = Settings.model_fields[fields[variable]].default
    return Settings(**defaults), problems


def diagnose(settings: Settings, setting_problems: list[Check] | None = None) -> list[Check]:
    checks = list(setting_problems or [])
    checks += _unknown_variables()
    if not checks:
        checks.append(Check("settings", True, "valid"))
    checks.append(_token(settings))
    data_ok = _data_dir(settings.data_dir)
    checks.append(data_ok)
    embedder = _embedder(settings.embedder)
    checks.append(embedder)
    client, server = _chroma(settings)
    if server is not None:
        checks.append(server)
    if data_ok.ok and (server is None or server.ok) and embedder.ok:
        checks.append(_index(settings, client))
    folder = _digests(settings.digests)
    checks.append(folder)
    if folder.ok:
        checks.append(_git(settings))
    if data_ok.ok:
        checks.append(_enrichment(settings))
    return checks


# -- the checks -------------------------------------------------------------------------------
def _enrichment(settings: Settings) -> Check:
    """What the background enrichment has cached (informational: a cache is never a problem)."""
    if not settings.enrich:
        return Check("enrichment", True, "off (PAPERBOT_ENRICH=0): nothing is fetched")
    try:
        counts = counts_in(settings.data_dir)
    except sqlite3.Error as error:
        return Check("enrichment", True, f"the cache cannot be read now ({error})")
    if counts is None:
        return Check("enrichment", True, f"on, from {settings.hf_api}; nothing cached yet")
    found, missing, failed = (counts.get(k, 0) for k in ("ok", "missing", "failed"))
    return Check(
        "enrichment",
        True,
        f"on, from {settings.hf_api}: {found:,} papers cached, {missing:,} unknown to the "
        f"sources, {failed:,} failed (retried later)",
    )


def _unknown_variables() -> Iterator[Check]:
    """A misspelt variable is otherwise ignored in silence (PAPERBOT_DIGEST for _DIGESTS)."""
    known = set(aliases())
    names = set(os.environ) | set(_dotenv_names(Path(".env")))
    for name in sorted(n for n in names if n.startswith("PAPERBOT_")):
        if name in known or name in NOT_SETTINGS:
            continue
        close = difflib.get_close_matches(name, sorted(known), n=1)
        hint = f"did you mean {close[0]}? " if close else ""
        yield Check(name, False, f"is not a setting and is ignored: {hint}see .env.example")


def _dotenv_names(path: Path) -> list[str]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeError):
        return []
    found = []
    for line in lines:
        line = line.strip().removeprefix("export ").strip()
        if line and not line.startswith("#") and "=" in line:
            found.append(line.split("=", 1)[0].strip())
    return found


def _token(settings: Settings) -> Check:
    token = settings.discord_token.get_secret_value().strip() if settings.discord_token else ""
    portal = "Discord Developer Portal -> your application -> Bot -> Reset Token"
    if not token:
        return Check("DISCORD_TOKEN", False, f"not set: put the bot token in .env ({portal})")
    if not _TOKEN.fullmatch(token):
        return Check(
            "DISCORD_TOKEN",
            False,
            f"does not look like a bot token (three parts joined by dots): copy it again "
            f"({portal})",
        )
    return Check("DISCORD_TOKEN", True, "set (its shape; Discord checks it at `paperbot run`)")


def _who() -> str:
    uid = os.getuid()
    try:
        import pwd

        return f"{pwd.getpwuid(uid).pw_name} (uid {uid})"
    except (ImportError, KeyError):
        return f"uid {uid}"


def _data_dir(path: Path) -> Check:
    name = "PAPERBOT_DATA_DIR"
    if path.exists() and not path.is_dir():
        return Check(name, False, f"{path} is a file: point PAPERBOT_DATA_DIR at a folder")
    if not path.exists():
        return Check(
            name,
            False,
            f"{path} does not exist: run `paperbot ingest` (it creates it and the index)",
        )
    fix = f"`chown -R {os.getuid()} {path}`, or run the bot as its owner"
    if not os.access(path, os.R_OK | os.W_OK | os.X_OK):
        return Check(name, False, f"{path} is not writable by {_who()}: {fix}")
    for inner in _state_files(path):
        if not os.access(inner, os.R_OK | os.W_OK):
            return Check(name, False, f"{inner} is not writable by {_who()}: {fix}")
    return Check(name, True, f"{path} (writable)")


def _state_files(path: Path) -> Iterator[Path]:
    """The files the bot writes: its state, the writer lock, Chroma's, BM25's, the vectors."""
    for name in ("bot.sqlite", "writer.lock"):
        if (path / name).exists():
            yield path / name
    for folder in ("chroma", "lexical", "vectors"):
        if (path / folder).is_dir():
            yield path / folder
            yield from (p for p in (path / folder).iterdir() if p.is_file())


def _embedder(spec: str) -> Check:
    if needs_st(spec) and importlib.util.find_spec("sentence_transformers") is None:
        return Check(
            "PAPERBOT_EMBEDDER",
            False,
            f"{spec} needs sentence-transformers: run `make st` (README, 'Settings'), "
            "or set PAPERBOT_EMBEDDER=use",
        )
    return Check("PAPERBOT_EMBEDDER", True, spec)


def _chroma(settings: Settings) -> tuple[ClientAPI | None, Check | None]:
    """(a client, the server's check): the server is checked only when one is configured."""
    if not settings.chroma_host:
        return None, None
    from store.index.chroma import make_client

    where = f"{settings.chroma_host}:{settings.chroma_port}"
    try:
        client = make_client(settings)
    except StoreError:
        return None, Check(
            "Chroma server",
            False,
            f"nothing answers at {where}: start it (`chroma run --host ... --port "
            f"{settings.chroma_port}`, or compose's chroma service) or fix CHROMA_HOST/CHROMA_PORT",
        )
    return client, Check("Chroma server", True, f"{where} answers")


def _index(settings: Settings, client: ClientAPI | None) -> Check:
    from store.index.chroma import make_client
    from store.index.generations import Layout, Registry

    name = "index"
    rebuild = "run `paperbot ingest`"
    if client is None:
        if not (settings.data_dir / "chroma").is_dir():
            return Check(name, False, f"none in {settings.data_dir} yet: {rebuild}")
        try:
            client = make_client(settings)
        except StoreError as error:
            return Check(name, False, f"{error}; move the data dir aside and {rebuild}")
    embedder, model = identity(settings.embedder)
    registry = Registry(client, Layout(embedder, model, CHUNKING), settings.data_dir)
    try:
        active = registry.active()
        papers = client.get_collection(active.papers).count() if active else 0
        passages = client.get_collection(active.chunks).count() if active else 0
    except Exception as error:  # noqa: BLE001 — chromadb raises many kinds for a damaged index
        return Check(name, False, f"cannot be read ({error}): {rebuild} --full")
    if active is None or papers == 0:
        return Check(
            name, False, f"holds no papers for PAPERBOT_EMBEDDER={settings.embedder}: {rebuild}"
        )
    return Check(
        name, True, f"generation {active.number}: {papers:,} papers, {passages:,} passages"
    )


def _digests(folder: Path) -> Check:
    name = "PAPERBOT_DIGESTS"
    clone = f"clone the archive there (`git clone {ARCHIVE_URL} {folder}`) or fix the path"
    if not folder.exists():
        return Check(name, False, f"{folder} does not exist: {clone}")
    if not folder.is_dir():
        return Check(name, False, f"{folder} is not a folder: {clone}")
    if not os.access(folder, os.R_OK | os.X_OK):
        return Check(name, False, f"{folder} cannot be read by {_who()}: `chmod -R a+rX {folder}`")
    files = find_digest_files(folder)
    if not files:
        return Check(
            name,
            False,
            f"{folder} holds no digest files (paper_logs/YYYY/MM/DD.md or YYYY-MM-DD.md): {clone}",
        )
    newest = max(date_from_path(p) or "" for p in files)
    return Check(name, True, f"{folder}: {len(files):,} digest files, the newest {newest}")


def _git(settings: Settings) -> Check:
    name = "git remote"
    folder = settings.digests
    if not settings.git_pull:
        return Check(name, True, "not used (PAPERBOT_GIT_PULL=0: the folder is updated by hand)")
    off = "or set PAPERBOT_GIT_PULL=0"
    git = shutil.which("git")
    if git is None:
        return Check(name, False, f"PAPERBOT_GIT_PULL=1 but git is not installed: install it {off}")
    code, top, err = _git_out(git, folder, "rev-parse", "--show-toplevel")
    if code != 0 and "dubious ownership" in err:
        return Check(
            name,
            False,
            f"git refuses {folder}, which another user owns: `chown -R {os.getuid()} {folder}` "
            f"or `git config --global --add safe.directory {folder}`",
        )
    if code != 0:
        return Check(
            name, False, f"{folder} is not a git checkout: clone {ARCHIVE_URL} there {off}"
        )
    if Path(top).resolve() != folder.resolve():
        return Check(
            name,
            False,
            f"{folder} is inside the repository {top}, not its top: point PAPERBOT_DIGESTS at "
            "the archive checkout itself",
        )
    code, upstream, _ = _git_out(git, folder, "rev-parse", "--abbrev-ref", "@{upstream}")
    if code != 0:
        return Check(
            name,
            False,
            f"the branch checked out in {folder} has no upstream to pull from: "
            f"`git -C {folder} branch --set-upstream-to origin/main` {off}",
        )
    remote = upstream.split("/", 1)[0]
    _, url, _ = _git_out(git, folder, "remote", "get-url", remote)
    return Check(name, True, f"pulls {upstream} ({url or remote})")


def _git_out(git: str, folder: Path, *args: str) -> tuple[int, str, str]:
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0"}
    try:
        done = subprocess.run(
            [git, "-C", str(folder), *args],
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            timeout=GIT_TIMEOUT,
            env=env,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        return 1, "", str(error)
    return done.returncode, done.stdout.strip(), done.stderr
