"""The indicator framework: seeded from its file, versioned, edited by organisers only."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cityforum.assessments import services
from cityforum.assessments.models import Assessment, Indicator
from cityforum.assessments.seed import IndicatorDataError, load_indicators
from cityforum.core.models import AuditEvent, DatasetLoad

from .conftest import profile, values_for


def test_init_seeds_the_41_indicators_of_the_framework_in_three_languages(indicators) -> None:
    assert Indicator.objects.count() == 41
    counts = {c: Indicator.objects.filter(capital=c).count() for c in profile(1, 2, 3, 4, 5)}
    assert counts == {"human": 8, "social": 8, "economic": 9, "cultural": 8, "environmental": 8}
    h1 = Indicator.objects.get(code="H1")
    assert (h1.name_fr, h1.name_en, h1.name_es) == (
        "Mortalité des moins de 5 ans",
        "Under-5 mortality",
        "Mortalidad de menores de 5 años",
    )
    assert (h1.direction, h1.kind, h1.worst, h1.best, h1.sdg) == ("-", "linear", 100, 2, "3.2.1")
    assert Indicator.objects.get(code="S4").kind == "log"
    assert all(i.guidance_fr and i.guidance_en and i.guidance_es for i in Indicator.objects.all())


def test_a_second_load_is_a_no_op_and_keeps_organisers_edits(indicators, organiser) -> None:
    services.update_indicator(Indicator.objects.get(code="H2"), by=organiser, best=60)
    stamp = DatasetLoad.objects.get(name="indicators").loaded_at
    assert load_indicators().skipped
    assert DatasetLoad.objects.get(name="indicators").loaded_at == stamp
    assert Indicator.objects.get(code="H2").best == 60


def test_a_file_with_equal_goalposts_is_refused_whole(programme, tmp_path) -> None:
    from cityforum.assessments.seed import DEFAULT_INDICATORS

    text = DEFAULT_INDICATORS.read_text(encoding="utf-8")
    bad = tmp_path / "indicators.toml"
    bad.write_text(text.replace("worst = 100\nbest = 2", "worst = 7\nbest = 7", 1), "utf-8")
    with pytest.raises(IndicatorDataError) as error:
        load_indicators(bad)
    assert "indicator[1]" in str(error.value) and "L and U are both 7" in str(error.value)
    assert not Indicator.objects.exists()


def test_goalposts_with_l_equal_to_u_are_refused_with_a_clear_message(
    indicators, organiser
) -> None:
    h3 = Indicator.objects.get(code="H3")
    with pytest.raises(ValidationError) as error:
        services.update_indicator(h3, by=organiser, worst=50, best=50)
    assert "L and U are both 50" in " ".join(error.value.messages)
    h3.refresh_from_db()
    assert (h3.worst, h3.best, h3.version) == (0, 100, 1)
    assert not AuditEvent.objects.filter(verb="indicator.goalposts").exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"kind": "log", "worst": 0}, "must be positive"),
        ({"kind": "target", "target": 50, "tolerance": 0}, "greater than 0"),
        ({"plausible_min": 10, "plausible_max": 5}, "plausible range"),
        ({"code": "X9"}, "cannot be changed"),
    ],
)
def test_other_unusable_settings_are_refused(indicators, organiser, changes, message) -> None:
    with pytest.raises(ValidationError) as error:
        services.update_indicator(Indicator.objects.get(code="H3"), by=organiser, **changes)
    assert message in " ".join(error.value.messages)
    assert Indicator.objects.get(code="H3").version == 1


def test_only_organisers_edit_the_framework(indicators, moderator, participant) -> None:
    for person in (moderator, participant, None):
        with pytest.raises(PermissionDenied):
            services.update_indicator(Indicator.objects.get(code="H3"), by=person, best=90)
    assert Indicator.objects.get(code="H3").best == 100


def test_changing_goalposts_versions_the_indicator_and_recomputes_past_assessments(
    indicators, organiser, towns
) -> None:
    city = towns["Chefchaouen"]
    old = services.assess_city(city, 2022, values_for(profile(60, 60, 60, 60, 60)), by=organiser)
    assert old.scores["human"] == pytest.approx(60)
    h3 = Indicator.objects.get(code="H3")  # value 60 on [0, 100]
    services.update_indicator(h3, by=organiser, best=80, reason="review round 1")
    h3.refresh_from_db()
    assert h3.version == 2
    old.refresh_from_db()
    # H3 now scores 75 instead of 60: the human mean of 8 indicators moves by 15/8
    assert old.scores["human"] == pytest.approx(60 + 15 / 8)
    assert old.framework["H3"] == 2
    assert old.values.get(indicator=h3).normalised == pytest.approx(75)
    event = AuditEvent.objects.get(verb="indicator.goalposts")
    assert event.actor == organiser and event.reason == "review round 1"
    assert event.data["before"]["best"] == 100 and event.data["after"]["best"] == 80
    recompute = AuditEvent.objects.get(verb="assessment.recompute")
    assert recompute.target_id == str(old.pk)
    assert recompute.data["before"]["bri"] != recompute.data["after"]["bri"]
    assert Assessment.objects.count() == 1


def test_editing_a_name_keeps_the_version(indicators, organiser) -> None:
    services.update_indicator(Indicator.objects.get(code="H3"), by=organiser, name_en="Completion")
    h3 = Indicator.objects.get(code="H3")
    assert (h3.name_en, h3.version) == ("Completion", 1)
