"""The public list of a document's signatories: grouped by world section (the section of
the organisation's country, as the cities app assigns it), local governments first."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from cityforum.people.models import Organisation

from .models import Document, Signature


@dataclass
class RegionGroup:
    code: str
    label: str
    signatures: list[Signature] = field(default_factory=list)


def _rank(signature: Signature) -> tuple[int, str]:
    organisation = signature.organisation
    first = organisation.kind == Organisation.Kind.LOCAL_GOVERNMENT
    return (0 if first else 1, organisation.name.casefold())


def signatories_by_region(document: Document) -> list[RegionGroup]:
    """Signatures grouped by region (regions in their order, unknown last)."""
    signatures = Signature.objects.filter(document=document).select_related(
        "organisation__country__section", "organisation__city"
    )
    groups: dict[str, RegionGroup] = {}
    order: dict[str, Any] = {}
    for signature in signatures:
        country = signature.organisation.country
        section = country.section if country is not None else None
        code = section.code if section is not None else ""
        if code not in groups:
            label = str(section.name) if section is not None else _("Region unknown")
            groups[code] = RegionGroup(code, label)
            order[code] = (section.order, section.code) if section is not None else (10**6, "")
        groups[code].signatures.append(signature)
    for group in groups.values():
        group.signatures.sort(key=_rank)
    return sorted(groups.values(), key=lambda g: order[g.code])


def summary() -> dict[str, Any]:
    """For the home page: frozen documents and how many organisations signed each."""
    from django.db.models import Count

    documents = (
        Document.objects.filter(status=Document.Status.FROZEN)
        .annotate(n_signatures=Count("signatures"))
        .order_by("-created_at")
    )
    return {"documents": list(documents)}
