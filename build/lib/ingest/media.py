"""The thumbnail or video URL of a digest entry's media line, in time linear in its length.

Three forms occur: `![alt](url)` (an image, or a video in image syntax), `[Watch Video](url)`
or `[Watch Video]url`, and `<video ... src="url" ...>`. The earliest one on the line wins.
Each scanner visits every character a bounded number of times: a regex search such as
`!\\[[^\\]]*\\]` or `<video\\b[^>]*?\\ssrc` restarts at every candidate and rescans the rest of
the line, which made a hostile 250 KB line take most of a minute.
"""

from __future__ import annotations

import re

HF_BASE = "https://huggingface.co"

_TARGET = re.compile(r"\s*([^)\s]+)")  # a link target after `(`: leading spaces, then the URL
_WATCH_VIDEO = re.compile(r"\[Watch Video\]\(?\s*([^)\s]+)")  # literal start: linear already
_VIDEO_TAG = re.compile(r"<video\b")
_VIDEO_SRC = re.compile(r"\ssrc\s*=\s*['\"]")
_QUOTED = re.compile(r"[^'\"]+")


def find_media(text: str) -> str | None:
    """The URL of the first media on a line, made absolute, or None."""
    found = [hit for scan in (_image, _watch_video, _video_tag) if (hit := scan(text))]
    if not found:
        return None
    url = min(found)[1]
    if url.startswith("//"):
        return f"https:{url}"
    if url.startswith("/"):
        return f"{HF_BASE}{url}"
    return url


def _image(text: str) -> tuple[int, str] | None:
    """`![...](url)`: every `![` before the same `]` shares that `]`, so a failed `]` is
    never looked at again."""
    start = text.find("![")
    while start >= 0:
        close = text.find("]", start + 2)
        if close < 0:
            return None
        if text.startswith("(", close + 1) and (target := _TARGET.match(text, close + 2)):
            return start, target[1]
        start = text.find("![", close + 1)
    return None


def _watch_video(text: str) -> tuple[int, str] | None:
    match = _WATCH_VIDEO.search(text)
    return None if match is None else (match.start(), match[1])


def _video_tag(text: str) -> tuple[int, str] | None:
    """`<video ... src="url"`: the attribute must come before the tag's `>`. The first tag
    start before a `>` sees every attribute a later one there could see, so a tag without a
    usable src skips straight past its `>`."""
    tag = _VIDEO_TAG.search(text)
    while tag is not None:
        end = text.find(">", tag.end())
        end = len(text) if end < 0 else end
        attribute = _VIDEO_SRC.search(text, tag.end(), end)
        while attribute is not None:
            if value := _QUOTED.match(text, attribute.end()):
                return tag.start(), value[0]
            attribute = _VIDEO_SRC.search(text, attribute.start() + 1, end)
        tag = _VIDEO_TAG.search(text, end)
    return None
