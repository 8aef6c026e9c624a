"""Suggesting a line of transformation and capitals while a recommendation is written.

The engine is :mod:`cityforum.analysis.transformation` (lexicon of cues + a classifier trained
on confirmed tags). This module only adapts its answer for the form, and stays quiet when the
engine is not there or knows nothing about the text: a suggestion is help, never a gate.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any

from cityforum.programme.models import Capital

from .models import Line


@dataclass
class Suggestion:
    """Ranked lines ``[(code, label, percent)]`` with a score above zero, and capitals
    ``[(code, name)]``."""

    lines: list[tuple[str, str, int]] = field(default_factory=list)
    capitals: list[tuple[str, str]] = field(default_factory=list)
    available: bool = True

    @property
    def line(self) -> str | None:
        return self.lines[0][0] if self.lines else None


def _engine() -> Any:
    try:
        return importlib.import_module("cityforum.analysis.transformation")
    except ImportError:
        return None


def suggest(text: str, language: str | None = None) -> Suggestion:
    """What to suggest for ``text``; ``available`` is False without the engine."""
    engine = _engine()
    if engine is None or not text.strip():
        return Suggestion(available=engine is not None)
    if hasattr(engine, "suggest_recommendation"):
        found = engine.suggest_recommendation(text, language)
        ranked, codes = list(found.lines), list(found.capitals)
    else:
        ranked = list(engine.suggest_line(text, language))
        codes = (
            list(engine.suggest_capitals(text, language))
            if hasattr(engine, "suggest_capitals")
            else []
        )
    labels = dict(Line.choices)
    lines = [
        (code, str(labels.get(code, code)), round(100 * float(score)))
        for code, score in ranked
        if float(score) > 0 and code in labels
    ][:2]
    names = {c.code: str(c.name) for c in Capital.objects.filter(code__in=codes)}
    return Suggestion(lines=lines, capitals=[(c, names[c]) for c in codes if c in names])
