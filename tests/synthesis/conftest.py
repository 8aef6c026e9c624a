"""Fixtures of the synthesis tests: a consultation holding a real Pol.is conversation (vTaiwan's
UberX, 1,921 participants, CC BY 4.0), imported by the statements app's service."""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path
from typing import Any

import pytest

from cityforum.people.models import User
from cityforum.programme.models import Consultation

PASSWORD = "a-long-pass-phrase"


@pytest.fixture
def vtaiwan(shared_data: Path) -> Path:
    return shared_data / "polis" / "vtaiwan.uberx"


@pytest.fixture
def consultation(programme: None) -> Consultation:
    """The African regional consultation (empty: no statement, no vote)."""
    return Consultation.objects.get(slug="regional-africa")


@pytest.fixture
def organiser(programme: None) -> User:
    return User.objects.create_user("organiser@example.org", PASSWORD, role="organiser")


@pytest.fixture
def participant(programme: None) -> User:
    return User.objects.create_user("participant@example.org", PASSWORD, role="participant")


@pytest.fixture
def imported(consultation: Consultation, vtaiwan: Path) -> Consultation:
    """The consultation with vTaiwan's statements and votes, as ``cityforum import polis`` does."""
    from cityforum.statements.services import import_polis

    import_polis(consultation, vtaiwan, by=None, operator=True)
    return consultation


CurrentVote = tuple[int, int, int, dt.datetime, dt.datetime]


@functools.cache
def _vtaiwan_votes(folder: Path) -> tuple[Any, list[CurrentVote]]:
    """The export, and each (statement, participant) pair's current vote as (comment id,
    participant id, value, first cast, last cast), the log's order giving the times. Read
    once per test session: it is the same for every test."""
    from cityforum.analysis.polis_export import read_polis_export

    export = read_polis_export(folder)
    start = dt.datetime(2015, 8, 1, tzinfo=dt.UTC)
    current: dict[tuple[int, int], list[Any]] = {}
    for i, (pid, sid, value) in enumerate(
        zip(
            export.participants.tolist(),
            export.statements.tolist(),
            export.values.tolist(),
            strict=True,
        )
    ):
        moment = start + dt.timedelta(seconds=i)
        if (sid, pid) in current:
            current[sid, pid][0] = value
            current[sid, pid][2] = moment
        else:
            current[sid, pid] = [value, moment, moment]
    return export, [(sid, pid, *vote) for (sid, pid), vote in current.items()]


@pytest.fixture
def conversation(consultation: Consultation, vtaiwan: Path) -> Consultation:
    """vTaiwan's statements and current votes written straight to the tables (quicker than
    the import service, which also writes every vote event): statements keep their comment id
    as ``source_id`` (rejected when moderated out), voters their participant id as public id,
    and each pair's last vote is its current vote, first cast in the order of the log. The
    49,000 votes go in with one multi-row write (``COPY`` on PostgreSQL), a few seconds
    less per test than ``bulk_create``."""
    from django.db import connection

    from cityforum.statements.models import Statement, Vote, Voter

    export, votes = _vtaiwan_votes(vtaiwan)
    rejected = set(export.moderated_out.tolist())
    Statement.objects.bulk_create(
        [
            Statement(
                consultation=consultation,
                text=f"Statement {sid} of the vTaiwan conversation on UberX.",
                status=Statement.Status.REJECTED if sid in rejected else Statement.Status.ACCEPTED,
                source_id=sid,
            )
            for sid in export.statement_ids.tolist()
        ]
    )
    statements = dict(
        Statement.objects.filter(consultation=consultation).values_list("source_id", "pk")
    )
    Voter.objects.bulk_create(
        [
            Voter(consultation=consultation, public_id=pid, source_id=pid)
            for pid in dict.fromkeys(export.participants.tolist())
        ]
    )
    voters = dict(Voter.objects.filter(consultation=consultation).values_list("public_id", "pk"))
    rows = [
        (statements[sid], voters[pid], value, 1, first, last)
        for sid, pid, value, first, last in votes
    ]
    columns = "statement_id, voter_id, value, revision, created_at, updated_at"
    table = connection.ops.quote_name(Vote._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            cursor.executemany(
                f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s, %s, %s)",  # noqa: S608
                rows,
            )
    return consultation
