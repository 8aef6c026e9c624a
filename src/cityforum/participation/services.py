"""Every write of the participation app: pages, API and the importer all come through here.

Each function validates its input (translated ``ValidationError`` messages), checks the
named rule (``PermissionDenied``), runs in one transaction, and writes the audit log for
moderation. Nothing is written when anything is wrong.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cityforum.analysis.text import detect_language
from cityforum.core.audit import record
from cityforum.programme.models import Capital, Consultation, Status

from .models import (
    BODY_MAX,
    COMMENT_MAX,
    LANGUAGES,
    MAX_CAPITALS,
    REASON_MAX,
    TITLE_MAX,
    Comment,
    Contribution,
    ContributionRevision,
    Endorsement,
    Report,
    Visibility,
)
from .rules import consultation_of, may


class AlreadyEndorsed(ValidationError):
    """The person already endorses this contribution (the API answers 409)."""


class ConsultationNotOpen(PermissionDenied):
    """The consultation does not take contributions now."""


# --- validation -----------------------------------------------------------------------------


def clean_text(value: Any, name: str, maximum: int) -> str:
    """``value`` stripped; refused when empty, over ``maximum`` characters or holding NUL."""
    text = str(value or "").strip()
    if not text:
        raise ValidationError({name: _("This field cannot be empty.")})
    if len(text) > maximum:
        raise ValidationError(
            {
                name: _("At most %(max)d characters (this one has %(n)d).")
                % {"max": maximum, "n": len(text)}
            }
        )
    if "\x00" in text:
        raise ValidationError({name: _("The text holds a NUL character.")})
    return text


def clean_type(value: Any) -> str:
    if value not in Contribution.Type.values:
        raise ValidationError(
            {
                "type": _("Unknown type “%(value)s”; the types are: %(all)s.")
                % {"value": value, "all": ", ".join(Contribution.Type.values)}
            }
        )
    return str(value)


def clean_language(value: Any, text: str) -> str:
    """A language code the forum knows, or the one detected in ``text``."""
    code = str(value or "").strip().lower()
    known = [c for c, _label in LANGUAGES]
    if code:
        if code not in known:
            raise ValidationError(
                {
                    "language": _("Unknown language “%(value)s”; the languages are: %(all)s.")
                    % {"value": value, "all": ", ".join(known)}
                }
            )
        return code
    detected = detect_language(text)
    if detected not in known:
        raise ValidationError(
            {"language": _("We could not tell which language this is written in: choose it.")}
        )
    return str(detected)


def clean_capitals(values: Iterable[Any] | None) -> list[Capital]:
    codes = list(dict.fromkeys(str(v).strip() for v in (values or []) if str(v).strip()))
    if not 1 <= len(codes) <= MAX_CAPITALS:
        raise ValidationError(
            {"capitals": _("Choose between 1 and %(max)d capitals.") % {"max": MAX_CAPITALS}}
        )
    capitals = list(Capital.objects.filter(code__in=codes))
    unknown = sorted(set(codes) - {c.code for c in capitals})
    if unknown:
        raise ValidationError(
            {
                "capitals": _("Unknown capital “%(value)s”; the capitals are: %(all)s.")
                % {"value": ", ".join(unknown), "all": ", ".join(Capital.Code.values)}
            }
        )
    return capitals


@dataclass
class Draft:
    """A contribution's content, validated."""

    type: str
    title: str
    body: str
    language: str
    capitals: list[Capital] = field(default_factory=list)


def clean_contribution(
    *, type: Any, title: Any, body: Any, language: Any = "", capitals: Any = None
) -> Draft:
    """Validate a contribution's content; every field's problem is reported at once."""
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    checks = {
        "type": lambda: clean_type(type),
        "title": lambda: clean_text(title, "title", TITLE_MAX),
        "body": lambda: clean_text(body, "body", BODY_MAX),
        "capitals": lambda: clean_capitals(capitals),
    }
    for name, check in checks.items():
        try:
            values[name] = check()
        except ValidationError as error:
            errors.update(error.message_dict)
    if "title" in values and "body" in values or language:
        try:
            values["language"] = clean_language(
                language, f"{values.get('title', '')}\n{values.get('body', '')}"
            )
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    return Draft(**values)


def _require(user: Any, perm: str, obj: Any, message: str) -> None:
    if not may(user, perm, obj):
        raise PermissionDenied(message)


def _require_open(consultation: Consultation) -> None:
    if consultation.status != Status.OPEN:
        raise ConsultationNotOpen(
            _("“%(title)s” is %(status)s: contributions are taken only while it is open.")
            % {"title": consultation.title, "status": Status(consultation.status).label}
        )


def _region_for(city: Any, organisation: Any, consultation: Consultation) -> Any:
    if organisation is not None and organisation.country_id:
        return organisation.country.section
    if city is not None:
        return city.country.section
    return consultation.region


# --- contributions --------------------------------------------------------------------------


@transaction.atomic
def contribute(
    consultation: Consultation,
    author: Any,
    *,
    type: Any,
    title: Any,
    body: Any,
    language: Any = "",
    capitals: Any = None,
) -> Contribution:
    """A participant's contribution to an open consultation, for their organisation and city."""
    _require_open(consultation)
    _require(
        author,
        "participation.add_contribution",
        consultation,
        _("Sign in to contribute."),
    )
    draft = clean_contribution(
        type=type, title=title, body=body, language=language, capitals=capitals
    )
    organisation = getattr(author, "organisation", None)
    city = getattr(author, "city", None)
    contribution = Contribution.objects.create(
        consultation=consultation,
        author=author,
        organisation=organisation,
        city=city,
        region=_region_for(city, organisation, consultation),
        type=draft.type,
        title=draft.title,
        body=draft.body,
        language=draft.language,
    )
    contribution.capitals.set(draft.capitals)
    return contribution


def clean_meeting(name: Any, date: Any, place: Any, on_behalf_of: Any) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    for key, value in (("meeting_name", name), ("meeting_place", place)):
        try:
            values[key] = clean_text(value, key, 200)
        except ValidationError as error:
            errors.update(error.message_dict)
    if isinstance(date, dt.datetime):
        date = date.date()
    if isinstance(date, str):
        try:
            date = dt.date.fromisoformat(date.strip())
        except ValueError:
            date = None
    if not isinstance(date, dt.date):
        errors["meeting_date"] = [_("Give the meeting's date as YYYY-MM-DD.")]
    values["meeting_date"] = date
    if on_behalf_of is None:
        errors["on_behalf_of"] = [_("Name the organisation the minutes speak for.")]
    values["on_behalf_of"] = on_behalf_of
    if errors:
        raise ValidationError(errors)
    return values


@transaction.atomic
def enter_workshop_minutes(
    consultation: Consultation,
    by: Any,
    *,
    type: Any,
    title: Any,
    body: Any,
    language: Any = "",
    capitals: Any = None,
    meeting_name: Any = "",
    meeting_date: Any = None,
    meeting_place: Any = "",
    on_behalf_of: Any = None,
    city: Any = None,
) -> Contribution:
    """A contribution gathered in a meeting, entered by a moderator for a named organisation."""
    _require_open(consultation)
    _require(
        by,
        "participation.enter_workshop_minutes",
        consultation,
        _("Only the consultation's moderators and the organisers enter workshop minutes."),
    )
    errors: dict[str, list[str]] = {}
    draft = meeting = None
    try:
        draft = clean_contribution(
            type=type, title=title, body=body, language=language, capitals=capitals
        )
    except ValidationError as error:
        errors.update(error.message_dict)
    try:
        meeting = clean_meeting(meeting_name, meeting_date, meeting_place, on_behalf_of)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors or draft is None or meeting is None:
        raise ValidationError(errors)
    contribution = Contribution.objects.create(
        consultation=consultation,
        author=by,
        organisation=meeting["on_behalf_of"],
        city=city,
        region=_region_for(city, meeting["on_behalf_of"], consultation),
        type=draft.type,
        title=draft.title,
        body=draft.body,
        language=draft.language,
        source=Contribution.Source.WORKSHOP,
        **meeting,
    )
    contribution.capitals.set(draft.capitals)
    record("contribution.workshop_minutes", contribution, actor=by, meeting=meeting["meeting_name"])
    return contribution


@transaction.atomic
def edit_contribution(
    contribution: Contribution,
    by: Any,
    *,
    type: Any,
    title: Any,
    body: Any,
    language: Any = "",
    capitals: Any = None,
) -> Contribution:
    """The author changes their contribution (30 minutes, until moderated); history kept."""
    locked = Contribution.objects.select_for_update().get(pk=contribution.pk)
    _require(
        by,
        "participation.change_contribution",
        locked,
        _("A contribution can be edited by its author for 30 minutes, until it is moderated."),
    )
    draft = clean_contribution(
        type=type, title=title, body=body, language=language, capitals=capitals
    )
    ContributionRevision.objects.create(
        contribution=locked,
        type=locked.type,
        title=locked.title,
        body=locked.body,
        language=locked.language,
        capitals=[c.code for c in locked.capitals.all()],
        edited_by=by,
    )
    locked.type, locked.title, locked.body = draft.type, draft.title, draft.body
    locked.language = draft.language
    locked.save()
    locked.capitals.set(draft.capitals)
    return locked


# --- endorsements and comments --------------------------------------------------------------


def endorse(contribution: Contribution, person: Any) -> Endorsement:
    """``person`` endorses ``contribution``; a second time raises :class:`AlreadyEndorsed`."""
    _require(
        person,
        "participation.endorse_contribution",
        contribution,
        _("You may endorse visible contributions of others while the consultation is open."),
    )
    try:
        with transaction.atomic():
            return Endorsement.objects.create(contribution=contribution, person=person)
    except IntegrityError:
        raise AlreadyEndorsed(_("You already endorse this contribution.")) from None


@transaction.atomic
def withdraw_endorsement(contribution: Contribution, person: Any) -> bool:
    """``person`` no longer endorses ``contribution``; False when they did not."""
    deleted, _rows = Endorsement.objects.filter(contribution=contribution, person=person).delete()
    return bool(deleted)


@transaction.atomic
def comment(
    contribution: Contribution, author: Any, body: Any, parent: Comment | None = None
) -> Comment:
    """A comment on a contribution, or a reply to a comment (replies are not replied to)."""
    _require(
        author,
        "participation.comment_contribution",
        contribution,
        _("You may comment on visible contributions while the consultation is open."),
    )
    text = clean_text(body, "body", COMMENT_MAX)
    if parent is not None:
        if parent.contribution_id != contribution.pk:
            raise ValidationError({"parent": _("That comment belongs to another contribution.")})
        if parent.parent_id is not None:
            raise ValidationError({"parent": _("Replies cannot be replied to; reply above.")})
        if parent.is_hidden:
            raise ValidationError({"parent": _("That comment is hidden.")})
    return Comment.objects.create(
        contribution=contribution, author=author, body=text, parent=parent
    )


# --- reporting and moderation ---------------------------------------------------------------


@transaction.atomic
def report(person: Any, target: Contribution | Comment, reason: Any) -> Report:
    """``person`` flags ``target`` for the moderators, once."""
    _require(
        person,
        "participation.report_content",
        target,
        _("Sign in to report content; you cannot report your own."),
    )
    text = clean_text(reason, "reason", REASON_MAX)
    key = "comment" if isinstance(target, Comment) else "contribution"
    if Report.objects.filter(reporter=person, resolved_at__isnull=True, **{key: target}).exists():
        raise ValidationError(_("You have already reported this; the moderators will look."))
    return Report.objects.create(reporter=person, reason=text, **{key: target})


class Action:
    HIDE = "hide"
    RESTORE = "restore"


@transaction.atomic
def moderate(target: Contribution | Comment, action: str, reason: Any, by: Any) -> Any:
    """Hide or restore a contribution or comment, with a reason its author can read.

    Either action ends the author's editing, closes the open reports on the target and
    writes the audit log.
    """
    _require(
        by,
        "participation.moderate",
        consultation_of(target),
        _("Only the consultation's moderators and the organisers moderate it."),
    )
    if action not in (Action.HIDE, Action.RESTORE):
        raise ValidationError({"action": _("The action is “hide” or “restore”.")})
    text = clean_text(reason, "reason", REASON_MAX)
    model = type(target)
    locked = model.objects.select_for_update().get(pk=target.pk)
    now = timezone.now()
    locked.status = Visibility.HIDDEN if action == Action.HIDE else Visibility.VISIBLE
    locked.moderated_at = now
    locked.moderation_reason = text
    locked.save(update_fields=["status", "moderated_at", "moderation_reason"])
    key = "comment" if model is Comment else "contribution"
    Report.objects.filter(resolved_at__isnull=True, **{key: locked}).update(
        resolved_at=now, resolved_by=by
    )
    record(f"{key}.{action}", locked, actor=by, reason=text)
    target.status, target.moderated_at = locked.status, now
    target.moderation_reason = text
    return locked


# --- import ---------------------------------------------------------------------------------


class ImportRefused(ValidationError):
    """A CSV file that cannot be imported; its messages name every problem (with lines)."""


#: Columns of a contributions CSV: the first five are required.
IMPORT_REQUIRED = ("author_email", "type", "title", "body", "capitals")
IMPORT_OPTIONAL = ("language", "organisation", "meeting_name", "meeting_date", "meeting_place")


@transaction.atomic
def import_contributions(
    consultation: Consultation, rows: Iterable[tuple[int, dict[str, str]]]
) -> list[Contribution]:
    """Import ``(line, row)`` pairs into an open consultation: all of them, or none.

    Each row is validated like a contribution typed on the site; a row with a meeting is
    workshop minutes on behalf of its ``organisation``. Raises :class:`ImportRefused`
    naming every invalid row by its line number, and writes nothing.
    """
    from cityforum.people.models import Organisation, User

    _require_open(consultation)
    problems: list[str] = []
    ready: list[tuple[Draft, dict[str, Any], Any, Any]] = []
    users = {u.email.lower(): u for u in User.objects.filter(is_active=True)}
    organisations = {o.name.casefold(): o for o in Organisation.objects.all()}
    for line, row in rows:
        errors: dict[str, list[str]] = {}
        author = users.get((row.get("author_email") or "").strip().lower())
        if author is None:
            errors["author_email"] = [_("No active person has this e-mail address.")]
        organisation = None
        if (row.get("organisation") or "").strip():
            organisation = organisations.get(row["organisation"].strip().casefold())
            if organisation is None:
                errors["organisation"] = [_("No organisation has this name.")]
        draft, meeting = None, {}
        try:
            draft = clean_contribution(
                type=(row.get("type") or "").strip(),
                title=row.get("title"),
                body=row.get("body"),
                language=row.get("language") or "",
                capitals=(row.get("capitals") or "").replace(",", ";").split(";"),
            )
        except ValidationError as error:
            errors.update(error.message_dict)
        if any((row.get(k) or "").strip() for k in ("meeting_name", "meeting_date")):
            try:
                meeting = clean_meeting(
                    row.get("meeting_name"),
                    row.get("meeting_date"),
                    row.get("meeting_place"),
                    organisation,
                )
            except ValidationError as error:
                errors.update(error.message_dict)
        if errors:
            detail = "; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items())
            problems.append(_("Line %(line)d: %(detail)s") % {"line": line, "detail": detail})
        elif draft is not None:
            ready.append((draft, meeting, author, organisation))
    if problems:
        raise ImportRefused(problems)
    if not ready:
        raise ImportRefused(_("The file holds no contributions."))
    created = []
    for draft, meeting, author, organisation in ready:
        organisation = organisation or author.organisation
        contribution = Contribution.objects.create(
            consultation=consultation,
            author=author,
            organisation=organisation,
            city=author.city,
            region=_region_for(author.city, organisation, consultation),
            type=draft.type,
            title=draft.title,
            body=draft.body,
            language=draft.language,
            source=Contribution.Source.WORKSHOP if meeting else Contribution.Source.ONLINE,
            **meeting,
        )
        contribution.capitals.set(draft.capitals)
        created.append(contribution)
    return created
