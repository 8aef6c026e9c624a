"""What is public, decided once per bundle: every dataset reads these sets and nothing else.

The rules, with the reasons ``docs/opendata.md`` gives:

- contributions: visible ones only (hidden by moderation: never), without their author;
- an author's organisation: only when an organiser verified it (an unverified name is
  whatever a person typed, and may name them); workshop minutes keep the organisation they
  speak for;
- statements: accepted ones only (pending and rejected texts were never shown);
- syntheses: approved themes runs only, as reviewed; each consultation's latest finished
  opinion map (what its page shows);
- amendments: those not hidden by moderation; nobody's name;
- organisations: those named above, and those that signed a document.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.db.models import Q, QuerySet


class Scope:
    """What may be published: querysets for the database, id sets for filtering JSON documents.

    Querysets are used as subqueries (``pk__in=scope.contributions()``), never as lists of
    ids, so that no query carries more parameters than a database accepts.
    """

    def contributions(self) -> QuerySet[Any]:
        from cityforum.participation.models import Contribution, Visibility

        return Contribution.objects.filter(status=Visibility.VISIBLE)

    def statements(self) -> QuerySet[Any]:
        from cityforum.statements.models import Statement

        return Statement.objects.filter(status=Statement.Status.ACCEPTED)

    def organisations(self) -> QuerySet[Any]:
        """Organisations some published row names: authors' verified ones, workshops', signers'."""
        from cityforum.drafting.models import Signature
        from cityforum.people.models import Organisation

        public = self.contributions()
        return Organisation.objects.filter(
            Q(pk__in=public.filter(organisation__verified=True).values("organisation_id"))
            | Q(pk__in=public.filter(on_behalf_of__isnull=False).values("on_behalf_of_id"))
            | Q(pk__in=Signature.objects.values("organisation_id"))
        )

    def theme_runs(self) -> QuerySet[Any]:
        from cityforum.synthesis.models import ThemeRun

        return ThemeRun.objects.filter(status=ThemeRun.Status.DONE, approved_at__isnull=False)

    def amendments(self) -> QuerySet[Any]:
        from cityforum.drafting.models import Amendment, Visibility

        return Amendment.objects.filter(visibility=Visibility.VISIBLE)

    @cached_property
    def contribution_ids(self) -> frozenset[int]:
        return frozenset(self.contributions().values_list("pk", flat=True))

    @cached_property
    def statement_ids(self) -> frozenset[int]:
        return frozenset(self.statements().values_list("pk", flat=True))

    @cached_property
    def verified_organisation_ids(self) -> frozenset[int]:
        from cityforum.people.models import Organisation

        return frozenset(Organisation.objects.filter(verified=True).values_list("pk", flat=True))

    @cached_property
    def theme_run_ids(self) -> frozenset[int]:
        return frozenset(self.theme_runs().values_list("pk", flat=True))

    @cached_property
    def opinion_run_ids(self) -> frozenset[int]:
        """Each consultation's latest finished opinion map, as its page shows it."""
        from cityforum.synthesis.models import OpinionMapRun

        latest: dict[int, int] = {}
        runs = (
            OpinionMapRun.objects.filter(status=OpinionMapRun.Status.DONE)
            .order_by("consultation_id", "-finished_at", "-pk")
            .values_list("consultation_id", "pk")
        )
        for consultation_id, pk in runs:
            latest.setdefault(consultation_id, pk)
        return frozenset(latest.values())
