"""The shared vocabulary: a digest paper, one indexed passage of it, and a retrieval hit."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass, field

# An arXiv id as the digests and users write it: new style `2312.09911` or old style
# `cs.CL/0601001` (optionally `v2`); group 1 is the id without the version.
ARXIV_ID = re.compile(r"([0-9]{4}\.[0-9]{4,5}|[a-z][a-z.-]*(?:\.[A-Z]{2})?/[0-9]{7})(?:v[0-9]+)?")


def arxiv_url(arxiv_id: str) -> str:
    return f"https://arxiv.org/abs/{arxiv_id}"


@dataclass(frozen=True)
class Paper:
    """One digest entry: everything needed to render a card."""

    arxiv_id: str
    title: str
    url: str
    date: str  # ISO yyyy-mm-dd of the digest that lists it
    votes: int | None
    authors: tuple[str, ...]
    summary: tuple[str, ...]  # bullets, labels kept as text ("What's New: ...")
    media: str | None
    source: str  # "paper_logs/2023/12/18.md:3"

    @property
    def votes_text(self) -> str:
        """The vote count as shown to people: "–" when the digest has none."""
        return "–" if self.votes is None else str(self.votes)

    @property
    def pdf_url(self) -> str:
        return f"https://arxiv.org/pdf/{self.arxiv_id}"

    @property
    def hf_url(self) -> str:
        return f"https://huggingface.co/papers/{self.arxiv_id}"

    @property
    def date_int(self) -> int:
        return int(self.date.replace("-", ""))

    def to_json(self) -> dict:
        data = asdict(self)
        data["authors"] = list(self.authors)
        data["summary"] = list(self.summary)
        return data

    @classmethod
    def from_json(cls, data: dict) -> Paper:
        return cls(
            arxiv_id=data["arxiv_id"],
            title=data["title"],
            url=data["url"],
            date=data["date"],
            votes=data.get("votes"),
            authors=tuple(data.get("authors") or ()),
            summary=tuple(data.get("summary") or ()),
            media=data.get("media"),
            source=data.get("source", ""),
        )

    def content_hash(self) -> str:
        """Hash of what is indexed and shown; `source` is excluded so a moved file is no change."""
        data = self.to_json()
        data.pop("source")
        raw = json.dumps(data, ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class Chunk:
    """One passage of a paper's summary, with the title as context; id is `<arxiv_id>#<i>`."""

    arxiv_id: str
    index: int
    text: str

    @property
    def id(self) -> str:
        return f"{self.arxiv_id}#{self.index}"


@dataclass(frozen=True)
class Hit:
    """A paper found for a question: its score and the bullets that answer it."""

    paper: Paper
    score: float
    evidence: tuple[str, ...] = field(default=())

    def to_json(self) -> dict:
        return {
            **self.paper.to_json(),
            "score": round(self.score, 4),
            "evidence": list(self.evidence),
        }


@dataclass(frozen=True)
class Answer:
    question: str
    abstained: bool
    hits: tuple[Hit, ...]

    def to_json(self) -> dict:
        return {
            "question": self.question,
            "abstained": self.abstained,
            "papers": [hit.to_json() for hit in self.hits],
        }
