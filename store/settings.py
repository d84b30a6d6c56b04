"""Settings from the environment or .env (the table in docs/CONTRACTS.md); one class, read once.

One .env file is read: PAPERBOT_ENV_FILE when set (it must exist), else `.env` in the current
folder, else the project folder's, so `paperbot` started in another folder does not silently
run on the samples or without the Chroma server. Relative paths in that file, and the default
`./samples` and `./data`, are relative to the file's folder.

The values the bot schedules with are checked here, so a typo stops `paperbot run` at start-up
with one clear line instead of failing at the first daily post."""

from __future__ import annotations

import os
import re
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import available_timezones

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_core import InitErrorDetails, PydanticCustomError
from pydantic_settings import BaseSettings, SettingsConfigDict

_HHMM = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")
PROJECT = Path(__file__).resolve().parents[1]  # the checkout (pyproject.toml, .env.example)
_PATHS = {"digests": "PAPERBOT_DIGESTS", "data_dir": "PAPERBOT_DATA_DIR"}


def env_file() -> Path | None:
    """The .env file to read (the module docstring), or None."""
    if named := os.environ.get("PAPERBOT_ENV_FILE"):
        path = Path(named).expanduser()
        if not path.is_file():
            problem = PydanticCustomError("env_file", "no such file: '{path}'", {"path": named})
            details = InitErrorDetails(type=problem, loc=("PAPERBOT_ENV_FILE",), input=named)
            raise ValidationError.from_exception_data("Settings", [details])
        return path
    return next((f for f in (Path(".env"), PROJECT / ".env") if f.is_file()), None)


@cache
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


class Settings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)  # .env: __init__

    discord_token: SecretStr | None = Field(default=None, alias="DISCORD_TOKEN")
    digests: Path = Field(default=Path("./samples"), alias="PAPERBOT_DIGESTS")
    data_dir: Path = Field(default=Path("./data"), alias="PAPERBOT_DATA_DIR")
    embedder: str = Field(default="use", alias="PAPERBOT_EMBEDDER")
    chroma_host: str | None = Field(default=None, alias="CHROMA_HOST")
    chroma_port: int = Field(default=8000, alias="CHROMA_PORT")
    timezone: str = Field(default="Asia/Seoul", alias="PAPERBOT_TIMEZONE")
    post_time: str = Field(default="07:00", alias="PAPERBOT_POST_TIME")
    git_pull: bool = Field(default=False, alias="PAPERBOT_GIT_PULL")
    dev_guild_id: int | None = Field(default=None, alias="PAPERBOT_DEV_GUILD_ID")
    # The server whose Manage Server holders may run /reindex (besides the bot's owner).
    admin_guild_id: int | None = Field(default=None, alias="PAPERBOT_ADMIN_GUILD_ID")

    def __init__(self, **values: Any) -> None:
        found = values.setdefault("_env_file", env_file())
        super().__init__(**values)
        if not isinstance(found, str | Path) or Path(found).parent.resolve() == Path.cwd():
            return
        for name, variable in _PATHS.items():  # the file's or the default, not the shell's
            path = getattr(self, name)
            given = variable in os.environ or name in values or variable in values
            if not path.is_absolute() and not given:
                setattr(self, name, Path(found).parent / path)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        value = value.strip()
        if value not in _zones():
            raise PydanticCustomError(
                "time_zone",
                "'{value}' is not an IANA time zone (e.g. Asia/Seoul, UTC)",
                {"value": value},
            )
        return value

    @field_validator("post_time")
    @classmethod
    def _hh_mm(cls, value: str) -> str:
        match = _HHMM.fullmatch(value.strip())
        if match is None:
            raise PydanticCustomError(
                "hh_mm", "'{value}' is not a time of day as HH:MM (e.g. 07:00)", {"value": value}
            )
        return f"{int(match[1]):02d}:{match[2]}"
