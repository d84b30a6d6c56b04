"""The Hugging Face papers API: `GET {base}/api/papers/{arxiv_id}` answers one paper as JSON
(the fields huggingface_hub's PaperInfo reads): `id`, `title`, `summary` (the abstract),
`upvotes`, `ai_summary` (a one-line summary), `ai_keywords`, `githubRepo`, `projectPage`, ...;
an id it does not know is a 404."""

from __future__ import annotations

import json
from urllib.parse import quote

from store.enrich import Enrichment


class Malformed(ValueError):
    """A reply that is not what the API documents."""


def paper_url(base: str, arxiv_id: str) -> str:
    return f"{base.rstrip('/')}/api/papers/{quote(arxiv_id, safe='/')}"


def one_line(text: object) -> str:
    """Text with its runs of whitespace (arXiv's line breaks) as single spaces."""
    return " ".join(text.split()) if isinstance(text, str) else ""


def web_link(value: object) -> str | None:
    """An http(s) URL, or None: cards link it, so nothing else gets through."""
    if isinstance(value, str) and value.strip().startswith(("https://", "http://")):
        link = value.strip()
        return link if " " not in link and len(link) <= 500 else None
    return None


def parse_paper(arxiv_id: str, body: bytes) -> Enrichment:
    """The Enrichment in a 200 reply. Raises Malformed when it is not a JSON object."""
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise Malformed(f"not JSON ({error})") from None
    if not isinstance(data, dict):
        raise Malformed(f"a JSON {type(data).__name__}, not an object")
    keywords = data.get("ai_keywords")
    if not isinstance(keywords, list):
        keywords = []
    upvotes = data.get("upvotes")
    return Enrichment(
        arxiv_id,
        source="hf",
        abstract=one_line(data.get("summary")),
        ai_summary=one_line(data.get("ai_summary")),
        keywords=tuple(
            dict.fromkeys(k.strip() for k in keywords if isinstance(k, str) and k.strip())
        ),
        github=web_link(data.get("githubRepo")),
        project_page=web_link(data.get("projectPage")),
        upvotes=upvotes if isinstance(upvotes, int) and not isinstance(upvotes, bool) else None,
    )
