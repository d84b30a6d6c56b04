"""Text a member or an operator types (questions, topics, names): the characters that show
nothing are removed. A topic of only zero-width spaces was accepted and listed as blank, and a
right-to-left override was echoed back, turning the rest of the reply around."""

from __future__ import annotations

import re

# Zero-width: spaces, joiners, word joiner and invisible operators, BOM, Mongolian vowel
# separator, soft hyphen, combining grapheme joiner, the stand-alone Hangul fillers (U+3164,
# U+FFA0: never part of written Korean, a known way to post a blank name).
_ZERO_WIDTH = "\u200b-\u200d\u2060-\u2064\ufeff\u180e\u00ad\u034f\u3164\uffa0"
# Bidi controls: marks, embeddings and overrides, isolates.
_BIDI = "\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069"
_INVISIBLE = re.compile(f"[{_ZERO_WIDTH}{_BIDI}\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f]")


def without_invisible(text: str) -> str:
    """`text` without zero-width, bidi control and control characters; all else as typed."""
    return _INVISIBLE.sub("", text)


def visible(text: str) -> str:
    """A question or topic as searched, stored and shown: invisible characters removed and
    whitespace runs made one space. Empty when nothing visible was typed."""
    return " ".join(without_invisible(text).split())
