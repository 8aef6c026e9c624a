"""The organisers' review of a themes synthesis, one service per action (issue 5).

Each action is checked (named rule ``synthesis.review_themes``, a finished run not approved yet,
the action's own rules in :mod:`.review`), stored as a :class:`~.models.ThemeReview`,
replayed with the earlier ones on the run's stored result to give ``run.reviewed``, and written
to the audit log, all in one transaction: a refused action writes nothing. An approved
synthesis is reviewed again only after :func:`~.services.reopen_themes`.
"""

from __future__ import annotations

from typing import Any

import rules
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cityforum.core.audit import record
from cityforum.participation.models import Contribution, Visibility

from . import rules as _rules  # noqa: F401  (registers the named rules)
from .models import ThemeReview, ThemeRun
from .review import clean_labels, replay
from .services import QUOTE_CHARS


def quote_texts(ids: list[int]) -> dict[int, str]:
    """The words of visible contributions, as written, for the quotes of a changed theme."""
    rows = Contribution.objects.filter(pk__in=ids, status=Visibility.VISIBLE).values_list(
        "pk", "title", "body"
    )
    return {pk: f"{title}\n{body}"[:QUOTE_CHARS] for pk, title, body in rows}


def active_reviews(run: ThemeRun) -> list[ThemeReview]:
    """The actions that make the reviewed result, in the order they were taken."""
    return list(
        run.reviews.filter(undone_at__isnull=True).select_related("by").order_by("created_at", "pk")
    )


def _check(run: ThemeRun, by: Any) -> None:
    if not rules.test_rule("synthesis.review_themes", by, run):
        raise PermissionDenied(_("Only organisers may review a synthesis."))
    if run.status != ThemeRun.Status.DONE:
        raise ValidationError(_("Only a finished synthesis can be reviewed."), code="not_done")
    if run.is_approved:
        raise ValidationError(
            _("This synthesis is approved: reopen it before reviewing it again."),
            code="approved",
        )


def _locked(run: ThemeRun, by: Any) -> ThemeRun:
    """The run, locked until the end of the transaction, so that two organisers' actions are
    replayed one after the other; checked again once locked."""
    _check(run, by)
    locked = ThemeRun.objects.select_for_update().get(pk=run.pk)
    _check(locked, by)
    return locked


def _act(run: ThemeRun, by: Any, action: str, data: dict[str, Any], **audit: Any) -> ThemeReview:
    with transaction.atomic():
        locked = _locked(run, by)
        steps = [(r.action, r.data) for r in active_reviews(locked)]
        document = replay(locked.result, locked.assignment, [*steps, (action, data)], quote_texts)
        review = ThemeReview.objects.create(run=locked, action=action, data=data, by=by)
        locked.reviewed = document
        locked.save(update_fields=["reviewed"])
        record(f"synthesis.theme_{action}", locked, actor=by, **data, **audit)
    run.reviewed = document
    return review


def _theme_id(value: Any) -> int:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationError(
            _("Choose a theme of this synthesis, not “%(value)s”.") % {"value": value},
            code="theme",
        ) from None


def _optional_labels(labels: Any) -> dict[str, str] | None:
    """Labels given with a merge or a split: none at all, or all three."""
    if not isinstance(labels, dict) or not any(str(v or "").strip() for v in labels.values()):
        return None
    return clean_labels(labels)


def rename_theme(run: ThemeRun, theme: Any, labels: Any, *, by: Any) -> ThemeReview:
    """Give a theme new labels in fr, en and es (each required, at most 120 characters)."""
    _check(run, by)
    data = {"theme": _theme_id(theme), "labels": clean_labels(labels)}
    return _act(run, by, ThemeReview.Action.RENAME, data)


def merge_themes(
    run: ThemeRun, theme: Any, into: Any, *, by: Any, labels: Any = None
) -> ThemeReview:
    """Merge ``theme`` into ``into``: members, quotes and prevalence recomputed from the stored
    shares; ``labels`` (optional) name the merged theme."""
    _check(run, by)
    data: dict[str, Any] = {"theme": _theme_id(theme), "into": _theme_id(into)}
    if data["theme"] == data["into"]:
        raise ValidationError(_("A theme cannot be merged with itself."), code="itself")
    if (named := _optional_labels(labels)) is not None:
        data["labels"] = named
    return _act(run, by, ThemeReview.Action.MERGE, data)


def split_theme(
    run: ThemeRun, theme: Any, terms: Any, *, by: Any, labels: Any = None
) -> ThemeReview:
    """Split ``theme``: its contributions that use the chosen ``terms`` more than its other
    words form a new theme (see :mod:`.review`)."""
    _check(run, by)
    if isinstance(terms, str):
        terms = [terms]
    chosen = list(dict.fromkeys(str(t) for t in (terms or []) if str(t).strip()))
    data: dict[str, Any] = {"theme": _theme_id(theme), "terms": chosen}
    if (named := _optional_labels(labels)) is not None:
        data["labels"] = named
    return _act(run, by, ThemeReview.Action.SPLIT, data)


def reject_theme(run: ThemeRun, theme: Any, *, by: Any, reason: Any = "") -> ThemeReview:
    """Hide a theme from the public pages; it stays in the record with the reason."""
    _check(run, by)
    reason = str(reason or "").strip()
    if len(reason) > 1000:
        raise ValidationError(_("The reason is at most 1,000 characters."), code="reason")
    return _act(run, by, ThemeReview.Action.REJECT, {"theme": _theme_id(theme)}, reason=reason)


def restore_theme(run: ThemeRun, theme: Any, *, by: Any) -> ThemeReview:
    """Show a rejected theme again."""
    _check(run, by)
    return _act(run, by, ThemeReview.Action.RESTORE, {"theme": _theme_id(theme)})


def undo_last_review(run: ThemeRun, *, by: Any) -> ThemeReview:
    """Undo the latest action still in force; it stays in the record, marked undone."""
    with transaction.atomic():
        locked = _locked(run, by)
        steps = active_reviews(locked)
        if not steps:
            raise ValidationError(_("Nothing has been changed in this review."), code="nothing")
        last = steps[-1]
        remaining = [(r.action, r.data) for r in steps[:-1]]
        document = (
            replay(locked.result, locked.assignment, remaining, quote_texts) if remaining else None
        )
        last.undone_at, last.undone_by = timezone.now(), by
        last.save(update_fields=["undone_at", "undone_by"])
        locked.reviewed = document
        locked.save(update_fields=["reviewed"])
        record("synthesis.theme_undo", locked, actor=by, action=last.action, **last.data)
    run.reviewed = document
    return last
