"""Every write about drafted documents goes through here (pages, API and CLI).

Each write checks a named rule of :mod:`.rules`, runs in one transaction and, for
decisions, moderation and status changes, records an audit event. Refusals that are
about the document's state rather than the person carry a code the API maps to 409:

- ``conflict``: the article changed (or was deleted) since the amendment was written;
  the message names the version that changed it. Nothing is written.
- ``frozen``: the document is frozen.
- ``not_pending``: the amendment was already accepted or rejected.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

import rules
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from cityforum.core.audit import record
from cityforum.core.languages import CONTENT_LANGUAGES, clean_language

from .models import (
    MAX_ARTICLE_LENGTH,
    MAX_COMMENT_LENGTH,
    MAX_NOTE_LENGTH,
    MAX_RATIONALE_LENGTH,
    MAX_REASON_LENGTH,
    Amendment,
    AmendmentComment,
    AmendmentEndorsement,
    AmendmentVote,
    Article,
    ArticleOpinion,
    ArticleSource,
    Document,
    DraftingReport,
    Signature,
    Version,
    Visibility,
)

# --- Validation ------------------------------------------------------------------------


def _collapse(text: Any) -> str:
    return "\n".join(" ".join(line.split()) for line in str(text or "").strip().splitlines())


def clean_kind(kind: Any) -> str:
    if kind not in Amendment.Kind.values:
        raise ValidationError(_("Choose what the amendment does."), code="kind")
    return str(kind)


def clean_text(text: Any, kind: str) -> str:
    text = _collapse(text)
    if kind == Amendment.Kind.DELETE:
        return ""
    if not text:
        raise ValidationError(_("Write the text you propose: it is empty."), code="empty")
    if len(text) > MAX_ARTICLE_LENGTH:
        raise ValidationError(
            _("An article has at most %(max)d characters; this text has %(n)d.")
            % {"max": MAX_ARTICLE_LENGTH, "n": len(text)},
            code="too_long",
        )
    return text


def clean_rationale(rationale: Any) -> str:
    rationale = _collapse(rationale)
    if not rationale:
        raise ValidationError(_("Explain why you propose this amendment."), code="rationale")
    if len(rationale) > MAX_RATIONALE_LENGTH:
        raise ValidationError(
            _("The rationale has at most %(max)d characters; this one has %(n)d.")
            % {"max": MAX_RATIONALE_LENGTH, "n": len(rationale)},
            code="too_long",
        )
    return rationale


def find_article(document: Document, article: Any) -> Article:
    """The document's live article from an article or its id; a clear error when it is
    unknown or was deleted by an accepted amendment."""
    pk = getattr(article, "pk", article)
    try:
        found = Article.objects.get(document=document, pk=int(pk))
    except (TypeError, ValueError, Article.DoesNotExist):
        raise ValidationError(
            _("This document has no article %(ref)s.") % {"ref": pk}, code="article"
        ) from None
    if found.deleted:
        raise ValidationError(
            _(
                "This article was deleted by an accepted amendment: it can no longer be "
                "amended. Amend the current text of the document instead."
            ),
            code="deleted",
        )
    return found


def frozen_error() -> ValidationError:
    return ValidationError(
        _("This document is frozen: it can no longer be amended."), code="frozen"
    )


def _refuse(rule: str, user: Any, document: Document, message: str) -> None:
    """Raise unless ``rule`` lets ``user`` act on ``document``: the frozen state first
    (``ValidationError`` coded ``frozen``), then who the person is (``PermissionDenied``)."""
    if rules.test_rule(rule, user, document):
        return
    if document.is_frozen:
        raise frozen_error()
    if not getattr(user, "is_authenticated", False):
        raise PermissionDenied(_("Sign in to take part in drafting."))
    raise PermissionDenied(message)


def _require(rule: str, user: Any, document: Document, message: str) -> None:
    if not rules.test_rule(rule, user, document):
        raise PermissionDenied(message)


def _locked_document(document: Document) -> Document:
    """The document's row, locked until the transaction ends: every decision on one
    document happens one after the other, so versions are numbered without gaps."""
    return Document.objects.select_related("consultation").select_for_update().get(pk=document.pk)


# --- Amendments --------------------------------------------------------------------------


@transaction.atomic
def propose_amendment(
    document: Document,
    article: Any,
    *,
    by: Any,
    kind: str,
    text: str = "",
    rationale: str,
    language: str | None = None,
) -> Amendment:
    """Propose to modify, delete or add after an article, with a rationale (required)."""
    _refuse(
        "drafting.propose",
        by,
        document,
        _("Amendments can only be proposed while the consultation is open."),
    )
    kind = clean_kind(kind)
    target = find_article(document, article)
    language = clean_language(language or target.source_language)
    text = clean_text(text, kind)
    rationale = clean_rationale(rationale)
    return Amendment.objects.create(
        article=target,
        kind=kind,
        text=text,
        rationale=rationale,
        language=language,
        author=by,
        base_revision=target.source_revision,
        base_text=target.text_in(language),
    )


def _pending(amendment: Amendment) -> None:
    if not amendment.is_pending:
        raise ValidationError(
            _("This amendment has already been decided (%(status)s).")
            % {"status": amendment.get_status_display()},
            code="not_pending",
        )


def _visible(amendment: Amendment) -> None:
    if amendment.is_hidden:
        raise ValidationError(_("This amendment is hidden by the moderators."), code="hidden")


@transaction.atomic
def vote(amendment: Amendment, value: str, *, by: Any) -> AmendmentVote:
    """Agree or disagree with an amendment, once per person."""
    document = amendment.article.document
    _refuse(
        "drafting.vote", by, document, _("Votes are only taken while the consultation is open.")
    )
    _pending(amendment)
    _visible(amendment)
    if value not in AmendmentVote.Value.values:
        raise ValidationError(_("Vote “agree” or “disagree”."), code="value")
    try:
        with transaction.atomic():
            return AmendmentVote.objects.create(amendment=amendment, user=by, value=value)
    except IntegrityError:
        raise ValidationError(
            _("You have already voted on this amendment."), code="duplicate"
        ) from None


@transaction.atomic
def endorse(amendment: Amendment, *, by: Any) -> AmendmentEndorsement:
    """Support an amendment publicly, once per person."""
    document = amendment.article.document
    _refuse(
        "drafting.endorse",
        by,
        document,
        _("Amendments can only be endorsed while the consultation is open."),
    )
    _pending(amendment)
    _visible(amendment)
    try:
        with transaction.atomic():
            return AmendmentEndorsement.objects.create(amendment=amendment, user=by)
    except IntegrityError:
        raise ValidationError(
            _("You have already endorsed this amendment."), code="duplicate"
        ) from None


def _renumber(document: Document) -> None:
    for number, article in enumerate(
        Article.objects.filter(document=document, deleted=False).order_by("order", "pk"), 1
    ):
        if article.number != number:
            article.number = number
            article.save(update_fields=["number"])


def snapshot(document: Document) -> dict[str, Any]:
    """The whole document as it stands: title, preamble and live articles, every language."""
    return {
        "slug": document.slug,
        "title": {code: getattr(document, f"title_{code}") for code in CONTENT_LANGUAGES},
        "preamble": {code: getattr(document, f"preamble_{code}") for code in CONTENT_LANGUAGES},
        "articles": [
            a.snapshot()
            for a in Article.objects.filter(document=document, deleted=False).order_by(
                "order", "pk"
            )
        ],
    }


def make_version(document: Document, *, by: Any = None, note: str = "") -> Version:
    last = document.versions.order_by("-number").first()
    return Version.objects.create(
        document=document,
        number=(last.number + 1) if last else 1,
        snapshot=snapshot(document),
        created_by=by if getattr(by, "pk", None) else None,
        note=note[:500],
    )


def _changed_by(article: Article, amendment: Amendment) -> int:
    """The number of the version that last changed ``article``'s source text (or deleted
    it): the version a stale amendment must be rewritten against."""
    number = (
        Amendment.objects.filter(
            article=article,
            status=Amendment.Status.ACCEPTED,
            kind__in=[Amendment.Kind.MODIFY, Amendment.Kind.DELETE],
            version__isnull=False,
        )
        .exclude(pk=amendment.pk)
        .order_by("-version__number")
        .values_list("version__number", flat=True)
        .first()
    )
    if number is None:  # changed outside amendments (the back office): the latest version
        number = (
            Version.objects.filter(document_id=article.document_id)
            .order_by("-number")
            .values_list("number", flat=True)
            .first()
        )
    return int(number or 0)


def check_current(amendment: Amendment, article: Article) -> None:
    """Optimistic locking: refuse (code ``conflict``) an amendment written against a text
    of its article that has since changed, or an article since deleted."""
    if not article.deleted and article.source_revision == amendment.base_revision:
        return
    version = _changed_by(article, amendment)
    if article.deleted:
        raise ValidationError(
            _(
                "This amendment cannot be accepted: the article was deleted by version "
                "%(version)d since this amendment was written. Nothing was changed."
            ),
            code="conflict",
            params={"version": version},
        )
    raise ValidationError(
        _(
            "This amendment cannot be accepted: the article was changed by version "
            "%(version)d since this amendment was written. Nothing was changed; the "
            "amendment can be proposed again against the current text."
        ),
        code="conflict",
        params={"version": version},
    )


def _apply(amendment: Amendment, article: Article) -> None:
    language = amendment.language
    if amendment.kind == Amendment.Kind.MODIFY:
        article.source_language = language
        article.source_revision += 1
        setattr(article, f"text_{language}", amendment.text)
        setattr(article, f"revision_{language}", article.source_revision)
        article.save()
    elif amendment.kind == Amendment.Kind.DELETE:
        article.deleted = True
        article.source_revision += 1
        article.save(update_fields=["deleted", "source_revision"])
    else:
        Article.objects.filter(document=article.document, order__gt=article.order).update(
            order=F("order") + 1
        )
        Article.objects.create(
            document=article.document,
            section=article.section,
            number=article.number + 1,
            order=article.order + 1,
            source_language=language,
            source_revision=1,
            **{f"text_{language}": amendment.text, f"revision_{language}": 1},
        )
    _renumber(article.document)


@transaction.atomic
def accept_amendment(amendment: Amendment, *, by: Any, reason: str = "") -> Version:
    """Apply an amendment (organisers): the article's source text changes, its other
    languages become outdated, and a new version of the document is recorded.

    Optimistic locking: the document's row is locked, then the amendment is checked
    against its article as it is now; an amendment written against an older text (or a
    deleted article) is refused with code ``conflict`` naming the version that changed
    it, and nothing is written. Two organisers accepting conflicting amendments at once:
    the second waits for the first, then gets the conflict.
    """
    document = _locked_document(amendment.article.document)
    _refuse("drafting.decide", by, document, _("Only organisers may accept amendments."))
    reason = _clean_reason(reason, required=False)
    locked = Amendment.objects.select_for_update().get(pk=amendment.pk)
    _pending(locked)
    _visible(locked)
    article = Article.objects.select_for_update().get(pk=locked.article_id)
    check_current(locked, article)
    _apply(locked, article)
    version = make_version(document, by=by, note=_("Amendment %(n)d accepted.") % {"n": locked.pk})
    locked.status = Amendment.Status.ACCEPTED
    locked.reason = reason
    locked.decided_by = by
    locked.decided_at = timezone.now()
    locked.version = version
    locked.save(update_fields=["status", "reason", "decided_by", "decided_at", "version"])
    record("amendment.accept", locked, actor=by, reason=reason, version=version.number)
    amendment.refresh_from_db()
    return version


def _clean_reason(reason: Any, *, required: bool) -> str:
    reason = " ".join(str(reason or "").split())
    if required and not reason:
        raise ValidationError(_("Give the reason for rejecting the amendment."), code="reason")
    if len(reason) > MAX_REASON_LENGTH:
        raise ValidationError(
            _("The reason has at most %(n)d characters.") % {"n": MAX_REASON_LENGTH},
            code="reason",
        )
    return reason


@transaction.atomic
def reject_amendment(amendment: Amendment, *, by: Any, reason: str) -> Amendment:
    """Reject an amendment (organisers) with a public reason."""
    document = _locked_document(amendment.article.document)
    _refuse("drafting.decide", by, document, _("Only organisers may reject amendments."))
    reason = _clean_reason(reason, required=True)
    locked = Amendment.objects.select_for_update().get(pk=amendment.pk)
    _pending(locked)
    locked.status = Amendment.Status.REJECTED
    locked.reason = reason
    locked.decided_by = by
    locked.decided_at = timezone.now()
    locked.save(update_fields=["status", "reason", "decided_by", "decided_at"])
    record("amendment.reject", locked, actor=by, reason=reason)
    amendment.refresh_from_db()
    return locked


@transaction.atomic
def freeze_document(document: Document, *, by: Any, note: str = "") -> Version:
    """Freeze a document (organisers): no more amendments; records a final version."""
    locked = _locked_document(document)
    _refuse("drafting.freeze", by, locked, _("Only organisers may freeze a document."))
    note = " ".join(str(note or "").split())[:MAX_NOTE_LENGTH]
    Document.objects.filter(pk=document.pk).update(status=Document.Status.FROZEN)
    document.status = locked.status = Document.Status.FROZEN
    record("document.freeze", document, actor=by, reason=note)
    return make_version(locked, by=by, note=note or _("Document frozen."))


# --- Translations -------------------------------------------------------------------------


@transaction.atomic
def update_translation(article: Article, language: str, text: str, *, by: Any) -> Article:
    """Bring one language of an article up to date with its current source text
    (organisers): the text is replaced and marked as made from the current source
    revision, so readers no longer see it as outdated. Records a version."""
    document = _locked_document(article.document)
    _refuse("drafting.translate", by, document, _("Only organisers may update translations."))
    language = clean_language(language)
    locked = Article.objects.select_for_update().get(pk=article.pk)
    if locked.deleted:
        raise ValidationError(_("This article has been deleted."), code="deleted")
    if language == locked.source_language:
        raise ValidationError(
            _("This is the article's source text: it changes only through accepted amendments."),
            code="source",
        )
    text = clean_text(text, Amendment.Kind.MODIFY)
    setattr(locked, f"text_{language}", text)
    setattr(locked, f"revision_{language}", locked.source_revision)
    locked.save(update_fields=[f"text_{language}", f"revision_{language}"])
    record("article.translate", locked, actor=by, language=language)
    make_version(
        document,
        by=by,
        note=_("Article %(n)d: %(language)s translation brought up to date.")
        % {"n": locked.number, "language": language.upper()},
    )
    article.refresh_from_db()
    return locked


def source_text_at(article: Article, revision: int) -> str | None:
    """The article's source-language text at ``revision``, from the recorded versions
    (``None`` when no version holds it): what a translator compares with the current text."""
    versions = Version.objects.filter(document_id=article.document_id).order_by("-number")
    for version in versions.only("snapshot").iterator():
        for entry in version.snapshot.get("articles", []):
            if entry.get("id") == article.pk and entry.get("source_revision") == revision:
                return str(entry.get(f"text_{entry.get('source_language', 'fr')}", ""))
    return None


# --- Opinions on articles ---------------------------------------------------------------------


@transaction.atomic
def give_opinion(article: Article, value: str, *, by: Any) -> ArticleOpinion:
    """Support or oppose an article as it stands; a second opinion replaces the first."""
    document = article.document
    _refuse(
        "drafting.opine",
        by,
        document,
        _("Opinions on articles are only taken while the consultation is open."),
    )
    article = find_article(document, article)
    if value not in ArticleOpinion.Value.values:
        raise ValidationError(_("Say “support” or “oppose”."), code="value")
    opinion, _created = ArticleOpinion.objects.update_or_create(
        article=article, user=by, defaults={"value": value}
    )
    return opinion


@transaction.atomic
def withdraw_opinion(article: Article, *, by: Any) -> bool:
    """Withdraw one's opinion on an article; False when there was none."""
    _refuse(
        "drafting.opine",
        by,
        article.document,
        _("Opinions on articles are only taken while the consultation is open."),
    )
    deleted, _rows = ArticleOpinion.objects.filter(article=article, user=by).delete()
    return bool(deleted)


# --- Comments, reports and moderation -------------------------------------------------------


def clean_comment(body: Any) -> str:
    text = str(body or "").strip()
    if not text:
        raise ValidationError(_("Write your comment: it is empty."), code="empty")
    if len(text) > MAX_COMMENT_LENGTH:
        raise ValidationError(
            _("A comment has at most %(max)d characters; this one has %(n)d.")
            % {"max": MAX_COMMENT_LENGTH, "n": len(text)},
            code="too_long",
        )
    if "\x00" in text:
        raise ValidationError(_("The text holds a NUL character."), code="nul")
    return text


@transaction.atomic
def comment(
    amendment: Amendment, body: Any, *, by: Any, parent: AmendmentComment | None = None
) -> AmendmentComment:
    """Comment on an amendment, or reply to a comment (replies are not replied to)."""
    _refuse(
        "drafting.comment",
        by,
        amendment.article.document,
        _("Amendments can only be discussed while the consultation is open."),
    )
    _visible(amendment)
    text = clean_comment(body)
    if parent is not None:
        if parent.amendment_id != amendment.pk:
            raise ValidationError(_("That comment belongs to another amendment."), code="parent")
        if parent.parent_id is not None:
            raise ValidationError(_("Replies cannot be replied to; reply above."), code="parent")
        if parent.is_hidden:
            raise ValidationError(_("That comment is hidden."), code="parent")
    return AmendmentComment.objects.create(amendment=amendment, author=by, body=text, parent=parent)


@transaction.atomic
def report(comment: AmendmentComment, reason: Any, *, by: Any) -> DraftingReport:
    """Flag a comment on an amendment for the moderators, once while it is open."""
    _require(
        "drafting.report", by, comment.amendment.article.document, _("Sign in to report content.")
    )
    if comment.author_id == getattr(by, "pk", None):
        raise PermissionDenied(_("You cannot report your own comment."))
    if comment.is_hidden:
        raise ValidationError(_("That comment is hidden."), code="hidden")
    text = _clean_reason(reason, required=False)
    if not text:
        raise ValidationError(_("Say what is wrong with this comment."), code="reason")
    if DraftingReport.objects.filter(
        reporter=by, comment=comment, resolved_at__isnull=True
    ).exists():
        raise ValidationError(
            _("You have already reported this; the moderators will look."), code="duplicate"
        )
    return DraftingReport.objects.create(reporter=by, comment=comment, reason=text)


class Action:
    HIDE = "hide"
    RESTORE = "restore"


@transaction.atomic
def moderate(
    target: Amendment | AmendmentComment, action: str, reason: Any, *, by: Any
) -> Amendment | AmendmentComment:
    """Hide or restore an amendment or a comment, with a reason its author can read.

    Allowed to organisers and the consultation's moderators, frozen or not; closes the
    open reports on a comment and writes the audit log.
    """
    amendment = target if isinstance(target, Amendment) else target.amendment
    _require(
        "drafting.moderate",
        by,
        amendment.article.document,
        _("Only the consultation's moderators and the organisers moderate it."),
    )
    if action not in (Action.HIDE, Action.RESTORE):
        raise ValidationError(_("The action is “hide” or “restore”."), code="action")
    text = " ".join(str(reason or "").split())
    if not text:
        raise ValidationError(
            _("Give the reason for this moderation: its author will read it."), code="reason"
        )
    if len(text) > MAX_REASON_LENGTH:
        raise ValidationError(
            _("The reason has at most %(n)d characters.") % {"n": MAX_REASON_LENGTH},
            code="reason",
        )
    model = type(target)
    locked = model.objects.select_for_update().get(pk=target.pk)
    now = timezone.now()
    locked.visibility = Visibility.HIDDEN if action == Action.HIDE else Visibility.VISIBLE
    locked.moderated_at = now
    locked.moderation_reason = text
    locked.save(update_fields=["visibility", "moderated_at", "moderation_reason"])
    if model is AmendmentComment:
        DraftingReport.objects.filter(comment=locked, resolved_at__isnull=True).update(
            resolved_at=now, resolved_by=by
        )
    kind = "amendment" if model is Amendment else "amendment_comment"
    record(f"{kind}.{action}", locked, actor=by, reason=text)
    target.visibility, target.moderated_at = locked.visibility, now
    target.moderation_reason = text
    return locked


# --- Traceability ---------------------------------------------------------------------------


def _find(model: Any, pk: Any, message: str) -> Any:
    try:
        return model.objects.get(pk=int(pk))
    except (TypeError, ValueError, model.DoesNotExist):
        raise ValidationError(message % {"ref": pk}, code="source") from None


def _theme_label(theme: dict[str, Any], language: str) -> str:
    labels = theme.get("labels") or {}
    return str(labels.get(language) or labels.get("en") or next(iter(labels.values()), ""))


@transaction.atomic
def cite(
    article: Article,
    *,
    by: Any,
    contribution: Any = None,
    statement: Any = None,
    theme_run: Any = None,
    theme_id: Any = None,
    note: Any = "",
) -> ArticleSource:
    """Record that ``article`` draws on a contribution, a statement or a synthesis theme
    (organisers). Exactly one is given; only public material is cited: a visible
    contribution, an accepted statement, a theme of an approved run."""
    from cityforum.participation.models import Contribution
    from cityforum.participation.models import Visibility as ContributionVisibility
    from cityforum.statements.models import Statement
    from cityforum.synthesis.models import ThemeRun

    _require("drafting.cite", by, article.document, _("Only organisers cite sources."))
    given = [x is not None and x != "" for x in (contribution, statement, theme_run)]
    if sum(given) != 1:
        raise ValidationError(
            _("Cite exactly one source: a contribution, a statement or a synthesis theme."),
            code="source",
        )
    if article.deleted:
        raise ValidationError(_("This article has been deleted."), code="deleted")
    note = " ".join(str(note or "").split())
    if len(note) > MAX_NOTE_LENGTH:
        raise ValidationError(
            _("The note has at most %(n)d characters.") % {"n": MAX_NOTE_LENGTH}, code="note"
        )
    fields: dict[str, Any] = {}
    if given[0]:
        found = _find(Contribution, getattr(contribution, "pk", contribution),
                      _("There is no contribution %(ref)s."))  # fmt: skip
        if found.status != ContributionVisibility.VISIBLE:
            raise ValidationError(_("A hidden contribution cannot be cited."), code="source")
        fields["contribution"] = found
    elif given[1]:
        found = _find(Statement, getattr(statement, "pk", statement),
                      _("There is no statement %(ref)s."))  # fmt: skip
        if found.status != Statement.Status.ACCEPTED:
            raise ValidationError(_("Only accepted statements can be cited."), code="source")
        fields["statement"] = found
    else:
        run = _find(ThemeRun, getattr(theme_run, "pk", theme_run),
                    _("There is no themes run %(ref)s."))  # fmt: skip
        if not run.is_approved:
            raise ValidationError(
                _("Only the themes of an approved synthesis can be cited."), code="source"
            )
        themes = {t.get("id"): t for t in (run.result or {}).get("themes", [])}
        try:
            key = int(theme_id)
        except (TypeError, ValueError):
            key = None
        if key not in themes:
            raise ValidationError(
                _("The themes run %(run)d has no theme %(ref)s.")
                % {"run": run.pk, "ref": theme_id},
                code="source",
            )
        fields.update(
            theme_run=run,
            theme_id=key,
            theme_label=_theme_label(themes[key], article.document.source_language)[:300],
        )
    if ArticleSource.objects.filter(article=article, **fields).exists():
        raise ValidationError(_("This article already cites this source."), code="duplicate")
    source = ArticleSource.objects.create(article=article, note=note, added_by=by, **fields)
    record("article.cite", article, actor=by, source=source.pk, kind=str(source.kind))
    return source


@transaction.atomic
def uncite(source: ArticleSource, *, by: Any) -> None:
    """Remove a citation (organisers)."""
    _require("drafting.cite", by, source.article.document, _("Only organisers cite sources."))
    record("article.uncite", source.article, actor=by, source=source.pk, kind=str(source.kind))
    source.delete()


# --- Adoption -------------------------------------------------------------------------------


@transaction.atomic
def sign(document: Document, *, by: Any) -> Signature:
    """Sign the frozen document on behalf of one's organisation, which must be verified.

    One signature per organisation; whoever signs first signs for it.
    """
    if not getattr(by, "is_authenticated", False):
        raise PermissionDenied(_("Sign in to sign the document for your organisation."))
    locked = _locked_document(document)
    if not locked.is_frozen:
        raise ValidationError(
            _("The document can be signed only once it is frozen in its final version."),
            code="not_frozen",
        )
    organisation = getattr(by, "organisation", None)
    if organisation is None:
        raise PermissionDenied(
            _("Only members of an organisation can sign, on its behalf: add yours to your profile.")
        )
    if not organisation.verified:
        raise PermissionDenied(
            _(
                "%(organisation)s has not been verified by the organisers yet: only verified "
                "organisations can sign."
            )
            % {"organisation": organisation.name}
        )
    _require("drafting.sign", by, locked, _("You may not sign this document."))
    try:
        with transaction.atomic():
            signature = Signature.objects.create(
                document=locked, organisation=organisation, signed_by=by
            )
    except IntegrityError:
        raise ValidationError(
            _("%(organisation)s has already signed this document.")
            % {"organisation": organisation.name},
            code="duplicate",
        ) from None
    record("document.sign", locked, actor=by, organisation=organisation.pk)
    return signature


# --- Word diff ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Segment:
    kind: str  # "equal", "insert" or "delete"
    text: str


def word_diff(old: str, new: str) -> list[Segment]:
    """The words of ``old`` and ``new`` as equal / insert / delete segments."""
    a, b = (old or "").split(), (new or "").split()
    segments: list[Segment] = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            segments.append(Segment("equal", " ".join(a[i1:i2])))
            continue
        if op in ("delete", "replace"):
            segments.append(Segment("delete", " ".join(a[i1:i2])))
        if op in ("insert", "replace"):
            segments.append(Segment("insert", " ".join(b[j1:j2])))
    return segments


def compare_versions(old: Version, new: Version, language: str) -> list[dict[str, Any]]:
    """Per article (by id), the word diff of its text in ``language`` between two versions."""
    before = {a["id"]: a for a in old.snapshot.get("articles", [])}
    after = {a["id"]: a for a in new.snapshot.get("articles", [])}
    ids = list(after) + [pk for pk in before if pk not in after]
    rows = []
    for pk in ids:
        a, b = before.get(pk), after.get(pk)
        old_text = a.get(f"text_{language}", "") if a else ""
        new_text = b.get(f"text_{language}", "") if b else ""
        rows.append(
            {
                "number": (b or a or {}).get("number"),
                "changed": old_text != new_text,
                "segments": word_diff(old_text, new_text),
            }
        )
    return rows
