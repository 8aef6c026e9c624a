"""The public data the demonstration forum is built from: where each source comes from, its
licence, the attribution it asks for, and how its places were mapped onto UCLG's sections.

One registry, read by the "About this demo" page, the open-data bundle's ``ATTRIBUTION.md``
and the builder's steps, so that a source cannot be used without being attributed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

#: Data small and free enough to travel with the code (see ``data/README.md``).
BUNDLED = Path(__file__).resolve().parent / "data"
#: The shared data folder beside the checkout; read at build time when present, never copied.
#: ``CITYFORUM_DEMO_SHARED_DATA`` names another folder.
SHARED = Path(
    os.environ.get("CITYFORUM_DEMO_SHARED_DATA")
    or Path(__file__).resolve().parents[4] / "shared" / "data"
)

POLIS_ATTRIBUTION = (
    "Data was gathered using the Polis software (compdemocracy.org/polis) and is sub-licensed "
    "under CC BY 4.0 with Attribution to The Computational Democracy Project. The data and more "
    "information about how the data was collected can be found at the following link(s): "
    "https://compdemocracy.org/case-studies/2022-london-youth-policing "
    "https://compdemocracy.org/case-studies/2014-seattle-15-per-hour "
    "https://compdemocracy.org/case-studies/2017-scoop-hivemind-ubi"
)


@dataclass(frozen=True)
class Source:
    """One public data set used by the demo."""

    key: str
    name: str
    url: str
    licence: str | Promise
    attribution: str
    #: What the demo made of it, in the reader's language.
    used_for: Promise
    #: How its places (districts, territories) were mapped onto the forum's consultations.
    mapping: Promise
    #: True when the files travel with the code; False when read from ``../shared`` at build.
    bundled: bool
    mapping_rows: tuple[tuple[str, str], ...] = field(default_factory=tuple)


#: Barcelona's ten districts, each assigned to one regional consultation (a demonstration:
#: the districts are not in those regions; the assignment only spreads real, district-level
#: proposals across the six sections so that regional pages have something to compare).
BARCELONA_DISTRICTS: dict[str, str] = {
    "Ciutat Vella": "regional-africa",
    "Eixample": "regional-africa",
    "Sants Montjuïc": "regional-mewa",
    "Les Corts": "regional-mewa",
    "Sarrià - Sant Gervasi": "regional-latam",
    "Gràcia": "regional-latam",
    "Horta - Guinardó": "regional-noram",
    "Nou Barris": "regional-aspac",
    "Sant Andreu": "regional-eurasia",
    "Sant Martí": "regional-eurasia",
}

#: Barcelona's five strategic axes → a thematic consultation, for the city-wide proposals.
BARCELONA_AXES: dict[str, str] = {
    "Bon viure": "places-that-care",
    "Transició ecològica": "ecological-transition",
    "Economia plural": "inequalities",
    "Bon govern": "local-democracy",
    "Justícia global": "local-democracy",
}

#: The Grand Débat's national themes → a thematic consultation.
LILLE_THEMES: dict[str, str] = {
    "transition_ecologique": "ecological-transition",
    "fiscalite_depenses_action_publique": "inequalities",
    "democratie_citoyennete": "local-democracy",
    "organisation_etat_collectivites": "local-democracy",
    "autre_sujet": "places-that-care",
}

#: The Pol.is conversations → the consultation whose statements they become.
POLIS_CONVERSATIONS: dict[str, str] = {
    "15-per-hour-seattle": "regional-noram",
    "scoop-hivemind.ubi": "regional-aspac",
    "london.youth.policing": "places-that-care",
}

#: The English SDG texts are dealt round these regional consultations, in turn.
SDG_CONSULTATIONS = ("regional-noram", "regional-aspac", "regional-africa", "regional-mewa")


SOURCES: tuple[Source, ...] = (
    Source(
        key="polis",
        name="Pol.is open data (The Computational Democracy Project)",
        url="https://github.com/compdemocracy/openData",
        licence="CC BY 4.0",
        attribution=POLIS_ATTRIBUTION,
        used_for=_(
            "Statements and votes of three public Pol.is conversations (youth policing in "
            "London, a $15 minimum wage in Seattle, a universal basic income in New Zealand), "
            "with their opinion maps computed by the forum."
        ),
        mapping=_(
            "Seattle went to the North America consultation, the New Zealand conversation to "
            "Asia-Pacific, London's to the “places that care” thematic consultation."
        ),
        bundled=True,
        mapping_rows=tuple(POLIS_CONVERSATIONS.items()),
    ),
    Source(
        key="barcelona",
        name="decidim.barcelona — PAM 2016 participatory process",
        url="https://github.com/elaragon/metadecidim",
        licence=_("open data of the City of Barcelona; licence not stated for this export"),
        attribution=(
            "Source: Ajuntament de Barcelona — decidim.barcelona, PAM 2016 participatory "
            "process (data via github.com/elaragon/metadecidim)"
        ),
        used_for=_(
            "Proposals written in Spanish (the Catalan ones are left out: the forum speaks "
            "French, English and Spanish), with their district and strategic axis."
        ),
        mapping=_(
            "Each of Barcelona's ten districts was assigned to one of the six regional "
            "consultations (table below), so that the regional pages can be compared; city-wide "
            "proposals went to the thematic consultation of their strategic axis, from "
            "Barcelona (Europe). This is a demonstration: these districts are not in those "
            "regions."
        ),
        bundled=False,
        mapping_rows=tuple(BARCELONA_DISTRICTS.items()) + tuple(BARCELONA_AXES.items()),
    ),
    Source(
        key="lille",
        name="Grand Débat National 2019 — Métropole Européenne de Lille",
        url="https://github.com/OpenSourcePolitics/datathon-grand-debat",
        licence=_("licence of the data not stated (Decidim open-data export)"),
        attribution=(
            "Source: Métropole Européenne de Lille — Grand Débat on Decidim "
            "(participation.lillemetropole.fr), data via "
            "github.com/OpenSourcePolitics/datathon-grand-debat"
        ),
        used_for=_("Contributions in French, with their national theme."),
        mapping=_(
            "Every contribution comes from Lille (Europe); each national theme went to a "
            "thematic consultation (table below)."
        ),
        bundled=False,
        mapping_rows=tuple(LILLE_THEMES.items()),
    ),
    Source(
        key="sdg",
        name="SDG Classification Benchmark 1.0.0 (texts of the OSDG Community Dataset)",
        url="https://github.com/SDGClassification/benchmark",
        licence="MIT (labels), CC BY 4.0 (texts)",
        attribution=(
            "SDG Classification Benchmark, © 2024 SDG Classification Expert Group (MIT). Texts: "
            "OSDG, UNDP IICPSD SDG AI Lab & PPMI (2024). OSDG Community Dataset (OSDG-CD), "
            "version 2024.01, Zenodo, doi:10.5281/zenodo.10579179 (CC BY 4.0)"
        ),
        used_for=_(
            "Short English texts from reports and policy documents (not contributions to a "
            "consultation), standing in for English contributions; each text's goal gives its "
            "capital."
        ),
        mapping=_(
            "The texts were dealt in turn to the North America, Asia-Pacific, Africa and MEWA "
            "consultations."
        ),
        bundled=True,
        mapping_rows=tuple((f"#{n + 1}", slug) for n, slug in enumerate(SDG_CONSULTATIONS)),
    ),
)


def attribution_markdown() -> str:
    """The demo's sources as a section of the open-data bundle's ``ATTRIBUTION.md``."""
    lines = [
        "## Demonstration data",
        "",
        "This bundle comes from a demonstration forum (`cityforum demo`): its contributions, "
        "statements and votes are public data from consultations that were not part of the "
        "forum. Assessments of cities are illustrative values, not measurements. The "
        "recommendations, their translations, their endorsements and the reasons for their "
        "status changes were written for the demonstration (demo wording), from the themes, "
        "contributions and consensus statements it computed; they are no source's words.",
        "",
    ]
    for source in SOURCES:
        lines += [f"### {source.name}", "", f"<{source.url}> — {source.licence}.", ""]
        lines += [source.attribution, ""]
    return "\n".join(lines)


def bundle_attribution() -> str:
    """The sources' attribution for the open-data bundle, on a demonstration forum only
    (named in ``CITYFORUM_OPENDATA_ATTRIBUTIONS``; a real forum's bundle gets nothing)."""
    from django.conf import settings

    return attribution_markdown() if getattr(settings, "CITYFORUM_DEMO", False) else ""
