"""Per-question choices of the hybrid ranker: how much the dense side counts and which tokens
BM25 looks for, both by the question's language.

English questions want the dense side and Korean ones the lexical side (dev set v2: no single
fixed weight serves both), so the dense weight and the abstention cut move linearly with the
share of Hangul in the question, between an English and a Korean setting. An English question's
words also look for their Korean glosses through the lexicon mined from the summaries.
"""

from __future__ import annotations

from store.search.lexicon import Lexicon
from store.search.tokens import query_tokens


def hangul_share(text: str) -> float:
    """Share of the question's words that hold Hangul (0 for an English question); by words,
    since one syllable carries as much as a few Latin letters ("LLM 추론 속도 올리는
    speculative 방식": 4 of 6)."""
    words = [w for w in text.split() if any(c.isalpha() for c in w)]
    if not words:
        return 0.0
    return sum(any("\uac00" <= c <= "\ud7a3" for c in w) for w in words) / len(words)


def by_language(question: str, korean: float, english: float | None) -> float:
    """`korean` for an all-Hangul question, `english` for one without Hangul, linear between;
    `english=None` means no per-language setting."""
    if english is None:
        return korean
    share = hangul_share(question)
    return share * korean + (1 - share) * english


def dense_weight(
    question: str, coverage: float, korean: float, english: float | None, weak_below: float
) -> float:
    """The dense side's weight: `english` for a question without Hangul whose best BM25
    passage covers less than `weak_below` of it (a vague English paraphrase, where USE is the
    better judge), `korean` for a Korean one or one whose words BM25 finds (a model name, a
    term of art), linear in the Hangul share between."""
    return by_language(question, korean, english if coverage < weak_below else None)


def lexical_query(question: str, lexicon: Lexicon | None, weight: float) -> dict[str, float]:
    """BM25 token weights: the question's tokens (no function words), plus their lexicon
    glosses at `weight`."""
    if lexicon is None or weight <= 0:
        return dict.fromkeys(query_tokens(question), 1.0)
    return lexicon.expand(question, weight)
