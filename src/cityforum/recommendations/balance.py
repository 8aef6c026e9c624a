"""The balance of the forum's own output: the concept note's "structure to measure and steer
the balance" of the five capitals, applied to the recommendations.

:func:`balance` counts the *consulted and adopted* recommendations in two matrices, capitals ×
lines of transformation and capitals × addressee levels. A recommendation serving two capitals
counts once in each (it does serve both). Over the five capitals' totals it computes the
balance index of ``shared/resilience.md`` §2 with :func:`cityforum.analysis.capitals.balance_index`
(geometric over arithmetic mean, bands balanced/uneven/unbalanced), scoring each capital
``100 · n_k / max n`` so that the best-served capital is 100 and a capital with none is floored
at 1, as the index prescribes. Its alerts name every empty cell of the capitals × lines matrix,
every cell under half the mean cell (the index's own "left behind" threshold applied to cells),
and every capital the index flags; ``addressee_alerts`` do the same for capitals × addressees.

Read-only and stable: the report, the brief and the open data call :func:`balance`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from cityforum.analysis.capitals import CAPITALS, BalanceResult, balance_index

from .models import Addressee, Line, Recommendation, Status

#: What the matrices count: the recommendations the forum stands behind or is consulting on.
COUNTED_STATUSES: tuple[str, ...] = (Status.CONSULTED, Status.ADOPTED)

#: A cell under this share of the mean cell is "under-represented" (resilience.md: C < 0.5·Level).
UNDER_SHARE = 0.5


@dataclass(frozen=True)
class Alert:
    """One cell (or capital) that needs recommendations: ``kind`` is ``empty``,
    ``under`` (a cell below half the mean) or ``capital`` (a capital the index flags;
    ``line`` is then empty)."""

    kind: str
    capital: str
    line: str
    count: int


@dataclass(frozen=True)
class Balance:
    """Both matrices (``{capital: {line or level: count}}``, every code present), the
    totals per capital, the number of recommendations counted, the index (``None`` when no
    recommendation is counted: nothing to balance) and the alerts."""

    by_line: dict[str, dict[str, int]]
    by_addressee: dict[str, dict[str, int]]
    capital_totals: dict[str, int]
    n_recommendations: int
    index: BalanceResult | None
    alerts: list[Alert] = field(default_factory=list)
    addressee_alerts: list[Alert] = field(default_factory=list)
    """The empty and under-represented cells of capitals × addressees (``line`` then holds
    the addressee level's code; no ``capital`` alerts here: the index is over capitals)."""

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, for the API, the open data and the report."""
        return {
            "statuses": list(COUNTED_STATUSES),
            "n_recommendations": self.n_recommendations,
            "by_line": self.by_line,
            "by_addressee": self.by_addressee,
            "capital_totals": self.capital_totals,
            "index": None
            if self.index is None
            else {
                "balance": round(self.index.balance, 4),
                "band": self.index.band,
                "evenness_gini": round(self.index.evenness_gini, 4),
                "weakest_ratio": round(self.index.weakest_ratio, 4),
                "flags": list(self.index.flags),
            },
            "alerts": [a.__dict__ for a in self.alerts],
            "addressee_alerts": [a.__dict__ for a in self.addressee_alerts],
        }


def matrices(
    rows: Iterable[tuple[str, str, Iterable[str]]],
) -> tuple[dict[str, dict[str, int]], dict[str, dict[str, int]], int]:
    """Count ``(line, addressee, capitals)`` rows into the two matrices (pure, testable)."""
    by_line = {c: {line: 0 for line in Line.values} for c in CAPITALS}
    by_addressee = {c: {level: 0 for level in Addressee.values} for c in CAPITALS}
    n = 0
    for line, addressee, capitals in rows:
        n += 1
        for capital in set(capitals):
            if capital in by_line:
                by_line[capital][line] += 1
                by_addressee[capital][addressee] += 1
    return by_line, by_addressee, n


def alerts_for(by_line: dict[str, dict[str, int]], index: BalanceResult | None) -> list[Alert]:
    """Empty cells, cells under half the mean cell, and the capitals the index flags (of any
    capitals × columns matrix: lines, or addressee levels with ``index=None``)."""
    cells = [(c, line, n) for c, row in by_line.items() for line, n in row.items()]
    mean = sum(n for _c, _l, n in cells) / len(cells) if cells else 0.0
    out = [Alert("empty", c, line, n) for c, line, n in cells if n == 0]
    out += [Alert("under", c, line, n) for c, line, n in cells if 0 < n < UNDER_SHARE * mean]
    if index is not None:
        totals = {c: sum(row.values()) for c, row in by_line.items()}
        out += [Alert("capital", c, "", totals[c]) for c in index.flags]
    return out


def balance(recommendations: Iterable[Recommendation] | None = None) -> Balance:
    """The balance of the consulted and adopted recommendations (of ``recommendations`` when
    given — e.g. one consultation's —, else of all). Two queries."""
    queryset = (
        Recommendation.objects.all()
        if recommendations is None
        else Recommendation.objects.filter(pk__in=[r.pk for r in recommendations])
    )
    counted = list(
        queryset.filter(status__in=COUNTED_STATUSES).prefetch_related("capitals").order_by("pk")
    )
    by_line, by_addressee, n = matrices(
        (r.line, r.addressee, [c.code for c in r.capitals.all()]) for r in counted
    )
    totals = {c: sum(row.values()) for c, row in by_line.items()}
    top = max(totals.values(), default=0)
    index = balance_index({c: 100.0 * totals[c] / top for c in CAPITALS}) if top > 0 else None
    return Balance(
        by_line=by_line,
        by_addressee=by_addressee,
        capital_totals=totals,
        n_recommendations=n,
        index=index,
        alerts=alerts_for(by_line, index),
        addressee_alerts=alerts_for(by_addressee, None),
    )
