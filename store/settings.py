"""Settings from the environment or .env (the table in docs/CONTRACTS.md); one class, read once.

The values the bot schedules with are checked here, so a typo stops `paperbot run` at start-up
with one clear line instead of failing at the first daily post."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from zoneinfo import available_timezones

from pydantic import Field, SecretStr, field_validator
from pydantic_core import PydanticCustomError
from pydantic_settings import BaseSettings, SettingsConfigDict

_HHMM = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


@cache
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

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
    log_level: str = Field(default="INFO", alias="PAPERBOT_LOG_LEVEL")

    def public(self) -> dict[str, str]:
        """Every setting by its variable name, as `paperbot run` logs them: the token only as
        set or unset."""
        shown = {}
        for name, field in type(self).model_fields.items():
            value = getattr(self, name)
            if isinstance(value, SecretStr):
                value = "(set, hidden)" if value.get_secret_value() else "(empty)"
            shown[field.alias or name] = "(unset)" if value is None else str(value)
        return shown

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

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, value: str) -> str:
        if value.strip().upper() not in LOG_LEVELS:
            raise PydanticCustomError(
                "log_level", "'{value}' is not one of DEBUG, INFO, WARNING, ERROR", {"value": value}
            )
        return value.strip().upper()

    @field_validator("post_time")
    @classmethod
    def _hh_mm(cls, value: str) -> str:
        match = _HHMM.fullmatch(value.strip())
        if match is None:
            raise PydanticCustomError(
                "hh_mm", "'{value}' is not a time of day as HH:MM (e.g. 07:00)", {"value": value}
            )
        return f"{int(match[1]):02d}:{match[2]}"
