"""The API's field errors speak the request's language, pydantic's included.

Pydantic's messages are English only, and it prefixes our validators' messages with
"Value error, "; ``api.field_messages`` says each kind of error the schemas can raise in
French, English and Spanish.
"""

from __future__ import annotations

from typing import Literal

import pytest
from django.test import Client
from django.utils import translation
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from cityforum.api.field_messages import message
from cityforum.api.inputs import Int

HUGE = "405004292562751619925540864"


class Sample(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=2, max_length=5)
    count: int = Field(ge=1, le=10)
    kind: Literal["city", "project"]
    tags: list[str] = Field(max_length=2)
    big: Int = 0


def errors_of(data: dict) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        Sample.model_validate(data)
    return {".".join(map(str, e["loc"])): message(e) for e in caught.value.errors()}


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "fr",
            {
                "name": "Saisissez au plus 5 caractères.",
                "count": "Saisissez un nombre entier.",
                "kind": "Choisissez parmi : 'city', 'project'.",
                "tags": "Donnez au plus 2 éléments.",
                "big": "Le nombre est trop grand.",
                "extra": "Ce champ n’est pas attendu ici.",
            },
        ),
        (
            "es",
            {
                "name": "Escriba como máximo 5 caracteres.",
                "count": "Introduzca un número entero.",
                "kind": "Elija entre: 'city', 'project'.",
                "tags": "Indique como máximo 2 elementos.",
                "big": "El número es demasiado grande.",
                "extra": "Este campo no se espera aquí.",
            },
        ),
    ],
)
def test_each_kind_of_error_is_said_in_the_language(language: str, expected: dict) -> None:
    with translation.override(language):
        found = errors_of(
            {
                "name": "toolong",
                "count": "x",
                "kind": "z",
                "tags": ["a", "b", "c"],
                "big": int(HUGE),
                "extra": 1,
            }
        )
    assert found == expected


def test_missing_fields_and_bounds_are_said_too() -> None:
    with translation.override("en"):
        assert errors_of({"count": 0, "kind": "city", "tags": []}) == {
            "name": "This field is required.",
            "count": "Enter a number of at least 1.",
        }
        assert errors_of({"name": "a", "count": 11, "kind": "city", "tags": []}) == {
            "name": "Enter at least 2 characters.",
            "count": "Enter a number of at most 10.",
        }


@pytest.mark.django_db
def test_a_french_request_gets_french_field_errors_without_pydantic_prefix() -> None:
    client = Client(headers={"Accept-Language": "fr"})
    for query, text in (
        (f"city={HUGE}", "Le nombre est trop grand."),
        ("city=abc", "Saisissez un nombre entier."),
    ):
        problem = client.get(f"/api/v1/assessments?{query}").json()
        assert problem["status"] == 422
        assert problem["errors"] == [{"field": "city", "message": text}]
        assert "Value error" not in problem["detail"] and text in problem["detail"]
