"""Writing a validated bundle into the database, dataset by dataset (called by
:func:`.services.import_bundle`, inside its transaction, after every check passed).

Rows are created in the bundle's order, so that new ids keep the order of the old ones; each
writer returns ``{old id: new id}`` for the datasets others refer to, and references (also
those inside JSON values) are rewritten through these maps. Dates the models set themselves
(``created_at``…) are written as the bundle gives them.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.db import models
from django.utils import timezone

from cityforum.core.languages import CONTENT_LANGUAGES as LANGS

from . import refs
from .datasets import DATASETS

Table = list[dict[str, Any]]
IdMap = dict[Any, Any]

#: The account imported contributions are attributed to: nobody's, and shown as a former
#: participant (the bundle never says who wrote anything).
IMPORT_ACCOUNT = "open-data-import@import.invalid"
BATCH = 2000


@contextlib.contextmanager
def keeping_dates(*model_fields: tuple[type[models.Model], str]) -> Iterator[None]:
    """Let ``auto_now``/``auto_now_add`` fields take the value given, for the import only."""
    saved = []
    for model, name in model_fields:
        field = model._meta.get_field(name)
        saved.append((field, field.auto_now, field.auto_now_add))
        field.auto_now = field.auto_now_add = False
    try:
        yield
    finally:
        for field, auto_now, auto_now_add in saved:
            field.auto_now, field.auto_now_add = auto_now, auto_now_add


def remap(value: Any, dataset: str, field_name: str, maps: dict[str, IdMap]) -> Any:
    """``value`` with the ids the field refers to replaced by the new instance's."""
    ref = DATASETS[dataset].field(field_name).ref
    if ref is None or ref.dataset not in maps:
        return value
    mapping = maps[ref.dataset]

    def change(old: Any) -> Any:
        new = mapping[int(old)]
        return str(new) if isinstance(old, str) else new

    if not ref.path:
        return None if value in (None, "") else mapping[value]
    return refs.rewrite(value, ref.path, change)


def _per_language(row: dict[str, Any], *names: str) -> dict[str, Any]:
    return {f"{n}_{code}": row[f"{n}_{code}"] for n in names for code in LANGS}


# --- Programme -------------------------------------------------------------------------------


def write_programme(tables: dict[str, Table]) -> dict[str, Any]:
    from cityforum.programme.models import Capital, Consultation, Forum, Region

    regions = {}
    for row in tables["regions"]:
        regions[row["code"]], _created = Region.objects.update_or_create(
            code=row["code"],
            defaults={
                "kind": row["kind"],
                "order": row["order"],
                "short_name": row["short_name"],
                **_per_language(row, "name"),
            },
        )
    capitals = {}
    for row in tables["capitals"]:
        capitals[row["code"]], _created = Capital.objects.update_or_create(
            code=row["code"],
            defaults={"order": row["order"], **_per_language(row, "name", "description")},
        )
    forums = {}
    for row in tables["forums"]:
        forums[row["slug"]], _created = Forum.objects.update_or_create(
            slug=row["slug"],
            defaults={
                "edition": row["edition"],
                "host": row["host"],
                "starts_on": row["starts_on"],
                "ends_on": row["ends_on"],
                "licence": row["licence"],
                "licence_name": row["licence_name"],
                "licence_url": row["licence_url"],
                **_per_language(row, "name", "tagline", "description"),
            },
        )
    consultations = {}
    for row in tables["consultations"]:
        consultation, _created = Consultation.objects.update_or_create(
            forum=forums[row["forum"]],
            slug=row["slug"],
            defaults={
                "kind": row["kind"],
                "order": row["order"],
                "date": row["date"],
                "status": row["status"],
                "region": regions[row["region"]] if row["region"] else None,
                **_per_language(row, "title", "vision", "objective", "expected_output"),
            },
        )
        consultation.capitals.set([capitals[code] for code in row["capitals"]])
        consultations[row["slug"]] = consultation
    return consultations


# --- Registry --------------------------------------------------------------------------------


def write_registry(tables: dict[str, Table]) -> int:
    """Countries and cities the instance lacks (a registry already loaded is left as it is)."""
    from cityforum.cities.models import City, CityRole, Country
    from cityforum.cities.search import search_key
    from cityforum.programme.models import Region

    from .datasets.cities import ROLE_COLUMNS

    sections = {r.code: r for r in Region.objects.all()}
    known = set(Country.objects.values_list("iso2", flat=True))
    new_countries = [row for row in tables["countries"] if row["iso2"] not in known]
    Country.objects.bulk_create(
        [
            Country(
                iso2=row["iso2"],
                iso3=row["iso3"],
                name=row["name"],
                population=row["population"],
                section=sections[row["section"]],
                section_note=row["section_note"],
            )
            for row in new_countries
        ]
    )
    through = Country.secondary_sections.through
    through.objects.bulk_create(
        [
            through(country_id=row["iso2"], region_id=sections[code].pk)
            for row in new_countries
            for code in row["secondary_sections"]
        ]
    )
    known_cities = set(City.objects.values_list("geonameid", flat=True))
    new_cities = [row for row in tables["cities"] if row["geonameid"] not in known_cities]
    City.objects.bulk_create(
        [
            City(
                geonameid=row["geonameid"],
                name=row["name"],
                search_name=search_key(row["name"]),
                country_id=row["country"],
                admin1_code=row["admin1_code"],
                latitude=row["latitude"],
                longitude=row["longitude"],
                population=row["population"],
                timezone=row["timezone"],
            )
            for row in new_cities
        ],
        batch_size=BATCH,
    )
    CityRole.objects.bulk_create(
        [
            CityRole(city_id=row["geonameid"], **{c: row[c] for c in ROLE_COLUMNS})
            for row in new_cities
            if row["role"]
        ],
        batch_size=BATCH,
    )
    return len(new_cities)


def write_organisations(tables: dict[str, Table]) -> IdMap:
    """Organisations by name and country: one the instance has already is reused."""
    from cityforum.people.models import Organisation

    ids: IdMap = {}
    for row in tables["organisations"]:
        organisation = Organisation.objects.filter(
            name=row["name"], country_id=row["country"] or None
        ).first()
        if organisation is None:
            organisation = Organisation.objects.create(
                name=row["name"],
                kind=row["kind"],
                country_id=row["country"] or None,
                city_id=row["city"],
                verified=row["verified"],
            )
        ids[row["id"]] = organisation.pk
    return ids


# --- Participation ---------------------------------------------------------------------------


def import_account() -> Any:
    """The nameless, inactive account imported contributions belong to."""
    from cityforum.people.models import User

    user = User.objects.filter(email=IMPORT_ACCOUNT).first()
    if user is None:
        user = User(email=IMPORT_ACCOUNT, is_active=False, erased_at=timezone.now())
        user.set_unusable_password()
        user.save()
    return user


def write_contributions(
    tables: dict[str, Table], consultations: dict[str, Any], maps: dict[str, IdMap]
) -> IdMap:
    from cityforum.participation.models import Contribution, Visibility
    from cityforum.programme.models import Capital, Region

    author = import_account()
    regions = dict(Region.objects.values_list("code", "pk"))
    capitals = dict(Capital.objects.values_list("code", "pk"))
    rows = tables["contributions"]
    objects = [
        Contribution(
            consultation=consultations[row["consultation"]],
            author=author,
            organisation_id=remap(row["organisation"], "contributions", "organisation", maps),
            city_id=row["city"],
            region_id=regions[row["region"]] if row["region"] else None,
            type=row["type"],
            title=row["title"],
            body=row["body"],
            language=row["language"],
            status=Visibility.VISIBLE,
            source=row["source"],
            meeting_name=row["meeting_name"],
            meeting_date=row["meeting_date"],
            meeting_place=row["meeting_place"],
            on_behalf_of_id=remap(row["on_behalf_of"], "contributions", "on_behalf_of", maps),
            created_at=row["created_at"],
            updated_at=row["created_at"],
        )
        for row in rows
    ]
    with keeping_dates((Contribution, "created_at"), (Contribution, "updated_at")):
        created = Contribution.objects.bulk_create(objects, batch_size=BATCH)
    ids = {row["id"]: c.pk for row, c in zip(rows, created, strict=True)}
    through = Contribution.capitals.through
    through.objects.bulk_create(
        [
            through(contribution_id=ids[row["id"]], capital_id=capitals[code])
            for row in rows
            for code in row["capitals"]
        ],
        batch_size=BATCH,
    )
    return ids


def write_statements(
    tables: dict[str, Table], consultations: dict[str, Any], folder: Path
) -> IdMap:
    """Statements and votes through the Pol.is importer, one consultation at a time; then
    each statement gets back its language and date (to the millisecond of ``comments.csv``),
    which the importer does not keep."""
    from cityforum.statements.models import Statement
    from cityforum.statements.services import import_polis

    by_consultation: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in tables["statements"]:
        by_consultation[row["consultation"]].append(row)
    ids: IdMap = {}
    for slug in sorted(by_consultation):
        consultation = consultations[slug]
        polis = folder / "polis" / slug
        import_polis(consultation, polis, by=None, operator=True)
        proposed = _proposed_at(polis / "comments.csv")
        new = dict(
            Statement.objects.filter(
                consultation=consultation, source_id__isnull=False
            ).values_list("source_id", "pk")
        )
        changed = []
        for row in by_consultation[slug]:
            ids[row["id"]] = new[row["id"]]
            changed.append(
                Statement(
                    pk=new[row["id"]],
                    language=row["language"],
                    created_at=proposed.get(row["id"], row["created_at"]),
                )
            )
        with keeping_dates((Statement, "created_at")):
            Statement.objects.bulk_update(changed, ["language", "created_at"], batch_size=BATCH)
    return ids


def _proposed_at(comments: Path) -> dict[int, dt.datetime]:
    """``{comment-id: when}`` from a Pol.is ``comments.csv`` (already validated)."""
    with comments.open(encoding="utf-8", newline="") as handle:
        return {
            int(row["comment-id"]): dt.datetime.fromtimestamp(
                int(row["timestamp"]) / 1000, tz=dt.UTC
            )
            for row in csv.DictReader(handle)
        }


# --- Synthesis -------------------------------------------------------------------------------


def _labels(row: dict[str, Any]) -> dict[str, str]:
    return {code: row[f"label_{code}"] for code in LANGS}


def write_theme_runs(
    tables: dict[str, Table], consultations: dict[str, Any], maps: dict[str, IdMap]
) -> IdMap:
    """Approved themes runs as stored results: the published document becomes ``result``."""
    from cityforum.synthesis.models import ThemeRun

    themes, trends, specific = defaultdict(list), defaultdict(list), defaultdict(list)
    for row in tables["themes"]:
        themes[row["run"]].append(
            {
                "id": row["theme"],
                "labels": _labels(row),
                "terms": row["terms"],
                "term_weights": row["term_weights"],
                "size": row["size"],
                "contributions": remap(row["contributions"], "themes", "contributions", maps),
                "quotes": remap(row["quotes"], "themes", "quotes", maps),
                "prevalence": row["prevalence"],
                **(row["review"] or {}),
            }
        )
    for row in tables["theme_trends"]:
        trends[row["run"]].append(
            {
                "theme": row["theme"],
                "overall": row["overall"],
                "is_global": row["is_global"],
                "regions_present": row["regions_present"],
                "regions_absent": row["regions_absent"],
                "regions_total": row["regions_total"],
                "evenness": row["evenness"],
                "contributions": remap(row["contributions"], "theme_trends", "contributions", maps),
            }
        )
    for row in tables["theme_specificities"]:
        specific[row["run"]].append(
            {
                "region": row["region"],
                "kind": row["kind"],
                "key": row["key"],
                "labels": _labels(row),
                "z": row["z"],
                "count": row["count"],
                "count_rest": row["count_rest"],
                "contributions": remap(
                    row["contributions"], "theme_specificities", "contributions", maps
                ),
            }
        )
    ids: IdMap = {}
    with keeping_dates((ThemeRun, "created_at")):
        for row in tables["theme_runs"]:
            run = ThemeRun.objects.create(
                consultation=consultations[row["consultation"]] if row["consultation"] else None,
                status=ThemeRun.Status.DONE,
                progress=100,
                stage="done",
                n_contributions=row["n_contributions"],
                parameters=row["parameters"],
                seed=row["seed"],
                input_sha256=row["input_sha256"],
                engine_version=row["engine_version"],
                result={
                    "themes": themes[row["id"]],
                    "trends": trends[row["id"]],
                    "specificities": specific[row["id"]],
                    "regions": row["regions"],
                    "converged": row["converged"],
                },
                created_at=row["created_at"],
                finished_at=row["finished_at"],
                approved_at=row["approved_at"],
            )
            ids[row["id"]] = run.pk
    return ids


def write_opinion_maps(
    tables: dict[str, Table], consultations: dict[str, Any], maps: dict[str, IdMap]
) -> IdMap:
    """Opinion maps as stored results: what the page and the bundle read, nothing more."""
    from cityforum.synthesis.models import OpinionMapRun

    groups: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in tables["opinion_groups"]:
        groups[row["run"]].append(row)
    ids: IdMap = {}
    with keeping_dates((OpinionMapRun, "created_at")):
        for row in tables["opinion_maps"]:
            mine = groups[row["id"]]
            listing = {
                "groups": [
                    {
                        "id": g["group"],
                        "size": g["size"],
                        "representative": remap(
                            g["representative"], "opinion_groups", "representative", maps
                        ),
                    }
                    for g in mine
                ],
                "consensus": remap(row["consensus"], "opinion_maps", "consensus", maps),
                "divisive": remap(row["divisive"], "opinion_maps", "divisive", maps),
            }
            run = OpinionMapRun.objects.create(
                consultation=consultations[row["consultation"]],
                status=OpinionMapRun.Status.DONE,
                progress=100,
                stage="done",
                n_votes=row["n_votes"],
                parameters=row["parameters"],
                seed=row["seed"],
                input_sha256=row["input_sha256"],
                engine_version=row["engine_version"],
                result={
                    **listing,
                    "group_informed_consensus": remap(
                        row["group_informed_consensus"],
                        "opinion_maps",
                        "group_informed_consensus",
                        maps,
                    ),
                    "parameters": row["parameters"],
                    "input_sha256": row["input_sha256"],
                },
                figures={
                    "n_participants": row["n_participants"],
                    "shares": remap(row["shares"], "opinion_maps", "shares", maps),
                    "composition": {
                        "by_region": [g["by_region"] for g in mine],
                        "by_organisation_kind": [g["by_organisation_kind"] for g in mine],
                    },
                    "listing": listing,
                },
                created_at=row["created_at"],
                finished_at=row["finished_at"],
            )
            ids[row["id"]] = run.pk
    return ids


# --- Drafting --------------------------------------------------------------------------------


def write_documents(
    tables: dict[str, Table], consultations: dict[str, Any], maps: dict[str, IdMap]
) -> int:
    """Documents replace the untouched ones of the same slug (``init``'s starting draft)."""
    from cityforum.drafting.models import (
        Amendment,
        Article,
        ArticleSource,
        Document,
        Section,
        Signature,
        Version,
    )

    slugs = [row["slug"] for row in tables["documents"]]
    Document.objects.filter(slug__in=slugs).delete()
    documents = {}
    with keeping_dates((Document, "created_at")):
        for row in tables["documents"]:
            documents[row["slug"]] = Document.objects.create(
                slug=row["slug"],
                consultation=consultations[row["consultation"]],
                source_language=row["source_language"],
                status=row["status"],
                starting_draft=row["starting_draft"],
                created_at=row["created_at"],
                **_per_language(row, "title", "preamble"),
            )
    sections: IdMap = {}
    for row in tables["document_sections"]:
        section = Section.objects.create(
            document=documents[row["document"]], order=row["order"], **_per_language(row, "title")
        )
        sections[row["id"]] = section.pk
    maps["document_sections"] = sections
    articles: IdMap = {}
    for row in tables["articles"]:
        article = Article.objects.create(
            document=documents[row["document"]],
            section_id=sections[row["section"]] if row["section"] is not None else None,
            number=row["number"],
            order=row["order"],
            source_language=row["source_language"],
            source_revision=row["source_revision"],
            deleted=row["deleted"],
            **{f"revision_{code}": row[f"revision_{code}"] for code in LANGS},
            **_per_language(row, "text"),
        )
        articles[row["id"]] = article.pk
    maps["articles"] = articles
    versions = {}
    with keeping_dates((Version, "created_at")):
        for row in tables["document_versions"]:
            version = Version.objects.create(
                document=documents[row["document"]],
                number=row["number"],
                snapshot=remap(row["snapshot"], "document_versions", "snapshot", maps),
                created_at=row["created_at"],
                note=row["note"],
            )
            versions[(row["document"], row["number"])] = version
    with keeping_dates((Amendment, "created_at")):
        for row in tables["amendments"]:
            Amendment.objects.create(
                article_id=articles[row["article"]],
                kind=row["kind"],
                text=row["text"],
                rationale=row["rationale"],
                language=row["language"],
                base_revision=row["base_revision"],
                base_text=row["base_text"],
                status=row["status"],
                reason=row["reason"],
                decided_at=row["decided_at"],
                version=versions.get((row["document"], row["version"])),
                created_at=row["created_at"],
            )
    with keeping_dates((ArticleSource, "created_at")):
        for row in tables["article_sources"]:
            ArticleSource.objects.create(
                article_id=articles[row["article"]],
                contribution_id=remap(row["contribution"], "article_sources", "contribution", maps),
                statement_id=remap(row["statement"], "article_sources", "statement", maps),
                theme_run_id=remap(row["theme_run"], "article_sources", "theme_run", maps),
                theme_id=row["theme"],
                theme_label=row["theme_label"],
                note=row["note"],
                created_at=row["created_at"],
            )
    with keeping_dates((Signature, "signed_at")):
        for row in tables["signatures"]:
            Signature.objects.create(
                document=documents[row["document"]],
                organisation_id=remap(row["organisation"], "signatures", "organisation", maps),
                signed_at=row["signed_at"],
            )
    return len(documents)


# --- Assessments -----------------------------------------------------------------------------


def write_assessments(tables: dict[str, Table]) -> int:
    from cityforum.assessments.models import Assessment, Indicator, IndicatorValue, SelfAssessment

    indicators = {}
    for row in tables["indicators"]:
        values = {k: v for k, v in row.items() if k != "code"}
        indicators[row["code"]], _created = Indicator.objects.update_or_create(
            code=row["code"], defaults=values
        )
    ids: IdMap = {}
    for row in tables["assessments"]:
        assessment = Assessment.objects.create(
            kind=row["kind"],
            city_id=row["city"],
            title=row["title"],
            agenda_id=ids[row["agenda"]] if row["agenda"] is not None else None,
            year=row["year"],
            version=row["version"],
            budget=row["budget"],
            scores=row["scores"],
            level=row["level"],
            bri=row["bri"],
            balance=row["balance"],
            band=row["band"],
            flags=row["flags"],
            uncertainty=row["uncertainty"],
            framework=row["framework"],
            computed_at=row["computed_at"],
        )
        ids[row["id"]] = assessment.pk
    IndicatorValue.objects.bulk_create(
        [
            IndicatorValue(
                assessment_id=ids[row["assessment"]],
                indicator=indicators[row["indicator"]],
                value=row["value"],
                normalised=row["normalised"],
                source=row["source"],
                confidence=row["confidence"],
            )
            for row in tables["indicator_values"]
        ],
        batch_size=BATCH,
    )
    SelfAssessment.objects.bulk_create(
        [
            SelfAssessment(
                assessment_id=ids[row["assessment"]],
                capital=row["capital"],
                score=row["score"],
                evidence=row["evidence"],
                confidence=row["confidence"],
                adverse_effect=row["adverse_effect"],
            )
            for row in tables["project_scores"]
        ],
        batch_size=BATCH,
    )
    return len(ids)


# --- Recommendations -------------------------------------------------------------------------

#: Imported endorsements belong to nameless, inactive accounts, the k-th endorsement of every
#: recommendation to the k-th account (an account endorses a recommendation once): the bundle
#: never says who endorsed, only the constituency and world section, which are copied.
ENDORSER_ACCOUNT = "open-data-endorser-{n}@import.invalid"


def _endorser(n: int) -> Any:
    from cityforum.people.models import User

    email = ENDORSER_ACCOUNT.format(n=n)
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User(email=email, is_active=False, erased_at=timezone.now())
        user.set_unusable_password()
        user.save()
    return user


def write_recommendations(
    tables: dict[str, Table], consultations: dict[str, Any], maps: dict[str, IdMap]
) -> IdMap:
    """Recommendations with their evidence (sources renumbered) and endorsements. Imported
    translations count as up to date (the bundle has the texts, not their history); the status
    is taken as published, without the log of who changed it."""
    from cityforum.programme.models import Capital, Region
    from cityforum.recommendations.models import (
        Evidence,
        Recommendation,
        RecommendationEndorsement,
    )

    author = import_account()
    regions = dict(Region.objects.values_list("code", "pk"))
    capitals = dict(Capital.objects.values_list("code", "pk"))
    ids: IdMap = {}
    for row in tables.get("recommendations", []):
        texts = _per_language(row, "text")
        rec = Recommendation.objects.create(
            text=row["text"],
            language=row["language"],
            **texts,
            **{f"revision_{code}": 1 if texts[f"text_{code}"] else 0 for code in LANGS},
            line=row["line"],
            addressee=row["addressee"],
            region_id=regions[row["region"]] if row["region"] else None,
            pact_component=row["pact_component"],
            status=row["status"],
            author=author,
        )
        rec.capitals.set([capitals[code] for code in row["capitals"]])
        rec.consultations.set([consultations[slug] for slug in row["consultations"]])
        ids[row["id"]] = rec.pk
    maps["recommendations"] = ids
    evidence = []
    for row in tables.get("recommendation_evidence", []):
        kind = row["kind"]
        key = row["key"] or ""
        if kind == "contribution":
            source = maps["contributions"][row["contribution"]]
        elif kind in ("theme", "trend", "specificity"):
            source = maps["theme_runs"][row["theme_run"]]
        elif kind == "consensus_statement":
            source = maps["opinion_maps"][row["opinion_map"]]
            key = str(maps["statements"][row["statement"]])
        else:
            source = maps["articles"][row["article"]]
        evidence.append(
            Evidence(
                recommendation_id=ids[row["recommendation"]],
                kind=kind,
                source_id=source,
                key=key,
                label=row["label"] or "",
                quote=row["quote"] or "",
                language=row["language"] or "",
                regions=list(row["regions"] or []),
                constituencies=dict(row["constituencies"] or {}),
                count=row["count"] or 0,
            )
        )
    Evidence.objects.bulk_create(evidence, batch_size=BATCH)
    seen: dict[int, int] = {}
    endorsements = []
    for row in tables.get("recommendation_endorsements", []):
        rid = ids[row["recommendation"]]
        seen[rid] = seen.get(rid, 0) + 1
        endorsements.append(
            RecommendationEndorsement(
                recommendation_id=rid,
                person=_endorser(seen[rid]),
                constituency=row["constituency"] or "",
                region_id=regions[row["region"]] if row["region"] else None,
            )
        )
    RecommendationEndorsement.objects.bulk_create(endorsements, batch_size=BATCH)
    return ids
