"""The programme's models keep their own rules, whatever writes to them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from cityforum.core.languages import all_languages
from cityforum.programme.models import Capital, Consultation, Forum, Region


def test_content_is_read_in_the_active_language_and_falls_back_to_french(programme: None) -> None:
    capital = Capital.objects.get(code="human")
    with translation.override("es"):
        assert capital.name == "Capital humano"
    with translation.override("en"):
        assert capital.name == "Human capital"
    capital.name_es = ""
    with translation.override("es"):
        assert capital.name == "Capital humain"  # the French source
    assert all_languages(capital, "name") == {
        "fr": "Capital humain",
        "en": "Human capital",
        "es": "Capital humain",
    }


def test_a_consultation_dated_outside_its_forum_is_refused_with_the_dates_named(
    programme: None,
) -> None:
    consultation = Consultation.objects.get(slug="inequalities")
    consultation.date = dt.date(2022, 1, 15)
    with pytest.raises(ValidationError) as error:
        consultation.full_clean()
    message = " ".join(error.value.message_dict["date"])
    assert "2022-01-15" in message and "2021-04-01" in message and "2021-10-31" in message


def test_a_regional_consultation_needs_a_region_and_a_thematic_one_has_none(
    programme: None,
) -> None:
    forum = Forum.objects.get()
    regional = Consultation(forum=forum, slug="x", kind="regional", title_fr="X")
    with pytest.raises(ValidationError) as error:
        regional.full_clean()
    assert "region" in error.value.message_dict
    thematic = Consultation(
        forum=forum,
        slug="y",
        kind="thematic",
        title_fr="Y",
        region=Region.objects.get(code="africa"),
    )
    with pytest.raises(ValidationError):
        thematic.full_clean()
    # The database refuses it too, whatever bypasses full_clean().
    with pytest.raises(IntegrityError), transaction.atomic():
        regional.save()


def test_a_forum_cannot_end_before_it_starts(db: None) -> None:
    forum = Forum(
        slug="f",
        edition=3,
        name_fr="F",
        host="h",
        starts_on=dt.date(2021, 5, 1),
        ends_on=dt.date(2021, 4, 1),
    )
    with pytest.raises(ValidationError):
        forum.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        forum.save()


def test_an_unknown_capital_code_is_refused(db: None) -> None:
    capital = Capital(code="financial", name_fr="Capital financier")
    with pytest.raises(ValidationError) as error:
        capital.full_clean()
    assert "code" in error.value.message_dict
