"""A strict reader of the BibTeX the bot writes (no BibTeX library is installed): entries
`@type{key, name={value}, ...}` with balanced braces, and no LaTeX special character left
unescaped in a value. Anything else raises ValueError."""

from __future__ import annotations

import re

_HEAD = re.compile(r"\s*@([a-zA-Z]+)\{([^,\s{}]+),")
_FIELD = re.compile(r"\s*([a-zA-Z]+)\s*=\s*\{")
_UNESCAPED = re.compile(r"(?<!\\)[&%$#_~^]")
_COMMANDS = re.compile(r"\\(?:text[a-z]+\{\}|[&%$#_{}])")


def _braced(text: str, start: int) -> tuple[str, int]:
    """The value from just after an opening brace to its matching brace; (value, next index)."""
    depth, i = 1, start
    while i < len(text):
        char = text[i]
        if char == "\\":
            i += 2
            continue
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth == 0:
            return text[start:i], i + 1
        i += 1
    raise ValueError("unbalanced braces")


def parse(text: str) -> list[tuple[str, str, dict[str, str]]]:
    entries = []
    pos = 0
    while text[pos:].strip():
        head = _HEAD.match(text, pos)
        if head is None:
            raise ValueError(f"no entry at {text[pos : pos + 40]!r}")
        pos = head.end()
        fields: dict[str, str] = {}
        while True:
            field = _FIELD.match(text, pos)
            if field is None:
                break
            value, pos = _braced(text, field.end())
            if _UNESCAPED.search(_COMMANDS.sub("", value)):
                raise ValueError(f"unescaped special character in {value!r}")
            if field[1] in fields:
                raise ValueError(f"field {field[1]} twice")
            fields[field[1]] = value
            pos = re.match(r"\s*,?", text[pos:]).end() + pos  # type: ignore[union-attr]
        close = re.match(r"\s*\}", text[pos:])
        if close is None:
            raise ValueError(f"entry {head[2]} not closed")
        pos += close.end()
        entries.append((head[1].lower(), head[2], fields))
    return entries
