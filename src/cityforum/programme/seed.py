"""Load the forum programme from its data file (``data/programme.toml``).

The whole file is validated before anything is written, and the load runs in one
transaction: a malformed file produces a list of problems, each naming where it is,
and leaves the database as it was. Loading is idempotent: rows that exist (matched on
their codes and slugs) are left untouched, so an organiser's later edits and the
consultations' statuses survive a second ``cityforum init``.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from cityforum.core.languages import CONTENT_LANGUAGES, SOURCE_LANGUAGE

from .models import Capital, Consultation, Forum, ReferenceDocument, Region, Status

DEFAULT_PROGRAMME = Path(__file__).resolve().parent / "data" / "programme.toml"
SUPPORTED_FORMAT = 1
CAPITAL_CODES = tuple(Capital.Code.values)


class ProgrammeDataError(ValueError):
    """The programme file cannot be loaded; ``problems`` lists every reason found."""

    def __init__(self, path: Path, problems: list[str]) -> None:
        self.path = path
        self.problems = problems
        lines = "\n".join(f"  - {problem}" for problem in problems)
        super().__init__(
            _("The programme file %(path)s cannot be loaded:\n%(lines)s")
            % {"path": path, "lines": lines}
        )


@dataclass
class LoadReport:
    """What a load created; all zeros on a second run."""

    created: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.created.values())


class _Checker:
    """Collects problems with the place they were found, instead of stopping at the first."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def problem(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}")

    def table(self, data: dict[str, Any], key: str, where: str) -> dict[str, Any]:
        value = data.get(key)
        if not isinstance(value, dict):
            self.problem(f"{where}{key}", _("a table is required"))
            return {}
        return value

    def tables(self, data: dict[str, Any], key: str) -> list[dict[str, Any]]:
        value = data.get(key)
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            self.problem(key, _("a list of tables ([[%(key)s]]) is required") % {"key": key})
            return []
        return value

    def text(self, data: dict[str, Any], key: str, where: str, required: bool = True) -> str:
        value = data.get(key)
        if value is None and not required:
            return ""
        if not isinstance(value, str) or (required and not value.strip()):
            self.problem(f"{where}.{key}", _("a non-empty text is required"))
            return ""
        return value.strip()

    def date(self, data: dict[str, Any], key: str, where: str, required: bool) -> dt.date | None:
        value = data.get(key)
        if value is None and not required:
            return None
        if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
            self.problem(
                f"{where}.{key}",
                _("a date written as YYYY-MM-DD is required, not %(value)r") % {"value": value},
            )
            return None
        return value

    def translations(
        self, data: dict[str, Any], key: str, where: str, required: bool = True
    ) -> dict[str, str]:
        value = data.get(key)
        if value is None and not required:
            return {}
        if not isinstance(value, dict):
            self.problem(
                f"{where}.{key}",
                _('texts per language are required, e.g. %(key)s.fr = "…"') % {"key": key},
            )
            return {}
        unknown = sorted(set(value) - set(CONTENT_LANGUAGES))
        if unknown:
            self.problem(
                f"{where}.{key}",
                _("unknown language(s) %(codes)s; use %(known)s")
                % {"codes": ", ".join(unknown), "known": ", ".join(CONTENT_LANGUAGES)},
            )
        texts = {code: value.get(code, "") for code in CONTENT_LANGUAGES}
        for code, text in texts.items():
            if not isinstance(text, str):
                self.problem(f"{where}.{key}.{code}", _("a text is required"))
                texts[code] = ""
        if required and not texts[SOURCE_LANGUAGE].strip():
            self.problem(
                f"{where}.{key}.{SOURCE_LANGUAGE}", _("the French source text is required")
            )
        return {code: text.strip() for code, text in texts.items()}


def _columns(name: str, texts: dict[str, str]) -> dict[str, str]:
    return {f"{name}_{code}": texts.get(code, "") for code in CONTENT_LANGUAGES}


@dataclass
class ProgrammeData:
    """The validated content of a programme file, ready to be written."""

    forum: dict[str, Any]
    capitals: list[dict[str, Any]]
    regions: list[dict[str, Any]]
    consultations: list[dict[str, Any]]
    references: list[dict[str, Any]]


def read_programme(path: Path = DEFAULT_PROGRAMME) -> ProgrammeData:
    """Parse and validate a programme file; raise :class:`ProgrammeDataError` listing problems."""
    try:
        raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ProgrammeDataError(path, [_("the file does not exist")]) from None
    except UnicodeDecodeError as error:
        raise ProgrammeDataError(path, [_("the file is not UTF-8 text (%s)") % error]) from None
    except tomllib.TOMLDecodeError as error:
        raise ProgrammeDataError(path, [_("not valid TOML: %s") % error]) from None

    check = _Checker()
    if raw.get("format") != SUPPORTED_FORMAT:
        check.problem("format", _("must be %(n)s") % {"n": SUPPORTED_FORMAT})

    forum_raw = check.table(raw, "forum", "")
    forum: dict[str, Any] = {}
    if forum_raw:
        forum = {
            "slug": check.text(forum_raw, "slug", "forum"),
            "host": check.text(forum_raw, "host", "forum"),
            "starts_on": check.date(forum_raw, "starts_on", "forum", required=True),
            "ends_on": check.date(forum_raw, "ends_on", "forum", required=True),
            **_columns("name", check.translations(forum_raw, "name", "forum")),
            **_columns("tagline", check.translations(forum_raw, "tagline", "forum", False)),
            **_columns("description", check.translations(forum_raw, "description", "forum", False)),
        }
        edition = forum_raw.get("edition")
        if not isinstance(edition, int) or isinstance(edition, bool) or edition < 1:
            check.problem("forum.edition", _("a positive whole number is required"))
        forum["edition"] = edition
        if forum["starts_on"] and forum["ends_on"] and forum["ends_on"] < forum["starts_on"]:
            check.problem("forum.ends_on", _("the forum cannot end before it starts"))

    capitals = []
    for i, item in enumerate(check.tables(raw, "capitals")):
        where = f"capitals[{i}]"
        code = item.get("code")
        if code not in CAPITAL_CODES:
            check.problem(
                f"{where}.code",
                _("unknown capital code %(code)r; the five capitals are %(known)s")
                % {"code": code, "known": ", ".join(CAPITAL_CODES)},
            )
        capitals.append(
            {
                "code": code,
                "order": i,
                **_columns("name", check.translations(item, "name", where)),
                **_columns("description", check.translations(item, "description", where, False)),
            }
        )
    codes = [c["code"] for c in capitals]
    if sorted(c for c in codes if isinstance(c, str)) != sorted(CAPITAL_CODES):
        check.problem(
            "capitals",
            _("exactly the five capitals %(known)s are required, each once; found %(found)s")
            % {"known": ", ".join(CAPITAL_CODES), "found": ", ".join(map(str, codes)) or "-"},
        )

    regions = []
    for i, item in enumerate(check.tables(raw, "regions")):
        where = f"regions[{i}]"
        kind = item.get("kind", Region.Kind.SECTION)
        if kind not in Region.Kind.values:
            check.problem(f"{where}.kind", _("must be one of %s") % ", ".join(Region.Kind.values))
        regions.append(
            {
                "code": check.text(item, "code", where),
                "kind": kind,
                "order": i,
                "short_name": check.text(item, "short_name", where, required=False),
                **_columns("name", check.translations(item, "name", where)),
            }
        )
    region_codes = [r["code"] for r in regions]
    for code in {c for c in region_codes if region_codes.count(c) > 1}:
        check.problem("regions", _("the region code %(code)r appears twice") % {"code": code})

    defaults = raw.get("regional_defaults", {})
    consultations = []
    for i, item in enumerate(check.tables(raw, "consultations")):
        slug = item.get("slug", "?")
        where = f"consultations[{i}] ({slug})"
        kind = item.get("kind")
        merged = {**defaults, **item} if kind == Consultation.Kind.REGIONAL else item
        if kind not in Consultation.Kind.values:
            check.problem(
                f"{where}.kind",
                _("must be %(kinds)s, not %(kind)r")
                % {"kinds": " or ".join(Consultation.Kind.values), "kind": kind},
            )
        chosen = merged.get("capitals", [])
        if not isinstance(chosen, list):
            check.problem(f"{where}.capitals", _("a list of capital codes is required"))
            chosen = []
        for code in chosen:
            if code not in CAPITAL_CODES:
                check.problem(
                    f"{where}.capitals",
                    _("unknown capital code %(code)r; the five capitals are %(known)s")
                    % {"code": code, "known": ", ".join(CAPITAL_CODES)},
                )
        region = merged.get("region")
        if kind == Consultation.Kind.THEMATIC:
            if not 1 <= len(chosen) <= 2:
                check.problem(
                    f"{where}.capitals", _("a thematic consultation is tied to one or two capitals")
                )
            if region is not None:
                check.problem(f"{where}.region", _("a thematic consultation has no region"))
        if kind == Consultation.Kind.REGIONAL and region not in region_codes:
            check.problem(
                f"{where}.region",
                _("unknown region %(code)r; known regions are %(known)s")
                % {"code": region, "known": ", ".join(map(str, region_codes))},
            )
        date = check.date(merged, "date", where, required=kind == Consultation.Kind.THEMATIC)
        start, end = forum.get("starts_on"), forum.get("ends_on")
        if date and start and end and not start <= date <= end:
            check.problem(
                f"{where}.date",
                _("%(date)s is outside the forum's period (%(start)s to %(end)s)")
                % {"date": date, "start": start, "end": end},
            )
        status = merged.get("status", Status.PLANNED)
        if status not in Status.values:
            check.problem(f"{where}.status", _("must be one of %s") % ", ".join(Status.values))
        consultations.append(
            {
                "slug": check.text(merged, "slug", where),
                "kind": kind,
                "order": i,
                "date": date,
                "status": status,
                "capitals": chosen,
                "region": region,
                **_columns("title", check.translations(merged, "title", where)),
                **_columns("vision", check.translations(merged, "vision", where)),
                **_columns("objective", check.translations(merged, "objective", where)),
                **_columns("expected_output", check.translations(merged, "expected_output", where)),
            }
        )
    slugs = [c["slug"] for c in consultations]
    for slug in {s for s in slugs if slugs.count(s) > 1}:
        check.problem("consultations", _("the slug %(slug)r appears twice") % {"slug": slug})

    references = []
    for i, item in enumerate(raw.get("references", [])):
        where = f"references[{i}]"
        references.append(
            {
                "slug": check.text(item, "slug", where),
                "order": i,
                "year": item.get("year"),
                "url": item.get("url", ""),
                "components": item.get("components", []),
                **_columns("title", check.translations(item, "title", where)),
                **_columns("summary", check.translations(item, "summary", where, False)),
            }
        )

    if check.problems:
        raise ProgrammeDataError(path, check.problems)
    return ProgrammeData(forum, capitals, regions, consultations, references)


@transaction.atomic
def load_programme(path: Path = DEFAULT_PROGRAMME) -> LoadReport:
    """Validate the file, then create whatever of it is missing, all in one transaction."""
    data = read_programme(path)
    report = LoadReport()

    def count(name: str, created: bool) -> None:
        report.created[name] = report.created.get(name, 0) + int(created)

    forum_fields = dict(data.forum)
    forum, created = Forum.objects.get_or_create(
        slug=forum_fields.pop("slug"), defaults=forum_fields
    )
    count("forums", created)

    for row in data.capitals:
        fields = dict(row)
        _obj, created = Capital.objects.get_or_create(code=fields.pop("code"), defaults=fields)
        count("capitals", created)
    capitals = {c.code: c for c in Capital.objects.all()}

    for row in data.regions:
        fields = dict(row)
        _obj, created = Region.objects.get_or_create(code=fields.pop("code"), defaults=fields)
        count("regions", created)
    regions = {r.code: r for r in Region.objects.all()}

    for row in data.consultations:
        fields = dict(row)
        chosen = fields.pop("capitals")
        region_code = fields.pop("region")
        fields["region"] = regions[region_code] if region_code else None
        consultation, created = Consultation.objects.get_or_create(
            forum=forum, slug=fields.pop("slug"), defaults=fields
        )
        if created:
            consultation.full_clean()
            consultation.capitals.set([capitals[code] for code in chosen])
        count("consultations", created)

    for row in data.references:
        fields = dict(row)
        _obj, created = ReferenceDocument.objects.get_or_create(
            forum=forum, slug=fields.pop("slug"), defaults=fields
        )
        count("references", created)
    return report
