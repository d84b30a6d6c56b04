"""Settings are checked when they are read: a bad time zone or post time stops `paperbot run`
with one line naming the variable, and a token Discord rejects gets a hint, not a traceback."""

from __future__ import annotations

import re
from pathlib import Path

import discord
import pytest
from pydantic import ValidationError

from bot.cli import main

LOG_LINE = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d (DEBUG|INFO|WARNING|ERROR) ")
from store.settings import Settings


def test_defaults_are_valid(settings: Settings) -> None:
    assert (settings.timezone, settings.post_time, settings.admin_guild_id) == (
        "Asia/Seoul",
        "07:00",
        None,
    )


@pytest.mark.parametrize(
    ("variable", "value", "says"),
    [
        ("PAPERBOT_TIMEZONE", "America", "'America' is not an IANA time zone"),
        ("PAPERBOT_TIMEZONE", "Asia/Busan", "'Asia/Busan' is not an IANA time zone"),
        ("PAPERBOT_TIMEZONE", "", "'' is not an IANA time zone"),
        ("PAPERBOT_POST_TIME", "7am", "'7am' is not a time of day as HH:MM"),
        ("PAPERBOT_POST_TIME", "24:00", "'24:00' is not a time of day as HH:MM"),
        ("PAPERBOT_POST_TIME", "07:60", "'07:60' is not a time of day as HH:MM"),
        ("PAPERBOT_POST_TIME", "0700", "'0700' is not a time of day as HH:MM"),
        ("PAPERBOT_ADMIN_GUILD_ID", "papers", "valid integer"),
    ],
)
def test_a_bad_value_is_refused_with_its_variable(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, variable: str, value: str, says: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ValidationError) as caught:
        Settings()
    [problem] = caught.value.errors()
    assert problem["loc"] == (variable,) and says in problem["msg"]


@pytest.mark.parametrize(
    ("variable", "value", "field", "kept"),
    [
        ("PAPERBOT_TIMEZONE", " UTC ", "timezone", "UTC"),
        ("PAPERBOT_TIMEZONE", "America/New_York", "timezone", "America/New_York"),
        ("PAPERBOT_POST_TIME", "7:05", "post_time", "07:05"),
        ("PAPERBOT_POST_TIME", "23:59", "post_time", "23:59"),
        ("PAPERBOT_ADMIN_GUILD_ID", "424242424242424242", "admin_guild_id", 424242424242424242),
    ],
)
def test_good_values_are_kept(
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    variable: str,
    value: str,
    field: str,
    kept: object,
) -> None:
    monkeypatch.setenv(variable, value)
    assert getattr(Settings(), field) == kept


def test_run_with_a_token_discord_rejects_says_so_in_one_line(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    async def rejected(self, token: str):
        raise discord.LoginFailure("Improper token has been passed.")

    monkeypatch.setenv("DISCORD_TOKEN", "not-a-token")
    monkeypatch.setattr(discord.http.HTTPClient, "static_login", rejected)
    assert main(["run"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and "Traceback" not in err
    # `paperbot run` logs its settings (the token hidden) before it logs in; then one line
    assert "not-a-token" not in err and "DISCORD_TOKEN=(set, hidden)" in err
    [line] = [line for line in err.splitlines() if not LOG_LINE.match(line)]
    assert line.startswith("Discord rejected DISCORD_TOKEN") and "Reset Token" in line


@pytest.mark.parametrize(
    ("variable", "value"), [("PAPERBOT_TIMEZONE", "America"), ("PAPERBOT_POST_TIME", "7am")]
)
def test_run_with_a_bad_setting_stops_in_one_line(
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    variable: str,
    value: str,
) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", "never-used")
    monkeypatch.setenv(variable, value)
    assert main(["run"]) == 2
    out, err = capsys.readouterr()
    [line] = err.splitlines()
    assert out == "" and variable in line and f"'{value}' is not" in line
    assert "Traceback" not in err


def test_paperbot_run_with_a_bad_time_zone_as_a_process(settings: Settings, tmp_path) -> None:
    """The installed command, as an operator starts it: exit 2, one line, no traceback."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "PAPERBOT_TIMEZONE": "Asia/Busan", "DISCORD_TOKEN": "never-used"}
    done = subprocess.run(
        [sys.executable, "-c", "import sys; from bot.cli import main; sys.exit(main(['run']))"],
        check=False,
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2 and done.stdout == ""
    [line] = done.stderr.splitlines()
    assert "PAPERBOT_TIMEZONE" in line and "'Asia/Busan' is not an IANA time zone" in line


def test_written_answers_are_off_by_default(settings: Settings) -> None:
    assert not settings.llm_enabled and settings.llm_base_url is None


@pytest.mark.parametrize(
    ("values", "says"),
    [
        ({"PAPERBOT_LLM_BASE_URL": "http://127.0.0.1:11434/v1"}, "PAPERBOT_LLM_MODEL is required"),
        (
            {"PAPERBOT_LLM_BASE_URL": "127.0.0.1:11434", "PAPERBOT_LLM_MODEL": "m"},
            "'127.0.0.1:11434' is not an http(s) URL",
        ),
        ({"PAPERBOT_LLM_TIMEOUT": "0"}, "greater than 0"),
    ],
)
def test_a_bad_llm_setting_is_refused(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys, values: dict, says: str
) -> None:
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    assert main(["ask", "x", "--answer"]) == 2
    [line] = capsys.readouterr().err.splitlines()
    assert says in line


def test_the_api_key_is_never_shown(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAPERBOT_LLM_BASE_URL", "https://api.example.com/v1/")
    monkeypatch.setenv("PAPERBOT_LLM_MODEL", "m")
    monkeypatch.setenv("PAPERBOT_LLM_API_KEY", "sk-never-shown")
    read = Settings()
    assert read.llm_enabled and read.llm_base_url == "https://api.example.com/v1"
    assert "sk-never-shown" not in repr(read) and "sk-never-shown" not in str(read)
    assert read.llm_api_key.get_secret_value() == "sk-never-shown"


# --- where the .env file is looked up -----------------------------------------------------

VARIABLES = (
    "PAPERBOT_ENV_FILE",
    "PAPERBOT_DIGESTS",
    "PAPERBOT_DATA_DIR",
    "PAPERBOT_EMBEDDER",
    "CHROMA_HOST",
    "DISCORD_TOKEN",
)


@pytest.fixture
def folders(tmp_path, monkeypatch: pytest.MonkeyPatch):
    """A project folder (what store/settings.py takes for the checkout) and another folder
    `paperbot` is started in; none of the variables set."""
    import store.settings

    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    project, elsewhere = tmp_path / "project", tmp_path / "elsewhere"
    project.mkdir()
    elsewhere.mkdir()
    monkeypatch.setattr(store.settings, "PROJECT", project, raising=False)
    monkeypatch.chdir(elsewhere)
    return project, elsewhere


def test_started_in_another_folder_the_project_env_file_is_read(folders) -> None:
    """`paperbot` started elsewhere used the samples and no Chroma server, silently. Relative
    paths in the file (and the defaults) are the file's folder's."""
    project, _ = folders
    (project / ".env").write_text("CHROMA_HOST=chroma.internal\nPAPERBOT_DIGESTS=./digests\n")
    read = Settings()
    assert read.chroma_host == "chroma.internal"
    assert (read.digests, read.data_dir) == (project / "digests", project / "data")


def test_the_current_folders_env_file_wins_and_is_the_only_one_read(folders) -> None:
    project, elsewhere = folders
    (project / ".env").write_text("CHROMA_HOST=project\nPAPERBOT_EMBEDDER=minilm\n")
    (elsewhere / ".env").write_text("CHROMA_HOST=here\nPAPERBOT_DATA_DIR=./state\n")
    read = Settings()
    assert (read.chroma_host, read.embedder) == ("here", "use"), "not merged with the project's"
    assert read.data_dir == Path("state"), "relative to the current folder, as before"


def test_paperbot_env_file_names_the_one_file_read(folders, monkeypatch) -> None:
    project, elsewhere = folders
    (project / ".env").write_text("CHROMA_HOST=project\n")
    (elsewhere / ".env").write_text("CHROMA_HOST=here\n")
    named = elsewhere.parent / "conf" / "paperbot.env"
    named.parent.mkdir()
    named.write_text("CHROMA_HOST=named\nPAPERBOT_DATA_DIR=state\n")
    monkeypatch.setenv("PAPERBOT_ENV_FILE", str(named))
    read = Settings()
    assert (read.chroma_host, read.data_dir) == ("named", named.parent / "state")
    monkeypatch.setenv("PAPERBOT_DATA_DIR", "mine")  # the environment still wins, as it is
    assert Settings().data_dir == Path("mine")


def test_a_missing_paperbot_env_file_stops_in_one_line(folders, monkeypatch, capsys) -> None:
    _, elsewhere = folders
    monkeypatch.setenv("PAPERBOT_ENV_FILE", str(elsewhere / "typo.env"))
    assert main(["today"]) == 2
    [line] = capsys.readouterr().err.splitlines()
    assert "PAPERBOT_ENV_FILE" in line and "typo.env" in line and "no such file" in line
