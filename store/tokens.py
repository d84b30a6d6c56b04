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
