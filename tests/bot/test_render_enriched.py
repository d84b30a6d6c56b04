"""Cards with what the papers' own sources add (store/enrich/): Code and Project links for
everyone; the English summary and abstract first for English readers, inside Discord's limits;
Korean readers' cards otherwise unchanged."""

from __future__ import annotations

import pytest

from bot.ui import render
from store.enrich import Enrichment
from store.models import Hit
from tests.bot.test_render import OURS, link_targets, make_paper, within_limits

EXTRA = Enrichment(
    "2405.19000",
    source="hf",
    abstract="We propose a method.\nIt works  well.",
    ai_summary="A new method that works.",
    keywords=("method",),
    github="https://github.com/example/method",
    project_page="https://example.github.io/method/",
    upvotes=42,
)


def links_of(data: dict) -> str:
    return next(f["value"] for f in data["fields"] if f["name"] in ("Links", "링크"))


def test_an_english_reader_sees_the_english_summary_and_abstract_first() -> None:
    data = render.card(make_paper(), "en", extra=EXTRA).to_dict()
    assert data["description"].splitlines() == [
        "**A new method that works.**",
        "We propose a method. It works well.",
        "",
        "• **What's New**: 새로운 방법을 제안합니다.",
        "• **Technical Details**: 세부 사항입니다.",
    ]
    assert link_targets(links_of(data))[-2:] == [
        "https://github.com/example/method",
        "https://example.github.io/method/",
    ]
    assert "[Code](https://github.com/example/method)" in links_of(data)
    assert "abstract" in data["footer"]["text"]


def test_a_korean_reader_sees_the_card_as_before_plus_the_links() -> None:
    before = render.card(make_paper(), "ko").to_dict()
    after = render.card(make_paper(), "ko", extra=EXTRA).to_dict()
    assert after["description"] == before["description"]
    assert after["footer"] == before["footer"]
    assert links_of(after) == links_of(before) + (
        " · [코드](https://github.com/example/method)"
        " · [프로젝트](https://example.github.io/method/)"
    )


def test_without_enrichment_a_card_is_unchanged() -> None:
    for lang in ("en", "ko"):
        plain = render.card(make_paper(), lang).to_dict()
        assert render.card(make_paper(), lang, extra=None).to_dict() == plain
        empty = Enrichment("2405.19000", source="arxiv")  # found, but nothing in it
        assert render.card(make_paper(), lang, extra=empty).to_dict() == plain


def test_a_huge_abstract_is_clipped_and_the_korean_bullets_kept() -> None:
    bullets = tuple(f"Point {i}: {'가나다라 ' * 70}" for i in range(5))  # 5 x ~360 characters
    paper = make_paper(summary=bullets, title="T" * 300)
    extra = Enrichment("2405.19000", source="hf", abstract="word " * 2000, ai_summary="S " * 400)
    embed = render.card(paper, "en", extra=extra)
    within_limits([embed])
    lines = embed.description.splitlines()
    assert len(lines[0]) <= render.SUMMARY_MAX + 4  # the bold marks
    assert lines[1].endswith(render.ELLIPSIS) and len(lines[1]) <= render.ABSTRACT_MAX
    assert [line for line in lines if line.startswith("• ")] == [
        render.bullet_line(b) for b in bullets
    ]


def test_a_card_with_no_room_left_drops_the_abstract_not_the_bullets() -> None:
    bullets = tuple(f"Point {i}: {'가나다라 ' * 200}" for i in range(4))  # ~4,050 characters
    paper = make_paper(summary=bullets)
    extra = Enrichment("2405.19000", source="hf", abstract="word " * 2000, ai_summary="S")
    embed = render.card(paper, "en", extra=extra)
    within_limits([embed])
    lines = embed.description.splitlines()
    assert lines[0] == "**S**"
    assert not any(line.startswith("word") for line in lines)
    assert [line for line in lines if line.startswith("• ")] == [
        render.bullet_line(b) for b in bullets
    ]


def test_the_daily_post_cards_stay_within_limits_with_long_abstracts() -> None:
    papers = [make_paper(n) for n in range(12)]
    extras = {
        p.arxiv_id: Enrichment(p.arxiv_id, source="hf", abstract="x" * 10_000) for p in papers
    }
    _, messages = render.digest_post("2024-05-30", papers, "en", in_thread=True, extras=extras)
    for embeds in messages:
        within_limits(embeds)
    assert sum(len(m) for m in messages) == 12


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_injected_markdown_in_the_english_text_is_inert(lang: str) -> None:
    extra = Enrichment(
        "2405.19000",
        source="hf",
        abstract="See [the code](https://evil.example/x) and **this** ||now|| `x`.",
        ai_summary="[Click](https://evil.example/y) **bold**",
        github="javascript:alert(1)",
        project_page="https://ok.example/p) [Pwn](https://evil.example/z",
    )
    data = render.card(make_paper(), lang, extra=extra).to_dict()
    for text in (data.get("description", ""), links_of(data)):
        assert all(u.startswith((*OURS, "https://ok.example/")) for u in link_targets(text)), text
    links = link_targets(links_of(data))
    assert not any("javascript" in u for u in links)
    if lang == "en":
        lines = data["description"].splitlines()
        assert lines[0] == r"**Click (https://evil.example/y) \*\*bold\*\***"
        assert lines[1] == (
            r"See the code (https://evil.example/x) and \*\*this\*\* \|\|now\|\| \`x\`."
        )


def test_a_hit_card_shows_english_first_then_the_matching_lines() -> None:
    paper = make_paper()
    data = render.hit_card(Hit(paper, 0.5, paper.summary[1:]), "en", extra=EXTRA).to_dict()
    lines = data["description"].splitlines()
    assert lines[0] == "__Matching summary lines__"
    assert lines[1] == "**A new method that works.**"
    assert lines[-1] == "• **Technical Details**: 세부 사항입니다."


def test_digest_pages_read_the_enrichment_of_a_page_when_it_is_built() -> None:
    papers = [make_paper(n) for n in range(3)]
    asked: list[list[str]] = []

    def extras(ids):
        asked.append(list(ids))
        return {i: EXTRA for i in ids}

    pages = render.digest_pages("2024-05-30", papers, "en", extras=extras)
    assert asked == []
    page = pages[2]
    assert asked == [["2405.19001"]]
    assert "[Code](" in links_of(page[0].to_dict())


def test_the_abstract_takes_only_the_room_the_bullets_leave() -> None:
    bullets = tuple(f"Point {i}: {'가나다라 ' * 150}" for i in range(4))  # ~3,050 characters
    paper = make_paper(summary=bullets)
    extra = Enrichment("2405.19000", source="hf", abstract="word " * 2000, ai_summary="S")
    embed = render.card(paper, "en", extra=extra)
    within_limits([embed])
    lines = embed.description.splitlines()
    assert lines[1].startswith("word") and lines[1].endswith(render.ELLIPSIS)
    assert len(lines[1]) < render.ABSTRACT_MAX  # clipped to the room, not to the maximum
    assert lines[3:] == [render.bullet_line(b) for b in bullets]
