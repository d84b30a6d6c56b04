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

from pydantic import Field, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_core import InitErrorDetails, PydanticCustomError
from pydantic_settings import BaseSettings, SettingsConfigDict

_HHMM = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
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
    log_level: str = Field(default="INFO", alias="PAPERBOT_LOG_LEVEL")

    # An OpenAI-compatible chat-completions server for written answers (docs/ANSWERS.md);
    # unset: no answers, no /summarize, nothing sent anywhere.
    llm_base_url: str | None = Field(default=None, alias="PAPERBOT_LLM_BASE_URL")
    llm_model: str | None = Field(default=None, alias="PAPERBOT_LLM_MODEL", validate_default=True)
    llm_api_key: SecretStr | None = Field(default=None, alias="PAPERBOT_LLM_API_KEY")
    llm_timeout: float = Field(default=20.0, gt=0, le=300, alias="PAPERBOT_LLM_TIMEOUT")
    # Cost controls: estimated tokens per server per day (prompt + answer), and answers per
    # member and per server in any hour.
    llm_daily_tokens: int = Field(default=200_000, ge=0, alias="PAPERBOT_LLM_DAILY_TOKENS")
    llm_user_rate: int = Field(default=10, ge=0, alias="PAPERBOT_LLM_USER_RATE")
    llm_server_rate: int = Field(default=60, ge=0, alias="PAPERBOT_LLM_SERVER_RATE")

    # Enrichment from the papers' own sources (docs/OPERATIONS.md, "Enrichment"): the Hugging
    # Face papers API, the arXiv API for abstracts it lacks; fetched in the background after
    # each ingest, cached in enrich.sqlite. Off: nothing is fetched, the cards stay as they are.
    enrich: bool = Field(default=True, alias="PAPERBOT_ENRICH")
    hf_api: str = Field(default="https://huggingface.co", alias="PAPERBOT_HF_API")
    arxiv_api: str = Field(default="http://export.arxiv.org/api/query", alias="PAPERBOT_ARXIV_API")
    enrich_timeout: float = Field(default=10.0, gt=0, le=120, alias="PAPERBOT_ENRICH_TIMEOUT")
    # Seconds between two requests to each source: HF allows 500 API requests per 5 minutes
    # without a token; arXiv asks for one request every 3 seconds.
    hf_interval: float = Field(default=0.65, ge=0, le=60, alias="PAPERBOT_HF_INTERVAL")
    arxiv_interval: float = Field(default=3.0, ge=0, le=60, alias="PAPERBOT_ARXIV_INTERVAL")

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

    @property
    def llm_enabled(self) -> bool:
        return self.llm_base_url is not None

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

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, value: str) -> str:
        if value.strip().upper() not in LOG_LEVELS:
            raise PydanticCustomError(
                "log_level", "'{value}' is not one of DEBUG, INFO, WARNING, ERROR", {"value": value}
            )
        return value.strip().upper()

    @field_validator("llm_base_url", "llm_model", "llm_api_key", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("llm_base_url", "hf_api", "arxiv_api")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.strip().rstrip("/")
        if not value.startswith(("http://", "https://")):
            raise PydanticCustomError(
                "llm_url",
                "'{value}' is not an http(s) URL (e.g. http://127.0.0.1:11434/v1)",
                {"value": value},
            )
        return value

    @field_validator("llm_model")
    @classmethod
    def _model_with_url(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None and info.data.get("llm_base_url") is not None:
            raise PydanticCustomError(
                "llm_model",
                "PAPERBOT_LLM_MODEL is required with PAPERBOT_LLM_BASE_URL (e.g. llama3.1:8b)",
            )
        return value.strip() if value else value

    @field_validator("post_time")
    @classmethod
    def _hh_mm(cls, value: str) -> str:
        match = _HHMM.fullmatch(value.strip())
        if match is None:
            raise PydanticCustomError(
                "hh_mm", "'{value}' is not a time of day as HH:MM (e.g. 07:00)", {"value": value}
            )
        return f"{int(match[1]):02d}:{match[2]}"
