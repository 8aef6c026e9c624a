"""The consultation's votes in the Pol.is export formats (read-only).

``votes.csv`` (``timestamp,datetime,comment-id,voter-id,vote``: one row per current vote),
``comments.csv`` and ``participants-votes.csv``, as Pol.is publishes them, so that the
opinion map (:mod:`cityforum.analysis.polis_export`) and Pol.is tools read them unchanged.
``comment-id`` is the statement id of this site; ``voter-id``/``participant``/``author-id``
are the voters' random public ids — never a user id nor an e-mail address.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import defaultdict

from cityforum.programme.models import Consultation

from .models import Statement, Vote, Voter

MODERATED = {
    Statement.Status.ACCEPTED: 1,
    Statement.Status.PENDING: 0,
    Statement.Status.REJECTED: -1,
}


def _millis(moment: dt.datetime) -> int:
    return int(moment.timestamp() * 1000)


def _polis_datetime(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%a %b %d %H:%M:%S UTC %Y")


def _writer() -> tuple[io.StringIO, csv.writer]:  # type: ignore[valid-type]
    buffer = io.StringIO()
    return buffer, csv.writer(buffer, lineterminator="\n")


def votes_csv(consultation: Consultation) -> str:
    buffer, writer = _writer()
    writer.writerow(["timestamp", "datetime", "comment-id", "voter-id", "vote"])
    rows = (
        Vote.objects.filter(statement__consultation=consultation)
        .order_by("updated_at", "pk")
        .values_list("updated_at", "statement_id", "voter__public_id", "value")
    )
    for moment, statement_id, voter_id, value in rows.iterator(chunk_size=5000):
        writer.writerow([_millis(moment), _polis_datetime(moment), statement_id, voter_id, value])
    return buffer.getvalue()


def comments_csv(consultation: Consultation) -> str:
    buffer, writer = _writer()
    writer.writerow(
        [
            "timestamp",
            "datetime",
            "comment-id",
            "author-id",
            "agrees",
            "disagrees",
            "moderated",
            "comment-body",
        ]
    )
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for statement_id, value in Vote.objects.filter(
        statement__consultation=consultation, value__in=[1, -1]
    ).values_list("statement_id", "value"):
        counts[statement_id][0 if value == 1 else 1] += 1
    authors = dict(
        Voter.objects.filter(consultation=consultation, user__isnull=False).values_list(
            "user_id", "public_id"
        )
    )
    for statement in Statement.objects.filter(consultation=consultation).order_by("pk"):
        agrees, disagrees = counts[statement.pk]
        writer.writerow(
            [
                _millis(statement.created_at),
                _polis_datetime(statement.created_at),
                statement.pk,
                authors.get(statement.author_id, ""),
                agrees,
                disagrees,
                MODERATED[statement.status],
                statement.text,
            ]
        )
    return buffer.getvalue()


def participants_votes_csv(consultation: Consultation) -> str:
    statement_ids = list(
        Statement.objects.filter(consultation=consultation)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    authored: dict[int, int] = defaultdict(int)
    for author_id in Statement.objects.filter(
        consultation=consultation, author__isnull=False
    ).values_list("author_id", flat=True):
        authored[author_id] += 1
    votes: dict[int, dict[int, int]] = defaultdict(dict)
    for voter_id, statement_id, value in Vote.objects.filter(
        statement__consultation=consultation
    ).values_list("voter_id", "statement_id", "value"):
        votes[voter_id][statement_id] = value
    buffer, writer = _writer()
    writer.writerow(
        ["participant", "group-id", "n-comments", "n-votes", "n-agree", "n-disagree"]
        + [str(sid) for sid in statement_ids]
    )
    voters = Voter.objects.filter(consultation=consultation).order_by("public_id")
    for voter in voters:
        mine = votes.get(voter.pk, {})
        if not mine:
            continue
        values = list(mine.values())
        writer.writerow(
            [
                voter.public_id,
                "",
                authored.get(voter.user_id, 0) if voter.user_id else 0,
                len(values),
                values.count(1),
                values.count(-1),
            ]
            + [mine.get(sid, "") for sid in statement_ids]
        )
    return buffer.getvalue()
