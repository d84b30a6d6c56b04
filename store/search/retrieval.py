"""Hybrid retrieval: dense (Chroma) + BM25 (ours), fused per paper, with a "nothing relevant" call.

Fusion is a convex combination of per-query normalised scores (docs/ARCHITECTURE.md, "Retrieval": it beat
reciprocal rank fusion at every k on the dev set, most on English questions, whose best
evidence often sits in only one of the two lists). A paper scores by its best passage.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from store.dates import date_int
from store.index import Index
from store.models import Answer, Hit, Paper
from store.search.bridge import BRIDGE_CUT, bridge_weights
from store.search.english import english_lists
from store.search.fusion import by_language, dense_weight, hangul_share, lexical_query
from store.search.lexical import tokenize
from store.search.tokens import question_weights

# "Nothing relevant" needs both signals to say so. Dense: best-passage cosine below the cut,
# per embedder (cosines are not comparable across models; an embedder without a calibration
# never abstains) and per language (Korean, English; linear in the Hangul share between).
# USE on the full archive, dev v1 + v2: Korean off-topic questions top out at 0.297 (a
# "PyTorch/CUDA install error" trap), Korean paper questions start at 0.331; English traps reach
# 0.282 (GPU price) and 0.280 (pandas crash), English paper questions start at 0.345. The
# English cut sits low in its gap because a smaller corpus has lower best cosines (the 62-paper
# samples answer "text-to-video generation quality with reward feedback" at 0.299).
# Lexical: no passage holds the question's whole token weight (coverage < 1; off-topic
# questions, long or short, reach 0.11-0.78, on-topic keywords 1.5-1.9), so a short on-topic
# keyword question ("강화학습", cosine 0.24) is still answered while "주식 추천" (0.67) is not.
ABSTAIN_BELOW = {"use": (0.31, 0.29)}  # (Korean, English)
MIN_COVERAGE = 1.0


@dataclass(frozen=True)
class RetrievalConfig:
    name: str = "hybrid"
    dense: bool = True
    lexical: bool = True
    pool: int = 100  # passages taken from each ranker before fusion
    dense_weight: float = 0.4  # lexical gets 1 - dense_weight
    abstain_below: float | None = None  # None: the embedder's calibration (both languages)
    # per-language settings (store/search/fusion.py): the value for a question without Hangul; the
    # fields above then hold the all-Hangul value. None: one setting for both languages.
    dense_weight_en: float | None = 0.5
    abstain_below_en: float | None = None  # with abstain_below: the English cut
    # the English dense weight applies only while BM25 covers less of the question than this
    # (a vague English question); one whose words BM25 finds keeps `dense_weight`
    weak_lexical_below: float = 0.25
    expand: float = 0.6  # weight of the question's lexicon glosses in BM25 (0: off)
    # a Korean word's bigrams in the question (store/search/tokens.py, question_weights): each of n
    # weighs n^-word_norm; word_idf=1: they share the weight of the rarest; strip 1: a
    # trailing particle goes first, 2: a verb ending too; asks=1: words that only ask go
    word_norm: float = 0.5
    word_idf: int = 0
    strip: int = 0
    asks: int = 0
    # the lexical side's per-query normalisation: a Korean question's BM25 scores are floored at
    # the pool's weakest paper, as the dense side's are ((s - min) / (max - min)); an English
    # one's stay s / max; linear in the Hangul share between (0: s / max for every question).
    # A Korean question's common words (모델, 멀티모달) lift every passage in the pool, and
    # without the floor that shared base leaves little between the paper matching the word
    # that matters (환각) and the rest, so the dense side decides alone.
    lexical_floor: float = 1.0
    # English -> Korean word bridge (store/search/bridge.py) for an English question whose BM25
    # coverage is below weak_lexical_below: weight x cosine per bridged token (0: off); the
    # cut is the embedder's (BRIDGE_CUT) unless set here
    bridge: float = 0.7
    bridge_cut: float | None = None
    bridge_top: int = 3
    # levers measured for issue 15 (off by default; docs/EVALUATION.md "Retrieval v3"):
    # bridge_below: the coverage under which the bridge applies (None: weak_lexical_below; the
    # dense weight keeps weak_lexical_below); bridge_decay: the n-th neighbour of a word (0-based)
    # weighs decay^n (0: all equal, as shipped)
    bridge_below: float | None = None
    bridge_decay: float = 0.0
    # the English field of enriched papers (store/search/english.py): each of its two lists
    # (BM25, dense) at this weight for a question without Hangul, linear in the Hangul share
    # (an all-Hangul question: 0, unchanged); 0: off
    english: float = 0.15


HYBRID = RetrievalConfig()
CONFIGS = {
    "hybrid": HYBRID,
    "dense": RetrievalConfig(name="dense", lexical=False, dense_weight=1.0, dense_weight_en=None),
    "bm25": RetrievalConfig(name="bm25", dense=False, dense_weight=0.0, dense_weight_en=None),
}


def chroma_where(since: int | None, until: int | None, min_votes: int | None) -> dict | None:
    """The date window and vote floor as a Chroma metadata filter (None: no filter)."""
    clauses = []
    if since is not None:
        clauses.append({"date": {"$gte": since}})
    if until is not None:
        clauses.append({"date": {"$lte": until}})
    if min_votes is not None:
        clauses.append({"votes": {"$gte": min_votes}})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def dense_passages(
    index: Index, vector: np.ndarray, n: int, where: dict | None
) -> list[tuple[str, float]]:
    """(chunk id, cosine) best first; the window is applied inside Chroma. Texts are fetched
    later for the few passages shown (asking Chroma for 100 documents costs 3 ms more)."""
    result = index.chunks.query(
        query_embeddings=[vector], n_results=n, where=where, include=["distances"]
    )
    return [(cid, 1.0 - dist) for cid, dist in zip(result["ids"][0], result["distances"][0])]


def _best_per_paper(ranked: list[tuple[str, float]]) -> dict[str, tuple[str, float]]:
    """arxiv id -> (its best passage id, score), from a best-first passage list."""
    best: dict[str, tuple[str, float]] = {}
    for cid, score in ranked:
        best.setdefault(cid.split("#")[0], (cid, score))
    return best


def _normalised(best: dict[str, tuple[str, float]], floor: bool) -> dict[str, float]:
    if not best:
        return {}
    scores = [s for _, s in best.values()]
    low = min(scores) if floor else 0.0
    span = max(max(scores) - low, 1e-9)
    return {aid: (s - low) / span for aid, (_, s) in best.items()}


def _lexical_normalised(
    lexical: dict[str, tuple[str, float]], question: str, floor: float
) -> dict[str, float]:
    """BM25 scores per paper in [0, 1]: s / max for an English question, (s - min) / (max - min)
    for a Korean one at `floor` 1 (RetrievalConfig.lexical_floor), linear in the Hangul share."""
    plain = _normalised(lexical, floor=False)
    share = floor * hangul_share(question)
    if share <= 0:
        return plain
    floored = _normalised(lexical, floor=True)
    return {aid: share * floored[aid] + (1 - share) * score for aid, score in plain.items()}


def search(
    index: Index,
    question: str,
    since: str | None = None,
    until: str | None = None,
    min_votes: int | None = None,
    k: int = 5,
    config: RetrievalConfig = HYBRID,
) -> Answer:
    """The best `k` papers for `question` inside the window, or none when nothing is relevant."""
    hits, abstained = rank(index, question, since, until, min_votes, k, config)
    return Answer(question, abstained, () if abstained else tuple(hits))


def rank(
    index: Index,
    question: str,
    since: str | None = None,
    until: str | None = None,
    min_votes: int | None = None,
    k: int = 5,
    config: RetrievalConfig = HYBRID,
) -> tuple[list[Hit], bool]:
    """The ranking and the abstention decision separately (evaluation reads both)."""
    lo, hi = date_int(since), date_int(until)
    dense: dict[str, tuple[str, float]] = {}
    lexical: dict[str, tuple[str, float]] = {}
    coverage = 0.0
    vector = None
    if config.dense:
        vector = index.embedder.embed_query(question)
        dense = _best_per_paper(
            dense_passages(index, vector, config.pool, chroma_where(lo, hi, min_votes))
        )
    if config.lexical:
        weights = query_weights(index, question, config)
        lexical = _best_per_paper(
            index.lexical.search_weighted(weights, config.pool, lo, hi, min_votes)
        )
        best_lexical = max((score for _, score in lexical.values()), default=0.0)
        coverage = index.lexical.coverage(weights, best_lexical)
        bridge_below = (
            config.weak_lexical_below if config.bridge_below is None else config.bridge_below
        )
        if config.bridge > 0 and coverage < bridge_below:
            extra = bridge_query(index, question, weights, config)
            if extra:  # coverage (dense weight, abstention) stays the question's own
                lexical = _best_per_paper(
                    index.lexical.search_weighted(weights | extra, config.pool, lo, hi, min_votes)
                )
    dense_share = dense_weight(
        question, coverage, config.dense_weight, config.dense_weight_en, config.weak_lexical_below
    )
    lists = [
        (dense_share, _normalised(dense, floor=True)),
        (1 - dense_share, _lexical_normalised(lexical, question, config.lexical_floor)),
    ]
    english, english_coverage = english_lists(
        index, question, vector, dense, (lo, hi, min_votes), config.english, config.lexical
    )
    lists += english
    fused: dict[str, float] = {}
    for weight, scores in lists:
        for aid, score in scores.items():
            fused[aid] = fused.get(aid, 0.0) + weight * score
    best = sorted(fused, key=lambda aid: -fused[aid])[:k]
    passages = {aid: [p for p in (dense.get(aid), lexical.get(aid)) if p] for aid in best}
    hits = []
    for aid in best:
        paper = index.get(aid)
        if paper is not None:
            spans = [index.lexical.bullets(cid) for cid, _ in passages[aid]]
            hits.append(Hit(paper, fused[aid], tuple(evidence(paper, question, spans))))
    coverage = max(coverage, english_coverage)  # a question the abstracts answer is answered
    return hits, not hits or _nothing_relevant(index, dense, coverage, question, config)


def _nothing_relevant(
    index: Index,
    dense: dict[str, tuple[str, float]],
    coverage: float,
    question: str,
    config: RetrievalConfig,
) -> bool:
    if coverage >= MIN_COVERAGE:
        return False
    if not config.dense:
        return True
    cut = cosine_cut(index, question, config)
    best = max((score for _, score in dense.values()), default=float("-inf"))
    return cut is not None and best < cut


def query_weights(
    index: Index, question: str, config: RetrievalConfig = HYBRID
) -> dict[str, float]:
    """The BM25 token weights the question is searched with: its tokens, plus their lexicon
    glosses at `config.expand` (subscriptions and /trend use the same)."""
    lexicon = index.lexical.lexicon if config.expand > 0 else None
    idf = None
    if config.word_idf:
        snap = index.lexical.snapshot()

        def idf(token: str) -> float:
            return float(snap.idf[snap.vocab[token]]) if token in snap.vocab else snap.max_idf

    own = question_weights(question, config.word_norm, config.strip, bool(config.asks), idf)
    return lexical_query(question, lexicon, config.expand, own)


def bridge_query(
    index: Index, question: str, weights: dict[str, float], config: RetrievalConfig = HYBRID
) -> dict[str, float]:
    """The bridged Korean tokens for an English question (store/search/bridge.py); none for a question
    holding Hangul or an embedder without a bridge cut."""
    cut = (
        config.bridge_cut if config.bridge_cut is not None else BRIDGE_CUT.get(index.embedder.name)
    )
    if cut is None:
        return {}
    return bridge_weights(
        index.word_bridge(),
        index.embedder,
        question,
        config.bridge,
        cut,
        config.bridge_top,
        weights,
        config.bridge_decay,
    )


def cosine_cut(index: Index, question: str, config: RetrievalConfig = HYBRID) -> float | None:
    """The best-passage cosine below which the dense side says "nothing relevant" for this
    question (per language); None for an embedder without a calibration, which never abstains."""
    if config.abstain_below is not None:
        korean, english = config.abstain_below, config.abstain_below_en
    elif index.embedder.name in ABSTAIN_BELOW:
        korean, english = ABSTAIN_BELOW[index.embedder.name]
    else:
        return None
    return by_language(question, korean, english)


def evidence(
    paper: Paper, question: str, spans: list[tuple[int, int]], limit: int = 3
) -> list[str]:
    """The paper's bullets inside its matching passages (best passage first), those sharing
    most question tokens first; the best-sharing bullets of the paper when none matched."""
    query_tokens = set(tokenize(question))

    def overlap(bullet: str) -> int:
        # substring tests: a Hangul bigram is in the bullet exactly when the substring is;
        # 20x cheaper than tokenizing every bullet on the hot path
        lowered = bullet.lower()
        return -sum(token in lowered for token in query_tokens)

    chosen: list[str] = []
    for first, last in spans:
        inside = paper.summary[first : last + 1]
        chosen.extend(b for b in sorted(inside, key=overlap) if b not in chosen)
    if not chosen:
        chosen = sorted(paper.summary, key=overlap)
    return chosen[:limit]


def similar(index: Index, arxiv_id: str, k: int = 5) -> list[Hit]:
    """Nearest papers by their mean passage vector (stored in the papers collection)."""
    record = index.papers.get(ids=[arxiv_id.strip()], include=["embeddings"])
    if not record["ids"]:
        return []
    result = index.papers.query(
        query_embeddings=[record["embeddings"][0]], n_results=k + 1, include=["distances"]
    )
    hits = []
    for pid, dist in zip(result["ids"][0], result["distances"][0]):
        paper = index.get(pid)
        if pid != record["ids"][0] and paper is not None:
            hits.append(Hit(paper, 1.0 - dist, paper.summary[:1]))
    return hits[:k]


def config_from_spec(spec: str, default_embedder: str) -> tuple[str, RetrievalConfig]:
    """`hybrid`, `dense`, `bm25`, optionally with an embedder: `dense-minilm`, `hybrid-use`;
    `hybrid@0.5` sets the dense weight; `hybrid@dense_weight_en=0.7/expand=0` sets any numeric
    field of `RetrievalConfig` (`/`-separated; `none` for an optional one)."""
    spec, _, options = spec.partition("@")
    kind, _, embedder = spec.partition("-")
    if kind not in CONFIGS:
        raise ValueError(f"unknown retrieval configuration {spec!r}; known: {', '.join(CONFIGS)}")
    config = CONFIGS[kind]
    fields = {
        f for f in RetrievalConfig.__dataclass_fields__ if f not in ("name", "dense", "lexical")
    }
    for option in filter(None, options.split("/")):
        key, _, value = option.rpartition("=")
        key = key or "dense_weight"
        if key not in fields:
            raise ValueError(f"unknown option {key!r}; known: {', '.join(sorted(fields))}")
        whole = isinstance(getattr(config, key), int)
        number = None if value == "none" else int(value) if whole else float(value)
        config = replace(config, **{key: number})
    return embedder or default_embedder, config
