"""Imports: a Pol.is export round trip, and statements from CSV (all or nothing)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from cityforum.analysis.polis_export import read_polis_export
from cityforum.statements import exports, services
from cityforum.statements.models import Statement, Vote, VoteEvent, Voter

POLIS = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "polis"


def _current(participants, statements, values) -> dict[tuple[int, int], int]:
    last: dict[tuple[int, int], int] = {}
    for p, s, v in zip(participants.tolist(), statements.tolist(), values.tolist(), strict=True):
        last[(p, s)] = v
    return last


def test_a_polis_export_round_trips_through_the_votes_csv(
    consultation, organiser, tmp_path
) -> None:
    folder = POLIS / "vtaiwan.uberx"
    original = read_polis_export(folder)
    started = time.perf_counter()
    report = services.import_polis(consultation, folder, by=organiser)
    assert time.perf_counter() - started < 20
    assert report.events == len(original.values) == VoteEvent.objects.count()
    assert report.statements == len(original.statement_ids)

    (tmp_path / "votes.csv").write_text(exports.votes_csv(consultation), encoding="utf-8")
    (tmp_path / "comments.csv").write_text(exports.comments_csv(consultation), encoding="utf-8")
    again = read_polis_export(tmp_path)

    source_of = dict(Statement.objects.values_list("pk", "source_id"))
    expected = _current(original.participants, original.statements, original.values)
    found = {
        (p, source_of[s]): v
        for (p, s), v in _current(again.participants, again.statements, again.values).items()
    }
    assert found == expected
    assert Vote.objects.count() == len(expected)
    moderated_out = set(original.moderated_out.tolist())
    rejected = set(Statement.objects.filter(status="rejected").values_list("source_id", flat=True))
    assert rejected == moderated_out


def test_the_participants_votes_export_holds_the_same_current_votes(
    consultation, organiser, tmp_path
) -> None:
    folder = POLIS / "vtaiwan.uberx"
    services.import_polis(consultation, folder, by=organiser)
    (tmp_path / "participants-votes.csv").write_text(
        exports.participants_votes_csv(consultation), encoding="utf-8"
    )
    (tmp_path / "comments.csv").write_text(exports.comments_csv(consultation), encoding="utf-8")
    wide = read_polis_export(tmp_path)
    assert len(wide.values) == Vote.objects.count()


def test_a_polis_export_is_imported_once(consultation, organiser) -> None:
    services.import_polis(consultation, POLIS / "vtaiwan.uberx", by=organiser)
    count = VoteEvent.objects.count()
    with pytest.raises(ValidationError, match="already imported"):
        services.import_polis(consultation, POLIS / "vtaiwan.uberx", by=organiser)
    assert VoteEvent.objects.count() == count


def test_a_broken_polis_export_writes_nothing(consultation, organiser, tmp_path) -> None:
    (tmp_path / "comments.csv").write_text(
        "timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body\n"
        "1,x,0,0,0,0,1,Fine\n",
        encoding="utf-8",
    )
    (tmp_path / "votes.csv").write_text(
        "timestamp,datetime,comment-id,voter-id,vote\n1,x,0,0,1\n2,x,7,0,1\n", encoding="utf-8"
    )
    with pytest.raises(ValidationError, match="line 3"):
        services.import_polis(consultation, tmp_path, by=organiser)
    assert not Statement.objects.exists() and not Voter.objects.exists()


def test_statements_come_from_a_csv(consultation, organiser) -> None:
    data = b'text,language\nCities need budgets.,en\n"Les villes, d\'abord.",fr\n'
    statements = services.import_statements_csv(consultation, data, by=organiser)
    assert [(s.text, s.language, s.status) for s in statements] == [
        ("Cities need budgets.", "en", "accepted"),
        ("Les villes, d'abord.", "fr", "accepted"),
    ]


def test_every_invalid_row_is_reported_with_its_line_and_nothing_is_written(
    consultation, organiser
) -> None:
    data = ("text,language\nGood one.,en\n,en\nBad language.,xx\n" + "z" * 281 + ",fr\n").encode()
    with pytest.raises(ValidationError) as caught:
        services.import_statements_csv(consultation, data, by=organiser)
    messages = caught.value.messages
    assert [m.split(":")[0] for m in messages] == ["line 3", "line 4", "line 5"]
    assert not Statement.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"body,lang\nx,en\n", "missing: text, language"),
        ("text,language\nCaf\u00e9,fr\n".encode("latin-1"), "not UTF-8"),
        (b'text,language\n"broken,en\nmore,fr\n', "broken"),
        (b"text,language\n", "no statement"),
    ],
)
def test_a_bad_csv_gets_a_clear_message(consultation, organiser, data, message) -> None:
    with pytest.raises(ValidationError, match=message):
        services.import_statements_csv(consultation, data, by=organiser)
    assert not Statement.objects.exists()


def test_imports_are_for_organisers(consultation, participant) -> None:
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.import_statements_csv(consultation, b"text,language\nA.,en\n", by=participant)
    assert not Statement.objects.exists()
