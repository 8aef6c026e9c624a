"""Every change to the programme goes through here, so pages, API, admin and CLI agree."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from cityforum.core.audit import record

from .models import ALLOWED_TRANSITIONS, Consultation, Status, StatusChange


class TransitionNotAllowed(ValidationError):
    """A consultation was asked to move to a status its current one does not lead to."""


@transaction.atomic
def change_status(
    consultation: Consultation, to_status: str, *, by: Any = None, note: str = ""
) -> StatusChange:
    """Move a consultation one step along planned → open → closed → synthesised → published.

    The row is locked while it changes, so two organisers clicking at once cannot both
    move it; each change is logged with who made it. Raises
    :class:`TransitionNotAllowed` and writes nothing when the move is not allowed.
    """
    if to_status not in Status.values:
        raise TransitionNotAllowed(
            _("Unknown status “%(status)s”; the statuses are: %(all)s.")
            % {"status": to_status, "all": ", ".join(Status.values)}
        )
    locked = Consultation.objects.select_for_update().get(pk=consultation.pk)
    if to_status not in ALLOWED_TRANSITIONS[locked.status]:
        allowed = ", ".join(str(Status(s).label) for s in ALLOWED_TRANSITIONS[locked.status])
        raise TransitionNotAllowed(
            _("A consultation that is %(current)s cannot become %(target)s. %(allowed)s")
            % {
                "current": Status(locked.status).label,
                "target": Status(to_status).label,
                "allowed": (_("It can only become: %s.") % allowed)
                if allowed
                else _("It is final."),
            }
        )
    change = StatusChange.objects.create(
        consultation=locked,
        from_status=locked.status,
        to_status=to_status,
        changed_by=by if getattr(by, "pk", None) else None,
        note=note[:500],
    )
    locked.status = to_status
    locked.save(update_fields=["status"])
    record(
        "consultation.status",
        locked,
        actor=by,
        reason=note,
        from_status=change.from_status,
        to_status=to_status,
    )
    consultation.status = to_status
    return change
