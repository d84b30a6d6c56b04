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
import time
from argparse import Namespace
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from pathlib import Path

import numpy as np

from ingest.parse import date_from_path, find_digest_files
from ingest.pipeline import ingest, open_index
from store.index import Index
from store.models import Chunk, Paper
from store.retrieval import rank
from store.settings import Settings

QUERIES = Path(__file__).resolve().parents[2] / "shared" / "eval" / "dev_queries.jsonl"


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


def _queries() -> list[str]:
    if QUERIES.exists():
        return [
            json.loads(line)["query"] for line in QUERIES.read_text().splitlines() if line.strip()
        ]
    return ["video generation with camera control", "한국어 언어 모델 평가 벤치마크"]


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


def _serve_in_child(settings: Settings, queries: list[str], runs: int) -> dict[str, float]:
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        return pool.submit(_serve, settings, queries, runs).result()


def _latency_figures(index: Index, queries: list[str], runs: int) -> dict[str, float]:
    _latencies(index, queries[:5], False)  # warm: model, catalog, BM25 matrix
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
    real = list(index.catalog.values())
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
    files = find_digest_files(Path(args.corpus))
    if not files:
        raise SystemExit(f"no digest files under {args.corpus}")
    queries = _queries()
    figures: dict[str, float] = {"files": len(files)}
    ingest_s, rates, noop_s, day_s = [], [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        for run in range(args.runs):
            source = Path(tmp) / f"src{run}"
            source.mkdir()
            cfg = settings.model_copy(
                update={"data_dir": Path(tmp) / f"data{run}", "digests": source}
            )
            index = open_index(cfg)
            step = partial(ingest, cfg, index=index)
            _link_source(files[:-1], source)
            seconds, report = _timed(step)
            _link_source(files, source)
            day, _ = _timed(step)
            full = seconds + day
            ingest_s.append(full)
            rates.append(report.passages_embedded / seconds)
            day_s.append(day)
            noop, again = _timed(step)
            assert again.passages_embedded == 0
            noop_s.append(noop)
            print(
                f"run {run + 1}: full ingest {full:.1f}s, one new day {day:.2f}s, no-op {noop:.2f}s",
                flush=True,
            )
        figures |= {
            "papers": len(index.catalog),
            "passages": index.lexical.count(),
            "ingest_full_s": statistics.median(ingest_s),
            "passages_per_s": statistics.median(rates),
            "ingest_noop_s": statistics.median(noop_s),
            "ingest_one_day_s": statistics.median(day_s),
        }
        figures["ingest_peak_rss_mb"] = _peak_rss_mb()
        figures |= {f"1x_{k}": v for k, v in _serve_in_child(cfg, queries, args.runs).items()}
        if args.scale > 1:
            figures["10x_papers_added"] = _add_synthetic(index, args.scale)
            figures["10x_papers"] = len(index.catalog)
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
