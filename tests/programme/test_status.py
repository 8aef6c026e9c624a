"""A consultation moves planned → open → closed → synthesised → published, one step at a time."""

from __future__ import annotations

import itertools

import pytest

from cityforum.programme import services
from cityforum.programme.models import ALLOWED_TRANSITIONS, Consultation, Status, StatusChange

ORDER = [Status.PLANNED, Status.OPEN, Status.CLOSED, Status.SYNTHESISED, Status.PUBLISHED]


@pytest.fixture
def consultation(programme: None) -> Consultation:
    return Consultation.objects.get(slug="local-democracy")


def test_the_allowed_moves_are_exactly_one_step_forward() -> None:
    for current, target in itertools.product(ORDER, ORDER):
        expected = ORDER.index(target) == ORDER.index(current) + 1
        assert (target in ALLOWED_TRANSITIONS[current]) is expected, (current, target)


def test_a_consultation_walks_the_whole_lifecycle_and_each_step_is_logged(
    consultation: Consultation, django_user_model: type
) -> None:
    organiser = django_user_model.objects.create_user(
        "org@example.org", "a-long-pass-phrase", role="organiser"
    )
    for target in ORDER[1:]:
        services.change_status(consultation, target, by=organiser, note=f"to {target}")
    consultation.refresh_from_db()
    assert consultation.status == Status.PUBLISHED
    log = list(StatusChange.objects.filter(consultation=consultation))
    assert [(c.from_status, c.to_status) for c in log] == list(zip(ORDER, ORDER[1:], strict=False))
    assert {c.changed_by for c in log} == {organiser}


@pytest.mark.parametrize(
    ("start", "target"),
    [
        (Status.PLANNED, Status.CLOSED),
        (Status.PLANNED, Status.PUBLISHED),
        (Status.OPEN, Status.PLANNED),
        (Status.CLOSED, Status.OPEN),
        (Status.PUBLISHED, Status.PLANNED),
        (Status.OPEN, Status.OPEN),
    ],
)
def test_a_move_that_skips_or_goes_back_is_refused_and_nothing_is_written(
    consultation: Consultation, start: str, target: str
) -> None:
    Consultation.objects.filter(pk=consultation.pk).update(status=start)
    consultation.refresh_from_db()
    with pytest.raises(services.TransitionNotAllowed) as error:
        services.change_status(consultation, target)
    message = " ".join(error.value.messages)
    assert str(Status(start).label) in message and str(Status(target).label) in message
    consultation.refresh_from_db()
    assert consultation.status == start
    assert not StatusChange.objects.exists()


def test_an_unknown_status_is_named_in_the_error(consultation: Consultation) -> None:
    with pytest.raises(services.TransitionNotAllowed, match="archived"):
        services.change_status(consultation, "archived")
    assert not StatusChange.objects.exists()


def test_the_refusal_speaks_the_language_of_the_person(consultation: Consultation) -> None:
    from django.utils import translation

    with translation.override("fr"), pytest.raises(services.TransitionNotAllowed) as error:
        services.change_status(consultation, Status.PUBLISHED)
    assert "ne peut pas devenir" in " ".join(error.value.messages)
