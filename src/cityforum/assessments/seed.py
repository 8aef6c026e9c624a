"""Load the indicator framework from its data file (``data/indicators.toml``).

The whole file is validated before anything is written; a second load with the same file is
skipped (its checksum is kept in :class:`~cityforum.core.models.DatasetLoad`), and indicators
that exist are left as organisers edited them: the file seeds, the admin governs.
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from cityforum.analysis.capitals import CAPITALS
from cityforum.core.languages import CONTENT_LANGUAGES
from cityforum.core.models import DatasetLoad

from .models import Indicator
from .services import goalpost_problems

DEFAULT_INDICATORS = Path(__file__).resolve().parent / "data" / "indicators.toml"
SUPPORTED_FORMAT = 1


class IndicatorDataError(ValueError):
    """The indicator file cannot be loaded; ``problems`` lists every reason found."""

    def __init__(self, path: Path, problems: list[str]) -> None:
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(
            _("The indicator file %(path)s cannot be loaded:\n%(lines)s")
            % {"path": path, "lines": lines}
        )


@dataclass
class IndicatorReport:
    created: int = 0
    skipped: bool = False


def _number(entry: dict[str, Any], key: str, where: str, problems: list[str]) -> float | None:
    value = entry.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        problems.append(f"{where}.{key}: " + _("a number is required"))
        return None
    return float(value)


def _validate(data: dict[str, Any]) -> tuple[list[dict[str, Any]], list[str]]:
    problems: list[str] = []
    if data.get("format") != SUPPORTED_FORMAT:
        problems.append(_("format: %(n)d is required") % {"n": SUPPORTED_FORMAT})
    entries = data.get("indicator")
    if not isinstance(entries, list) or not entries:
        return [], [*problems, _("indicator: a list of tables ([[indicator]]) is required")]
    rows, seen = [], set()
    for n, entry in enumerate(entries, start=1):
        where = f"indicator[{n}]"
        code = str(entry.get("code", "")).strip()
        if not code:
            problems.append(f"{where}.code: " + _("a code is required"))
        elif code in seen:
            problems.append(f"{where}.code: " + _("%(code)s appears twice") % {"code": code})
        seen.add(code)
        if entry.get("capital") not in CAPITALS:
            problems.append(
                f"{where}.capital: " + _("one of %(all)s") % {"all": ", ".join(CAPITALS)}
            )
        if entry.get("direction") not in Indicator.Direction.values:
            problems.append(f"{where}.direction: " + _("one of +, - or target"))
        names, guidance = entry.get("name") or {}, entry.get("guidance") or {}
        if not isinstance(names, dict) or not all(names.get(lang) for lang in CONTENT_LANGUAGES):
            problems.append(f"{where}.name: " + _("a name in French, English and Spanish"))
            names = {}
        if not isinstance(guidance, dict):
            guidance = {}
        numbers = {
            k: _number(entry, k, where, problems) for k in ("worst", "best", "target", "tolerance")
        }
        kind = str(entry.get("kind", ""))
        problems += [f"{where}: {p}" for p in goalpost_problems(kind, **numbers)]
        plausible = entry.get("plausible")
        if (
            not isinstance(plausible, list)
            or len(plausible) != 2
            or not all(isinstance(v, int | float) for v in plausible)
            or plausible[0] >= plausible[1]
        ):
            problems.append(f"{where}.plausible: " + _("[smallest, largest] is required"))
            plausible = [0, 0]
        rows.append(
            {
                "code": code,
                "capital": entry.get("capital"),
                "order": n,
                "unit": str(entry.get("unit", ""))[:40],
                "direction": entry.get("direction"),
                "kind": kind,
                **numbers,
                "plausible_min": float(plausible[0]),
                "plausible_max": float(plausible[1]),
                "sdg": str(entry.get("sdg", ""))[:60],
                **{f"name_{lang}": str(names.get(lang, ""))[:200] for lang in CONTENT_LANGUAGES},
                **{f"guidance_{lang}": str(guidance.get(lang, "")) for lang in CONTENT_LANGUAGES},
            }
        )
    return rows, problems


@transaction.atomic
def load_indicators(path: Path = DEFAULT_INDICATORS) -> IndicatorReport:
    """Create the indicators of the file that do not exist yet; a no-op on the same file."""
    raw = path.read_bytes()
    checksum = hashlib.sha256(raw).hexdigest()
    previous = DatasetLoad.objects.filter(name="indicators").first()
    if previous and previous.checksum == checksum and Indicator.objects.exists():
        return IndicatorReport(skipped=True)
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise IndicatorDataError(path, [str(error)]) from None
    rows, problems = _validate(data)
    if problems:
        raise IndicatorDataError(path, problems)
    existing = set(Indicator.objects.values_list("code", flat=True))
    new = [Indicator(**row) for row in rows if row["code"] not in existing]
    Indicator.objects.bulk_create(new)
    DatasetLoad.objects.update_or_create(
        name="indicators",
        defaults={
            "version": f"framework {data.get('version', 1)}",
            "checksum": checksum,
            "rows": Indicator.objects.count(),
        },
    )
    return IndicatorReport(created=len(new))


def prepare_measurement(*, with_roles: bool = True) -> str:
    """What ``cityforum init`` runs after the registry: the framework, then the city roles.

    Both steps are skipped when their inputs did not change, so a second ``init`` is a no-op.
    """
    import time

    from cityforum.cities.roles import compute_roles

    started = time.perf_counter()
    report = load_indicators()
    lines = [
        _("Indicator framework: already loaded.")
        if report.skipped
        else _("Indicator framework: %(n)d indicators added.") % {"n": report.created}
    ]
    if with_roles:
        roles = compute_roles()
        lines.append(
            _("City roles: already computed.")
            if roles.skipped
            else _("City roles: %(n)d cities classified in %(s).1f s.")
            % {"n": roles.cities, "s": time.perf_counter() - started}
        )
    return "\n".join(lines)
