"""The organisers' review of a themes run, replayed on what the model stored (synthesis.md §2).

A review never fits the model again. It starts from the run's ``result`` and ``assignment``
(each contribution's share of every theme and which of the themes' words it uses) and applies
the review actions in order:

- **rename**: new labels in fr, en and es;
- **merge** theme ``b`` into theme ``a``: a contribution belongs to the merged theme when it
  belonged to either, or when its two shares together reach τ (the share of the merged theme);
  the words' weights add up and the merged theme keeps all the words of both (strongest first),
  so that it can be split again along them;
- **split** theme ``t`` by choosing some of its words: a contribution of ``t`` moves to the new
  theme when the chosen words it uses weigh more, in ``t``'s row of the model, than ``t``'s
  other words it uses. This only uses what the model said and what the contribution wrote, so
  the organiser can check every move; a re-clustering of stored vectors would not be explained
  as simply, and the vectors would make the stored run ten times larger;
- **reject** / **restore**: a rejected theme is hidden from public pages, kept in the record.

After every action the sizes, quotes and prevalence per region of the changed themes, the
global trends and the themes' regional specificities are recomputed with the same functions
as the run (:mod:`cityforum.analysis.trends`); concept specificities do not depend on themes
and are kept as the run computed them. Themes keep their ids; a split theme's new part takes the
next free id, so outcome documents that cite a theme by id still find it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cityforum.analysis.text import CONCEPT_PREFIX, lexicon
from cityforum.analysis.themes import LABEL_LANGUAGES
from cityforum.analysis.trends import global_trends, prevalence, specificities

#: The longest label an organiser may give a theme, per language.
LABEL_MAX = 120
KEPT, REJECTED, MERGED = "kept", "rejected", "merged"
LANGUAGE_NAMES = {
    "fr": gettext_lazy("French"),
    "en": gettext_lazy("English"),
    "es": gettext_lazy("Spanish"),
}

#: ``quote_texts(contribution_ids) -> {id: text}``: the current text of visible contributions.
QuoteTexts = Callable[[list[int]], dict[int, str]]


class NotReviewable(ValidationError):
    """The run has no stored assignment (computed before reviews existed)."""


def clean_labels(labels: Any) -> dict[str, str]:
    """Labels in fr, en and es: each one required, on one line, at most :data:`LABEL_MAX`."""
    given = labels if isinstance(labels, dict) else {}
    out: dict[str, str] = {}
    errors: dict[str, list[str]] = {}
    for lang in LABEL_LANGUAGES:
        value = re.sub(r"\s+", " ", str(given.get(lang) or "")).strip()
        if not value:
            errors[f"label_{lang}"] = [
                _("The label in %(language)s is empty.") % {"language": LANGUAGE_NAMES[lang]}
            ]
        elif len(value) > LABEL_MAX:
            errors[f"label_{lang}"] = [
                _("The label in %(language)s has %(n)d characters; at most %(max)d.")
                % {"language": LANGUAGE_NAMES[lang], "n": len(value), "max": LABEL_MAX}
            ]
        out[lang] = value
    if errors:
        raise ValidationError(errors)
    return out


def term_labels(term: str) -> dict[str, str]:
    """How a theme word reads in each language: a concept by its name, a stem as ``stem (ca)``."""
    if term.startswith(CONCEPT_PREFIX):
        concept = lexicon().concepts.get(term[len(CONCEPT_PREFIX) :])
        if concept is not None:
            return {lang: concept.name(lang) for lang in LABEL_LANGUAGES}
    language, _sep, stem = term.partition(":")
    shown = f"{stem} ({language})" if stem else term
    return {lang: shown for lang in LABEL_LANGUAGES}


def default_labels(terms: Iterable[str]) -> dict[str, str]:
    """Labels from a theme's words, as the model labels them: its first three concepts (or its
    first three words when it has no concept), joined by a middle dot."""
    terms = list(terms)
    concepts = [t for t in terms if t.startswith(CONCEPT_PREFIX)][:3]
    chosen = [term_labels(t) for t in (concepts or terms[:3])]
    return {lang: " · ".join(c[lang] for c in chosen) for lang in LABEL_LANGUAGES}


@dataclass
class ReviewTheme:
    id: int
    labels: dict[str, str]
    terms: list[str]
    weights: dict[str, float]
    members: set[int]
    shares: dict[int, float]
    quotes: list[dict[str, Any]]
    status: str = KEPT
    renamed: bool = False
    touched: bool = False
    split_from: int | None = None
    split_into: list[int] = field(default_factory=list)
    merged_from: list[int] = field(default_factory=list)
    merged_into: int | None = None


class Review:
    """The themes of one run while its review actions are applied."""

    def __init__(self, result: dict[str, Any], assignment: dict[str, Any] | None) -> None:
        if not assignment or not result:
            raise NotReviewable(
                _(
                    "This synthesis was computed before themes could be reviewed: "
                    "compute it again to review it."
                ),
                code="not_reviewable",
            )
        self.result = result
        self.tau = float(assignment["tau"])
        self.n_terms = int(assignment["n_terms"])
        self.n_quotes = int(assignment["n_quotes"])
        self.ids: list[int] = list(assignment["ids"])
        self.regions: list[str] = list(assignment["regions"])
        self.languages: list[str] = list(assignment["languages"])
        self.index = {pk: i for i, pk in enumerate(self.ids)}
        vocabulary = assignment["terms"]
        self.words = [{vocabulary[w] for w in row} for row in assignment["words"]]
        shares: dict[int, dict[int, float]] = {}
        for i, row in enumerate(assignment["shares"]):
            for j, share in row.items():
                shares.setdefault(int(j), {})[i] = float(share)
        self.themes: dict[int, ReviewTheme] = {}
        for theme in result["themes"]:
            j = int(theme["id"])
            weights = theme.get("term_weights") or [1.0] * len(theme["terms"])
            self.themes[j] = ReviewTheme(
                id=j,
                labels=dict(theme["labels"]),
                terms=list(theme["terms"]),
                weights=dict(zip(theme["terms"], map(float, weights), strict=True)),
                members={self.index[pk] for pk in theme["contributions"] if pk in self.index},
                shares=shares.get(j, {}),
                quotes=list(theme["quotes"]),
            )

    # --- checks -------------------------------------------------------------------------

    def theme(self, theme_id: Any, *, kept: bool = True) -> ReviewTheme:
        """The theme with this id, still in the review (not merged into another)."""
        try:
            j = int(theme_id)
        except (TypeError, ValueError):
            raise ValidationError(
                _("Choose a theme of this synthesis, not “%(value)s”.") % {"value": theme_id},
                code="theme",
            ) from None
        theme = self.themes.get(j)
        if theme is None:
            raise ValidationError(
                _("This synthesis has no theme no. %(id)d.") % {"id": j}, code="theme"
            )
        if theme.status == MERGED:
            raise ValidationError(
                _("Theme no. %(id)d was merged into theme no. %(into)d.")
                % {"id": j, "into": theme.merged_into},
                code="merged",
            )
        if kept and theme.status == REJECTED:
            raise ValidationError(
                _("Theme no. %(id)d is rejected: restore it first.") % {"id": j},
                code="rejected",
            )
        return theme

    # --- actions ------------------------------------------------------------------------

    def apply(self, action: str, data: dict[str, Any]) -> None:
        """Apply one action (already cleaned by :func:`clean_action`)."""
        getattr(self, f"_{action}")(**data)

    def _rename(self, theme: int, labels: dict[str, str]) -> None:
        target = self.theme(theme, kept=False)
        target.labels, target.renamed = dict(labels), True

    def _reject(self, theme: int) -> None:
        target = self.theme(theme, kept=False)
        if target.status == REJECTED:
            raise ValidationError(
                _("Theme no. %(id)d is already rejected.") % {"id": target.id}, code="rejected"
            )
        target.status = REJECTED

    def _restore(self, theme: int) -> None:
        target = self.theme(theme, kept=False)
        if target.status != REJECTED:
            raise ValidationError(
                _("Theme no. %(id)d is not rejected: nothing to restore.") % {"id": target.id},
                code="not_rejected",
            )
        target.status = KEPT

    def _merge(self, theme: int, into: int, labels: dict[str, str] | None = None) -> None:
        if str(theme) == str(into):
            raise ValidationError(_("A theme cannot be merged with itself."), code="itself")
        a, b = self.theme(into), self.theme(theme)
        shares = dict(a.shares)
        for i, share in b.shares.items():
            shares[i] = shares.get(i, 0.0) + share
        a.members = a.members | b.members | {i for i, s in shares.items() if s >= self.tau}
        a.shares = shares
        weights = dict(a.weights)
        for term, weight in b.weights.items():
            weights[term] = weights.get(term, 0.0) + weight
        order = sorted(weights, key=lambda t: (-weights[t], t))
        a.terms, a.weights = order, {t: weights[t] for t in order}
        a.quotes = a.quotes + b.quotes
        if labels:
            a.labels, a.renamed = dict(labels), True
        elif not a.renamed:
            a.labels = default_labels(a.terms)
        a.merged_from = [*a.merged_from, b.id]
        a.touched = True
        b.status, b.merged_into, b.members, b.shares = MERGED, a.id, set(), {}

    def _split(self, theme: int, terms: list[str], labels: dict[str, str] | None = None) -> None:
        source = self.theme(theme)
        chosen = [t for t in source.terms if t in set(terms)]
        unknown = sorted(set(terms) - set(source.terms))
        if unknown:
            raise ValidationError(
                _("“%(term)s” is not one of the words of theme no. %(id)d.")
                % {"term": unknown[0], "id": source.id},
                code="term",
            )
        rest = [t for t in source.terms if t not in set(chosen)]
        if not chosen or not rest:
            raise ValidationError(
                _(
                    "Choose some of the theme's words for the new theme, but not all of them: "
                    "each part keeps at least one word."
                ),
                code="split_terms",
            )

        def moves(i: int) -> bool:
            used = self.words[i]
            mine = sum(source.weights[t] for t in chosen if t in used)
            other = sum(source.weights[t] for t in rest if t in used)
            return mine > other

        moved = {i for i in set(source.shares) | source.members if moves(i)}
        new_members, kept_members = source.members & moved, source.members - moved
        if not new_members:
            raise ValidationError(
                _(
                    "No contribution of the theme uses the chosen words more than its other "
                    "words: the new theme would be empty."
                ),
                code="split_empty",
            )
        if not kept_members:
            raise ValidationError(
                _(
                    "Every contribution of the theme uses the chosen words more than its other "
                    "words: the theme left behind would be empty."
                ),
                code="split_empty",
            )
        new_id = max(self.themes) + 1
        quotes = {q["contribution"]: q for q in source.quotes}
        self.themes[new_id] = ReviewTheme(
            id=new_id,
            labels=dict(labels) if labels else default_labels(chosen),
            terms=chosen,
            weights={t: source.weights[t] for t in chosen},
            members=new_members,
            shares={i: s for i, s in source.shares.items() if i in moved},
            quotes=[q for pk, q in quotes.items() if self.index.get(pk) in new_members],
            renamed=bool(labels),
            touched=True,
            split_from=source.id,
        )
        source.members = kept_members
        source.shares = {i: s for i, s in source.shares.items() if i not in moved}
        source.terms, source.weights = rest, {t: source.weights[t] for t in rest}
        source.quotes = [q for pk, q in quotes.items() if self.index.get(pk) in kept_members]
        if not source.renamed:
            source.labels = default_labels(rest)
        source.split_into = [*source.split_into, new_id]
        source.touched = True

    # --- the reviewed document ----------------------------------------------------------

    def _quotes(self, theme: ReviewTheme, quote_texts: QuoteTexts) -> list[dict[str, Any]]:
        """A changed theme's quotes: its members with the largest share, at most two per region
        and first one per language, as in the run; words as written, never translated."""
        if not theme.touched:
            return theme.quotes
        stored = {q["contribution"]: q for q in theme.quotes}
        order = sorted(theme.members, key=lambda i: (-theme.shares.get(i, 0.0), i))
        excluded: set[int] = set()
        while True:
            chosen = self._choose(order, excluded)
            missing = [self.ids[i] for i in chosen if self.ids[i] not in stored]
            texts = quote_texts(missing) if missing else {}
            gone = {self.index[pk] for pk in missing if pk not in texts}
            for pk, text in texts.items():
                i = self.index[pk]
                stored[pk] = {
                    "contribution": pk,
                    "language": self.languages[i],
                    "region": self.regions[i],
                    "text": text,
                }
            if not gone:
                return [stored[self.ids[i]] for i in chosen]
            excluded |= gone

    def _choose(self, order: list[int], excluded: set[int]) -> list[int]:
        chosen: list[int] = []
        per_region: Counter[str] = Counter()
        seen: set[str] = set()
        for first_pass in (True, False):
            for i in order:
                if len(chosen) >= self.n_quotes:
                    return chosen
                if i in excluded or i in chosen or per_region[self.regions[i]] >= 2:
                    continue
                if first_pass and self.languages[i] in seen:
                    continue
                chosen.append(i)
                per_region[self.regions[i]] += 1
                seen.add(self.languages[i])
        return chosen

    def document(self, quote_texts: QuoteTexts) -> dict[str, Any]:
        """The reviewed result: every theme with its status (kept, rejected, merged), trends
        and theme specificities over the kept themes, the run's concept specificities."""
        alive = [t for t in self.themes.values() if t.status != MERGED]
        kept = [t for t in alive if t.status == KEPT]
        n = len(self.ids)
        member = np.zeros((n, len(alive)), dtype=bool)
        for col, theme in enumerate(alive):
            member[sorted(theme.members), col] = True
        keys = [t.id for t in alive]
        per_theme = prevalence(member, self.regions, keys=keys) if n else {}
        themes = []
        for theme in sorted(self.themes.values(), key=lambda t: t.id):
            live = theme.status != MERGED
            themes.append(
                {
                    "id": theme.id,
                    "labels": theme.labels,
                    "terms": theme.terms,
                    "term_weights": [round(theme.weights[t], 6) for t in theme.terms],
                    "size": len(theme.members),
                    "contributions": [self.ids[i] for i in sorted(theme.members)],
                    "quotes": self._quotes(theme, quote_texts) if live else [],
                    "prevalence": {
                        region: {
                            "count": p.count,
                            "total": p.total,
                            "share": p.share,
                            "low": p.low,
                            "high": p.high,
                        }
                        for region, p in per_theme.get(theme.id, {}).items()
                    },
                    "status": theme.status,
                    "renamed": theme.renamed,
                    "split_from": theme.split_from,
                    "split_into": theme.split_into,
                    "merged_from": theme.merged_from,
                    "merged_into": theme.merged_into,
                }
            )
        trends = [
            {
                "theme": int(t.key),
                "overall": t.overall,
                "is_global": t.is_global,
                "regions_present": list(t.regions_present),
                "regions_absent": list(t.regions_absent),
                "regions_total": t.regions_total,
                "evenness": t.evenness,
                "contributions": [self.ids[i] for i in t.documents],
            }
            for t in global_trends({t.id: per_theme[t.id] for t in kept})
        ]
        labels = {t.id: t.labels for t in kept}
        items: list[list[str]] = [[] for _ in range(n)]
        for theme in kept:
            for i in theme.members:
                items[i].append(str(theme.id))
        specific = [
            {
                "region": s.region,
                "kind": "theme",
                "key": s.key,
                "labels": labels[int(s.key)],
                "z": s.z,
                "count": s.count,
                "count_rest": s.count_rest,
                "contributions": [self.ids[i] for i in s.documents],
            }
            for s in specificities(items, self.regions, kind="theme")
        ]
        specific += [s for s in self.result.get("specificities", []) if s["kind"] != "theme"]
        return {
            "themes": themes,
            "trends": trends,
            "specificities": specific,
            "regions": self.result.get("regions", {}),
            "converged": self.result.get("converged"),
        }


def replay(
    result: dict[str, Any],
    assignment: dict[str, Any] | None,
    actions: Iterable[tuple[str, dict[str, Any]]],
    quote_texts: QuoteTexts,
) -> dict[str, Any]:
    """The reviewed document that ``actions`` (in order) give on the stored run."""
    review = Review(result, assignment)
    for action, data in actions:
        review.apply(action, data)
    return review.document(quote_texts)


def public_themes(document: dict[str, Any]) -> list[dict[str, Any]]:
    """The themes the public sees: a reviewed document's kept themes, or all of a raw one."""
    return [t for t in document.get("themes", []) if t.get("status", KEPT) == KEPT]
