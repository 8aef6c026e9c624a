"""Text handling shared by the engines: language detection (more follows with the synthesis).

Detection is restricted to the forum's languages (French, English, Spanish, Catalan,
Portuguese): fewer candidates make lingua faster and far more accurate on short texts.
"""

from __future__ import annotations

from functools import cache, lru_cache
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


# --- Normalisation, stop words, stemming and the concept lexicon (synthesis.md §1) ---------

import csv  # noqa: E402
import re  # noqa: E402
import unicodedata  # noqa: E402
from collections.abc import Iterable, Sequence  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from pathlib import Path  # noqa: E402

#: Where the reviewed concept lexicon and the stop-word lists live.
LEXICON_DIR = Path(__file__).resolve().parent / "lexicon"
#: Marks a text whose language is unknown or unsupported: kept, never stemmed.
UNDETERMINED = "und"
#: The five capitals a concept can serve.
CAPITAL_NAMES: tuple[str, ...] = ("human", "social", "economic", "cultural", "environmental")
#: Prefix of a concept feature (``c:water``); other features are ``<language>:<stem>``.
CONCEPT_PREFIX = "c:"

_SNOWBALL = {
    "fr": "french",
    "en": "english",
    "es": "spanish",
    "ca": "catalan",
    "pt": "portuguese",
}
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_WORD = re.compile(r"\w+")
_MIDDLE_DOT = re.compile(r"[·•ŀĿ∙]")


class LexiconError(ValueError):
    """The lexicon file is malformed (the message names the row)."""


def fold_accents(text: str) -> str:
    """``text`` case-folded with its accents removed: "Água" → "agua", "Œuvre" → "oeuvre"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return stripped.replace("œ", "oe").replace("æ", "ae").replace("ß", "ss")


def normalise(text: str) -> str:
    """Unicode NFC, lower case, URLs, numbers and punctuation removed, spaces collapsed.

    A number is a word without letters ("2019", "15"); "co2" stays.

    Accents are kept (the stemmers need them); Catalan's "l·l" becomes "ll".
    """
    text = unicodedata.normalize("NFC", text).casefold()
    text = _URL.sub(" ", text)
    text = _MIDDLE_DOT.sub("", text)
    words = [w for w in _WORD.findall(text) if any(ch.isalpha() for ch in w)]
    return " ".join(w.replace("_", " ").strip() for w in words if w.strip("_"))


def words(text: str) -> list[str]:
    """The words of ``text`` after :func:`normalise` (one letter or more; no numbers)."""
    return [w for w in normalise(text).split() if len(w) > 1]


@cache
def stop_words(language: str) -> frozenset[str]:
    """The reviewed stop words of ``language``, accent-folded; empty for unsupported ones."""
    path = LEXICON_DIR / "stopwords" / f"{language}.txt"
    if language not in _SNOWBALL or not path.exists():
        return frozenset()
    lines = path.read_text(encoding="utf-8").split()
    return frozenset(fold_accents(w) for w in lines if w.strip())


@cache
def _stemmer(language: str) -> Any:
    import snowballstemmer

    return snowballstemmer.stemmer(_SNOWBALL[language])


_STEM_CACHE: dict[str, dict[str, str]] = {lang: {} for lang in _SNOWBALL}


def stem(word: str, language: str) -> str:
    """Snowball stem of a lower-case ``word`` in ``language``, accent-folded.

    Unsupported languages are not stemmed: the word is only folded.
    """
    cache = _STEM_CACHE.get(language)
    if cache is None:
        return fold_accents(word)
    found = cache.get(word)
    if found is None:
        found = fold_accents(_stemmer(language).stemWord(word))
        cache[word] = found
    return found


def stems(text: str, language: str) -> list[str]:
    """The stems of ``text``'s words that are not stop words, in order."""
    return [s for s, _ in _stems_with_surfaces(text, language)]


def _stems_with_surfaces(text: str, language: str) -> list[tuple[str, str]]:
    stops = stop_words(language)
    out = []
    for w in words(text):
        folded = fold_accents(w)
        if folded in stops:
            continue
        out.append((stem(w, language), w))
    return out


@dataclass(frozen=True)
class Concept:
    """One row of the lexicon: an id, the capitals it serves and its terms per language."""

    id: str
    capitals: tuple[str, ...]
    terms: dict[str, tuple[str, ...]] = field(hash=False, compare=False)

    def name(self, language: str) -> str:
        """The concept's name in ``language`` (its first term), English when missing."""
        terms = self.terms.get(language) or self.terms["en"]
        return terms[0]


@dataclass
class Lexicon:
    """The concept lexicon with its matching index (stemmed, accent-folded n-grams)."""

    concepts: dict[str, Concept]
    index: dict[str, dict[tuple[str, ...], str]]
    collisions: list[tuple[str, str, str, str]]
    max_ngram: int

    def match(self, stem_seq: Sequence[str], language: str) -> list[tuple[int, int, str]]:
        """Greedy longest matches ``(start, end, concept id)`` of ``stem_seq`` in ``language``."""
        table = self.index.get(language)
        if not table:
            return []
        found = []
        i, n = 0, len(stem_seq)
        while i < n:
            for size in range(min(self.max_ngram, n - i), 0, -1):
                cid = table.get(tuple(stem_seq[i : i + size]))
                if cid is not None:
                    found.append((i, i + size, cid))
                    i += size
                    break
            else:
                i += 1
        return found


def read_lexicon(path: Path) -> Lexicon:
    """Read and index a lexicon TSV; raises :class:`LexiconError` on a malformed row."""
    concepts: dict[str, Concept] = {}
    index: dict[str, dict[tuple[str, ...], str]] = {lang: {} for lang in _SNOWBALL}
    collisions: list[tuple[str, str, str, str]] = []
    max_ngram = 1
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    header, body = rows[0], rows[1:]
    expected = ["id", "capitals", *SUPPORTED_LANGUAGES]
    if header != expected:
        raise LexiconError(f"header must be {expected}, not {header}")
    for line, row in enumerate(body, start=2):
        if len(row) != len(expected):
            raise LexiconError(f"line {line}: {len(row)} columns instead of {len(expected)}")
        cid, caps = row[0].strip(), tuple(c.strip() for c in row[1].split("|") if c.strip())
        if not cid or cid in concepts:
            raise LexiconError(f"line {line}: empty or repeated concept id {cid!r}")
        if not caps or len(caps) > 2 or any(c not in CAPITAL_NAMES for c in caps):
            raise LexiconError(f"line {line}: capitals {row[1]!r} must be 1-2 of {CAPITAL_NAMES}")
        terms = {
            lang: tuple(t.strip() for t in cell.split("|") if t.strip())
            for lang, cell in zip(SUPPORTED_LANGUAGES, row[2:], strict=True)
        }
        for lang in ("fr", "en", "es"):
            if not terms[lang]:
                raise LexiconError(f"line {line}: concept {cid} has no {lang} term")
        concepts[cid] = Concept(cid, caps, terms)
        for lang, lang_terms in terms.items():
            for term in lang_terms:
                key = tuple(stems(term, lang))
                if not key:
                    raise LexiconError(f"line {line}: {lang} term {term!r} is only stop words")
                other = index[lang].get(key)
                if other is not None and other != cid:
                    collisions.append((lang, term, other, cid))
                    continue
                index[lang][key] = cid
                max_ngram = max(max_ngram, len(key))
    return Lexicon(concepts, index, collisions, max_ngram)


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    """The project's reviewed concept lexicon (``analysis/lexicon/concepts.tsv``)."""
    return read_lexicon(LEXICON_DIR / "concepts.tsv")


def concepts_in(text: str, language: str) -> list[str]:
    """The ids of the lexicon concepts named in ``text`` (in order, repeats kept)."""
    return [cid for _, _, cid in lexicon().match(stems(text, language), language)]


def analyse(text: str, language: str | None) -> tuple[list[str], list[str]]:
    """The features of one text and, aligned with them, the surface words they came from.

    Concepts become ``c:<id>``; other words ``<language>:<stem>``; a text in an unsupported
    or unknown language keeps its accent-folded words as ``und:<word>`` (never stemmed).
    """
    if language not in _SNOWBALL:
        folded = [fold_accents(w) for w in words(text)]
        return [f"{UNDETERMINED}:{w}" for w in folded], folded
    assert language is not None
    pairs = _stems_with_surfaces(text, language)
    seq = [s for s, _ in pairs]
    feats: list[str] = []
    surfaces: list[str] = []
    cursor = 0
    for start, end, cid in lexicon().match(seq, language):
        for s, w in pairs[cursor:start]:
            feats.append(f"{language}:{s}")
            surfaces.append(w)
        feats.append(CONCEPT_PREFIX + cid)
        surfaces.append(" ".join(w for _, w in pairs[start:end]))
        cursor = end
    for s, w in pairs[cursor:]:
        feats.append(f"{language}:{s}")
        surfaces.append(w)
    return feats, surfaces


def features(text: str, language: str | None) -> list[str]:
    """The features of ``text`` (concepts and remaining language-tagged stems)."""
    return analyse(text, language)[0]


def resolve_languages(texts: Sequence[str], languages: Iterable[str | None] | None) -> list[str]:
    """Each text's language: the given one when supported, else detected, else ``und``."""
    given = list(languages) if languages is not None else [None] * len(texts)
    if len(given) != len(texts):
        raise ValueError(f"{len(texts)} texts but {len(given)} languages")
    out = []
    for text, lang in zip(texts, given, strict=True):
        code = (lang or "").strip().lower() or None
        if code is None:
            code = detect_language(text)
        out.append(code if code in _SNOWBALL else UNDETERMINED)
    return out
