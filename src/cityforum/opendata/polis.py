"""Each consultation's votes in the Pol.is export format, as :mod:`cityforum.statements.exports`
writes them, reduced to what is public.

Three changes to the organisers' files: statements that are not accepted (pending, rejected)
are left out with their votes, as on the site; ``author-id`` is empty and ``n-comments`` 0,
because a statement's author would otherwise be linked to their own votes (the text of a
statement can say who wrote it). ``participants-votes.csv`` is recomputed accordingly.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from cityforum.programme.models import Consultation
from cityforum.statements import exports

FILES = ("comments.csv", "votes.csv", "participants-votes.csv")

#: The columns of the two files whose columns are fixed (participants-votes.csv adds one per
#: statement).
COMMENTS_COLUMNS = (
    "timestamp",
    "datetime",
    "comment-id",
    "author-id",
    "agrees",
    "disagrees",
    "moderated",
    "comment-body",
)
VOTES_COLUMNS = ("timestamp", "datetime", "comment-id", "voter-id", "vote")
PARTICIPANTS_COLUMNS = ("participant", "group-id", "n-comments", "n-votes", "n-agree", "n-disagree")


def _rows(text: str) -> tuple[list[str], list[list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, [])
    return header, list(reader)


def _write(header: Iterable[str], rows: Iterable[Iterable[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def polis_files(consultation: Consultation, accepted: frozenset[int]) -> dict[str, str]:
    """``{file name: CSV text}`` for one consultation, only accepted statements (by id)."""
    header, rows = _rows(exports.comments_csv(consultation))
    comments = []
    for row in rows:
        if int(row[2]) in accepted:
            row[3] = ""  # author-id
            comments.append(row)
    header_v, rows_v = _rows(exports.votes_csv(consultation))
    votes = [row for row in rows_v if int(row[2]) in accepted]
    header_p, rows_p = _rows(exports.participants_votes_csv(consultation))
    fixed = len(PARTICIPANTS_COLUMNS)
    kept = [i for i, name in enumerate(header_p[fixed:], fixed) if int(name) in accepted]
    participants = []
    for row in rows_p:
        values = [row[i] for i in kept]
        cast = [int(v) for v in values if v != ""]
        if not cast:
            continue
        participants.append([row[0], row[1], 0, len(cast), cast.count(1), cast.count(-1), *values])
    return {
        "comments.csv": _write(header, comments),
        "votes.csv": _write(header_v, votes),
        "participants-votes.csv": _write(
            [*header_p[:fixed], *(header_p[i] for i in kept)], participants
        ),
    }


def consultations_with_statements() -> list[Consultation]:
    """The consultations that have accepted statements, by slug."""
    from cityforum.statements.models import Statement

    accepted = Statement.objects.filter(status=Statement.Status.ACCEPTED)
    return list(
        Consultation.objects.filter(pk__in=accepted.values("consultation_id")).order_by("slug")
    )


def polis_schema(name: str) -> dict[str, object] | None:
    """The Table Schema of a Pol.is file; ``participants-votes.csv`` has one column per
    statement after its fixed ones, which a fixed schema cannot list: none is given."""
    integer, string = "integer", "string"
    fields = {
        "comments.csv": [
            ("timestamp", integer, "When the statement was proposed, in ms since 1970 (UTC)"),
            ("datetime", string, "The same, as Pol.is writes it"),
            ("comment-id", integer, "The statement (statements.id)"),
            ("author-id", string, "Always empty: authorship is not published"),
            ("agrees", integer, "Current votes agreeing"),
            ("disagrees", integer, "Current votes disagreeing"),
            ("moderated", integer, "1: accepted (only accepted statements are published)"),
            ("comment-body", string, "Text of the statement"),
        ],
        "votes.csv": [
            ("timestamp", integer, "When the current vote was cast, in ms since 1970 (UTC)"),
            ("datetime", string, "The same, as Pol.is writes it"),
            ("comment-id", integer, "The statement (statements.id)"),
            ("voter-id", integer, "Pseudonymous voter number (votes.voter)"),
            ("vote", integer, "1 agree, -1 disagree, 0 pass"),
        ],
    }.get(name)
    if fields is None:
        return None
    return {
        "fields": [
            {"name": n, "type": t, "description": d, "constraints": {"required": t == integer}}
            for n, t, d in fields
        ]
    }
