"""The themes synthesis in the platform: computed over the visible contributions of every
consultation (each contribution's region as its region), reused when nothing changed, approved by
an organiser before anyone else sees it."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cityforum.core.models import AuditEvent
from cityforum.participation.models import Contribution, Visibility
from cityforum.people.models import User
from cityforum.programme.models import Consultation
from cityforum.synthesis.models import ThemeRun
from cityforum.synthesis.themes.services import (
    MIN_CONTRIBUTIONS,
    approve_themes,
    latest_approved,
    run_themes,
)

PASSWORD = "a-long-pass-phrase"

#: Per language and topic, sentences people could write; water, housing and mobility are said
#: everywhere, tourism only in Latin America (the planted regional specificity).
SENTENCES: dict[str, dict[str, list[str]]] = {
    "fr": {
        "water": [
            "L'eau potable doit arriver dans chaque quartier.",
            "Les coupures d'eau touchent les familles pauvres.",
            "Une régie publique de l'eau et l'accès à l'eau pour tous.",
            "Récupérer l'eau de pluie pour l'irrigation des jardins.",
        ],
        "housing": [
            "Le logement social manque dans notre ville.",
            "Les loyers des logements sont trop chers pour les jeunes.",
            "Rénover l'habitat ancien et construire des logements.",
            "Un logement digne pour chaque famille.",
        ],
        "mobility": [
            "Plus de bus et de transports en commun vers la périphérie.",
            "La mobilité des habitants dépend du tramway.",
            "Un réseau cyclable et des transports en commun fréquents.",
            "Les déplacements quotidiens en bus sont trop longs.",
        ],
    },
    "es": {
        "water": [
            "El agua potable debe llegar a todos los barrios.",
            "Los cortes de agua afectan a las familias pobres.",
            "Agua pública y derecho al agua para todos.",
            "Aprovechar el agua de lluvia para el riego.",
        ],
        "housing": [
            "Falta vivienda social en nuestra ciudad.",
            "Los alquileres de las viviendas son demasiado caros.",
            "Rehabilitar las viviendas antiguas y construir vivienda.",
            "Una vivienda digna para cada hogar.",
        ],
        "mobility": [
            "Más autobuses y transporte público hacia la periferia.",
            "La movilidad de los vecinos depende del metro.",
            "Una red ciclable y transporte público frecuente.",
            "Los desplazamientos diarios en autobús son largos.",
        ],
        "tourism": [
            "El turismo masivo expulsa a los vecinos del centro.",
            "Los pisos turísticos y airbnb suben los precios.",
            "Limitar los hoteles y el turismo en el casco antiguo.",
            "Los turistas llenan las calles y el turismo crece sin control.",
        ],
    },
    "ca": {
        "water": [
            "L'aigua potable ha d'arribar a tots els barris.",
            "Els talls d'aigua afecten les famílies pobres.",
            "Aigua pública i dret a l'aigua per a tothom.",
            "Aprofitar l'aigua de pluja per al reg dels horts.",
        ],
        "housing": [
            "Falta habitatge social a la nostra ciutat.",
            "Els lloguers dels habitatges són massa cars.",
            "Rehabilitar els habitatges antics i construir habitatge.",
            "Un habitatge digne per a cada llar.",
        ],
        "mobility": [
            "Més autobusos i transport públic cap a la perifèria.",
            "La mobilitat dels veïns depèn del metro.",
            "Una xarxa ciclable i transport públic freqüent.",
            "Els desplaçaments diaris en autobús són llargs.",
        ],
    },
}

#: Consultation slug → (languages used, topics, contributions per topic).
REGIONS = {
    "regional-africa": (["fr"], ["water", "housing", "mobility"], 6),
    "regional-latam": (["es"], ["water", "housing", "mobility", "tourism"], 6),
    "regional-aspac": (["ca", "fr"], ["water", "housing", "mobility"], 6),
}
TOURISM_REGION = "latam"


def _text(language: str, topic: str, n: int) -> str:
    own = SENTENCES[language][topic]
    return " ".join(own[(n + k) % len(own)] for k in range(3))


@pytest.fixture
def corpus(programme: None) -> dict[str, Any]:
    """60 visible contributions in French, Spanish and Catalan from three regions, and one hidden
    contribution (never read)."""
    author = User.objects.create_user("author@example.org", PASSWORD, role="participant")
    made = []
    for slug, (languages, topics, per_topic) in REGIONS.items():
        consultation = Consultation.objects.select_related("region").get(slug=slug)
        cycle = itertools.cycle(languages)
        for topic in topics:
            for n in range(per_topic):
                language = next(cycle)
                made.append(
                    Contribution(
                        consultation=consultation,
                        author=author,
                        region=consultation.region,
                        type="proposal",
                        title=SENTENCES[language][topic][n % 4][:60],
                        body=_text(language, topic, n),
                        language=language,
                    )
                )
    made.append(
        Contribution(
            consultation=Consultation.objects.get(slug="regional-africa"),
            author=author,
            type="proposal",
            title="Hidden",
            body="Spam spam spam.",
            language="fr",
            status=Visibility.HIDDEN,
        )
    )
    Contribution.objects.bulk_create(made)
    return {"author": author, "n": len(made) - 1}


@pytest.fixture
def run(corpus: dict[str, Any], organiser: User) -> ThemeRun:
    return run_themes(None, by=organiser, n_themes=4)


def _theme_with(run: ThemeRun, concept: str) -> dict[str, Any]:
    return next(t for t in run.result["themes"] if f"c:{concept}" in t["terms"][:3])


def test_a_run_stores_the_themes_of_the_visible_contributions(
    run: ThemeRun, corpus: dict[str, Any], organiser: User
) -> None:
    assert run.status == ThemeRun.Status.DONE
    assert run.n_contributions == corpus["n"]
    assert run.consultation is None
    assert run.parameters["n_themes"] == 4 and run.seed == 0
    assert len(run.input_sha256) == 64 and "scikit-learn" in run.engine_version
    assert run.requested_by == organiser and run.finished_at is not None
    assert run.approved_at is None
    themes = run.result["themes"]
    assert len(themes) == 4
    hidden = Contribution.objects.get(status=Visibility.HIDDEN).pk
    water = _theme_with(run, "water")
    assert set(water["labels"]) == {"fr", "en", "es"}
    assert "water" in water["labels"]["en"].lower() and "agua" in water["labels"]["es"].lower()
    assert water["size"] == len(water["contributions"]) >= 15
    assert hidden not in water["contributions"]
    languages = {q["language"] for q in water["quotes"]}
    assert languages >= {"fr", "es", "ca"}  # quotes in their original languages
    for quote in water["quotes"]:
        original = Contribution.objects.get(pk=quote["contribution"])
        assert quote["text"] == f"{original.title}\n{original.body}"[: len(quote["text"])]
        assert original.language == quote["language"]
    assert set(run.result["regions"]) == {"africa", "latam", "aspac"}
    assert AuditEvent.objects.filter(verb="synthesis.themes_run", target_id=str(run.pk)).exists()


def test_a_topic_said_everywhere_is_a_global_trend(run: ThemeRun) -> None:
    water = _theme_with(run, "water")
    trend = next(t for t in run.result["trends"] if t["theme"] == water["id"])
    assert trend["is_global"]
    assert sorted(trend["regions_present"]) == ["africa", "aspac", "latam"]
    assert trend["regions_total"] == 3 and trend["evenness"] > 0.8
    assert set(trend["contributions"]) == set(water["contributions"])


def test_a_topic_said_in_one_region_is_among_its_specificities(run: ThemeRun) -> None:
    tourism = _theme_with(run, "tourism")
    specific = [s for s in run.result["specificities"] if s["region"] == TOURISM_REGION]
    assert any(s["kind"] == "concept" and s["key"] == "c:tourism" for s in specific)
    theme = next(s for s in specific if s["kind"] == "theme" and s["key"] == str(tourism["id"]))
    assert theme["z"] > 1.96 and theme["count"] >= 5 and theme["count_rest"] == 0
    assert theme["labels"] == tourism["labels"]
    latam = set(Contribution.objects.filter(region__code="latam").values_list("pk", flat=True))
    assert set(theme["contributions"]) <= latam
    trend = next(t for t in run.result["trends"] if t["theme"] == tourism["id"])
    assert not trend["is_global"] and sorted(trend["regions_absent"]) == ["africa", "aspac"]


def test_a_rerun_on_unchanged_contributions_reuses_the_run(
    run: ThemeRun, corpus: dict[str, Any], organiser: User
) -> None:
    assert run_themes(None, by=organiser, n_themes=4) == run
    assert run_themes(None, by=None, n_themes=4, seed=0) == run
    assert ThemeRun.objects.count() == 1
    other = run_themes(None, by=organiser, n_themes=4, seed=1)
    assert other != run and ThemeRun.objects.count() == 2
    Contribution.objects.filter(region__code="latam").first().delete()
    changed = run_themes(None, by=organiser, n_themes=4)
    assert changed.input_sha256 != run.input_sha256 and ThemeRun.objects.count() == 3


def test_a_hidden_contribution_changes_the_input(run: ThemeRun, organiser: User) -> None:
    Contribution.objects.filter(region__code="africa").update(status=Visibility.HIDDEN)
    again = run_themes(None, by=organiser, n_themes=4)
    assert again != run and again.n_contributions == run.n_contributions - 18
    assert set(again.result["regions"]) == {"latam", "aspac"}


def test_one_consultation_can_be_the_scope(corpus: dict[str, Any], organiser: User) -> None:
    latam = Consultation.objects.get(slug="regional-latam")
    run = run_themes(latam, by=organiser, n_themes=3)
    assert run.consultation == latam and run.n_contributions == 24
    assert run.result["specificities"] == []  # one region: nothing to compare


def test_too_few_contributions_is_said_and_nothing_is_stored(
    programme: None, organiser: User
) -> None:
    with pytest.raises(ValidationError) as error:
        run_themes(None, by=organiser)
    assert f"at least {MIN_CONTRIBUTIONS} visible contributions; there are 0" in str(error.value)
    assert not ThemeRun.objects.exists()
    assert not AuditEvent.objects.filter(verb="synthesis.themes_run").exists()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"n_themes": 1}, "number of themes is a whole number from 2 to 30"),
        ({"n_themes": "four"}, "number of themes is a whole number from 2 to 30"),
        ({"seed": -1}, "seed is a whole number"),
    ],
)
def test_bad_parameters_are_refused(
    corpus: dict[str, Any], organiser: User, options: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        run_themes(None, by=organiser, **options)
    assert not ThemeRun.objects.exists()


@pytest.mark.parametrize("role", ["participant", "moderator"])
def test_only_organisers_compute_the_themes(corpus: dict[str, Any], role: str) -> None:
    person = User.objects.create_user(f"{role}@example.org", PASSWORD, role=role)
    with pytest.raises(PermissionDenied):
        run_themes(None, by=person)
    assert not ThemeRun.objects.exists()


def test_an_organiser_approves_a_run_which_becomes_public(run: ThemeRun, organiser: User) -> None:
    assert latest_approved() is None
    approve_themes(run, by=organiser)
    run.refresh_from_db()
    assert run.approved_by == organiser and run.approved_at is not None
    assert latest_approved() == run
    event = AuditEvent.objects.get(verb="synthesis.themes_approve")
    assert event.actor == organiser and event.target_id == str(run.pk)
    with pytest.raises(ValidationError, match="already approved"):
        approve_themes(run, by=organiser)


@pytest.mark.parametrize("role", ["participant", "moderator"])
def test_only_an_organiser_approves(run: ThemeRun, role: str) -> None:
    person = User.objects.create_user(f"{role}@example.org", PASSWORD, role=role)
    with pytest.raises(PermissionDenied):
        approve_themes(run, by=person)
    run.refresh_from_db()
    assert run.approved_at is None and latest_approved() is None
    assert not AuditEvent.objects.filter(verb="synthesis.themes_approve").exists()
