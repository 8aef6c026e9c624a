"""Step ``capital_tags``: the demo moderator confirms the capitals of a sample of
contributions (the capital each source's own category gives), then the demo organiser
trains the capital classifier on them, as moderators and organisers do on the site."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from cityforum.synthesis.capitals.services import confirm_capitals, train_capital_classifier

from .builder import DemoBuild

#: One contribution in this many has its capitals confirmed (at least ``MIN_SAMPLE``).
STRIDE = 6
MIN_SAMPLE = 24


def confirm_sample(run: DemoBuild) -> str:
    from cityforum.participation.models import Contribution

    contributions = list(Contribution.objects.order_by("pk").prefetch_related("capitals"))
    stride = max(1, min(STRIDE, len(contributions) // MIN_SAMPLE))
    sample = contributions[::stride]
    for contribution in sample:
        codes = [c.code for c in contribution.capitals.all()]
        confirm_capitals(contribution, codes, by=run.people["moderator"])
    try:
        train_capital_classifier(by=run.people["organiser"])
        trained = "classifier trained"
    except ValidationError as error:
        trained = "classifier not trained: " + " ".join(error.messages)
    return f"{len(sample)} of {len(contributions)} contributions confirmed; {trained}"
