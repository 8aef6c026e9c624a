"""Step ``database``: the demo's empty database, prepared as ``cityforum init`` prepares a
forum (migrations, the programme, the city registry and its roles, the indicator framework,
the Code of Conduct's starting draft)."""

from __future__ import annotations

from django.conf import settings
from django.core.management import call_command

from .builder import DemoBuild

#: The small demo (the tests' slice) loads places of 15,000 people or more: roles and the
#: assessed cities still have every kind of place, in a fraction of the time.
SMALL_MIN_POPULATION = 15000


def prepare(run: DemoBuild) -> str:
    from cityforum.assessments.seed import prepare_measurement
    from cityforum.cities.models import City
    from cityforum.cities.registry import load_registry
    from cityforum.drafting.seed import load_code_of_conduct
    from cityforum.programme.seed import load_programme

    call_command("migrate", interactive=False, verbosity=0)
    load_programme()
    minimum = SMALL_MIN_POPULATION if run.small else settings.CITYFORUM_MIN_CITY_POPULATION
    load_registry(minimum)
    prepare_measurement(with_roles=True)
    load_code_of_conduct()
    return f"programme, {City.objects.count():,} cities (≥ {minimum:,} people), roles"
