"""A person's data: all of it downloaded as JSON, or erased with their account.

The download gathers every row that points at the person, through every foreign key to
the user model in every installed app — so a model added later is exported too, under
"other records", until it gets a section of its own. Votes appear with the person's
pseudonymous voter number (``public_id``), as in every export of the forum.

Erasure keeps the user row as a nameless, inactive tombstone (no e-mail, no name, no
password, no organisation or city) rather than deleting it: whatever the person chose to
keep, and what others built on (statements and amendments others voted on, replies,
votes counted in the opinion map), stays consistent without a dangling reference, and
shows "former participant". Statement votes are cut from the account altogether: the
pseudonymous voter keeps its votes and history, with no link back to anyone.
``docs/privacy.md`` says what is kept and why.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cityforum.core.audit import record
from cityforum.core.models import AuditEvent

from .models import Role, User

#: The format of the download, so that a reader knows what it holds.
EXPORT_FORMAT = "cityforum-personal-data/1"

#: What replaces the person's name or e-mail address in the texts that are kept.
REDACTED = "[…]"

#: Names shorter than this are not searched for in texts (too many false matches).
MIN_NAME_LENGTH = 3


class Keep:
    """The person's choice for what they wrote."""

    DELETE = "delete"
    ANONYMISE = "anonymise"
    CHOICES = (DELETE, ANONYMISE)


# --- Where the person appears ----------------------------------------------------------------


def links_to_users() -> Iterator[tuple[type[models.Model], models.ForeignKey]]:
    """Every foreign key to the user model, in every model (through tables included)."""
    for model in apps.get_models(include_auto_created=True):
        if model is User:
            continue
        for field in model._meta.concrete_fields:
            if field.is_relation and field.related_model is User:
                yield model, field  # type: ignore[misc]


def _optional_model(label: str) -> type[models.Model] | None:
    try:
        return apps.get_model(label)
    except LookupError:
        return None


def _label(model: type[models.Model]) -> str:
    return model._meta.label_lower


# --- Download ------------------------------------------------------------------------


def _when(moment: Any) -> str | None:
    return moment.isoformat() if moment else None


def _profile(user: User) -> dict[str, Any]:
    organisation = user.organisation
    city = user.city
    return {
        "id": user.pk,
        "email": user.email,
        "display_name": user.display_name,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "role": user.role,
        "preferred_language": user.preferred_language,
        "organisation": None
        if organisation is None
        else {
            "id": organisation.pk,
            "name": organisation.name,
            "kind": organisation.kind,
            "country": organisation.country_id,
            "verified": organisation.verified,
        },
        "organisation_role": user.organisation_role,
        "city": None
        if city is None
        else {"id": city.pk, "name": city.name, "country": city.country_id},
        "moderated_regions": sorted(user.moderated_regions.values_list("code", flat=True)),
        "date_joined": _when(user.date_joined),
        "last_login": _when(user.last_login),
        "email_verified_at": _when(user.email_verified_at),
        "consented_at": _when(user.consented_at),
    }


def _contributions(user: User) -> list[dict[str, Any]]:
    from cityforum.participation.models import Contribution

    rows = []
    contributions = (
        Contribution.objects.filter(author=user)
        .select_related("consultation", "organisation", "city", "region", "on_behalf_of")
        .prefetch_related("capitals", "revisions")
        .order_by("created_at", "pk")
    )
    for c in contributions:
        rows.append(
            {
                "id": c.pk,
                "consultation": c.consultation.slug,
                "type": c.type,
                "title": c.title,
                "body": c.body,
                "language": c.language,
                "capitals": sorted(capital.code for capital in c.capitals.all()),
                "status": c.status,
                "moderation_reason": c.moderation_reason,
                "source": c.source,
                "meeting": {
                    "name": c.meeting_name,
                    "date": _when(c.meeting_date),
                    "place": c.meeting_place,
                    "on_behalf_of": c.on_behalf_of.name if c.on_behalf_of else None,
                }
                if c.source == Contribution.Source.WORKSHOP
                else None,
                "organisation": c.organisation.name if c.organisation else None,
                "city": c.city.name if c.city else None,
                "region": c.region.code if c.region else None,
                "created_at": _when(c.created_at),
                "updated_at": _when(c.updated_at),
                "history": [
                    {
                        "type": r.type,
                        "title": r.title,
                        "body": r.body,
                        "language": r.language,
                        "capitals": r.capitals,
                        "edited_at": _when(r.edited_at),
                    }
                    for r in c.revisions.all()
                ],
            }
        )
    return rows


def _comments(user: User) -> list[dict[str, Any]]:
    from cityforum.participation.models import Comment

    return [
        {
            "id": c.pk,
            "contribution": c.contribution_id,
            "reply_to": c.parent_id,
            "body": c.body,
            "status": c.status,
            "moderation_reason": c.moderation_reason,
            "created_at": _when(c.created_at),
        }
        for c in Comment.objects.filter(author=user).order_by("created_at", "pk")
    ]


def _endorsements(user: User) -> list[dict[str, Any]]:
    from cityforum.participation.models import Endorsement

    return [
        {
            "contribution": e.contribution_id,
            "title": e.contribution.title,
            "at": _when(e.created_at),
        }
        for e in Endorsement.objects.filter(person=user).select_related("contribution")
    ]


def _reports(user: User) -> list[dict[str, Any]]:
    from cityforum.participation.models import Report

    return [
        {
            "contribution": r.contribution_id,
            "comment": r.comment_id,
            "reason": r.reason,
            "created_at": _when(r.created_at),
            "resolved_at": _when(r.resolved_at),
        }
        for r in Report.objects.filter(reporter=user).order_by("created_at", "pk")
    ]


def _statements(user: User) -> list[dict[str, Any]]:
    from cityforum.statements.models import Statement

    return [
        {
            "id": s.pk,
            "consultation": s.consultation.slug,
            "text": s.text,
            "language": s.language,
            "status": s.status,
            "reason": s.reason,
            "created_at": _when(s.created_at),
        }
        for s in Statement.objects.filter(author=user).select_related("consultation")
    ]


def _votes(user: User) -> list[dict[str, Any]]:
    """One entry per consultation: the person's pseudonymous number, votes and history."""
    from cityforum.statements.models import Voter

    out = []
    voters = (
        Voter.objects.filter(user=user)
        .select_related("consultation")
        .prefetch_related("votes__statement", "vote_events")
        .order_by("pk")
    )
    for voter in voters:
        out.append(
            {
                "consultation": voter.consultation.slug,
                "voter": voter.public_id,
                "votes": [
                    {
                        "statement": v.statement_id,
                        "text": v.statement.text,
                        "value": v.value,
                        "revision": v.revision,
                        "first_cast_at": _when(v.created_at),
                        "last_cast_at": _when(v.updated_at),
                    }
                    for v in sorted(voter.votes.all(), key=lambda v: v.statement_id)
                ],
                "history": [
                    {
                        "statement": e.statement_id,
                        "value": e.value,
                        "revision": e.revision,
                        "cast_at": _when(e.cast_at),
                    }
                    for e in sorted(voter.vote_events.all(), key=lambda e: e.pk)
                ],
            }
        )
    return out


def _api_tokens(user: User) -> list[dict[str, Any]]:
    """What identifies a token to its owner; never its hash, which could be attacked."""
    return [
        {
            "prefix": t.prefix,
            "created_at": _when(t.created_at),
            "last_used_at": _when(t.last_used_at),
        }
        for t in user.api_tokens.order_by("created_at")
    ]


def _audit_events(user: User) -> list[dict[str, Any]]:
    """Events the person caused, or about them and what they wrote (who moderated is not said)."""
    from cityforum.participation.models import Comment, Contribution
    from cityforum.statements.models import Statement

    about = models.Q(actor=user) | models.Q(
        target_type=ContentType.objects.get_for_model(User), target_id=str(user.pk)
    )
    for model, field in ((Contribution, "author"), (Comment, "author"), (Statement, "author")):
        ids = model.objects.filter(**{field: user}).values_list("pk", flat=True)
        about |= _targets(model, ids)
    events = AuditEvent.objects.filter(about).select_related("target_type").order_by("at", "pk")
    return [
        {
            "verb": e.verb,
            "target": f"{e.target_type.app_label}.{e.target_type.model}",
            "target_id": e.target_id,
            "by_you": e.actor_id == user.pk,
            "reason": e.reason,
            "details": e.data,
            "at": _when(e.at),
        }
        for e in events
    ]


#: Foreign keys whose rows have a section of their own in the download.
SECTIONED = {
    "participation.contribution.author",
    "participation.contributionrevision.edited_by",
    "participation.comment.author",
    "participation.endorsement.person",
    "participation.report.reporter",
    "statements.statement.author",
    "statements.voter.user",
    "people.apitoken.user",
    "core.auditevent.actor",
}


def _row(instance: models.Model) -> dict[str, Any]:
    """A row as field name → value (foreign keys as ids), for the "other records" section."""
    values: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        if field.name in {"password", "key_hash"}:
            continue
        values[field.attname if field.is_relation else field.name] = field.value_from_object(
            instance
        )
    return values


def _other_records(user: User) -> dict[str, list[dict[str, Any]]]:
    """Every other row pointing at the person, by model and foreign key (amendments…)."""
    out: dict[str, list[dict[str, Any]]] = {}
    for model, field in links_to_users():
        key = f"{_label(model)}.{field.name}"
        if key in SECTIONED:
            continue
        rows = [_row(obj) for obj in model._default_manager.filter(**{field.name: user})]
        if rows:
            out[key] = rows
    return out


class _Encoder(DjangoJSONEncoder):
    """Django's encoder, and any other value (a file field, a geometry…) as its text."""

    def default(self, o: Any) -> Any:
        try:
            return super().default(o)
        except TypeError:
            return str(o)


def export_personal_data(user: User, *, by: Any) -> dict[str, Any]:
    """Everything the forum holds about ``user``, as plain JSON-ready data.

    Only the person themselves may download it (``people.download_data``).
    """
    if not (by and by.has_perm("people.download_data", user)):
        raise PermissionDenied(_("You may only download your own data."))
    data = {
        "format": EXPORT_FORMAT,
        "exported_at": _when(timezone.now()),
        "profile": _profile(user),
        "contributions": _contributions(user),
        "comments": _comments(user),
        "endorsements": _endorsements(user),
        "reports": _reports(user),
        "statements": _statements(user),
        "votes": _votes(user),
        "api_tokens": _api_tokens(user),
        "audit_events": _audit_events(user),
        "other_records": _other_records(user),
    }
    # Through the JSON encoder once, so that dates, decimals and UUIDs are plain strings.
    return json.loads(json.dumps(data, cls=_Encoder))


def summary(user: User) -> list[tuple[str, int]]:
    """How many of each thing the forum holds about the person (for the "my data" page)."""
    from cityforum.participation.models import Comment, Contribution, Endorsement, Report
    from cityforum.statements.models import Statement, Vote

    return [
        (_("Contributions"), Contribution.objects.filter(author=user).count()),
        (_("Comments"), Comment.objects.filter(author=user).count()),
        (_("Endorsements"), Endorsement.objects.filter(person=user).count()),
        (_("Reports"), Report.objects.filter(reporter=user).count()),
        (_("Statements proposed"), Statement.objects.filter(author=user).count()),
        (_("Votes on statements"), Vote.objects.filter(voter__user=user).count()),
        (_("API tokens"), user.api_tokens.count()),
    ]


# --- Erasure -------------------------------------------------------------------------


@dataclass(frozen=True)
class Erasure:
    """What an erasure did, in numbers only (it is also the audit event's details)."""

    contributions: str
    contributions_deleted: int
    comments_deleted: int
    voters_unlinked: int
    rows_redacted: int

    def as_data(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _needles(user: User) -> re.Pattern[str] | None:
    """A pattern matching the person's e-mail address and names, in any case.

    Names match as whole words only, longest first ("Ana Example" before "Ana"); names
    shorter than :data:`MIN_NAME_LENGTH` are left alone (they would match everywhere).
    """
    names = {user.display_name, user.first_name, user.last_name, user.get_full_name()}
    kept = {name.strip() for name in names if name and len(name.strip()) >= MIN_NAME_LENGTH}
    parts = [re.escape(user.email)] if user.email else []
    parts += [
        r"(?<!\w)" + re.escape(name) + r"(?!\w)" for name in sorted(kept, key=len, reverse=True)
    ]
    return re.compile("|".join(parts), re.IGNORECASE) if parts else None


def _redact_value(value: Any, pattern: re.Pattern[str]) -> Any:
    if isinstance(value, str):
        return pattern.sub(REDACTED, value)
    if isinstance(value, list):
        return [_redact_value(v, pattern) for v in value]
    if isinstance(value, dict):
        return {k: _redact_value(v, pattern) for k, v in value.items()}
    return value


def _text_fields(model: type[models.Model]) -> list[str]:
    return [
        f.name
        for f in model._meta.concrete_fields
        if isinstance(f, models.CharField | models.TextField | models.JSONField)
        and not f.choices
        and not f.is_relation
    ]


def _redact_rows(queryset: models.QuerySet[Any], pattern: re.Pattern[str]) -> int:
    """Replace the person's name and e-mail in the text columns of these rows; rows changed.

    ``update()`` rather than ``save()``: timestamps such as ``updated_at`` stay as they were.
    """
    fields = _text_fields(queryset.model)
    if not fields:
        return 0
    changed = 0
    for row in queryset.values("pk", *fields).iterator(chunk_size=500):
        changes = {}
        for name in fields:
            value = row[name]
            if value is None:
                continue
            new = _redact_value(value, pattern)
            if new != value:
                changes[name] = new
        if changes:
            queryset.model._default_manager.filter(pk=row["pk"]).update(**changes)
            changed += 1
    return changed


def _targets(model: type[models.Model], ids: Iterable[Any]) -> models.Q:
    return models.Q(
        target_type=ContentType.objects.get_for_model(model), target_id__in=[str(i) for i in ids]
    )


def _check_erasure(user: User, password: str, contributions: str, by: Any) -> None:
    if not (by and by.has_perm("people.erase_account", user)):
        raise PermissionDenied(_("You may only erase your own account."))
    if contributions not in Keep.CHOICES:
        raise ValidationError(
            _("Choose whether your contributions are deleted or kept anonymised."),
            code="contributions",
        )
    if not user.check_password(password or ""):
        raise ValidationError(
            _("The password is wrong: your account was not erased."), code="password"
        )
    organisers = User.objects.filter(role=Role.ORGANISER, is_active=True).exclude(pk=user.pk)
    if user.role == Role.ORGANISER and not organisers.exists():
        raise ValidationError(
            _(
                "You are the forum's last organiser: make someone else an organiser first, "
                "so that the forum can still be run."
            ),
            code="last_organiser",
        )


def _delete_contributions(user: User) -> tuple[int, int]:
    """The person's own contributions and comments; replies of others to them stay."""
    from cityforum.participation.models import Comment, Contribution

    # Workshop minutes speak for a meeting and an organisation, not for who typed them.
    own = Contribution.objects.filter(author=user, source=Contribution.Source.ONLINE)
    contributions = own.count()
    own.delete()
    Comment.objects.filter(parent__author=user).exclude(author=user).update(parent=None)
    comments, _by_model = Comment.objects.filter(author=user).delete()
    amendment_comment = _optional_model("drafting.AmendmentComment")
    if amendment_comment is not None:
        amendment_comment._default_manager.filter(parent__author=user).exclude(author=user).update(
            parent=None
        )
        deleted, _by_model = amendment_comment._default_manager.filter(author=user).delete()
        comments += deleted
    return contributions, comments


def _anonymise_contributions(user: User) -> None:
    """Kept contributions lose the organisation and city that could point at the person."""
    from cityforum.participation.models import Contribution

    Contribution.objects.filter(author=user, source=Contribution.Source.ONLINE).update(
        organisation=None, city=None
    )


def _redact_everywhere(user: User, pattern: re.Pattern[str] | None) -> int:
    """Every row pointing at the person, and the logs about them, without their name."""
    if pattern is None:
        return 0
    from cityforum.participation.models import Comment, Contribution

    changed = 0
    for model, field in links_to_users():
        changed += _redact_rows(model._default_manager.filter(**{field.name: user}), pattern)
    about = _targets(User, [user.pk])
    for model in (Contribution, Comment):
        about |= _targets(model, model.objects.filter(author=user).values_list("pk", flat=True))
    changed += _redact_rows(AuditEvent.objects.filter(about), pattern)
    changed += _redact_rows(
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(User), object_id=str(user.pk)
        ),
        pattern,
    )
    return changed


def _empty_the_account(user: User) -> None:
    user.email = f"erased-{secrets.token_hex(12)}@erased.invalid"
    user.display_name = ""
    user.first_name = ""
    user.last_name = ""
    user.organisation = None
    user.organisation_role = ""
    user.city = None
    user.role = Role.PARTICIPANT
    user.is_superuser = False
    user.is_active = False
    user.email_verified_at = None
    user.consented_at = None
    user.last_login = None
    user.erased_at = timezone.now()
    user.set_unusable_password()  # also ends every session of the account
    user.save()
    user.moderated_regions.clear()
    user.groups.clear()
    user.user_permissions.clear()


@transaction.atomic
def erase_account(user: User, *, password: str, contributions: str, by: Any) -> Erasure:
    """Erase ``user``'s personal data, in one transaction; nothing changes on bad input.

    ``contributions`` is :data:`Keep.DELETE` (their contributions and comments are
    deleted) or :data:`Keep.ANONYMISE` (kept, shown as "former participant", without
    organisation or city, their name and e-mail removed from the text). Either way:
    statement votes stay only as the pseudonymous voter's counts, with the link to the
    account cut; statements and amendments others voted on stay, without an author name;
    API tokens are deleted; the account can no longer sign in. The audit log records the
    erasure with numbers only. Raises ``ValidationError`` (wrong password, no choice, the
    last organiser) or ``PermissionDenied`` (someone else's account).
    """
    from cityforum.statements.models import Voter

    locked = User.objects.select_for_update().get(pk=user.pk)
    if locked.is_erased:
        raise ValidationError(_("This account is already erased."), code="erased")
    _check_erasure(locked, password, contributions, by)
    pattern = _needles(locked)
    deleted_contributions = deleted_comments = 0
    if contributions == Keep.DELETE:
        deleted_contributions, deleted_comments = _delete_contributions(locked)
    _anonymise_contributions(locked)
    voters = Voter.objects.filter(user=locked).update(user=None, session_key=None)
    locked.api_tokens.all().delete()
    redacted = _redact_everywhere(locked, pattern)
    _empty_the_account(locked)
    result = Erasure(
        contributions="deleted" if contributions == Keep.DELETE else "anonymised",
        contributions_deleted=deleted_contributions,
        comments_deleted=deleted_comments,
        voters_unlinked=voters,
        rows_redacted=redacted,
    )
    record("account.erase", locked, **result.as_data())
    user.refresh_from_db()
    return result
