"""`paperbot bench`: ingest and query figures on the real archive, at 1x and a synthetic 10x.

Every figure is a median over `--runs` runs. The synthetic 10x papers recombine real titles
and real passages (with their real vectors plus a little noise), so they cost no model time
and keep the real length and vector distribution; they measure query latency and memory.
"""

from __future__ import annotations

import json
import multiprocessing
import resource
import statistics
import tempfile
import threading
import time
from argparse import Namespace
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from pathlib import Path
from typing import Self

import numpy as np

from ingest.enrich import newest_first
from ingest.parse import date_from_path, find_digest_files
from ingest.pipeline import ingest, open_handle, open_index, rebuild
from measure.bench_enrich import bench_enrich, drop_enrichment
from store.errors import StoreError
from store.index import Index
from store.models import Chunk, Paper
from store.search.matching import Topic, embed_topics, match_topics
from store.search.retrieval import rank
from store.settings import Settings

# what the bench reports of questions asked with the English field full (measure/bench_enrich.py)
ENRICHED_FIGURES = ("ask_p50_ms", "ask_p95_ms", "peak_rss_mb")
# Used when no --queries file is given: the shapes of question /ask gets (ko, en, mixed).
DEFAULT_QUERIES = [
    "비디오 생성에서 카메라 움직임 제어",
    "오디오 음악 음성 생성 오픈소스 툴킷",
    "LLM 추론 속도 올리는 speculative decoding 방법",
    "한국어 언어 모델 평가 벤치마크",
    "강화학습",
    "camera motion control for video generation",
    "how do you make a language model reason step by step without supervision",
    "1-bit quantization of fine-tuning deltas",
    "multi-view 3D generation from a single image",
    "hallucination in vision language models",
    "LA 갈비 양념 비율 알려줘",
    "what GPU should I buy for gaming",
]


def _peak_rss_mb() -> float:
    """This process's peak RSS. Linux's VmHWM starts afresh at exec; ru_maxrss would carry the
    parent's peak into the serving child."""
    try:
        status = Path("/proc/self/status").read_text()
        return int(status.split("VmHWM:")[1].split()[0]) / 1024
    except (OSError, IndexError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _timed(fn) -> tuple[float, object]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def _link_source(files: list[Path], folder: Path) -> None:
    """A digest folder holding exactly `files` (symlinks keep the archive untouched)."""
    for old in folder.glob("*.md"):
        old.unlink()
    for f in files:
        (folder / f"{date_from_path(f)}.md").symlink_to(f.resolve())


def _queries(path: str | None) -> list[str]:
    if path is None:
        return DEFAULT_QUERIES
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["query"] for line in lines if line.strip()]


class _AskWhileBusy:
    """Asks one question after another in a thread of the ingesting process (as /ask does in
    the bot while the daily ingest or /reindex runs) and keeps the latencies."""

    def __init__(self, index_of, queries: list[str]) -> None:
        self._index_of, self._queries = index_of, queries
        self._stop = threading.Event()
        self.latencies: list[float] = []
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        turn = 0
        while not self._stop.wait(0.05):
            query = self._queries[turn % len(self._queries)]
            start = time.perf_counter()
            rank(self._index_of(), query, k=5)
            self.latencies.append((time.perf_counter() - start) * 1000)
            turn += 1


def _latencies(index: Index, queries: list[str], dense_only: bool) -> list[float]:
    out = []
    for q in queries:
        start = time.perf_counter()
        if dense_only:  # the plain baseline: embed, one Chroma query, nothing else
            index.chunks.query(query_embeddings=[index.embedder.embed_query(q)], n_results=10)
        else:
            rank(index, q, k=5)  # what /ask and `paperbot ask` return
        out.append((time.perf_counter() - start) * 1000)
    return out


def _serve(settings: Settings, queries: list[str], runs: int) -> dict[str, float]:
    """Latency and peak RSS of a process that only serves, as the bot does: it opens the
    index, warms it and answers; nothing of the ingest is in its memory."""
    figures = _latency_figures(open_index(settings), queries, runs)
    return figures | {"peak_rss_mb": _peak_rss_mb()}


def _in_child(fn, *args: object) -> dict[str, float]:
    """`fn(*args)` in a fresh process: its peak RSS is its own, not this process's."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        return pool.submit(fn, *args).result()


def _serve_in_child(settings: Settings, queries: list[str], runs: int) -> dict[str, float]:
    return _in_child(_serve, settings, queries, runs)


def _ingest_run(settings: Settings, files: list[Path], queries: list[str]) -> dict[str, float]:
    """One run, in its own process as `paperbot ingest` or the bot's daily job is: the archive
    but its last day (questions asked meanwhile in a thread, as /ask does during an ingest),
    then the last day, a no-op ingest and a rebuild of the unchanged archive."""
    handle = open_handle(settings)
    index = handle.writable()
    step = partial(ingest, settings, index=index)
    _link_source(files[:-1], settings.digests)
    with _AskWhileBusy(handle.current, queries) as asking:
        seconds, report = _timed(step)
    _link_source(files, settings.digests)
    day, _ = _timed(step)
    peak = _peak_rss_mb()
    noop, again = _timed(step)
    assert again.passages_embedded == 0
    rebuilt, (index, redone) = _timed(partial(rebuild, settings, index))
    assert redone.passages_embedded == 0, "the vector cache serves an unchanged archive"
    index.close()
    return {
        "ingest_full_s": seconds + day,
        "passages_per_s": report.passages_embedded / seconds,
        "ingest_noop_s": noop,
        "ingest_one_day_s": day,
        "reindex_unchanged_s": rebuilt,
        "ask_p95_during_ingest_ms": float(np.percentile(asking.latencies or [0.0], 95)),
        "asks": float(len(asking.latencies)),
        "ingest_peak_rss_mb": peak,
        "reindex_peak_rss_mb": _peak_rss_mb(),
    }


def _latency_figures(index: Index, queries: list[str], runs: int) -> dict[str, float]:
    _latencies(index, queries[:5], False)  # warm: model, catalogue, BM25 matrix
    hybrid, dense = [], []
    for _ in range(runs):
        hybrid.append(_latencies(index, queries, False))
        dense.append(_latencies(index, queries, True))

    def pct(samples: list[list[float]], q: float) -> float:
        return statistics.median(float(np.percentile(s, q)) for s in samples)

    return {
        "ask_p50_ms": pct(hybrid, 50),
        "ask_p95_ms": pct(hybrid, 95),
        "dense_p50_ms": pct(dense, 50),
        "dense_p95_ms": pct(dense, 95),
        "hybrid_over_dense_p50": pct(hybrid, 50) / pct(dense, 50),
    }


def _add_synthetic(index: Index, scale: int, seed: int = 7) -> int:
    """(scale - 1) synthetic copies of the corpus: real title + real passages of other papers."""
    rng = np.random.default_rng(seed)
    real = list(index.by_id.values())
    got = index.chunks.get(include=["documents", "embeddings"], ids=None)
    passages = list(zip(got["ids"], got["documents"], got["embeddings"]))
    added = 0
    for copy in range(1, scale):
        batch = []
        for i, donor in enumerate(real):
            picks = [passages[j] for j in rng.integers(0, len(passages), size=3)]
            arxiv_id = f"9{copy:02d}{i:05d}.syn"
            bullets = tuple(doc.partition("\n")[2] for _, doc, _ in picks)
            paper = Paper(
                arxiv_id,
                donor.title,
                f"https://arxiv.org/abs/{arxiv_id}",
                donor.date,
                donor.votes,
                donor.authors,
                bullets,
                None,
                "synthetic",
            )
            chunks = [Chunk(arxiv_id, n, f"{donor.title}\n{b}") for n, b in enumerate(bullets)]
            vectors = np.asarray([v for _, _, v in picks]) + rng.normal(
                0, 0.01, (3, len(picks[0][2]))
            )
            vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
            batch.append((paper, chunks, vectors.astype(np.float32)))
            if len(batch) == 256:
                index.write(batch)
                added, batch = added + len(batch), []
        index.write(batch)
        added += len(batch)
    return added


def run_bench(settings: Settings, args: Namespace) -> int:
    corpus = Path(args.corpus) if args.corpus else settings.digests
    files = find_digest_files(corpus)
    if not files:
        raise StoreError(f"no digest files under {corpus} (--corpus or PAPERBOT_DIGESTS)")
    queries = _queries(args.queries)
    figures: dict[str, float] = {"files": len(files)}
    runs: list[dict[str, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for run in range(args.runs):
            source = Path(tmp) / f"src{run}"
            source.mkdir()
            cfg = settings.model_copy(
                update={"data_dir": Path(tmp) / f"data{run}", "digests": source}
            )
            runs.append(_in_child(_ingest_run, cfg, files, queries))
            r = runs[-1]
            print(
                f"run {run + 1}: full ingest {r['ingest_full_s']:.1f}s (ask p95 meanwhile "
                f"{r['ask_p95_during_ingest_ms']:.0f} ms over {r['asks']:.0f} asks), one new day "
                f"{r['ingest_one_day_s']:.2f}s, no-op {r['ingest_noop_s']:.2f}s, reindex "
                f"unchanged {r['reindex_unchanged_s']:.1f}s, peak RSS {r['ingest_peak_rss_mb']:.0f}"
                f" MB ({r['reindex_peak_rss_mb']:.0f} MB after the reindex)",
                flush=True,
            )
        for key in runs[0]:
            if key != "asks":
                figures[key] = statistics.median(r[key] for r in runs)
        index = open_index(cfg)
        figures = {"files": figures.pop("files"), "papers": len(index.by_id)} | figures
        figures["passages"] = index.lexical.count()
        figures |= {f"1x_{k}": v for k, v in _serve_in_child(cfg, queries, args.runs).items()}
        # 10,000 topic subscriptions x the newest day (the daily DM matching of /subscribe)
        figures |= bench_match(index, queries)
        # the archive enriched from a loopback server (the ingest above fetched nothing), then
        # questions with the English field full, as on a host whose cache is filled
        figures |= bench_enrich(newest_first(index.by_id.values()), cfg.data_dir, index.embedder)
        enriched = _serve_in_child(cfg, queries, args.runs)
        figures |= {f"1x_enriched_{k}": enriched[k] for k in ENRICHED_FIGURES}
        drop_enrichment(cfg.data_dir)
        if args.scale > 1:
            figures["10x_papers_added"] = _add_synthetic(index, args.scale)
            figures["10x_papers"] = len(index.by_id)
            index.close()
            serve = _serve_in_child(cfg, queries, args.runs)
            figures |= {f"10x_{k}": v for k, v in serve.items()}
    if args.json:
        print(json.dumps(figures, indent=1))
    else:
        width = max(map(len, figures)) + 2
        for key, value in figures.items():
            print(
                f"{key.ljust(width)}{value:.2f}"
                if isinstance(value, float)
                else f"{key.ljust(width)}{value}"
            )
    return 0


def bench_match(index: Index, queries: list[str], count: int = 10_000) -> dict[str, float]:
    """`paperbot bench`: `count` topic subscriptions against the largest day. Every one is worded
    differently (a query plus two words of the others: no two texts alike, so nothing is
    shared between them); its vector is the query's, embedded once and jittered."""
    sizes = Counter(p.date for p in index.by_id.values())
    day = max(sizes, key=lambda d: (sizes[d], d)) if sizes else None
    new = [p.arxiv_id for p in index.papers_on(day)] if day else []
    base = embed_topics(index, list(queries))
    rng = np.random.default_rng(11)
    pool = sorted({word for query in queries for word in query.split()})
    size = len(pool)
    topics = []
    for i in range(count):
        vector = base[i % len(base)] + rng.normal(0, 0.02, base.shape[1]).astype(np.float32)
        first, second = pool[i // len(queries) % size], pool[i // (len(queries) * size) % size]
        text = f"{queries[i % len(queries)]} {first} {second}"
        topics.append(Topic(i, text, vector / np.linalg.norm(vector)))
    start = time.perf_counter()
    found = match_topics(index, new, topics)
    seconds = time.perf_counter() - start
    return {
        "subscriptions_10k_match_s": seconds,
        "subscriptions_day_papers": len(new),
        "subscriptions_matched": len(found),
    }
