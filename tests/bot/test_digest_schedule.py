"""Catch-up and scheduling of the daily post (a late digest, missed days after downtime), the
global ingest behind /digest now, /digest status in English and Korean, time zone choices."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import discord
import pytest

from bot.delivery import policy
from bot.digest import schedule
from tests.bot.helpers import (
    FIRST_POST,
    HOUR,
    LATEST,
    POST_AT,
    cards_in,
    heads,
    overviews,
    write_digest,
)


async def test_a_late_digest_is_posted_the_same_day(simcord_env, server, digests: Path) -> None:
    """The next day's file is 40 min late: the run at 07:00 finds nothing new and looks again
    every hour, so the 08:00 look posts it. Red when a run that found nothing waits for the next
    post time (`schedule.after_success` always returning the slot), or when the look comes
    later than an hour after (RECHECK 2 h or 3 h: not posted by 08:05)."""
    await server.admin.slash(server.channel, "digest set", channel=server.channel)
    await simcord_env.advance_time(FIRST_POST)  # 08:00 KST on day 1: LATEST posted
    await simcord_env.advance_time(24 * HOUR - 50 * 60)  # 07:10 KST on day 2: nothing new yet
    assert overviews(server.channel) == [f"Daily Papers {LATEST}"]
    status = (await server.admin.slash(server.channel, "digest status")).response.content
    assert "Next look for a late digest:" in status
    await simcord_env.advance_time(30 * 60)  # 07:40 KST: the file lands
    write_digest(digests, "2024-05-31", ["2405.90001"])
    await simcord_env.advance_time(25 * 60)  # 08:05 KST: the 08:00 look found it
    assert overviews(server.channel) == [f"Daily Papers {LATEST}", "Daily Papers 2024-05-31"]
    await simcord_env.advance_time(2 * 24 * HOUR)
    assert len(heads(server.channel)) == 2


async def test_missed_days_after_downtime_are_posted_in_order_up_to_the_cap(
    simcord_env, simcord_bot, server, digests: Path
) -> None:
    """Five dates land while the bot is down: the newest three are posted oldest first, the
    post and /digest status say two were skipped. Red without the cap (all five posted)."""
    await server.admin.slash(server.channel, "digest set", channel=server.channel)
    await simcord_env.advance_time(FIRST_POST)
    simcord_bot.get_cog("Digest").daily.cancel()  # the bot is down from here
    new_days = ["2024-05-31", "2024-06-01", "2024-06-02", "2024-06-03", "2024-06-04"]
    for number, day in enumerate(new_days):
        write_digest(digests, day, [f"2406.9000{number}"])
    await simcord_env.advance_time(5 * 24 * HOUR)
    assert len(heads(server.channel)) == 1

    from bot import create_bot

    await simcord_env.restart_bot(create_bot())
    await simcord_env.advance_time(5 * 60)
    assert overviews(server.channel) == [f"Daily Papers {LATEST}"] + [
        f"Daily Papers {day}" for day in new_days[2:]
    ]
    first = heads(server.channel)[1]
    assert first.content == (
        "Catching up: 3 digests not posted yet, oldest first. 2 older one(s) were "
        "skipped; /today date:YYYY-MM-DD shows any date."
    )
    assert [m.content for m in heads(server.channel)[2:]] == ["", ""]
    for thread in server.channel.threads[1:]:
        assert len(cards_in(thread)) == 1
    status = (await server.admin.slash(server.channel, "digest status")).response.content
    assert (
        "Note: After a pause, 2 older digest(s) were skipped (2024-05-31 – 2024-06-01): "
        "at most 3 missed days are posted."
    ) in status
    await simcord_env.advance_time(2 * 24 * HOUR)  # the skipped days are never posted later
    assert len(heads(server.channel)) == 4


async def test_digest_now_serves_only_this_server_and_ingests_at_most_every_10_minutes(
    simcord_env, simcord_bot, server, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Red when `DigestRunner.refresh` does not look at the time of the last ingest."""
    calls: list[datetime] = []
    real = simcord_bot.refresh_source

    async def counted() -> None:
        calls.append(simcord_env.now())
        await real()

    monkeypatch.setattr(simcord_bot, "refresh_source", counted)
    other = simcord_env.create_guild("Other")
    other_channel = other.create_text_channel("news")
    role = other.create_role("Admin", permissions=discord.Permissions(manage_guild=True))
    boss = other.add_member(simcord_env.create_user("boss"), roles=[role])
    await server.admin.slash(server.channel, "digest set", channel=server.channel)
    await boss.slash(other_channel, "digest set", channel=other_channel)

    first = await server.admin.slash(server.channel, "digest now")
    assert first.response.content == (f"Posted the digest of {LATEST} in <#{server.channel.id}>.")
    assert overviews(other_channel) == []  # only the server that asked
    await simcord_env.advance_time(60)
    again = await server.admin.slash(server.channel, "digest now")
    assert again.response.content == (f"The digest of {LATEST} was already posted in this server.")
    await boss.slash(other_channel, "digest now")
    assert overviews(other_channel) == [f"Daily Papers {LATEST}"]
    assert len(calls) == 1  # three presses in two servers, one global ingest
    await simcord_env.advance_time(10 * 60)
    await server.admin.slash(server.channel, "digest now")
    assert len(calls) == 2


async def test_digest_status_in_english(simcord_env, server) -> None:
    await server.admin.slash(server.channel, "digest set", channel=server.channel)
    before = (await server.admin.slash(server.channel, "digest status")).response.content
    next_post = int(datetime(2026, 1, 1, 22, tzinfo=UTC).timestamp())
    assert before.splitlines() == [
        "Daily digest: **on**",
        f"Channel: <#{server.channel.id}> at 07:00 (Asia/Seoul), in English",
        f"Set by <@{server.admin.id}> on <t:{int(simcord_env.now().timestamp())}:D>",
        "Last post: none yet",
        f"Next post: <t:{next_post}:F>",
    ]
    await simcord_env.advance_time(FIRST_POST)
    after = await server.admin.slash(server.channel, "digest status")
    assert after.ephemeral
    lines = after.response.content.splitlines()
    assert lines[3] == f"Last post: {LATEST} (<t:{next_post}:R>)"
    assert lines[4] == f"Next post: <t:{next_post + 24 * 3600}:F>"


async def test_digest_status_and_replies_in_korean(simcord_env, server, korean_client) -> None:
    await server.admin.slash(server.channel, "digest set", channel=server.channel)
    simcord_env.inject_error("POST", f"/channels/{server.channel.id}/messages", status=503)
    await simcord_env.advance_time(POST_AT + 30)
    status = (await server.admin.slash(server.channel, "digest status")).response.content
    lines = status.splitlines()
    assert lines[0] == "데일리 다이제스트: **켜짐**"
    assert lines[1] == f"채널: <#{server.channel.id}>, 07:00 (Asia/Seoul), 영어"
    assert lines[3] == "마지막 게시: 아직 없음"
    assert lines[4].startswith("다음 시도: <t:") and lines[4].endswith("(오류 뒤 2번째 시도)")
    assert lines[5].startswith("마지막 오류 (<t:") and "503" in lines[5]
    bad = await server.admin.slash(
        server.channel, "digest set", channel=server.channel, timezone="America"
    )
    assert bad.response.content == (
        "`America`은(는) 시간대가 아닙니다. 목록에서 고르세요 (예: Asia/Seoul, America/New_York, UTC)."
    )
    assert simcord_env.errors


async def test_korean_server_is_told_in_korean_when_posts_stop(simcord_env) -> None:
    guild = simcord_env.create_guild("한국 서버", preferred_locale="ko")
    channel = guild.create_text_channel("논문")
    role = guild.create_role("관리자", permissions=discord.Permissions(manage_guild=True))
    admin = guild.add_member(simcord_env.create_user("admin"), roles=[role])
    await admin.slash(channel, "digest set", channel=channel)
    simcord_env.backend.delete_channel(channel.id)
    await simcord_env.settle()
    await simcord_env.advance_time(FIRST_POST)
    [dm] = admin.user.dm_channel.history()
    assert dm.content == (
        f"**한국 서버** 서버의 데일리 다이제스트 게시가 멈췄습니다. <#{channel.id}>에 게시할 수 "
        "없습니다: 채널이 삭제되었습니다. 문제를 고친 뒤 /digest set을 다시 쓰세요. 자세한 내용은 "
        "/digest status에 있습니다."
    )


async def test_time_zones_autocomplete_and_a_bad_one_is_explained(simcord_env, server) -> None:
    result = await server.admin.autocomplete(server.channel, "digest set", "timezone", "seo")
    assert "Asia/Seoul" in [c["value"] for c in result]
    result = await server.admin.autocomplete(server.channel, "digest set", "timezone", "new_y")
    assert result[0]["value"] == "America/New_York"
    bad = await server.admin.slash(
        server.channel, "digest set", channel=server.channel, timezone="America"
    )
    assert bad.ephemeral
    assert bad.response.content == (
        "`America` is not a time zone; pick one from the list, e.g. Asia/Seoul, "
        "America/New_York or UTC."
    )
    assert simcord_env.errors


# -- the policy as pure functions ---------------------------------------------------------------
DATES = ["2024-05-27", "2024-05-28", "2024-05-29", "2024-05-30", "2024-05-31", "2024-06-01"]


def test_plan_newest_only_for_a_new_server() -> None:
    assert schedule.plan(DATES, {}, fresh=True) == schedule.Plan(["2024-06-01"], [])
    assert schedule.plan(DATES, {"2024-06-01": "posted"}, fresh=True).todo == []


def test_plan_catches_up_in_order_with_a_cap() -> None:
    done = {"2024-05-27": "posted"}
    assert schedule.plan(DATES, done, fresh=False) == schedule.Plan(
        ["2024-05-30", "2024-05-31", "2024-06-01"], ["2024-05-28", "2024-05-29"]
    )
    resumed = {"2024-05-30": "posting", "2024-05-31": "posted"}
    assert schedule.plan(DATES, resumed, fresh=False).todo == ["2024-05-30", "2024-06-01"]
    over = {d: "abandoned" for d in DATES}
    assert schedule.plan(DATES, over, fresh=False).todo == []


def test_backoff_doubles_up_to_the_cap_and_gives_up_before_the_next_slot() -> None:
    assert [policy.backoff(n).total_seconds() / 60 for n in range(1, 8)] == [
        1, 2, 4, 8, 16, 30, 30,
    ]  # fmt: skip
    now = datetime(2026, 1, 1, tzinfo=UTC)
    slot = now + timedelta(days=1)
    assert policy.after_failure(1, now, slot).kind == "retry"
    assert policy.after_failure(policy.MAX_TRIES, now, slot).gave_up
    assert policy.after_failure(1, now, now + timedelta(seconds=30)).gave_up
    assert schedule.after_success(False, now, slot).kind == "recheck"
    assert schedule.after_success(True, now, slot) == schedule.Next(slot, "slot", 0)
