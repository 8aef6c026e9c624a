"""Assessing a city: indicator values with sources, scores through the engine, versions, CSV."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cityforum.assessments import services
from cityforum.assessments.models import Assessment, IndicatorValue
from cityforum.assessments.services import ValueInput
from cityforum.core.models import AuditEvent

from .conftest import profile, values_for

WORKED_ROWS = [
    # resilience.md §2: profile → AM, GM (BRI), GM/AM, band
    ((60, 60, 60, 60, 60), 60, 60.0, 1.000, "balanced"),
    ((70, 65, 60, 55, 50), 60, 59.6, 0.993, "balanced"),
    ((80, 80, 80, 80, 20), 68, 60.6, 0.892, "unbalanced"),
    ((90, 90, 20, 20, 20), 48, 36.5, 0.760, "unbalanced"),
    ((100, 100, 100, 100, 5), 81, 54.9, 0.678, "unbalanced"),
]


@pytest.mark.parametrize(("scores", "level", "bri", "balance", "band"), WORKED_ROWS)
def test_the_worked_rows_come_out_of_indicator_values(
    indicators, organiser, towns, scores, level, bri, balance, band
) -> None:
    a = services.assess_city(towns["Chefchaouen"], 2024, values_for(profile(*scores)), by=organiser)
    assert [round(a.scores[c], 6) for c in profile(*scores)] == pytest.approx(list(scores))
    assert a.level == pytest.approx(level, abs=0.05)
    assert a.bri == pytest.approx(bri, abs=0.05)
    assert a.balance == pytest.approx(balance, abs=0.0005)
    assert a.band == band
    assert a.values.count() == 41 and a.version == 1
    # the Monte Carlo band (weights, floor, goalposts ±10 %, mean) holds the BRI
    assert a.uncertainty["low"] <= a.uncertainty["median"] <= a.uncertainty["high"]
    assert a.uncertainty["low"] - 1 <= a.bri <= a.uncertainty["high"] + 1
    assert AuditEvent.objects.filter(verb="assessment.create", target_id=str(a.pk)).exists()


def test_a_capital_with_too_few_indicators_gets_no_score_and_no_bri(
    indicators, organiser, towns
) -> None:
    values = [v for v in values_for(profile(50, 50, 50, 50, 50)) if v.indicator[0] != "C"]
    values += [ValueInput("C1", 10, "budget"), ValueInput("C3", 40, "survey")]
    a = services.assess_city(towns["Chefchaouen"], 2024, values, by=organiser)
    assert a.scores["cultural"] is None and a.scores["human"] == pytest.approx(50)
    assert a.bri is None and a.band == "" and a.uncertainty == {}


@pytest.mark.parametrize(
    ("value", "unit", "message"),
    [
        (140, "", "H3 = 140 is outside its plausible range 0–100 %"),
        (-3, "", "outside its plausible range"),
        ("45 per 1,000", "", "H3 is measured in “%”, not in “per 1,000”"),
        (45, "/1,000 births", "H3 is measured in “%”"),
        ("many", "", "“many” is not a number"),
    ],
)
def test_a_value_out_of_range_or_in_the_wrong_unit_is_refused_and_nothing_is_written(
    indicators, organiser, towns, value, unit, message
) -> None:
    with pytest.raises(ValidationError) as error:
        services.assess_city(
            towns["Chefchaouen"], 2024, [ValueInput("H3", value, "census", unit=unit)], by=organiser
        )
    assert message in " ".join(error.value.messages)
    assert not Assessment.objects.exists() and not IndicatorValue.objects.exists()


def test_a_value_with_its_own_unit_is_accepted(indicators, organiser, towns) -> None:
    a = services.assess_city(
        towns["Chefchaouen"],
        2024,
        [ValueInput("H3", "45 %", "census"), ValueInput("H1", "20", "DHS", unit="per 1000 births")],
        by=organiser,
    )
    assert sorted(a.values.values_list("value", flat=True)) == [20, 45]


def test_every_problem_is_listed_at_once(indicators, organiser, towns) -> None:
    with pytest.raises(ValidationError) as error:
        services.assess_city(
            towns["Chefchaouen"],
            1800,
            [ValueInput("H3", 140, ""), ValueInput("ZZ", 1, "x"), ValueInput("H4", 5, "x", "sure")],
            by=organiser,
        )
    text = " ".join(error.value.messages)
    for part in ("year", "H3 = 140", "H3 needs a source", "Unknown indicator “ZZ”", "Confidence"):
        assert part in text


def test_a_second_assessment_of_a_year_is_a_new_version_never_an_overwrite(
    indicators, organiser, moderator, towns
) -> None:
    city = towns["Chefchaouen"]
    first = services.assess_city(city, 2024, values_for(profile(60, 60, 60, 60, 60)), by=organiser)
    second = services.assess_city(
        city, 2024, [ValueInput("H3", 90, "new census", "high")], by=moderator
    )
    assert (first.version, second.version) == (1, 2)
    first.refresh_from_db()
    assert first.values.get(indicator__code="H3").value == 60
    assert first.scores["human"] == pytest.approx(60)
    # the new version carries the other values over and changes H3 only
    assert second.values.count() == 41
    assert second.values.get(indicator__code="H3").value == 90
    assert second.scores["human"] == pytest.approx(60 + 30 / 8)
    assert services.current("city", 2024, city=city) == second
    assert Assessment.objects.filter(city=city, year=2024).count() == 2


def test_participants_and_anonymous_people_cannot_assess(indicators, participant, towns) -> None:
    for person in (participant, None):
        with pytest.raises(PermissionDenied):
            services.assess_city(towns["Chefchaouen"], 2024, [ValueInput("H3", 5, "x")], by=person)
    assert not Assessment.objects.exists()


CSV_HEADER = "city,indicator,year,value,source,confidence\n"


def test_a_csv_import_makes_one_version_per_city_and_year(indicators, organiser, towns) -> None:
    text = CSV_HEADER + (
        "2553455,H3,2023,55,census 2023,high\n"
        "2553455,H5,2023,70,utility,medium\n"
        "2553455,H3,2024,58,census 2024,\n"
        "2543549,E1,2024,12,labour survey,low\n"
    )
    report = services.import_values_csv(text, by=organiser)
    assert report.rows == 4 and len(report.assessments) == 3
    a = services.current("city", 2024, city=towns["Chefchaouen"])
    assert a.values.get().confidence == "medium"
    again = services.import_values_csv(
        CSV_HEADER + "2553455,H3,2024,61,census,high\n", by=organiser
    )
    assert again.assessments[0].version == 2


def test_a_csv_with_bad_rows_reports_each_line_and_imports_nothing(
    indicators, organiser, towns
) -> None:
    text = CSV_HEADER + (
        "2553455,H3,2024,55,census,high\n"
        "2553455,H3,2024,140,census,high\n"
        "Chefchaouen,H5,2024,40,census,high\n"
        "2553455,XX,2024,4,census,high\n"
        "2553455,H1,1492,4,census,high\n"
        "2553455,H4,2024,5 /1000,census,high\n"
        "2553455,H6,2024,50,,high\n"
        "2553455,H3,2024,56,census,high\n"
        "12345,H3,2024,50,census,high\n"
    )
    with pytest.raises(ValidationError) as error:
        services.import_values_csv(text, by=organiser)
    messages = error.value.messages
    for line in (3, 4, 5, 6, 7, 8, 9):
        assert any(m.startswith(f"line {line}: ") for m in messages), line
    assert not any(m.startswith("line 2: ") for m in messages)
    assert any("12345" in m for m in messages)
    assert not Assessment.objects.exists() and not IndicatorValue.objects.exists()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("city,indicator,value\n1,H3,4\n", "lacks the column(s) year, source, confidence"),
        (CSV_HEADER, "no rows"),
    ],
)
def test_a_csv_without_its_columns_or_rows_is_refused(
    indicators, organiser, towns, text, message
) -> None:
    with pytest.raises(ValidationError) as error:
        services.import_values_csv(text, by=organiser)
    assert message in " ".join(error.value.messages)


def test_the_export_gives_back_what_was_imported(indicators, organiser, towns) -> None:
    text = CSV_HEADER + "2553455,H3,2024,55,census 2023,high\n2553455,H5,2024,70.5,utility,low\n"
    services.import_values_csv(text, by=organiser)
    exported = services.export_values_csv(services.latest_city_assessments())
    assert exported.replace("\r\n", "\n") == text
