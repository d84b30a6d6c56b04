"""The `paperbot` command: ingest, parse, today, top, ask, paper, trend, bib, eval, bench, enrich,
run, doctor
(docs/CONTRACTS.md)."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from importlib import metadata
from pathlib import Path

from pydantic import ValidationError

from bot import cli_args
from bot.cli_enrich import cmd_enrich
from bot.cli_paper import (
    cmd_bib,
    cmd_paper,
    enrichment_json,
    known_extras,
    print_json,
    print_paper,
)
from bot.ops.logs import configure as configure_logging
from store.enrich import Enrichment
from store.errors import StoreError, library_failure, retry_read
from store.index import Index
from store.models import Answer, Paper
from store.settings import Settings
from store.usertext import visible

log = logging.getLogger("paperbot")


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
        print_json(report.to_json())
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
        print_json({"date": day, "papers": [p.to_json() for p in papers]})
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
        print_json({"since": since, "until": until, "papers": [p.to_json() for p in papers]})
        return 0
    print(f"Top {len(papers)} by votes, {since} .. {until}\n")
    for rank, paper in enumerate(papers, 1):
        print_paper(paper, bullets=paper.summary[:1], rank=rank)
    return 0


def print_answer(answer: Answer, extras: dict[str, Enrichment] | None = None) -> None:
    if answer.abstained:
        print("Nothing relevant found in the digests for this question.")
        return
    for rank, hit in enumerate(answer.hits, 1):
        extra = (extras or {}).get(hit.paper.arxiv_id)
        print_paper(hit.paper, bullets=hit.evidence, rank=rank, extra=extra)
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
    extras = known_extras(settings, [hit.paper.arxiv_id for hit in answer.hits])
    if args.json:
        extra = {"answer": written, "answer_note": note} if args.answer else {}
        data = answer.to_json() | extra
        for paper in data["papers"]:
            if paper["arxiv_id"] in extras:
                paper["enrichment"] = enrichment_json(extras[paper["arxiv_id"]])
        print_json(data)
        return 0
    if written:
        print(f"Answer (written by {settings.llm_model} from the passages below; it can be wrong):")
        print(f"{written}\n")
    print_answer(answer, extras)
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
    commands = {
        "ingest": cmd_ingest,
        "parse": cmd_parse,
        "today": cmd_today,
        "top": cmd_top,
        "ask": cmd_ask,
        "paper": cmd_paper,
        "trend": cmd_trend,
        "bib": cmd_bib,
        "eval": cmd_eval,
        "bench": cmd_bench,
        "enrich": cmd_enrich,
        "run": cmd_run,
        "doctor": cmd_doctor,
    }
    return cli_args.build_parser(commands)


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
