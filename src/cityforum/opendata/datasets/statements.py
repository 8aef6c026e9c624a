"""Accepted statements and the current votes on them, voters known only by their number.

A voter's number is the random ``public_id`` of :class:`~cityforum.statements.models.Voter`,
different in each consultation: never a user id, an e-mail address or a session. The same
votes are in ``polis/<consultation>/`` in the Pol.is export format (see :mod:`..polis`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext_lazy as _

from ..schema import DATETIME, INTEGER, STRING, Dataset, Field, Ref, consultation_field
from ..scope import Scope


def _statement_rows(scope: Scope) -> Iterator[tuple[Any, ...]]:
    from cityforum.statements.models import Vote

    counts: Counter[tuple[int, int]] = Counter()
    votes = Vote.objects.filter(statement__in=scope.statements()).values_list(
        "statement_id", "value"
    )
    for statement_id, value in votes.iterator(chunk_size=10000):
        counts[(statement_id, value)] += 1
    rows = (
        scope.statements()
        .order_by("consultation__slug", "pk")
        .values_list("pk", "consultation__slug", "text", "language", "created_at")
    )
    for pk, consultation, text, language, created_at in rows.iterator(chunk_size=5000):
        yield (
            pk,
            consultation,
            text,
            language,
            created_at,
            counts[(pk, 1)],
            counts[(pk, -1)],
            counts[(pk, 0)],
        )


def _vote_rows(scope: Scope) -> Iterator[tuple[Any, ...]]:
    from cityforum.statements.models import Vote

    rows = (
        Vote.objects.filter(statement__in=scope.statements())
        .order_by("statement__consultation__slug", "updated_at", "pk")
        .values_list(
            "statement__consultation__slug",
            "statement_id",
            "voter__public_id",
            "value",
            "updated_at",
        )
    )
    yield from rows.iterator(chunk_size=10000)


DATASETS = (
    Dataset(
        name="statements",
        title=_("Statements"),
        description=_(
            "The short statements people vote on (the Pol.is method), accepted ones only, "
            "with their vote counts."
        ),
        fields=(
            Field(
                "id",
                INTEGER,
                "Number of the statement (comment-id in the Pol.is files)",
                required=True,
            ),
            consultation_field(),
            Field("text", STRING, "Text (at most 280 characters)", required=True),
            Field("language", STRING, "Language it is written in (empty: not known)"),
            Field("created_at", DATETIME, "When it was proposed (UTC)", required=True),
            Field("agrees", INTEGER, "Current votes agreeing", required=True),
            Field("disagrees", INTEGER, "Current votes disagreeing", required=True),
            Field("passes", INTEGER, "Current votes passing", required=True),
        ),
        primary_key=("id",),
        rows=_statement_rows,
        internal_ids=True,
        order="consultation, id",
        notes="Statements proposed by participants and not (yet) accepted are not published.",
    ),
    Dataset(
        name="votes",
        title=_("Votes"),
        description=_(
            "Each voter's current vote on each statement; voters are known only by a random "
            "number, different in each consultation."
        ),
        fields=(
            consultation_field(),
            Field(
                "statement",
                INTEGER,
                "The statement (statements.id)",
                required=True,
                ref=Ref("statements"),
            ),
            Field(
                "voter",
                INTEGER,
                "Pseudonymous voter number, random, valid in this consultation only",
                required=True,
            ),
            Field("vote", INTEGER, "1 agree, -1 disagree, 0 pass", required=True),
            Field("cast_at", DATETIME, "When the current vote was cast (UTC)", required=True),
        ),
        primary_key=("statement", "voter"),
        rows=_vote_rows,
        order="consultation, cast_at",
        notes="The same votes, in the Pol.is export format: polis/<consultation>/.",
    ),
)
