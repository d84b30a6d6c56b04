"""Rendering is pure: papers in, embeds out, always inside Discord's limits."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import discord
import pytest

from bot.ui import render
from store.models import Hit, Paper
from tests.conftest import ARCHIVE


def make_paper(n: int = 0, **changes: object) -> Paper:
    base = {
        "arxiv_id": f"2405.{19000 + n}",
        "title": f"Paper number {n}",
        "url": f"https://arxiv.org/abs/2405.{19000 + n}",
        "date": "2024-05-30",
        "votes": 10 + n,
        "authors": (
            "Ada Lovelace",
            "Alan Turing",
            "Grace Hopper",
            "Edsger Dijkstra",
            "Barbara Liskov",
        ),
        "summary": ("What's New: 새로운 방법을 제안합니다.", "Technical Details: 세부 사항입니다."),
        "media": f"https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/2405.{19000 + n}.png",
        "source": "2024-05-30.md:3",
    }
    return Paper(**{**base, **changes})


def within_limits(embeds: list[discord.Embed]) -> None:
    assert len(embeds) <= render.EMBEDS_PER_MESSAGE
    assert sum(len(e) for e in embeds) <= render.TOTAL
    for embed in embeds:
        data = embed.to_dict()
        assert len(data.get("title", "")) <= render.TITLE
        assert len(data.get("description", "")) <= render.DESCRIPTION
        assert len(data.get("fields", [])) <= render.FIELDS
        for field in data.get("fields", []):
            assert (
                len(field["name"]) <= render.FIELD_NAME
                and 0 < len(field["value"]) <= render.FIELD_VALUE
            )
        assert len(data.get("footer", {}).get("text", "")) <= render.FOOTER


def test_card_shows_everything_a_reader_needs() -> None:
    data = render.card(make_paper(), "en").to_dict()
    assert data["title"] == "Paper number 0"
    assert data["url"] == "https://arxiv.org/abs/2405.19000"
    fields = {f["name"]: f["value"] for f in data["fields"]}
    assert fields["Date"] == "2024-05-30"
    assert fields["Votes"] == "10"
    assert fields["Authors"] == "Ada Lovelace, Alan Turing, Grace Hopper +2"
    assert "https://arxiv.org/pdf/2405.19000" in fields["Links"]
    assert "https://huggingface.co/papers/2405.19000" in fields["Links"]
    assert data["description"].splitlines() == [
        "• **What's New**: 새로운 방법을 제안합니다.",
        "• **Technical Details**: 세부 사항입니다.",
    ]
    assert data["thumbnail"]["url"].endswith(".png")
    assert "AI-generated" in data["footer"]["text"]


def test_card_in_korean() -> None:
    data = render.card(make_paper(votes=None), "ko").to_dict()
    fields = {f["name"]: f["value"] for f in data["fields"]}
    assert fields["추천"] == "–"
    assert "AI" in data["footer"]["text"] and "한국어" in data["footer"]["text"]


@pytest.mark.parametrize(
    ("media", "thumbnail"),
    [
        ("https://x.org/a.png", True),
        ("https://x.org/a.JPG", True),
        ("https://x.org/a.jpeg?w=3", True),
        ("https://x.org/a.gif", True),
        ("https://x.org/a.webp", True),
        ("https://x.org/a.mp4", False),
        ("https://x.org/a.svg", False),
        ("https://x.org/a.qt", False),
        (None, False),
    ],
)
def test_thumbnail_only_for_images(media: str | None, thumbnail: bool) -> None:
    data = render.card(make_paper(media=media), "en").to_dict()
    assert ("thumbnail" in data) is thumbnail
    if media and not thumbnail:
        assert media in data["fields"][-1]["value"]  # still reachable as a link


@pytest.mark.parametrize(
    ("authors", "shown"),
    [
        ((), "–"),
        (("A",), "A"),
        (("A", "B", "C"), "A, B, C"),
        (tuple("ABCDEFGHIJKLMNO"), "A, B, C +12"),
    ],
)
def test_short_authors(authors: tuple[str, ...], shown: str) -> None:
    assert render.short_authors(authors) == shown


def test_long_summary_is_cut_at_bullet_boundaries() -> None:
    bullets = tuple(f"{i:02d} " + "가" * 700 for i in range(12))
    paper = make_paper(
        title="T" * 400, summary=bullets, authors=tuple(f"Author {i}" for i in range(300))
    )
    embed = render.card(paper, "en")
    within_limits([embed])
    lines = embed.description.splitlines()
    assert all(
        line in {render.bullet_line(b) for b in bullets} for line in lines
    )  # whole bullets only
    assert embed.title.endswith("…") and len(embed.title) == render.TITLE


def test_single_huge_bullet_is_clipped() -> None:
    embed = render.card(make_paper(summary=("나" * 9000,)), "en")
    within_limits([embed])
    assert embed.description.endswith("…")


def test_fit_enforces_every_limit() -> None:
    embed = discord.Embed(title="t" * 300, description="\n".join(["d" * 100] * 60))
    for i in range(30):
        embed.add_field(name="n" * 300, value="v" * 2000)
    embed.set_footer(text="f" * 3000)
    within_limits([render.fit(embed)])


def test_pack_groups_cards_into_messages() -> None:
    cards = [
        render.card(make_paper(i, summary=("가" * 1500, "나" * 1500)), "en") for i in range(25)
    ]
    messages = render.pack(cards)
    assert sum(len(m) for m in messages) == 25
    for message in messages:
        within_limits(message)


def test_overview_lists_papers_by_rank_with_links() -> None:
    papers = [make_paper(i) for i in range(3)]
    data = render.overview("2024-05-30", papers, "en").to_dict()
    assert "2024-05-30" in data["title"]
    assert "3 papers" in data["description"]
    assert "1. [Paper number 0](https://arxiv.org/abs/2405.19000) · ▲ 10" in data["description"]
    assert "more" not in data["description"]


def test_overview_says_when_the_date_was_replaced() -> None:
    data = render.overview("2024-05-30", [make_paper()], "en", asked="2024-06-01").to_dict()
    assert "No digest on 2024-06-01" in data["description"]
    data = render.overview("2024-05-30", [make_paper()], "ko", asked="2024-06-01").to_dict()
    assert "2024-06-01에는" in data["description"]


def test_overview_of_a_long_day_says_how_many_more() -> None:
    papers = [make_paper(i, title=f"A long title about paper {i} " + "x" * 120) for i in range(68)]
    embed = render.overview("2025-02-19", papers, "en", more_key="more_in_thread")
    within_limits([embed])
    shown = embed.description.count("https://arxiv.org/abs/")
    assert 10 < shown < 68
    assert embed.description.splitlines()[-1] == f"… and {68 - shown} more in the thread"


def test_link_titles_cannot_break_markdown() -> None:
    line = render.paper_lines([make_paper(title="[RE] Reproducing [X]")])[0]
    assert line.startswith("1. [(RE) Reproducing (X)](https://arxiv.org/abs/")


def test_hit_card_shows_the_evidence() -> None:
    hit = Hit(make_paper(), 0.5, ("Technical Details: 세부 사항입니다.",))
    data = render.hit_card(hit, "en").to_dict()
    assert data["description"].splitlines() == [
        "__Matching summary lines__",
        "• **Technical Details**: 세부 사항입니다.",
    ]


# -- the real archive --------------------------------------------------------------------------
@pytest.fixture(scope="module")
def archive() -> list[Paper]:
    if not Path(ARCHIVE).is_dir():
        pytest.skip("the real archive is not here")
    from ingest.parse import parse_paths

    return parse_paths([Path(ARCHIVE)]).papers


def test_longest_real_papers_fit(archive: list[Paper]) -> None:
    labelled = [p for p in archive if "2024-06-01" <= p.date]
    longest = sorted(labelled, key=lambda p: -sum(map(len, p.summary)))[:25]
    longest += (
        sorted(archive, key=lambda p: -len(p.title))[:5]
        + sorted(archive, key=lambda p: -len(p.authors))[:5]
    )
    for lang in ("en", "ko"):
        cards = [render.card(p, lang) for p in longest]
        for paper, card in zip(longest, cards):
            within_limits([card])
            shown = [line for line in card.description.splitlines() if line.startswith("• ")]
            assert len(shown) == len(paper.summary)  # nothing real is cut
        for message in render.pack(cards):
            within_limits(message)


def test_real_68_paper_day_overview(archive: list[Paper]) -> None:
    day = [p for p in archive if p.date == "2025-02-19"]
    assert Counter(p.date for p in archive)["2025-02-19"] == len(day) == 68
    papers = sorted(day, key=lambda p: -(p.votes or -1))
    head, parts = render.digest_post("2025-02-19", papers, "ko", in_thread=True)
    within_limits([head])
    assert "2025-02-19" in head.title and "68" in head.description
    assert "스레드" in head.description.splitlines()[-1]
    assert sum(len(m) for m in parts) == 68
    for message in parts:
        within_limits(message)


# -- hostile text: user questions and archive text never render as markup --------------------
NITRO = "[Claim your Nitro](https://evil.example)"
OURS = ("https://arxiv.org/abs/", "https://arxiv.org/pdf/", "https://huggingface.co/papers/")
_MASKED = re.compile(r"(?<!\\)\[((?:\\.|[^\]\\])*)\]\(\s*<?([^\s)>]*)")


def link_targets(text: str) -> list[str]:
    """Where the masked links Discord would render in `text` go."""
    return [m[2] for m in _MASKED.finditer(text)]


def all_text(embed: discord.Embed) -> list[str]:
    data = embed.to_dict()
    parts = [data.get("title", ""), data.get("description", "")]
    parts += [f["name"] + "\n" + f["value"] for f in data.get("fields", [])]
    return parts


def hostile_paper() -> Paper:
    return make_paper(
        title=f"A*: `cat.n.01` and {NITRO}",
        authors=("**Bold** Author", "[Mallory](https://evil.example/m)", "Bob_the_Builder"),
        summary=(
            "What's New: 자세한 내용은 [여기](https://evil.example/phish)를 참고하세요 **굵게** ||스포||",
            "# 헤딩 `code` [a](https://x.example) 그리고 [b](<https://y.example>) [[c](d)](e)",
        ),
        media="https://x.org/clip (1).mp4",
    )


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_hostile_archive_text_is_escaped_and_only_our_links_work(lang: str) -> None:
    paper = hostile_paper()
    embeds = [
        render.card(paper, lang),
        render.hit_card(Hit(paper, 0.5, paper.summary), lang),
        render.overview("2024-05-30", [paper], lang),
        render.listing("t", [], [paper], "more_in_pages", lang),
    ]
    for embed in embeds:
        for text in all_text(embed):
            media = "https://x.org/clip%20%281%29.mp4"  # the card's own media link
            assert all(u.startswith(OURS) or u == media for u in link_targets(text)), text
            assert "**Bold**" not in text and "||스포||" not in text
            assert re.search(r"(?<!\\)`cat", text) is None
    card = embeds[0].to_dict()
    assert card["title"] == r"A\*: \`cat.n.01\` and Claim your Nitro (https://evil.example)"
    assert card["url"] == "https://arxiv.org/abs/2405.19000"
    lines = card["description"].splitlines()
    assert lines[0] == (
        r"• **What's New**: 자세한 내용은 여기 (https://evil.example/phish)를 참고하세요 "
        r"\*\*굵게\*\* \|\|스포\|\|"
    )
    assert lines[1].startswith(r"• \# 헤딩 \`code\` a (https://x.example) 그리고 b (https://y")
    links = {f["name"]: f["value"] for f in card["fields"]}[render.t("field_links", lang)]
    assert link_targets(links) == [
        "https://arxiv.org/abs/2405.19000",
        "https://arxiv.org/pdf/2405.19000",
        "https://huggingface.co/papers/2405.19000",
        "https://x.org/clip%20%281%29.mp4",
    ]
    authors = {f["name"]: f["value"] for f in card["fields"]}[render.t("field_authors", lang)]
    assert authors == r"\*\*Bold\*\* Author, Mallory (https://evil.example/m), Bob\_the\_Builder"
    overview = embeds[2].to_dict()["description"]
    assert link_targets(overview) == ["https://arxiv.org/abs/2405.19000"]


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_a_hostile_question_is_shown_as_plain_text(lang: str) -> None:
    hit = Hit(make_paper(), 0.5, ())
    description = render.ask_overview(f"{NITRO} **now** ||x||", [hit], lang).description
    question = description.splitlines()[0]
    assert question.endswith(r"Claim your Nitro (https://evil.example) \*\*now\*\* \|\|x\|\|")
    assert link_targets(description) == ["https://arxiv.org/abs/2405.19000"]


@pytest.mark.parametrize(
    "text",
    [
        NITRO,
        "[a](x) and [b](y)",  # escape_markdown alone escapes only the first of these
        '[x](<https://e> "title")',
        "[[nested](a)](b)",
        "[b](https://y.org/q_(1))",
        "\\[a](b)",
        "[a]\n(b)",
    ],
)
def test_safe_leaves_no_masked_link(text: str) -> None:
    assert link_targets(render.safe(text)) == []
