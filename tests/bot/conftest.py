"""Bot fixtures: a data dir indexed from the shipped samples with the fast fake embedder, a
writable copy of the samples (`digests`), the bot SimCord drives over it (the `simcord_env`
fixture comes from simcord's pytest plugin), a server with an admin and a member, and a Korean
client. Helpers the daily-post tests share live in tests/bot/helpers.py."""

from __future__ import annotations

import shutil
from pathlib import Path
from types import SimpleNamespace

import discord
import pytest

from store.settings import Settings


@pytest.fixture
def indexed(settings: Settings) -> Settings:
    """The samples ingested into a fresh data dir (env vars set by the root `settings` fixture)."""
    from ingest.pipeline import ingest, open_index

    index = open_index(settings)
    ingest(settings, index=index)
    index.close()
    return settings


@pytest.fixture
def digests(settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A writable copy of the settings' digest folder (the samples unless a test's `settings`
    says otherwise), so a test can add the next day's digest."""
    folder = tmp_path / "writable_digests"
    shutil.copytree(settings.digests, folder)
    monkeypatch.setenv("PAPERBOT_DIGESTS", str(folder))
    return folder


@pytest.fixture
def simcord_bot(digests: Path):
    """The bot over a writable copy of the samples, indexed (tests add days to `digests`)."""
    from bot import create_bot
    from ingest.pipeline import ingest

    ingest(Settings())
    return create_bot()


@pytest.fixture
def server(simcord_env):
    """A server with #papers, an admin (Manage Server through a role) and a plain member."""
    guild = simcord_env.create_guild()
    channel = guild.create_text_channel("papers")
    managers = guild.create_role("Admin", permissions=discord.Permissions(manage_guild=True))
    admin = guild.add_member(simcord_env.create_user("admin"), roles=[managers])
    member = guild.add_member(simcord_env.create_user("member"))
    return SimpleNamespace(guild=guild, channel=channel, admin=admin, member=member)


@pytest.fixture
def korean_client(monkeypatch: pytest.MonkeyPatch) -> None:
    """SimCord sends every interaction as en-US; with this fixture they arrive from a Korean
    client (`locale` "ko")."""
    from simcord import interactions

    original = interactions.base_payload

    def korean(*args, **kwargs):
        record, payload = original(*args, **kwargs)
        payload["locale"] = "ko"
        return record, payload

    monkeypatch.setattr(interactions, "base_payload", korean)


@pytest.fixture
def chat_server():
    """A chat-completions server on 127.0.0.1 (tests/bot/llm_server.py), stopped afterwards."""
    from tests.bot.llm_server import ChatServer

    server = ChatServer().start()
    yield server
    server.stop()
