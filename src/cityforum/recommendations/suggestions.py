"""Suggesting a line of transformation and capitals while a recommendation is written.

The engine is :mod:`cityforum.analysis.transformation`: a lexicon of cues, blended with a
classifier trained on the lines the forum has confirmed — those of its consulted and adopted
recommendations, whose line an organiser has stood behind — as the capital tags learn from
confirmed tags. This module adapts the engine's answer for the form and keeps the classifier
between requests: it is retrained only when the confirmed recommendations change. A suggestion
is help, never a gate.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Max

from cityforum.analysis import transformation
from cityforum.programme.models import Capital

from .models import Line, Recommendation, Status

#: The statuses whose line counts as confirmed for training.
CONFIRMED = (Status.CONSULTED, Status.ADOPTED)

_trained: dict[str, Any] = {"key": None, "classifier": None}
_training = threading.Lock()


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


def confirmed_classifier() -> transformation.LineClassifier | None:
    """The line classifier on the confirmed recommendations, or None while there are too few
    (the engine's rule). Retrained when their number or latest change moves."""
    confirmed = Recommendation.objects.filter(status__in=CONFIRMED)
    key = tuple(confirmed.aggregate(n=Count("pk"), last=Max("updated_at")).values())
    with _training:
        if _trained["key"] != key:
            rows = list(confirmed.values_list("text", "language", "line"))
            _trained["classifier"] = transformation.train_line_classifier(
                [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]
            )
            _trained["key"] = key
        return _trained["classifier"]  # type: ignore[no-any-return]


def suggest(text: str, language: str | None = None) -> Suggestion:
    """What to suggest for ``text``: the lines with a score, best first, and the capitals."""
    if not text.strip():
        return Suggestion()
    found = transformation.suggest_recommendation(
        text, language, classifier=confirmed_classifier()
    )
    labels = dict(Line.choices)
    lines = [
        (code, str(labels.get(code, code)), round(100 * float(score)))
        for code, score in found.lines
        if float(score) > 0 and code in labels
    ][:2]
    codes = list(found.capitals)
    names = {c.code: str(c.name) for c in Capital.objects.filter(code__in=codes)}
    return Suggestion(lines=lines, capitals=[(c, names[c]) for c in codes if c in names])
