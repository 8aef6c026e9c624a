"""Suggestions learn from the forum's confirmed lines: the classifier is trained on the consulted
and adopted recommendations (a line an organiser stood behind), blended with the cue lexicon."""

from __future__ import annotations

import pytest

from cityforum.recommendations.models import Line, Recommendation, Status
from cityforum.recommendations.suggestions import confirmed_classifier, suggest

pytestmark = pytest.mark.django_db

#: Words no cue of the lexicon knows: only what was learnt can place them.
ADVOCACY_WORD, FINANCING_WORD = "quorvex", "zanthil"


def confirm(organiser, n: int, *, status: str = Status.CONSULTED) -> None:
    for i in range(n):
        word, line = (ADVOCACY_WORD, Line.ADVOCACY) if i % 2 else (FINANCING_WORD, Line.FINANCING)
        Recommendation.objects.create(
            text=f"The {word} of intermediary cities, case {i}.",
            language="en",
            line=line,
            addressee="global",
            pact_component="people",
            status=status,
            author=organiser,
        )


def test_without_enough_confirmed_lines_only_the_lexicon_speaks(organiser):
    confirm(organiser, 10)
    confirm(organiser, 30, status=Status.DRAFT)  # a draft's line is nobody's confirmation
    assert confirmed_classifier() is None
    assert suggest(f"{ADVOCACY_WORD} {ADVOCACY_WORD}", "en").lines == []


def test_confirmed_lines_teach_the_suggestion_and_it_follows_new_ones(organiser):
    confirm(organiser, 24)
    learnt = suggest(f"The {ADVOCACY_WORD} of our town.", "en")
    assert learnt.line == Line.ADVOCACY
    assert suggest(f"The {FINANCING_WORD} of our town.", "en").line == Line.FINANCING
    first = confirmed_classifier()
    assert first is confirmed_classifier()  # kept between requests while nothing changed
    confirm(organiser, 2)
    assert confirmed_classifier() is not first  # retrained on the new confirmations
