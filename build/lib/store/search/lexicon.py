"""A Korean <-> English term lexicon mined from the summaries themselves, for BM25.

The summaries gloss their jargon: `환각(hallucination)`, `직접 선호 최적화(Direct Preference
Optimization; DPO)`, less often `LLM(대형 언어 모델)`. Each gloss pairs a few Korean words with a
few English words without saying which word is which, so the lexicon counts co-occurrences over
all glosses and keeps, for every English word, the Korean words most associated with it (Dice
coefficient), and the reverse. A question's words then also look for their other-language
tokens: an English question can match a Korean-only summary sentence.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from store.search.tokens import FUNCTION_WORDS, query_tokens, tokenize

# `한국어 용어(English term; ABBR)`: up to four Korean words right before a parenthesis that
# opens with a Latin letter; `English term(한국어 용어)` the other way round.
_KO_EN = re.compile(
    r"((?:[\uac00-\ud7a3]+ ){0,3}[\uac00-\ud7a3]+) ?\(([A-Za-z][^()\uac00-\ud7a3]{0,60})\)"
)
_EN_KO = re.compile(
    r"((?:[A-Za-z][\w\-]* ){0,3}[A-Za-z][\w\-]*) ?\(([\uac00-\ud7a3][\uac00-\ud7a3 ]{0,30})\)"
)
_PARTICLES = "은|는|이|가|을|를|의|에|로|으로|와|과|도|에서"
_PARTICLE = re.compile(rf"(?<=[\uac00-\ud7a3]{{2}})(?:{_PARTICLES})$")
_ONLY_PARTICLE = re.compile(rf"(?:{_PARTICLES})$")

Pair = tuple[tuple[str, ...], tuple[str, ...]]  # (Korean words, English words)


def english_key(word: str) -> str:
    """Lowercase and drop a plural `s`, so "scanners" meets "scanner"."""
    word = word.lower()
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def _korean_words(text: str) -> list[str]:
    return [_PARTICLE.sub("", w) for w in text.split() if not _ONLY_PARTICLE.fullmatch(w)]


def _english_words(text: str) -> list[str]:
    # tokenize() keeps the parts of "state-of-the-art"; function words never become entries
    return [
        english_key(t)
        for t in tokenize(text)
        if not t.isdigit() and len(t) > 1 and t not in FUNCTION_WORDS
    ]


def extract_pairs(text: str) -> list[Pair]:
    """Every gloss in a passage, as (Korean words, English words); the Korean side keeps at most
    one word more than the English side has (the words nearest the parenthesis)."""
    pairs: list[Pair] = []
    for korean, english in _KO_EN.findall(text):
        en = _english_words(english)
        ko = _korean_words(korean)[-(len(en) + 1) :] if en else []
        if en and ko:
            pairs.append((tuple(ko), tuple(en)))
    for english, korean in _EN_KO.findall(text):
        ko = _korean_words(korean)
        en = _english_words(english)[-(len(ko) + 1) :] if ko else []
        if en and ko:
            pairs.append((tuple(ko), tuple(en)))
    return pairs


@dataclass(frozen=True)
class Lexicon:
    """word -> [(other-language word, association in (0, 1])], best first."""

    en_to_ko: dict[str, list[tuple[str, float]]]
    ko_to_en: dict[str, list[tuple[str, float]]]

    @classmethod
    def mine(
        cls, pairs: Iterable[Pair], min_count: int = 2, min_dice: float = 0.05, top: int = 3
    ) -> Lexicon:
        together: Counter[tuple[str, str]] = Counter()
        ko_count: Counter[str] = Counter()
        en_count: Counter[str] = Counter()
        for ko, en in pairs:
            ko_set, en_set = set(ko), set(en)
            ko_count.update(ko_set)
            en_count.update(en_set)
            together.update((k, e) for k in ko_set for e in en_set)
        en_to_ko: dict[str, list[tuple[str, float]]] = {}
        ko_to_en: dict[str, list[tuple[str, float]]] = {}
        for (k, e), n in together.items():
            if n < min_count:
                continue
            dice = 2 * n / (ko_count[k] + en_count[e])
            if dice >= min_dice:
                en_to_ko.setdefault(e, []).append((k, dice))
                ko_to_en.setdefault(k, []).append((e, dice))
        for table in (en_to_ko, ko_to_en):
            for word, options in table.items():
                table[word] = sorted(options, key=lambda o: -o[1])[:top]
        return cls(en_to_ko, ko_to_en)

    def expand(self, question: str, weight: float = 0.5) -> dict[str, float]:
        """BM25 query-token weights: the question's own tokens at 1, the tokens of each word's
        other-language equivalents at `weight` x association (the best one when several words
        lead to the same token)."""
        weights = dict.fromkeys(query_tokens(question), 1.0)
        extra: dict[str, float] = {}
        for word, table in self._words(question):
            for other, assoc in table.get(word, ()):
                for token in tokenize(other):
                    if token not in weights:
                        extra[token] = max(extra.get(token, 0.0), weight * assoc)
        return weights | extra

    def _words(self, question: str) -> list[tuple[str, dict[str, list[tuple[str, float]]]]]:
        words: list[tuple[str, dict[str, list[tuple[str, float]]]]] = []
        for run in re.findall(r"[\uac00-\ud7a3]+|[A-Za-z][A-Za-z\-]+", question):
            if "\uac00" <= run[0] <= "\ud7a3":
                # a trailing particle goes ("환각을" -> "환각"); a compound written without a
                # space ("보상모델") is not split and finds nothing
                words.append((_PARTICLE.sub("", run), self.ko_to_en))
            else:
                words.extend(
                    (english_key(p), self.en_to_ko)
                    for p in run.split("-")
                    if p and p.lower() not in FUNCTION_WORDS
                )
        return words

    def __len__(self) -> int:
        return len(self.en_to_ko) + len(self.ko_to_en)
