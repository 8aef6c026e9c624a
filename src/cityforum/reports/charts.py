"""Charts of the reports as plain SVG geometry, drawn by ``templates/reports/charts/``.

No plotting library and no script: the same vector drawing goes into the web page (the
Content-Security-Policy allows SVG presentation attributes, never ``style=""``) and into the
PDF, where WeasyPrint draws inline SVG as vectors with the embedded fonts. Labels are
translated by the caller; every coordinate is written as a plain string here, so that no
language's decimal comma ever reaches an SVG attribute.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

#: The capitals' colours, as on the site (``site.css``).
CAPITAL_COLOURS = {
    "human": "#c2410c",
    "social": "#7c3aed",
    "economic": "#b45309",
    "cultural": "#be185d",
    "environmental": "#15803d",
}
ACCENT = "#0b5cad"
MUTED = "#8a94a6"


def _n(value: float) -> str:
    """A coordinate as SVG reads it: a dot, at most one decimal."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


@dataclass(frozen=True)
class Bar:
    label: str
    value_label: str
    y: str
    text_y: str
    width: str
    value_x: str
    colour: str


@dataclass(frozen=True)
class BarChart:
    width: str
    height: str
    label_x: str
    plot_x: str
    bar_height: str
    bars: list[Bar]


@dataclass(frozen=True)
class BarInput:
    label: str
    value: float
    value_label: str
    colour: str = ACCENT


LABEL_WIDTH = 200
PLOT_WIDTH = 270
VALUE_ROOM = 70
BAR = 14
GAP = 7
MAX_LABEL = 36


def _short(label: str) -> str:
    return label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 1].rstrip() + "…"


def bars(items: Sequence[BarInput]) -> BarChart | None:
    """Horizontal bars, one per item, scaled to the largest value; ``None`` when every value
    is zero (an empty chart says nothing: the caller says it in words)."""
    largest = max((float(i.value) for i in items), default=0.0)
    if largest <= 0:
        return None
    drawn = []
    for row, item in enumerate(items):
        y = GAP + row * (BAR + GAP)
        width = PLOT_WIDTH * float(item.value) / largest
        drawn.append(
            Bar(
                label=_short(item.label),
                value_label=item.value_label,
                y=_n(y),
                text_y=_n(y + BAR - 3),
                width=_n(max(width, 0.0)),
                value_x=_n(LABEL_WIDTH + width + 5),
                colour=item.colour,
            )
        )
    height = GAP + len(items) * (BAR + GAP)
    return BarChart(
        width=_n(LABEL_WIDTH + PLOT_WIDTH + VALUE_ROOM),
        height=_n(height),
        label_x=_n(LABEL_WIDTH - 6),
        plot_x=_n(LABEL_WIDTH),
        bar_height=_n(BAR),
        bars=drawn,
    )
