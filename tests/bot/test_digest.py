"""/digest and the daily post: each server at its own time, exactly once per date, across
restarts and failed sends."""

from __future__ import annotations

import shutil
from pathlib import Path
from types import SimpleNamespace

import discord
import pytest
from discord import app_commands

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


async def test_daily_post_exactly_once_across_restart(simcord_env, server) -> None:
    result = await server.admin.slash(server.channel, "digest set", channel=server.channel)
    assert result.ephemeral and "07:00 (Asia/Seoul)" in result.response.content

    await simcord_env.advance_time(POST_AT - 60)  # before the post time: nothing
    assert overviews(server.channel) == []
    await simcord_env.advance_time(60)
    assert overviews(server.channel) == [f"Daily Papers {LATEST}"]
    overview = heads(server.channel)[-1].embeds[0]
    assert "12 papers" in overview.description and "arxiv.org/abs/" in overview.description
    [thread] = server.channel.threads
    assert thread.name == f"Daily Papers {LATEST}"
    assert len(cards_in(thread)) == 12 and all(
        u.startswith("https://arxiv.org/abs/") for u in cards_in(thread)
    )

    from bot import create_bot

    await simcord_env.restart_bot(create_bot())
    await simcord_env.advance_time(2 * 24 * HOUR)
    assert overviews(server.channel) == [f"Daily Papers {LATEST}"]
    assert len(server.channel.threads) == 1 and len(cards_in(thread)) == 12


async def test_dates_that_land_together_are_posted_in_order(
    simcord_env, server, digests: Path
) -> None:
    await server.admin.slash(
        server.channel, "digest set", channel=server.channel, time="09:30", timezone="UTC"
    )
    await simcord_env.advance_time(10 * HOUR)
    assert overviews(server.channel) == [f"Daily Papers {LATEST}"]  # not the four older samples

    write_digest(digests, "2024-05-31", ["2405.90001", "2405.90002"])
    write_digest(digests, "2024-06-01", ["2406.90001"])  # two days land before the next run
    await simcord_env.advance_time(24 * HOUR)
    assert overviews(server.channel) == [
        f"Daily Papers {LATEST}",
        "Daily Papers 2024-05-31",
        "Daily Papers 2024-06-01",
    ]
    first = next(m for m in heads(server.channel) if m.embeds[0].title.endswith("05-31"))
    assert first.content == "Catching up: 2 digests not posted yet, oldest first."
    newest = next(t for t in server.channel.threads if t.name.endswith("2024-06-01"))
    assert cards_in(newest) == ["https://arxiv.org/abs/2406.90001"]


async def test_failed_sends_are_retried_without_duplicates(simcord_env, server) -> None:
    await server.admin.slash(server.channel, "digest set", channel=server.channel)
    simcord_env.inject_error("POST", "/channels/*/messages", status=500, times=2)
    simcord_env.inject_error("POST", "/channels/*/messages/*/threads", status=500, times=1)
    await simcord_env.advance_time(FIRST_POST + 10 * 60)
    assert overviews(server.channel) == [f"Daily Papers {LATEST}"]
    [thread] = server.channel.threads
    assert sorted(cards_in(thread)) == sorted(set(cards_in(thread))) and len(cards_in(thread)) == 12
    overview_sends = [
        r
        for r in simcord_env.http_requests
        if r.method == "POST" and r.path == f"/channels/{server.channel.id}/messages"
    ]
    assert len(overview_sends) == 3  # two failed, the third landed, none repeated after that


async def test_a_failed_card_resumes_after_the_last_sent_one(simcord_env, server) -> None:
    await server.admin.slash(server.channel, "digest set", channel=server.channel)
    simcord_env.inject_error("POST", "/channels/*/messages/*/threads", status=500, times=1)
    await simcord_env.advance_time(POST_AT + 30)  # just past the 07:00 KST run
    [head] = heads(server.channel)
    assert server.channel.threads == []  # the overview went out, the thread failed
    # a thread started from a message has the message's id: make its first card fail once
    simcord_env.inject_error("POST", f"/channels/{head.id}/messages", status=502, times=1)
    await simcord_env.advance_time(5 * 60)
    assert overviews(server.channel) == [f"Daily Papers {LATEST}"]
    [thread] = server.channel.threads
    assert len(cards_in(thread)) == len(set(cards_in(thread))) == 12
    card_sends = [
        r
        for r in simcord_env.http_requests
        if r.method == "POST" and r.path == f"/channels/{head.id}/messages"
    ]
    assert (
        len(card_sends) == len([m for m in thread.history() if m.embeds]) + 1
    )  # one failed, retried once


# days of virtual minute ticks and hourly ingests: their real time depends on the load
async def test_forbidden_channel_stops_posts_and_tells_the_admin(
    simcord_env, server, caplog
) -> None:
    await server.admin.slash(server.channel, "digest set", channel=server.channel)
    simcord_env.inject_error(
        "POST",
        f"/channels/{server.channel.id}/messages",
        status=403,
        code=50013,
        message="Missing Permissions",
        times=None,
    )
    await simcord_env.advance_time(FIRST_POST + 3 * 24 * HOUR)
    sends = [
        r
        for r in simcord_env.http_requests
        if r.method == "POST" and r.path == f"/channels/{server.channel.id}/messages"
    ]
    assert len(sends) == 1  # tried once, then stopped: not retried every minute
    assert "daily posts stopped" in caplog.text
    [dm] = server.admin.user.dm_channel.history()
    assert dm.content == (
        f"Daily digest posts in **{server.guild.name}** have stopped: I can't post in "
        f"<#{server.channel.id}>: Discord refused my messages there (403 Missing Permissions). "
        "Fix it, then run /digest set there again; /digest status shows the details."
    )
    result = await server.admin.slash(server.channel, "digest now")
    assert "Discord refused my messages there" in result.response.content
    status = await server.admin.slash(server.channel, "digest status")
    assert status.response.content.startswith(
        "Daily digest: **stopped**, Discord refused my messages there (403 Missing Permissions)."
    )
    assert simcord_env.errors


async def test_digest_now_posts_once(simcord_env, server) -> None:
    await server.admin.slash(server.channel, "digest set", channel=server.channel)
    first = await server.admin.slash(server.channel, "digest now")
    assert first.ephemeral
    assert f"Posted the digest of {LATEST}" in first.response.content
    again = await server.admin.slash(server.channel, "digest now")
    assert "already posted" in again.response.content
    await simcord_env.advance_time(FIRST_POST)
    assert overviews(server.channel) == [f"Daily Papers {LATEST}"]


async def test_digest_off_stops_posts(simcord_env, server) -> None:
    await server.admin.slash(server.channel, "digest set", channel=server.channel)
    off = await server.admin.slash(server.channel, "digest off")
    assert "off" in off.response.content
    await simcord_env.advance_time(FIRST_POST)
    assert overviews(server.channel) == []


async def test_korean_server_gets_korean_posts(simcord_env) -> None:
    guild = simcord_env.create_guild("한국 서버", preferred_locale="ko")
    channel = guild.create_text_channel("논문")
    role = guild.create_role("관리자", permissions=discord.Permissions(manage_guild=True))
    admin = guild.add_member(simcord_env.create_user("admin"), roles=[role])
    await admin.slash(channel, "digest set", channel=channel)
    await simcord_env.advance_time(FIRST_POST)
    head = heads(channel)[-1].embeds[0]
    assert head.title == f"데일리 페이퍼 {LATEST}" and "논문 12편" in head.description


async def test_each_server_posts_at_its_own_time(simcord_env, server) -> None:
    other = simcord_env.create_guild("Other")
    other_channel = other.create_text_channel("news")
    role = other.create_role("Admin", permissions=discord.Permissions(manage_guild=True))
    other_admin = other.add_member(simcord_env.create_user("boss"), roles=[role])
    await server.admin.slash(
        server.channel, "digest set", channel=server.channel, time="02:00", timezone="UTC"
    )
    await other_admin.slash(
        other_channel, "digest set", channel=other_channel, time="12:00", timezone="Europe/Paris"
    )
    await simcord_env.advance_time(3 * HOUR)
    assert overviews(server.channel) and not overviews(other_channel)
    await simcord_env.advance_time(9 * HOUR)
    assert overviews(other_channel) == [f"Daily Papers {LATEST}"]


@pytest.mark.parametrize(
    ("options", "says"), [({"time": "7am"}, "HH:MM"), ({"timezone": "Mars/Base"}, "time zone")]
)
async def test_digest_set_explains_bad_values(simcord_env, server, options, says) -> None:
    result = await server.admin.slash(
        server.channel, "digest set", channel=server.channel, **options
    )
    assert result.ephemeral and says in result.response.content
    assert simcord_env.errors


async def test_members_are_refused_even_when_the_server_loosens_permissions(
    simcord_env, simcord_bot, server
) -> None:
    command = "digest"
    registered = next(c for c in await simcord_bot.tree.fetch_commands() if c.name == command)
    server.guild.set_command_permissions(registered, {server.member: True})
    result = await server.member.slash(server.channel, "digest set", channel=server.channel)
    assert result.ephemeral and "Manage Server" in result.response.content
    assert any(isinstance(e, app_commands.MissingPermissions) for e in simcord_env.errors)
    await simcord_env.advance_time(FIRST_POST)
    assert overviews(server.channel) == []


async def test_a_crash_after_the_overview_landed_does_not_post_it_again(
    simcord_env, simcord_bot, server, monkeypatch: pytest.MonkeyPatch, caplog
) -> None:
    """The bot dies between Discord accepting the overview and recording its id: the next run
    finds the overview in the channel instead of sending a second one."""
    from bot.state.digest import DigestState

    real = DigestState.set_message
    crashes = iter([RuntimeError("killed before the write")])

    def set_message_once(self, guild_id, day, message_id):
        if (crash := next(crashes, None)) is not None:
            raise crash
        return real(self, guild_id, day, message_id)

    monkeypatch.setattr(DigestState, "set_message", set_message_once)
    await server.admin.slash(server.channel, "digest set", channel=server.channel)
    await simcord_env.advance_time(POST_AT + 30)
    assert len(heads(server.channel)) == 1 and server.channel.threads == []
    assert "killed before the write" in caplog.text

    from bot import create_bot

    await simcord_env.restart_bot(create_bot())
    await simcord_env.advance_time(5 * 60)
    assert overviews(server.channel) == [f"Daily Papers {LATEST}"]
    [thread] = server.channel.threads
    assert len(cards_in(thread)) == 12


def test_manager_check_refuses_direct_messages() -> None:
    from bot.admin.cog import require_manager

    with pytest.raises(app_commands.NoPrivateMessage):
        require_manager(SimpleNamespace(guild=None))
    member = SimpleNamespace(guild=object(), permissions=discord.Permissions.none())
    with pytest.raises(app_commands.MissingPermissions):
        require_manager(member)
    require_manager(
        SimpleNamespace(guild=object(), permissions=discord.Permissions(manage_guild=True))
    )


async def test_git_pull_brings_the_new_day_before_posting(
    simcord_env, simcord_bot, server, digests: Path, tmp_path: Path
) -> None:
    """With PAPERBOT_GIT_PULL=1 and a git checkout as the digest folder, the run pulls first."""
    import subprocess

    def git(*args: str, cwd: Path) -> None:
        subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)

    origin = tmp_path / "origin"
    shutil.copytree(digests, origin)
    git("init", "-q", "-b", "main", cwd=origin)
    git("-c", "user.name=t", "-c", "user.email=t@t", "add", ".", cwd=origin)
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "samples", cwd=origin)
    shutil.rmtree(digests)
    git("clone", "-q", str(origin), str(digests), cwd=tmp_path)
    simcord_bot.settings.git_pull = True

    write_digest(origin, "2024-05-31", ["2405.90001"])
    git("-c", "user.name=t", "-c", "user.email=t@t", "add", ".", cwd=origin)
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "new day", cwd=origin)
    await server.admin.slash(server.channel, "digest set", channel=server.channel)
    await simcord_env.advance_time(FIRST_POST)
    assert overviews(server.channel) == ["Daily Papers 2024-05-31"]
