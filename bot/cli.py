"""The `paperbot` command: ingest, parse, today, top, ask, trend, eval, bench, run, doctor
(docs/CONTRACTS.md)."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

from pydantic import ValidationError

from bot.ops.logs import configure as configure_logging
from store.dates import PERIODS, iso_date
from store.errors import StoreError, library_failure, retry_read
from store.index import Index
from store.models import Answer, Paper
from store.settings import LOG_LEVELS, Settings
from store.usertext import visible

log = logging.getLogger("paperbot")


def _digest_date(text: str) -> str:
    try:
        return iso_date(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a digest date (YYYY-MM-DD): {text!r}") from None


def _count(low: int, high: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = low - 1
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be a whole number from {low} to {high}")
        return value

    return parse


def _print_json(data: object) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=1))


def print_paper(
    paper: Paper, bullets: tuple[str, ...] | None = None, rank: int | None = None
) -> None:
    head = f"{rank}. " if rank is not None else ""
    print(f"{head}{paper.title}")
    print(f"   {paper.url}  |  {paper.date}  |  votes {paper.votes_text}")
    for bullet in paper.summary if bullets is None else bullets:
        print(f"   - {bullet}")


def cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    from ingest.pipeline import ingest, rebuild
    from store.progress import ProgressLog

    paths = [Path(p) for p in args.paths] or None
    allow = args.allow_mass_removal
    # a bar on a terminal; elsewhere (systemd, Docker, a pipe) a progress line every 10 s
    with ProgressLog("ingest --full" if args.full else "ingest") as progress:
        if args.full:
            _, report = rebuild(settings, paths=paths, progress=progress, allow_mass_removal=allow)
        else:
            report = ingest(settings, paths, progress=progress, allow_mass_removal=allow)
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
    if report.removals_held:
        print("Nothing was removed this run, because part of the source could not be read:")
        for problem in report.removals_held:
            print(f"  {problem}")
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

    def read() -> int:
        with open_index(settings) as index:
            return _print_today(args, index)

    return retry_read(read)


def _print_today(args: argparse.Namespace, index: Index) -> int:
    day = index.digest_date_for(args.date) if args.date else index.latest_date()
    papers = index.papers_on(day) if day else []
    if args.json:
        _print_json({"date": day, "papers": [p.to_json() for p in papers]})
        return 0
    if day is None and args.date and index.dates():
        print(f"No digest on or before {args.date}; the first is {index.dates()[0]}.")
        return 1
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

    def read() -> tuple[str, str, list[Paper]] | None:
        with open_index(settings) as index:
            return index.top(args.period, args.n)

    found = retry_read(read)
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
    from store.search.retrieval import search

    try:
        question = visible(args.question.encode("utf-8").decode("utf-8"))
    except UnicodeError:
        raise StoreError("the question is not valid UTF-8 text") from None
    if not question:
        raise StoreError("the question is empty")
    if args.answer and not settings.llm_enabled:
        return _fail(
            "--answer needs PAPERBOT_LLM_BASE_URL and PAPERBOT_LLM_MODEL (docs/ANSWERS.md)", 2
        )

    def read() -> Answer:
        with open_index(settings) as index:
            return search(index, question, args.since, args.until, args.min_votes, args.k)

    answer = retry_read(read)
    written = note = None
    if args.answer:
        from bot.answers.console import written_answer

        written, note = written_answer(settings, answer)
    if args.json:
        extra = {"answer": written, "answer_note": note} if args.answer else {}
        _print_json(answer.to_json() | extra)
        return 0
    if written:
        print(f"Answer (written by {settings.llm_model} from the passages below; it can be wrong):")
        print(f"{written}\n")
    print_answer(answer)
    if note and not answer.abstained:
        print(f"paperbot: no written answer: {note}", file=sys.stderr)
    elif note:
        print(note)
    return 0


def cmd_trend(args: argparse.Namespace, settings: Settings) -> int:
    from bot.ui.charts import trend_png
    from ingest.pipeline import open_index
    from store.search.trends import Trend, trend

    def read() -> Trend | None:
        with open_index(settings) as index:
            return trend(index, args.topic, args.period)

    found = retry_read(read)
    if found is None:
        print("No digest indexed yet: run `paperbot ingest`.")
        return 1
    Path(args.out).write_bytes(trend_png(found, args.lang))
    print(f"{found.total} papers match {args.topic!r}, {found.since} .. {found.until}")
    for week, papers in found.peaks:
        count = dict(found.weeks)[week]
        print(f"week of {week}: {count} paper{'' if count == 1 else 's'}")
        for paper in papers:
            print(f"   {paper.title}  {paper.url}  votes {paper.votes_text}")
    print(f"chart: {args.out} ({len(found.weeks)} weeks)")
    return 0


def cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    from measure.evaluate import run_eval

    if not Path(args.queries).is_file():
        raise StoreError(f"no such queries file: {args.queries}")
    return run_eval(
        settings,
        Path(args.queries),
        args.out,
        args.k,
        args.configs.split(","),
        args.failures,
        args.split,
    )


def cmd_bench(args: argparse.Namespace, settings: Settings) -> int:
    from measure.bench import run_bench

    return run_bench(settings, args)


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    if settings.discord_token is None:
        print("DISCORD_TOKEN is not set: see README, 'Connect Discord'.", file=sys.stderr)
        return 2
    import discord

    from bot import create_bot

    log.info("paperbot %s starting; settings: %s", version(), _settings_line(settings))
    try:
        create_bot(settings).run(settings.discord_token.get_secret_value(), log_handler=None)
    except discord.LoginFailure:
        print(
            "Discord rejected DISCORD_TOKEN: copy the bot token again (Developer Portal -> your "
            "application -> Bot -> Reset Token) into .env; see README, 'Connect Discord'.",
            file=sys.stderr,
        )
        return 2
    return 0


def _settings_line(settings: Settings) -> str:
    return ", ".join(f"{name}={value}" for name, value in settings.public().items())


def version() -> str:
    try:
        return metadata.version("paperbot")
    except metadata.PackageNotFoundError:
        return "(not installed)"


def cmd_doctor(args: argparse.Namespace, settings: Settings) -> int:
    from bot.ops.doctor import diagnose

    problems = 0
    for check in diagnose(settings, getattr(args, "setting_problems", [])):
        print(check.line())
        problems += not check.ok
    print(f"{problems} problem{'' if problems == 1 else 's'} found" if problems else "all good")
    return 1 if problems else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="paperbot", description=__doc__)
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    parser.add_argument(
        "--log-level",
        type=str.upper,
        choices=LOG_LEVELS,
        help="how much to log on stderr (default: PAPERBOT_LOG_LEVEL, else INFO)",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    as_json = "print one JSON object instead of text"
    p = sub.add_parser("ingest", help="index the digests (incremental)")
    p.add_argument("paths", nargs="*", help="digest files/folders (default: PAPERBOT_DIGESTS)")
    p.add_argument("--full", action="store_true", help="rebuild into a new index, then switch")
    p.add_argument(
        "--allow-mass-removal",
        action="store_true",
        help="let this run remove many papers (or switch to a much smaller rebuilt index)",
    )
    p.add_argument("--json", action="store_true", help="print the report as one JSON object")
    p.set_defaults(func=cmd_ingest)
    p = sub.add_parser("parse", help="parse digests, print entries")
    p.add_argument("paths", nargs="+", help="digest files or folders to parse (nothing is indexed)")
    p.add_argument("--jsonl", action="store_true", help="one JSON entry per line (the default)")
    p.set_defaults(func=cmd_parse)
    p = sub.add_parser("today", help="latest (or given) digest")
    p.add_argument(
        "--date",
        type=_digest_date,
        metavar="YYYY-MM-DD",
        help="the digest of this day (or the nearest earlier one); default: the latest",
    )
    p.add_argument("--json", action="store_true", help=as_json)
    p.set_defaults(func=cmd_today)
    p = sub.add_parser("top", help="top-voted papers")
    p.add_argument(
        "--period",
        choices=PERIODS,
        default="week",
        help="the window ending at the latest digest date (default: week)",
    )
    p.add_argument("-n", type=_count(1, 100), default=10, help="how many papers, 1-100 (10)")
    p.add_argument("--json", action="store_true", help=as_json)
    p.set_defaults(func=cmd_top)
    p = sub.add_parser("ask", help="find papers answering a question")
    p.add_argument("question", help="the question, in Korean or English")
    p.add_argument(
        "--since", type=_digest_date, metavar="YYYY-MM-DD", help="only papers from this day on"
    )
    p.add_argument(
        "--until", type=_digest_date, metavar="YYYY-MM-DD", help="only papers up to this day"
    )
    p.add_argument(
        "--min-votes", type=_count(0, 100_000), metavar="N", help="only papers with N votes or more"
    )
    p.add_argument("-k", type=_count(1, 50), default=5, help="how many papers, 1-50 (5)")
    p.add_argument("--json", action="store_true", help=as_json)
    p.add_argument(
        "--answer",
        action="store_true",
        help="also a short answer written from the papers' passages (PAPERBOT_LLM_*)",
    )
    p.set_defaults(func=cmd_ask)
    p = sub.add_parser("trend", help="chart of the papers on a topic per week (PNG)")
    p.add_argument("topic", help="the topic, as a question or keywords")
    p.add_argument(
        "--period",
        choices=("month", "year", "all"),
        default="all",
        help="the window ending at the latest digest date (default: all)",
    )
    p.add_argument("--out", required=True, help="the PNG file to write")
    p.add_argument("--lang", choices=("ko", "en"), default="ko", help="chart labels")
    p.set_defaults(func=cmd_trend)
    p = sub.add_parser("eval", help="retrieval metrics over labelled queries")
    p.add_argument("queries", help="a .jsonl file of labelled queries (docs/EVALUATION.md)")
    p.add_argument("--out", help="also write each query's ranking here, one JSON line per query")
    p.add_argument("-k", type=_count(1, 100), default=10, help="ranking depth, 1-100 (10)")
    p.add_argument("--configs", default="hybrid", help="comma-separated: hybrid,dense,bm25,...")
    p.add_argument(
        "--failures",
        type=_count(1, 50),
        metavar="N",
        help="also list the paper rows whose target is not in the top N, with what ranked above",
    )
    p.add_argument(
        "--split",
        type=_count(1, 10),
        default=1,
        metavar="N",
        help="also a column per interleaved N-th of the targets (2: odd and even; a paper's rows stay together)",
    )
    p.set_defaults(func=cmd_eval)
    p = sub.add_parser("bench", help="performance benchmark")
    p.add_argument("--corpus", help="digest folder to measure (default: PAPERBOT_DIGESTS)")
    p.add_argument("--queries", help="a queries .jsonl (`query` field); default: a built-in set")
    p.add_argument(
        "--scale", type=int, default=10, help="synthetic multiple for the 10x run (0: skip)"
    )
    p.add_argument("--runs", type=int, default=3, help="repetitions; medians are reported (3)")
    p.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    p.set_defaults(func=cmd_bench)
    p = sub.add_parser("run", help="run the Discord bot")
    p.set_defaults(func=cmd_run)
    p = sub.add_parser(
        "doctor",
        help="check settings, data dir, index, Chroma server, digest folder and git remote",
        description="Checks what `paperbot run` needs, without starting Discord; prints one "
        "line per check and, for each problem, what to fix. Exits 1 when something needs fixing.",
    )
    p.set_defaults(func=cmd_doctor)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Every failure is one line on stderr and a non-zero exit: 2 for a bad command line or
    setting, 3 for what the store refused or could not do (its own errors, and Chroma's, a
    Chroma server's and SQLite's), 1 for anything unexpected (with the traceback under
    --debug)."""
    args = build_parser().parse_args(argv)
    if getattr(args, "since", None) and getattr(args, "until", None) and args.since > args.until:
        return _fail(f"--since {args.since} is after --until {args.until}", 2)
    try:
        settings = Settings()
    except ValidationError as error:
        if args.command != "doctor":
            return _fail(f"bad setting (environment or .env): {setting_problems(error)}", 2)
        from bot.ops.doctor import settings_despite

        settings, args.setting_problems = settings_despite(error)
    configure_logging(args.log_level or settings.log_level)
    try:
        return args.func(args, settings)
    except StoreError as error:
        if args.debug:
            raise
        return _fail(str(error), 3)
    except KeyboardInterrupt:
        return _fail("interrupted", 130)
    except BrokenPipeError:
        # the reader went away (`paperbot parse ... | head`): stop quietly, as Unix tools do;
        # stdout goes to /dev/null so that the interpreter's final flush does not fail again
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141  # 128 + SIGPIPE
    except Exception as error:
        if args.debug:
            raise
        if failure := library_failure(error):  # the store's libraries: also the index's fault
            return _fail(failure, 3)
        text = str(error).strip().splitlines()
        detail = f"{type(error).__name__}: {text[0][:300] if text else ''}"
        return _fail(f"{args.command} failed: {detail} (run with --debug for the traceback)", 1)


def setting_problems(error: ValidationError) -> str:
    return "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())


def _fail(message: str, code: int) -> int:
    print(f"paperbot: {message}", file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main())
