"""Digest parsing: the whole real archive, its quirks one by one, and small malformed inputs."""

from __future__ import annotations

import logging
import unicodedata
from datetime import date
from pathlib import Path

import pytest

from ingest.parse import (
    ParseResult,
    Skipped,
    parse_paths,
    parse_text,
    unique_papers,
)
from store.models import Paper
from tests.conftest import ARCHIVE

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
CDN = "https://cdn-uploads.huggingface.co/production/uploads/60f1abe7544c2adfd699860c"


@pytest.fixture(scope="module")
def archive() -> ParseResult:
    if not ARCHIVE.is_dir():
        pytest.skip(f"real archive not present at {ARCHIVE}")
    return parse_paths([ARCHIVE])


@pytest.fixture(scope="module")
def by_source(archive: ParseResult) -> dict[str, Paper]:
    return {p.source: p for p in archive.papers}


def entry(text: str, *, source: str = "d.md", day: str | None = "2024-01-02") -> Paper:
    papers, skipped = parse_text(text, source, day)
    assert skipped == []
    assert len(papers) == 1
    return papers[0]


# --- the real archive -------------------------------------------------------------------


def test_whole_archive_parses_without_skips(archive: ParseResult) -> None:
    assert archive.files == 357
    assert len(archive.papers) == 5488
    assert len(unique_papers(archive.papers)) == 5487
    assert archive.skipped == []
    assert all(date.fromisoformat(p.date).isoformat() == p.date for p in archive.papers)


def test_paper_listed_on_two_days_keeps_its_latest_date(archive: ParseResult) -> None:
    listings = [p for p in archive.papers if p.arxiv_id == "2410.09342"]
    assert [p.date for p in listings] == ["2024-10-16", "2024-10-18"]
    kept = unique_papers(archive.papers)["2410.09342"]
    assert (kept.date, kept.source) == ("2024-10-18", "paper_logs/2024/10/18.md:3")


def test_votes_dash_and_missing_are_none_zero_is_zero(archive: ParseResult) -> None:
    no_vote_era = [p for p in archive.papers if p.date <= "2023-12-05"]
    dash = [p for p in archive.papers if p.date > "2023-12-05" and p.votes is None]
    assert len(no_vote_era) == 85
    assert all(p.votes is None for p in no_vote_era)
    assert len(dash) == 32
    assert sum(p.votes == 0 for p in archive.papers) == 102
    for day, dashes in (("2023/12/12", 4), ("2024/05/30", 2)):
        votes = [p.votes for p in archive.papers if p.source.startswith(f"paper_logs/{day}.md:")]
        assert votes.count(None) == dashes


def test_design_example_paper_comes_out_as_documented(archive: ParseResult) -> None:
    paper = next(p for p in archive.papers if p.arxiv_id == "2312.09911")
    data = paper.to_json()
    assert data["title"].startswith("Amphion: ")
    assert data["url"] == "https://arxiv.org/abs/2312.09911"
    assert data["date"] == "2023-12-18"
    assert data["votes"] == 33
    assert data["authors"][:2] == ["Xueyao Zhang", "Liumeng Xue"]
    assert data["summary"][0].startswith("Amphion은 ")
    assert data["media"] == f"{CDN}/_PDKG60wfHH13zPUONSV7.png"
    assert data["source"] == "paper_logs/2023/12/18.md:3"


def test_two_sections_in_one_file(archive: ParseResult) -> None:
    day = [p for p in archive.papers if p.source.startswith("paper_logs/2025/02/19.md:")]
    lines = [int(p.source.rsplit(":", 1)[1]) for p in day]
    assert {p.date for p in day} == {"2025-02-19"}
    assert (sum(n < 459 for n in lines), sum(n > 459 for n in lines)) == (38, 30)


def test_no_tab_control_character_or_decomposed_text_survives(archive: ParseResult) -> None:
    """2024-07-19, 2024-08-07 and 2024-08-08 hold backspaces and form feeds (docs/ARCHIVE.md)."""
    for paper in archive.papers:
        for text in (paper.title, *paper.summary, *paper.authors):
            assert "\t" not in text
            assert not any(unicodedata.category(c) == "Cc" for c in text.replace("\n", ""))
            assert unicodedata.is_normalized("NFC", text)


def _no_hangul(text: str) -> bool:
    return not any("\uac00" <= ch <= "\ud7a3" for ch in text)


QUIRKS = [
    # 2023-11-20: no media, no authors, no vote, indented sub-bullets become bullets
    ("2023/11/20.md:86", "media", None),
    ("2023/11/20.md:86", "authors", ()),
    ("2023/11/20.md:86", "votes", None),
    ("2023/11/20.md:86", "summary", lambda s: len(s) == 10 and s[4].startswith("(1) 다양한")),
    ("2023/11/20.md:86", "title", lambda t: t.startswith("UnifiedVisionGPT: ")),
    # 2023-11-21: no blank lines between blocks; a bare <video> tag
    ("2023/11/21.md:3", "authors", ("Peter Belcak", "Roger Wattenhofer")),
    ("2023/11/21.md:3", "media", f"{CDN}/J4Fjt08cj7la_ElXbOyoR.png"),
    ("2023/11/21.md:13", "media", f"{CDN}/D-WQoAl7gR1AwRZ0RXNkW.mp4"),
    ("2023/11/21.md:172", "title", lambda t: t.startswith("M$^{2}$UGen: Multi-modal")),
    # [Watch Video]URL without parentheses
    ("2023/12/06.md:19", "media", f"{CDN}/d0VHat4w8gM400SkeWPP7.mp4"),
    ("2023/12/06.md:19", "votes", 16),
    # videos inside ![]()
    ("2023/12/12.md:49", "media", f"{CDN}/RaNvTjfckPvfb7f1s2Gfe.webm"),
    ("2023/12/11.md:17", "media", f"{CDN}/AJbMsPax_q2MX_w46LV3M.qt"),
    # [Watch Video](url) followed by a <div><video>
    ("2023/12/18.md:34", "media", f"{CDN}/zRg6h4N4Sc3--BrwQuAqE.mp4"),
    # a literal + token among the authors
    (
        "2024/03/14.md:3",
        "authors",
        lambda a: "+" not in a and a[2:4] == ("Alex Botev", "Laurent Sifre"),
    ),
    # title with LaTeX / brackets / >
    (
        "2024/05/27.md:75",
        "title",
        "AutoCoder: Enhancing Code Large Language Model with \\textsc{AIEV-Instruct}",
    ),
    (
        "2024/12/12.md:15",
        "title",
        "I Don't Know: Explicit Modeling of Uncertainty with an [IDK] Token",
    ),
    ("2023/12/15.md:33", "title", "TinyGSM: achieving >80% on GSM8k with small language models"),
    # labelled bullets, ** era and *** era
    ("2024/06/12.md:3", "summary", lambda s: s[0].startswith("What's New: 최근 이미지 생성")),
    (
        "2024/10/18.md:3",
        "summary",
        lambda s: (
            [b.split(":")[0] for b in s]
            == ["What's New", "Technical Details", "Performance Highlights"]
        ),
    ),
    # Python-list authors
    (
        "2024/10/18.md:3",
        "authors",
        lambda a: len(a) == 14 and a[:2] == ("Zihan Zhou", "Zhixing Tan"),
    ),
    # numbered continuation lines stay inside their bullet
    (
        "2024/07/16.md:63",
        "summary",
        lambda s: (
            len(s) == 3
            and s[1].startswith("Technical Details: 이 논문의 주요 기술적 기여는")
            and "다음과 같습니다:\n1) 정책 네트워크를" in s[1]
            and s[1].count("\n") == 4
        ),
    ),
    ("2024/08/15.md:65", "summary", lambda s: "\n5. **DMU**: " in s[1]),
    # relative avatar image
    (
        "2024/08/23.md:51",
        "media",
        "https://huggingface.co/avatars/bbf781594fc8c812316711aa8e2797aa.svg",
    ),
    # the English-only summary
    (
        "2024/10/08.md:171",
        "summary",
        lambda s: (
            s[0].startswith("What's New: LLaMA-Berry is a new") and all(_no_hangul(b) for b in s)
        ),
    ),
]


@pytest.mark.parametrize(
    ("where", "attribute", "expected"), QUIRKS, ids=[f"{w}-{a}" for w, a, _ in QUIRKS]
)
def test_archive_quirks(by_source: dict[str, Paper], where: str, attribute: str, expected) -> None:
    value = getattr(by_source[f"paper_logs/{where}"], attribute)
    if callable(expected):
        assert expected(value), value
    else:
        assert value == expected


def test_repeated_authors_are_removed_in_order(archive: ParseResult) -> None:
    paper = next(p for p in archive.papers if p.arxiv_id == "2312.09911")
    assert len(paper.authors) == len(set(paper.authors)) == 13
    assert all(
        "+" not in p.authors and len(set(p.authors)) == len(p.authors) for p in archive.papers
    )


def test_shipped_samples_parse_with_their_file_dates() -> None:
    result = parse_paths([SAMPLES])
    assert result.files == 5 and result.skipped == []
    assert {p.date for p in result.papers} == {
        "2023-12-12",
        "2023-12-18",
        "2024-02-16",
        "2024-03-14",
        "2024-05-30",
    }
    assert all(p.source.split(".md:")[0] == p.date for p in result.papers)


# --- small inputs -----------------------------------------------------------------------

GOOD = """\
### [Good Paper](https://arxiv.org/abs/2401.00002v3)

![](https://example.org/a.png)

Vote: 7

Authors: A One, B Two

- 요약 하나.
- 요약 둘.
"""


def test_malformed_entry_is_skipped_with_its_line_and_the_rest_parses(
    caplog: pytest.LogCaptureFixture,
) -> None:
    text = (
        "## Daily Papers (2024-07-16)\n\n### [No Link](https://example.org/x)\n\n- 요약\n\n" + GOOD
    )
    with caplog.at_level(logging.WARNING, logger="ingest.parse"):
        papers, skipped = parse_text(text, "paper_logs/2024/07/16.md")
    assert skipped == [Skipped("paper_logs/2024/07/16.md:3", "no arXiv link in heading")]
    assert "paper_logs/2024/07/16.md:3: no arXiv link in heading" in caplog.text
    assert [(p.arxiv_id, p.date, p.source) for p in papers] == [
        ("2401.00002", "2024-07-16", "paper_logs/2024/07/16.md:7")
    ]


@pytest.mark.parametrize(
    ("heading_and_body", "reason"),
    [
        ("### [Title](https://arxiv.org/abs/2401.00001)\n\nVote: 3\n", "no summary bullets"),
        ("### [Title](https://arxiv.org/abs/not-an-id)\n- x\n", "not an arXiv id: 'not-an-id'"),
        ("### [](https://arxiv.org/abs/2401.00001)\n- x\n", "empty title"),
        ("### Title https://arxiv.org/abs/2401.00001\n- x\n", "no arXiv link in heading"),
        ("### [T](https://arxiv.org/abs/٢٤٠١.٠٠٠٠١)\n- x\n", "not an arXiv id: '٢٤٠١.٠٠٠٠١'"),
        (f"### [T](https://arxiv.org/abs/{'x' * 99})\n- x\n", f"not an arXiv id: '{'x' * 60}...'"),
    ],
)
def test_malformed_entries_give_a_reason(heading_and_body: str, reason: str) -> None:
    papers, skipped = parse_text("\n" + heading_and_body + GOOD, "x.md", "2024-01-02")
    assert skipped == [Skipped("x.md:2", reason)]
    assert skipped[0].arxiv_id == ("2401.00001" if reason == "no summary bullets" else None)
    assert [p.arxiv_id for p in papers] == ["2401.00002"]


def test_entry_fields_and_version_suffix() -> None:
    paper = entry(GOOD)
    assert paper == Paper(
        arxiv_id="2401.00002",
        title="Good Paper",
        url="https://arxiv.org/abs/2401.00002",
        date="2024-01-02",
        votes=7,
        authors=("A One", "B Two"),
        summary=("요약 하나.", "요약 둘."),
        media="https://example.org/a.png",
        source="d.md:1",
    )


def test_title_with_brackets_and_links_uses_the_last_arxiv_link() -> None:
    paper = entry(
        "### [A [B](https://x.org) & *C* $\\sim$ (D)](https://arxiv.org/abs/2312.09911)\n- s\n"
    )
    assert (paper.title, paper.arxiv_id) == ("A [B](https://x.org) & *C* $\\sim$ (D)", "2312.09911")


@pytest.mark.parametrize(
    ("line", "media"),
    [
        ("![](https://x.org/v.qt)", "https://x.org/v.qt"),
        ("[Watch Video](https://x.org/v.mp4)", "https://x.org/v.mp4"),
        ("[Watch Video]https://x.org/v.mp4", "https://x.org/v.mp4"),
        ("<video src='https://x.org/v.mp4'></video>", "https://x.org/v.mp4"),
        (
            '<div><video controls src="https://x.org/v.mp4" muted="false"></video></div>',
            "https://x.org/v.mp4",
        ),
        ("![](/avatars/a.svg)", "https://huggingface.co/avatars/a.svg"),
        ("Vote: 3", None),
    ],
)
def test_media_forms(line: str, media: str | None) -> None:
    assert entry(f"### [T](https://arxiv.org/abs/2401.00001)\n{line}\n- s\n").media == media


@pytest.mark.parametrize(
    ("line", "votes"),
    [
        ("Vote: 12", 12),
        ("Vote: 0", 0),
        ("Vote: -", None),
        ("", None),
        (f"Vote: {'9' * 5000}", None),  # int() refuses over 4,300 digits
    ],
)
def test_votes(line: str, votes: int | None) -> None:
    assert entry(f"### [T](https://arxiv.org/abs/2401.00001)\n{line}\n- s\n").votes == votes


@pytest.mark.parametrize(
    ("line", "authors"),
    [
        ("Authors: A, +, B, A, C, +", ("A", "B", "C")),
        ("Authors: ['A', \"Sean O'Brien\", 'A']", ("A", "Sean O'Brien")),
        ("Authors: ['A', 'B", ("['A'", "'B")),  # not a list after all: plain split
        ("Authors: ['A', 'B'", ("['A'", "'B'")),
        ("Authors: [A, B]", ("A", "B")),  # looks like a list, is not Python: fallback split
        ("Authors: ['e\\u0301', 'B']", ("e\\u0301", "B")),  # kept as written, not unescaped
        # too long for ast (over 50,000 characters): split as text
        ("Authors: ['X, Y', " + "'A', " * 12_000 + "'B']", ("X", "Y", "A", "B")),
        ("Authors: ['X, Y', " + "'A', " * 9_000 + "'B']", ("X, Y", "A", "B")),
    ],
)
def test_authors(line: str, authors: tuple[str, ...]) -> None:
    assert entry(f"### [T](https://arxiv.org/abs/2401.00001)\n{line}\n- s\n").authors == authors


@pytest.mark.parametrize(
    ("bullet", "text"),
    [
        ("- **What's New**: 새로운 점", "What's New: 새로운 점"),
        ("- ***What's New***: 새로운 점", "What's New: 새로운 점"),
        ("- **Limitations:** 한계", "Limitations: 한계"),
        ("- **GPT-4** 는 *강력*하다", "**GPT-4** 는 *강력*하다"),
        ("- 일반 **굵은** 문장: 그대로", "일반 **굵은** 문장: 그대로"),
        ("-\t탭\t문장", "탭 문장"),
    ],
)
def test_bullet_labels_are_kept_as_text(bullet: str, text: str) -> None:
    assert entry(f"### [T](https://arxiv.org/abs/2401.00001)\n\n{bullet}\n").summary == (text,)


def test_sub_bullets_blank_lines_and_continuations() -> None:
    text = "### [T](https://arxiv.org/abs/2401.00001)\n- a:\n  - (1) b\n\n- c\n1) d\n2) e\n\n- f\n"
    assert entry(text).summary == ("a:", "(1) b", "c\n1) d\n2) e", "f")


def test_text_is_nfc_normalised() -> None:
    title, bullet = "한국어 제목", "요약 문장입니다."
    text = f"### [{title}](https://arxiv.org/abs/2401.00001)\nAuthors: 홍길동\n- {bullet}\n"
    paper = entry(unicodedata.normalize("NFD", text))
    assert (paper.title, paper.summary, paper.authors) == (title, (bullet,), ("홍길동",))
    assert unicodedata.normalize("NFD", title) != title


def test_unique_papers_keeps_the_latest_listing_whatever_the_order() -> None:
    first = entry(GOOD, day="2024-10-18")
    second = entry(GOOD, day="2024-10-16")
    assert unique_papers([first, second])["2401.00002"] is first
    assert unique_papers([second, first])["2401.00002"] is first


# --- dates and text that cannot be trusted ----------------------------------------------


@pytest.mark.parametrize("day", ["2024-02-30", "9999-99-99", "2023-13-01", "0000-01-01"])
def test_entries_under_a_heading_date_off_the_calendar_are_skipped(
    day: str, caplog: pytest.LogCaptureFixture
) -> None:
    text = f"## Daily Papers ({day})\n\n{GOOD}\n## Daily Papers (2024-02-29)\n\n{GOOD}"
    with caplog.at_level(logging.WARNING, logger="ingest.parse"):
        # the file name's date is valid, and still not used for the broken section
        papers, skipped = parse_text(text, "paper_logs/2024/02/29.md", "2024-02-29")
    reason = f"heading date {day} (line 1) is not a calendar date"
    assert skipped == [Skipped("paper_logs/2024/02/29.md:3", reason)]
    assert skipped[0].arxiv_id == "2401.00002"  # so an ingest can keep what it indexed before
    assert f"paper_logs/2024/02/29.md:3: {reason}" in caplog.text
    assert [(p.date, p.source) for p in papers] == [("2024-02-29", "paper_logs/2024/02/29.md:16")]


@pytest.mark.parametrize(
    "heading",
    [
        "## Daily Papers",
        "## Daily Papers (2024-2-3)",
        "## Daily Papers (٢٠٢٤-٠٢-٠٣)",
        "## Daily Papers (yesterday)",
        "##  Daily Papers(20240203)",
    ],
)
def test_a_daily_papers_heading_without_a_date_breaks_its_section(heading: str) -> None:
    papers, skipped = parse_text(f"{heading}\n{GOOD}", "x.md", "2024-02-03")
    assert papers == []
    assert skipped == [Skipped("x.md:2", "the section heading on line 1 has no (YYYY-MM-DD) date")]


def test_other_second_level_headings_keep_the_section_date() -> None:
    text = f"## Daily Papers (2024-02-03)\n## Notes\n{GOOD}"
    assert entry(text, day=None).date == "2024-02-03"


def test_a_fallback_date_off_the_calendar_dates_nothing() -> None:
    papers, skipped = parse_text(GOOD, "x.md", "2024-02-30")
    assert papers == []
    assert skipped == [Skipped("x.md:1", "the file's date 2024-02-30 is not a calendar date")]


def test_a_file_of_broken_entries_logs_a_few_and_reports_all(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="ingest.parse"):
        papers, skipped = parse_text("### [x\n" * 500, "x.md", "2024-01-02")
    assert (papers, len(skipped)) == ([], 500)
    assert len(caplog.records) == 21
    assert caplog.records[-1].getMessage() == "x.md: 480 more skipped entries"
