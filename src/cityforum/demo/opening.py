"""Step ``opening``: the demo organiser opens the thematic and regional consultations, as
on the back office (planned → open), so that they take contributions, statements and votes."""

from __future__ import annotations

from .builder import DemoBuild


def open_consultations(run: DemoBuild) -> str:
    from cityforum.programme.models import Consultation, Status
    from cityforum.programme.services import change_status

    opened = 0
    for consultation in Consultation.objects.filter(
        kind__in=["thematic", "regional"], status=Status.PLANNED
    ).order_by("order"):
        change_status(consultation, Status.OPEN, by=run.people["organiser"], note="demo")
        opened += 1
    return f"{opened} consultations open"
