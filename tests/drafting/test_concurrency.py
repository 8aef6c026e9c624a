"""Two organisers accept two conflicting amendments to the same article at the same
moment: exactly one succeeds, the other gets the conflict, one new version only.

Meant for PostgreSQL (``pytest --postgres``), where the two threads run in parallel
transactions and the row locks decide who goes first.
"""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from cityforum.drafting import services
from cityforum.drafting.models import Amendment, Article, Version
from cityforum.drafting.seed import load_code_of_conduct
from cityforum.people.models import User
from cityforum.programme.seed import load_programme


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_organisers_accepting_at_once_one_wins_the_other_gets_a_conflict(
    transactional_db: None,
) -> None:
    assert connection.vendor == "postgresql"
    load_programme()
    document = load_code_of_conduct()
    document.consultation.status = "open"
    document.consultation.save(update_fields=["status"])
    article = document.articles.get(number=3)
    author = User.objects.create_user("p@example.org", "a-long-pass-phrase")
    organisers = [
        User.objects.create_user(f"o{i}@example.org", "a-long-pass-phrase", role="organiser")
        for i in range(2)
    ]
    amendments = [
        services.propose_amendment(
            document, article, by=author, kind="modify", text=text, rationale="Pourquoi pas."
        )
        for text in ("Texte A.", "Texte B.")
    ]
    versions_before = Version.objects.count()
    barrier = threading.Barrier(2)
    accepted: list[int] = []
    conflicts: list[ValidationError] = []
    failures: list[BaseException] = []
    lock = threading.Lock()

    def accept(amendment: Amendment, organiser: User) -> None:
        try:
            barrier.wait()
            version = services.accept_amendment(amendment, by=organiser)
            with lock:
                accepted.append(version.number)
        except ValidationError as error:
            with lock:
                conflicts.append(error)
        except BaseException as error:  # noqa: BLE001 - reported below
            failures.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=accept, args=(a, o))
        for a, o in zip(amendments, organisers, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert len(accepted) == 1 and len(conflicts) == 1
    assert conflicts[0].code == "conflict"
    assert f"changed by version {accepted[0]} since" in " ".join(conflicts[0].messages)
    assert Version.objects.count() == versions_before + 1
    statuses = sorted(Amendment.objects.values_list("status", flat=True))
    assert statuses == ["accepted", "pending"]
    winner = Amendment.objects.get(status="accepted")
    article = Article.objects.get(pk=article.pk)
    assert article.text_fr == winner.text
    assert article.source_revision == 2
