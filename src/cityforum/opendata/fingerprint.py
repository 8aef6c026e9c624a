"""A cheap checksum of everything the bundle is made of, to know when it must be rewritten.

Reading every vote to hash it would cost as much as writing the bundle, so large tables
contribute what changes whenever their published content does: row counts, the highest id,
the latest change dates and a few sums; small tables (the programme, documents, the
framework, organisations) contribute their full content. An edit that changes none of these
— a city renamed by hand in the admin, say — is picked up by ``cityforum export opendata``,
which always rewrites.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Count, Max, Sum

from cityforum import __version__

from .schema import BUNDLE_VERSION


def _aggregate(model: Any, **aggregates: Any) -> dict[str, Any]:
    return dict(model.objects.aggregate(n=Count("pk"), top=Max("pk"), **aggregates))


def _content(queryset: Any, *fields: str) -> str:
    digest = hashlib.sha256()
    for row in queryset.order_by("pk").values_list(*fields).iterator(chunk_size=2000):
        digest.update(json.dumps(row, cls=DjangoJSONEncoder, default=str).encode())
    return digest.hexdigest()


def input_checksum() -> str:
    """SHA-256 (hex) of what the bundle would be written from."""
    from cityforum.assessments.models import Assessment, Indicator, IndicatorValue, SelfAssessment
    from cityforum.cities.models import City, CityRole, Country
    from cityforum.drafting.models import (
        Amendment,
        Article,
        ArticleSource,
        Document,
        Section,
        Signature,
        Version,
    )
    from cityforum.participation.models import Contribution
    from cityforum.people.models import Organisation
    from cityforum.programme.models import Capital, Consultation, Forum, Region
    from cityforum.statements.models import Statement, Vote, Voter
    from cityforum.synthesis.models import OpinionMapRun, ThemeReview, ThemeRun

    parts: dict[str, Any] = {"bundle": BUNDLE_VERSION, "software": __version__}
    for model in (Forum, Capital, Region, Consultation, Document, Section, Article, Indicator):
        parts[model._meta.label] = _content(model.objects.all())
    parts["consultation_capitals"] = _content(Consultation.capitals.through.objects.all())
    parts["organisations"] = _content(Organisation.objects.all())
    parts["countries"] = _aggregate(Country, people=Sum("population"))
    parts["cities"] = _aggregate(City, people=Sum("population"), lat=Sum("latitude"))
    parts["roles"] = _aggregate(
        CityRole,
        score=Sum("intermediation_score"),
        km=Sum("d_larger_km"),
        rank=Sum("national_rank"),
    )
    parts["contributions"] = _aggregate(
        Contribution, changed=Max("updated_at"), moderated=Max("moderated_at")
    )
    parts["visible"] = Contribution.objects.filter(status="visible").count()
    parts["statements"] = _aggregate(Statement, moderated=Max("moderated_at"))
    parts["accepted"] = Statement.objects.filter(status="accepted").count()
    parts["votes"] = _aggregate(Vote, changed=Max("updated_at"), total=Sum("value"))
    parts["voters"] = _aggregate(Voter)
    parts["theme_runs"] = _content(
        ThemeRun.objects.all(), "pk", "status", "approved_at", "finished_at"
    )
    parts["theme_reviews"] = _aggregate(ThemeReview, undone=Max("undone_at"))
    parts["opinion_runs"] = _content(
        OpinionMapRun.objects.all(), "pk", "status", "finished_at", "consultation_id"
    )
    parts["versions"] = _aggregate(Version)
    parts["amendments"] = _aggregate(
        Amendment, decided=Max("decided_at"), moderated=Max("moderated_at")
    )
    parts["sources"] = _aggregate(ArticleSource)
    parts["signatures"] = _aggregate(Signature)
    parts["assessments"] = _aggregate(Assessment, computed=Max("computed_at"))
    parts["values"] = _aggregate(IndicatorValue, total=Sum("value"))
    parts["self_scores"] = _aggregate(SelfAssessment, total=Sum("score"))
    text = json.dumps(parts, cls=DjangoJSONEncoder, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()
