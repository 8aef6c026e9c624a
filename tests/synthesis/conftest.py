"""Fixtures of the synthesis tests: a consultation holding a real Pol.is conversation (vTaiwan's
UberX, 1,921 participants, CC BY 4.0), imported by the statements app's service."""

from __future__ import annotations

from pathlib import Path

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


@pytest.fixture
def conversation(consultation: Consultation, vtaiwan: Path) -> Consultation:
    """vTaiwan's statements and current votes written straight with the models (quicker than
    the import service, which also writes every vote event): statements keep their comment id
    as ``source_id`` (rejected when moderated out), voters their participant id as public id,
    and each pair's last vote is its current vote, first cast in the order of the log."""
    import datetime as dt

    from cityforum.analysis.polis_export import read_polis_export
    from cityforum.statements.models import Statement, Vote, Voter

    export = read_polis_export(vtaiwan)
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
    start = dt.datetime(2015, 8, 1, tzinfo=dt.UTC)
    current: dict[tuple[int, int], list] = {}
    for i, (pid, sid, value) in enumerate(
        zip(
            export.participants.tolist(),
            export.statements.tolist(),
            export.values.tolist(),
            strict=True,
        )
    ):
        moment = start + dt.timedelta(seconds=i)
        key = (statements[sid], voters[pid])
        if key in current:
            current[key][0] = value
            current[key][2] = moment
        else:
            current[key] = [value, moment, moment]
    Vote.objects.bulk_create(
        [
            Vote(statement_id=s, voter_id=v, value=value, created_at=first, updated_at=last)
            for (s, v), (value, first, last) in current.items()
        ],
        batch_size=5000,
    )
    return consultation
