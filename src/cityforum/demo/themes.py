"""Step ``themes``: the demo organiser computes the themes of all contributions and of each
consultation that has enough of them, and approves each synthesis, which makes it public."""

from __future__ import annotations

from cityforum.synthesis.themes.services import approve_themes, run_themes

from .builder import DemoBuild

#: Fewer contributions than this and a consultation gets no synthesis of its own (the
#: synthesis itself refuses under 20).
MIN_PER_CONSULTATION = 20


def compute_and_approve(run: DemoBuild) -> str:
    from django.db.models import Count

    from cityforum.programme.models import Consultation

    organiser = run.people["organiser"]
    programme = run_themes(None, by=organiser, n_themes=6 if run.small else 10)
    approve_themes(programme, by=organiser)
    approved = ["programme"]
    busy = (
        Consultation.objects.annotate(n=Count("contributions"))
        .filter(n__gte=MIN_PER_CONSULTATION)
        .order_by("order")
    )
    for consultation in busy:
        approve_themes(run_themes(consultation, by=organiser, n_themes=4), by=organiser)
        approved.append(consultation.slug)
    return "approved syntheses: " + ", ".join(approved)
