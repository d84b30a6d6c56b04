"""Per-question choices of the hybrid ranker: how much the dense side counts and which tokens
BM25 looks for, both by the question's language.

English questions want the dense side and Korean ones the lexical side (dev set v2: no single
fixed weight serves both), so the dense weight and the abstention cut move linearly with the
share of Hangul in the question, between an English and a Korean setting. An English question's
words also look for their Korean glosses through the lexicon mined from the summaries.
"""

from __future__ import annotations

from store.lexicon import Lexicon
from store.tokens import tokenize


def hangul_share(text: str) -> float:
    """Share of the question's letters that are Hangul syllables (0 for an English question)."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return 0.0
    return sum("\uac00" <= c <= "\ud7a3" for c in letters) / len(letters)


def by_language(question: str, korean: float, english: float | None) -> float:
    """`korean` for an all-Hangul question, `english` for one without Hangul, linear between;
    `english=None` means no per-language setting."""
    if english is None:
        return korean
    share = hangul_share(question)
    return share * korean + (1 - share) * english


def lexical_query(question: str, lexicon: Lexicon | None, weight: float) -> dict[str, float]:
    """BM25 token weights: the question's tokens, plus their lexicon glosses at `weight`."""
    if lexicon is None or weight <= 0:
        return dict.fromkeys(tokenize(question), 1.0)
    return lexicon.expand(question, weight)
