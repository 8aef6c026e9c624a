"""Constituencies: who stands behind a count, by organisation type and by region.

The forum needs to know whether local governments and civil society agree, and whether
a view is shared across world sections. Every count the site shows (endorsements of a
contribution) is broken down here by the endorser's organisation type and by region:
the world section of their organisation's country, or else of their own city's country.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, QuerySet
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from cityforum.people.models import Organisation
from cityforum.programme.models import Region

#: The key of people with no organisation, or no known region.
UNKNOWN = "unknown"


@dataclass(frozen=True)
class Share:
    code: str
    label: str
    count: int


@dataclass(frozen=True)
class Breakdown:
    total: int
    by_organisation_kind: list[Share] = field(default_factory=list)
    by_region: list[Share] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "by_organisation_kind": {s.code: s.count for s in self.by_organisation_kind},
            "by_region": {s.code: s.count for s in self.by_region},
        }


def breakdown(people: QuerySet[Any], person_field: str = "person") -> Breakdown:
    """Break down ``people`` (rows pointing to a person through ``person_field``).

    ``people`` is any queryset of rows with a foreign key to the person, e.g. a
    contribution's endorsements. Two grouped queries, whatever the number of rows.
    """
    p = person_field
    kinds = dict(
        people.values_list(f"{p}__organisation__kind")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list(f"{p}__organisation__kind", "n")
    )
    regions = dict(
        people.annotate(
            _region=Coalesce(
                f"{p}__organisation__country__section__code", f"{p}__city__country__section__code"
            )
        )
        .values("_region")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("_region", "n")
    )
    kind_labels = dict(Organisation.Kind.choices)
    by_kind = [Share(code, str(label), kinds.get(code, 0)) for code, label in kind_labels.items()]
    by_kind.append(Share(UNKNOWN, _("no organisation"), kinds.get(None, 0)))
    by_region = [
        Share(region.code, str(region.name), regions.get(region.code, 0))
        for region in Region.objects.filter(kind=Region.Kind.SECTION)
    ]
    by_region.append(Share(UNKNOWN, _("region unknown"), regions.get(None, 0)))
    return Breakdown(total=sum(kinds.values()), by_organisation_kind=by_kind, by_region=by_region)
