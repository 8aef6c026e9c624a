"""Load the starting draft of the Code of Conduct for Resilience (``data/code_of_conduct.toml``).

Idempotent: a document that already exists is left as it is (it may have been amended).
The whole file is validated before anything is written, so a broken file leaves the
database untouched and names every problem.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from cityforum.core.languages import CONTENT_LANGUAGES
from cityforum.programme.models import Consultation

from .models import MAX_ARTICLE_LENGTH, Article, Document
from .services import make_version

DEFAULT_CODE = Path(__file__).resolve().parent / "data" / "code_of_conduct.toml"

#: The starting draft has a preamble and at least this many articles (issue 6).
MIN_ARTICLES = 8


def validate(data: dict[str, Any], name: str) -> list[str]:
    """Every problem of a parsed draft file, as sentences naming the article; [] if none."""
    problems = []
    source = data.get("source_language", "fr")
    if source not in CONTENT_LANGUAGES:
        problems.append(f"{name}: unknown source language “{source}”.")
        return problems
    for key in ("slug", "consultation", f"title_{source}", f"preamble_{source}"):
        if not str(data.get(key, "")).strip():
            problems.append(f"{name}: “{key}” is missing or empty.")
    articles = data.get("articles", [])
    if len(articles) < MIN_ARTICLES:
        problems.append(
            f"{name}: a starting draft has at least {MIN_ARTICLES} articles; "
            f"this one has {len(articles)}."
        )
    for number, article in enumerate(articles, 1):
        if not str(article.get(f"text_{source}", "")).strip():
            problems.append(f"{name}: article {number} has no source text.")
        for code in CONTENT_LANGUAGES:
            if len(str(article.get(f"text_{code}", ""))) > MAX_ARTICLE_LENGTH:
                problems.append(
                    f"{name}: article {number} ({code}) is longer than "
                    f"{MAX_ARTICLE_LENGTH} characters."
                )
    return problems


@transaction.atomic
def load_code_of_conduct(path: Path = DEFAULT_CODE) -> Document:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    problems = validate(data, path.name)
    if problems:
        raise ValidationError(problems)
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
        source_language=source,
        starting_draft=True,
        **{f"title_{code}": data.get(f"title_{code}", "").strip() for code in CONTENT_LANGUAGES},
        **{
            f"preamble_{code}": data.get(f"preamble_{code}", "").strip()
            for code in CONTENT_LANGUAGES
        },
    )
    for number, article in enumerate(data["articles"], 1):
        texts = {code: str(article.get(f"text_{code}", "")).strip() for code in CONTENT_LANGUAGES}
        Article.objects.create(
            document=document,
            number=number,
            order=number,
            source_language=source,
            **{f"text_{code}": text for code, text in texts.items()},
            **{f"revision_{code}": 1 if text else 0 for code, text in texts.items()},
        )
    make_version(document, note="Starting draft")
    return document
