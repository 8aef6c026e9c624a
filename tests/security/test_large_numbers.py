"""A number too large to be the id of anything is the person's mistake, never a server error.

Both databases hold 64-bit integers; a larger one fails in the driver (SQLite's
``OverflowError``, PostgreSQL's "value out of range") unless the code refuses it first.
Django guards its own integer lookups but not ``in`` nor a foreign key's ``_id``: the API
fuzzing found ``GET /api/v1/assessments?city=<27 digits>`` answering 500.
"""

from __future__ import annotations

import pytest
from django.db import DataError, connection, transaction
from django.test import Client

from cityforum.assessments.models import Assessment
from cityforum.core.numbers import INT64_MAX, fits_int64, out_of_range, parse_id

from .conftest import Forum

HUGE = "405004292562751619925540864"


def test_a_64_bit_integer_fits_and_one_more_does_not() -> None:
    assert fits_int64(INT64_MAX) and fits_int64(-INT64_MAX - 1)
    assert not fits_int64(INT64_MAX + 1) and not fits_int64(-INT64_MAX - 2)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("42", 42),
        (" 7 ", 7),
        (str(INT64_MAX), INT64_MAX),
        (str(INT64_MAX + 1), None),
        (HUGE, None),
        ("0", None),
        ("-3", None),
        ("4.2", None),
        ("", None),
        ("٣", None),
    ],
)
def test_an_id_is_a_positive_64_bit_whole_number(text: str, expected: int | None) -> None:
    assert parse_id(text) == expected


@pytest.mark.django_db
def test_the_database_refusing_a_huge_number_is_recognised_as_out_of_range() -> None:
    """The last guard knows the real error of either driver when it sees one."""
    with (
        pytest.raises((OverflowError, DataError)) as caught,
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("SELECT CAST(%s AS BIGINT)", [int(HUGE)])
    assert out_of_range(caught.value)
    assert not out_of_range(ValueError("something else"))


def test_the_api_refuses_a_huge_id_in_a_filter_as_invalid_input(forum: Forum) -> None:
    client = Client()
    for query in (f"city={HUGE}", f"year={HUGE}", f"city=-{HUGE}"):
        response = client.get(f"/api/v1/assessments?{query}")
        assert response.status_code == 422, (query, response.content)
        assert response["Content-Type"] == "application/problem+json"
    # A number that fits but names nothing is simply no match.
    response = client.get(f"/api/v1/assessments?city={INT64_MAX}")
    assert response.status_code == 200 and response.json()["count"] == 0


def test_the_api_refuses_a_huge_number_in_a_body_and_writes_nothing(forum: Forum) -> None:
    before = Assessment.objects.count()
    response = Client().post(
        "/api/v1/assessments",
        {"kind": "city", "year": int(HUGE), "city": forum.city.pk},
        content_type="application/json",
        headers={"Accept-Language": "fr"},
        **forum.auth("organiser"),
    )
    assert response.status_code == 422, response.content
    assert "year" in response.content.decode()
    assert Assessment.objects.count() == before


def test_the_city_comparison_names_a_huge_id_as_no_geonames_id(forum: Forum) -> None:
    response = Client().get(f"/en/cities/compare/?city={HUGE}&city={forum.city.pk}")
    assert response.status_code == 400
    assert f"“{HUGE}” is not a GeoNames id." in response.content.decode()


def test_the_site_takes_huge_numbers_in_addresses_without_failing(forum: Forum) -> None:
    client = Client()
    client.force_login(forum.people["organiser"])
    expected = {
        f"/en/cities/{HUGE}/": 404,
        f"/en/cities/?q=a&page={HUGE}": 200,
        f"/en/cities/sections/africa/?min_population={HUGE}&max_population={HUGE}": 200,
        f"/en/assessments/projects/new/?agenda={HUGE}": 200,
    }
    for url, status in expected.items():
        assert client.get(url).status_code == status, url
