"""Query and passage tokens shared by BM25 and the term lexicon.

Hangul runs become character bigrams (a one-syllable run stays a unigram), so Korean particles
and compounds still share most tokens with the query; Latin and digit runs are lowercased words
(hyphenated/dotted ones also split into parts), a few English stop words dropped.
"""

from __future__ import annotations

import re
import unicodedata

_TOKEN = re.compile(r"[\uac00-\ud7a3]+|[a-z0-9]+(?:[.\-][a-z0-9]+)*")
_STOP = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "for",
        "and",
        "or",
        "to",
        "in",
        "on",
        "with",
        "by",
        "is",
        "are",
        "was",
        "be",
        "as",
        "at",
        "from",
        "that",
        "this",
        "it",
        "its",
        "what",
        "which",
        "how",
        "do",
        "does",
        "can",
        "any",
        "paper",
        "papers",
        "about",
        "using",
        "use",
        "via",
    ]
)


# Words too common to carry meaning in a question or a translation. A question's BM25 tokens
# leave them out (in Korean summaries English words are rare, so "even" or "each" in a title
# would count as much as a term of art), and the term lexicon neither mines nor expands them:
# "state-of-the-art(최첨단)" must not teach it that "the" means 최첨단. Passage tokens keep them.
FUNCTION_WORDS = _STOP | frozenset(
    [
        "all",
        "also",
        "am",
        "among",
        "another",
        "been",
        "before",
        "being",
        "both",
        "but",
        "each",
        "either",
        "even",
        "ever",
        "every",
        "few",
        "had",
        "has",
        "have",
        "he",
        "her",
        "here",
        "him",
        "his",
        "i",
        "if",
        "into",
        "just",
        "many",
        "may",
        "me",
        "might",
        "more",
        "most",
        "much",
        "must",
        "my",
        "no",
        "nor",
        "not",
        "now",
        "off",
        "once",
        "one",
        "only",
        "other",
        "our",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "since",
        "so",
        "some",
        "such",
        "than",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "those",
        "though",
        "through",
        "too",
        "under",
        "until",
        "up",
        "upon",
        "us",
        "very",
        "we",
        "were",
        "when",
        "where",
        "whether",
        "while",
        "who",
        "whom",
        "whose",
        "why",
        "will",
        "would",
        "yet",
        "you",
        "your",
    ]
)


def query_tokens(text: str) -> list[str]:
    """A question's BM25 tokens: `tokenize` without the function words."""
    return [t for t in tokenize(text) if t not in FUNCTION_WORDS]


def tokenize(text: str) -> list[str]:
    text = unicodedata.normalize("NFC", text).lower()
    tokens: list[str] = []
    for run in _TOKEN.findall(text):
        if "\uac00" <= run[0] <= "\ud7a3":
            if len(run) == 1:
                tokens.append(run)
            else:
                tokens.extend(run[i : i + 2] for i in range(len(run) - 1))
        elif run not in _STOP:
            tokens.append(run)
            if "-" in run or "." in run:  # "multi-view" also matches "multi view"
                tokens.extend(part for part in re.split(r"[.\-]", run) if part)
    return tokens
