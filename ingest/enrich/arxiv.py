"""The arXiv API: `GET {query}?id_list=a,b,c&max_results=N` answers an Atom feed with one
`<entry>` per paper it knows (`<id>http://arxiv.org/abs/<id>v<n></id>`, `<summary>` the
abstract). An id it does not know is simply left out; an id it cannot read comes back as an
entry whose id is `http://arxiv.org/api/errors#...` (title "Error"), which is skipped."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from urllib.parse import urlencode

from ingest.enrich.hf import Malformed, one_line

ATOM = "{http://www.w3.org/2005/Atom}"
_VERSION = re.compile(r"v\d+$")


def query_url(base: str, arxiv_ids: Sequence[str]) -> str:
    query = urlencode({"id_list": ",".join(arxiv_ids), "max_results": len(arxiv_ids)}, safe=",/")
    return f"{base}?{query}"


def parse_feed(body: bytes) -> dict[str, str]:
    """arXiv id (without its version) -> abstract, for each paper entry of the feed."""
    try:
        root = ET.fromstring(body)  # data only: expat expands no external entities
    except ET.ParseError as error:
        raise Malformed(f"not an Atom feed ({error})") from None
    if root.tag != f"{ATOM}feed":
        raise Malformed(f"not an Atom feed (root <{root.tag}>)")
    found = {}
    for entry in root.iter(f"{ATOM}entry"):
        link = (entry.findtext(f"{ATOM}id") or "").strip()
        if "/abs/" not in link:
            continue  # an error entry (http://arxiv.org/api/errors#...)
        arxiv_id = _VERSION.sub("", link.split("/abs/", 1)[1])
        abstract = one_line(entry.findtext(f"{ATOM}summary"))
        if abstract:
            found[arxiv_id] = abstract
    return found
