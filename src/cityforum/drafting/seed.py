"""Load the starting draft of the Code of Conduct for Resilience (``data/code_of_conduct.toml``).

Idempotent: a document that already exists is left as it is (it may have been amended).
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction

from cityforum.programme.models import Consultation

from .models import Article, Document
from .services import make_version

DEFAULT_CODE = Path(__file__).resolve().parent / "data" / "code_of_conduct.toml"


@transaction.atomic
def load_code_of_conduct(path: Path = DEFAULT_CODE) -> Document:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    existing = Document.objects.filter(slug=data["slug"]).first()
    if existing is not None:
        return existing
    consultation = Consultation.objects.filter(slug=data["consultation"]).first()
    if consultation is None:
        raise ValidationError(
            f"{path.name}: no consultation “{data['consultation']}”; load the programme first."
        )
    source = data.get("source_language", "fr")
    document = Document.objects.create(
        consultation=consultation,
        slug=data["slug"],
        title_fr=data["title_fr"],
        title_en=data.get("title_en", ""),
        title_es=data.get("title_es", ""),
        source_language=source,
        starting_draft=True,
    )
    for number, article in enumerate(data["articles"], 1):
        if not article.get(f"text_{source}"):
            raise ValidationError(f"{path.name}: article {number} has no source text.")
        Article.objects.create(
            document=document,
            number=number,
            order=number,
            source_language=source,
            **{f"text_{code}": article.get(f"text_{code}", "") for code in ("fr", "en", "es")},
            **{
                f"revision_{code}": 1 if article.get(f"text_{code}") else 0
                for code in ("fr", "en", "es")
            },
        )
    make_version(document, note="Starting draft")
    return document
