"""Who backs a recommendation: counts by constituency and by UCLG world section, and whether
it is *backed across regions*.

The rule is the global-trend rule of the synthesis (``shared/synthesis.md`` §3) applied to
endorsements: a recommendation is backed across regions when people from at least ``⌈2R/3⌉``
of the ``R`` world sections that took part endorse it. "Took part" means: at least one
visible contribution to any consultation of the forum came from the section — the same
regions the synthesis compares. Endorsements keep the constituency and section the person had
when they endorsed (see :class:`.models.RecommendationEndorsement`).

Read-only and stable: the report, the G20 brief and the open data call :func:`support` and
:func:`support_many`; pages and the API show :meth:`Support.as_dict`.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from cityforum.participation.models import Contribution
from cityforum.participation.models import Visibility as ContributionVisibility
from cityforum.people.models import Organisation
from cityforum.programme.models import Region

from .models import Recommendation, RecommendationEndorsement

#: The key of endorsers with no organisation, or no known section.
UNKNOWN = "unknown"

#: The share of the sections that took part a recommendation needs (the trend rule).
COVERAGE = 2 / 3


def regions_needed(sections_taking_part: int, coverage: float = COVERAGE) -> int:
    """``⌈coverage·R⌉`` (``⌈2R/3⌉``): 1 of 1, 2 of 2 or 3, 3 of 4, 4 of 5 or 6, 5 of 7."""
    if sections_taking_part <= 0:
        return 0
    return math.ceil(coverage * sections_taking_part - 1e-9)


def sections_that_took_part() -> list[Region]:
    """The world sections that at least one visible contribution came from, in their order."""
    codes = set(
        Contribution.objects.filter(
            status=ContributionVisibility.VISIBLE, region__kind=Region.Kind.SECTION
        )
        .values_list("region__code", flat=True)
        .distinct()
    )
    return [r for r in Region.objects.filter(kind=Region.Kind.SECTION) if r.code in codes]


@dataclass(frozen=True)
class Share:
    code: str
    label: str
    count: int


@dataclass(frozen=True)
class Support:
    """The support of one recommendation.

    ``by_constituency`` and ``by_region`` list every organisation type / world section (zero
    counts included, ``unknown`` last), so tables line up across recommendations.
    ``sections_endorsing`` are the codes of the sections that took part and endorsed it;
    ``backed_across_regions`` is ``len(sections_endorsing) >= needed`` (and ``needed > 0``).
    """

    total: int
    by_constituency: list[Share] = field(default_factory=list)
    by_region: list[Share] = field(default_factory=list)
    sections_taking_part: list[str] = field(default_factory=list)
    sections_endorsing: list[str] = field(default_factory=list)
    needed: int = 0
    backed_across_regions: bool = False

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: what the API, the open data and the brief publish (no personal data)."""
        return {
            "total": self.total,
            "by_constituency": {s.code: s.count for s in self.by_constituency},
            "by_region": {s.code: s.count for s in self.by_region},
            "sections_taking_part": list(self.sections_taking_part),
            "sections_endorsing": list(self.sections_endorsing),
            "needed": self.needed,
            "backed_across_regions": self.backed_across_regions,
        }

    @property
    def regions_backing(self) -> int:
        return len(self.sections_endorsing)


def _build(
    kinds: Counter[str],
    regions: Counter[str],
    sections: list[Region],
    taking_part: list[str],
) -> Support:
    by_constituency = [
        Share(code, str(label), kinds.get(code, 0)) for code, label in Organisation.Kind.choices
    ]
    by_constituency.append(Share(UNKNOWN, _("no organisation"), kinds.get(UNKNOWN, 0)))
    by_region = [Share(r.code, str(r.name), regions.get(r.code, 0)) for r in sections]
    by_region.append(Share(UNKNOWN, _("region unknown"), regions.get(UNKNOWN, 0)))
    endorsing = [code for code in taking_part if regions.get(code, 0) > 0]
    needed = regions_needed(len(taking_part))
    return Support(
        total=sum(kinds.values()),
        by_constituency=by_constituency,
        by_region=by_region,
        sections_taking_part=list(taking_part),
        sections_endorsing=endorsing,
        needed=needed,
        backed_across_regions=bool(needed and len(endorsing) >= needed),
    )


def support_many(recommendations: Iterable[Recommendation | int]) -> dict[int, Support]:
    """``{recommendation id: Support}`` in three queries, whatever the number of
    recommendations (for lists, the report, the brief and the open data)."""
    ids = [getattr(r, "pk", r) for r in recommendations]
    sections = list(Region.objects.filter(kind=Region.Kind.SECTION))
    taking_part = [r.code for r in sections_that_took_part()]
    kinds: dict[int, Counter[str]] = defaultdict(Counter)
    regions: dict[int, Counter[str]] = defaultdict(Counter)
    rows = RecommendationEndorsement.objects.filter(recommendation_id__in=ids).values_list(
        "recommendation_id", "constituency", "region__code"
    )
    for rid, constituency, region in rows:
        kinds[rid][constituency or UNKNOWN] += 1
        regions[rid][region or UNKNOWN] += 1
    return {rid: _build(kinds[rid], regions[rid], sections, taking_part) for rid in ids}


def support(recommendation: Recommendation | int) -> Support:
    """The support of one recommendation (see :class:`Support`)."""
    rid = getattr(recommendation, "pk", recommendation)
    return support_many([rid])[rid]
