"""Text handling shared by the engines: language detection (more follows with the synthesis).

Detection is restricted to the forum's languages (French, English, Spanish, Catalan,
Portuguese): fewer candidates make lingua faster and far more accurate on short texts.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

#: The languages the synthesis understands, as ISO 639-1 codes.
SUPPORTED_LANGUAGES: tuple[str, ...] = ("fr", "en", "es", "ca", "pt")


@lru_cache(maxsize=1)
def _detector() -> Any:
    from lingua import Language, LanguageDetectorBuilder

    languages = [
        Language.FRENCH,
        Language.ENGLISH,
        Language.SPANISH,
        Language.CATALAN,
        Language.PORTUGUESE,
    ]
    return (
        LanguageDetectorBuilder.from_languages(*languages).with_preloaded_language_models().build()
    )


def detect_language(text: str, min_confidence: float = 0.5) -> str | None:
    """The ISO 639-1 code of ``text``'s language, or None when it is too unsure to say.

    Returns None for empty text or when the best language's confidence is below
    ``min_confidence`` (short or mixed texts): callers then ask the author.
    """
    if not text or not text.strip():
        return None
    values = _detector().compute_language_confidence_values(text)
    if not values or values[0].value < min_confidence:
        return None
    return str(values[0].language.iso_code_639_1.name.lower())
