"""Topics and questions typed by members: zero-width and bidi control characters are removed
(a topic of only zero-width spaces was accepted and listed as nothing; a right-to-left override
was echoed back, turning the rest of the reply around), and what is empty after that is refused
with a short private message in the member's language, storing and searching nothing."""

from __future__ import annotations

import pytest

ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
INVISIBLE = ZERO_WIDTH + BIDI
EMPTY_EN = "There is nothing to search for once invisible characters are removed."
EMPTY_KO = "보이지 않는 문자를 빼면 검색할 내용이 없습니다."


def said(result):
    return result.followups[-1] if result.followups else result.response


def no_invisible(text: str) -> bool:
    return not any(ch in INVISIBLE for ch in text)


@pytest.fixture
def searches(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The questions and topics that reached the index."""
    from bot.papers import cog, findpapers, trend
    from bot.subscriptions import cog as subscriptions

    asked: list[str] = []

    def counted(module, name):
        real = getattr(module, name)

        def call(index, text, *args):
            asked.append(text)
            return real(index, text, *args)

        monkeypatch.setattr(module, name, call)

    counted(cog, "search")
    counted(findpapers, "search")
    counted(trend, "trend")
    counted(subscriptions, "_topic_vector")
    return asked


@pytest.mark.parametrize(
    ("command", "options"),
    [
        ("subscribe", {"topic": ZERO_WIDTH}),
        ("subscribe", {"topic": f" {BIDI} \u200b "}),
        ("ask", {"question": INVISIBLE}),
        ("trend", {"topic": "\u2066\u200b\u2069"}),
    ],
)
async def test_a_topic_or_question_of_invisible_characters_is_refused(
    simcord_env, server, searches, command: str, options: dict
) -> None:
    result = await server.member.slash(server.channel, command, **options)
    assert result.ephemeral and said(result).content == EMPTY_EN
    assert searches == []
    assert simcord_env.bot.state.subscriptions.of(server.member.id) == []
    assert simcord_env.errors  # the refusal, through the error handler (read: teardown passes)


async def test_the_refusal_is_in_korean_for_a_korean_client(
    simcord_env, server, searches, korean_client
) -> None:
    result = await server.member.slash(server.channel, "subscribe", topic=ZERO_WIDTH * 3)
    assert result.ephemeral and said(result).content == EMPTY_KO
    assert simcord_env.errors


async def test_invisible_characters_are_removed_not_echoed(simcord_env, server, searches) -> None:
    topic = f"\u202ecamera\u200b video\u202c generation{ZERO_WIDTH}"
    reply = await server.member.slash(server.channel, "subscribe", topic=topic)
    assert "**camera video generation**" in said(reply).content
    assert no_invisible(said(reply).content)
    [stored] = simcord_env.bot.state.subscriptions.of(server.member.id)
    assert stored.text == "camera video generation"
    await server.member.slash(server.channel, "ask", question="\u202eAmphion\u200f toolkit")
    await server.member.slash(server.channel, "trend", topic="\u2067video\u2069 generation")
    assert searches == ["camera video generation", "Amphion toolkit", "video generation"]
    unknown = await server.member.slash(server.channel, "paper", arxiv_id="\u202e9999.99999")
    assert "9999.99999" in said(unknown).content and no_invisible(said(unknown).content)
    assert simcord_env.errors


async def test_find_papers_on_a_message_of_invisible_characters(
    simcord_env, server, searches
) -> None:
    message = await server.member.send(server.channel, ZERO_WIDTH * 4 + BIDI)
    result = await server.admin.context_menu(server.channel, "Find papers", message)
    assert result.ephemeral
    assert said(result).content == "That message has no text to search with."
    asked = await server.member.send(server.channel, "\u202eAmphion\u200b audio toolkit")
    await server.admin.context_menu(server.channel, "Find papers", asked)
    assert searches == ["Amphion audio toolkit"]
