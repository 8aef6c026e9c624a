"""Text handling shared by the engines: language detection (more follows with the synthesis).

Detection is restricted to the forum's languages (French, English, Spanish, Catalan,
Portuguese): fewer candidates make lingua faster and far more accurate on short texts.
"""

from __future__ import annotations

from collections.abc import Sequence
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


#: Characters of a text that language detection reads (the start says enough).
DETECT_CHARS = 1_000


def detect_languages(texts: Sequence[str], min_confidence: float = 0.5) -> list[str | None]:
    """:func:`detect_language` of many texts at once, on all cores (lingua's parallel mode)."""
    short = [t[:DETECT_CHARS] if t else "" for t in texts]
    todo = [i for i, t in enumerate(short) if t.strip()]
    out: list[str | None] = [None] * len(texts)
    if not todo:
        return out
    found = _detector().compute_language_confidence_values_in_parallel([short[i] for i in todo])
    for i, values in zip(todo, found, strict=True):
        if values and values[0].value >= min_confidence:
            out[i] = str(values[0].language.iso_code_639_1.name.lower())
    return out


# --- Normalisation, stop words, stemming and the concept lexicon (synthesis.md §1) ---------

import csv  # noqa: E402
import re  # noqa: E402
import unicodedata  # noqa: E402
from collections import Counter  # noqa: E402
from collections.abc import Iterable  # noqa: E402
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
#: Marks a word kept whole by :func:`stem_exceptions` (``=estar``): it can match no stem.
EXCEPTION_MARK = "="


@cache
def stem_exceptions(language: str) -> frozenset[str]:
    """Words of ``language`` that are not stemmed, accent-folded (``lexicon/stem_exceptions``).

    Snowball reduces some frequent words to the stem of an unrelated concept term (Catalan
    "estar", "estació" and "estiu" all become ``est``, the stem of "estat", *state*); such
    words are kept whole, marked with :data:`EXCEPTION_MARK`, so they match no concept.
    Each line of the file lists words, then ``#`` and the term they were taken for.
    """
    path = LEXICON_DIR / "stem_exceptions" / f"{language}.txt"
    if language not in _SNOWBALL or not path.exists():
        return frozenset()
    found: set[str] = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        found.update(fold_accents(w) for w in line.split("#", 1)[0].split())
    return frozenset(found)


def stem(word: str, language: str) -> str:
    """Snowball stem of a lower-case ``word`` in ``language``, accent-folded.

    Unsupported languages are not stemmed: the word is only folded. Words listed in
    :func:`stem_exceptions` come back whole, after :data:`EXCEPTION_MARK`.
    """
    cache = _STEM_CACHE.get(language)
    if cache is None:
        return fold_accents(word)
    found = cache.get(word)
    if found is None:
        folded = fold_accents(word)
        if folded in stem_exceptions(language):
            found = EXCEPTION_MARK + folded
        else:
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
    codes = [(lang or "").strip().lower() or None for lang in given]
    missing = [i for i, code in enumerate(codes) if code is None]
    if len(missing) > 1:
        for i, found in zip(missing, detect_languages([texts[i] for i in missing]), strict=True):
            codes[i] = found
    elif missing:
        codes[missing[0]] = detect_language(texts[missing[0]][:DETECT_CHARS])
    return [code if code in _SNOWBALL else UNDETERMINED for code in codes]


# --- Batch analysis into sparse counts (the streaming engine behind ``analyse texts``) ------

#: Characters of one text that are analysed; the rest of a longer text is ignored (and counted).
MAX_TEXT_CHARS = 20_000


@dataclass
class _LanguageIndex:
    """Per-language lookup tables of the fast matcher, built once from the lexicon."""

    single: dict[str, str]
    multi: dict[str, list[tuple[tuple[str, ...], str]]]


def _language_indexes(lex: Lexicon) -> dict[str, _LanguageIndex]:
    out = {}
    for language, table in lex.index.items():
        single: dict[str, str] = {}
        multi: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        for key, cid in table.items():
            if len(key) == 1:
                single[key[0]] = cid
            else:
                multi.setdefault(key[0], []).append((key, cid))
        for keys in multi.values():
            keys.sort(key=lambda item: -len(item[0]))
        out[language] = _LanguageIndex(single, multi)
    return out


class FeatureCounter:
    """Turns texts into sparse feature counts, chunk by chunk, with one growing vocabulary.

    The features are exactly those of :func:`analyse` (concepts ``c:<id>``, language-tagged
    stems, ``und:<word>`` for unsupported languages) — tested against it — but every word is
    normalised, stemmed and looked up once per language and then served from a cache, and a
    text becomes feature ids, never strings. Memory grows with the vocabulary and the non-zero
    counts only, so a million texts can stream through it.

    ``counts(texts, languages)`` returns a CSR matrix (texts × current vocabulary);
    ``feature_names_`` grows as new features appear; ``surface(feature)`` is the most frequent
    word written for a stem; ``truncated_`` counts texts longer than ``max_chars``.
    """

    def __init__(self, max_chars: int = MAX_TEXT_CHARS) -> None:
        self.max_chars = max_chars
        self.vocabulary_: dict[str, int] = {}
        self.feature_names_: list[str] = []
        self.truncated_ = 0
        self._lexicon = lexicon()
        self._indexes = _language_indexes(self._lexicon)
        self._words: dict[str, dict[str, tuple[str, ...]]] = {}
        self._word_counts: dict[str, Counter[str]] = {}
        self._stem_ids: dict[str, dict[str, int]] = {}

    def _id(self, feature: str) -> int:
        found = self.vocabulary_.get(feature)
        if found is None:
            found = self.vocabulary_[feature] = len(self.feature_names_)
            self.feature_names_.append(feature)
        return found

    def _word(self, token: str, language: str) -> tuple[str, ...]:
        """The stems (folded words for ``und``) a raw token contributes, as :func:`analyse`."""
        if not any(ch.isalpha() for ch in token):
            return ()
        parts = [p for p in token.replace("_", " ").split() if len(p) > 1]
        if language not in _SNOWBALL:
            return tuple(fold_accents(p) for p in parts)
        stops = stop_words(language)
        return tuple(stem(p, language) for p in parts if fold_accents(p) not in stops)

    def _tokens(self, text: str) -> list[str]:
        if len(text) > self.max_chars:
            self.truncated_ += 1
            text = text[: self.max_chars]
        text = unicodedata.normalize("NFC", text).casefold()
        if "http" in text or "www." in text:
            text = _URL.sub(" ", text)
        text = _MIDDLE_DOT.sub("", text)
        return _WORD.findall(text)

    def feature_ids(self, text: str, language: str) -> list[int]:
        """The feature ids of one text, in order (concepts replace the stems they cover)."""
        cache = self._words.setdefault(language, {})
        tokens = self._tokens(text)
        self._word_counts.setdefault(language, Counter()).update(tokens)
        seq: list[str] = []
        for token in tokens:
            found = cache.get(token)
            if found is None:
                found = cache[token] = self._word(token, language)
            seq.extend(found)
        if language not in _SNOWBALL:
            return [self._id(f"{UNDETERMINED}:{w}") for w in seq]
        stem_ids = self._stem_ids.setdefault(language, {})
        index = self._indexes[language]
        single, multi = index.single, index.multi
        out: list[int] = []
        i, n = 0, len(seq)
        while i < n:
            s = seq[i]
            cid: str | None = None
            size = 1
            for key, candidate in multi.get(s, ()):
                if tuple(seq[i : i + len(key)]) == key:
                    cid, size = candidate, len(key)
                    break
            else:
                cid = single.get(s)
            if cid is not None:
                out.append(self._id(CONCEPT_PREFIX + cid))
            else:
                fid = stem_ids.get(s)
                if fid is None:
                    fid = stem_ids[s] = self._id(f"{language}:{s}")
                out.append(fid)
            i += size
        return out

    def counts(self, texts: Sequence[str], languages: Sequence[str]) -> Any:
        """Sparse counts (``scipy.sparse.csr_matrix``, float32) of ``texts`` × the vocabulary."""
        import numpy as np
        from scipy.sparse import csr_matrix

        if len(texts) != len(languages):
            raise ValueError(f"{len(texts)} texts but {len(languages)} languages")
        indptr = [0]
        columns: list[int] = []
        for text, language in zip(texts, languages, strict=True):
            columns.extend(self.feature_ids(text, language))
            indptr.append(len(columns))
        cols = np.asarray(columns, dtype=np.int32)
        ptr = np.asarray(indptr, dtype=np.int64)
        data = np.ones(cols.size, dtype=np.float32)
        matrix = csr_matrix((data, cols, ptr), shape=(len(texts), len(self.feature_names_)))
        matrix.sum_duplicates()
        return matrix

    def surfaces(self) -> dict[str, str]:
        """Each stem feature's most frequent written word (``ca:habitatg`` → ``habitatge``)."""
        best: dict[str, tuple[int, str]] = {}
        for language, words_of in self._words.items():
            if language not in _SNOWBALL:
                continue
            counts = self._word_counts[language]
            for token, found in words_of.items():
                if len(found) == 1:
                    feature = f"{language}:{found[0]}"
                    count = counts[token]
                    if feature not in best or count > best[feature][0]:
                        best[feature] = (count, token)
        return {feature: word for feature, (_, word) in best.items()}

    def surface(self, feature: str, surfaces: dict[str, str] | None = None) -> str:
        """How a feature is shown: a concept's id, else the most frequent word behind a stem
        (pass :meth:`surfaces` when asking for many features)."""
        language, _, key = feature.partition(":")
        if feature.startswith(CONCEPT_PREFIX) or language == UNDETERMINED:
            return key
        found = (surfaces if surfaces is not None else self.surfaces()).get(feature)
        return found if found is not None else key
