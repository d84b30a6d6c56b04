"""The in-memory list autocomplete answers from: ids and titles, newest first. Typing into an
option must answer in milliseconds, so it never touches Chroma."""

from __future__ import annotations

from collections.abc import Iterable

from discord import app_commands

from store.models import Paper

MAX_CHOICES = 25
CHOICE_NAME = 100  # Discord's limit on a choice's display name


class PaperLookup:
    def __init__(self, papers: Iterable[Paper]) -> None:
        ordered = sorted(papers, key=lambda p: (p.date, p.votes or 0), reverse=True)
        self._rows = [(p.arxiv_id, p.title, f"{p.arxiv_id} {p.title}".lower()) for p in ordered]

    def choices(self, typed: str) -> list[app_commands.Choice[str]]:
        """Ids starting with what was typed first, then titles containing every typed word."""
        text = typed.strip().lower()
        words = text.split()
        chosen = [r for r in self._rows if text and r[0].startswith(text)][:MAX_CHOICES]
        seen = {r[0] for r in chosen}
        for row in self._rows:
            if len(chosen) >= MAX_CHOICES:
                break
            if row[0] not in seen and all(w in row[2] for w in words):
                chosen.append(row)
        return [
            app_commands.Choice(name=_name(arxiv_id, title), value=arxiv_id)
            for arxiv_id, title, _ in chosen
        ]


def _name(arxiv_id: str, title: str) -> str:
    name = f"{arxiv_id} · {title}"
    return name if len(name) <= CHOICE_NAME else name[: CHOICE_NAME - 1] + "…"
