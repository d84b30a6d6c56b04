"""/today, /top, /ask, /paper, /similar as a member of a simulated server sees them."""

from __future__ import annotations

import discord
import pytest
import simcord
from discord import app_commands

from bot.ui.errors import UserError

LATEST = "2024-05-30"  # the newest of the shipped samples (12 papers)


@pytest.fixture
def world(simcord_env):
    guild = simcord_env.create_guild()
    channel = guild.create_text_channel("papers")
    alice = guild.add_member(simcord_env.create_user("alice"))
    return guild, channel, alice


def labels(message) -> list[str]:
    return [c["label"] for row in message.components for c in row["components"]]


def disabled(message) -> list[bool]:
    return [bool(c.get("disabled")) for row in message.components for c in row["components"]]


def reply(result):
    return result.followups[0] if result.followups else result.response


def private(result) -> list:
    """The messages of an interaction that only its user sees."""
    shown = [result.response, *result.followups]
    return [m for m in shown if m is not None and m.ephemeral]


def public(channel) -> list:
    """What everyone in the channel sees from the bot."""
    return [m for m in channel.history() if m.author.bot]


async def test_today_shows_the_latest_digest_and_pages_through_cards(simcord_env, world) -> None:
    _, channel, alice = world
    result = await alice.slash(channel, "today")
    message = result.response
    head = message.embeds[0]
    assert head.title == f"Daily Papers {LATEST}"
    assert "12 papers" in head.description
    assert head.description.count("https://arxiv.org/abs/") == 12
    assert labels(message) == ["First", "Prev", "1/13", "Next", "Last"]
    assert disabled(message) == [True, True, True, False, False]

    await alice.click(message, label="Next")
    card = result.response.embeds[0]
    assert card.url.startswith("https://arxiv.org/abs/")
    assert "2/13" in labels(result.response)
    await alice.click(result.response, label="Last")
    assert "13/13" in labels(result.response)
    assert disabled(result.response)[3:5] == [True, True]  # Next, Last; Save has its own row
    await alice.click(result.response, label="First")
    assert result.response.embeds[0].title == f"Daily Papers {LATEST}"


async def test_today_for_a_date_without_a_digest_shows_the_earlier_one(simcord_env, world) -> None:
    _, channel, alice = world
    result = await alice.slash(channel, "today", date="2024-04-01")
    head = result.response.embeds[0]
    assert head.title == "Daily Papers 2024-03-14"
    assert "No digest on 2024-04-01" in head.description


@pytest.mark.parametrize(
    ("date", "says"),
    [
        ("yesterday", "YYYY-MM-DD"),
        ("2024-13-01", "YYYY-MM-DD"),
        ("2020-01-01", "no digest on or before 2020-01-01"),
    ],
)
async def test_today_explains_a_bad_date(simcord_env, world, date: str, says: str) -> None:
    _, channel, alice = world
    result = await alice.slash(channel, "today", date=date)
    [told] = private(result)
    assert says in told.content
    assert not public(channel)  # nothing about it in the channel
    assert all(isinstance(e, UserError) for e in simcord_env.errors)


async def test_only_the_invoker_turns_pages(simcord_env, world) -> None:
    guild, channel, alice = world
    bob = guild.add_member(simcord_env.create_user("bob"))
    result = await alice.slash(channel, "today")
    refused = await bob.click(result.response, label="Next")
    assert refused.ephemeral and "Only the person" in refused.response.content
    assert "1/13" in labels(result.response)


async def test_pages_are_disabled_on_timeout(simcord_env, world) -> None:
    _, channel, alice = world
    result = await alice.slash(channel, "today")
    await simcord_env.advance_time(601)
    assert all(disabled(result.response))


async def test_top_of_the_week_and_of_all_time(simcord_env, world) -> None:
    _, channel, alice = world
    week = (await alice.slash(channel, "top")).response.embeds[0]
    assert "2024-05-24 – 2024-05-30" in week.description
    assert week.title == "Top 10 by votes"
    everything = await alice.slash(channel, "top", period="all", count=3)
    head = everything.response.embeds[0]
    assert head.title == "Top 3 by votes"
    assert (
        "2023-12-12 – 2024-05-30" in head.description
        and head.description.count("arxiv.org/abs/") == 3
    )
    assert labels(everything.response)[2] == "1/4"


async def test_top_count_is_bounded(simcord_env, world) -> None:
    _, channel, alice = world
    with pytest.raises(simcord.OptionError):
        await alice.slash(channel, "top", count=26)


async def test_ask_defers_and_shows_evidence(simcord_env, world) -> None:
    _, channel, alice = world
    result = await alice.slash(channel, "ask", question="video generation with diffusion")
    callbacks = [r.json for r in simcord_env.http_requests if r.path.endswith("/callback")]
    assert callbacks[0]["type"] == 5  # deferred at once: "Bot is thinking…"
    message = reply(result)
    head = message.embeds[0]
    assert head.title == "Papers for your question"
    assert "Question: video generation with diffusion" in head.description
    await alice.click(message, label="Next")
    card = reply(result).embeds[0]
    assert card.url.startswith("https://arxiv.org/abs/")
    assert card.description.startswith("__Matching summary lines__\n• ")


async def test_ask_outside_the_archive_finds_nothing(simcord_env, world) -> None:
    _, channel, alice = world
    result = await alice.slash(channel, "ask", question="protein folding", since="2030-01-01")
    assert "Nothing relevant found" in reply(result).embeds[0].description


async def test_ask_with_since_after_until_is_refused(simcord_env, world) -> None:
    _, channel, alice = world
    result = await alice.slash(channel, "ask", question="x", since="2024-05-01", until="2024-01-01")
    assert result.ephemeral and "is after" in result.response.content
    assert [type(e) for e in simcord_env.errors] == [UserError]


async def test_ask_does_not_ping(simcord_env, world) -> None:
    _, channel, alice = world
    await alice.slash(channel, "ask", question="@everyone <@&1> video")
    sent = [r for r in simcord_env.http_requests if r.json and "allowed_mentions" in r.json]
    assert sent and all(r.json["allowed_mentions"]["parse"] == [] for r in sent)


async def test_paper_autocomplete_and_card(simcord_env, world) -> None:
    _, channel, alice = world
    choices = await alice.autocomplete(channel, "paper", "arxiv_id", "map-neo")
    assert choices[0]["value"] == "2405.19327" and "MAP-Neo" in choices[0]["name"]
    assert len(await alice.autocomplete(channel, "paper", "arxiv_id", "")) == 25
    by_id = await alice.autocomplete(channel, "similar", "arxiv_id", "2405.193")
    assert by_id and all(c["value"].startswith("2405.193") for c in by_id)

    for typed in ("2405.19327", "https://arxiv.org/abs/2405.19327v2"):
        card = (await alice.slash(channel, "paper", arxiv_id=typed)).response.embeds[0]
        assert card.url == "https://arxiv.org/abs/2405.19327"
        assert {f.name for f in card.fields} >= {"Date", "Votes", "Authors", "Links"}


async def test_unknown_paper_is_explained(simcord_env, world) -> None:
    _, channel, alice = world
    result = await alice.slash(channel, "paper", arxiv_id="9999.99999")
    [told] = private(result)
    assert "9999.99999" in told.content and not public(channel)
    assert simcord_env.errors


async def test_similar_lists_other_papers(simcord_env, world) -> None:
    _, channel, alice = world
    result = await alice.slash(channel, "similar", arxiv_id="2405.19327")
    head = reply(result).embeds[0]
    assert head.title.startswith("Papers similar to MAP-Neo")
    assert "2405.19327)" not in head.description
    assert head.description.count("arxiv.org/abs/") == 5


async def test_korean_client_gets_korean_replies(simcord_env, world, korean_client) -> None:
    _, channel, alice = world
    result = await alice.slash(channel, "today")
    head = result.response.embeds[0]
    assert head.title == f"데일리 페이퍼 {LATEST}"
    assert "논문 12편" in head.description
    assert labels(result.response) == ["처음", "이전", "1/13", "다음", "끝"]
    await alice.click(result.response, label="다음")
    assert {f.name for f in result.response.embeds[0].fields} >= {"날짜", "추천", "저자", "링크"}
    bad = await alice.slash(channel, "today", date="어제")
    assert "YYYY-MM-DD 형식" in bad.response.content
    assert simcord_env.errors


async def test_commands_are_described_in_korean(simcord_env, simcord_bot) -> None:
    commands = {c.name: c for c in await simcord_bot.tree.fetch_commands()}
    assert set(commands) == {
        "today",
        "top",
        "ask",
        "paper",
        "similar",
        "digest",
        "reindex",
        "subscribe",
        "subscriptions",
        "trend",
        "saved",
        "saved-export",
        "help",
        "stats",
        "Find papers",  # a message context menu: a name, no description
    }
    for command in commands.values():
        if command.type is discord.AppCommandType.message:
            continue
        assert command.description
        payload = command.to_dict()
        assert payload["description_localizations"].get("ko"), command.name
        for option in payload.get("options", []):
            assert option["description"] and option["description_localizations"].get("ko")
    assert isinstance(simcord_bot.tree.translator, app_commands.Translator)


async def test_today_on_a_huge_day_builds_only_the_pages_shown(
    simcord_env, world, monkeypatch: pytest.MonkeyPatch
) -> None:
    """50,000 entries on one day built 50,001 embeds on the event loop before the first reply.
    Counted, not timed: the overview formats the lines that fit, a card is built when shown."""
    from bot.papers import cog
    from bot.ui import render
    from store.models import Paper

    _, channel, alice = world
    many = [
        Paper(
            f"2405.{i:05d}",
            f"Paper {i}",
            f"https://arxiv.org/abs/2405.{i:05d}",
            LATEST,
            5000 - i,
            ("A",),
            ("요약.",),
            None,
            f"{LATEST}.md:{i}",
        )
        for i in range(5000)
    ]
    monkeypatch.setattr(cog, "_digest", lambda index, asked: (LATEST, many))
    cards: list[str] = []
    titles: list[str] = []
    real_card, real_link_title = render.card, render.link_title

    def counted_card(paper, lang, *args, **kwargs):
        cards.append(paper.arxiv_id)
        return real_card(paper, lang, *args, **kwargs)

    def counted_link_title(title, *args, **kwargs):
        titles.append(title)
        return real_link_title(title, *args, **kwargs)

    monkeypatch.setattr(render, "card", counted_card)
    monkeypatch.setattr(render, "link_title", counted_link_title)
    result = await alice.slash(channel, "today")
    head = result.response.embeds[0]
    shown = head.description.count("https://arxiv.org/abs/")
    assert "5000 papers" in head.description and f"and {5000 - shown} more" in head.description
    assert "1/5001" in labels(result.response)
    assert cards == [] and len(titles) <= 200, (len(cards), len(titles))
    await alice.click(result.response, label="Next")
    assert result.response.embeds[0].url == "https://arxiv.org/abs/2405.00000"
    await alice.click(result.response, label="Last")
    assert result.response.embeds[0].url == "https://arxiv.org/abs/2405.04999"
    assert "5001/5001" in labels(result.response)
    assert cards == ["2405.00000", "2405.04999"]
