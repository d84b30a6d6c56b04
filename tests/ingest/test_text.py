"""NFC in linear time: lines with more combining marks in a row than any text has are left
alone and reported, and the parser skips the entry holding them; control characters are removed
(ingest/text.py)."""

from __future__ import annotations

import logging
import unicodedata

import pytest

from ingest.parse import Skipped, parse_text
from ingest.text import MAX_COMBINING, combining_run, nfc_lines

GOOD = """\
### [Good Paper](https://arxiv.org/abs/2401.00002)

- 요약 하나.
- 요약 둘.
"""


@pytest.mark.parametrize(
    ("marks", "too_many"),
    [
        ("\u0301" * MAX_COMBINING, False),
        ("\u0301" * (MAX_COMBINING + 1), True),
        ("\u0316\u0301" * 16, True),
        ("\u0f73" * (MAX_COMBINING + 1), True),  # ccc 0 itself, decomposes into two marks
        ("\U0001d165" * (MAX_COMBINING + 1), True),  # beyond U+FFFF
        ("\u0301\U0001d165" * 16, True),
        ("\u1100\u1161" * 100, False),  # Hangul jamo compose, in linear time
        ("\u0301" * 20 + "a" + "\u0301" * 20, False),
    ],
)
def test_combining_run(marks: str, too_many: bool) -> None:
    assert bool(combining_run("x" + marks + "y")) is too_many


def test_nfc_lines_leaves_and_reports_only_the_lines_with_a_long_run() -> None:
    decomposed = unicodedata.normalize("NFD", "한국어 é")
    run = "a" + "\u0301" * (MAX_COMBINING + 1)
    bad: dict[int, str] = {}
    assert nfc_lines(f"{decomposed}\n{run}\n{decomposed}", bad) == ["한국어 é", run, "한국어 é"]
    assert bad == {2: "has more than 30 combining marks in a row"}
    assert nfc_lines(decomposed, bad) == ["한국어 é"]


def test_a_long_run_of_combining_marks_skips_its_entry_and_the_rest_is_nfc() -> None:
    marks = "\u0316\u0301" * 15  # 30 marks NFC must reorder: still text
    text = (
        "### [T](https://arxiv.org/abs/2401.00001)\n- a" + marks + "\n\n"
        "### [T](https://arxiv.org/abs/2401.00003)\n- b"
        + marks
        + "\u0301\n\n"
        + unicodedata.normalize("NFD", GOOD)
    )
    papers, skipped = parse_text(text, "x.md", "2024-01-02")
    assert [p.arxiv_id for p in papers] == ["2401.00001", "2401.00002"]
    assert papers[0].summary == (unicodedata.normalize("NFC", "a" + marks),)
    assert papers[1].summary == ("요약 하나.", "요약 둘.")
    assert skipped == [Skipped("x.md:4", "line 5 has more than 30 combining marks in a row")]


def test_control_characters_are_removed_and_never_merge_entries(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A NUL before a heading hid it, so two entries became one (the second one's heading a
    line of the first one's last bullet) and NULs reached titles. Control characters are never
    text: they are removed (tabs become spaces as before; line ends stay), and logged."""
    text = (
        "## Daily Papers (2024-05-30)\n\n"
        "### [A\x00 title\x1b](https://arxiv.org/abs/2401.00001)\n\n"
        "Authors: Kim\x07 Minsu\n\n- 첫 요약\x00입니다.\n"
        "\x00### [B title](https://arxiv.org/abs/2401.00002)\n\n"
        "- 둘째\x7f 요약\x85입니다.\x0c\n- 셋째\t요약.\n"
    )
    with caplog.at_level(logging.WARNING, logger="ingest.parse"):
        papers, skipped = parse_text(text, "x.md")
    assert skipped == []
    assert [(p.arxiv_id, p.title, p.summary, p.source) for p in papers] == [
        ("2401.00001", "A title", ("첫 요약입니다.",), "x.md:3"),
        ("2401.00002", "B title", ("둘째 요약입니다.", "셋째 요약."), "x.md:8"),
    ]
    assert papers[0].authors == ("Kim Minsu",)
    assert "x.md: removed 8 control characters (the first on line 3)" in caplog.text


def test_text_without_control_characters_is_kept_as_it_is() -> None:
    """Only C0/C1 controls and DEL go: zero-width joiners, bidi marks and U+FFFD are text."""
    bullet = "이모지 👩\u200d💻 와 \u200f마크 그리고 \ufffd 문자."
    papers, _ = parse_text(
        f"### [T](https://arxiv.org/abs/2401.00001)\n- {bullet}\n", "x.md", "2024-01-02"
    )
    assert papers[0].summary == (bullet,)
