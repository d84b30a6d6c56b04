"""The parser against hostile and damaged input, on a fixed budget (seeded, bounded examples,
a few seconds in all): 1 MB hostile lines, real digest files mutated line by line and byte by
byte, and generated markdown. Whatever the input, parsing returns, in time linear in its size,
and everything it returns is well formed."""

from __future__ import annotations

import multiprocessing
import re
import time
import unicodedata
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from ingest.parse import Skipped, parse_file, parse_text
from store.models import Paper
from tests.conftest import ARCHIVE, ROOT

SAMPLES = sorted((ROOT / "samples").glob("????-??-??.md"))
PAPER_LOGS = ARCHIVE / "paper_logs"
# the archive's oddest days: no votes or authors, no blank lines, two sections, Python-list
# authors, numbered continuation lines, tabs, the English-only summary
QUIRKY_DAYS = ["2023/11/20", "2023/11/21", "2024/07/16", "2024/10/08", "2024/10/18", "2025/02/19"]
FUZZ_FILES = SAMPLES + [p for d in QUIRKY_DAYS if (p := PAPER_LOGS / f"{d}.md").is_file()]
FUZZ = settings(
    derandomize=True,
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
ARXIV_ID = re.compile(r"[0-9]{4}\.[0-9]{4,5}|[a-z][a-z.-]*(?:\.[A-Z]{2})?/[0-9]{7}")
MB = 1_000_000
BOUNDARY = re.compile(rb"#{2,3}\s")  # what ends an entry


def shown(path: Path) -> str:
    """The name a digest is shown under: `2024-05-30.md`, `paper_logs/2024/10/18.md`."""
    return path.name if path.parent == ROOT / "samples" else path.relative_to(ARCHIVE).as_posix()


def assert_well_formed(papers: list[Paper], skipped: list[Skipped], name: str) -> None:
    for paper in papers:
        assert date.fromisoformat(paper.date).isoformat() == paper.date
        assert ARXIV_ID.fullmatch(paper.arxiv_id), paper.arxiv_id
        assert paper.url == f"https://arxiv.org/abs/{paper.arxiv_id}"
        assert re.fullmatch(rf"{re.escape(name)}:[1-9][0-9]*", paper.source)
        assert paper.title and paper.summary
        for text in (paper.title, *paper.summary, *paper.authors):
            assert unicodedata.is_normalized("NFC", text)
    for skip in skipped:
        assert re.fullmatch(rf"{re.escape(name)}(:[1-9][0-9]*)?", skip.source), skip.source
        assert isinstance(skip.reason, str) and 0 < len(skip.reason) < 200, skip.reason


# --- 1 MB hostile lines -----------------------------------------------------------------

HOSTILE = {
    "video tags": "<video " * (MB // 7),
    "video tag, empty srcs": "<video" + " src=''" * (MB // 7),
    "image starts": "![" * (MB // 2),
    "image links without target": "![](" * (MB // 4),
    "brackets": "[" * MB,
    "watch video": "[Watch Video]" * (MB // 13),
    "entry headings in a line": "### [" * (MB // 5),
    "arXiv links in a heading": "### [T" + "](https://arxiv.org/abs/" * (MB // 24),
    "long arXiv id": "### [T](https://arxiv.org/abs/" + "a-" * (MB // 2),
    "section heading": "## Daily Papers (" + "(" * MB,
    "long bullet": "- " + "요약" * (MB // 2),
    "label without end": "- **" + "a" * MB,
    "label colons": "- *" + " :" * (MB // 2),
    "spaces then text": "- " + " " * MB + "x",
    "tabs": "\t" * MB,
    "vote digits": "Vote: " + "9" * MB,
    "authors": "Authors: " + "A, +, " * (MB // 6),
    "authors list": "Authors: [" + "'A', " * (MB // 5) + "]",
    "nested authors list": "Authors: " + "[" * (MB // 2) + "]" * (MB // 2),
    "combining marks": "- a" + "\u0301" * MB,
    "reordered combining marks": "- a" + "\u0316\u0301" * (MB // 2),
    "Tibetan vowel signs": "- a" + "\u0f73" * MB,
    "continuation lines": "- a\n" + "x\n" * (MB // 2),
    "broken entries": "### [x\n" * (MB // 7),
}


def parse_in_child(text: str, seconds: float) -> tuple[float, str | None]:
    """(parse time, failure or None) of `parse_text` in a forked child that is killed after
    `seconds`: quadratic code fails the test at once instead of hanging it for many minutes
    (unicodedata never checks for signals, so an alarm could not stop it)."""
    receive, send = multiprocessing.Pipe(duplex=False)

    def work() -> None:
        try:
            start = time.perf_counter()
            papers, skipped = parse_text(text, "f.md")
            elapsed = time.perf_counter() - start
            assert_well_formed(papers, skipped, "f.md")
            send.send((elapsed, None))
        except BaseException as exc:  # noqa: BLE001 - the parent fails the test with it
            send.send((0.0, repr(exc)[:500]))

    child = multiprocessing.get_context("fork").Process(target=work, daemon=True)
    child.start()
    try:
        if not receive.poll(seconds):
            return seconds, f"still parsing after {seconds} s"
        return receive.recv()
    finally:
        child.kill()
        child.join()


@pytest.mark.parametrize("line", list(HOSTILE.values()), ids=list(HOSTILE))
def test_a_1mb_hostile_line_parses_without_backtracking(line: str) -> None:
    """Linear code parses 1 MB in well under a second (`paperbot bench` has the figures);
    quadratic code needs hours, so the generous hang guard tells them apart on any machine."""
    text = f"## Daily Papers (2024-01-02)\n### [T](https://arxiv.org/abs/2401.00001)\n{line}\n- s\n"
    _, failure = parse_in_child(text, seconds=300)
    assert failure is None


# --- mutated real digests ---------------------------------------------------------------

MUTATIONS = ["delete", "duplicate", "shuffle", "cut", "insert", "bytes", "nfd", "redate"]
SECTION = b"## Daily Papers ("
BAD_BYTES = [b"\xff", b"\xc0", b"\x80", b"\xed\xa0\x80", b"\xea\xb0", b"\xf4\x90\x80\x80"]


@st.composite
def mutated(draw: st.DrawFn) -> tuple[Path, bytes]:
    """A real digest with 1-4 of: lines deleted, duplicated, shuffled or cut short, random
    text inserted, invalid UTF-8 inserted, a line decomposed (NFD), a section heading given a
    random YYYY-MM-DD; then maybe CRLF line ends, a BOM, the file cut short."""
    path = draw(st.sampled_from(FUZZ_FILES))
    lines = path.read_bytes().split(b"\n")
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(lines) - 1))
        kind = draw(st.sampled_from(MUTATIONS))
        if kind == "redate" and (headings := [n for n, x in enumerate(lines) if x[:17] == SECTION]):
            at = draw(st.sampled_from(headings))
            day = draw(st.from_regex(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", fullmatch=True)).encode()
            lines[at] = SECTION + day + lines[at][27:]
        elif kind == "nfd":  # as a file saved on macOS: Hangul as jamo, accents apart
            text = lines[at].decode(errors="surrogateescape")
            lines[at] = unicodedata.normalize("NFD", text).encode(errors="surrogateescape")
        elif kind == "delete" and len(lines) > 1:
            del lines[at]
        elif kind == "duplicate":
            lines[at:at] = lines[at : at + draw(st.integers(1, 12))]
        elif kind == "shuffle":
            window = lines[at : at + draw(st.integers(2, 30))]
            lines[at : at + len(window)] = draw(st.permutations(window))
        elif kind == "cut":
            lines[at] = lines[at][: draw(st.integers(0, len(lines[at])))]
        elif kind in ("insert", "bytes"):
            piece = draw(st.text(min_size=1, max_size=8)).encode()
            piece = draw(st.sampled_from(BAD_BYTES)) if kind == "bytes" else piece
            cut = draw(st.integers(0, len(lines[at])))
            lines[at] = lines[at][:cut] + piece + lines[at][cut:]
    data = b"\n".join(lines)
    if draw(st.booleans()):
        data = data.replace(b"\n", b"\r\n")
    if draw(st.booleans()):
        data = b"\xef\xbb\xbf" + data
    if draw(st.integers(0, 9)) == 0:
        data = data[: draw(st.integers(0, len(data)))]
    return path, data


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


def file_date(path: Path) -> str:
    return "-".join(path.with_suffix("").as_posix().replace("/", "-").split("-")[-3:])


def parse_as(original: Path, data: bytes, scratch: Path) -> tuple[list[Paper], list[Skipped]]:
    """Parse `data` as if it were `original`, under the same name."""
    path = scratch / shown(original)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return parse_file(path, scratch)


@settings(FUZZ, max_examples=150)
@given(case=mutated())
def test_mutated_digests_never_raise_and_give_well_formed_entries(
    scratch: Path, case: tuple[Path, bytes]
) -> None:
    original, data = case
    papers, skipped = parse_as(original, data, scratch)
    event("some entries skipped" if skipped else "nothing skipped")
    assert_well_formed(papers, skipped, shown(original))
    for paper in papers:  # the file's date, unless a heading with that date made it in
        assert paper.date == file_date(original) or f"({paper.date})".encode() in data


@pytest.mark.parametrize("path", FUZZ_FILES, ids=[shown(p) for p in FUZZ_FILES])
def test_unmutated_digests_give_exactly_their_entries(path: Path, scratch: Path) -> None:
    papers, skipped = parse_as(path, path.read_bytes(), scratch)
    lines = path.read_bytes().split(b"\n")
    assert skipped == []
    assert [p.source for p in papers] == [
        f"{shown(path)}:{n}" for n, line in enumerate(lines, 1) if line.startswith(b"### [")
    ]
    assert {p.date for p in papers} == {file_date(path)}
    assert_well_formed(papers, skipped, shown(path))


@FUZZ
@given(data=st.data())
def test_a_bad_byte_inside_an_entry_skips_that_entry_alone(
    scratch: Path, data: st.DataObject
) -> None:
    original = data.draw(st.sampled_from(FUZZ_FILES))
    papers, _ = parse_as(original, original.read_bytes(), scratch)
    lines = original.read_bytes().split(b"\n")
    k = data.draw(st.integers(0, len(papers) - 1))
    heading = int(papers[k].source.rsplit(":", 1)[1])
    inside = [heading]  # the entry: its heading and the lines up to the next heading
    while inside[-1] < len(lines) and not BOUNDARY.match(lines[inside[-1]]):
        inside.append(inside[-1] + 1)
    line = data.draw(st.sampled_from(inside))
    text = lines[line - 1]
    cut = data.draw(st.integers(4 if line == heading else 0, len(text)))
    lines[line - 1] = text[:cut] + data.draw(st.sampled_from(BAD_BYTES)) + text[cut:]
    got, skipped = parse_as(original, b"\n".join(lines), scratch)
    assert got == papers[:k] + papers[k + 1 :]
    assert [s.source for s in skipped] == [papers[k].source]
    assert skipped[0].reason.startswith(f"line {line} is not valid UTF-8: byte 0x")


# --- generated markdown -----------------------------------------------------------------

markdownish = st.text(
    alphabet=st.sampled_from(list("#[]()!-*:+ \t\n\r\u1100\u1161가Vv0123456789.'\"<>/abs\u0301")),
    max_size=400,
)


@settings(FUZZ, max_examples=300)
@given(st.one_of(st.text(max_size=400), markdownish))
def test_parse_never_raises_and_every_entry_is_complete(text: str) -> None:
    papers, skipped = parse_text(text, "f.md", "2024-01-02")
    assert_well_formed(papers, skipped, "f.md")


name = st.text(
    alphabet=st.characters(
        blacklist_characters=",+\n\r\t[]'\"\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029",
        blacklist_categories=("Cs", "Zs", "Cc"),
    ),
    min_size=1,
    max_size=12,
)
sentence = st.from_regex(
    r"[가-힣A-Za-z0-9][가-힣A-Za-z0-9 .,()%]{0,40}[가-힣A-Za-z0-9.]", fullmatch=True
)


@settings(FUZZ, max_examples=100)
@given(
    title=sentence,
    votes=st.one_of(st.none(), st.integers(0, 999)),
    authors=st.lists(name, max_size=5, unique=True),
    bullets=st.lists(sentence, min_size=1, max_size=5),
)
def test_rendered_entries_round_trip(
    title: str, votes: int | None, authors: list[str], bullets: list[str]
) -> None:
    authors = [unicodedata.normalize("NFC", a) for a in authors]
    authors = [a for a in dict.fromkeys(authors) if a.strip() == a]
    text = f"## Daily Papers (2024-02-03)\n\n### [{title}](https://arxiv.org/abs/2402.01234)\n\n"
    text += f"Vote: {'-' if votes is None else votes}\n\n"
    text += f"Authors: {', '.join(authors)}\n\n" if authors else ""
    text += "".join(f"- {b}\n" for b in bullets)
    papers, skipped = parse_text(text, "d.md")
    assert skipped == [] and len(papers) == 1
    paper = papers[0]
    assert (paper.title, paper.votes, paper.date) == (title, votes, "2024-02-03")
    assert paper.authors == tuple(authors)
    assert paper.summary == tuple(bullets)
