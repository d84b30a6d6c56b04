"""Settings from the environment or .env (DESIGN.md's table); one class, read once."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


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
