"""Step ``opinion``: the demo organiser computes the opinion map of every consultation that
has votes (groups, representative, consensus and divisive statements)."""

from __future__ import annotations

from cityforum.synthesis.opinion.services import run_opinion_map

from .builder import DemoBuild
from .sources import POLIS_CONVERSATIONS


def compute_opinion_maps(run: DemoBuild) -> str:
    from cityforum.programme.models import Consultation

    computed = []
    for slug in POLIS_CONVERSATIONS.values():
        consultation = Consultation.objects.get(slug=slug)
        result = run_opinion_map(consultation, by=run.people["organiser"])
        computed.append(f"{slug} ({result.status})")
    return "opinion maps: " + ", ".join(computed)
