"""The deployment recipe and the documents, as far as they can be checked without Docker or
systemd running: the files parse, every variable they set is a real setting, the health checks
run what works here, the README stays short and links to what moved out of it."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import discord
import pytest
import yaml

from bot.cli import main
from store.settings import Settings
from tests.conftest import ROOT

SETTINGS = {field.alias for field in Settings.model_fields.values()}
COMPOSE = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
UNIT = ROOT / "deploy" / "paperbot.service"
README = (ROOT / "README.md").read_text(encoding="utf-8")


# -- compose.yaml -------------------------------------------------------------------------------
def test_compose_runs_the_bot_beside_a_chroma_server_with_health_checks() -> None:
    services = COMPOSE["services"]
    assert set(services) == {"bot", "chroma"}
    for service in services.values():
        assert service["restart"] == "unless-stopped"
        assert {"test", "interval", "timeout", "retries"} <= set(service["healthcheck"])
    bot, chroma = services["bot"], services["chroma"]
    assert chroma["entrypoint"][:2] == ["chroma", "run"]
    assert bot["healthcheck"]["test"] == ["CMD", "paperbot", "doctor"]
    assert bot["depends_on"] == {"chroma": {"condition": "service_healthy"}}
    assert bot["environment"]["CHROMA_HOST"] == "chroma"
    port = chroma["entrypoint"][chroma["entrypoint"].index("--port") + 1]
    assert bot["environment"]["CHROMA_PORT"] == port
    mounts = dict(volume.split(":")[::-1] for volume in bot["volumes"])
    assert mounts["/data"] in COMPOSE["volumes"] and mounts["/archive"] in COMPOSE["volumes"]
    assert bot["environment"]["PAPERBOT_DATA_DIR"] == "/data"
    assert bot["environment"]["PAPERBOT_DIGESTS"] == "/archive"


def test_every_variable_compose_sets_is_a_setting() -> None:
    for name, service in COMPOSE["services"].items():
        assert set(service.get("environment", {})) <= SETTINGS, name


@pytest.mark.skipif(
    shutil.which("docker") is None
    or subprocess.run(["docker", "compose", "version"], capture_output=True, check=False).returncode
    != 0,
    reason="no `docker compose` here",
)
def test_docker_compose_accepts_the_file() -> None:
    done = subprocess.run(
        ["docker", "compose", "-f", str(ROOT / "compose.yaml"), "config", "--quiet"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr


def test_the_chroma_health_check_answers_only_when_the_server_is_up(chroma_server: int) -> None:
    test = COMPOSE["services"]["chroma"]["healthcheck"]["test"]
    assert test[:2] == ["CMD", "python"]
    here = [sys.executable, *test[2:]]
    up = [arg.replace("127.0.0.1:8000", f"127.0.0.1:{chroma_server}") for arg in here]
    assert subprocess.run(up, capture_output=True, timeout=30, check=False).returncode == 0
    down = [arg.replace("127.0.0.1:8000", "127.0.0.1:9") for arg in here]
    assert subprocess.run(down, capture_output=True, timeout=30, check=False).returncode != 0


def test_doctor_passes_on_the_compose_set_up_with_a_chroma_server(
    settings,
    chroma_server: int,
    monkeypatch: pytest.MonkeyPatch,
    capsys,
) -> None:
    """The bot service's settings (a Chroma server, the digest folder, a token): the index is
    built through the server, and doctor finds it there."""
    monkeypatch.setenv("CHROMA_HOST", "127.0.0.1")
    monkeypatch.setenv("CHROMA_PORT", str(chroma_server))
    monkeypatch.setenv("DISCORD_TOKEN", "MTIzNDU2Nzg5MDEyMzQ1Njc4OQ.GaBcDe.abcdefghijklmnop0123")
    assert main(["--log-level", "WARNING", "ingest"]) == 0
    assert main(["doctor"]) == 0
    out = capsys.readouterr().out
    assert f"ok   Chroma server: 127.0.0.1:{chroma_server} answers" in out
    assert "ok   index: generation 1: 62 papers" in out and out.endswith("all good\n")


# -- Dockerfile ---------------------------------------------------------------------------------
def dockerfile() -> list[tuple[str, str]]:
    """(instruction, arguments), continuation lines joined, comments dropped."""
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    text = re.sub(
        r"\\\n\s*", " ", "\n".join(line for line in text.splitlines() if not line.startswith("#"))
    )
    return [tuple(line.split(None, 1)) for line in text.splitlines() if line.strip()]  # type: ignore[misc]


def test_dockerfile_slim_base_non_root_volumes_health_check() -> None:
    steps = dockerfile()
    assert steps[0] == ("FROM", "python:3.11-slim")
    [user] = [args for op, args in steps if op == "USER"]
    assert user not in ("root", "0")
    [volumes] = [args for op, args in steps if op == "VOLUME"]
    assert '"/data"' in volumes and '"/archive"' in volumes
    [health] = [args for op, args in steps if op == "HEALTHCHECK"]
    assert health.endswith('CMD ["paperbot", "doctor"]') and "--start-period" in health
    installs = [args for op, args in steps if op == "RUN" and "pip install" in args]
    assert installs and all("-c constraints.txt" in args for args in installs)
    assert "torch" not in " ".join(args for _, args in steps)


def test_dockerfile_copies_what_exists_and_sets_only_settings() -> None:
    for op, args in dockerfile():
        if op == "COPY":
            sources = [a for a in args.split()[:-1] if not a.startswith("--")]
            assert all((ROOT / source).exists() for source in sources), args
        if op == "ENV":
            names = {pair.split("=", 1)[0] for pair in args.split()}
            assert names <= SETTINGS, names


def test_the_entrypoint_is_valid_sh() -> None:
    script = ROOT / "deploy" / "entrypoint.sh"
    assert os.access(script, os.X_OK)
    assert (
        subprocess.run(["sh", "-n", str(script)], capture_output=True, check=False).returncode == 0
    )


def test_the_entrypoint_clones_an_empty_archive_then_ingests_before_run(tmp_path: Path) -> None:
    """With stand-ins for git and paperbot that write down how they were called."""
    bin_dir, calls, archive = tmp_path / "bin", tmp_path / "calls", tmp_path / "archive"
    bin_dir.mkdir()
    archive.mkdir()
    for tool in ("git", "paperbot"):
        stub = bin_dir / tool
        stub.write_text(f'#!/bin/sh\necho "{tool} $*" >> {calls}\n', encoding="utf-8")
        stub.chmod(0o755)
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "PAPERBOT_DIGESTS": str(archive)}
    script = str(ROOT / "deploy" / "entrypoint.sh")
    subprocess.run(["sh", script, "run"], env=env, check=True, timeout=30)
    assert calls.read_text(encoding="utf-8").splitlines() == [
        f"git clone --quiet https://github.com/l-yohai/daily_papers_ko {archive}",
        "paperbot ingest",
        "paperbot run",
    ]
    calls.unlink()
    (archive / "2024-05-30.md").write_text("", encoding="utf-8")  # cloned before: no clone
    subprocess.run(["sh", script, "doctor"], env=env, check=True, timeout=30)
    assert calls.read_text(encoding="utf-8").splitlines() == ["paperbot doctor"]


# -- deploy/paperbot.service -----------------------------------------------------------------------
def unit_entries() -> list[tuple[str, str, str]]:
    """(section, key, value) in order; systemd allows a key more than once."""
    section, found = "", []
    for line in UNIT.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            section = line.strip("[]")
            continue
        key, value = line.split("=", 1)
        found.append((section, key.strip(), value.strip()))
    return found


def test_the_unit_runs_the_bot_and_sets_only_settings() -> None:
    entries = unit_entries()
    assert {s for s, _, _ in entries} == {"Unit", "Service", "Install"}
    service = [(k, v) for s, k, v in entries if s == "Service"]
    values = dict(service)
    assert values["ExecStart"].endswith("/paperbot run") and values["User"] != "root"
    assert values["Restart"] == "on-failure" and values["EnvironmentFile"]
    pre = [v for k, v in service if k == "ExecStartPre"]
    assert [v.rsplit(" ", 1)[-1] for v in pre] == ["ingest", "doctor"]
    names = {v.split("=", 1)[0] for k, v in service if k == "Environment"}
    assert names and names <= SETTINGS


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze here")
def test_systemd_accepts_the_unit(tmp_path: Path) -> None:
    paperbot = Path(sys.executable).with_name("paperbot")
    text = UNIT.read_text(encoding="utf-8").replace(
        "/opt/paperbot/.venv/bin/paperbot", str(paperbot)
    )
    unit = tmp_path / "paperbot.service"
    unit.write_text(text, encoding="utf-8")
    done = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", str(unit)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0 and "paperbot.service" not in done.stderr, done.stderr


# -- settings, licence, documents ------------------------------------------------------------------
def test_env_example_lists_every_setting_with_a_comment() -> None:
    lines = (ROOT / ".env.example").read_text(encoding="utf-8").splitlines()
    setting = re.compile(r"#? ?([A-Z][A-Z0-9_]+)=")
    listed = {m[1]: n for n, line in enumerate(lines) if (m := setting.match(line))}
    assert set(listed) == SETTINGS
    for name, number in listed.items():
        above = lines[number - 1]
        assert above.startswith("# ") and not setting.match(above), name


def test_the_code_licence_and_the_archive_licence_are_stated() -> None:
    licence = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert licence.startswith("MIT License") and "WITHOUT WARRANTY OF ANY KIND" in licence
    assert 'license = { text = "MIT" }' in (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert "CC BY-NC-ND 4.0" in README and "[MIT](LICENSE)" in README


def test_the_readme_is_short_and_reaches_every_moved_section() -> None:
    assert len(README.encode("utf-8")) <= 10 * 1024
    links = set(re.findall(r"\]\(((?:docs/)?[A-Za-z_./-]+\.md)(?:#[\w-]+)?\)", README))
    for doc in ("docs/OPERATIONS.md", "docs/ARCHITECTURE.md", "docs/EVALUATION.md"):
        assert doc in links
    for link in links:
        assert (ROOT / link).is_file(), link
    for name in SETTINGS:
        assert f"`{name}`" in README, name
    assert "make run" in README and "make test" in README


def test_the_invite_url_asks_for_exactly_what_the_bot_needs() -> None:
    [url] = re.findall(r"https://discord\.com/oauth2/authorize\?[^\s)`]+", README)
    query = parse_qs(urlparse(url).query)
    assert query["scope"] == ["bot applications.commands"]
    needed = discord.Permissions(
        send_messages=True,
        embed_links=True,
        attach_files=True,
        create_public_threads=True,
        send_messages_in_threads=True,
        read_message_history=True,
    )
    assert query["permissions"] == [str(needed.value)] == ["309237762048"]


def tracked_text_files() -> list[Path]:
    listed = subprocess.run(
        ["git", "-C", str(ROOT), "ls-files"], capture_output=True, text=True, check=False
    )
    if listed.returncode != 0:
        pytest.skip("not a git checkout")
    paths = [ROOT / name for name in listed.stdout.splitlines()]
    return [
        p
        for p in paths
        if p.suffix in {".py", ".md", ".toml", ".yaml", ".service", ".sh", ""} and p.is_file()
    ]


def test_nothing_points_outside_the_repository() -> None:
    outside = re.compile(r"\.\./shared|/work/|shared/(DESIGN|STYLE|TESTING)\.md")
    offenders = [
        str(path.relative_to(ROOT))
        for path in tracked_text_files()
        if path.name != "test_deploy.py"
        and outside.search(path.read_text(encoding="utf-8", errors="replace"))
    ]
    assert offenders == []


def test_ci_runs_the_readme_test_command() -> None:
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
