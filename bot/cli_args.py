"""The `paperbot` command line: subcommands, options and their help text (bot/cli.py runs them)."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping

from store.dates import PERIODS, iso_date
from store.settings import LOG_LEVELS


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


def build_parser(commands: Mapping[str, Callable[..., int]]) -> argparse.ArgumentParser:
    """The `paperbot` command line; `commands` maps each subcommand to the function that runs it."""
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
    p.set_defaults(func=commands["ingest"])
    p = sub.add_parser("parse", help="parse digests, print entries")
    p.add_argument("paths", nargs="+", help="digest files or folders to parse (nothing is indexed)")
    p.add_argument("--jsonl", action="store_true", help="one JSON entry per line (the default)")
    p.set_defaults(func=commands["parse"])
    p = sub.add_parser("today", help="latest (or given) digest")
    p.add_argument(
        "--date",
        type=_digest_date,
        metavar="YYYY-MM-DD",
        help="the digest of this day (or the nearest earlier one); default: the latest",
    )
    p.add_argument("--json", action="store_true", help=as_json)
    p.set_defaults(func=commands["today"])
    p = sub.add_parser("top", help="top-voted papers")
    p.add_argument(
        "--period",
        choices=PERIODS,
        default="week",
        help="the window ending at the latest digest date (default: week)",
    )
    p.add_argument("-n", type=_count(1, 100), default=10, help="how many papers, 1-100 (10)")
    p.add_argument("--json", action="store_true", help=as_json)
    p.set_defaults(func=commands["top"])
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
    p.set_defaults(func=commands["ask"])
    p = sub.add_parser("paper", help="one paper, with what its own sources add when known")
    p.add_argument("arxiv_id", help="the arXiv id, e.g. 2405.19327")
    p.add_argument("--json", action="store_true", help=as_json)
    p.set_defaults(func=commands["paper"])
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
    p.set_defaults(func=commands["trend"])
    p = sub.add_parser("bib", help="BibTeX entries of papers (the keys /saved-export gives)")
    p.add_argument(
        "ids", nargs="+", metavar="ID", help="arXiv ids (2405.19327, 2405.19327v2 or a URL)"
    )
    p.set_defaults(func=commands["bib"])
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
    p.set_defaults(func=commands["eval"])
    p = sub.add_parser("bench", help="performance benchmark")
    p.add_argument("--corpus", help="digest folder to measure (default: PAPERBOT_DIGESTS)")
    p.add_argument("--queries", help="a queries .jsonl (`query` field); default: a built-in set")
    p.add_argument(
        "--scale", type=int, default=10, help="synthetic multiple for the 10x run (0: skip)"
    )
    p.add_argument("--runs", type=int, default=3, help="repetitions; medians are reported (3)")
    p.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    p.set_defaults(func=commands["bench"])
    p = sub.add_parser(
        "enrich",
        help="fetch abstracts, keywords and code links from Hugging Face and arXiv",
        description="Fetches what the papers' own sources say about them (the Hugging Face "
        "papers API; the arXiv API for abstracts it lacks) into the data dir's enrich.sqlite, "
        "newest digest first, at each source's pace. The bot does this in the background after "
        "each ingest; `paperbot ingest` never fetches. Off with PAPERBOT_ENRICH=0.",
    )
    p.add_argument(
        "ids",
        nargs="*",
        metavar="ID",
        help="arXiv ids to fetch (again, even when cached); default: every indexed paper not "
        "cached yet",
    )
    p.add_argument(
        "--limit", type=_count(1, 1_000_000), metavar="N", help="fetch at most N papers this run"
    )
    p.add_argument("--json", action="store_true", help="print the report as one JSON object")
    p.set_defaults(func=commands["enrich"])
    p = sub.add_parser("run", help="run the Discord bot")
    p.set_defaults(func=commands["run"])
    p = sub.add_parser(
        "doctor",
        help="check settings, data dir, index, Chroma server, digest folder and git remote",
        description="Checks what `paperbot run` needs, without starting Discord; prints one "
        "line per check and, for each problem, what to fix. Exits 1 when something needs fixing.",
    )
    p.set_defaults(func=commands["doctor"])
    return parser
