"""BibTeX entries (bot/saved/bibtex.py): the arXiv `@misc` form, escaping, years, keys that are
unique over the whole index and the same whichever papers are cited together, and the split
into files under the upload limit."""

from __future__ import annotations

import pytest

from bot.saved import bibtex
from store.models import Paper
from tests.bot.bibparse import parse


def paper(arxiv_id: str, title: str, authors=("Ge Zhang", "Scott Qu"), date="2024-05-30"):
    return Paper(arxiv_id, title, "u", date, 5, tuple(authors), ("요약",), None, "s")


def test_an_entry_in_arxivs_form() -> None:
    neo = paper("2405.19327", "MAP-Neo: Highly Capable and Transparent Bilingual LLM Series")
    assert bibtex.entry(neo, bibtex.base_key(neo)) == (
        "@misc{zhang2024mapneo,\n"
        "  title={MAP-Neo: Highly Capable and Transparent Bilingual LLM Series},\n"
        "  author={Ge Zhang and Scott Qu},\n"
        "  year={2024},\n"
        "  eprint={2405.19327},\n"
        "  archivePrefix={arXiv},\n"
        "  url={https://arxiv.org/abs/2405.19327}\n"
        "}\n"
    )


def test_latex_special_characters_are_escaped_and_unicode_kept() -> None:
    odd = paper(
        "2405.00001",
        r"50% of A&B: $x$ #1 in_place {set} ~ ^ back\slash",
        authors=("김철수", "José Núñez", "Smith, Jr."),
    )
    [(kind, key, fields)] = parse(bibtex.entry(odd, bibtex.base_key(odd)))
    assert kind == "misc" and key == "anon202450"  # no ASCII in the name; "50%" -> "50"
    assert fields["title"] == (
        r"50\% of A\&B: \$x\$ \#1 in\_place \{set\} \textasciitilde{} \textasciicircum{} "
        r"back\textbackslash{}slash"
    )
    assert fields["author"] == "김철수 and José Núñez and {Smith, Jr.}"


def test_year_from_a_new_style_id_else_from_the_digest_date() -> None:
    assert bibtex.year_of(paper("2312.09911", "Amphion", date="2024-01-02")) == "2023"
    assert bibtex.year_of(paper("cs.CL/0601001", "Old", date="2024-01-02")) == "2024"


def test_key_words_skip_articles_and_fold_accents() -> None:
    assert bibtex.base_key(paper("2401.00001", "The Élan of Models", ["Zoë Müller"])) == (
        "muller2024elan"
    )
    assert bibtex.base_key(paper("2401.00002", "A Study", [])) == "anon2024study"


def test_keys_are_unique_over_the_index_and_stable_across_exports() -> None:
    first = paper("2405.00003", "Diffusion models A")
    second = paper("2405.00010", "Diffusion models B")
    third = paper("2405.00002", "Diffusion models C")
    other = paper("2405.00004", "Other")
    catalogue = [first, second, third, other]
    keys = bibtex.cite_keys(catalogue, [p.arxiv_id for p in catalogue])
    assert keys == {
        "2405.00002": "zhang2024diffusion",  # the smallest id keeps the bare key
        "2405.00003": "zhang2024diffusionb",
        "2405.00010": "zhang2024diffusionc",
        "2405.00004": "zhang2024other",
    }
    for one in catalogue:  # cited alone, each paper gets the key it has in the whole export
        assert bibtex.cite_keys(catalogue, [one.arxiv_id]) == {one.arxiv_id: keys[one.arxiv_id]}
    texts = bibtex.entries([second, first], {p.arxiv_id: p for p in catalogue})
    assert [key for _, key, _ in parse("".join(texts))] == [
        "zhang2024diffusionc",
        "zhang2024diffusionb",
    ]


@pytest.mark.parametrize("rank, suffix", [(0, ""), (1, "b"), (25, "z"), (26, "ba")])
def test_key_suffixes(rank: int, suffix: str) -> None:
    assert bibtex._suffix(rank) == suffix


def test_files_stay_under_the_limit_without_cutting_an_entry() -> None:
    papers = [paper(f"2405.{n:05d}", f"P{n:03d} paper") for n in range(30)]  # same sizes
    texts = bibtex.entries(papers, {p.arxiv_id: p for p in papers})
    size = len(texts[0].encode()) + 1
    files = bibtex.split(texts, limit=3 * size)
    assert len(files) == 10 and all(len(f) <= 3 * size for f in files)
    assert [k for f in files for _, k, _ in parse(f.decode())] == [
        k for t in texts for _, k, _ in parse(t)
    ]
    assert bibtex.split(texts) == ["\n".join(texts).encode() + b"\n"]  # 8 MB: one file
    alone = bibtex.split(texts[:3], limit=size // 2)  # each entry over the limit: a file each
    assert [f.decode() for f in alone] == [t + "\n" for t in texts[:3]]
    groups = bibtex.messages(files, limit=100 * size)
    assert [len(g) for g in groups] == [10]  # at most 10 files a message
    groups = bibtex.messages(files, limit=7 * size)
    assert [len(g) for g in groups] == [2, 2, 2, 2, 2]  # together under the limit
    assert bibtex.messages(files + files[:1], limit=100 * size) == [list(range(10)), [10]]


@pytest.mark.parametrize(
    "typed, found",
    [
        ("2405.19327", "2405.19327"),
        ("2405.19327v2", "2405.19327"),
        ("https://arxiv.org/abs/2405.19327", "2405.19327"),
        ("https://huggingface.co/papers/2405.19327", "2405.19327"),
        ("not an id", None),
    ],
)
def test_ids_as_typed(typed: str, found: str | None) -> None:
    assert bibtex.arxiv_id_of(typed) == found
