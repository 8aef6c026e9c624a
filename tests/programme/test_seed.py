"""The seed programme is the concept note's programme, and a bad file writes nothing."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from pathlib import Path

import pytest

from cityforum.programme.models import Capital, Consultation, Forum, ReferenceDocument, Region
from cityforum.programme.seed import DEFAULT_PROGRAMME, ProgrammeDataError, load_programme
from tests.conftest import SHARED

CONCEPT_NOTE = SHARED / "seed" / "concept-note-fr.md"

THEMATIC = {
    # slug: (date, capitals, words of the note's title, vision, objective)
    "local-democracy": (
        dt.date(2021, 4, 30),
        {"human"},
        "démocratie locale",
        "Citoyens et Gouvernance, comme multiplicateurs de la résilience",
        "Un code de conduite mondial pour la résilience",
    ),
    "places-that-care": (
        dt.date(2021, 5, 3),
        {"economic"},
        "lieux d'entraide",
        "nouveaux modèles de réflexion sur le développement, l'économie et les finances",
        "transformer les paradigmes mondiaux à travers les systèmes de vie",
    ),
    "inequalities": (
        dt.date(2021, 5, 5),
        {"social"},
        "Inégalités",
        "Pour des territoires égaux",
        "Justice territoriale et lutte contre les inégalités dans la nouvelle ère",
    ),
    "ecological-transition": (
        dt.date(2021, 5, 7),
        {"environmental", "cultural"},
        "Transition",
        "Renforcer la culture de l'écologie pour une résilience globale",
        "Continuum rural-urbain",
    ),
}
REGIONS = {"africa", "mewa", "latam", "noram", "aspac", "eurasia"}


def _flat(text: str) -> str:
    """The note's text without typographic variation: quotes, spaces, case, accents.

    The note writes "l'Ecologie" and "au-delà:"; the seed restores French typography
    ("l'écologie", "au-delà :"). The words must be the same.
    """
    text = text.replace("«", "").replace("»", "").replace("\u00a0", " ").replace("*", "")
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = re.sub(r"\s+([:;!?])", r"\1", text)
    return re.sub(r"\s+", " ", text)


def test_the_forum_holds_five_capitals_in_three_languages(programme: None) -> None:
    assert Forum.objects.get().edition == 2
    assert set(Capital.objects.values_list("code", flat=True)) == {
        "human",
        "social",
        "economic",
        "cultural",
        "environmental",
    }
    for capital in Capital.objects.all():
        assert capital.name_fr and capital.name_en and capital.name_es
        assert capital.description_fr and capital.description_en and capital.description_es


@pytest.mark.parametrize("slug", THEMATIC)
def test_each_thematic_consultation_is_the_note_s_own(programme: None, slug: str) -> None:
    date, capitals, title_words, vision, objective = THEMATIC[slug]
    note = _flat(CONCEPT_NOTE.read_text(encoding="utf-8"))
    c = Consultation.objects.get(slug=slug)
    assert c.kind == "thematic" and c.region is None
    assert c.date == date
    assert {k.code for k in c.capitals.all()} == capitals
    assert title_words.lower() in c.title_fr.lower()
    # The French vision and objective are the note's words.
    assert _flat(vision) in _flat(c.vision_fr)
    assert _flat(objective) in _flat(c.objective_fr)
    assert _flat(c.vision_fr) in note and _flat(c.objective_fr) in note
    for field in ("title", "vision", "objective", "expected_output"):
        for language in ("fr", "en", "es"):
            assert getattr(c, f"{field}_{language}"), f"{slug}.{field}_{language} is empty"


def test_the_six_regional_consultations_seek_global_trends_and_regional_specificities(
    programme: None,
) -> None:
    regional = Consultation.objects.filter(kind="regional")
    assert {c.region.code for c in regional} == REGIONS
    for c in regional:
        assert "tendances mondiales communes" in c.objective_fr
        assert "spécificités régionales" in c.objective_fr
        assert "common global trends" in c.objective_en
        assert "especificidades regionales" in c.objective_es


def test_regions_include_europe_and_the_world_as_data(programme: None) -> None:
    assert set(Region.objects.values_list("code", flat=True)) == REGIONS | {"europe", "world"}


def test_the_reference_documents_are_those_the_note_names(programme: None) -> None:
    slugs = set(ReferenceDocument.objects.values_list("slug", flat=True))
    assert slugs == {
        "durban-congress",
        "chefchaouen-declaration",
        "pact-for-the-future",
        "g20-intermediary-cities",
    }
    pact = ReferenceDocument.objects.get(slug="pact-for-the-future")
    assert [c["en"] for c in pact.components] == ["People", "Planet", "Government"]


def test_loading_twice_changes_nothing_and_keeps_an_organiser_s_edits(programme: None) -> None:
    c = Consultation.objects.get(slug="inequalities")
    c.title_en = "Edited by an organiser"
    c.status = "open"
    c.save()
    before = list(Consultation.objects.order_by("pk").values())
    report = load_programme()
    assert report.total == 0
    assert list(Consultation.objects.order_by("pk").values()) == before


def _broken_copy(tmp_path: Path, old: str, new: str) -> Path:
    text = DEFAULT_PROGRAMME.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "programme.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ('capitals = ["social"]', 'capitals = ["financial"]', "unknown capital code 'financial'"),
        ("date = 2021-05-05", "date = 2023-05-05", "outside the forum's period"),
        ("date = 2021-05-05", 'date = "5 May"', "YYYY-MM-DD"),
        ('region = "mewa"', 'region = "oceania"', "unknown region 'oceania'"),
        ('kind = "thematic"', 'kind = "online"', "must be thematic or regional"),
        ('title.fr = "Villes intermédiaires & Inégalités"', 'title.de = "Städte"', "title.fr"),
        (
            '[[capitals]]\ncode = "human"',
            '[[capitals]]\ncode = "social"',
            "exactly the five capitals",
        ),
        ("format = 1", "format = 1\n[broken", "not valid TOML"),
    ],
)
def test_a_malformed_programme_file_names_the_problem_and_writes_nothing(
    db: None, tmp_path: Path, old: str, new: str, expected: str
) -> None:
    path = _broken_copy(tmp_path, old, new)
    with pytest.raises(ProgrammeDataError) as error:
        load_programme(path)
    assert expected in str(error.value)
    assert str(path) in str(error.value)
    assert not Forum.objects.exists()
    assert not Capital.objects.exists()
    assert not Consultation.objects.exists()


def test_a_missing_file_is_reported(db: None, tmp_path: Path) -> None:
    with pytest.raises(ProgrammeDataError, match="does not exist"):
        load_programme(tmp_path / "nope.toml")
