"""Who took part in a set of consultations: counts of the platform's records, never names.

A *participant* is a signed-in person who contributed, commented, endorsed, voted, proposed a
statement or an amendment, counted once, plus each anonymous or imported voter (a browser
session, or a Pol.is participant), whom nothing links to a person. A person's region is the
world section of their organisation's country, else of their city's country; a
contribution's is the one recorded when it was written, else its consultation's. Hidden
contributions and comments are not counted as contributions; they are reported apart.

Everything is counted in the database with subqueries, so a forum of a million votes costs a
few grouped queries, not a loop over rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Max, Min, Q, QuerySet
from django.db.models.functions import Coalesce, TruncMonth, TruncWeek
from django.utils.translation import gettext as _

from cityforum.cities.models import City
from cityforum.drafting.models import Amendment
from cityforum.participation.models import LANGUAGES, Comment, Contribution, Endorsement
from cityforum.participation.models import Visibility as ContributionVisibility
from cityforum.people.models import Organisation, User
from cityforum.programme.models import Consultation, Region
from cityforum.statements.models import Statement, Vote, Voter

from .formatting import date_label

UNKNOWN = "unknown"
ANONYMOUS = "anonymous"
#: Past this many weeks between the first and the last activity, periods are months.
WEEKS_MAX = 20
#: At most this many periods are listed; earlier ones are summed into the first row.
PERIODS_MAX = 12


@dataclass(frozen=True)
class Share:
    code: str
    label: str
    participants: int = 0
    contributions: int = 0
    votes: int = 0


@dataclass(frozen=True)
class Period:
    label: str
    contributions: int
    votes: int


@dataclass(frozen=True)
class Participation:
    participants: int
    signed_in: int
    anonymous_voters: int
    contributions: int
    hidden_contributions: int
    votes: int
    comments: int
    endorsements: int
    statements: int
    organisations: int
    cities: int
    countries: int
    by_region: list[Share]
    by_kind: list[Share]
    by_language: list[Share]
    periods: list[Period]
    first: dt.datetime | None
    last: dt.datetime | None


Scope = QuerySet[Consultation] | Iterable[Consultation]


def _ids(scope: Scope) -> list[int]:
    return [c.pk for c in scope]


def people(scope: list[int], since: dt.datetime | None = None) -> QuerySet[User]:
    """The signed-in people who took part in the consultations ``scope`` (since a moment)."""
    after = {"created_at__gte": since} if since else {}
    voted = Vote.objects.filter(
        statement__consultation__in=scope, voter__user__isnull=False, **_since("updated_at", since)
    )
    taking_part = (
        Q(pk__in=Contribution.objects.filter(consultation__in=scope, **after).values("author"))
        | Q(
            pk__in=Comment.objects.filter(contribution__consultation__in=scope, **after).values(
                "author"
            )
        )
        | Q(
            pk__in=Endorsement.objects.filter(contribution__consultation__in=scope, **after).values(
                "person"
            )
        )
        | Q(pk__in=voted.values("voter__user"))
        | Q(pk__in=Statement.objects.filter(consultation__in=scope, **after).values("author"))
        | Q(
            pk__in=Amendment.objects.filter(
                article__document__consultation__in=scope, **after
            ).values("author")
        )
    )
    return User.objects.filter(taking_part)


def _since(field: str, since: dt.datetime | None) -> dict[str, Any]:
    return {f"{field}__gte": since} if since else {}


def anonymous_voters(scope: list[int], since: dt.datetime | None = None) -> int:
    voters = Voter.objects.filter(consultation__in=scope, user__isnull=True)
    if since:
        voters = voters.filter(votes__updated_at__gte=since).distinct()
    return voters.count()


def contributions(scope: list[int], since: dt.datetime | None = None) -> QuerySet[Contribution]:
    return Contribution.objects.filter(
        consultation__in=scope, status=ContributionVisibility.VISIBLE, **_since("created_at", since)
    )


def votes(scope: list[int], since: dt.datetime | None = None) -> QuerySet[Vote]:
    return Vote.objects.filter(statement__consultation__in=scope, **_since("updated_at", since))


PERSON_REGION = Coalesce("organisation__country__section__code", "city__country__section__code")
CONTRIBUTION_REGION = Coalesce("region__code", "consultation__region__code")
VOTER_REGION = Coalesce(
    "voter__user__organisation__country__section__code",
    "voter__user__city__country__section__code",
)


def _grouped(rows: QuerySet[Any], key: Any) -> dict[str | None, int]:
    """``{key: number of rows}``; ``key`` is a field path or an expression."""
    if isinstance(key, str):
        key = F(key)
    return dict(
        rows.annotate(_key=key)
        .values("_key")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("_key", "n")
    )


def region_shares(scope: list[int], since: dt.datetime | None = None) -> list[Share]:
    """Participants, contributions and votes per world section, then unknown and anonymous."""
    persons = _grouped(people(scope, since), PERSON_REGION)
    written = _grouped(contributions(scope, since), CONTRIBUTION_REGION)
    cast = _grouped(votes(scope, since).filter(voter__user__isnull=False), VOTER_REGION)
    rows = [
        Share(
            r.code, str(r.name), persons.get(r.code, 0), written.get(r.code, 0), cast.get(r.code, 0)
        )
        for r in Region.objects.filter(kind=Region.Kind.SECTION).order_by("order", "code")
    ]
    rows.append(
        Share(
            UNKNOWN,
            _("Region unknown"),
            persons.get(None, 0),
            written.get(None, 0),
            cast.get(None, 0),
        )
    )
    rows.append(
        Share(
            ANONYMOUS,
            _("Anonymous or imported voters"),
            anonymous_voters(scope, since),
            0,
            votes(scope, since).filter(voter__user__isnull=True).count(),
        )
    )
    return rows


def kind_shares(scope: list[int], since: dt.datetime | None = None) -> list[Share]:
    """Participants, contributions and votes per organisation type, then none."""
    persons = _grouped(people(scope, since), "organisation__kind")
    written = _grouped(contributions(scope, since), "organisation__kind")
    cast = _grouped(
        votes(scope, since).filter(voter__user__isnull=False), "voter__user__organisation__kind"
    )
    rows = [
        Share(code, str(label), persons.get(code, 0), written.get(code, 0), cast.get(code, 0))
        for code, label in Organisation.Kind.choices
    ]
    rows.append(
        Share(
            UNKNOWN,
            _("No organisation"),
            persons.get(None, 0),
            written.get(None, 0),
            cast.get(None, 0),
        )
    )
    return rows


def _language_shares(scope: list[int]) -> list[Share]:
    written = _grouped(contributions(scope), "language")
    return [
        Share(code, str(label), contributions=written.get(code, 0))
        for code, label in LANGUAGES
        if written.get(code)
    ]


def _periods(scope: list[int]) -> tuple[list[Period], dt.datetime | None, dt.datetime | None]:
    """Contributions and votes per week (per month past :data:`WEEKS_MAX` weeks), only the
    periods with activity, the latest :data:`PERIODS_MAX` of them."""
    written, cast = contributions(scope), votes(scope)
    bounds = [
        v
        for qs, field in ((written, "created_at"), (cast, "created_at"))
        for v in qs.aggregate(first=Min(field), last=Max(field)).values()
        if v is not None
    ]
    if not bounds:
        return [], None, None
    first, last = min(bounds), max(bounds)
    weekly = (last - first) <= dt.timedelta(weeks=WEEKS_MAX)
    trunc = TruncWeek if weekly else TruncMonth

    def per(qs: QuerySet[Any]) -> dict[dt.date, int]:
        rows = qs.annotate(_p=trunc("created_at")).values("_p").annotate(n=Count("pk")).order_by()
        return {_day(r["_p"]): r["n"] for r in rows}

    by_contribution, by_vote = per(written), per(cast)
    starts = sorted(set(by_contribution) | set(by_vote))
    periods = []
    for start in starts:
        label = (
            _("Week of %(date)s") % {"date": date_label(start)} if weekly else _month_label(start)
        )
        periods.append(Period(label, by_contribution.get(start, 0), by_vote.get(start, 0)))
    if len(periods) > PERIODS_MAX:
        earlier = periods[: len(periods) - PERIODS_MAX + 1]
        periods = [
            Period(
                _("Until %(period)s") % {"period": earlier[-1].label},
                sum(p.contributions for p in earlier),
                sum(p.votes for p in earlier),
            ),
            *periods[len(periods) - PERIODS_MAX + 1 :],
        ]
    return periods, first, last


def _day(value: dt.date | dt.datetime) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def _month_label(start: dt.date) -> str:
    from django.utils.formats import date_format

    return str(date_format(start, "YEAR_MONTH_FORMAT"))


def participation(scope: Scope) -> Participation:
    """Every count the report's "who took part" section shows, for these consultations."""
    ids = _ids(scope)
    persons = people(ids)
    written = contributions(ids)
    organisations = Organisation.objects.filter(
        Q(pk__in=persons.values("organisation")) | Q(pk__in=written.values("organisation"))
    )
    cities = City.objects.filter(
        Q(pk__in=persons.values("city"))
        | Q(pk__in=written.values("city"))
        | Q(pk__in=organisations.values("city"))
    )
    countries = set(cities.values_list("country_id", flat=True))
    countries |= set(organisations.exclude(country=None).values_list("country_id", flat=True))
    signed_in = persons.count()
    anonymous = anonymous_voters(ids)
    periods, first, last = _periods(ids)
    return Participation(
        participants=signed_in + anonymous,
        signed_in=signed_in,
        anonymous_voters=anonymous,
        contributions=written.count(),
        hidden_contributions=Contribution.objects.filter(
            consultation__in=ids, status=ContributionVisibility.HIDDEN
        ).count(),
        votes=votes(ids).count(),
        comments=Comment.objects.filter(
            contribution__consultation__in=ids,
            status=ContributionVisibility.VISIBLE,
            contribution__status=ContributionVisibility.VISIBLE,
        ).count(),
        endorsements=Endorsement.objects.filter(contribution__in=written.values("pk")).count(),
        statements=Statement.objects.filter(
            consultation__in=ids, status=Statement.Status.ACCEPTED
        ).count(),
        organisations=organisations.count(),
        cities=cities.count(),
        countries=len(countries),
        by_region=region_shares(ids),
        by_kind=kind_shares(ids),
        by_language=_language_shares(ids),
        periods=periods,
        first=first,
        last=last,
    )
