"""/digest weekly on|off and the Monday roll-up: exactly once per server and week, across
restarts and a crash between the send and its record."""

from __future__ import annotations

import io

import discord
import pytest
from PIL import Image

from tests.bot.helpers import FIRST_POST, deny_bot, posts_to, status_of

HOUR = 3600
# SimCord starts Thursday 2026-01-01 00:00 UTC; Monday 2026-01-05 07:00 KST is 94 hours later.
MONDAY = 94 * HOUR
TITLE = "Weekly roll-up — 2026-01-05"


def roll_ups(channel, prefix: str = "Weekly roll-up") -> list:
    return [
        m
        for m in channel.history()
        if m.author.bot and m.embeds and (m.embeds[0].title or "").startswith(prefix)
    ]


async def weekly_after_the_first_daily_post(simcord_env, server) -> int:
    """/digest set and /digest weekly on; the daily post of Friday 07:00 went out (later days
    bring nothing new, so the daily run sends nothing more). Returns the channel's POSTs."""
    await server.admin.slash(server.channel, "digest set", channel=server.channel)
    await server.admin.slash(server.channel, "digest weekly on")
    await simcord_env.advance_time(FIRST_POST)
    return len(posts_to(simcord_env, server.channel.id))


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


async def test_a_refused_roll_up_stops_tells_the_admin_and_shows_in_status(
    simcord_env, server
) -> None:
    """Discord answers 403 to the roll-up: one POST (not one every five minutes for the rest
    of Monday), the admin who set the digest up gets a DM, /digest status says why; the daily
    digest stays on. Red on the old runner: 205 POSTs in 18 h, nobody told."""
    before = await weekly_after_the_first_daily_post(simcord_env, server)
    path = f"/channels/{server.channel.id}/messages"
    simcord_env.inject_error(
        "POST", path, status=403, code=50013, message="Missing Permissions", times=None
    )
    await simcord_env.advance_time(MONDAY - FIRST_POST + 18 * HOUR)
    assert len(posts_to(simcord_env, server.channel.id)) == before + 1
    [dm] = server.admin.user.dm_channel.history()
    assert dm.content.startswith(f"The weekly roll-up in **{server.guild.name}** has stopped")
    assert "Discord refused my messages there (403 Missing Permissions)" in dm.content
    lines = (await status_of(server)).splitlines()
    assert lines[0] == "Daily digest: **on**"
    assert (
        "Weekly roll-up: **stopped**, Discord refused my messages there (403 Missing "
        "Permissions). Fix it and run /digest weekly on again."
    ) in lines
    await simcord_env.advance_time(7 * 24 * HOUR)  # stopped: not tried the next Monday either
    assert len(posts_to(simcord_env, server.channel.id)) == before + 1


async def test_a_5xx_on_the_roll_up_backs_off_a_bounded_number_of_times(
    simcord_env, server
) -> None:
    """Every roll-up send answers 503 on Monday: at most six tries that day, with backoff, and
    /digest status shows the error. Red on the old runner: one try every five minutes."""
    from bot.delivery.policy import MAX_TRIES

    before = await weekly_after_the_first_daily_post(simcord_env, server)
    path = f"/channels/{server.channel.id}/messages"
    simcord_env.inject_error("POST", path, status=503, times=None)
    await simcord_env.advance_time(MONDAY - FIRST_POST + 18 * HOUR)
    assert len(posts_to(simcord_env, server.channel.id)) - before == MAX_TRIES
    status = await status_of(server)
    assert "Weekly roll-up: **on**" in status and "503" in status


async def test_the_roll_up_needs_attach_files_and_says_so(simcord_env, server) -> None:
    """The roll-up uploads its chart, which needs Attach Files: /digest set checks it, and a
    roll-up channel that lost it later is not posted to; the admin is told which permission.
    Red on the old code: /digest set accepts the channel and the roll-up is sent anyway."""
    locked = server.guild.create_text_channel("no-files")
    deny_bot(simcord_env, locked, attach_files=True)
    await simcord_env.settle()
    refused = await server.admin.slash(server.channel, "digest set", channel=locked)
    assert refused.response.content == (
        f"I can't post the digest in <#{locked.id}>: I am missing Attach Files there. Give me "
        "these permissions in that channel, then run /digest set again."
    )
    assert simcord_env.errors

    before = await weekly_after_the_first_daily_post(simcord_env, server)
    deny_bot(simcord_env, server.channel, attach_files=True)
    await simcord_env.settle()
    await simcord_env.advance_time(MONDAY - FIRST_POST + HOUR)
    assert len(posts_to(simcord_env, server.channel.id)) == before and not roll_ups(server.channel)
    [dm] = server.admin.user.dm_channel.history()
    assert "I am missing Attach Files there" in dm.content
    assert "Weekly roll-up: **stopped**, I am missing Attach Files there." in (
        await status_of(server)
    )
    again = await server.admin.slash(server.channel, "digest weekly on")  # checked up front too
    assert again.response.content == (
        f"I can't post the weekly roll-up in <#{server.channel.id}>: I am missing Attach Files "
        "there. Give me these permissions in that channel, then run /digest weekly on again."
    )
    assert simcord_env.errors


async def test_the_roll_up_speaks_the_servers_digest_language(simcord_env) -> None:
    """A Korean server whose daily digest is Korean (no language given to /digest set) gets a
    Korean roll-up. Red on the old runner: English whenever /digest set had no language."""
    guild = simcord_env.create_guild("한국 서버", preferred_locale="ko")
    channel = guild.create_text_channel("논문")
    role = guild.create_role("관리자", permissions=discord.Permissions(manage_guild=True))
    admin = guild.add_member(simcord_env.create_user("admin"), roles=[role])
    await admin.slash(channel, "digest set", channel=channel)
    await admin.slash(channel, "digest weekly on")
    await simcord_env.advance_time(MONDAY + 6 * 60)
    [post] = roll_ups(channel, "주간 요약")
    assert post.embeds[0].title == "주간 요약 — 2026-01-05"
    assert [f.name for f in post.embeds[0].fields] == ["떠오르는 주제"]


def test_a_rising_topic_label_is_escaped() -> None:
    """A topic label is archive text: its Markdown is shown, not applied. Red when
    `weekly_embed` puts the label in unescaped."""
    from bot.weekly.runner import weekly_embed
    from store.search.trends import Growth

    grown = [Growth("x", "**bold** _lean_ [link](https://evil.example)", 3, 0.5)]
    embed = weekly_embed("2026-01-05", "2024-05-24", "2024-05-30", [], grown, "en")
    value = embed.fields[0].value
    assert "\\*\\*bold\\*\\* \\_lean\\_" in value
    assert "[link](" not in value
