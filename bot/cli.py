"""The `paperbot` command: ingest, parse, today, top, ask, eval, bench, run (DESIGN.md)."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from datetime import date
from pathlib import Path

from store.models import Answer, Paper
from store.settings import Settings


def _iso(text: str) -> str:
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _print_json(data: object) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=1))


def _votes(paper: Paper) -> str:
    return "–" if paper.votes is None else str(paper.votes)


def print_paper(
    paper: Paper, bullets: tuple[str, ...] | None = None, rank: int | None = None
) -> None:
    head = f"{rank}. " if rank is not None else ""
    print(f"{head}{paper.title}")
    print(f"   {paper.url}  |  {paper.date}  |  votes {_votes(paper)}")
    for bullet in paper.summary if bullets is None else bullets:
        print(f"   - {bullet}")


def cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    from tqdm import tqdm

    from ingest.pipeline import ingest, open_index, rebuild

    bar = tqdm(total=0, unit="paper", disable=args.json or not sys.stderr.isatty(), file=sys.stderr)

    def progress(done: int, total: int) -> None:
        bar.total = total
        bar.n = done
        bar.refresh()

    paths = [Path(p) for p in args.paths] or None
    if args.full:
        if paths:
            settings = settings.model_copy(update={"digests": paths[0]})
        _, report = rebuild(settings, progress=progress)
    else:
        report = ingest(settings, paths, index=open_index(settings), progress=progress)
    bar.close()
    if args.json:
        _print_json(report.to_json())
        return 0
    print(
        f"{report.files} files, {report.entries} entries: {report.papers_new} new, "
        f"{report.papers_updated} updated, {report.papers_unchanged} unchanged, "
        f"{report.papers_removed} removed papers; {report.passages_embedded} passages embedded"
    )
    for skip in report.skipped:
        print(f"skipped {skip.source}: {skip.reason}")
    return 0


def cmd_parse(args: argparse.Namespace, settings: Settings) -> int:
    from ingest.parse import parse_paths

    result = parse_paths(Path(p) for p in args.paths)
    for paper in result.papers:
        print(json.dumps(paper.to_json(), ensure_ascii=False))
    for skip in result.skipped:
        print(f"skipped {skip.source}: {skip.reason}", file=sys.stderr)
    return 0


def cmd_today(args: argparse.Namespace, settings: Settings) -> int:
    from ingest.pipeline import open_index

    index = open_index(settings)
    day = index.digest_date_for(args.date) if args.date else index.latest_date()
    papers = index.papers_on(day) if day else []
    if args.json:
        _print_json({"date": day, "papers": [p.to_json() for p in papers]})
        return 0
    if day is None:
        print("No digest indexed yet: run `paperbot ingest`.")
        return 1
    if args.date and day != args.date:
        print(f"No digest on {args.date}; showing the nearest earlier one.")
    print(f"Daily Papers {day}: {len(papers)} papers\n")
    for rank, paper in enumerate(papers, 1):
        print_paper(paper, rank=rank)
    return 0


def cmd_top(args: argparse.Namespace, settings: Settings) -> int:
    from ingest.pipeline import open_index

    found = open_index(settings).top(args.period, args.n)
    if found is None:
        print("No digest indexed yet: run `paperbot ingest`.")
        return 1
    since, until, papers = found
    if args.json:
        _print_json({"since": since, "until": until, "papers": [p.to_json() for p in papers]})
        return 0
    print(f"Top {len(papers)} by votes, {since} .. {until}\n")
    for rank, paper in enumerate(papers, 1):
        print_paper(paper, bullets=paper.summary[:1], rank=rank)
    return 0


def print_answer(answer: Answer) -> None:
    if answer.abstained:
        print("Nothing relevant found in the digests for this question.")
        return
    for rank, hit in enumerate(answer.hits, 1):
        print_paper(hit.paper, bullets=hit.evidence, rank=rank)
        print(f"   (score {hit.score:.3f})")


def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    from ingest.pipeline import open_index
    from store.retrieval import search

    index = open_index(settings)
    answer = search(index, args.question, args.since, args.until, args.min_votes, args.k)
    if args.json:
        _print_json(answer.to_json())
    else:
        print_answer(answer)
    return 0


def cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    from measure.evaluate import run_eval

    return run_eval(settings, Path(args.queries), args.out, args.k, args.configs.split(","))


def cmd_bench(args: argparse.Namespace, settings: Settings) -> int:
    from measure.bench import run_bench

    return run_bench(settings, args)


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    if settings.discord_token is None:
        print("DISCORD_TOKEN is not set: see README, 'Connect Discord'.", file=sys.stderr)
        return 2
    from bot import create_bot

    logging.getLogger().setLevel(logging.INFO)  # the bot reports syncs, posts and ingests
    create_bot(settings).run(settings.discord_token.get_secret_value(), log_handler=None)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="paperbot", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("ingest", help="index the digests (incremental)")
    p.add_argument("paths", nargs="*", help="digest files/folders (default: PAPERBOT_DIGESTS)")
    p.add_argument("--full", action="store_true", help="rebuild into a new index, then switch")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_ingest)
    p = sub.add_parser("parse", help="parse digests, print entries")
    p.add_argument("paths", nargs="+")
    p.add_argument("--jsonl", action="store_true", help="one JSON entry per line (the default)")
    p.set_defaults(func=cmd_parse)
    p = sub.add_parser("today", help="latest (or given) digest")
    p.add_argument("--date", type=_iso)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_today)
    p = sub.add_parser("top", help="top-voted papers")
    p.add_argument("--period", choices=["day", "week", "month", "year", "all"], default="week")
    p.add_argument("-n", type=int, default=10)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_top)
    p = sub.add_parser("ask", help="find papers answering a question")
    p.add_argument("question")
    p.add_argument("--since", type=_iso)
    p.add_argument("--until", type=_iso)
    p.add_argument("--min-votes", type=int)
    p.add_argument("-k", type=int, default=5)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_ask)
    p = sub.add_parser("eval", help="retrieval metrics over labelled queries")
    p.add_argument("queries")
    p.add_argument("--out")
    p.add_argument("-k", type=int, default=10)
    p.add_argument("--configs", default="hybrid", help="comma-separated: hybrid,dense,bm25,...")
    p.set_defaults(func=cmd_eval)
    p = sub.add_parser("bench", help="performance benchmark")
    p.add_argument("--corpus", default=str(Path("../shared/corpus/daily_papers_ko")))
    p.add_argument(
        "--scale", type=int, default=10, help="synthetic multiple for the 10x run (0: skip)"
    )
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_bench)
    p = sub.add_parser("run", help="run the Discord bot")
    p.set_defaults(func=cmd_run)
    return parser


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    if getattr(args, "since", None) and getattr(args, "until", None) and args.since > args.until:
        print("--since is after --until", file=sys.stderr)
        return 2
    return args.func(args, Settings())


if __name__ == "__main__":
    sys.exit(main())
