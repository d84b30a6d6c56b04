"""A thread per paper: Discuss under a card opens a public thread named after the paper (from
the card message when it is that paper's card alone), the same thread for every later or
simultaneous press, a new one when it was deleted; inside it /ask and a mention of the bot
answer from that paper first, then related papers, with a link back to the card."""

from __future__ import annotations

import asyncio

import discord
import pytest

from bot.discuss.cog import THREAD_NAME, thread_name
from store.models import Paper
from tests.bot.helpers import FIRST_POST, deny_bot

MAP_NEO = "2405.19327"
ABS = "https://arxiv.org/abs/"


def said(result):
    return result.followups[0] if result.followups else result.response


def jump_url(server, message) -> str:
    return f"https://discord.com/channels/{server.guild.id}/{server.channel.id}/{message.id}"


def thread_id_in(text: str) -> int:
    return int(text.rsplit("<#", 1)[1].split(">", 1)[0])


async def paper_card(member, channel, arxiv_id: str = MAP_NEO):
    return said(await member.slash(channel, "paper", arxiv_id=arxiv_id))


async def test_discuss_opens_one_thread_from_the_card_and_reuses_it(simcord_env, server) -> None:
    card = await paper_card(server.member, server.channel)
    opened = await server.member.click(card, label="Discuss")
    assert opened.ephemeral
    text = said(opened).content
    assert text.startswith("Opened a thread for **MAP-Neo: Highly Capable")
    [thread] = server.channel.threads
    assert thread_id_in(text) == thread.id == card.id  # started from the card message
    assert (
        thread.name
        == "MAP-Neo: Highly Capable and Transparent Bilingual Large Language Model Series"
    )
    [intro] = thread.history()
    assert jump_url(server, card) in intro.content and "/ask" in intro.content
    assert intro.embeds[0].url == ABS + MAP_NEO
    labels = [c.label for row in intro.components for c in row.children]
    assert labels == ["Save", "Cite"]  # no Discuss inside the thread itself

    again = await server.admin.click(card, label="Discuss")  # someone else, later
    assert said(again).content.startswith("**MAP-Neo: Highly Capable")
    assert "already has a thread here" in said(again).content
    assert thread_id_in(said(again).content) == thread.id
    assert len(server.channel.threads) == 1 and len(thread.history()) == 1  # nothing twice


async def test_simultaneous_presses_get_one_thread(
    simcord_env, simcord_bot, server, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Three presses at once (SimCord runs one member action at a time, so the cog's handler is
    called three times together); creating a thread takes a network round trip, during which
    the other presses run."""
    create = discord.TextChannel.create_thread

    async def over_the_network(self, **kwargs):
        await asyncio.sleep(0.01)
        return await create(self, **kwargs)

    monkeypatch.setattr(discord.TextChannel, "create_thread", over_the_network)
    cog = simcord_bot.get_cog("Discuss")
    channel = simcord_bot.get_channel(server.channel.id)
    paper = simcord_bot.index.get(MAP_NEO)
    both = await asyncio.gather(
        *(cog.thread_for(channel, paper, None, channel.jump_url, "en") for _ in range(3))
    )
    assert [new for _, new in both] == [True, False, False]
    assert len({thread.id for thread, _ in both}) == 1
    [thread] = server.channel.threads
    assert len(thread.history()) == 1


async def test_a_deleted_thread_is_replaced(simcord_env, server) -> None:
    card = await paper_card(server.member, server.channel)
    await server.member.click(card, label="Discuss")
    [first] = server.channel.threads
    simcord_env.backend.delete_channel(first.id)  # a moderator deletes it
    assert server.channel.threads == []
    opened = await server.admin.click(card, label="Discuss")
    assert said(opened).content.startswith("Opened a thread for")
    [second] = server.channel.threads
    assert thread_id_in(said(opened).content) == second.id  # from the card again (its id)
    [intro] = second.history()
    assert intro.embeds[0].url == ABS + MAP_NEO


async def test_ask_in_the_thread_answers_from_the_paper_first(simcord_env, server) -> None:
    card = await paper_card(server.member, server.channel)
    await server.member.click(card, label="Discuss")
    [thread] = server.channel.threads
    result = await server.admin.slash(thread, "ask", question="몇 개의 고품질 토큰으로 훈련했나?")
    first, related = said(result).embeds
    assert first.url == ABS + MAP_NEO  # the thread's paper first, with the bullets that answer
    heading, *bullets = first.description.split("\n")
    assert heading == "__Matching summary lines__" and 1 <= len(bullets) <= 3
    assert any("4.5T 고품질 토큰" in b for b in bullets)  # its best BM25 passage
    assert related.title == "Related papers" and jump_url(server, card) in related.description
    assert ABS + MAP_NEO not in related.description  # then other papers, as /similar finds them
    assert related.description.count(ABS) == 5
    await server.admin.click(said(result), label="Next")
    assert said(result).embeds[0].url != ABS + MAP_NEO

    outside = await server.admin.slash(server.channel, "ask", question="bilingual language model")
    assert said(outside).embeds[0].title != "Related papers"  # elsewhere, /ask as before


async def test_a_mention_in_the_thread_is_answered_like_ask(
    simcord_env, simcord_bot, server, monkeypatch: pytest.MonkeyPatch
) -> None:
    tried = []  # a mention is no prefix command (discord.py would log "command not found")

    async def process_commands(message) -> None:
        tried.append(message)

    monkeypatch.setattr(simcord_bot, "process_commands", process_commands)
    card = await paper_card(server.member, server.channel)
    await server.member.click(card, label="Discuss")
    [thread] = server.channel.threads
    me = simcord_env.bot.user.mention
    await server.admin.send(thread, f"{me} which data was it trained on?")
    answer = thread.history()[-1]
    assert answer.author.bot and answer.embeds[0].url == ABS + MAP_NEO
    assert answer.embeds[1].title == "Related papers"
    await server.admin.send(thread, me)  # a mention without a question
    assert "Mention me with a question" in thread.history()[-1].content
    for n in range(3):  # 5 mentions a minute per member are answered (as /ask's cooldown)
        await server.admin.send(thread, f"{me} question {n}")
    answered = [m for m in thread.history() if m.author.bot]
    assert len(answered) == 1 + 5 and thread.history()[-1].author.bot  # the intro, 5 replies
    await server.admin.send(thread, f"{me} one too many")
    assert not thread.history()[-1].author.bot  # quietly not answered
    before = len(thread.history())
    await server.admin.send(thread, "no mention: not for the bot")
    await server.admin.send(server.channel, f"{me} outside a paper's thread")
    assert len(thread.history()) == before + 1
    assert not server.channel.history()[-1].author.bot  # no answer outside a paper's thread
    assert tried == []


async def test_discuss_in_korean(simcord_env, server, korean_client) -> None:
    card = await paper_card(server.member, server.channel)
    opened = await server.member.click(card, label="토론")
    assert "토론 스레드를 열었습니다" in said(opened).content
    [thread] = server.channel.threads
    assert "/ask" in thread.history()[0].content and "카드" in thread.history()[0].content
    result = await server.member.slash(thread, "ask", question="학습 데이터는?")
    assert said(result).embeds[1].title == "관련 논문"
    assert "카드로 돌아가기" in said(result).embeds[1].description


async def test_without_thread_permissions_the_reply_names_them(simcord_env, server) -> None:
    card = await paper_card(server.member, server.channel)
    deny_bot(simcord_env, server.channel, create_public_threads=True)
    refused = await server.member.click(card, label="Discuss")
    assert refused.ephemeral
    assert said(refused).content == (
        "I can't open a thread here: I am missing Create Public Threads in this channel."
    )
    assert server.channel.threads == []


async def test_discuss_from_a_daily_post_and_after_a_restart(simcord_env, server) -> None:
    """A daily-post message holds several cards and sits in the date's thread: the paper's
    thread is a thread of the channel; after a restart the menu, the thread's own Cite and
    the /paper card's Discuss all still work, and find the same thread."""
    await server.admin.slash(server.channel, "digest set", channel=server.channel)
    await simcord_env.advance_time(FIRST_POST)
    [day] = server.channel.threads
    message = day.history()[0]
    first, second = (e.url.rsplit("/", 1)[1] for e in message.embeds[:2])
    opened = await server.member.select(message, [second], custom_id="cards:discuss")
    assert opened.ephemeral and said(opened).content.startswith("Opened a thread for")
    threads = {t.id: t for t in server.channel.threads}
    assert len(threads) == 2
    paper_thread = threads[thread_id_in(said(opened).content)]
    [intro] = paper_thread.history()
    assert intro.embeds[0].url == ABS + second and message.jump_url in intro.content

    from bot import create_bot

    await simcord_env.restart_bot(create_bot())  # the controls outlive the bot process
    cited = await server.member.click(intro, label="Cite")
    assert cited.ephemeral and f"eprint={{{second}}}" in said(cited).content
    again = await server.admin.select(message, [second], custom_id="cards:discuss")
    assert thread_id_in(said(again).content) == paper_thread.id
    card = await paper_card(server.member, server.channel, second)
    again = await server.member.click(card, label="Discuss")
    assert thread_id_in(said(again).content) == paper_thread.id
    other = await server.member.select(message, [first], custom_id="cards:discuss")
    assert said(other).content.startswith("Opened a thread for")
    assert len(server.channel.threads) == 3 and len(paper_thread.history()) == 1


async def test_a_paging_reply_starts_no_thread(simcord_env, server) -> None:
    """/today's pages change card under the same message: the thread is the channel's."""
    today = await server.member.slash(server.channel, "today")
    await server.member.click(said(today), label="Next")
    shown = said(today).embeds[0]
    opened = await server.member.click(said(today), label="Discuss")
    [thread] = server.channel.threads
    assert thread_id_in(said(opened).content) == thread.id != said(today).id
    assert thread.history()[0].embeds[0].url == shown.url


def test_thread_names_fit_discords_limit() -> None:
    long = Paper("2405.00001", "Very " * 40 + "long\ntitle", "u", "2024-05-30", 1, (), (), None, "")
    name = thread_name(long)
    assert len(name) == THREAD_NAME and name.endswith("…") and "\n" not in name
