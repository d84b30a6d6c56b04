"""The /trend chart as PNG bytes: matplotlib's Agg backend (no display), the NanumGothic font
shipped inside the koreanize-matplotlib package (never a system font), and an opaque light card
with dark text, which reads the same on Discord's dark and light themes.

Synchronous and CPU-bound: the bot calls `trend_png` with asyncio.to_thread.
"""

from __future__ import annotations

import importlib.util
import io
import threading
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from bot.ui.i18n import Lang, t
from store.search.trends import Growth, Trend

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

BACKGROUND = "#FFFFFF"
TEXT = "#1F2328"
GRID = "#D0D7DE"
BAR = "#2F6FEB"
PEAK = "#E8590C"
_lock = threading.Lock()  # matplotlib's font manager is process-global
_font: str | None = None


def font_path() -> Path:
    """NanumGothic from the koreanize-matplotlib package, found without importing it (its
    import changes global settings and imports distutils)."""
    spec = importlib.util.find_spec("koreanize_matplotlib")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("koreanize-matplotlib is not installed (it ships the Korean font)")
    return Path(next(iter(spec.submodule_search_locations))) / "fonts" / "NanumGothic.ttf"


def _korean_font() -> str:
    global _font
    if _font is None:
        from matplotlib import font_manager

        path = font_path()
        font_manager.fontManager.addfont(str(path))
        _font = font_manager.FontProperties(fname=str(path)).get_name()
    return _font


def plain(text: str) -> str:
    """User text as literal chart text: `$` would start matplotlib's math mode."""
    return text.replace("\\", "\\\\").replace("$", r"\$")


def _png(size: tuple[float, float], grid: str, draw: Callable[[Figure, Axes], None]) -> bytes:
    """One chart as PNG bytes: the shared card (font, colours, `grid` lines, no top/right
    frame), `draw` adds the data."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    with _lock:  # the font is registered and the style applied under the lock
        style = {
            "font.family": _korean_font(),
            "axes.unicode_minus": False,
            "text.color": TEXT,
            "axes.labelcolor": TEXT,
            "xtick.color": TEXT,
            "ytick.color": TEXT,
            "axes.edgecolor": GRID,
        }
        with matplotlib.rc_context(style):
            figure = Figure(figsize=size, dpi=110, facecolor=BACKGROUND)
            FigureCanvasAgg(figure)
            axes = figure.add_subplot()
            axes.set_facecolor(BACKGROUND)
            axes.grid(axis=grid, color=GRID, linewidth=0.8)
            axes.set_axisbelow(True)
            for side in ("top", "right"):
                axes.spines[side].set_visible(False)
            draw(figure, axes)
            buffer = io.BytesIO()
            figure.savefig(buffer, format="png", facecolor=BACKGROUND)
    return buffer.getvalue()


def trend_png(trend: Trend, lang: Lang) -> bytes:
    from matplotlib import dates as mdates

    weeks = [date.fromisoformat(w) for w, _ in trend.weeks]

    def draw(figure: Figure, axes: Axes) -> None:
        counts = [n for _, n in trend.weeks]
        peaks = {w for w, _ in trend.peaks}
        colours = [PEAK if w in peaks else BAR for w, _ in trend.weeks]
        axes.bar(weeks, counts, width=5.5, color=colours, align="edge")
        axes.set_title(plain(t("trend_title", lang, topic=_clip(trend.topic))), fontsize=14, pad=12)
        axes.set_xlabel(t("trend_axis_week", lang))
        axes.set_ylabel(t("trend_axis_papers", lang))
        axes.yaxis.get_major_locator().set_params(integer=True)
        axes.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m-%d"))
        summary = t(
            "trend_summary",
            lang,
            total=trend.total,
            since=trend.since,
            until=trend.until,
            weeks=len(weeks),
        )
        figure.text(0.01, 0.01, plain(summary), fontsize=9, color=TEXT)
        figure.autofmt_xdate()

    return _png((10, 4.6), "y", draw)


def _clip(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def growth_png(grown: list[Growth], lang: Lang, week: str = "") -> bytes:
    """The roll-up's chart: each rising topic's papers this week beside its weekly average over
    the four weeks before (horizontal bars, labels in full)."""

    def draw(figure: Figure, axes: Axes) -> None:
        rows = list(range(len(grown)))[::-1]
        labels = [plain(_clip(g.label, 40)) for g in grown]
        axes.barh(
            [r + 0.2 for r in rows],
            [g.this_week for g in grown],
            height=0.4,
            color=PEAK,
            label=t("weekly_chart_this", lang),
        )
        axes.barh(
            [r - 0.2 for r in rows],
            [g.before for g in grown],
            height=0.4,
            color=BAR,
            label=t("weekly_chart_before", lang),
        )
        axes.set_yticks(rows, labels)
        axes.xaxis.get_major_locator().set_params(integer=True)
        axes.legend(loc="lower right", frameon=False)
        axes.set_title(t("weekly_chart_title", lang, week=week), fontsize=13)
        figure.tight_layout()

    return _png((10, 1.2 + 0.6 * max(len(grown), 1)), "x", draw)
