"""The starting draft seeded by ``cityforum init``: a preamble and at least eight articles
drawn from the concept note's principles, in French (source), English and Spanish."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from cityforum.drafting.models import Article, Document, Version
from cityforum.drafting.seed import DEFAULT_CODE, load_code_of_conduct

#: One expression per principle of the issue, as the French source says it.
PRINCIPLES = {
    "citizens and local government as multipliers": "multiplicateurs de la résilience",
    "the five capitals in balance": "cinq capitaux de la Résilience",
    "care and mutual aid": "entraide",
    "equal territories and territorial justice": "justice territoriale",
    "the ecological transition and the rural-urban continuum": "entre l'urbain et le rural",
    "local culture": "culture de la vie locale",
    "transparency and accountability": "demander compte",
    "a planet left liveable for future generations": "générations futures",
}


def test_the_starting_draft_has_a_preamble_and_the_eight_principles(document: Document) -> None:
    articles = list(document.articles.order_by("number"))
    assert len(articles) >= 8
    assert document.starting_draft
    for code in ("fr", "en", "es"):
        assert len(getattr(document, f"preamble_{code}")) > 200
        assert all(a.text_in(code) for a in articles)
        assert all(a.translation_status(code) in ("source", "current") for a in articles)
    french = " ".join(a.text_fr for a in articles)
    missing = [name for name, words in PRINCIPLES.items() if words not in french]
    assert missing == []
    assert "Pacte pour le Futur" in document.preamble_fr


def test_the_first_version_holds_the_preamble(document: Document) -> None:
    version = Version.objects.get(document=document)
    assert version.snapshot["preamble"]["es"] == document.preamble_es
    assert len(version.snapshot["articles"]) == document.articles.count()


def test_the_document_page_shows_the_preamble(document: Document, client) -> None:
    html = client.get(f"/es/drafting/{document.slug}/").content.decode()
    assert document.preamble_es.splitlines()[0][:60] in html


def _broken(tmp_path: Path, old: str, new: str, count: int) -> Path:
    text = DEFAULT_CODE.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "code.toml"
    path.write_text(text.replace(old, new, count), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "count", "message"),
    [
        ('preamble_fr = """', 'preamble_xx = """', 1, "preamble_fr"),
        ('text_fr = "Les citoyens', 'text_xx = "Les citoyens', 1, "article 1 has no source text"),
        ("[[articles]]", "[[skipped]]", 2, "at least 8 articles; this one has 7"),
    ],
)
def test_a_broken_draft_file_is_refused_before_anything_is_written(
    programme: None, tmp_path: Path, old: str, new: str, count: int, message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        load_code_of_conduct(_broken(tmp_path, old, new, count))
    assert not Document.objects.exists()
    assert not Article.objects.exists()
