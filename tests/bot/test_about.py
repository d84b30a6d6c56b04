"""/help, /stats and the freshness note of /today, as a member sees them."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.about.cog import commands_of
from bot.ui.texts.about import EXAMPLES
from store.dates import missing_weekdays
from tests.bot.helpers import FIRST_POST, LATEST, write_digest


def said(result):
    return result.followups[0] if result.followups else result.response


def fields(embed) -> dict[str, str]:
    return {f.name: f.value for f in embed.fields}


async def test_help_lists_every_command_with_an_example(simcord_env, server) -> None:
    result = await server.member.slash(server.channel, "help")
    assert result.ephemeral
    embed = said(result).embeds[0]
    text = "\n".join(f.value for f in embed.fields)
    names = [name for name, _, _ in commands_of(simcord_env.bot.tree)]
    assert {"today", "ask", "subscribe", "digest set", "reindex", "Find papers", "stats"} <= set(
        names
    )
    for name in names:
        shown = name if " " in name or name[0].isupper() else f"/{name}"
        assert f"**{shown}**" in text, name
        assert EXAMPLES[name]["en"] in text, name
    titles = [f.name for f in embed.fields]
    assert titles[0] == "For everyone" and "For admins (Manage Server)" in titles
    admins = titles.index("For admins (Manage Server)")
    assert all("/digest" not in f.value for f in embed.fields[:admins])
    assert "/digest set" in embed.fields[admins].value
    assert "2023-12-12" in embed.description  # searchable since the first digest


def test_every_command_has_an_example_in_both_languages(simcord_bot) -> None:
    """A new command without an example in /help fails here."""
    for name, _, _ in commands_of(simcord_bot.tree):
        assert set(EXAMPLES.get(name, {})) == {"en", "ko"}, name


async def test_help_in_korean(simcord_env, server, korean_client) -> None:
    embed = said(await server.member.slash(server.channel, "help")).embeds[0]
    assert embed.title == "Daily Papers 봇 — 명령어"
    text = "\n".join(f.value for f in embed.fields)
    assert "/ask question:멀티모달 모델의 환각을 줄이는 방법" in text
    assert "최신 데일리 페이퍼 다이제스트" in text  # /today's Korean description


async def test_stats_shows_the_index_and_the_next_post(simcord_env, server) -> None:
    result = await server.member.slash(server.channel, "stats")
    assert result.ephemeral
    before = fields(said(result).embeds[0])
    assert before["Papers indexed"] == "62"
    assert before["Digests"] == f"5 days, 2023-12-12 → {LATEST}"
    assert before["Next daily post here"].startswith("not set up")
    assert before["Last ingest"] == "not since this start"
    assert before["Version"] == "0.1.0"

    await server.admin.slash(server.channel, "digest set", channel=server.channel)
    await simcord_env.advance_time(FIRST_POST)  # the daily job ingests, then posts
    after = fields(said(await server.member.slash(server.channel, "stats")).embeds[0])
    assert after["Last ingest"].startswith("<t:") and after["Last ingest"].endswith(":R>")
    assert after["Next daily post here"].startswith("<t:")
    assert f"<#{server.channel.id}>" in after["Next daily post here"]


async def test_today_says_when_the_archive_has_not_moved(simcord_env, server) -> None:
    """The simulated clock starts 2026-01-01; the samples end 2024-05-30."""
    head = (await server.member.slash(server.channel, "today")).response.embeds[0]
    assert head.description.startswith(
        "⚠️ The archive has not moved: its newest digest is 2024-05-30"
    )
    asked = await server.member.slash(server.channel, "today", date=LATEST)
    assert "has not moved" not in asked.response.embeds[0].description  # a date was asked


async def test_today_is_quiet_when_the_archive_is_current(
    simcord_env, server, digests: Path
) -> None:
    write_digest(digests, "2025-12-31", ["2512.00001"])  # yesterday in Seoul: on time
    from ingest.pipeline import ingest
    from store.settings import Settings

    await simcord_env.bot.query(lambda index: ingest(Settings(), index=index))
    head = (await server.member.slash(server.channel, "today")).response.embeds[0]
    assert head.title == "Daily Papers 2025-12-31"
    assert "has not moved" not in head.description


@pytest.mark.parametrize(
    ("latest", "today", "missing"),
    [
        ("2025-05-08", date(2025, 5, 9), 0),  # Thursday's digest on Friday: on time
        ("2025-05-09", date(2025, 5, 12), 0),  # Friday's on Monday: the weekend has none
        ("2025-05-08", date(2025, 5, 12), 1),  # Friday's is late on Monday
        ("2025-05-06", date(2025, 5, 9), 2),  # Wednesday and Thursday missing on Friday
        ("2025-05-09", date(2025, 5, 9), 0),
    ],
)
def test_missing_weekdays(latest: str, today: date, missing: int) -> None:
    assert missing_weekdays(latest, today) == missing
