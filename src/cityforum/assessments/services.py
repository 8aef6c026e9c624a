"""Every change to the indicator framework and to assessments goes through here.

Each function validates first (a :class:`~django.core.exceptions.ValidationError` listing every
problem, translated), checks the named permission, then writes in one transaction; nothing is
written when anything is wrong. A second assessment of the same subject and year becomes a new
version beside the first. Changing goalposts bumps the indicator's version and recomputes, and
audits, every past assessment that used it.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from cityforum.analysis.capitals import CAPITALS, GoalpostsError
from cityforum.cities.models import City
from cityforum.core.audit import record

from . import scoring
from .models import Assessment, Confidence, Indicator, IndicatorValue, SelfAssessment

GOALPOST_FIELDS = ("kind", "worst", "best", "target", "tolerance")
EDITABLE_FIELDS = (
    *GOALPOST_FIELDS,
    "name_fr",
    "name_en",
    "name_es",
    "guidance_fr",
    "guidance_en",
    "guidance_es",
    "unit",
    "direction",
    "plausible_min",
    "plausible_max",
    "sdg",
    "order",
)
CSV_COLUMNS = ("city", "indicator", "year", "value", "source", "confidence")
MIN_YEAR, MAX_YEAR = 1950, 2100
EVIDENCE_FROM = 3
_NUMBER = re.compile(r"^\s*([-+]?\d+(?:[.,]\d+)?(?:[eE][-+]?\d+)?)\s*(.*?)\s*$")


def _require(user: Any, perm: str) -> None:
    if not (user is not None and user.has_perm(perm)):
        raise PermissionDenied(_("You may not do this."))


# --------------------------------------------------------------------------- framework


def goalpost_problems(
    kind: str, worst: Any, best: Any, target: Any = None, tolerance: Any = None
) -> list[str]:
    """Why these goalposts cannot normalise anything (empty when they can)."""
    if kind not in Indicator.Kind.values:
        return [_("Unknown normalisation “%(kind)s”.") % {"kind": kind}]
    if kind == "target":
        if target is None or tolerance is None:
            return [_("A target band needs a target T and a tolerance D.")]
        if float(tolerance) <= 0:
            return [_("The tolerance D must be greater than 0 (got %(d)s).") % {"d": tolerance}]
    else:
        if worst is None or best is None:
            return [_("Goalposts need both L (worst) and U (best).")]
        if float(worst) == float(best):
            return [
                _("The goalposts L and U are both %(value)s: they must differ to normalise.")
                % {"value": worst}
            ]
        if kind == "log" and min(float(worst), float(best)) <= 0:
            return [
                _("Goalposts on ln x must be positive (got L = %(l)s, U = %(u)s).")
                % {"l": worst, "u": best}
            ]
    try:
        scoring.normaliser(kind, worst, best, target, tolerance)
    except (GoalpostsError, TypeError, ValueError) as error:
        return [str(error)]
    return []


@transaction.atomic
def update_indicator(
    indicator: Indicator, *, by: Any, reason: str = "", **changes: Any
) -> Indicator:
    """Edit an indicator; a change of goalposts makes a new version and recomputes the past."""
    _require(by, "assessments.change_indicator")
    unknown = sorted(set(changes) - set(EDITABLE_FIELDS))
    if unknown:
        raise ValidationError(
            _("These fields cannot be changed: %(fields)s.") % {"fields": ", ".join(unknown)}
        )
    locked = Indicator.objects.select_for_update().get(pk=indicator.pk)
    before = {f: getattr(locked, f) for f in GOALPOST_FIELDS}
    after = {f: changes.get(f, before[f]) for f in GOALPOST_FIELDS}
    problems = goalpost_problems(**after)
    low = changes.get("plausible_min", locked.plausible_min)
    high = changes.get("plausible_max", locked.plausible_max)
    if low is None or high is None or float(low) >= float(high):
        problems.append(_("The plausible range must go from a smaller to a larger value."))
    if problems:
        raise ValidationError(problems)
    for name, value in changes.items():
        setattr(locked, name, value)
    moved = any(before[f] != after[f] for f in GOALPOST_FIELDS)
    if moved:
        locked.version += 1
    locked.save()
    if moved:
        record(
            "indicator.goalposts",
            locked,
            actor=by,
            reason=reason,
            before=before,
            after=after,
            version=locked.version,
        )
        recompute_assessments(locked, by=by, reason=reason)
    for name in changes:
        setattr(indicator, name, getattr(locked, name))
    indicator.version = locked.version
    return locked


def recompute_assessments(indicator: Indicator, *, by: Any = None, reason: str = "") -> int:
    """Recompute every assessment holding a value of ``indicator``; each change is audited."""
    ids = (
        IndicatorValue.objects.filter(indicator=indicator)
        .values_list("assessment_id", flat=True)
        .distinct()
    )
    count = 0
    for assessment in Assessment.objects.filter(pk__in=list(ids), kind=Assessment.Kind.CITY):
        old = {"scores": assessment.scores, "bri": assessment.bri}
        _compute_city(assessment)
        record(
            "assessment.recompute",
            assessment,
            actor=by,
            reason=reason or _("Goalposts of %(code)s changed.") % {"code": indicator.code},
            indicator=indicator.code,
            indicator_version=indicator.version,
            before=old,
            after={"scores": assessment.scores, "bri": assessment.bri},
        )
        count += 1
    return count


# --------------------------------------------------------------------------- values


def parse_value(indicator: Indicator, raw: Any, unit: str | None = None) -> tuple[float, list[str]]:
    """A value as a number in the indicator's unit, or the reasons it is refused.

    A value may carry its unit ("45 %"); a unit that is not the indicator's is refused rather
    than converted, because a rate per 1,000 read as a percentage is a silent tenfold error.
    """
    given_unit = (unit or "").strip()
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        number = float(raw)
    else:
        match = _NUMBER.match(str(raw or ""))
        if not match:
            return 0.0, [
                _("%(code)s: “%(raw)s” is not a number.") % {"code": indicator.code, "raw": raw}
            ]
        number = float(match.group(1).replace(",", "."))
        given_unit = match.group(2) or given_unit
    problems = []
    if given_unit and _unit_key(given_unit) != _unit_key(indicator.unit):
        problems.append(
            _("%(code)s is measured in “%(unit)s”, not in “%(given)s”.")
            % {"code": indicator.code, "unit": indicator.unit, "given": given_unit}
        )
    elif not (indicator.plausible_min <= number <= indicator.plausible_max):
        problems.append(
            _("%(code)s = %(value)s is outside its plausible range %(low)s–%(high)s %(unit)s.")
            % {
                "code": indicator.code,
                "value": f"{number:g}",
                "low": f"{indicator.plausible_min:g}",
                "high": f"{indicator.plausible_max:g}",
                "unit": indicator.unit,
            }
        )
    return number, problems


def _unit_key(unit: str) -> str:
    key = unit.casefold().replace("per ", "/").replace("pour ", "/").replace("por ", "/")
    return re.sub(r"[\s,.\u202f\u00a0]", "", key)


@dataclass
class ValueInput:
    indicator: str
    value: Any
    source: str = ""
    confidence: str = Confidence.MEDIUM
    unit: str = ""


def _check_values(
    values: Sequence[ValueInput], indicators: Mapping[str, Indicator], where: str = ""
) -> tuple[list[tuple[Indicator, float, str, str]], list[str]]:
    checked, problems, seen = [], [], set()
    for item in values:
        prefix = where
        indicator = indicators.get(str(item.indicator).strip().upper())
        if indicator is None:
            problems.append(prefix + _("Unknown indicator “%(code)s”.") % {"code": item.indicator})
            continue
        if indicator.code in seen:
            problems.append(prefix + _("%(code)s is given twice.") % {"code": indicator.code})
            continue
        seen.add(indicator.code)
        number, wrong = parse_value(indicator, item.value, item.unit)
        problems += [prefix + p for p in wrong]
        if not str(item.source or "").strip():
            problems.append(prefix + _("%(code)s needs a source.") % {"code": indicator.code})
        if item.confidence not in Confidence.values:
            problems.append(
                prefix
                + _("Confidence must be low, medium or high, not “%(c)s”.") % {"c": item.confidence}
            )
        checked.append((indicator, number, str(item.source).strip()[:300], item.confidence))
    return checked, problems


def _check_year(year: Any) -> list[str]:
    if not isinstance(year, int) or not (MIN_YEAR <= year <= MAX_YEAR):
        return [
            _("The year must be a whole number between %(low)d and %(high)d.")
            % {"low": MIN_YEAR, "high": MAX_YEAR}
        ]
    return []


def _next_version(kind: str, year: int, *, city: City | None = None, title: str = "") -> int:
    latest = Assessment.objects.filter(kind=kind, city=city, title=title, year=year).aggregate(
        v=Max("version")
    )["v"]
    return (latest or 0) + 1


def current(
    kind: str, year: int, *, city: City | None = None, title: str = ""
) -> Assessment | None:
    """The latest version of an assessment, if any."""
    return (
        Assessment.objects.filter(kind=kind, city=city, title=title, year=year)
        .order_by("-version")
        .first()
    )


def _indicators_by_capital() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {c: [] for c in CAPITALS}
    for code, capital in Indicator.objects.values_list("code", "capital"):
        out.setdefault(capital, []).append(code)
    return out


def _store(assessment: Assessment, scores: Mapping[str, float | None]) -> None:
    p = scoring.profile(scores)
    assessment.scores = {c: (None if v is None else round(v, 4)) for c, v in p.scores.items()}
    assessment.level, assessment.bri, assessment.balance = p.level, p.bri, p.balance
    assessment.band, assessment.flags = p.band, list(p.flags)
    assessment.computed_at = timezone.now()
    assessment.save()


def _compute_city(assessment: Assessment) -> None:
    normalised: dict[str, float] = {}
    framework: dict[str, int] = {}
    for value in assessment.values.select_related("indicator"):
        value.normalised = scoring.normalise(value.indicator, value.value)
        value.save(update_fields=["normalised"])
        normalised[value.indicator.code] = value.normalised
        framework[value.indicator.code] = value.indicator.version
    assessment.framework = framework
    assessment.uncertainty = {}
    _store(assessment, scoring.city_scores(normalised, _indicators_by_capital()))
    if assessment.bri is not None:
        raw = {v.indicator.code: v.value for v in assessment.values.select_related("indicator")}
        band = scoring.uncertainty(raw, Indicator.objects.all())
        assessment.uncertainty = band
        assessment.save(update_fields=["uncertainty"])


@transaction.atomic
def assess_city(
    city: City,
    year: int,
    values: Sequence[ValueInput],
    *,
    by: Any,
    carry_over: bool = True,
) -> Assessment:
    """Record a city's indicator values for a year and compute its capital scores.

    When the year was assessed before, this is a new version; the values of the previous
    version that are not given again are carried over, and the previous version is kept.
    """
    _require(by, "assessments.create_assessment")
    indicators = {i.code: i for i in Indicator.objects.all()}
    checked, problems = _check_values(values, indicators)
    problems = _check_year(year) + problems
    if not values:
        problems.append(_("Give at least one indicator value."))
    if problems:
        raise ValidationError(problems)
    return _create_city_version(city, year, checked, by=by, carry_over=carry_over)


def _create_city_version(
    city: City,
    year: int,
    checked: Sequence[tuple[Indicator, float, str, str]],
    *,
    by: Any,
    carry_over: bool,
) -> Assessment:
    previous = current(Assessment.Kind.CITY, year, city=city)
    assessment = Assessment.objects.create(
        kind=Assessment.Kind.CITY,
        city=city,
        year=year,
        version=_next_version(Assessment.Kind.CITY, year, city=city),
        created_by=by if getattr(by, "pk", None) else None,
    )
    given = {indicator.pk for indicator, *_ in checked}
    rows = [
        IndicatorValue(assessment=assessment, indicator=i, value=v, source=s, confidence=c)
        for i, v, s, c in checked
    ]
    if previous is not None and carry_over:
        rows += [
            IndicatorValue(
                assessment=assessment,
                indicator_id=old.indicator_id,
                value=old.value,
                source=old.source,
                confidence=old.confidence,
            )
            for old in previous.values.all()
            if old.indicator_id not in given
        ]
    IndicatorValue.objects.bulk_create(rows)
    _compute_city(assessment)
    record(
        "assessment.create",
        assessment,
        actor=by,
        version=assessment.version,
        previous=previous.pk if previous else None,
    )
    return assessment


# --------------------------------------------------------------------------- projects


@dataclass
class CapitalInput:
    score: Any
    evidence: str = ""
    confidence: str = Confidence.MEDIUM
    adverse_effect: bool = False


def _check_self_assessment(capitals: Mapping[str, CapitalInput]) -> list[str]:
    problems = []
    unknown = sorted(set(capitals) - set(CAPITALS))
    if unknown:
        problems.append(_("Unknown capital(s): %(codes)s.") % {"codes": ", ".join(unknown)})
    missing = [c for c in CAPITALS if c not in capitals]
    if missing:
        problems.append(
            _("A self-assessment scores all five capitals; missing: %(codes)s.")
            % {"codes": ", ".join(missing)}
        )
    for code in CAPITALS:
        item = capitals.get(code)
        if item is None:
            continue
        score = item.score
        if isinstance(score, bool) or not isinstance(score, int) or not 0 <= score <= 5:
            problems.append(
                _("%(capital)s: the score must be a whole number from 0 to 5.") % {"capital": code}
            )
        elif score >= EVIDENCE_FROM and not str(item.evidence or "").strip():
            problems.append(
                _("%(capital)s: a score of %(score)d needs evidence (required from 3 up).")
                % {"capital": code, "score": score}
            )
        if item.confidence not in Confidence.values:
            problems.append(
                _("%(capital)s: confidence must be low, medium or high.") % {"capital": code}
            )
    return problems


def _check_budget(budget: Any) -> tuple[Decimal | None, list[str]]:
    if budget is None or budget == "":
        return None, []
    try:
        amount = Decimal(str(budget))
    except InvalidOperation:
        return None, [_("The budget must be a number.")]
    if not amount.is_finite() or amount < 0 or amount >= Decimal("1e14"):
        return None, [_("The budget must be a positive amount.")]
    return amount, []


@transaction.atomic
def assess_project(
    title: str,
    year: int,
    capitals: Mapping[str, CapitalInput],
    *,
    by: Any,
    city: City | None = None,
    agenda: Assessment | None = None,
    budget: Any = None,
    values: Sequence[ValueInput] = (),
) -> Assessment:
    """Record a project's 0–5 self-assessment on the five capitals (resilience.md §6.2)."""
    _require(by, "assessments.create_assessment")
    title = (title or "").strip()
    problems = _check_year(year)
    if not title:
        problems.append(_("A project needs a title."))
    problems += _check_self_assessment(capitals)
    amount, wrong = _check_budget(budget)
    problems += wrong
    if agenda is not None and agenda.kind != Assessment.Kind.AGENDA:
        problems.append(_("A project can only belong to a local agenda."))
    checked, wrong = _check_values(values, {i.code: i for i in Indicator.objects.all()})
    problems += wrong
    if problems:
        raise ValidationError(problems)
    assessment = Assessment.objects.create(
        kind=Assessment.Kind.PROJECT,
        city=city,
        title=title[:200],
        year=year,
        version=_next_version(Assessment.Kind.PROJECT, year, city=city, title=title[:200]),
        agenda=agenda,
        budget=amount,
        created_by=by if getattr(by, "pk", None) else None,
    )
    rows = [
        SelfAssessment(
            assessment=assessment,
            capital=code,
            score=capitals[code].score,
            evidence=str(capitals[code].evidence or "").strip(),
            confidence=capitals[code].confidence,
            adverse_effect=bool(capitals[code].adverse_effect),
        )
        for code in CAPITALS
    ]
    SelfAssessment.objects.bulk_create(rows)
    IndicatorValue.objects.bulk_create(
        IndicatorValue(
            assessment=assessment,
            indicator=i,
            value=v,
            source=s,
            confidence=c,
            normalised=scoring.normalise(i, v),
        )
        for i, v, s, c in checked
    )
    _store(assessment, scoring.project_scores({r.capital: r.effective for r in rows}))
    record("assessment.create", assessment, actor=by, version=assessment.version)
    if agenda is not None:
        recompute_agenda(agenda)
    return assessment


@transaction.atomic
def create_agenda(title: str, year: int, *, by: Any, city: City | None = None) -> Assessment:
    """Open a local agenda; its profile is the budget-weighted mean of its projects."""
    _require(by, "assessments.create_assessment")
    title = (title or "").strip()
    problems = _check_year(year)
    if not title:
        problems.append(_("A local agenda needs a title."))
    if problems:
        raise ValidationError(problems)
    agenda = Assessment.objects.create(
        kind=Assessment.Kind.AGENDA,
        city=city,
        title=title[:200],
        year=year,
        version=_next_version(Assessment.Kind.AGENDA, year, city=city, title=title[:200]),
        created_by=by if getattr(by, "pk", None) else None,
        scores={c: None for c in CAPITALS},
    )
    record("assessment.create", agenda, actor=by, version=agenda.version)
    return agenda


def recompute_agenda(agenda: Assessment) -> Assessment:
    """The agenda's scores from the latest version of each of its projects."""
    latest: dict[str, Assessment] = {}
    for project in agenda.projects.order_by("version"):
        latest[project.title] = project
    _store(
        agenda,
        scoring.agenda_scores(
            (p.scores, float(p.budget) if p.budget is not None else 1.0) for p in latest.values()
        ),
    )
    return agenda


def steering_for(assessment: Assessment) -> scoring.Steering | None:
    """Which capital the next project should serve, from the city's and the agenda's scores."""
    city_profile = None
    if assessment.kind == Assessment.Kind.CITY:
        city_profile = assessment.scores
    elif assessment.city_id:
        latest = latest_city_assessments().filter(city_id=assessment.city_id).first()
        city_profile = latest.scores if latest else None
    plan = None if assessment.kind == Assessment.Kind.CITY else assessment.scores
    return scoring.steering(city_profile, plan)


def latest_city_assessments() -> Any:
    """The newest version of each city's most recent assessed year, complete or not."""
    from django.db.models import OuterRef, Subquery

    newest = Assessment.objects.filter(kind=Assessment.Kind.CITY, city=OuterRef("city")).order_by(
        "-year", "-version"
    )
    return Assessment.objects.filter(
        kind=Assessment.Kind.CITY, pk=Subquery(newest.values("pk")[:1])
    ).order_by("-year", "-version")


# --------------------------------------------------------------------------- CSV


@dataclass
class ImportReport:
    rows: int = 0
    assessments: list[Assessment] = field(default_factory=list)


def import_values_csv(text: str, *, by: Any) -> ImportReport:
    """Import ``city,indicator,year,value,source,confidence`` rows: all of them or none.

    ``city`` is the GeoNames id. Rows of the same city and year become one new assessment
    version. Every invalid row is reported with its line number.
    """
    _require(by, "assessments.import_values")
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in CSV_COLUMNS if c not in header]
    if missing:
        raise ValidationError(
            _("The file lacks the column(s) %(cols)s; expected: %(all)s.")
            % {"cols": ", ".join(missing), "all": ",".join(CSV_COLUMNS)}
        )
    reader.fieldnames = header
    indicators = {i.code: i for i in Indicator.objects.all()}
    groups: dict[tuple[int, int], list[ValueInput]] = {}
    problems: list[str] = []
    rows = 0
    cities: dict[int, City] = {}
    for line, row in enumerate(reader, start=2):
        rows += 1
        where = _("line %(line)d: ") % {"line": line}
        raw_city, raw_year = (row.get("city") or "").strip(), (row.get("year") or "").strip()
        if not raw_city.isdigit():
            problems.append(
                where + _("the city must be a GeoNames id, not “%(c)s”.") % {"c": raw_city}
            )
            continue
        if not raw_year.isdigit() or _check_year(int(raw_year)):
            problems.append(where + _("“%(y)s” is not a year.") % {"y": raw_year})
            continue
        key = (int(raw_city), int(raw_year))
        item = ValueInput(
            indicator=(row.get("indicator") or "").strip(),
            value=(row.get("value") or "").strip(),
            source=(row.get("source") or "").strip(),
            confidence=(row.get("confidence") or "").strip().lower() or Confidence.MEDIUM,
        )
        _checked, wrong = _check_values([item], indicators, where)
        if not wrong and any(
            v.indicator.strip().upper() == item.indicator.upper() for v in groups.get(key, [])
        ):
            wrong = [
                where
                + _("%(code)s is given twice for this city and year.") % {"code": item.indicator}
            ]
        problems += wrong
        if not wrong:
            groups.setdefault(key, []).append(item)
    known = City.objects.in_bulk({c for c, _ in groups})
    cities.update(known)
    for city_id, _year in groups:
        if city_id not in cities:
            problems.append(_("No city has the GeoNames id %(id)d.") % {"id": city_id})
    if rows == 0:
        problems.append(_("The file has no rows."))
    if problems:
        raise ValidationError(problems)
    report = ImportReport(rows=rows)
    with transaction.atomic():
        for (city_id, year), items in sorted(groups.items()):
            checked, _unused = _check_values(items, indicators)
            report.assessments.append(
                _create_city_version(cities[city_id], year, checked, by=by, carry_over=True)
            )
    return report


def export_values_csv(assessments: Iterable[Assessment]) -> str:
    """The values of these assessments in the import format, one row per value."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for assessment in assessments:
        for value in assessment.values.select_related("indicator"):
            writer.writerow(
                [
                    assessment.city_id or "",
                    value.indicator.code,
                    assessment.year,
                    f"{value.value:g}",
                    value.source,
                    value.confidence,
                ]
            )
    return out.getvalue()
