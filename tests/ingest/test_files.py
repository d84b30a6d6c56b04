"""Digest files on disk: names and their dates, folders, decoding, and what is reported about
files that cannot give entries (ingest/files.py and the file level of ingest/parse.py)."""

from __future__ import annotations

import logging
import os
from datetime import date
from pathlib import Path

import pytest

from ingest.files import (
    calendar_date,
    date_from_path,
    decode_lines,
    find_digest_files,
    name_date,
    scan_folder,
)
from ingest.parse import ParseResult, Skipped, parse_file, parse_paths

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
SAMPLE = SAMPLES / "2024-05-30.md"

ENTRY = """\
### [Good Paper](https://arxiv.org/abs/2401.00002)

Vote: 7

- 요약 하나.
"""


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


# --- names and dates --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("2024-02-29", "2024-02-29"),
        ("2023-02-29", None),
        ("2024-02-30", None),
        ("9999-99-99", None),
        ("0000-01-01", None),
        ("2024-1-02", None),
        ("20240102", None),  # date.fromisoformat takes it; a digest never spells it so
        ("٢٠٢٤-٠١-٠٢", None),  # Arabic-Indic digits
        ("2024-01-02T00:00", None),
    ],
)
def test_calendar_date(text: str, day: str | None) -> None:
    assert calendar_date(text) == day


@pytest.mark.parametrize(
    ("path", "spelled", "day"),
    [
        ("paper_logs/2024/02/29.md", "2024-02-29", "2024-02-29"),
        ("/x/paper_logs/2024/02/30.md", "2024-02-30", None),
        ("2024-02-30.md", "2024-02-30", None),
        ("notes/2024-13-45.md", "2024-13-45", None),
        ("README.md", None, None),
        ("paper_logs/2024/07/summary.md", None, None),
        ("2024-05-30.md.bak", None, None),
    ],
)
def test_name_date_spells_what_the_name_says_date_from_path_only_real_dates(
    path: str, spelled: str | None, day: str | None
) -> None:
    assert (name_date(path), date_from_path(path)) == (spelled, day)


def test_find_digest_files_by_path_shape(tmp_path: Path) -> None:
    nested = write(tmp_path / "paper_logs/2024/07/16.md", ENTRY)
    flat = write(tmp_path / "more/2024-05-30.md", ENTRY)
    for other in (
        "README.md",
        "LICENSE.md",
        "paper_logs/papers_list.csv",
        "notes/2024-13-45.md",
        "paper_logs/2024/07/summary.md",
        ".git/2024-05-31.md",
    ):
        write(tmp_path / other, ENTRY)
    assert find_digest_files(tmp_path) == sorted([nested, flat])
    assert find_digest_files(flat) == [flat]
    assert find_digest_files(tmp_path / "paper_logs/2024/07") == [nested]
    assert find_digest_files(tmp_path / "missing") == []
    scan = scan_folder(tmp_path)
    assert scan.files == sorted([nested, flat, tmp_path / "notes/2024-13-45.md"])
    assert scan.unreadable == []


def test_symlinked_files_are_found_symlinked_folders_not_entered(tmp_path: Path) -> None:
    real = write(tmp_path / "elsewhere/2024-05-30.md", ENTRY)
    (tmp_path / "digests/linked").mkdir(parents=True)
    (tmp_path / "digests/2024-05-31.md").symlink_to(real)
    (tmp_path / "digests/linked/folder").symlink_to(real.parent, target_is_directory=True)
    assert scan_folder(tmp_path / "digests").files == [tmp_path / "digests/2024-05-31.md"]


# --- reading folders and files ----------------------------------------------------------


def test_flat_file_name_gives_the_date_and_display_path(tmp_path: Path) -> None:
    flat = write(tmp_path / "2024-05-30.md", ENTRY)
    result = parse_paths([flat])
    assert result.files == 1
    assert [(p.date, p.source) for p in result.papers] == [("2024-05-30", "2024-05-30.md:1")]
    papers, _ = parse_file(flat, tmp_path.parent)
    assert papers[0].source == f"{tmp_path.name}/2024-05-30.md:1"


def test_folder_sources_are_relative_to_the_folder_given(tmp_path: Path) -> None:
    write(tmp_path / "paper_logs/2024/07/16.md", ENTRY)
    result = parse_paths([tmp_path])
    assert [(p.date, p.source) for p in result.papers] == [
        ("2024-07-16", "paper_logs/2024/07/16.md:1")
    ]


def test_missing_path_is_reported(tmp_path: Path) -> None:
    result = parse_paths([tmp_path / "nope"])
    assert (result.files, result.papers) == (0, [])
    assert [s.reason for s in result.skipped] == ["no such file or folder"]


def test_digest_names_that_are_not_calendar_dates_are_reported(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    for name in ("2024-02-30.md", "paper_logs/2024/02/30.md", "notes/9999-99-99.md"):
        write(tmp_path / name, ENTRY.replace("2401.00002", "2401.00009"))
    write(tmp_path / "paper_logs/2024/02/29.md", ENTRY)
    with caplog.at_level(logging.WARNING, logger="ingest.parse"):
        result = parse_paths([tmp_path])
    assert [(p.date, p.source) for p in result.papers] == [
        ("2024-02-29", "paper_logs/2024/02/29.md:1")
    ]
    assert result.skipped == [
        Skipped("2024-02-30.md", "file name date 2024-02-30 is not a calendar date"),
        Skipped("notes/9999-99-99.md", "file name date 9999-99-99 is not a calendar date"),
        Skipped("paper_logs/2024/02/30.md", "file name date 2024-02-30 is not a calendar date"),
    ]
    assert result.files == 4
    assert "2024-02-30.md: file name date 2024-02-30 is not a calendar date" in caplog.text
    given = parse_paths([tmp_path / "2024-02-30.md"])
    assert (given.papers, [s.source for s in given.skipped]) == ([], ["2024-02-30.md"])


@pytest.mark.parametrize(
    ("content", "why"),
    [
        ("", "the file is empty"),
        (b"\xef\xbb\xbf\r\n  \n", "the file is empty"),
        (
            "## Daily Papers (2024-05-30)\n\nNo papers today.\n",
            "no `### [Title](arXiv link)` heading",
        ),
    ],
)
def test_digest_without_entries_is_reported(tmp_path: Path, content: str | bytes, why: str) -> None:
    write(tmp_path / "paper_logs/2024/05/30.md", content)
    result = parse_paths([tmp_path])
    assert (result.files, result.papers) == (1, [])
    assert result.skipped == [Skipped("paper_logs/2024/05/30.md", f"no entries: {why}")]


def test_unreadable_folder_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path / "paper_logs/2024/05/30.md", ENTRY)
    write(tmp_path / "paper_logs/2024/06/01.md", ENTRY)
    locked = tmp_path / "paper_logs/2024/06"
    scandir = os.scandir

    def refusing(path: str | os.PathLike[str] = ".") -> object:
        if Path(path) == locked:  # as a folder with mode 000 is to anyone but root
            raise PermissionError(13, "Permission denied", str(path))
        return scandir(path)

    monkeypatch.setattr(os, "scandir", refusing)
    result = parse_paths([tmp_path])
    assert [p.source for p in result.papers] == ["paper_logs/2024/05/30.md:1"]
    assert result.skipped == [Skipped("paper_logs/2024/06", "unreadable folder: Permission denied")]


# --- decoding ---------------------------------------------------------------------------


def test_decode_lines_drops_a_bom_and_unifies_line_ends() -> None:
    assert decode_lines(b"\xef\xbb\xbfa\r\nb\rc\n\xef\xbb\xbfd") == ("a\nb\nc\n\ufeffd", {})


def test_decode_lines_marks_each_bad_line_and_keeps_the_numbering() -> None:
    text, bad = decode_lines(
        "가\n".encode() + b"ok\r\nx\xffy\xfe\r\n\xed\xa0\x80\n" + "끝".encode()
    )
    assert text.split("\n") == ["가", "ok", "x\ufffdy\ufffd", "\ufffd\ufffd\ufffd", "끝"]
    assert bad == {
        3: "is not valid UTF-8: byte 0xff at byte 2 of the line",
        4: "is not valid UTF-8: byte 0xed at byte 1 of the line",  # an encoded surrogate
    }


@pytest.mark.parametrize(
    "variant",
    [
        lambda b: b"\xef\xbb\xbf" + b,
        lambda b: b.replace(b"\n", b"\r\n"),
        lambda b: b.replace(b"\n", b"\r"),
        lambda b: b"\xef\xbb\xbf" + b.replace(b"\n", b"\r\n"),
    ],
    ids=["bom", "crlf", "cr", "bom-crlf"],
)
def test_bom_and_line_ends_change_nothing(tmp_path: Path, variant) -> None:
    expected = parse_file(SAMPLE)
    assert len(expected[0]) == 12 and expected[1] == []
    assert parse_file(write(tmp_path / SAMPLE.name, variant(SAMPLE.read_bytes()))) == expected


def test_one_bad_byte_costs_only_the_entry_holding_it(tmp_path: Path) -> None:
    papers, _ = parse_file(SAMPLE)
    victim = papers[4]
    line = int(victim.source.rsplit(":", 1)[1]) + 4  # inside the entry, below its heading
    lines = SAMPLE.read_bytes().split(b"\n")
    column = len(lines[line - 1]) + 1
    lines[line - 1] += b"\xc0"
    got, skipped = parse_file(write(tmp_path / SAMPLE.name, b"\n".join(lines)))
    assert got == [p for p in papers if p is not victim]
    reason = f"line {line} is not valid UTF-8: byte 0xc0 at byte {column} of the line"
    assert skipped == [Skipped(victim.source, reason)]
    assert skipped[0].arxiv_id == victim.arxiv_id


def test_non_utf8_file_loses_only_its_entries_each_with_its_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    legacy = "### [제목](https://arxiv.org/abs/2401.00001)\n- 요약\n\n".encode("euc-kr")
    write(tmp_path / "2024-05-30.md", legacy + ENTRY.encode())
    write(tmp_path / "2024-05-31.md", ENTRY)
    with caplog.at_level(logging.WARNING, logger="ingest.parse"):
        result = parse_paths([tmp_path])
    assert result.files == 2
    assert [p.source for p in result.papers] == ["2024-05-30.md:4", "2024-05-31.md:1"]
    reason = "line 1 is not valid UTF-8: byte 0xc1 at byte 6 of the line"
    assert result.skipped == [Skipped("2024-05-30.md:1", reason)]
    assert f"2024-05-30.md:1: {reason}" in caplog.text


def test_bad_bytes_in_a_section_heading_or_outside_entries(tmp_path: Path) -> None:
    data = (
        b"intro \xff\n"
        b"## Daily Papers (2024-05-30) \xff\n" + ENTRY.encode() + b"\n"
        b"## Daily Papers (2024-05-30)\n" + ENTRY.replace("00002", "00003").encode()
    )
    papers, skipped = parse_file(write(tmp_path / "2024-05-30.md", data))
    assert [(p.arxiv_id, p.date, p.source) for p in papers] == [
        ("2401.00003", "2024-05-30", "2024-05-30.md:10")
    ]
    bad = "is not valid UTF-8: byte 0xff at byte {} of the line"
    assert skipped == [
        Skipped("2024-05-30.md:1", f"this line {bad.format(7)} (it is outside any entry)"),
        Skipped("2024-05-30.md:3", f"the section heading on line 2 {bad.format(30)}"),
    ]
    assert all(date.fromisoformat(p.date) for p in papers)


def test_an_unreadable_second_level_heading_may_have_been_a_section(tmp_path: Path) -> None:
    data = b"## Daily Papers (2024-05-30)\n## Daily Pap\xffers (2024-05-31)\n" + ENTRY.encode()
    papers, skipped = parse_file(write(tmp_path / "2024-05-30.md", data))
    assert papers == []
    reason = "the section heading on line 2 is not valid UTF-8: byte 0xff at byte 13 of the line"
    assert skipped == [Skipped("2024-05-30.md:3", reason)]


# --- digest-shaped names that are not readable regular files ------------------------------


def not_files(folder: Path) -> dict[str, str]:
    """Every way a digest-shaped name can fail to be a readable file, made under `folder`;
    each fails for root too. {name: the reason reported}."""
    os.mkfifo(folder / "2024-06-01.md")
    (folder / "2024-06-02.md").symlink_to("/dev/zero")
    (folder / "2024-06-03.md").symlink_to(folder / "2024-06-03.md")  # a loop
    (folder / "2024-06-04.md").symlink_to(folder / "gone.md")
    (folder / "2024-06-05.md").mkdir()
    (folder / "paper_logs/2024/06").mkdir(parents=True)
    (folder / "paper_logs/2024/06/06.md").symlink_to(folder / "2024-06-05.md")
    return {
        "2024-06-01.md": "unreadable: a FIFO (named pipe), not a file",
        "2024-06-02.md": "unreadable: a character device, not a file",
        "2024-06-03.md": "unreadable: Too many levels of symbolic links",
        "2024-06-04.md": "unreadable: a broken symbolic link",
        "2024-06-05.md": "unreadable: a folder, not a file",
        "paper_logs/2024/06/06.md": "unreadable: a folder, not a file",
    }


def test_every_digest_name_that_is_not_a_readable_file_is_reported(tmp_path: Path) -> None:
    """docs/ARCHIVE.md: every digest-shaped name is reported; a FIFO, a device, a symlink loop
    or a dangling link, a folder were passed over in silence."""
    write(tmp_path / "2024-05-30.md", ENTRY)
    reasons = not_files(tmp_path)
    result = parse_paths([tmp_path])
    assert [p.source for p in result.papers] == ["2024-05-30.md:1"]
    assert sorted(result.skipped, key=lambda s: s.source) == [
        Skipped(name, why) for name, why in sorted(reasons.items())
    ]
    assert result.files == 1 + len(reasons)


def test_a_fifo_or_device_given_by_name_is_reported_not_read(tmp_path: Path) -> None:
    """Reading a FIFO waits for a writer forever, /dev/zero never ends: neither is opened for
    reading as a digest (a thread with a hang guard, so the unfixed code fails, not hangs)."""
    import threading

    reasons = not_files(tmp_path)
    fifo = tmp_path / "2024-06-01.md"
    found: list[ParseResult] = []
    reader = threading.Thread(target=lambda: found.append(parse_paths([fifo])), daemon=True)
    reader.start()
    reader.join(60)
    if reader.is_alive():  # release the blocked reader, then fail
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        pytest.fail("parse_paths blocked reading a FIFO")
    assert found[0].skipped == [Skipped("2024-06-01.md", reasons["2024-06-01.md"])]
    for name in ("2024-06-03.md", "2024-06-04.md"):
        assert parse_paths([tmp_path / name]).skipped == [Skipped(name, reasons[name])]
