"""The themes × regions heat map: one cell per theme and region, the share of the region's
contributions that belong to the theme, as an SVG figure and as a table with the same numbers.

Colour only repeats the number written in each cell (darker = larger share, scaled to the
largest cell), so nothing depends on seeing colours.
"""

from __future__ import annotations

from typing import Any

CELL_W, CELL_H, LABEL_W, HEADER_H = 76, 30, 280, 44
LABEL_CHARS = 38


def _fill(share: float, largest: float) -> tuple[str, str]:
    """A light-to-dark blue for the cell and a text colour that stays readable on it: white
    up to 47 % lightness, black above (both at least 4.5:1, WCAG 2.1 AA; white on 48–57 % and
    #1a1a1a on 48–51 % were not)."""
    t = share / largest if largest > 0 else 0.0
    lightness = round(96 - 58 * t)
    return f"hsl(210, 65%, {lightness}%)", "#ffffff" if lightness <= 47 else "#000000"


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def heat_map(
    themes: list[dict[str, Any]], labels: dict[int, str], regions: dict[str, str]
) -> dict[str, Any]:
    """Rows (themes) and columns (regions, in ``regions``' order) with every cell's count,
    total, share in per cent, Wilson interval and colours; plus the SVG's geometry."""
    codes = list(regions)
    largest = max(
        (p["share"] for t in themes for p in t.get("prevalence", {}).values()), default=0.0
    )
    rows = []
    for r, theme in enumerate(themes):
        cells = []
        for c, code in enumerate(codes):
            p = theme.get("prevalence", {}).get(code, {"count": 0, "total": 0, "share": 0.0})
            fill, ink = _fill(p["share"], largest)
            cells.append(
                {
                    "region": code,
                    "region_name": regions[code],
                    "count": p["count"],
                    "total": p["total"],
                    "percent": round(100 * p["share"]),
                    "low": round(100 * p.get("low", 0.0)),
                    "high": round(100 * p.get("high", 0.0)),
                    "fill": fill,
                    "ink": ink,
                    "x": LABEL_W + c * CELL_W,
                    "y": HEADER_H + r * CELL_H,
                    "tx": LABEL_W + c * CELL_W + CELL_W // 2,
                    "ty": HEADER_H + r * CELL_H + CELL_H // 2 + 5,
                }
            )
        label = labels.get(theme["id"], "")
        rows.append(
            {
                "id": theme["id"],
                "label": label,
                "short": _short(label, LABEL_CHARS),
                "ty": HEADER_H + r * CELL_H + CELL_H // 2 + 5,
                "cells": cells,
            }
        )
    columns = [
        {
            "code": code,
            "name": regions[code],
            "short": _short(regions[code], 11),
            "tx": LABEL_W + c * CELL_W + CELL_W // 2,
        }
        for c, code in enumerate(codes)
    ]
    return {
        "rows": rows,
        "columns": columns,
        "largest": round(100 * largest),
        "width": LABEL_W + CELL_W * len(codes),
        "height": HEADER_H + CELL_H * len(themes),
        "cell_w": CELL_W,
        "cell_h": CELL_H,
        "header_y": HEADER_H - 14,
        "label_x": LABEL_W - 8,
    }
