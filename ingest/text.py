"""Digest text -> NFC lines without control characters, in time linear in its length.

NFC reorders and combines runs of combining marks, and CPython does that in time quadratic in
the run's length: a 1 MB line of accents takes minutes. No text has more than 30 of them in a
row (Unicode's stream-safe limit, UAX #15), so a line that does is left as it is and reported,
and the parser skips the entry holding it.
"""

from __future__ import annotations

import re
import unicodedata

MAX_COMBINING = 30
# C0 controls but tab and line feed, DEL, C1 controls: never text. A NUL before `###` hid the
# heading (two entries became one) and NULs reached titles.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _combining_runs() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """MAX_COMBINING + 1 characters in a row that NFC would reorder or combine (combining
    marks, and the few characters that decompose into them): a pattern for text with
    characters beyond U+FFFF and a fast one (a bitmap in `re`) for text without."""
    codes = [
        c
        for c in range(0x300, 0x20000)
        if unicodedata.combining(ch := chr(c))
        or unicodedata.combining(unicodedata.normalize("NFD", ch)[0])
    ]

    def run_of(members: list[int]) -> re.Pattern[str]:
        ranges: list[list[int]] = []
        for code in members:
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1][1] = code
            else:
                ranges.append([code, code])
        spans = "".join(f"\\U{a:08x}-\\U{b:08x}" for a, b in ranges)
        return re.compile(f"[{spans}]{{{MAX_COMBINING + 1}}}")

    return run_of(codes), run_of([c for c in codes if c <= 0xFFFF])


_COMBINING_RUN, _COMBINING_RUN_BMP = _combining_runs()
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


def combining_run(text: str) -> re.Match[str] | None:
    """The first run of more than MAX_COMBINING combining marks in `text`, if any."""
    pattern = _COMBINING_RUN if _ASTRAL.search(text) else _COMBINING_RUN_BMP
    return pattern.search(text)


def nfc_lines(text: str, bad_lines: dict[int, str]) -> list[str]:
    """The `\\n`-separated lines of `text` in NFC. A line with too many combining marks in a
    row is left as it is and added to `bad_lines` ({1-based line: why})."""
    if combining_run(text) is None:
        return unicodedata.normalize("NFC", text).split("\n")
    lines = text.split("\n")
    for number, line in enumerate(lines, start=1):
        if combining_run(line):
            bad_lines.setdefault(number, f"has more than {MAX_COMBINING} combining marks in a row")
        else:
            lines[number - 1] = unicodedata.normalize("NFC", line)
    return lines


def drop_controls(text: str) -> tuple[str, int, int | None]:
    """`text` without control characters (tab and line feed stay, so lines keep their
    numbers): (text, how many were removed, the line of the first or None)."""
    first = _CONTROL.search(text)
    if first is None:
        return text, 0, None
    cleaned, removed = _CONTROL.subn("", text)
    return cleaned, removed, text.count("\n", 0, first.start()) + 1
