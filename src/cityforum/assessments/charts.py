"""The radar chart of five capital scores, as plain SVG geometry for a template.

No plotting library: five axes, one polygon per series, drawn by the template so that the
labels are translated and the chart stays readable (and printable) without JavaScript.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from cityforum.analysis.capitals import CAPITALS

SIZE = 320
CENTRE = SIZE / 2
RADIUS = 110
MARGIN = 90
"""Room on each side for the axis labels, which are written horizontally."""
COLOURS = ("#0b5cad", "#c2410c", "#15803d", "#7c3aed", "#be185d", "#b45309", "#1d2433", "#5a6478")


def _point(index: int, score: float) -> tuple[float, float]:
    angle = -math.pi / 2 + 2 * math.pi * index / len(CAPITALS)
    r = RADIUS * max(0.0, min(float(score), 100.0)) / 100.0
    return round(CENTRE + r * math.cos(angle), 1), round(CENTRE + r * math.sin(angle), 1)


@dataclass(frozen=True)
class Axis:
    capital: str
    label: str
    x: float
    y: float
    label_x: float
    label_y: float
    anchor: str


@dataclass(frozen=True)
class Series:
    key: str
    label: str
    points: str
    scores: dict[str, float]
    colour: str


@dataclass(frozen=True)
class Radar:
    size: int
    centre: float
    margin: int
    width: int
    axes: list[Axis]
    rings: list[str]
    series: list[Series]


def radar(
    series: Sequence[tuple[str, str, Mapping[str, float | None] | None]],
    names: Mapping[str, str] | None = None,
) -> Radar | None:
    """Geometry for ``(key, label, scores)`` series; incomplete series are left out."""
    drawn: list[Series] = []
    for key, label, scores in series:
        if not scores or any(scores.get(c) is None for c in CAPITALS):
            continue
        values = {c: float(scores[c]) for c in CAPITALS}  # type: ignore[arg-type]
        points = " ".join(
            f"{x},{y}" for x, y in (_point(i, values[c]) for i, c in enumerate(CAPITALS))
        )
        drawn.append(Series(key, label, points, values, COLOURS[len(drawn) % len(COLOURS)]))
    if not drawn:
        return None
    axes = []
    for i, capital in enumerate(CAPITALS):
        x, y = _point(i, 100)
        lx, ly = _point(i, 118)
        anchor = "middle" if abs(lx - CENTRE) < 5 else ("start" if lx > CENTRE else "end")
        label = str((names or {}).get(capital, capital))
        axes.append(Axis(capital, label, x, y, lx, ly + (4 if ly > CENTRE else 0), anchor))
    rings = [
        " ".join(f"{x},{y}" for x, y in (_point(i, level) for i in range(len(CAPITALS))))
        for level in (25, 50, 75, 100)
    ]
    return Radar(SIZE, CENTRE, MARGIN, SIZE + 2 * MARGIN, axes, rings, drawn)
