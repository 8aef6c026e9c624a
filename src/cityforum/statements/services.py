"""Every write about statements and votes goes through here: pages, API, CLI and admin agree.

Votes are written with one ``INSERT … ON CONFLICT DO UPDATE`` (an upsert, on SQLite and
PostgreSQL alike), so that concurrent votes of the same voter on the same statement never
produce two rows nor fail: the last one to commit wins, and its ``revision`` is the highest.
Every vote is also appended to :class:`~.models.VoteEvent`, inside the same transaction.
"""

from __future__ import annotations

import contextlib
import secrets
from dataclasses import dataclass
from typing import Any

import rules
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cityforum.core import languages
from cityforum.core.audit import record
from cityforum.core.prepared import prepared_cursor
from cityforum.core.sqlite_writer import one_writer
from cityforum.programme import services as programme_services
from cityforum.programme.models import Consultation, Status, StatusChange

from .models import MAX_STATEMENT_LENGTH, Statement, Vote, VoteEvent, Voter
from .signals import polis_imported, vote_cast

VOTE_VALUES = (-1, 0, 1)
MAX_REASON_LENGTH = 500


class ConsultationNotOpen(ValidationError):
    """A vote on a consultation that is not open (a conflict with its state: HTTP 409)."""


def language_codes() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def clean_text(text: Any) -> str:
    """A statement's text with its spaces collapsed; empty or over-long is an error."""
    text = " ".join(str(text or "").split())
    if not text:
        raise ValidationError(_("Write the statement: it is empty."), code="empty")
    if len(text) > MAX_STATEMENT_LENGTH:
        raise ValidationError(
            _("A statement has at most %(max)d characters; this one has %(n)d.")
            % {"max": MAX_STATEMENT_LENGTH, "n": len(text)},
            code="too_long",
        )
    return text


def clean_language(language: Any) -> str:
    """A statement may be in any language the site speaks, not only the content languages."""
    return languages.clean_language(language, language_codes())


# --- Statements ----------------------------------------------------------------------


@transaction.atomic
def add_statement(
    consultation: Consultation, text: str, *, by: Any, language: str | None = None
) -> Statement:
    """Add a statement: accepted at once from organisers and the consultation's moderators,
    pending (in the moderation queue) from participants."""
    text = clean_text(text)
    language = clean_language(language or getattr(by, "preferred_language", "") or "fr")
    if not rules.test_rule("statements.add", by, consultation):
        if consultation.status != Status.OPEN and getattr(by, "is_authenticated", False):
            raise PermissionDenied(
                _("Statements can only be proposed while the consultation is open.")
            )
        raise PermissionDenied(_("Sign in to propose a statement."))
    accepted = rules.test_rule("statements.accepted_at_once", by, consultation)
    now = timezone.now()
    statement = Statement.objects.create(
        consultation=consultation,
        text=text,
        language=language,
        author=by,
        status=Statement.Status.ACCEPTED if accepted else Statement.Status.PENDING,
        moderated_by=by if accepted else None,
        moderated_at=now if accepted else None,
    )
    if accepted:
        record("statement.accept", statement, actor=by, reason=_("Added by a moderator."))
    return statement


@transaction.atomic
def moderate_statement(
    statement: Statement, *, by: Any, accept: bool, reason: str = ""
) -> Statement:
    """Accept a statement, or reject it with a reason; audited either way."""
    reason = " ".join(str(reason or "").split())
    if not rules.test_rule("statements.moderate", by, statement.consultation):
        raise PermissionDenied(_("You may not moderate the statements of this consultation."))
    if not accept and not reason:
        raise ValidationError(_("Give the reason for rejecting the statement."), code="reason")
    if len(reason) > MAX_REASON_LENGTH:
        raise ValidationError(
            _("The reason has at most %(n)d characters.") % {"n": MAX_REASON_LENGTH},
            code="reason",
        )
    locked = Statement.objects.select_for_update().get(pk=statement.pk)
    locked.status = Statement.Status.ACCEPTED if accept else Statement.Status.REJECTED
    locked.reason = "" if accept else reason
    locked.moderated_by = by
    locked.moderated_at = timezone.now()
    locked.save(update_fields=["status", "reason", "moderated_by", "moderated_at"])
    record("statement.accept" if accept else "statement.reject", locked, actor=by, reason=reason)
    for field in ("status", "reason", "moderated_by", "moderated_at"):
        setattr(statement, field, getattr(locked, field))
    return locked


@transaction.atomic
def change_consultation_status(
    consultation: Consultation, to_status: str, *, by: Any, note: str = ""
) -> StatusChange:
    """Open, close… a consultation (organisers); the transition rules are the programme's."""
    if not rules.test_rule("statements.run", by, consultation):
        raise PermissionDenied(_("Only organisers may open or close a consultation."))
    return programme_services.change_status(consultation, to_status, by=by, note=note)


@transaction.atomic
def set_anonymous_voting(consultation: Consultation, allow: bool, *, by: Any) -> None:
    from .models import VotingSettings

    if not rules.test_rule("statements.run", by, consultation):
        raise PermissionDenied(_("Only organisers may allow anonymous voting."))
    VotingSettings.objects.update_or_create(
        consultation=consultation, defaults={"allow_anonymous": allow}
    )
    record("consultation.anonymous_voting", consultation, actor=by, allow=allow)


# --- Voters and votes ----------------------------------------------------------------


def _new_public_id() -> int:
    return 1_000_000 + secrets.randbelow(2**31 - 1_000_000)


def voter_for(
    consultation: Consultation, *, user: Any = None, session_key: str | None = None
) -> Voter:
    """The voter of ``user`` (or of the anonymous ``session_key``) in ``consultation``.

    Created on first use with a random public id; safe when two requests race.
    """
    if getattr(user, "is_authenticated", False):
        lookup: dict[str, Any] = {"user": user}
    elif session_key:
        lookup = {"session_key": session_key}
    else:
        raise PermissionDenied(_("Sign in to vote."))
    for _attempt in range(5):
        voter = Voter.objects.filter(consultation=consultation, **lookup).first()
        if voter is not None:
            return voter
        try:
            with transaction.atomic():
                return Voter.objects.create(
                    consultation=consultation, public_id=_new_public_id(), **lookup
                )
        except IntegrityError:
            continue  # the same person in a parallel request, or a public id already taken
    raise RuntimeError("could not create a voter")  # pragma: no cover


@dataclass(frozen=True)
class CastVote:
    vote_id: int
    statement_id: int
    value: int
    revision: int  # 1 for a first vote, higher when it replaced an earlier one

    @property
    def created(self) -> bool:
        return self.revision == 1


def _clean_value(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        value = None
    try:
        number = int(value) if value is not None else None
    except (TypeError, ValueError):
        number = None
    if number not in VOTE_VALUES:
        raise ValidationError(
            _("A vote is 1 (agree), -1 (disagree) or 0 (pass), not “%(value)s”.")
            % {"value": value},
            code="value",
        )
    return number


def _voted(consultation_id: int) -> None:
    """Tell listeners (the live opinion map) that a vote was written; free without them."""
    if vote_cast.receivers:
        vote_cast.send(sender=Vote, consultation_id=consultation_id)


def _one_writer() -> contextlib.AbstractContextManager[Any]:
    return one_writer(connection)


def _record_vote(statement_id: int, voter_id: int, value: int) -> tuple[int, int]:
    """Upsert the current vote and append the event, in one short transaction.

    Raw SQL, on purpose: this is the platform's hottest write, and the ORM has no upsert
    that also tells a first vote from a replacement (``revision`` does).
    """
    vote = connection.ops.quote_name(Vote._meta.db_table)
    event = connection.ops.quote_name(VoteEvent._meta.db_table)
    now = timezone.now()
    with _one_writer(), transaction.atomic(), connection.cursor() as cursor:
        stamp = connection.ops.adapt_datetimefield_value(now)
        cursor.execute(
            f"INSERT INTO {vote} (statement_id, voter_id, value, revision, created_at, updated_at)"  # noqa: S608 - table names from the models, values bound
            " VALUES (%s, %s, %s, 1, %s, %s)"
            " ON CONFLICT (statement_id, voter_id) DO UPDATE SET value = excluded.value,"
            f" revision = {vote}.revision + 1, updated_at = excluded.updated_at"
            " RETURNING id, revision",
            [statement_id, voter_id, value, stamp, stamp],
        )
        vote_id, revision = cursor.fetchone()
        cursor.execute(
            f"INSERT INTO {event} (statement_id, voter_id, value, revision, cast_at)"  # noqa: S608 - table names from the models, values bound
            " VALUES (%s, %s, %s, %s, %s)",
            [statement_id, voter_id, value, revision, stamp],
        )
    return int(vote_id), int(revision)


def _not_votable(statement_id: Any) -> ValidationError:
    return ValidationError(
        _("There is no statement %(id)s open to votes in this consultation.")
        % {"id": statement_id},
        code="statement",
    )


def _not_open(status: str) -> ConsultationNotOpen:
    return ConsultationNotOpen(
        _("Voting is closed: the consultation is %(status)s.") % {"status": Status(status).label},
        code="not_open",
    )


def _statement_id(statement_id: Any) -> int | None:
    if isinstance(statement_id, bool):
        return None
    try:
        return int(statement_id)
    except (TypeError, ValueError):
        return None


def _check_voter(who: Any, consultation: Consultation) -> None:
    if not rules.test_rule("statements.vote", who, consultation):
        if getattr(who, "is_authenticated", False):
            raise PermissionDenied(_("You may not vote in this consultation."))
        raise PermissionDenied(_("Sign in to vote."))


def cast_vote(
    consultation: Consultation,
    statement_id: Any,
    value: Any,
    *,
    user: Any = None,
    session_key: str | None = None,
) -> CastVote:
    """Record a vote (1 agree, -1 disagree, 0 pass) on an accepted statement of an open
    consultation. A new vote replaces the voter's earlier one; both stay in the history."""
    value = _clean_value(value)
    if consultation.status != Status.OPEN:
        raise _not_open(consultation.status)
    _check_voter(user, consultation)
    sid = _statement_id(statement_id)
    accepted = (
        sid is not None
        and Statement.objects.filter(
            pk=sid, consultation=consultation, status=Statement.Status.ACCEPTED
        ).exists()
    )
    if not accepted:
        raise _not_votable(statement_id)
    voter = voter_for(consultation, user=user, session_key=session_key)
    vote_id, revision = _record_vote(sid, voter.pk, value)  # type: ignore[arg-type]
    _voted(consultation.pk)
    return CastVote(vote_id=vote_id, statement_id=sid, value=value, revision=revision)  # type: ignore[arg-type]


def cast_vote_by_id(consultation_id: int, statement_id: Any, value: Any, *, user: Any) -> CastVote:
    """:func:`cast_vote` for the API, by ids, in as few queries as it takes (the hot path).

    One query reads the consultation's status, the statement's and the voter's id
    together; then the upsert. Raises ``Consultation.DoesNotExist`` for an unknown
    consultation.
    """
    value = _clean_value(value)
    sid = _statement_id(statement_id)
    consultation_table = connection.ops.quote_name(Consultation._meta.db_table)
    statement_table = connection.ops.quote_name(Statement._meta.db_table)
    voter_table = connection.ops.quote_name(Voter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT c.status, s.status, v.id FROM {consultation_table} c"  # noqa: S608 - table names from the models, values bound
            f" LEFT JOIN {statement_table} s ON s.id = %s AND s.consultation_id = c.id"
            f" LEFT JOIN {voter_table} v ON v.consultation_id = c.id AND v.user_id = %s"
            " WHERE c.id = %s",
            [sid if sid is not None else -1, getattr(user, "pk", None) or -1, consultation_id],
        )
        row = cursor.fetchone()
    if row is None:
        raise Consultation.DoesNotExist
    consultation_status, statement_status, voter_id = row
    consultation = Consultation(pk=consultation_id, status=consultation_status)
    if consultation_status != Status.OPEN:
        raise _not_open(consultation_status)
    _check_voter(user, consultation)
    if statement_status != Statement.Status.ACCEPTED:
        raise _not_votable(statement_id)
    if voter_id is None:
        voter_id = voter_for(consultation, user=user).pk
    vote_id, revision = _record_vote(sid, voter_id, value)  # type: ignore[arg-type]
    _voted(consultation_id)
    return CastVote(vote_id=vote_id, statement_id=sid, value=value, revision=revision)  # type: ignore[arg-type]


def cast_vote_fast(
    consultation_id: int, statement_id: Any, value: Any, *, user_id: int, token_hash: str
) -> CastVote | None:
    """The vote of a bearer-token client that has voted in this consultation before, in one
    statement: the token, the person, the consultation's status, the statement's and the
    voter's row are all checked by the ``INSERT … SELECT … ON CONFLICT`` that writes the
    vote, so the common case costs one round trip plus the history row.

    Returns ``None`` when that statement wrote nothing (unknown or revoked token, closed
    consultation, statement not accepted, first vote in the consultation…): the caller then
    takes :func:`cast_vote_by_id`, which finds out why and says it. ``value`` is validated
    first, so a bad value is refused the same way on both paths.
    """
    value = _clean_value(value)
    sid = _statement_id(statement_id)
    if sid is None:
        return None
    from cityforum.people.models import ApiToken, User

    q = connection.ops.quote_name
    vote, event = q(Vote._meta.db_table), q(VoteEvent._meta.db_table)
    statement, consultation = q(Statement._meta.db_table), q(Consultation._meta.db_table)
    voter, user, token = q(Voter._meta.db_table), q(User._meta.db_table), q(ApiToken._meta.db_table)
    stamp = connection.ops.adapt_datetimefield_value(timezone.now())
    upsert = (
        f"INSERT INTO {vote} (statement_id, voter_id, value, revision, created_at, updated_at)"  # noqa: S608 - table names from the models, values bound
        f" SELECT s.id, v.id, %s, 1, %s, %s FROM {statement} s"
        f" JOIN {consultation} c ON c.id = s.consultation_id"
        f" JOIN {voter} v ON v.consultation_id = c.id AND v.user_id = %s"
        f" JOIN {user} u ON u.id = v.user_id"
        f" JOIN {token} t ON t.user_id = u.id"
        " WHERE s.id = %s AND c.id = %s AND c.status = %s AND s.status = %s"
        " AND u.is_active AND t.key_hash = %s"
        " ON CONFLICT (statement_id, voter_id) DO UPDATE SET value = excluded.value,"
        f" revision = {vote}.revision + 1, updated_at = excluded.updated_at"
    )
    params = [
        value,
        stamp,
        stamp,
        user_id,
        sid,
        consultation_id,
        str(Status.OPEN),
        str(Statement.Status.ACCEPTED),
        token_hash,
    ]
    if connection.vendor == "postgresql":
        # One statement, so one round trip and its own transaction: the history row is
        # written by a data-modifying CTE from the upsert's RETURNING. Prepared once per
        # connection: planning this statement cost PostgreSQL more than running it.
        with prepared_cursor() as cursor:
            cursor.execute(
                f"WITH cast_vote AS ({upsert} RETURNING id, statement_id, voter_id, value,"  # noqa: S608 - table names from the models, values bound
                " revision, updated_at), history AS ("
                f" INSERT INTO {event} (statement_id, voter_id, value, revision, cast_at)"
                " SELECT statement_id, voter_id, value, revision, updated_at FROM cast_vote)"
                " SELECT id, revision FROM cast_vote",
                params,
            )
            row = cursor.fetchone()
        if row is None:
            return None
        vote_id, revision = row
        _voted(consultation_id)
        return CastVote(vote_id=int(vote_id), statement_id=sid, value=value, revision=int(revision))
    with _one_writer(), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(upsert + " RETURNING id, voter_id, revision", params)
        row = cursor.fetchone()
        if row is None:
            return None
        vote_id, voter_id, revision = row
        cursor.execute(
            f"INSERT INTO {event} (statement_id, voter_id, value, revision, cast_at)"  # noqa: S608 - table names from the models, values bound
            " VALUES (%s, %s, %s, %s, %s)",
            [sid, voter_id, value, revision, stamp],
        )
    _voted(consultation_id)
    return CastVote(vote_id=int(vote_id), statement_id=sid, value=value, revision=int(revision))


def accepted_statements(consultation: Consultation) -> Any:
    return Statement.objects.filter(
        consultation=consultation, status=Statement.Status.ACCEPTED
    ).order_by("pk")


def next_statement(consultation: Consultation, voter: Voter | None) -> Statement | None:
    """The first accepted statement the voter has not voted on yet."""
    statements = accepted_statements(consultation)
    if voter is not None:
        statements = statements.exclude(votes__voter=voter)
    return statements.first()


# --- Imports -------------------------------------------------------------------------


def _require_organiser(by: Any, consultation: Consultation, operator: bool = False) -> None:
    """Organisers import; so does the server's operator at the command line (``operator``)."""
    if not operator and not rules.test_rule("statements.run", by, consultation):
        raise PermissionDenied(_("Only organisers may import statements and votes."))


def _decode(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ValidationError(
            _("%(file)s, line %(line)d: the file is not UTF-8 text; save it as CSV UTF-8.")
            % {"file": name, "line": line},
            code="encoding",
        ) from None


def _csv_rows(text: str, name: str, required: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    """Rows with their first physical line number; a broken quote or wrong columns is an error."""
    import csv
    import io

    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[tuple[int, dict[str, str]]] = []
    try:
        header = [cell.strip() for cell in next(reader, [])]
        missing = [column for column in required if column not in header]
        if missing:
            raise ValidationError(
                _("%(file)s, line 1: the columns must be %(required)s; missing: %(missing)s.")
                % {"file": name, "required": ", ".join(required), "missing": ", ".join(missing)},
                code="columns",
            )
        while True:
            start = reader.line_num + 1
            cells = next(reader, None)
            if cells is None:
                return rows
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) != len(header):
                raise ValidationError(
                    _("%(file)s, line %(line)d: %(found)d fields where the header has %(n)d.")
                    % {"file": name, "line": start, "found": len(cells), "n": len(header)},
                    code="fields",
                )
            rows.append((start, dict(zip(header, cells, strict=True))))
    except csv.Error as error:
        raise ValidationError(
            _("%(file)s, line %(line)d: the CSV is broken (%(error)s); check the quotes.")
            % {"file": name, "line": reader.line_num, "error": error},
            code="csv",
        ) from None


@transaction.atomic
def import_statements_csv(
    consultation: Consultation,
    data: bytes,
    *,
    by: Any,
    name: str = "statements.csv",
    operator: bool = False,
) -> list[Statement]:
    """Statements from a CSV with the columns ``text,language``, accepted at once.

    All or nothing: every invalid row is reported with its line number, and then nothing
    is written.
    """
    _require_organiser(by, consultation, operator)
    rows = _csv_rows(_decode(data, name), name, ("text", "language"))
    errors: list[str] = []
    clean: list[tuple[str, str]] = []
    for line, row in rows:
        try:
            clean.append((clean_text(row["text"]), clean_language(row["language"].strip())))
        except ValidationError as error:
            errors.append(
                _("line %(line)d: %(error)s") % {"line": line, "error": error.messages[0]}
            )
    if errors:
        raise ValidationError(errors, code="rows")
    if not clean:
        raise ValidationError(_("%(file)s holds no statement.") % {"file": name}, code="empty")
    now = timezone.now()
    statements = Statement.objects.bulk_create(
        [
            Statement(
                consultation=consultation,
                text=text,
                language=language,
                author=by if getattr(by, "pk", None) else None,
                status=Statement.Status.ACCEPTED,
                moderated_by=by if getattr(by, "pk", None) else None,
                moderated_at=now,
            )
            for text, language in clean
        ]
    )
    record("statements.import", consultation, actor=by, count=len(statements), file=name)
    return statements


@dataclass(frozen=True)
class PolisImport:
    statements: int
    voters: int
    votes: int
    events: int


@transaction.atomic
def import_polis(
    consultation: Consultation, folder: Any, *, by: Any, operator: bool = False
) -> PolisImport:
    """A Pol.is export folder (``comments.csv`` with ``votes.csv`` or
    ``participants-votes.csv``) into ``consultation``: statements keep their comment id
    (``source_id``), participants become voters whose public id is their Pol.is id, every
    vote of the log becomes a vote event and the last one per participant and statement
    the current vote. Comments moderated out (``-1``) are imported as rejected.
    """
    import datetime as dt
    from collections import Counter
    from pathlib import Path

    from cityforum.analysis.polis_export import PolisExportError, read_polis_export

    _require_organiser(by, consultation, operator)
    folder = Path(folder)
    try:
        export = read_polis_export(folder)
    except PolisExportError as error:
        raise ValidationError(str(error), code="polis") from None
    name = str(folder / "comments.csv")
    rows = _csv_rows(
        _decode((folder / "comments.csv").read_bytes(), name),
        name,
        ("comment-id", "moderated", "comment-body"),
    )
    errors: list[str] = []
    texts: dict[int, tuple[str, int]] = {}
    for line, row in rows:
        try:
            texts[int(row["comment-id"])] = (clean_text(row["comment-body"]), int(row["moderated"]))
        except ValidationError as error:
            errors.append(
                _("line %(line)d: %(error)s") % {"line": line, "error": error.messages[0]}
            )
    if errors:
        raise ValidationError([f"{name}: {message}" for message in errors], code="rows")
    if Statement.objects.filter(consultation=consultation, source_id__isnull=False).exists():
        raise ValidationError(
            _("A Pol.is export was already imported into this consultation."), code="duplicate"
        )

    now = timezone.now()
    statements = Statement.objects.bulk_create(
        [
            Statement(
                consultation=consultation,
                text=text,
                language="",
                status=Statement.Status.REJECTED if moderated == -1 else Statement.Status.ACCEPTED,
                reason=_("Moderated out in Pol.is.") if moderated == -1 else "",
                moderated_by=by if getattr(by, "pk", None) else None,
                moderated_at=now,
                source_id=sid,
            )
            for sid, (text, moderated) in texts.items()
        ],
        batch_size=500,
    )
    by_source = {
        s.source_id: s.pk
        for s in Statement.objects.filter(consultation=consultation, source_id__isnull=False).only(
            "pk", "source_id"
        )
    }
    del statements

    pids = sorted({int(p) for p in export.participants.tolist()})
    taken = set(
        Voter.objects.filter(consultation=consultation, public_id__in=pids).values_list(
            "public_id", flat=True
        )
    )
    if taken:
        raise ValidationError(
            _("Participant ids of the export are already used by voters of this consultation."),
            code="duplicate",
        )
    Voter.objects.bulk_create(
        [Voter(consultation=consultation, public_id=p, source_id=p) for p in pids],
        batch_size=1000,
    )
    voters = dict(
        Voter.objects.filter(consultation=consultation, source_id__isnull=False).values_list(
            "source_id", "pk"
        )
    )

    votes_log = folder / "votes.csv"
    if votes_log.exists():
        stamps = sorted(
            int(row["timestamp"])
            for _line, row in _csv_rows(
                _decode(votes_log.read_bytes(), str(votes_log)), str(votes_log), ("timestamp",)
            )
        )
        moments = [dt.datetime.fromtimestamp(ms / 1000, tz=dt.UTC) for ms in stamps]
    else:
        moments = [now] * len(export.values)

    events: list[VoteEvent] = []
    current: dict[tuple[int, int], tuple[int, Any, Any]] = {}
    revisions: Counter[tuple[int, int]] = Counter()
    for pid, sid, value, moment in zip(
        export.participants.tolist(),
        export.statements.tolist(),
        export.values.tolist(),
        moments,
        strict=True,
    ):
        key = (by_source[sid], voters[pid])
        revisions[key] += 1
        events.append(
            VoteEvent(
                statement_id=key[0],
                voter_id=key[1],
                value=value,
                revision=revisions[key],
                cast_at=moment,
            )
        )
        first = current.get(key, (value, moment, moment))[2]
        current[key] = (value, moment, first)
    VoteEvent.objects.bulk_create(events, batch_size=2000)
    Vote.objects.bulk_create(
        [
            Vote(
                statement_id=key[0],
                voter_id=key[1],
                value=value,
                revision=revisions[key],
                created_at=first,
                updated_at=moment,
            )
            for key, (value, moment, first) in current.items()
        ],
        batch_size=2000,
    )
    record("statements.import_polis", consultation, actor=by, folder=folder.name)
    polis_imported.send(sender=Vote, consultation=consultation, export=export, events=len(events))
    return PolisImport(len(texts), len(pids), len(current), len(events))
