"""The subscription DM's delivery: exactly once across midnight and crashes, and every match
listed (several messages when one is not enough), with only what was listed marked delivered."""

from __future__ import annotations

import re
from pathlib import Path

import discord
import pytest

from tests.bot.test_subscriptions import CAMERA, DAY0, DAY1, HOUR, dms, write_day


def listed_ids(message: discord.Message) -> list[str]:
    """The arXiv ids a DM lists in its first embed (the listing; cards repeat some)."""
    return re.findall(r"arxiv\.org/abs/(\d{4}\.\d{4,5})", message.embeds[0].description or "")


def delivered(bot, user_id: int) -> set[str]:
    rows = bot.state.db.rows("SELECT arxiv_id FROM sub_delivered WHERE user_id = ?", user_id)
    return {r[0] for r in rows}


async def test_a_dm_sent_before_midnight_and_recorded_after_is_not_sent_again(
    simcord_env, simcord_bot, server, digests: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """23:50 KST: the DM goes out and the process dies before recording it; it is back at
    00:10. The DM is found in the history and recorded for its own day; the next day's DM does
    not repeat the paper and no record stays `sending`. Red on the old notifier: the same paper
    in a second DM dated the next day, the old record `sending` for ever."""
    from bot.state.subscriptions import SubscriptionState

    alice = server.member.user
    await server.member.slash(server.channel, "subscribe", topic="camera video generation")
    await simcord_env.advance_time(14 * HOUR + 48 * 60)  # 23:48 KST
    write_day(digests, "2024-05-31", [CAMERA])
    await simcord_bot.refresh_source()
    real = SubscriptionState.record_dm

    def killed(*args, **kwargs):  # sent; the process dies before the record is written
        simcord_bot.get_cog("Subscriptions").tick.cancel()
        monkeypatch.setattr(SubscriptionState, "record_dm", real)
        raise RuntimeError("killed")

    monkeypatch.setattr(SubscriptionState, "record_dm", killed)
    await simcord_env.advance_time(3 * 60)  # 23:51: sent, not recorded; no more ticks
    assert len(dms(alice)) == 1
    await simcord_env.advance_time(19 * 60)  # 00:10 KST: the next day
    from bot import create_bot

    await simcord_env.restart_bot(create_bot())
    await simcord_env.advance_time(30 * 60)
    [dm] = dms(alice)
    assert dm.embeds[0].title == f"Your subscriptions — {DAY0}"
    state = simcord_env.bot.state.subscriptions
    assert state.dm(alice.id, DAY0).status == "sent"
    assert state.dm(alice.id, DAY1) is None
    assert delivered(simcord_env.bot, alice.id) == {CAMERA}


def write_many(folder: Path, day: str, ids: list[str]) -> None:
    long = "Controllable Camera Trajectories for Long Video Generation with Diffusion Models"
    text = "".join(
        f"### [{long} {n}](https://arxiv.org/abs/{i})\n\nVote: {n}\n\nAuthors: A B\n\n- 요약.\n\n"
        for n, i in enumerate(ids)
    )
    (folder / f"{day}.md").write_text(f"## Daily Papers ({day})\n\n{text}", encoding="utf-8")


async def hundred_matches(simcord_env, simcord_bot, user, digests: Path) -> list[str]:
    """20 topics of `user`, 100 new papers each matched to one of them (5 per topic), recorded
    as the matcher would; the next tick sends the DM."""
    store = simcord_bot.state.subscriptions
    for n in range(20):
        text = f"topic {n:02d} on controllable video generation with camera trajectories"
        store.add(user.id, "topic", text, text, "en")
    await simcord_env.advance_time(2 * 60)  # the first look records the papers already there
    ids = [f"2406.{90000 + n}" for n in range(100)]
    write_many(digests, "2024-05-31", ids)
    await simcord_bot.refresh_source()
    subs = store.of(user.id)
    store.record_matches(ids, [(user.id, a, subs[n % 20].id) for n, a in enumerate(ids)])
    return ids


async def test_a_hundred_matches_over_twenty_topics_are_all_listed_once(
    simcord_env, simcord_bot, server, digests: Path
) -> None:
    """20 topics matching 100 papers: every match is listed exactly once across the day's DM
    messages, each within Discord's limits, each saying the exact count; what is marked
    delivered is exactly what was listed. Red on the old DM: 34 listed, the "… and N more"
    line cut off, all 100 marked delivered."""
    alice = server.member.user
    ids = await hundred_matches(simcord_env, simcord_bot, alice, digests)
    await simcord_env.advance_time(2 * 60)
    messages = sorted(dms(alice), key=lambda m: m.id)
    shown = [a for m in messages for a in listed_ids(m)]
    assert sorted(shown) == sorted(ids)  # each once
    assert len(messages) > 1
    for k, message in enumerate(messages, 1):
        assert message.embeds[0].title == f"Your subscriptions — {DAY0} ({k}/{len(messages)})"
        assert "100 new papers match your subscriptions" in message.embeds[0].description
        assert len(message.embeds[0].description) <= 4096
        assert sum(len(e) for e in message.embeds) <= 6000
    assert delivered(simcord_bot, alice.id) == set(shown)
    assert simcord_bot.state.subscriptions.pending(alice.id) == []


async def test_a_crash_between_the_dms_messages_sends_each_once(
    simcord_env, simcord_bot, server, digests: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The process dies after the DM's second message landed, before it was recorded. After a
    restart that message is found in the DM history and only the rest is sent: no message
    twice, every match listed once. Red when the DM skips the history look-up
    (`courier.resume` in Notifier._send): the second message is sent again."""
    from bot.state.subscriptions import SubscriptionState

    alice = server.member.user
    ids = await hundred_matches(simcord_env, simcord_bot, alice, digests)
    real = SubscriptionState.record_dm
    calls = []

    def record_dm(self, *args, **kwargs):
        calls.append(args)
        if len(calls) == 2:  # sent; the process dies before the record is written
            simcord_bot.get_cog("Subscriptions").tick.cancel()
            monkeypatch.setattr(SubscriptionState, "record_dm", real)
            raise RuntimeError("killed")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(SubscriptionState, "record_dm", record_dm)
    await simcord_env.advance_time(2 * 60)
    assert len(dms(alice)) == 2
    from bot import create_bot

    await simcord_env.restart_bot(create_bot())
    await simcord_env.advance_time(5 * 60)
    messages = sorted(dms(alice), key=lambda m: m.id)
    titles = [m.embeds[0].title for m in messages]
    assert len(titles) == len(set(titles)) > 2
    assert sorted(a for m in messages for a in listed_ids(m)) == sorted(ids)
    assert simcord_env.bot.state.subscriptions.dm(alice.id, DAY0).status == "sent"


def test_a_dm_left_sending_in_an_older_state_file_is_looked_up(tmp_path: Path) -> None:
    """A `sending` DM from before the per-message record (no `parts`, no `pending`) counts as
    one message that may have landed: it is settled (looked up) before the next day's DM."""
    import json
    import sqlite3

    from bot.state import State

    path = tmp_path / "bot.sqlite"
    old = sqlite3.connect(path)
    old.executescript(
        "CREATE TABLE sub_dms (user_id INTEGER NOT NULL, day TEXT NOT NULL, status TEXT NOT NULL,"
        " papers TEXT NOT NULL, message_id INTEGER, tries INTEGER NOT NULL DEFAULT 0,"
        " next_try TEXT, PRIMARY KEY (user_id, day));"
    )
    papers = json.dumps([[CAMERA, "topic:camera"]])
    old.execute("INSERT INTO sub_dms VALUES (5, ?, 'sending', ?, NULL, 0, NULL)", (DAY0, papers))
    old.execute("INSERT INTO sub_dms VALUES (6, ?, 'sent', ?, 9, 0, NULL)", (DAY0, papers))
    old.commit()
    old.close()
    state = State(path)
    subs = state.subscriptions
    [dm] = subs.open_dms(5, before=DAY1)
    assert dm.pending and dm.parts == [[CAMERA]] and dm.done == frozenset()
    assert subs.open_members(DAY1) == [5]
    subs.record_dm(5, DAY0, [("part:1", 77), (CAMERA, 77)])
    subs.close_dm(5, DAY0)
    assert subs.dm(5, DAY0).status == "sent" and subs.dm(5, DAY0).message_id == 77
    assert subs.open_members(DAY1) == []
    state.close()


async def test_closed_dms_are_neither_tried_nor_looked_up_again(
    simcord_env, server, digests: Path
) -> None:
    """The DM answers 403 (closed DMs): DMs to the member stop, and the unanswered send is
    not looked up in their DM history day after day either: one request in two days. Red when
    the refusal leaves the send's pending mark (a history read every minute)."""
    alice = server.member.user
    await server.member.slash(server.channel, "subscribe", topic="camera video generation")
    await simcord_env.advance_time(HOUR)
    path = f"/channels/{alice.dm_channel.id}/messages"
    simcord_env.inject_error(
        "POST", path, status=403, code=50007, message="Cannot send messages", times=None
    )
    write_day(digests, "2024-05-31", [CAMERA])
    await simcord_env.advance_time(2 * HOUR)
    write_day(digests, "2024-06-01", ["2406.90003"])
    await simcord_env.advance_time(2 * 24 * HOUR)
    assert [r.method for r in simcord_env.http_requests if r.path == path] == ["POST"]
    assert simcord_env.bot.state.subscriptions.refused(alice.id)
