"""The bot object: default intents, and command sync only when the command tree changed."""

from __future__ import annotations

import discord
import pytest


def command_puts(env) -> list[str]:
    return [r.path for r in env.http_requests if r.method == "PUT" and r.path.endswith("/commands")]


async def test_default_intents_without_message_content(simcord_env, simcord_bot) -> None:
    assert simcord_bot.intents == discord.Intents.default()
    assert not simcord_bot.intents.message_content


async def test_commands_sync_once_then_only_when_changed(simcord_env, simcord_bot) -> None:
    from bot import create_bot

    assert len(command_puts(simcord_env)) == 1
    await simcord_env.restart_bot(create_bot())
    assert len(command_puts(simcord_env)) == 1  # same tree: no sync on restart

    changed = create_bot()

    @changed.tree.command(name="ping", description="A new command")
    async def ping(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("pong")

    await simcord_env.restart_bot(changed)
    assert len(command_puts(simcord_env)) == 2


@pytest.fixture
def dev_guild_id(monkeypatch: pytest.MonkeyPatch, indexed) -> int:
    monkeypatch.setenv("PAPERBOT_DEV_GUILD_ID", "424242424242424242")
    return 424242424242424242


@pytest.fixture
def simcord_bot(indexed, request):
    from bot import create_bot

    if "dev_guild_id" in request.fixturenames:
        request.getfixturevalue("dev_guild_id")
    return create_bot()


async def test_commands_sync_to_the_dev_guild(simcord_env, dev_guild_id: int) -> None:
    assert command_puts(simcord_env) == [
        f"/applications/{simcord_env.bot.application_id}/guilds/{dev_guild_id}/commands"
    ]
    guild = simcord_env.create_guild(id=dev_guild_id)
    channel = guild.create_text_channel("dev")
    alice = guild.add_member(simcord_env.create_user("alice"))
    result = await alice.slash(channel, "today")
    assert "2024-05-30" in result.response.embeds[0].title
