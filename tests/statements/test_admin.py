"""The back office: voting settings are edited there; statements accepted via the service."""

from __future__ import annotations

from django.test import Client

from cityforum.core.models import AuditEvent
from cityforum.statements import services
from cityforum.statements.models import Statement

from .conftest import PASSWORD


def test_an_organiser_accepts_statements_from_the_admin_and_it_is_audited(
    client: Client, consultation, organiser, participant
) -> None:
    statement = services.add_statement(consultation, "From the floor.", by=participant)
    client.login(email=organiser.email, password=PASSWORD)
    client.post(
        "/admin/statements/statement/",
        {"action": "accept", "_selected_action": [statement.pk]},
    )
    assert Statement.objects.get().status == "accepted"
    assert AuditEvent.objects.filter(verb="statement.accept", target_id=str(statement.pk)).exists()
    assert client.get("/admin/statements/statement/add/").status_code == 403


def test_anonymous_voting_is_allowed_in_the_admin(client: Client, consultation, organiser) -> None:
    client.login(email=organiser.email, password=PASSWORD)
    response = client.post(
        "/admin/statements/votingsettings/add/",
        {"consultation": consultation.pk, "allow_anonymous": "on"},
    )
    assert response.status_code == 302
    assert consultation.voting_settings.allow_anonymous is True
