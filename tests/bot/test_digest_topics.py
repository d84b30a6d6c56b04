"""Topic channels: several digest channels per server, each with its own optional topic; a
topic channel gets only the papers matching it (the /ask relevance rule, as the subscriptions),
says how many it skipped, and on a day without a match posts nothing or one line. Exactly once
and the failure policy hold per channel."""

from __future__ import annotations

import asyncio
from pathlib import Path

import discord
import pytest

from tests.bot.helpers import FIRST_POST, HOUR, POST_AT, cards_in, heads, overviews

DAY = "2024-05-31"
TOPIC = "video generation"


def write_day(folder: Path, day: str, papers: list[tuple[str, str]]) -> None:
    """A digest whose papers have these (arXiv id, summary) pairs, votes descending."""
    entries = "".join(
        f"### [Paper {i}](https://arxiv.org/abs/{i})\n\nVote: {100 - n}\n\nAuthors: A B\n\n"
        f"- {summary}\n\n"
        for n, (i, summary) in enumerate(papers)
    )
    (folder / f"{day}.md").write_text(f"## Daily Papers ({day})\n\n{entries}", encoding="utf-8")


def mixed_day(folder: Path, matching: int, others: int, day: str = DAY) -> list[str]:
    """`matching` papers about video generation and `others` about something else; the ids of
    the matching ones."""
    stem = day[5:7] + day[8:10]  # ids differ per day: a paper listed twice moves to its last day
    on = [
        (f"{stem}.9{n:04d}", f"Fast video generation with diffusion, part {n}.")
        for n in range(matching)
    ]
    off = [(f"{stem}.8{n:04d}", f"Theorem proving for algebra, part {n}.") for n in range(others)]
    write_day(
        folder, day, [p for pair in zip(on, off) for p in pair] + on[others:] + off[matching:]
    )
    return [i for i, _ in on]


def urls(ids: list[str]) -> list[str]:
    return [f"https://arxiv.org/abs/{i}" for i in ids]


@pytest.fixture
def vision(server):
    return server.guild.create_text_channel("vision")


async def test_two_channels_each_get_their_own_post(simcord_env, server, vision, digests) -> None:
    wanted = mixed_day(digests, matching=2, others=3)
    everything = await server.admin.slash(server.channel, "digest set", channel=server.channel)
    assert everything.response.content.startswith(f"Daily digest: <#{server.channel.id}> at 07:00")
    topical = await server.admin.slash(
        server.channel, "digest set", channel=vision, topic=TOPIC, time="07:30"
    )  # later than the other channel: its records must not count for this one
    assert topical.ephemeral and topical.response.content.startswith(
        f"Daily digest: <#{vision.id}> at 07:30 (Asia/Seoul), in English, only papers matching "
        "«video generation» (nothing on a day without a match). The next post is at"
    )
    await simcord_env.advance_time(FIRST_POST)
    assert overviews(server.channel) == overviews(vision) == [f"Daily Papers {DAY}"]
    assert "**5 papers, by votes**" in heads(server.channel)[0].embeds[0].description
    [all_thread], [topic_thread] = server.channel.threads, vision.threads
    assert len(cards_in(all_thread)) == 5
    head = heads(vision)[0].embeds[0]
    assert head.description.startswith(
        "**2 of the day's 5 papers match «video generation»; 3 skipped**"
    )
    assert all(u in head.description for u in urls(wanted))
    assert cards_in(topic_thread) == urls(wanted)  # by votes, only the matches
    await simcord_env.advance_time(2 * 24 * HOUR)  # nothing twice, in either channel
    assert len(heads(server.channel)) == len(heads(vision)) == 1
    assert len(cards_in(topic_thread)) == 2 and len(cards_in(all_thread)) == 5
    status = (await server.admin.slash(server.channel, "digest status")).response.content
    assert f"Channel: <#{vision.id}>" in status
    assert "Topic: «video generation» (nothing on a day without a match)" in status


async def test_a_korean_topic_channel(simcord_env, server, vision, digests, korean_client) -> None:
    mixed_day(digests, matching=1, others=2)
    reply = await server.admin.slash(
        server.channel, "digest set", channel=vision, topic=TOPIC, language="ko", empty="line"
    )
    assert reply.response.content.startswith(
        f"데일리 다이제스트: <#{vision.id}>, 07:00 (Asia/Seoul), 한국어, «video generation» 주제에 "
        "맞는 논문만 (맞는 논문이 없는 날은 한 줄만 게시). 다음 게시:"
    )
    await simcord_env.advance_time(FIRST_POST)
    head = heads(vision)[0].embeds[0]
    assert head.title == f"데일리 페이퍼 {DAY}"
    assert head.description.startswith(
        "**이날 논문 3편 중 1편이 «video generation» 주제에 맞습니다. 2편은 건너뛰었습니다**"
    )
    status = (await server.admin.slash(server.channel, "digest status")).response.content
    assert "주제: «video generation» (맞는 논문이 없는 날은 한 줄만 게시)" in status


@pytest.mark.parametrize("empty", [None, "quiet", "line"])
async def test_a_day_without_a_match(simcord_env, server, vision, digests, empty) -> None:
    """Quiet (the default): nothing in the channel, /digest status says why. Line: one line,
    once, also when its first send fails."""
    mixed_day(digests, matching=0, others=4)
    options = {"empty": empty} if empty else {}
    await server.admin.slash(server.channel, "digest set", channel=vision, topic=TOPIC, **options)
    if empty == "line":
        simcord_env.inject_error("POST", f"/channels/{vision.id}/messages", status=500, times=1)
    await simcord_env.advance_time(FIRST_POST)
    await simcord_env.advance_time(2 * 24 * HOUR)
    said = [m.content for m in vision.history() if m.author.bot]
    status = (await server.admin.slash(server.channel, "digest status")).response.content
    if empty == "line":
        assert said == [f"Daily Papers {DAY}: none of the day's 4 papers match «video generation»."]
        assert f"Last post: {DAY}" in status
    else:
        assert said == [] and vision.threads == []
        assert f"Note: No paper of {DAY} matched the topic; nothing was posted." in status
        now = await server.admin.slash(server.channel, "digest now")
        assert now.response.content == (
            f"No paper of {DAY} matches «video generation»; nothing was posted in <#{vision.id}>."
        )
        # the quiet day is recorded: two days landing together later are both posted
        mixed_day(digests, matching=1, others=1, day="2024-06-01")
        mixed_day(digests, matching=1, others=1, day="2024-06-02")
        await simcord_env.advance_time(24 * HOUR)
        assert overviews(vision) == ["Daily Papers 2024-06-01", "Daily Papers 2024-06-02"]


# SimCord runs the virtual timers due within its settle window at once: shorter than one 50 s
# card send, so the restart finds both posts still sending (as tests/bot/test_digest_delivery.py)
@pytest.mark.simcord(settle_timeout=30)
async def test_restart_and_errors_mid_post_send_nothing_twice_per_channel(
    simcord_env, server, vision, digests, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both channels are between card messages when the bot restarts, after failed sends:
    each thread ends with its cards once (27 in one, the 15 matches in the other)."""
    wanted = mixed_day(digests, matching=15, others=12)
    real = discord.abc.Messageable.send

    async def slow(self, *args, **kwargs):
        if isinstance(self, discord.Thread):
            await asyncio.sleep(50)
        return await real(self, *args, **kwargs)

    monkeypatch.setattr(discord.abc.Messageable, "send", slow)
    await server.admin.slash(server.channel, "digest set", channel=server.channel)
    await server.admin.slash(server.channel, "digest set", channel=vision, topic=TOPIC)
    simcord_env.inject_error("POST", "/channels/*/messages", status=502, times=2)
    # 07:00 both overviews fail, 07:01 they land, and each thread's first card message too
    await simcord_env.advance_time(POST_AT + 60 + 55)
    [all_thread], [topic_thread] = server.channel.threads, vision.threads
    assert 0 < len(cards_in(all_thread)) < 27 and 0 < len(cards_in(topic_thread)) < 15

    from bot import create_bot

    await simcord_env.restart_bot(create_bot())
    await simcord_env.advance_time(20 * 60)
    assert overviews(server.channel) == overviews(vision) == [f"Daily Papers {DAY}"]
    assert len(cards_in(all_thread)) == len(set(cards_in(all_thread))) == 27
    assert sorted(cards_in(topic_thread)) == sorted(urls(wanted))
    assert len(cards_in(topic_thread)) == 15


async def test_a_deleted_topic_channel_stops_only_its_feed(
    simcord_env, server, vision, digests
) -> None:
    mixed_day(digests, matching=2, others=2)
    await server.admin.slash(server.channel, "digest set", channel=server.channel)
    await server.admin.slash(server.channel, "digest set", channel=vision, topic=TOPIC)
    simcord_env.backend.delete_channel(vision.id)
    await simcord_env.settle()
    await simcord_env.advance_time(FIRST_POST)
    assert overviews(server.channel) == [f"Daily Papers {DAY}"]
    [dm] = server.admin.user.dm_channel.history()
    assert f"I can't post in <#{vision.id}>: the channel was deleted" in dm.content
    mixed_day(digests, matching=1, others=1, day="2024-06-01")
    await simcord_env.advance_time(24 * HOUR)
    assert overviews(server.channel) == [f"Daily Papers {DAY}", "Daily Papers 2024-06-01"]
    assert len(server.admin.user.dm_channel.history()) == 1  # told once
    status = (await server.admin.slash(server.channel, "digest status")).response.content
    on, stopped = status.split("\n\n")
    assert on.startswith(f"Daily digest: **on**\nChannel: <#{server.channel.id}>")
    assert stopped.startswith("Daily digest: **stopped**, the channel was deleted.")


async def test_a_crash_after_the_no_match_line_landed_does_not_send_it_again(
    simcord_env, server, vision, digests, monkeypatch: pytest.MonkeyPatch, caplog
) -> None:
    """The line went out but the bot died before recording it: after a restart it is found in
    the channel, not sent again."""
    from bot import create_bot
    from bot.state.digest import DigestState

    mixed_day(digests, matching=0, others=3)
    real = DigestState.set_message
    crashes = iter([RuntimeError("killed before the write")])

    def set_message_once(self, feed_id, day, message_id):
        if (crash := next(crashes, None)) is not None:
            raise crash
        return real(self, feed_id, day, message_id)

    monkeypatch.setattr(DigestState, "set_message", set_message_once)
    await server.admin.slash(
        server.channel, "digest set", channel=vision, topic=TOPIC, empty="line"
    )
    await simcord_env.advance_time(POST_AT + 30)
    assert "killed before the write" in caplog.text
    assert len([m for m in vision.history() if m.author.bot]) == 1
    await simcord_env.restart_bot(create_bot())
    await simcord_env.advance_time(2 * 24 * HOUR)
    [line] = [m for m in vision.history() if m.author.bot]
    assert line.content.startswith(f"Daily Papers {DAY}: none of the day's 3 papers match")
