"""Every dataset of the bundle, in the order the import writes them (referenced ones first)."""

from __future__ import annotations

from ..schema import Dataset
from . import (
    assessments,
    cities,
    drafting,
    participation,
    programme,
    recommendations,
    statements,
    synthesis,
)


def _by_name(*groups: tuple[Dataset, ...]) -> dict[str, Dataset]:
    found: dict[str, Dataset] = {}
    for group in groups:
        for dataset in group:
            if dataset.name in found:
                raise ValueError(f"two datasets are called {dataset.name}")
            found[dataset.name] = dataset
    return found


_ALL = _by_name(
    programme.DATASETS,
    cities.DATASETS,
    participation.DATASETS,
    statements.DATASETS,
    synthesis.DATASETS,
    drafting.DATASETS,
    assessments.DATASETS,
    recommendations.DATASETS,
)

#: Import order: regions and capitals before the consultations that name them, and so on.
ORDER = (
    "regions",
    "capitals",
    "forums",
    "consultations",
    "countries",
    "cities",
    "organisations",
    "contributions",
    "statements",
    "votes",
    "theme_runs",
    "themes",
    "theme_trends",
    "theme_specificities",
    "opinion_maps",
    "opinion_groups",
    "documents",
    "document_sections",
    "articles",
    "document_versions",
    "amendments",
    "article_sources",
    "signatures",
    "indicators",
    "assessments",
    "indicator_values",
    "project_scores",
    "recommendations",
    "recommendation_evidence",
    "recommendation_endorsements",
)

DATASETS: dict[str, Dataset] = {name: _ALL[name] for name in ORDER}
if set(DATASETS) != set(_ALL):  # pragma: no cover - a dataset added without a place here
    raise ValueError(f"datasets missing from ORDER: {sorted(set(_ALL) - set(DATASETS))}")
