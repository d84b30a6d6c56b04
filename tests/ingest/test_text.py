"""NFC in linear time: lines with more combining marks in a row than any text has are left
alone and reported, and the parser skips the entry holding them (ingest/text.py)."""

from __future__ import annotations

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
