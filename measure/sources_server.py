"""A stand-in for the papers' sources on 127.0.0.1, for `paperbot bench`'s enrichment figure and
the tests: the Hugging Face papers API (`/api/papers/<id>`, JSON shaped as huggingface_hub's
PaperInfo reads it; 404 for an id it does not know) and the arXiv API (`/api/query?id_list=`,
an Atom feed shaped as arXiv's API manual shows it; unknown ids left out, unreadable ones as
an error entry). It records every request, and plays scripted replies (a 429, a 5xx, malformed
JSON, a slow reply) before its normal ones."""

from __future__ import annotations

import json
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self
from urllib.parse import parse_qs, unquote, urlsplit
from xml.sax.saxutils import escape

from store.models import ARXIV_ID

ARXIV_PATH = "/api/query"


def hf_paper(
    arxiv_id: str,
    title: str = "A paper",
    abstract: str = "What the paper does.",
    ai_summary: str = "",
    keywords: tuple[str, ...] = (),
    github: str | None = None,
    project_page: str | None = None,
    upvotes: int = 0,
) -> dict:
    """One paper as `GET /api/papers/<id>` answers it."""
    return {
        "id": arxiv_id,
        "authors": [{"_id": "65a1b2c3d4e5f6a7b8c9d0e1", "name": "A. Author", "hidden": False}],
        "mediaUrls": [],
        "publishedAt": "2024-05-29T17:59:58.000Z",
        "submittedOnDailyAt": "2024-05-30T00:47:53.392Z",
        "title": title,
        "summary": abstract,
        "upvotes": upvotes,
        "discussionId": "6657cfa1e2e1a5e4b5a3c2d1",
        "ai_summary": ai_summary,
        "ai_keywords": list(keywords),
        "githubRepo": github,
        "githubStars": 12 if github else None,
        "projectPage": project_page,
    }


def atom_feed(query: str, entries: dict[str, str], errors: list[str]) -> bytes:
    """The arXiv API's answer: one entry per known id (id -> abstract), one error entry per
    id it cannot read."""
    ns = 'xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/"'
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">',
        (
            f'  <link href="http://arxiv.org/api/query?{escape(query)}" rel="self" '
            'type="application/atom+xml"/>'
        ),
        f'  <title type="html">ArXiv Query: {escape(query)}</title>',
        "  <id>http://arxiv.org/api/Cz2V2LVbDdNyRDCLUEYkVlIboof</id>",
        "  <updated>2024-05-30T00:00:00-04:00</updated>",
        f"  <opensearch:totalResults {ns}>{len(entries) + len(errors)}</opensearch:totalResults>",
        f"  <opensearch:startIndex {ns}>0</opensearch:startIndex>",
    ]
    for arxiv_id, abstract in entries.items():
        parts.append(
            f"  <entry>\n    <id>http://arxiv.org/abs/{escape(arxiv_id)}v1</id>\n"
            "    <updated>2024-05-29T17:59:58Z</updated>\n"
            "    <published>2024-05-29T17:59:58Z</published>\n"
            "    <title>A paper</title>\n"
            f"    <summary>  {escape(abstract)}\n</summary>\n"
            "    <author>\n      <name>A. Author</name>\n    </author>\n"
            f'    <link href="http://arxiv.org/abs/{escape(arxiv_id)}v1" rel="alternate" '
            'type="text/html"/>\n'
            '    <arxiv:primary_category xmlns:arxiv="http://arxiv.org/schemas/atom" '
            'term="cs.CL" scheme="http://arxiv.org/schemas/atom"/>\n  </entry>'
        )
    for bad in errors:
        parts.append(
            f"  <entry>\n    <id>http://arxiv.org/api/errors#incorrect_id_format_for_{escape(bad)}"
            f"</id>\n    <title>Error</title>\n    <summary>incorrect id format for "
            f"{escape(bad)}</summary>\n  </entry>"
        )
    return ("\n".join(parts) + "\n</feed>\n").encode("utf-8")


@dataclass
class Scripted:
    """A reply played instead of the normal one: `body` None keeps the normal body."""

    status: int = 200
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


@dataclass(frozen=True)
class Seen:
    source: str  # "hf" | "arxiv"
    ids: tuple[str, ...]
    at: float  # time.monotonic() when the request arrived
    status: int = 0


class SourcesServer:
    """`hf`: arXiv id -> HF JSON; `arxiv`: arXiv id -> abstract; `script["hf"|"arxiv"]`: replies
    played first, in order; `gate` cleared holds every reply until it is set. Use `start()`/`stop()`
    or as a context manager."""

    def __init__(self, hf: dict[str, dict] | None = None, arxiv: dict[str, str] | None = None):
        self.hf = dict(hf or {})
        self.arxiv = dict(arxiv or {})
        self.script: dict[str, list[Scripted]] = {"hf": [], "arxiv": []}
        self.seen: list[Seen] = []
        self.gate = threading.Event()  # cleared: every reply waits until it is set again
        self.gate.set()
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def hf_api(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def arxiv_api(self) -> str:
        return self.hf_api + ARXIV_PATH

    def start(self) -> Self:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.gate.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def requests(self, source: str) -> list[Seen]:
        with self._lock:
            return [seen for seen in self.seen if seen.source == source]

    def answer(self, source: str, ids: tuple[str, ...], query: str) -> Scripted:
        with self._lock:
            scripted = self.script[source].pop(0) if self.script[source] else None
        normal = self._normal(source, ids, query)
        reply = scripted or normal
        if reply.body is None:
            reply = Scripted(reply.status, normal.body, reply.headers, reply.delay)
        with self._lock:
            self.seen.append(Seen(source, ids, time.monotonic(), reply.status))
        return reply

    def _normal(self, source: str, ids: tuple[str, ...], query: str) -> Scripted:
        if source == "hf":
            paper = self.hf.get(ids[0])
            if paper is None:
                return Scripted(404, b'{"error":"Paper not found"}')
            return Scripted(200, json.dumps(paper).encode())
        readable = [i for i in ids if ARXIV_ID.fullmatch(i)]
        known = {i: self.arxiv[i] for i in readable if i in self.arxiv}
        errors = [i for i in ids if i not in readable]
        return Scripted(200, atom_feed(query, known, errors))


def _handler(sources: SourcesServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            url = urlsplit(self.path)
            if url.path.startswith("/api/papers/"):
                source, ids = "hf", (unquote(url.path.removeprefix("/api/papers/")),)
            elif url.path == ARXIV_PATH:
                listed = parse_qs(url.query).get("id_list", [""])[0]
                source, ids = "arxiv", tuple(i for i in listed.split(",") if i)
            else:
                self.send_error(404)
                return
            sources.gate.wait()
            reply = sources.answer(source, ids, url.query)
            if reply.delay:
                time.sleep(reply.delay)
            kind = "application/json" if source == "hf" else "application/atom+xml"
            self.send_response(reply.status)
            self.send_header("Content-Type", f"{kind}; charset=utf-8")
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(reply.body or b"")))
            self.end_headers()
            try:
                self.wfile.write(reply.body or b"")
            except OSError:
                pass  # the client gave up (a timeout test)

        def log_message(self, format: str, *args: object) -> None:
            pass  # quiet: the tests read `seen`

    return Handler


def closed_port() -> int:
    """A loopback port nothing listens on (connections are refused): no network."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
