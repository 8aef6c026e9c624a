"""Who stands behind an amendment or an article, by constituency and by region.

Votes and endorsements of an amendment are broken down with the participation app's
:func:`~cityforum.participation.constituencies.breakdown` (organisation type, world
section), so the forum reads them the same way everywhere.

Opinions on an article are read as shares: for each region, of the people of that region
who take part in drafting this document (they gave an opinion on one of its articles, or
proposed, voted on or endorsed one of its amendments), how many support this article
and how many oppose it. Readers see where a clause is contested, not only how many
people happen to have spoken.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from cityforum.participation.constituencies import UNKNOWN, Breakdown, breakdown
from cityforum.people.models import User
from cityforum.programme.models import Region

from .models import (
    Amendment,
    AmendmentEndorsement,
    AmendmentVote,
    Article,
    ArticleOpinion,
    Document,
)


@dataclass(frozen=True)
class AmendmentSupport:
    """An amendment's endorsements and votes, each broken down."""

    endorsements: Breakdown
    agree: Breakdown
    disagree: Breakdown

    def rows(self, attribute: str) -> list[dict[str, Any]]:
        """Rows ``{code, label, endorse, agree, disagree}`` for a table, with any count."""
        columns = {
            "endorse": getattr(self.endorsements, attribute),
            "agree": getattr(self.agree, attribute),
            "disagree": getattr(self.disagree, attribute),
        }
        rows = []
        for i, share in enumerate(columns["endorse"]):
            row = {"code": share.code, "label": share.label}
            row.update({name: shares[i].count for name, shares in columns.items()})
            if row["endorse"] or row["agree"] or row["disagree"]:
                rows.append(row)
        return rows

    @property
    def by_organisation_kind(self) -> list[dict[str, Any]]:
        return self.rows("by_organisation_kind")

    @property
    def by_region(self) -> list[dict[str, Any]]:
        return self.rows("by_region")

    def as_dict(self) -> dict[str, Any]:
        return {
            "endorsements": self.endorsements.as_dict(),
            "agree": self.agree.as_dict(),
            "disagree": self.disagree.as_dict(),
        }


def amendment_support(amendment: Amendment) -> AmendmentSupport:
    votes = AmendmentVote.objects.filter(amendment=amendment)
    return AmendmentSupport(
        endorsements=breakdown(
            AmendmentEndorsement.objects.filter(amendment=amendment), person_field="user"
        ),
        agree=breakdown(votes.filter(value=AmendmentVote.Value.AGREE), person_field="user"),
        disagree=breakdown(votes.filter(value=AmendmentVote.Value.DISAGREE), person_field="user"),
    )


def participants(document: Document) -> set[int]:
    """Ids of everyone taking part in drafting ``document``."""
    ids: set[int] = set()
    ids.update(
        ArticleOpinion.objects.filter(article__document=document).values_list("user", flat=True)
    )
    amendments = Amendment.objects.filter(article__document=document)
    ids.update(i for i in amendments.values_list("author", flat=True) if i is not None)
    ids.update(
        AmendmentVote.objects.filter(amendment__in=amendments).values_list("user", flat=True)
    )
    ids.update(
        AmendmentEndorsement.objects.filter(amendment__in=amendments).values_list("user", flat=True)
    )
    return ids


def regions_of(user_ids: set[int]) -> dict[int, str | None]:
    """Each person's world section: their organisation's country's, else their city's."""
    rows = (
        User.objects.filter(pk__in=user_ids)
        .annotate(
            _region=Coalesce("organisation__country__section__code", "city__country__section__code")
        )
        .values_list("pk", "_region")
    )
    return dict(rows)


@dataclass(frozen=True)
class RegionOpinion:
    code: str
    label: str
    participants: int
    support: int
    oppose: int

    @property
    def support_share(self) -> float:
        return self.support / self.participants if self.participants else 0.0

    @property
    def oppose_share(self) -> float:
        return self.oppose / self.participants if self.participants else 0.0

    @property
    def support_percent(self) -> int:
        return round(100 * self.support_share)

    @property
    def oppose_percent(self) -> int:
        return round(100 * self.oppose_share)


@dataclass(frozen=True)
class ArticleOpinions:
    support: int
    oppose: int
    participants: int
    by_region: list[RegionOpinion]
    by_organisation_kind: list[dict[str, Any]]

    def as_dict(self) -> dict[str, Any]:
        return {
            "support": self.support,
            "oppose": self.oppose,
            "participants": self.participants,
            "by_region": {
                r.code: {
                    "participants": r.participants,
                    "support": r.support,
                    "oppose": r.oppose,
                    "support_share": round(r.support_share, 4),
                    "oppose_share": round(r.oppose_share, 4),
                }
                for r in self.by_region
            },
            "by_organisation_kind": {
                row["code"]: {"support": row["support"], "oppose": row["oppose"]}
                for row in self.by_organisation_kind
            },
        }


def article_opinions(article: Article) -> ArticleOpinions:
    """Support and opposition for ``article``, per region as shares of that region's
    participants in the drafting, and per organisation type as counts."""
    people = participants(article.document)
    region_of = regions_of(people)
    opinions = dict(ArticleOpinion.objects.filter(article=article).values_list("user", "value"))
    sections = [(r.code, str(r.name)) for r in Region.objects.filter(kind=Region.Kind.SECTION)]
    sections.append((UNKNOWN, _("region unknown")))
    known = {code for code, _label in sections}
    totals: dict[str, list[int]] = {code: [0, 0, 0] for code in known}
    for person in people:
        code = region_of.get(person) or UNKNOWN
        code = code if code in known else UNKNOWN
        totals[code][0] += 1
        value = opinions.get(person)
        if value == ArticleOpinion.Value.SUPPORT:
            totals[code][1] += 1
        elif value == ArticleOpinion.Value.OPPOSE:
            totals[code][2] += 1
    by_region = [
        RegionOpinion(code, label, *totals[code]) for code, label in sections if totals[code][0]
    ]
    all_opinions = ArticleOpinion.objects.filter(article=article)
    support = breakdown(all_opinions.filter(value=ArticleOpinion.Value.SUPPORT), "user")
    oppose = breakdown(all_opinions.filter(value=ArticleOpinion.Value.OPPOSE), "user")
    by_kind = [
        {"code": s.code, "label": s.label, "support": s.count, "oppose": o.count}
        for s, o in zip(support.by_organisation_kind, oppose.by_organisation_kind, strict=True)
        if s.count or o.count
    ]
    return ArticleOpinions(
        support=support.total,
        oppose=oppose.total,
        participants=len(people),
        by_region=by_region,
        by_organisation_kind=by_kind,
    )
