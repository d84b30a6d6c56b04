"""/digest weekly on|off and the Monday roll-up: exactly once per server and week, across
restarts and a crash between the send and its record."""

from __future__ import annotations

import io

import pytest
from PIL import Image

HOUR = 3600
# SimCord starts Thursday 2026-01-01 00:00 UTC; Monday 2026-01-05 07:00 KST is 94 hours later.
MONDAY = 94 * HOUR
TITLE = "Weekly roll-up — 2026-01-05"


def roll_ups(channel) -> list:
    return [
        m
        for m in channel.history()
        if m.author.bot and m.embeds and (m.embeds[0].title or "").startswith("Weekly roll-up")
    ]


async def test_weekly_roll_up_exactly_once_per_week(simcord_env, server) -> None:
    refused = await server.admin.slash(server.channel, "digest weekly on")
    assert "Set the daily digest first" in refused.response.content
    assert simcord_env.errors

    await server.admin.slash(server.channel, "digest set", channel=server.channel)
    on = await server.admin.slash(server.channel, "digest weekly on")
    assert on.ephemeral
    assert on.response.content.startswith("Weekly roll-up on: every Monday at 07:00 (Asia/Seoul)")

    await simcord_env.advance_time(MONDAY - 60)
    assert roll_ups(server.channel) == []
    await simcord_env.advance_time(6 * 60)
    [post] = roll_ups(server.channel)
    embed = post.embeds[0]
    assert embed.title == TITLE
    assert "Top papers by votes, 2024-05-24 – 2024-05-30" in embed.description
    assert "arxiv.org/abs/2405.19327" in embed.description  # MAP-Neo, the week's most voted
    [rising] = [f for f in embed.fields if f.name == "Rising topics"]
    assert "papers this week" in rising.value
    assert embed.image.url == "attachment://weekly.png"
    Image.open(io.BytesIO(await post.attachments[0].read())).verify()

    from bot import create_bot

    await simcord_env.restart_bot(create_bot())
    await simcord_env.advance_time(3 * HOUR)
    assert len(roll_ups(server.channel)) == 1
    await simcord_env.advance_time(7 * 24 * HOUR)  # the next Monday: the next week's roll-up
    titles = [m.embeds[0].title for m in roll_ups(server.channel)]
    assert titles == [TITLE, "Weekly roll-up — 2026-01-12"]

    await server.admin.slash(server.channel, "digest weekly off")
    await simcord_env.advance_time(7 * 24 * HOUR)
    assert len(roll_ups(server.channel)) == 2


# days of virtual minute ticks and hourly ingests: their real time depends on the load
async def test_a_crash_after_the_roll_up_landed_does_not_post_it_again(
    simcord_env, server, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.state.weekly import WeeklyState

    await server.admin.slash(server.channel, "digest set", channel=server.channel)
    await server.admin.slash(server.channel, "digest weekly on")
    real = WeeklyState.finish

    def crash(self, guild_id, week, status, message_id):  # sent; the bot dies before recording
        monkeypatch.setattr(WeeklyState, "finish", real)
        raise RuntimeError("killed")

    monkeypatch.setattr(WeeklyState, "finish", crash)
    await simcord_env.advance_time(MONDAY + 6 * 60)
    assert len(roll_ups(server.channel)) == 1

    from bot import create_bot

    await simcord_env.restart_bot(create_bot())
    await simcord_env.advance_time(2 * HOUR)
    assert len(roll_ups(server.channel)) == 1


def test_korean_roll_up_and_chart() -> None:
    from bot.ui.charts import growth_png
    from bot.weekly.runner import weekly_embed
    from store.models import Paper
    from store.search.trends import Growth

    paper = Paper("2405.19327", "MAP-Neo", "u", "2024-05-30", 19, (), (), None, "s")
    grown = [Growth("diffusion model", "확산 모델 (diffusion model)", 3, 0.5)]
    embed = weekly_embed("2026-01-05", "2024-05-24", "2024-05-30", [paper], grown, "ko")
    assert embed.title == "주간 요약 — 2026-01-05"
    assert embed.fields[0].name == "떠오르는 주제"
    assert "확산 모델 (diffusion model): 이번 주 3편 (이전 4주 주당 0.5편)" in embed.fields[0].value
    Image.open(io.BytesIO(growth_png(grown, "ko", "2026-01-05"))).verify()
