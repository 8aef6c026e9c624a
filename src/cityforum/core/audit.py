"""Writing the audit log. Call it inside the transaction of the change it records."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from .models import AuditEvent


def record(
    verb: str, target: models.Model, *, actor: Any = None, reason: str = "", **data: Any
) -> AuditEvent:
    """Log ``actor`` doing ``verb`` (e.g. ``"contribution.hide"``) to ``target``."""
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        verb=verb,
        target_type=ContentType.objects.get_for_model(target),
        target_id=str(target.pk),
        reason=reason,
        data=data,
    )


def history(target: models.Model) -> models.QuerySet[AuditEvent]:
    """Every event about ``target``, newest first."""
    return AuditEvent.objects.filter(
        target_type=ContentType.objects.get_for_model(target), target_id=str(target.pk)
    ).select_related("actor")
