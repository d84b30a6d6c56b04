"""`/trend` and `paperbot trend`: how many papers match a topic, week by week.

A paper matches by the rule `/ask` uses to decide "nothing relevant" (store/search/retrieval.py),
applied to each paper: its best passage holds the topic's whole BM25 weight (coverage >= 1), or
its best passage's cosine reaches the embedder's calibrated cut. The lexical side scores every
passage in the window (one sparse column sum); the dense side looks at the DENSE_POOL nearest
passages in the window (one Chroma query), which bounds the cost on a large archive.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from store.dates import date_int, window
from store.index import Index
from store.models import Paper
from store.search.retrieval import (
    MIN_COVERAGE,
    chroma_where,
    cosine_cut,
    dense_passages,
    query_weights,
)

DENSE_POOL = 3000
PEAK_WEEKS = 3
PEAK_PAPERS = 3


@dataclass(frozen=True)
class Trend:
    topic: str
    since: str
    until: str
    weeks: list[tuple[str, int]]  # (Monday of the week, matching papers), every week in order
    papers: list[Paper]  # the matching papers, newest first
    peaks: list[tuple[str, list[Paper]]]  # the busiest weeks, each with its top-voted papers

    @property
    def total(self) -> int:
        return len(self.papers)


def monday(day: str) -> date:
    start = date.fromisoformat(day)
    return start - timedelta(days=start.weekday())


def week_starts(since: str, until: str) -> list[str]:
    """Every week (its Monday) from the one holding `since` to the one holding `until`."""
    first, last = monday(since), monday(until)
    return [(first + timedelta(weeks=n)).isoformat() for n in range((last - first).days // 7 + 1)]


def matching_papers(
    index: Index, topic: str, since: str | None = None, until: str | None = None
) -> list[Paper]:
    """The papers in the window that the relevance rule of /ask lets through for `topic`."""
    lo, hi = date_int(since), date_int(until)
    found: set[str] = set()
    snap = index.lexical.snapshot()  # the BM25 matrix /ask ranks with
    weights = query_weights(index, topic)
    scores, ideal = snap.scores(weights), snap.ideal(weights)
    if scores is not None and ideal > 0:
        mask = scores >= MIN_COVERAGE * ideal
        if lo is not None:
            mask &= snap.dates >= lo
        if hi is not None:
            mask &= snap.dates <= hi
        found.update(snap.ids[i].split("#")[0] for i in np.flatnonzero(mask))
    cut = cosine_cut(index, topic)
    total = index.chunks.count()
    if cut is not None and total:
        vector = index.embedder.embed_query(topic)
        nearest = dense_passages(index, vector, min(DENSE_POOL, total), chroma_where(lo, hi, None))
        found.update(cid.split("#")[0] for cid, cosine in nearest if cosine >= cut)
    papers = [p for a in found if (p := index.get(a)) is not None]
    inside = [
        p
        for p in papers
        if (since is None or p.date >= since) and (until is None or p.date <= until)
    ]
    return sorted(inside, key=lambda p: (p.date, p.votes or 0, p.arxiv_id), reverse=True)


def trend(index: Index, topic: str, period: str = "all") -> Trend | None:
    """Matching papers per week over the period ending at the latest digest; None while
    nothing is indexed."""
    dates = index.dates()
    if not dates:
        return None
    since, until = window(period, dates[0], dates[-1])
    papers = matching_papers(index, topic, since, until)
    weeks = dict.fromkeys(week_starts(since, until), 0)
    by_week: dict[str, list[Paper]] = {}
    for paper in papers:
        week = monday(paper.date).isoformat()
        weeks[week] += 1
        by_week.setdefault(week, []).append(paper)
    busiest = sorted(by_week, key=lambda w: (-len(by_week[w]), w))[:PEAK_WEEKS]
    peaks = [
        (week, sorted(by_week[week], key=lambda p: -(p.votes or 0))[:PEAK_PAPERS])
        for week in busiest
    ]
    return Trend(topic, since, until, list(weeks.items()), papers, peaks)


# -- the weekly roll-up: topics that grew --------------------------------------------------
_TITLE_STOP = frozenset(
    [
        "with",
        "from",
        "that",
        "this",
        "into",
        "over",
        "under",
        "towards",
        "toward",
        "their",
        "them",
        "than",
        "then",
        "when",
        "where",
        "which",
        "while",
        "your",
        "more",
        "most",
        "via",
        "using",
        "based",
        "large",
        "model",
        "models",
        "language",
        "learning",
        "data",
        "paper",
        "approach",
        "method",
        "methods",
        "towards",
        "efficient",
        "new",
    ]
)


@dataclass(frozen=True)
class Growth:
    key: str  # lowercased English term
    label: str  # as shown: "확산 모델 (diffusion model)" or a title word
    this_week: int  # papers of the week carrying it
    before: float  # papers per week carrying it over the four weeks before


def paper_terms(paper: Paper) -> dict[str, str]:
    """A paper's terms: the summary's `한국어 용어(English term)` glosses and the title's words
    (four letters or more, common words left out); lowercased key -> label."""
    from store.search.lexicon import extract_pairs

    terms: dict[str, str] = {}
    for korean, english in extract_pairs("\n".join(paper.summary)):
        terms.setdefault(" ".join(english).lower(), f"{' '.join(korean)} ({' '.join(english)})")
    for word in re.findall(r"[A-Za-z][A-Za-z0-9-]{3,}", paper.title):
        if word.lower() not in _TITLE_STOP:
            terms.setdefault(word.lower(), word)
    return terms


def growing_terms(index: Index, until: str, n: int = 5) -> list[Growth]:
    """The terms whose papers in the week ending `until` outnumber their weekly average over
    the four weeks before the most (at least two papers this week)."""
    end = date.fromisoformat(until)
    start = end - timedelta(days=6)
    earliest = start - timedelta(weeks=4)
    week: dict[str, int] = {}
    before: dict[str, int] = {}
    labels: dict[str, str] = {}
    for paper in index.by_id.values():
        day = date.fromisoformat(paper.date)
        if not earliest <= day <= end:
            continue
        counts = week if day >= start else before
        for key, label in paper_terms(paper).items():
            counts[key] = counts.get(key, 0) + 1
            labels.setdefault(key, label)
    grown = [
        Growth(key, labels[key], count, before.get(key, 0) / 4)
        for key, count in week.items()
        if count >= 2 and count > before.get(key, 0) / 4
    ]
    grown.sort(key=lambda g: (-(g.this_week + 1) / (g.before + 1), -g.this_week, g.key))
    return grown[:n]
