"""The error handler answers however the interaction stands, and only the user sees it: a
private deferral becomes the message, a public one is neutralised and removed, a sent reply
gets a private followup."""

from __future__ import annotations

import discord
import pytest

APOLOGY = "Sorry, something went wrong on my side. It has been logged."


@pytest.fixture
def simcord_bot(indexed):
    from bot import create_bot

    bot = create_bot()

    @bot.tree.command(name="boom-private", description="Defers privately, then fails")
    async def boom_private(interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        raise RuntimeError("private boom")

    @bot.tree.command(name="boom-after-reply", description="Answers publicly, then fails")
    async def boom_after_reply(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("public part")
        raise RuntimeError("late boom")

    @bot.tree.command(name="boom-reindex", description="Fails like a rebuild would")
    async def boom_public(interaction: discord.Interaction) -> None:
        await interaction.response.defer(thinking=True)
        await interaction.edit_original_response(content="Rebuilding the index…")
        raise RuntimeError("rebuild boom")

    return bot


def bot_messages(channel) -> list:
    return [m for m in channel.history() if m.author.bot]


async def test_a_private_deferral_becomes_the_apology(simcord_env, server) -> None:
    result = await server.member.slash(server.channel, "boom-private")
    assert result.ephemeral and result.response.content == APOLOGY
    assert result.followups == [] and bot_messages(server.channel) == []
    assert [type(e.original) for e in simcord_env.errors] == [RuntimeError]


async def test_after_a_public_reply_the_apology_is_a_private_followup(simcord_env, server) -> None:
    result = await server.member.slash(server.channel, "boom-after-reply")
    assert result.response.content == "public part" and not result.response.ephemeral
    [followup] = result.followups
    assert followup.ephemeral and followup.content == APOLOGY
    assert [m.content for m in bot_messages(server.channel)] == ["public part"]
    assert [type(e.original) for e in simcord_env.errors] == [RuntimeError]


async def test_a_public_progress_message_is_removed_and_the_apology_is_private(
    simcord_env, server
) -> None:
    result = await server.member.slash(server.channel, "boom-reindex")
    assert [m.content for m in result.followups if m.ephemeral] == [APOLOGY]
    assert bot_messages(server.channel) == []
    assert [type(e.original) for e in simcord_env.errors] == [RuntimeError]
