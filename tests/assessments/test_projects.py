"""Projects and local agendas: the 0–5 self-assessment, the agenda's profile, steering."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from cityforum.assessments import services
from cityforum.assessments.models import Assessment, SelfAssessment
from cityforum.assessments.services import CapitalInput, ValueInput

from .conftest import all_capitals, profile, values_for


def test_a_project_scores_each_capital_0_to_5_times_20(indicators, organiser) -> None:
    capitals = all_capitals(
        2,
        human=CapitalInput(4, "baseline and endline survey", "high"),
        cultural=CapitalInput(5, "adopted in the 2024 budget"),
    )
    p = services.assess_project("Water kiosks", 2024, capitals, by=organiser, budget="120000")
    assert p.scores == {
        "human": 80,
        "social": 40,
        "economic": 40,
        "cultural": 100,
        "environmental": 40,
    }
    assert (
        p.level == pytest.approx(60)
        and p.bri == pytest.approx(55.19, abs=0.01)
        and p.band == "uneven"
    )
    assert p.self_scores.get(capital="human").confidence == "high"


def test_the_adverse_effect_flag_caps_a_capital_at_1(indicators, organiser) -> None:
    capitals = all_capitals(3, environmental=CapitalInput(4, "jobs", adverse_effect=True))
    p = services.assess_project("Quarry", 2024, capitals, by=organiser)
    assert p.scores["environmental"] == 20
    assert p.self_scores.get(capital="environmental").score == 4
    assert "environmental" in p.flags


@pytest.mark.parametrize(
    ("capitals", "message"),
    [
        ({k: v for k, v in all_capitals(2).items() if k != "social"}, "missing: social"),
        (all_capitals(2, economic=CapitalInput(4, "")), "economic: a score of 4 needs evidence"),
        (all_capitals(2, economic=CapitalInput(3, "   ")), "economic: a score of 3 needs evidence"),
        (all_capitals(2, human=CapitalInput(6, "x")), "human: the score must be a whole number"),
        ({**all_capitals(2), "built": CapitalInput(1)}, "Unknown capital(s): built"),
        (all_capitals(2, human=CapitalInput(1, confidence="total")), "human: confidence"),
    ],
)
def test_an_incomplete_or_unevidenced_self_assessment_is_refused(
    indicators, organiser, capitals, message
) -> None:
    with pytest.raises(ValidationError) as error:
        services.assess_project("Market hall", 2024, capitals, by=organiser)
    assert message in " ".join(error.value.messages)
    assert not Assessment.objects.exists() and not SelfAssessment.objects.exists()


def test_a_project_may_carry_indicator_values_checked_like_a_city(indicators, organiser) -> None:
    with pytest.raises(ValidationError):
        services.assess_project(
            "Clinic", 2024, all_capitals(1), by=organiser, values=[ValueInput("H3", 500, "x")]
        )
    p = services.assess_project(
        "Clinic", 2024, all_capitals(1), by=organiser, values=[ValueInput("H2", 12, "register")]
    )
    assert p.values.get().normalised == pytest.approx(15)


def test_bad_budgets_and_titles_are_refused(indicators, organiser) -> None:
    for title, budget in (("", None), ("Park", "-5"), ("Park", "lots")):
        with pytest.raises(ValidationError):
            services.assess_project(title, 2024, all_capitals(1), by=organiser, budget=budget)
    assert not Assessment.objects.exists()


def test_an_agenda_is_the_budget_weighted_mean_of_its_projects(indicators, organiser) -> None:
    agenda = services.create_agenda("Agenda 2030", 2024, by=organiser)
    services.assess_project("A", 2024, all_capitals(5), by=organiser, agenda=agenda, budget=300)
    services.assess_project("B", 2024, all_capitals(1), by=organiser, agenda=agenda, budget=100)
    agenda.refresh_from_db()
    # (100·300 + 20·100) / 400 = 80 on every capital
    assert agenda.scores == {c: pytest.approx(80) for c in profile(1, 2, 3, 4, 5)}
    assert agenda.band == "balanced"


def test_steering_suggests_the_most_under_served_capital(indicators, organiser, towns) -> None:
    city = towns["Chefchaouen"]
    services.assess_city(city, 2024, values_for(profile(70, 65, 60, 55, 30)), by=organiser)
    agenda = services.create_agenda("Plan local", 2024, by=organiser, city=city)
    services.assess_project(
        "Eco-quarter",
        2024,
        all_capitals(1, environmental=CapitalInput(5, "evaluated")),
        by=organiser,
        agenda=agenda,
    )
    agenda.refresh_from_db()
    advice = services.steering_for(agenda)
    # deficits 30, 35, 40, 45, 70 minus agenda 20, 20, 20, 20, 100: cultural has the largest gap
    assert advice.capital == "cultural"
    assert advice.alignment is not None and 0 < advice.alignment < 1
    city_advice = services.steering_for(services.current("city", 2024, city=city))
    assert city_advice.capital == "environmental"


def test_a_project_cannot_belong_to_another_project(indicators, organiser) -> None:
    p = services.assess_project("A", 2024, all_capitals(1), by=organiser)
    with pytest.raises(ValidationError, match="local agenda"):
        services.assess_project("B", 2024, all_capitals(1), by=organiser, agenda=p)
