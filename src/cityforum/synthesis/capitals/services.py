"""Capital tags in the platform (synthesis.md §5): suggest, confirm, profile, train.

- :func:`suggest_for_text`: the capitals a text being written speaks of, from the lexicon and,
  once one is trained, the classifier; suggested, never imposed.
- :func:`confirm_capitals`: a moderator or organiser confirms or corrects a contribution's
  capitals; every confirmation is kept (:class:`~.models.CapitalTag`).
- :func:`capitals_profile`: how many contributions of a consultation (or of all) speak of each
  capital, and which capitals are under-represented.
- :func:`train_capital_classifier`: fit the classifier of :mod:`cityforum.analysis.capitals`
  on the confirmed tags, measure it by cross-validation against the lexicon, store it.
"""

from __future__ import annotations

import hashlib
import io
import json
import pickle
import types
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import rules
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext as _

from cityforum.analysis.capitals import (
    CAPITALS,
    CapitalClassifier,
    blend_scores,
    capital_scores,
    suggest_capitals,
)
from cityforum.analysis.text import SUPPORTED_LANGUAGES
from cityforum.core.audit import record
from cityforum.participation.models import MAX_CAPITALS, Contribution, Visibility
from cityforum.programme.models import Consultation
from cityforum.synthesis.provenance import engine_version

from . import rules as _rules  # noqa: F401  (registers the named rules)
from .models import CapitalClassifierModel, CapitalTag

#: A capital is under-represented below this fraction of an even share of the tags (1/5):
#: under 10 % of the tags.
UNDER_FRACTION = 0.5
#: Under-representation is judged from this many tagged contributions on.
MIN_PROFILE = 10
#: The classifier is trained from this many contributions with a confirmed tag on.
MIN_TRAINING = 20
#: The blend weights tried by cross-validation; the best one is kept.
WEIGHTS = (0.25, 0.5, 0.75)
#: Fewer words than this give no suggestion.
MIN_WORDS = 3


# --- effective tags and the profile ---------------------------------------------------------


def confirmed_tags(contributions: Any = None) -> dict[int, CapitalTag]:
    """Each contribution's latest confirmed tag; ``contributions``: ids or a queryset to limit
    them to (``None``: every contribution that has one)."""
    tags = CapitalTag.objects.order_by("contribution_id", "-confirmed_at", "-pk")
    if contributions is not None:
        tags = tags.filter(contribution_id__in=contributions)
    latest: dict[int, CapitalTag] = {}
    for tag in tags.iterator():
        latest.setdefault(tag.contribution_id, tag)
    return latest


@dataclass(frozen=True)
class CapitalsProfile:
    """How many visible contributions speak of each capital, and which are under-represented:
    those with less than half an even share of all the tags (under 10 %), judged once at
    least :data:`MIN_PROFILE` contributions carry a tag."""

    n_contributions: int
    n_tagged: int
    n_confirmed: int
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def n_tags(self) -> int:
        return sum(self.counts.values())

    @property
    def shares(self) -> dict[str, float]:
        total = self.n_tags
        return {c: (self.counts.get(c, 0) / total if total else 0.0) for c in CAPITALS}

    @property
    def threshold(self) -> float:
        return UNDER_FRACTION / len(CAPITALS)

    @property
    def assessed(self) -> bool:
        return self.n_tagged >= MIN_PROFILE

    @property
    def under(self) -> list[str]:
        if not self.assessed:
            return []
        return [c for c, share in self.shares.items() if share < self.threshold]

    def as_dict(self) -> dict[str, Any]:
        return {
            "n_contributions": self.n_contributions,
            "n_tagged": self.n_tagged,
            "n_confirmed": self.n_confirmed,
            "counts": {c: self.counts.get(c, 0) for c in CAPITALS},
            "shares": self.shares,
            "threshold": self.threshold,
            "min_tagged": MIN_PROFILE,
            "under_represented": self.under,
        }


def capitals_profile(consultation: Consultation | None) -> CapitalsProfile:
    """The capitals profile of ``consultation``'s visible contributions (``None``: all): each
    one counts with its latest confirmed tag, else with its author's capitals. Counted in the
    database, so that a public page stays quick with many contributions."""
    visible = Contribution.objects.filter(status=Visibility.VISIBLE)
    if consultation is not None:
        visible = visible.filter(consultation=consultation)
    tags = confirmed_tags(visible.filter(capital_tags__isnull=False).values("pk"))
    untagged = visible.filter(capital_tags__isnull=True)
    counts = {c: 0 for c in CAPITALS}
    for code, n in (
        Contribution.capitals.through.objects.filter(contribution__in=untagged.values("pk"))
        .values_list("capital__code")
        .annotate(n=Count("contribution_id", distinct=True))
    ):
        counts[code] += n
    for tag in tags.values():
        for code in tag.capitals:
            counts[code] += 1
    by_author = untagged.filter(capitals__isnull=False).values("pk").distinct().count()
    return CapitalsProfile(
        n_contributions=visible.count(),
        n_tagged=by_author + len(tags),
        n_confirmed=len(tags),
        counts=counts,
    )


# --- the classifier, stored -----------------------------------------------------------------


def _identity(tokens: Any) -> Any:
    return tokens


def _identity_function() -> Any:
    return _identity


class _Pickler(pickle.Pickler):
    """Pickles the classifier even though its vectoriser's analyser is an inline identity
    function (``lambda x: x``), which pickle cannot name: that function is stored as this
    module's :func:`_identity`. Any other unnamed function still fails loudly."""

    def reducer_override(self, obj: Any) -> Any:
        if (
            isinstance(obj, types.FunctionType)
            and obj.__name__ == "<lambda>"
            and obj.__module__.startswith("cityforum.analysis")
        ):
            probe = object()
            if obj(probe) is probe:
                return (_identity_function, ())
        return NotImplemented


def dumps(model: CapitalClassifier) -> bytes:
    buffer = io.BytesIO()
    _Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(model)
    return buffer.getvalue()


_loaded: dict[str, CapitalClassifier] = {}


def current_classifier() -> tuple[CapitalClassifierModel | None, CapitalClassifier | None]:
    """The latest stored classifier, loaded once per process and only when its checksum holds."""
    stored = CapitalClassifierModel.objects.defer("blob").order_by("-created_at", "-pk").first()
    if stored is None:
        return None, None
    if stored.sha256 not in _loaded:
        blob = bytes(
            CapitalClassifierModel.objects.values_list("blob", flat=True).get(pk=stored.pk)
        )
        if hashlib.sha256(blob).hexdigest() != stored.sha256:
            return stored, None  # a changed blob is never unpickled
        _loaded[stored.sha256] = pickle.loads(blob)  # noqa: S301  (written by this module only)
    return stored, _loaded[stored.sha256]


@dataclass(frozen=True)
class Suggestion:
    capitals: list[str]
    scores: dict[str, float]
    source: str  # "lexicon", "classifier", or "" when nothing is known
    n_examples: int = 0


def _scores(texts: list[str], languages: list[str | None]) -> tuple[np.ndarray, str, int]:
    lexicon = capital_scores(texts, languages)
    stored, model = current_classifier()
    if model is None or stored is None:
        return lexicon, CapitalTag.Source.LEXICON, 0
    learned = model.predict_proba(texts, languages)
    return (
        blend_scores(lexicon, learned, stored.weight),
        CapitalTag.Source.CLASSIFIER,
        stored.n_contributions,
    )


def _language(value: Any) -> str | None:
    code = str(value or "").strip().lower()
    return code if code in SUPPORTED_LANGUAGES else None


def suggest_many(texts: list[str], languages: list[Any]) -> list[Suggestion]:
    """Suggestions for several texts at once (the moderators' review page)."""
    if not texts:
        return []
    langs = [_language(lang) for lang in languages]
    scores, source, n = _scores(texts, langs)
    out = []
    for row in scores:
        codes = suggest_capitals(row)
        out.append(
            Suggestion(
                capitals=codes,
                scores={c: float(row[i]) for i, c in enumerate(CAPITALS)},
                source=source if codes else "",
                n_examples=n,
            )
        )
    return out


def suggest_for_text(title: Any, body: Any, language: Any = None) -> Suggestion:
    """The capitals a text being written speaks of (at most three, each with at least a fifth
    of the score). Nothing for fewer than :data:`MIN_WORDS` words."""
    text = f"{title or ''}\n{body or ''}".strip()
    if len(text.split()) < MIN_WORDS:
        return Suggestion([], {c: 0.0 for c in CAPITALS}, "")
    return suggest_many([text[:10_000]], [language])[0]


# --- confirming tags ------------------------------------------------------------------------


def clean_tag_capitals(values: Any) -> list[str]:
    """One to three known capital codes, in the capitals' order."""
    if isinstance(values, str):
        values = [values]
    codes = [str(v).strip() for v in (values or []) if str(v).strip()]
    unknown = sorted(set(codes) - set(CAPITALS))
    if unknown:
        raise ValidationError(
            {
                "capitals": _("Unknown capital “%(value)s”; the capitals are: %(all)s.")
                % {"value": unknown[0], "all": ", ".join(CAPITALS)}
            }
        )
    if not 1 <= len(set(codes)) <= MAX_CAPITALS:
        raise ValidationError(
            {"capitals": _("Choose between 1 and %(max)d capitals.") % {"max": MAX_CAPITALS}}
        )
    return [c for c in CAPITALS if c in codes]


def confirm_capitals(contribution: Contribution, capitals: Any, *, by: Any) -> CapitalTag:
    """Confirm or correct ``contribution``'s capitals. The tag's source says where the
    confirmed capitals come from: the author's choice, the current suggestion (lexicon or
    classifier), or else the reviewer's own correction."""
    if not rules.test_rule("synthesis.review_capitals", by, contribution):
        raise PermissionDenied(
            _("Only organisers and the consultation's moderators confirm capitals.")
        )
    codes = clean_tag_capitals(capitals)
    author = sorted(contribution.capitals.values_list("code", flat=True))
    suggestion = suggest_for_text(contribution.title, contribution.body, contribution.language)
    if sorted(codes) == author:
        source = CapitalTag.Source.AUTHOR
    elif suggestion.source and sorted(codes) == sorted(suggestion.capitals):
        source = CapitalTag.Source(suggestion.source)
    else:
        source = CapitalTag.Source.REVIEWER
    with transaction.atomic():
        tag = CapitalTag.objects.create(
            contribution=contribution, capitals=codes, source=source, confirmed_by=by
        )
        record(
            "synthesis.capitals_confirm" if source != "reviewer" else "synthesis.capitals_correct",
            contribution,
            actor=by,
            capitals=codes,
            source=source,
            author_capitals=author,
        )
    return tag


# --- training -------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrainingSet:
    ids: list[int]
    texts: list[str]
    languages: list[str]
    capitals: list[list[str]]
    sha256: str


def read_training_set() -> TrainingSet:
    """Visible contributions with a confirmed tag, in id order, and the checksum of them."""
    tags = confirmed_tags()
    rows = (
        Contribution.objects.filter(pk__in=list(tags), status=Visibility.VISIBLE)
        .order_by("pk")
        .values_list("pk", "title", "body", "language")
    )
    digest = hashlib.sha256()
    ids, texts, languages, capitals = [], [], [], []
    for pk, title, body, language in rows.iterator():
        text = f"{title}\n{body}"
        codes = list(tags[pk].capitals)
        ids.append(pk)
        texts.append(text)
        languages.append(language)
        capitals.append(codes)
        digest.update(json.dumps([pk, text, language, codes], ensure_ascii=False).encode())
        digest.update(b"\n")
    return TrainingSet(ids, texts, languages, capitals, digest.hexdigest())


def _rows(data: TrainingSet, which: Sequence[int]) -> tuple[list[str], list[str], list[str]]:
    """One training row per (contribution, confirmed capital): a contribution with two capitals
    teaches both, so the classifier's probabilities spread over them."""
    texts, languages, labels = [], [], []
    for i in which:
        for code in data.capitals[i]:
            texts.append(data.texts[i])
            languages.append(data.languages[i])
            labels.append(code)
    return texts, languages, labels


def cross_validate(data: TrainingSet, folds: int = 5) -> dict[str, Any]:
    """Top-1 hit rate (the first suggestion is among the confirmed capitals) of the lexicon, of
    the classifier and of their blends, over ``folds`` folds of the contributions."""
    n = len(data.ids)
    order = np.random.default_rng(0).permutation(n)
    parts = [p for p in np.array_split(order, min(folds, n)) if p.size]
    lexicon = capital_scores(data.texts, data.languages)
    hits = {"lexicon": 0, "classifier": 0, **{f"blend_{w}": 0 for w in WEIGHTS}}
    tested = 0
    for part in parts:
        train = np.setdiff1d(order, part)
        texts, languages, labels = _rows(data, train.tolist())
        if len(set(labels)) < 2:
            continue  # this fold cannot teach a classifier: not counted
        model = CapitalClassifier().fit(texts, languages, labels)
        learned = model.predict_proba(
            [data.texts[i] for i in part], [data.languages[i] for i in part]
        )
        variants = {"lexicon": lexicon[part], "classifier": learned}
        for w in WEIGHTS:
            variants[f"blend_{w}"] = blend_scores(lexicon[part], learned, w)
        for name, scores in variants.items():
            for row, i in zip(scores, part, strict=True):
                if row.max() > 0 and CAPITALS[int(row.argmax())] in data.capitals[i]:
                    hits[name] += 1
        tested += len(part)
    rates = {name: (count / tested if tested else 0.0) for name, count in hits.items()}
    return {"folds": len(parts), "tested": tested, "top1": rates}


def train_capital_classifier(*, by: Any = None) -> CapitalClassifierModel:
    """Fit the capital classifier on every confirmed tag of a visible contribution and store it.
    Unchanged tags return the stored classifier. Too few tags raise :class:`ValidationError`
    and store nothing. ``by``: the organiser; ``None``: the operator at the command line."""
    if by is not None and not rules.test_rule("synthesis.train_capitals", by, None):
        raise PermissionDenied(_("Only organisers may train the capital classifier."))
    data = read_training_set()
    distinct = {c for codes in data.capitals for c in codes}
    if len(data.ids) < MIN_TRAINING or len(distinct) < 2:
        raise ValidationError(
            _(
                "The classifier learns from at least %(min)d contributions with confirmed "
                "capitals, among them at least two different capitals; there are %(n)d, "
                "with %(k)d different capitals."
            )
            % {"min": MIN_TRAINING, "n": len(data.ids), "k": len(distinct)},
            code="too_few",
        )
    latest = CapitalClassifierModel.objects.defer("blob").order_by("-created_at", "-pk").first()
    if latest is not None and latest.training_sha256 == data.sha256:
        return latest
    metrics = cross_validate(data)
    blends = {w: metrics["top1"][f"blend_{w}"] for w in WEIGHTS}
    weight = max(WEIGHTS, key=lambda w: (blends[w], -w))
    texts, languages, labels = _rows(data, range(len(data.ids)))
    model = CapitalClassifier().fit(texts, languages, labels)
    blob = dumps(model)
    metrics["per_capital"] = {c: labels.count(c) for c in CAPITALS}
    with transaction.atomic():
        stored = CapitalClassifierModel.objects.create(
            blob=blob,
            sha256=hashlib.sha256(blob).hexdigest(),
            training_sha256=data.sha256,
            n_contributions=len(data.ids),
            n_examples=len(labels),
            weight=weight,
            metrics=metrics,
            engine_version=engine_version(),
            trained_by=by if getattr(by, "pk", None) else None,
        )
        record(
            "synthesis.capitals_train",
            stored,
            actor=by,
            training_sha256=data.sha256,
            n_contributions=len(data.ids),
            weight=weight,
            top1=metrics["top1"],
        )
    return stored
