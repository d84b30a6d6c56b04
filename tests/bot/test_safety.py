"""What a member sees when text is hostile or something fails: archive and user text never
render as links or markup, errors stay private, buttons apologise, commands defer first, and
searches are rate-limited per user."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.ui.errors import UserError
from store.settings import Settings

NITRO = "[Claim your Nitro](https://evil.example)"
HOSTILE = """## Daily Papers (2024-06-01)

### [A*: `cat.n.01` and [Claim your Nitro](https://evil.example)](https://arxiv.org/abs/2406.00001)

Vote: 30

Authors: **Bold** Author, [Mallory](https://evil.example/m), Bob_the_Builder

- What's New: 자세한 내용은 [여기](https://evil.example/phish)를 참고하세요 **굵게** ||스포||
- 두 링크 [a](https://x.example) 그리고 [b](<https://y.example>)

### [Plain neighbour about diffusion video](https://arxiv.org/abs/2406.00002)

Vote: 1

Authors: Ada

- 비디오 확산 모델에 대한 요약입니다.
"""
OURS = ("https://arxiv.org/abs/", "https://arxiv.org/pdf/", "https://huggingface.co/")
_MASKED = re.compile(r"(?<!\\)\[((?:\\.|[^\]\\])*)\]\(\s*<?([^\s)>]*)")


@pytest.fixture
def settings(settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """The root settings over a digest folder holding one hostile day."""
    digests = tmp_path / "digests"
    digests.mkdir()
    (digests / "2024-06-01.md").write_text(HOSTILE, encoding="utf-8")
    monkeypatch.setenv("PAPERBOT_DIGESTS", str(digests))
    return Settings()


def texts(message) -> list[str]:
    out = [message.content or ""]
    for embed in message.embeds:
        out += [embed.title or "", embed.description or ""]
        out += [f"{f.name}\n{f.value}" for f in embed.fields]
    return out


def foreign_links(message) -> list[str]:
    """Masked links Discord would render that do not go to arXiv or Hugging Face."""
    return [
        m[2] for text in texts(message) for m in _MASKED.finditer(text) if not m[2].startswith(OURS)
    ]


def reply(result):
    return result.followups[0] if result.followups else result.response


def private(result) -> list:
    return [m for m in [result.response, *result.followups] if m is not None and m.ephemeral]


def bot_messages(channel) -> list:
    return [m for m in channel.history() if m.author.bot]


async def test_hostile_archive_text_through_today_and_paper(simcord_env, server) -> None:
    result = await server.member.slash(server.channel, "today")
    head = result.response
    assert head.embeds[0].title == "Daily Papers 2024-06-01"
    assert foreign_links(head) == []
    assert "A\\*: \\`cat.n.01\\` and Claim your Nitro (https://evil.example)" in (
        head.embeds[0].description
    )
    await server.member.click(head, label="Next")
    card = result.response
    assert foreign_links(card) == []
    embed = card.embeds[0]
    assert embed.title == r"A\*: \`cat.n.01\` and Claim your Nitro (https://evil.example)"
    assert embed.url == "https://arxiv.org/abs/2406.00001"
    assert "여기 (https://evil.example/phish)를" in embed.description
    assert r"\*\*굵게\*\* \|\|스포\|\|" in embed.description
    links = {f.name: f.value for f in embed.fields}["Links"]
    assert "[arXiv](https://arxiv.org/abs/2406.00001)" in links
    assert "[PDF](https://arxiv.org/pdf/2406.00001)" in links

    paper = await server.member.slash(server.channel, "paper", arxiv_id="2406.00001")
    assert foreign_links(reply(paper)) == [] and reply(paper).embeds[0].title == embed.title


async def test_a_hostile_question_is_not_a_link_under_the_bots_name(simcord_env, server) -> None:
    result = await server.member.slash(server.channel, "ask", question=f"{NITRO} video")
    message = reply(result)
    assert not message.ephemeral  # the public answer everyone sees
    question = message.embeds[0].description.splitlines()[0]
    assert question == "Question: Claim your Nitro (https://evil.example) video"
    assert foreign_links(message) == []


async def test_similar_escapes_the_title_it_names(simcord_env, server) -> None:
    result = await server.member.slash(server.channel, "similar", arxiv_id="2406.00001")
    head = reply(result).embeds[0]
    assert head.title.startswith(r"Papers similar to A\*: \`cat.n.01\`")
    assert foreign_links(reply(result)) == []


@pytest.mark.parametrize(
    ("command", "options"),
    [
        ("today", {}),
        ("top", {}),
        ("paper", {"arxiv_id": "2406.00001"}),
        ("similar", {"arxiv_id": "2406.00001"}),
        ("ask", {"question": "video"}),
    ],
)
async def test_commands_that_touch_the_index_defer_first(
    simcord_env, server, command: str, options: dict
) -> None:
    await server.member.slash(server.channel, command, **options)
    callbacks = [r.json for r in simcord_env.http_requests if r.path.endswith("/callback")]
    assert callbacks[0]["type"] == 5  # "thinking…" before any store call


async def test_an_error_after_a_public_deferral_stays_private(
    simcord_env, server, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.ui import render

    def broken(*args, **kwargs):
        raise RuntimeError("render broke")

    monkeypatch.setattr(render, "digest_pages", broken)
    result = await server.member.slash(server.channel, "today")
    [told] = private(result)
    assert told.content == "Sorry, something went wrong on my side. It has been logged."
    assert bot_messages(server.channel) == []  # the public "thinking…" is gone, no apology there
    shown_publicly = [
        (r.json or {}).get("content") or ""
        for r in simcord_env.http_requests
        if r.method == "PATCH" and r.path.endswith("/messages/@original")
    ]
    assert shown_publicly == ["This command could not finish."]  # not even for a moment
    [error] = simcord_env.errors
    assert isinstance(error.original, RuntimeError)


async def test_a_failing_button_apologises_privately(
    simcord_env, server, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.ui.views import Pager

    result = await server.member.slash(server.channel, "today")
    before = result.response.embeds[0].title

    async def broken(self, interaction, index):
        raise RuntimeError("page broke")

    monkeypatch.setattr(Pager, "_show", broken)
    clicked = await server.member.click(result.response, label="Next")
    assert clicked.acknowledged and clicked.ephemeral
    assert clicked.response.content == (
        "Sorry, something went wrong on my side. It has been logged."
    )
    assert result.response.embeds[0].title == before  # the pages are untouched
    assert [type(e) for e in simcord_env.errors] == [RuntimeError]


async def test_a_backtick_in_a_date_keeps_the_message_whole(simcord_env, server) -> None:
    result = await server.member.slash(server.channel, "today", date="`x` **y**")
    assert result.ephemeral
    text = result.response.content
    assert text == "`ˋxˋ **y**` is not a date; use YYYY-MM-DD, e.g. 2024-05-30."
    assert text.count("`") == 2
    assert [type(e) for e in simcord_env.errors] == [UserError]


async def test_ask_and_similar_are_rate_limited_per_user(simcord_env, server) -> None:
    from discord import app_commands

    for _ in range(5):
        assert not (await server.member.slash(server.channel, "ask", question="video")).ephemeral
    sixth = await server.member.slash(server.channel, "ask", question="video")
    assert sixth.ephemeral
    assert re.fullmatch(r"You're going a bit fast: try again in \d+ s\.", sixth.response.content)
    other = await server.admin.slash(server.channel, "ask", question="video")  # own budget
    assert not other.ephemeral
    for _ in range(5):
        await server.member.slash(server.channel, "similar", arxiv_id="2406.00001")
    limited = await server.member.slash(server.channel, "similar", arxiv_id="2406.00001")
    assert limited.ephemeral and "going a bit fast" in limited.response.content
    errors = simcord_env.errors
    assert [type(e) for e in errors] == [app_commands.CommandOnCooldown] * 2


async def test_the_ask_limit_is_per_minute(simcord_env, server) -> None:
    """Five questions in any 60 s: the sixth waits, and a minute later the member may ask."""
    for _ in range(5):
        assert not (await server.member.slash(server.channel, "ask", question="video")).ephemeral
    assert (await server.member.slash(server.channel, "ask", question="video")).ephemeral
    await simcord_env.advance_time(61)
    assert not (await server.member.slash(server.channel, "ask", question="video")).ephemeral
    assert len(simcord_env.errors) == 1


async def test_private_replies_in_korean(
    simcord_env, server, korean_client, monkeypatch: pytest.MonkeyPatch
) -> None:
    for _ in range(5):
        await server.member.slash(server.channel, "ask", question="video")
    limited = await server.member.slash(server.channel, "ask", question="video")
    assert re.fullmatch(
        r"요청이 조금 빠릅니다\. \d+초 뒤에 다시 시도하세요\.", limited.response.content
    )

    from bot.ui.views import Pager

    result = await server.member.slash(server.channel, "today")

    async def broken(self, interaction, index):
        raise RuntimeError("page broke")

    monkeypatch.setattr(Pager, "_show", broken)
    clicked = await server.member.click(result.response, label="다음")
    assert clicked.response.content == "죄송합니다. 봇에서 오류가 발생했습니다. 기록해 두었습니다."
    assert len(simcord_env.errors) == 2


async def test_replies_never_ping(simcord_env, server) -> None:
    await server.member.slash(server.channel, "today", date="@everyone")
    await server.member.slash(server.channel, "ask", question="@everyone <@&1> video")
    result = await server.member.slash(server.channel, "today")
    await server.admin.click(result.response, label="Next")  # not theirs: refused
    checked = 0
    for request in simcord_env.http_requests:
        body = request.json or {}
        if request.path.endswith("/callback"):
            body = body.get("data") or {}
        if request.method in ("POST", "PATCH") and ("content" in body or "embeds" in body):
            assert body.get("allowed_mentions", {}).get("parse") == [], request.path
            checked += 1
    assert checked >= 4
    assert simcord_env.errors
