"""Every write about drafted documents goes through here (pages, and later API and CLI).

Each write checks a named rule of :mod:`.rules`, runs in one transaction and, for
decisions and status changes, records an audit event.
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
from cityforum.core.languages import CONTENT_LANGUAGES

from .models import (
    MAX_ARTICLE_LENGTH,
    MAX_RATIONALE_LENGTH,
    MAX_REASON_LENGTH,
    Amendment,
    AmendmentEndorsement,
    AmendmentVote,
    Article,
    Document,
    Version,
)

# --- Validation ------------------------------------------------------------------------


def _collapse(text: Any) -> str:
    return "\n".join(" ".join(line.split()) for line in str(text or "").strip().splitlines())


def clean_language(language: Any) -> str:
    if language not in CONTENT_LANGUAGES:
        raise ValidationError(
            _("Unknown language “%(code)s”; choose one of: %(codes)s.")
            % {"code": language, "codes": ", ".join(CONTENT_LANGUAGES)},
            code="language",
        )
    return str(language)


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
    """The document's article from an article or its id; a clear error when unknown."""
    pk = getattr(article, "pk", article)
    try:
        return Article.objects.get(document=document, pk=int(pk), deleted=False)
    except (TypeError, ValueError, Article.DoesNotExist):
        raise ValidationError(
            _("This document has no article %(ref)s.") % {"ref": pk}, code="article"
        ) from None


def _refuse(rule: str, user: Any, document: Document, message: str) -> None:
    if rules.test_rule(rule, user, document):
        return
    if document.is_frozen:
        raise PermissionDenied(_("This document is frozen: it can no longer be amended."))
    if not getattr(user, "is_authenticated", False):
        raise PermissionDenied(_("Sign in to take part in drafting."))
    raise PermissionDenied(message)


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
        raise ValidationError(_("This amendment has already been decided."), code="decided")


@transaction.atomic
def vote(amendment: Amendment, value: str, *, by: Any) -> AmendmentVote:
    """Agree or disagree with an amendment, once per person."""
    document = amendment.article.document
    _refuse(
        "drafting.vote", by, document, _("Votes are only taken while the consultation is open.")
    )
    _pending(amendment)
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
    return {
        "slug": document.slug,
        "title": {code: getattr(document, f"title_{code}") for code in CONTENT_LANGUAGES},
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


def _apply(amendment: Amendment) -> None:
    article = Article.objects.select_for_update().get(pk=amendment.article_id)
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
    languages become outdated, and a new version of the document is recorded."""
    document = amendment.article.document
    _refuse("drafting.decide", by, document, _("Only organisers may accept amendments."))
    reason = _clean_reason(reason, required=False)
    locked = Amendment.objects.select_for_update().get(pk=amendment.pk)
    _pending(locked)
    _apply(locked)
    locked.status = Amendment.Status.ACCEPTED
    locked.reason = reason
    locked.decided_by = by
    locked.decided_at = timezone.now()
    locked.save(update_fields=["status", "reason", "decided_by", "decided_at"])
    record("amendment.accept", locked, actor=by, reason=reason)
    version = make_version(document, by=by, note=_("Amendment %(n)d accepted.") % {"n": locked.pk})
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
    document = amendment.article.document
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
    _refuse("drafting.freeze", by, document, _("Only organisers may freeze a document."))
    Document.objects.filter(pk=document.pk).update(status=Document.Status.FROZEN)
    document.status = Document.Status.FROZEN
    record("document.freeze", document, actor=by, reason=note)
    return make_version(document, by=by, note=note or _("Document frozen."))


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
