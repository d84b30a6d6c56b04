"""Operator mistakes never empty the index: each guard refuses with a sentence and removes
nothing. Each test fails on a pipeline without its guard."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from pathlib import Path

import pytest

from ingest.pipeline import ingest, open_index, rebuild
from store.errors import IngestRefused
from tests.conftest import SAMPLES

root_can_read_anything = pytest.mark.skipif(
    os.geteuid() == 0, reason="root reads files of any mode"
)


@pytest.fixture
def indexed(tmp_path: Path, settings):
    folder = tmp_path / "digests"
    shutil.copytree(SAMPLES, folder)
    indexed = settings.model_copy(update={"digests": folder})
    assert ingest(indexed).papers_new == 62
    return indexed


def papers(settings) -> int:
    return len(open_index(settings).by_id)


@pytest.mark.parametrize("where", ["does-not-exist", "empty"])
def test_a_missing_or_empty_folder_changes_nothing(indexed, tmp_path: Path, where: str) -> None:
    folder = tmp_path / where
    if where == "empty":
        folder.mkdir()
    wrong = indexed.model_copy(update={"digests": folder})
    with pytest.raises(IngestRefused, match="nothing was changed"):
        ingest(wrong)
    with pytest.raises(IngestRefused):
        rebuild(wrong)
    assert papers(indexed) == 62


def test_removing_most_of_the_index_needs_the_override(indexed) -> None:
    for day in ("2023-12-12", "2023-12-18", "2024-02-16"):
        (indexed.digests / f"{day}.md").unlink()
    with pytest.raises(IngestRefused, match="refusing to remove 41 of 62"):
        ingest(indexed)
    assert papers(indexed) == 62
    assert ingest(indexed, allow_mass_removal=True).papers_removed == 41
    assert papers(indexed) == 21


def test_full_rebuild_from_one_file_does_not_shrink_the_index(indexed) -> None:
    before = open_index(indexed).generation
    with pytest.raises(IngestRefused, match="holds 12 papers, the current one 62"):
        rebuild(indexed, paths=[indexed.digests / "2024-05-30.md"])
    index = open_index(indexed)
    assert (index.generation, len(index.by_id)) == (before, 62)
    state = index.registry.state()
    assert state.building == () and len(state.prefixes) == 1, "the refused build is dropped"


def test_full_rebuild_takes_every_path_given(indexed) -> None:
    a, b = indexed.digests / "2023-12-12.md", indexed.digests / "2023-12-18.md"
    fresh, report = rebuild(indexed, paths=[a, b], allow_mass_removal=True)
    assert report.files == 2 and len(fresh.by_id) == 28
    assert sorted(open_index(indexed).dates()) == ["2023-12-12", "2023-12-18"]


def test_a_file_given_by_hand_never_moves_a_paper_back_in_time(indexed, tmp_path: Path) -> None:
    newer = open_index(indexed).get("2312.09911")
    assert newer is not None and newer.date == "2023-12-18"
    older = tmp_path / "2023-12-01.md"
    entry = (indexed.digests / "2023-12-18.md").read_text(encoding="utf-8")
    older.write_text(entry.replace("2023-12-18", "2023-12-01"), encoding="utf-8")
    ingest(indexed, paths=[older])
    assert open_index(indexed).get("2312.09911").date == "2023-12-18"


def test_cli_says_why_and_exits_non_zero(indexed, monkeypatch, capsys) -> None:
    from bot.cli import main

    monkeypatch.setenv("PAPERBOT_DIGESTS", str(indexed.digests.parent / "typo"))
    assert main(["ingest"]) == 3
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "typo does not exist" in err and "nothing was changed" in err
    monkeypatch.setenv("PAPERBOT_DIGESTS", str(indexed.digests))
    assert main(["ingest", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["papers_unchanged"] == 62


def make_unreadable(path: Path, kind: str) -> None:
    """Turn a digest file into something that cannot be read as one."""
    if kind == "mode 000":
        path.chmod(0)
        return
    path.unlink()
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "folder":
        path.mkdir()
    elif kind == "dangling link":
        path.symlink_to(path.with_name("gone.md"))
    elif kind == "link loop":
        path.symlink_to(path)


@pytest.mark.parametrize(
    "kind",
    [
        "fifo",
        "folder",
        "dangling link",
        "link loop",
        pytest.param("mode 000", marks=root_can_read_anything),
    ],
)
def test_an_unreadable_digest_file_removes_nothing(indexed, kind: str) -> None:
    """Its papers are not gone, only unread: nothing is removed this run, and the file is
    reported. The first four kinds are unreadable for root too (CI runs as root)."""
    day = indexed.digests / "2024-03-14.md"  # 9 papers: few enough to go without a guard
    make_unreadable(day, kind)
    try:
        report = ingest(indexed)
    finally:
        if kind == "mode 000":
            day.chmod(0o644)
    assert report.papers_removed == 0
    assert any("2024-03-14.md" in problem for problem in report.removals_held)
    assert [s.source for s in report.skipped] == ["2024-03-14.md"]
    assert papers(indexed) == 62


def test_a_source_folder_that_cannot_be_read_is_refused() -> None:
    """Checked in a child process that runs as nobody when the tests run as root (root lists
    any folder): the folder is on /tmp so that nobody can reach it, with mode 000."""
    from ingest.guards import check_sources

    with tempfile.TemporaryDirectory(dir="/tmp") as top:
        Path(top).chmod(0o755)
        folder = Path(top, "digests")
        folder.mkdir()
        (folder / "2024-05-30.md").write_text("### [T](https://arxiv.org/abs/2401.00001)\n- a\n")
        folder.chmod(0)
        child = os.fork()
        if child == 0:  # pragma: no cover (the child)
            code = 1
            try:
                if os.geteuid() == 0:
                    os.setgid(65534)
                    os.setuid(65534)
                check_sources([folder])
            except IngestRefused as refused:
                code = 0 if "cannot be read" in str(refused) else 2
            finally:  # whatever happened, the child ends here (1: not refused)
                os._exit(code)
        for _ in range(6000):  # a hang guard, not a time limit
            done, status = os.waitpid(child, os.WNOHANG)
            if done:
                break
            time.sleep(0.01)
        else:
            os.kill(child, 9)
            os.waitpid(child, 0)
            pytest.fail("the child did not finish")
        folder.chmod(0o755)
    assert os.waitstatus_to_exitcode(status) == 0, "the unreadable folder was not refused"


def test_a_broken_entry_keeps_its_indexed_paper(indexed) -> None:
    day = indexed.digests / "2023-12-18.md"
    raw = day.read_bytes()
    amphion = raw.index(b"2312.09911")
    body = raw.index(b"\n- ", amphion)  # the first bullet of its summary
    day.write_bytes(raw[: body + 3] + b"\xff" + raw[body + 3 :])
    report = ingest(indexed)
    assert [s.arxiv_id for s in report.skipped] == ["2312.09911"]
    assert report.papers_removed == 0
    assert open_index(indexed).get("2312.09911") is not None, "the indexed version stays"


def test_an_emptied_file_holds_every_removal(indexed) -> None:
    (indexed.digests / "2024-03-14.md").write_text("", encoding="utf-8")
    report = ingest(indexed)
    assert report.papers_removed == 0 and report.removals_held
    assert "2024-03-14.md" in report.removals_held[0] and papers(indexed) == 62


@pytest.mark.parametrize(
    ("gone", "indexed", "refused"),
    [(20, 100, False), (21, 100, True), (5, 6, False), (6, 20, True), (200, 1000, False)],
)
def test_a_mirror_ingest_removes_at_most_a_fifth_of_the_index(
    gone: int, indexed: int, refused: bool
) -> None:
    """Just below and just above the removal guard's 20% (a 60% guard would let 21 of 100
    go); five papers or fewer may always go."""
    from ingest.guards import check_removal

    if refused:
        with pytest.raises(IngestRefused, match=f"refusing to remove {gone} of {indexed}"):
            check_removal(gone, indexed, "digests", allow=False)
        check_removal(gone, indexed, "digests", allow=True)  # the override
    else:
        check_removal(gone, indexed, "digests", allow=False)


@pytest.mark.parametrize(
    ("fresh", "active", "refused"),
    [(50, 100, False), (49, 100, True), (1, 2, False), (1, 3, True), (1, 0, False)],
)
def test_a_rebuild_must_keep_at_least_half_of_the_index(
    fresh: int, active: int, refused: bool
) -> None:
    """Just above and just below the rebuild guard's 50% (a 25% guard would switch to 49 of
    100)."""
    from ingest.guards import check_activation

    if refused:
        with pytest.raises(IngestRefused, match=f"holds {fresh} papers, the current one {active}"):
            check_activation(fresh, active, allow=False)
        check_activation(fresh, active, allow=True)
    else:
        check_activation(fresh, active, allow=False)
