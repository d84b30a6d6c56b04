"""What an ingest or a rebuild refuses to do: each guard raises IngestRefused with a sentence
for the operator before anything is removed or switched. A typo in PAPERBOT_DIGESTS, an
unmounted volume or a clone being re-created must never empty the index."""

from __future__ import annotations

import os
from pathlib import Path

from ingest.files import scan_folder
from store.errors import IngestRefused

MAX_REMOVAL_SHARE = 0.2  # a mirror ingest removes at most this share of the index in one run
MIN_REMOVAL_GUARD = 5  # ...unless it removes this few papers
MIN_REBUILD_SHARE = 0.5  # a rebuild must hold at least this share of the active index
OVERRIDE = "--allow-mass-removal"


def check_sources(paths: list[Path]) -> list[str]:
    """Refuse a source that is missing or cannot be read; returns the problems inside it
    (sub-folders or files that cannot be read) that make removals unsafe this run."""
    problems = []
    for path in paths:
        if not path.exists():
            raise IngestRefused(
                f"{path} does not exist (check PAPERBOT_DIGESTS or the path given); "
                "nothing was changed."
            )
        if not os.access(path, os.R_OK | (os.X_OK if path.is_dir() else 0)):
            raise IngestRefused(f"{path} cannot be read (permission denied); nothing was changed.")
        if path.is_dir():
            scan = scan_folder(path)
            problems += [f"{where}: {why}" for where, why in scan.unreadable]
            problems += [f"{f}: cannot be read" for f in scan.files if not os.access(f, os.R_OK)]
    return problems


def check_papers(found: int, paths: list[Path]) -> None:
    if found == 0:
        where = ", ".join(str(p) for p in paths)
        raise IngestRefused(
            f"no digest papers found in {where}; nothing was changed. Digest files are named "
            "paper_logs/YYYY/MM/DD.md or YYYY-MM-DD.md."
        )


def check_removal(gone: int, indexed: int, source: str, allow: bool) -> None:
    if allow or gone <= MIN_REMOVAL_GUARD or gone <= MAX_REMOVAL_SHARE * indexed:
        return
    raise IngestRefused(
        f"refusing to remove {gone} of {indexed} indexed papers whose files are gone from "
        f"{source} (more than {MAX_REMOVAL_SHARE:.0%} in one run); nothing was changed. If the "
        f"folder is right, run `paperbot ingest {OVERRIDE}`."
    )


def check_activation(fresh: int, active: int, allow: bool) -> None:
    if fresh == 0:
        raise IngestRefused(
            "the rebuilt index is empty; still answering from the current one (nothing removed)."
        )
    if not allow and active and fresh < MIN_REBUILD_SHARE * active:
        raise IngestRefused(
            f"the rebuilt index holds {fresh} papers, the current one {active}: refusing to "
            f"switch to an index that small; still answering from the current one. Check "
            f"PAPERBOT_DIGESTS, or pass {OVERRIDE} if the source really shrank."
        )
