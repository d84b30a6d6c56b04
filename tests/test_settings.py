"""Settings are checked when they are read: a bad time zone or post time stops `paperbot run`
with one line naming the variable, and a token Discord rejects gets a hint, not a traceback."""

from __future__ import annotations

from pathlib import Path

import discord
import pytest
from pydantic import ValidationError

from bot.cli import main
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
    [line] = err.splitlines()
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
