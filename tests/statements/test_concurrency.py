"""Concurrent votes of one voter on one statement: one row, holding the last vote committed.

Meant for PostgreSQL (``pytest --postgres``), where the threads really run in parallel
transactions; on SQLite the writes are serialised by the database lock.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from cityforum.statements import services
from cityforum.statements.models import Vote, VoteEvent, Voter

THREADS = 8
ROUNDS = 3


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_eight_threads_voting_at_once_leave_one_vote_with_the_last_value(
    transactional_db: None, consultation, organiser, participant
) -> None:
    assert connection.vendor == "postgresql"
    statement = services.add_statement(consultation, "Trains before roads.", by=organiser)
    acknowledged: list[services.CastVote] = []
    failures: list[BaseException] = []
    lock = threading.Lock()

    def vote(value: int, barrier: threading.Barrier) -> None:
        try:
            barrier.wait()
            cast = services.cast_vote(consultation, statement.pk, value, user=participant)
            with lock:
                acknowledged.append(cast)
        except BaseException as error:  # noqa: BLE001 - reported below
            failures.append(error)
        finally:
            connection.close()

    for _round in range(ROUNDS):
        barrier = threading.Barrier(THREADS)
        threads = [
            threading.Thread(target=vote, args=((i % 3) - 1, barrier)) for i in range(THREADS)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert failures == []
    assert len(acknowledged) == THREADS * ROUNDS
    last = max(acknowledged, key=lambda cast: cast.revision)
    vote = Vote.objects.get()
    assert (vote.value, vote.revision) == (last.value, THREADS * ROUNDS)
    assert sorted(c.revision for c in acknowledged) == list(range(1, THREADS * ROUNDS + 1))
    assert Voter.objects.count() == 1
    assert VoteEvent.objects.count() == THREADS * ROUNDS
    assert VoteEvent.objects.order_by("-revision").first().value == vote.value
