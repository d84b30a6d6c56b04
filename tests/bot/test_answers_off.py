"""Without PAPERBOT_LLM_BASE_URL nothing of written answers exists: /ask replies as before and
there is no /summarize or /followup."""

from __future__ import annotations


async def test_without_an_endpoint_the_bot_is_as_before(simcord_env, server) -> None:
    assert simcord_env.bot.get_cog("Answers") is None
    result = await server.member.slash(server.channel, "ask", question="video generation")
    message = result.followups[0] if result.followups else result.response
    assert [e.title for e in message.embeds] == ["Papers for your question"]
    shown = [c["label"] for row in message.components for c in row["components"]]
    assert shown == ["First", "Prev", "1/6", "Next", "Last"]
    commands = server.member.available_commands(server.channel)
    assert "ask" in commands and "summarize" not in commands and "followup" not in commands
