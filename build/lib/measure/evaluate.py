"""`paperbot eval`: retrieval metrics over labelled queries, several configurations side by side."""

from __future__ import annotations

import json
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from store.settings import Settings


@dataclass
class Row:
    id: str
    lang: str
    kind: str
    query: str
    relevant: list[str]
    since: str | None = None
    until: str | None = None
    min_votes: int | None = None


@dataclass
class Outcome:
    row: Row
    results: list[str]
    dates: list[str]
    abstained: bool
    extra: dict = field(default_factory=dict)


def load_rows(path: Path) -> list[Row]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            d = json.loads(line)
            rows.append(
                Row(
                    d["id"],
                    d.get("lang", "?"),
                    d.get("kind", "paraphrase"),
                    d["query"],
                    d.get("relevant", []),
                    d.get("since"),
                    d.get("until"),
                    d.get("min_votes"),
                )
            )
    return rows


def first_hit(outcome: Outcome) -> int | None:
    relevant = set(outcome.row.relevant)
    return next((i for i, r in enumerate(outcome.results) if r in relevant), None)


def metrics(outcomes: list[Outcome], k: int) -> dict[str, float | int]:
    """One column of the table: recall@1/5/10 and MRR by language x kind, abstention figures,
    window precision and recall for filtered rows."""
    out: dict[str, float | int] = {}
    paper = [o for o in outcomes if o.row.kind in ("paraphrase", "named")]
    groups: dict[str, list[Outcome]] = defaultdict(list)
    for o in paper:
        groups[f"{o.row.lang}"].append(o)
        groups[f"{o.row.lang}/{o.row.kind}"].append(o)
        groups["all"].append(o)
    for name in sorted(groups):
        rows = groups[name]
        ranks = [first_hit(o) for o in rows]
        for n in (1, 5, 10):
            out[f"{name} R@{n}"] = sum(r is not None and r < n for r in ranks) / len(rows)
        out[f"{name} MRR"] = statistics.fmean(0 if r is None else 1 / (r + 1) for r in ranks)
        out[f"{name} n"] = len(rows)
    off = [o for o in outcomes if o.row.kind == "offtopic"]
    if off:
        out["offtopic abstain"] = sum(o.abstained for o in off) / len(off)
    if paper:
        out["false abstain"] = sum(o.abstained for o in paper) / len(paper)
    filtered = [o for o in outcomes if o.row.since or o.row.until]
    if filtered:
        inside = [
            sum((o.row.since or "") <= d <= (o.row.until or "9999") for d in o.dates) / len(o.dates)
            for o in filtered
            if o.dates
        ]
        out["window share"] = statistics.fmean(inside) if inside else 1.0
        out[f"window R@{k}"] = statistics.fmean(
            len(set(o.results[:k]) & set(o.row.relevant)) / max(1, len(o.row.relevant))
            for o in filtered
        )
    return out


def run_config(settings: Settings, spec: str, rows: list[Row], k: int) -> list[Outcome]:
    """Each row's ranking, `k` deep; `extra["titles"]` maps each listed arXiv id to its title."""
    from ingest.pipeline import open_index
    from store.embedders import get_embedder
    from store.search.retrieval import config_from_spec, rank

    embedder_name, config = config_from_spec(spec, settings.embedder)
    index = open_index(settings, get_embedder(embedder_name))
    if not index.by_id:
        raise SystemExit(
            f"{spec}: the index for embedder {embedder_name!r} is empty; run "
            f"`PAPERBOT_EMBEDDER={embedder_name} paperbot ingest` first"
        )
    outcomes = []
    for row in rows:
        hits, abstained = rank(index, row.query, row.since, row.until, row.min_votes, k, config)
        outcomes.append(
            Outcome(
                row,
                [h.paper.arxiv_id for h in hits],
                [h.paper.date for h in hits],
                abstained,
                {"titles": {h.paper.arxiv_id: h.paper.title for h in hits}},
            )
        )
    return outcomes


def _short(title: str, width: int = 60) -> str:
    return f"'{title}'" if len(title) <= width else f"'{title[: width - 1]}…'"


def failure_list(outcomes: list[Outcome], k: int, above: int = 3) -> list[str]:
    """One line per paper row whose first relevant paper is not in the top `k`: its rank in
    the (deeper) list or "not in the top N", and the titles ranked first."""
    lines = []
    for o in outcomes:
        if o.row.kind not in ("paraphrase", "named"):
            continue
        hit = first_hit(o)
        if hit is not None and hit < k:
            continue
        where = f"rank {hit + 1}" if hit is not None else f"not in the top {len(o.results)}"
        titles = o.extra.get("titles", {})
        first = "; ".join(_short(titles.get(a, a)) for a in o.results[:above])
        target = o.row.relevant[0] if o.row.relevant else "?"
        lines.append(f"{o.row.id} {o.row.lang}/{o.row.kind}: {target} {where}; above: {first}")
    return lines


def format_table(columns: dict[str, dict[str, float | int]]) -> str:
    names = list(columns)
    keys = list(dict.fromkeys(key for col in columns.values() for key in col))
    width = max(len(k) for k in keys) + 2
    widths = {n: max(14, len(n) + 2) for n in names}  # long specs (hybrid@expand=0/...) fit
    lines = ["metric".ljust(width) + "".join(n.rjust(widths[n]) for n in names)]
    for key in keys:
        cells = []
        for n in names:
            value = columns[n].get(key, "")
            text = f"{value:.3f}" if isinstance(value, float) else str(value)
            cells.append(text.rjust(widths[n]))
        lines.append(key.ljust(width) + "".join(cells))
    return "\n".join(lines)


def run_eval(
    settings: Settings,
    path: Path,
    out: str | None,
    k: int,
    specs: list[str],
    failures: int | None = None,
) -> int:
    """Print the metrics table (and with `failures=N`, each configuration's paper rows missed
    at N, ranked 50 deep; the metrics still read the top `k`)."""
    rows = load_rows(path)
    depth = max(k, 50) if failures else k
    columns, all_outcomes = {}, {}
    for spec in specs:
        deep = run_config(settings, spec, rows, depth)
        all_outcomes[spec] = [
            Outcome(o.row, o.results[:k], o.dates[:k], o.abstained, o.extra) for o in deep
        ]
        columns[spec] = metrics(all_outcomes[spec], k)
        if failures:
            missed = failure_list(deep, failures)
            print(f"{spec}: {len(missed)} paper rows missed at {failures}")
            print("\n".join(f"  {line}" for line in missed))
    print(format_table(columns))
    if out:
        with open(out, "w", encoding="utf-8") as fh:
            for spec, outcomes in all_outcomes.items():
                for o in outcomes:
                    line = {"id": o.row.id, "results": o.results, "abstained": o.abstained}
                    if len(specs) > 1:
                        line["config"] = spec
                    fh.write(json.dumps(line, ensure_ascii=False) + "\n")
    return 0
