"""Query and passage tokens shared by BM25 and the term lexicon.

Hangul runs become character bigrams (a one-syllable run stays a unigram), so Korean particles
and compounds still share most tokens with the query; Latin and digit runs are lowercased words
(hyphenated/dotted ones also split into parts), a few English stop words dropped.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

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


# Words of a Korean question that ask rather than say what about ("정리해줘", "방법", "논문"):
# left out of its BM25 tokens by `question_weights(asks=True)`. A word also goes when it ends
# like a request or a question ("알려줄래", "있나요", "할까"). Listed from Korean usage, not
# fitted to the dev rows.
ASK_WORDS = frozenset(
    [
        "거",
        "것",
        "게",
        "건",
        "방법",
        "방식",
        "연구",
        "논문",
        "내용",
        "어떻게",
        "어떤",
        "무슨",
        "뭐",
        "뭐가",
        "뭐야",
        "뭔지",
        "무엇",
        "관련",
        "관련된",
        "대한",
        "대해",
        "대해서",
        "있어",
        "있나",
        "있나요",
        "있는",
        "있었는데",
        "있을까",
        "있는지",
        "찾아줘",
        "알려줘",
        "정리해줘",
        "설명해줘",
        "요약해줘",
        "추천해줘",
        "보여줘",
        "궁금해",
        "궁금한데",
        "싶어",
        "좀",
        "혹시",
        "얼마야",
    ]
)
_ASKING = re.compile(r"(?:줘|줘요|줄래|나요|까|까요|니|냐|래요|인가요|인지)$")
_PARTICLE = re.compile(
    r"(?<=[\uac00-\ud7a3]{2})(?:은|는|이|가|을|를|의|에|로|으로|와|과|도|에서|에게|이랑|랑|까지|부터|보다|처럼|만)$"
)
_ENDING = re.compile(r"(?<=[\uac00-\ud7a3]{2})(?:하는|되는|하고|하기|해서|하여|한|된|적인|적으로)$")


def strip_particle(word: str) -> str:
    """A Korean word without a trailing particle ("환각을" -> "환각"; two syllables stay)."""
    return _PARTICLE.sub("", word)


def question_weights(
    text: str,
    norm: float = 0.0,
    strip: int = 0,
    asks: bool = False,
    idf: Callable[[str], float] | None = None,
) -> dict[str, float]:
    """A question's BM25 token weights. By default each token of `query_tokens` at 1: a Hangul
    word counts once per character bigram, so a long transliterated word ("멀티모달": 3) outweighs
    the short one that carries the meaning ("환각": 1). `norm` p weighs each of a word's n
    bigrams n^-p (1: the word's bigrams share one word's weight); with `idf`, instead, the
    bigrams share the weight of the word's rarest one (each bigram's weight times its idf sums
    to the largest idf among them). `strip` 1 drops a trailing particle before the bigrams are
    made ("환각을" -> "환각"), 2 also a verb ending ("줄이는" -> "줄이"); `asks` leaves out the
    words that only ask (ASK_WORDS, request endings). Latin tokens weigh 1 as before."""
    weights: dict[str, float] = {}
    for run in _TOKEN.findall(unicodedata.normalize("NFC", text).lower()):
        if not "\uac00" <= run[0] <= "\ud7a3":
            for token in tokenize(run):
                if token not in FUNCTION_WORDS:
                    weights.setdefault(token, 1.0)
            continue
        if asks and (_PARTICLE.sub("", run) in ASK_WORDS or _ASKING.search(run)):
            continue
        if strip:
            run = _ENDING.sub("", run) if strip > 1 else run
            run = _PARTICLE.sub("", run)
        grams = tokenize(run)
        if idf is not None:
            scores = [max(idf(g), 1e-6) for g in grams]
            share = [max(scores) / sum(scores)] * len(grams)
        else:
            share = [len(grams) ** -norm] * len(grams)
        for gram, weight in zip(grams, share):
            weights[gram] = max(weights.get(gram, 0.0), weight)
    return weights
