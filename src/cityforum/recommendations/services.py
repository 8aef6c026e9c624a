"""Every write about recommendations goes through here (pages, API and CLI).

One function per action. Each validates its input first (a translated ``ValidationError``,
keyed by field where a field is at fault), checks a named rule of :mod:`.rules`
(``PermissionDenied``), runs in one transaction and records an audit event, so that a refused
action writes nothing. Refusals about the recommendation's *state* rather than the input carry
a code the API maps to 409:

- ``conflict``: the recommendation changed since the version the edit was made against; the
  message names the newer version. Nothing is written.
- ``duplicate``: it is already endorsed by this person, already cites this evidence, or the
  contribution was already promoted.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import rules
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from cityforum.core.audit import record
from cityforum.core.languages import CONTENT_LANGUAGES
from cityforum.core.numbers import fits_int64
from cityforum.participation.models import LANGUAGES as CONTRIBUTION_LANGUAGES
from cityforum.participation.models import Contribution
from cityforum.participation.models import Visibility as ContributionVisibility
from cityforum.programme.models import Capital, Consultation, ReferenceDocument, Region

from .models import (
    MAX_CAPITALS,
    MAX_NOTE_LENGTH,
    MAX_QUOTE_LENGTH,
    MAX_REASON_LENGTH,
    MAX_TEXT_LENGTH,
    MIN_CAPITALS,
    PACT_SLUG,
    Addressee,
    Evidence,
    Line,
    Recommendation,
    RecommendationEndorsement,
    Status,
    StatusChange,
)

#: The statuses each status may move to. ``consulted`` and ``adopted`` need evidence.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    Status.DRAFT: (Status.CONSULTED, Status.WITHDRAWN),
    Status.CONSULTED: (Status.ADOPTED, Status.DRAFT, Status.WITHDRAWN),
    Status.ADOPTED: (Status.WITHDRAWN,),
    Status.WITHDRAWN: (Status.DRAFT,),
}
NEEDS_EVIDENCE = (Status.CONSULTED, Status.ADOPTED)

#: The languages an original text may be in: those of contributions (a promoted contribution
#: keeps its own); the site's three languages are the translations.
ORIGINAL_LANGUAGES = tuple(code for code, _label in CONTRIBUTION_LANGUAGES)


class AlreadyDone(ValidationError):
    """A second endorsement, citation or promotion of the same thing (code ``duplicate``)."""


# --- validation --------------------------------------------------------------------------------


def _one_line(value: Any) -> str:
    return " ".join(str(value or "").split())


def clean_text(value: Any) -> str:
    text = str(value or "").strip()
    if not text:
        raise ValidationError({"text": _("Write the recommendation.")})
    if len(text) > MAX_TEXT_LENGTH:
        raise ValidationError(
            {"text": _("A recommendation has at most %(n)d characters.") % {"n": MAX_TEXT_LENGTH}}
        )
    return text


def clean_original_language(value: Any) -> str:
    code = str(value or "").strip().lower()
    if code not in ORIGINAL_LANGUAGES:
        raise ValidationError(
            {
                "language": _("Unknown language “%(value)s”; the languages are: %(all)s.")
                % {"value": value, "all": ", ".join(ORIGINAL_LANGUAGES)}
            }
        )
    return code


def clean_line(value: Any) -> str:
    code = str(value or "").strip()
    if code not in Line.values:
        raise ValidationError(
            {
                "line": _("Unknown line of transformation “%(value)s”; the lines are: %(all)s.")
                % {"value": value, "all": ", ".join(Line.values)}
            }
        )
    return code


def clean_addressee(value: Any) -> str:
    code = str(value or "").strip()
    if code not in Addressee.values:
        raise ValidationError(
            {
                "addressee": _("Unknown addressee level “%(value)s”; the levels are: %(all)s.")
                % {"value": value, "all": ", ".join(Addressee.values)}
            }
        )
    return code


def clean_region(addressee: str, value: Any) -> Region | None:
    """The world section a regional recommendation addresses; none for other levels."""
    code = getattr(value, "code", value)
    code = str(code or "").strip()
    if addressee != Addressee.REGIONAL:
        if code:
            raise ValidationError(
                {"region": _("Only a recommendation addressed to a world region names one.")}
            )
        return None
    if not code:
        raise ValidationError(
            {"region": _("Name the world section this regional recommendation addresses.")}
        )
    sections = Region.objects.filter(kind=Region.Kind.SECTION)
    found = sections.filter(code=code).first()
    if found is None:
        raise ValidationError(
            {
                "region": _("Unknown world section “%(value)s”; the sections are: %(all)s.")
                % {"value": code, "all": ", ".join(sections.values_list("code", flat=True))}
            }
        )
    return found


def pact_components(consultations: Iterable[Consultation] = ()) -> list[dict[str, str]]:
    """The components of the seeded Pact for the Future (``[{code, fr, en, es}]``), of the
    consultations' forum, else of any forum."""
    forums = {c.forum_id for c in consultations}
    references = ReferenceDocument.objects.filter(slug=PACT_SLUG)
    if forums:
        references = references.filter(forum_id__in=forums)
    pact = references.order_by("pk").first()
    return [dict(c) for c in (pact.components if pact else []) if isinstance(c, dict)]


def clean_pact_component(value: Any, consultations: Iterable[Consultation] = ()) -> str:
    code = str(value or "").strip()
    codes = [c.get("code", "") for c in pact_components(consultations)]
    if code not in codes:
        raise ValidationError(
            {
                "pact_component": _(
                    "Unknown Pact for the Future component “%(value)s”; the components are: "
                    "%(all)s."
                )
                % {"value": value, "all": ", ".join(codes)}
            }
        )
    return code


def clean_capitals(values: Any) -> list[Capital]:
    if isinstance(values, str):
        values = values.replace(",", ";").split(";")
    codes = list(
        dict.fromkeys(str(getattr(v, "code", v)).strip() for v in (values or []) if str(v).strip())
    )
    if not MIN_CAPITALS <= len(codes) <= MAX_CAPITALS:
        raise ValidationError(
            {"capitals": _("Choose one or two capitals (%(n)d given).") % {"n": len(codes)}}
        )
    capitals = list(Capital.objects.filter(code__in=codes).order_by("order"))
    unknown = sorted(set(codes) - {c.code for c in capitals})
    if unknown:
        raise ValidationError(
            {
                "capitals": _("Unknown capital “%(value)s”; the capitals are: %(all)s.")
                % {"value": ", ".join(unknown), "all": ", ".join(Capital.Code.values)}
            }
        )
    return capitals


def clean_consultations(values: Any) -> list[Consultation]:
    if isinstance(values, Consultation):
        values = [values]
    ids: list[int] = []
    for value in values or []:
        ref = getattr(value, "pk", value)
        try:
            number = int(ref)
            if not fits_int64(number):
                raise ValueError(ref)
            ids.append(number)
        except (TypeError, ValueError):
            raise ValidationError(
                {"consultations": _("Unknown consultation “%(value)s”.") % {"value": ref}}
            ) from None
    ids = list(dict.fromkeys(ids))
    if not ids:
        raise ValidationError(
            {"consultations": _("Name the consultation(s) the recommendation comes from.")}
        )
    found = list(Consultation.objects.filter(pk__in=ids))
    missing = sorted(set(ids) - {c.pk for c in found})
    if missing:
        raise ValidationError(
            {
                "consultations": _("Unknown consultation “%(value)s”.")
                % {"value": ", ".join(map(str, missing))}
            }
        )
    return found


def clean_reason(value: Any) -> str:
    reason = _one_line(value)
    if not reason:
        raise ValidationError({"reason": _("Give the public reason for this change.")})
    if len(reason) > MAX_REASON_LENGTH:
        raise ValidationError(
            {"reason": _("The reason has at most %(n)d characters.") % {"n": MAX_REASON_LENGTH}}
        )
    return reason


@dataclass
class Content:
    """A recommendation's content, validated."""

    text: str
    language: str
    consultations: list[Consultation]
    capitals: list[Capital]
    line: str
    addressee: str
    region: Region | None
    pact_component: str


def clean_content(
    *,
    text: Any,
    language: Any,
    consultations: Any,
    capitals: Any,
    line: Any,
    addressee: Any,
    pact_component: Any,
    region: Any = None,
) -> Content:
    """Validate a whole recommendation; every field's problem is reported at once."""
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    checks: dict[str, Any] = {
        "text": lambda: clean_text(text),
        "language": lambda: clean_original_language(language),
        "consultations": lambda: clean_consultations(consultations),
        "capitals": lambda: clean_capitals(capitals),
        "line": lambda: clean_line(line),
        "addressee": lambda: clean_addressee(addressee),
    }
    for name, check in checks.items():
        try:
            values[name] = check()
        except ValidationError as error:
            errors.update(error.message_dict)
    try:
        values["region"] = clean_region(values.get("addressee", ""), region)
    except ValidationError as error:
        if "addressee" in values:
            errors.update(error.message_dict)
        values["region"] = None
    try:
        values["pact_component"] = clean_pact_component(
            pact_component, values.get("consultations", ())
        )
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    return Content(**values)


# --- permissions -------------------------------------------------------------------------------


def may(user: Any, rule: str, recommendation: Recommendation | None = None) -> bool:
    return bool(rules.test_rule(rule, user, recommendation))


def _require(rule: str, user: Any, recommendation: Recommendation | None, message: str) -> None:
    if may(user, rule, recommendation):
        return
    if not getattr(user, "is_authenticated", False):
        raise PermissionDenied(_("Sign in to take part."))
    raise PermissionDenied(message)


def _locked(recommendation: Recommendation) -> Recommendation:
    """The row, locked until the transaction ends: concurrent edits happen one after the
    other, so the version check cannot be raced."""
    return Recommendation.objects.select_for_update().get(pk=recommendation.pk)


def _refresh(target: Recommendation, source: Recommendation) -> None:
    for field in Recommendation._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))


# --- writing -----------------------------------------------------------------------------------


def _create(content: Content, *, author: Any, source: Contribution | None = None) -> Recommendation:
    recommendation = Recommendation(
        text=content.text,
        language=content.language,
        line=content.line,
        addressee=content.addressee,
        region=content.region,
        pact_component=content.pact_component,
        author=author,
        source_contribution=source,
    )
    if content.language in CONTENT_LANGUAGES:
        setattr(recommendation, f"text_{content.language}", content.text)
        setattr(recommendation, f"revision_{content.language}", recommendation.revision)
    recommendation.save()
    recommendation.consultations.set(content.consultations)
    recommendation.capitals.set(content.capitals)
    return recommendation


@transaction.atomic
def draft_recommendation(*, by: Any, **fields: Any) -> Recommendation:
    """An organiser or moderator writes a recommendation (a draft). ``fields`` are those of
    :func:`clean_content`."""
    _require("recommendations.draft", by, None, _("Only organisers and moderators draft."))
    content = clean_content(**fields)
    recommendation = _create(content, author=by)
    record("recommendation.draft", recommendation, actor=by)
    return recommendation


@transaction.atomic
def propose_recommendation(*, by: Any, **fields: Any) -> Recommendation:
    """A participant proposes a recommendation: a draft the organisers may take up."""
    _require("recommendations.propose", by, None, _("Sign in to propose a recommendation."))
    content = clean_content(**fields)
    recommendation = _create(content, author=by)
    record("recommendation.propose", recommendation, actor=by)
    return recommendation


@transaction.atomic
def promote_contribution(
    contribution: Contribution,
    *,
    by: Any,
    line: Any,
    addressee: Any,
    pact_component: Any,
    capitals: Any = None,
    region: Any = None,
    text: Any = None,
) -> Recommendation:
    """Make a participant's contribution of type *recommendation* a recommendation of the
    forum. It keeps its author, its language, its consultation and a link to the contribution;
    its capitals are the contribution's unless others are given (one or two)."""
    _require("recommendations.draft", by, None, _("Only organisers and moderators promote."))
    if contribution.type != Contribution.Type.RECOMMENDATION:
        raise ValidationError(
            {"contribution": _("Only a contribution of type recommendation can be promoted.")}
        )
    if contribution.status != ContributionVisibility.VISIBLE:
        raise ValidationError({"contribution": _("A hidden contribution cannot be promoted.")})
    if Recommendation.objects.filter(source_contribution=contribution).exists():
        raise AlreadyDone(_("This contribution was already promoted."), code="duplicate")
    if capitals is None:
        capitals = [c.code for c in contribution.capitals.all()]
    content = clean_content(
        text=text if text not in (None, "") else contribution.body,
        language=contribution.language,
        consultations=[contribution.consultation],
        capitals=capitals,
        line=line,
        addressee=addressee,
        pact_component=pact_component,
        region=region,
    )
    try:
        with transaction.atomic():
            recommendation = _create(content, author=contribution.author, source=contribution)
    except IntegrityError:
        raise AlreadyDone(_("This contribution was already promoted."), code="duplicate") from None
    record("recommendation.promote", recommendation, actor=by, contribution=contribution.pk)
    return recommendation


def stale_error(current: int, expected: Any) -> ValidationError:
    return ValidationError(
        _(
            "This recommendation was changed since you opened it: you edited version "
            "%(expected)s, it is now at version %(current)d. Nothing was saved; read version "
            "%(current)d and edit again."
        )
        % {"expected": expected, "current": current},
        code="conflict",
        params={"version": current},
    )


UNCHANGED: Any = object()


@transaction.atomic
def update_recommendation(
    recommendation: Recommendation,
    *,
    by: Any,
    expected_version: Any,
    text: Any = UNCHANGED,
    language: Any = UNCHANGED,
    consultations: Any = UNCHANGED,
    capitals: Any = UNCHANGED,
    line: Any = UNCHANGED,
    addressee: Any = UNCHANGED,
    region: Any = UNCHANGED,
    pact_component: Any = UNCHANGED,
) -> Recommendation:
    """Edit a recommendation made against ``expected_version``; an edit against an older
    version is refused (code ``conflict``), naming the newer one. Fields left out keep their
    value. A changed original text makes every translation outdated."""
    _require(
        "recommendations.edit",
        by,
        recommendation,
        _("Only organisers, moderators and the author of a draft edit a recommendation."),
    )
    locked = _locked(recommendation)
    try:
        expected = int(expected_version)
    except (TypeError, ValueError):
        raise ValidationError(
            {"version": _("Say which version of the recommendation you edited.")}
        ) from None
    if expected != locked.version:
        raise stale_error(locked.version, expected)

    def keep(value: Any, current: Any) -> Any:
        return current if value is UNCHANGED else value

    new_addressee = keep(addressee, locked.addressee)
    current_region = locked.region.code if locked.region_id else None
    if region is UNCHANGED and addressee is not UNCHANGED and new_addressee != "regional":
        region = None
    content = clean_content(
        text=keep(text, locked.text),
        language=keep(language, locked.language),
        consultations=keep(consultations, list(locked.consultations.all())),
        capitals=keep(capitals, [c.code for c in locked.capitals.all()]),
        line=keep(line, locked.line),
        addressee=new_addressee,
        region=keep(region, current_region),
        pact_component=keep(pact_component, locked.pact_component),
    )
    if content.text != locked.text or content.language != locked.language:
        locked.revision += 1
        if content.language in CONTENT_LANGUAGES:
            setattr(locked, f"text_{content.language}", content.text)
            setattr(locked, f"revision_{content.language}", locked.revision)
    locked.text = content.text
    locked.language = content.language
    locked.line = content.line
    locked.addressee = content.addressee
    locked.region = content.region
    locked.pact_component = content.pact_component
    locked.version += 1
    locked.save()
    locked.consultations.set(content.consultations)
    locked.capitals.set(content.capitals)
    record("recommendation.update", locked, actor=by, version=locked.version)
    _refresh(recommendation, locked)
    return locked


@transaction.atomic
def set_translation(
    recommendation: Recommendation, language: Any, text: Any, *, by: Any
) -> Recommendation:
    """Record the ``language`` version of the recommendation, made from its current original."""
    _require(
        "recommendations.translate",
        by,
        recommendation,
        _("Only organisers and moderators translate recommendations."),
    )
    code = str(language or "").strip().lower()
    if code not in CONTENT_LANGUAGES:
        raise ValidationError(
            {
                "language": _("Unknown language “%(value)s”; the languages are: %(all)s.")
                % {"value": language, "all": ", ".join(CONTENT_LANGUAGES)}
            }
        )
    locked = _locked(recommendation)
    if code == locked.language:
        raise ValidationError(
            {"language": _("This is the original language: edit the recommendation instead.")}
        )
    cleaned = clean_text(text)
    setattr(locked, f"text_{code}", cleaned)
    setattr(locked, f"revision_{code}", locked.revision)
    locked.save(update_fields=[f"text_{code}", f"revision_{code}", "updated_at"])
    record("recommendation.translate", locked, actor=by, language=code)
    _refresh(recommendation, locked)
    return locked


@transaction.atomic
def change_status(recommendation: Recommendation, to: Any, *, by: Any, reason: Any) -> StatusChange:
    """An organiser moves the recommendation to ``to`` with a public reason; ``consulted`` and
    ``adopted`` need at least one piece of evidence. Logged and audited."""
    _require(
        "recommendations.decide",
        by,
        recommendation,
        _("Only organisers change the status of a recommendation."),
    )
    target = str(to or "").strip()
    if target not in Status.values:
        raise ValidationError(
            {
                "status": _("Unknown status “%(value)s”; the statuses are: %(all)s.")
                % {"value": to, "all": ", ".join(Status.values)}
            }
        )
    cleaned_reason = clean_reason(reason)
    locked = _locked(recommendation)
    allowed = TRANSITIONS[locked.status]
    if target not in allowed:
        raise ValidationError(
            {
                "status": _(
                    "A %(current)s recommendation cannot become %(target)s; it can become: "
                    "%(allowed)s."
                )
                % {
                    "current": Status(locked.status).label,
                    "target": Status(target).label,
                    "allowed": ", ".join(str(Status(s).label) for s in allowed),
                }
            }
        )
    if target in NEEDS_EVIDENCE and not locked.evidence.exists():
        raise ValidationError(
            {
                "status": _(
                    "A recommendation needs at least one piece of evidence before it is "
                    "%(target)s: link a theme, a trend, a contribution or another source first."
                )
                % {"target": Status(target).label}
            }
        )
    change = StatusChange.objects.create(
        recommendation=locked,
        from_status=locked.status,
        to_status=target,
        reason=cleaned_reason,
        actor=by,
    )
    locked.status = target
    locked.save(update_fields=["status", "updated_at"])
    record(
        "recommendation.status",
        locked,
        actor=by,
        reason=cleaned_reason,
        **{"from": change.from_status, "to": target},
    )
    _refresh(recommendation, locked)
    return change


# --- evidence ----------------------------------------------------------------------------------


@dataclass
class Snapshot:
    """What an evidence row shows, read from the source when it is linked."""

    label: str = ""
    quote: str = ""
    language: str = ""
    regions: list[str] | None = None
    constituencies: dict[str, int] | None = None
    count: int = 0


def _constituencies(contribution_ids: Iterable[int]) -> dict[str, int]:
    """How many of these contributions come from each organisation type (``unknown``: none)."""
    rows = Contribution.objects.filter(pk__in=list(contribution_ids)).values_list(
        "organisation__kind", "author__organisation__kind"
    )
    counts = Counter((own or author or "unknown") for own, author in rows)
    return dict(sorted(counts.items()))


def _not_found(message: str) -> ValidationError:
    return ValidationError({"source": message})


def _int(value: Any) -> int | None:
    """A whole number the databases can hold, else None (a number past 64 bits names nothing
    and would fail in the database driver)."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if fits_int64(number) else None


def _label(labels: Any, language: str) -> str:
    if isinstance(labels, dict):
        return str(labels.get(language) or labels.get("en") or next(iter(labels.values()), ""))
    return str(labels or "")


def _approved_run(source_id: Any) -> Any:
    from cityforum.synthesis.models import ThemeRun

    run = ThemeRun.objects.filter(pk=_int(source_id) or 0).first()
    if run is None:
        raise _not_found(_("There is no themes run %(ref)s.") % {"ref": source_id})
    if not run.is_approved:
        raise _not_found(
            _("Only the themes, trends and specificities of an approved synthesis can be evidence.")
        )
    return run


def _theme_snapshot(
    run: Any, theme_id: int | None, language: str
) -> tuple[dict[str, Any], Snapshot]:
    themes = {t.get("id"): t for t in run.published().get("themes", [])}
    theme = themes.get(theme_id)
    if theme is None:
        raise _not_found(
            _("The themes run %(run)d has no theme %(ref)s.") % {"run": run.pk, "ref": theme_id}
        )
    quotes = theme.get("quotes") or []
    first = quotes[0] if quotes else {}
    regions = sorted(
        code for code, p in (theme.get("prevalence") or {}).items() if (p or {}).get("count")
    )
    return theme, Snapshot(
        label=_label(theme.get("labels"), language),
        quote=str(first.get("text", ""))[:MAX_QUOTE_LENGTH],
        language=str(first.get("language", "")),
        regions=regions,
        constituencies=_constituencies(q.get("contribution") for q in quotes),
        count=int(theme.get("size") or 0),
    )


def _snapshot(kind: str, source_id: Any, key: str, language: str) -> Snapshot:
    """Read the source of a piece of evidence, refusing what is not approved or not public."""
    if kind == Evidence.Kind.CONTRIBUTION:
        contribution = Contribution.objects.filter(pk=_int(source_id) or 0).first()
        if contribution is None:
            raise _not_found(_("There is no contribution %(ref)s.") % {"ref": source_id})
        if contribution.status != ContributionVisibility.VISIBLE:
            raise _not_found(_("A hidden contribution cannot be evidence."))
        org = contribution.organisation or getattr(contribution.author, "organisation", None)
        return Snapshot(
            label=contribution.title[:300],
            quote=contribution.body[:MAX_QUOTE_LENGTH],
            language=contribution.language,
            regions=[contribution.region.code] if contribution.region_id else [],
            constituencies={org.kind if org else "unknown": 1},
            count=1 + contribution.endorsements.count(),
        )
    if kind == Evidence.Kind.THEME:
        run = _approved_run(source_id)
        return _theme_snapshot(run, _int(key), language)[1]
    if kind == Evidence.Kind.TREND:
        run = _approved_run(source_id)
        trends = {t.get("theme"): t for t in run.published().get("trends", [])}
        trend = trends.get(_int(key))
        if trend is None or not trend.get("is_global"):
            raise _not_found(
                _("The themes run %(run)d has no global trend on theme %(ref)s.")
                % {"run": run.pk, "ref": key}
            )
        _theme, snap = _theme_snapshot(run, _int(key), language)
        ids = trend.get("contributions") or []
        snap.regions = list(trend.get("regions_present") or [])
        snap.constituencies = _constituencies(ids) or snap.constituencies
        snap.count = len(ids) or snap.count
        return snap
    if kind == Evidence.Kind.SPECIFICITY:
        run = _approved_run(source_id)
        region, _sep, rest = key.partition(":")
        spec_kind, _sep, spec_key = rest.partition(":")
        for s in run.published().get("specificities", []):
            if (s.get("region"), s.get("kind"), str(s.get("key"))) == (region, spec_kind, spec_key):
                ids = s.get("contributions") or []
                first = Contribution.objects.filter(pk__in=ids[:1]).first()
                return Snapshot(
                    label=_label(s.get("labels"), language)[:300],
                    quote=first.body[:MAX_QUOTE_LENGTH] if first else "",
                    language=first.language if first else "",
                    regions=[region],
                    constituencies=_constituencies(ids),
                    count=int(s.get("count") or len(ids)),
                )
        raise _not_found(
            _("The themes run %(run)d has no specificity “%(ref)s” (region:kind:key).")
            % {"run": run.pk, "ref": key}
        )
    if kind == Evidence.Kind.CONSENSUS_STATEMENT:
        from cityforum.statements.models import Statement
        from cityforum.synthesis.models import OpinionMapRun

        run = OpinionMapRun.objects.filter(pk=_int(source_id) or 0).first()
        if run is None:
            raise _not_found(_("There is no opinion map run %(ref)s.") % {"ref": source_id})
        if run.status != OpinionMapRun.Status.DONE:
            raise _not_found(_("Only a finished opinion map can be evidence."))
        sid = _int(key)
        consensus = (run.result or {}).get("consensus", {})
        sides = {
            side
            for side in ("agree", "disagree")
            for item in consensus.get(side, [])
            if _int(item.get("statement")) == sid
        }
        if not sides:
            raise _not_found(
                _("Statement %(ref)s is not a consensus statement of this opinion map.")
                % {"ref": key}
            )
        statement = Statement.objects.filter(pk=sid).first()
        if statement is None or statement.status != Statement.Status.ACCEPTED:
            raise _not_found(_("Only accepted statements can be evidence."))
        region = run.consultation.region
        return Snapshot(
            label=", ".join(sorted(sides)),
            quote=statement.text[:MAX_QUOTE_LENGTH],
            language=statement.language or "",
            regions=[region.code] if region is not None else [],
            constituencies={},
            count=int(run.n_votes or 0),
        )
    if kind == Evidence.Kind.ARTICLE:
        from cityforum.drafting.models import Article

        article = Article.objects.select_related("document").filter(pk=_int(source_id) or 0).first()
        if article is None:
            raise _not_found(_("There is no article %(ref)s.") % {"ref": source_id})
        if article.deleted:
            raise _not_found(_("A deleted article cannot be evidence."))
        opinions = article.opinions.filter(value="support")
        return Snapshot(
            label=f"{article.document.title} — {article}"[:300],
            quote=article.text_in(article.source_language)[:MAX_QUOTE_LENGTH],
            language=article.source_language,
            regions=[],
            constituencies={},
            count=opinions.count(),
        )
    raise ValidationError(
        {
            "kind": _("Unknown kind of evidence “%(value)s”; the kinds are: %(all)s.")
            % {"value": kind, "all": ", ".join(Evidence.Kind.values)}
        }
    )


@transaction.atomic
def link_evidence(
    recommendation: Recommendation,
    kind: Any,
    source_id: Any,
    key: Any = "",
    *,
    by: Any,
    note: Any = "",
) -> Evidence:
    """Link what supports the recommendation: only approved or public material (a visible
    contribution, a theme/trend/specificity of an approved synthesis, a consensus statement of
    a finished opinion map that is accepted, an article not deleted). Its quote, regions,
    constituencies and count are copied now."""
    _require(
        "recommendations.link_evidence",
        by,
        recommendation,
        _("Only organisers and moderators link evidence."),
    )
    kind = str(kind or "").strip()
    key = _one_line(key)[:120]
    cleaned_note = _one_line(note)
    if len(cleaned_note) > MAX_NOTE_LENGTH:
        raise ValidationError(
            {"note": _("The note has at most %(n)d characters.") % {"n": MAX_NOTE_LENGTH}}
        )
    if _int(source_id) is None and kind in Evidence.Kind.values:
        raise ValidationError({"source": _("Say which source: its number.")})
    if kind in (Evidence.Kind.CONTRIBUTION, Evidence.Kind.ARTICLE):
        key = ""
    snap = _snapshot(kind, source_id, key, recommendation.language)
    source = int(source_id)  # checked by _snapshot through _int
    if Evidence.objects.filter(
        recommendation=recommendation, kind=kind, source_id=source, key=key
    ).exists():
        raise AlreadyDone(_("This recommendation already cites this evidence."), code="duplicate")
    evidence = Evidence.objects.create(
        recommendation=recommendation,
        kind=kind,
        source_id=source,
        key=key,
        label=snap.label,
        quote=snap.quote,
        language=snap.language,
        regions=snap.regions or [],
        constituencies=snap.constituencies or {},
        count=snap.count,
        note=cleaned_note,
        added_by=by,
    )
    record("recommendation.evidence", recommendation, actor=by, evidence=evidence.pk, kind=kind)
    return evidence


@transaction.atomic
def unlink_evidence(evidence: Evidence, *, by: Any) -> None:
    """Remove a piece of evidence; a consulted or adopted recommendation keeps at least one."""
    recommendation = evidence.recommendation
    _require(
        "recommendations.link_evidence",
        by,
        recommendation,
        _("Only organisers and moderators link evidence."),
    )
    locked = _locked(recommendation)
    if locked.status in NEEDS_EVIDENCE and locked.evidence.count() <= 1:
        raise ValidationError(
            {
                "source": _(
                    "A consulted or adopted recommendation keeps at least one piece of evidence."
                )
            }
        )
    record(
        "recommendation.unlink_evidence",
        locked,
        actor=by,
        evidence=evidence.pk,
        kind=evidence.kind,
    )
    evidence.delete()


# --- support -----------------------------------------------------------------------------------


def section_of(person: Any) -> Region | None:
    """A person's UCLG world section: their organisation's country's, else their city's."""
    organisation = getattr(person, "organisation", None)
    if organisation is not None and organisation.country_id:
        return organisation.country.section
    city = getattr(person, "city", None)
    if city is not None and getattr(city, "country_id", None):
        return city.country.section
    return None


@transaction.atomic
def endorse(recommendation: Recommendation, *, by: Any) -> RecommendationEndorsement:
    """``by`` backs the recommendation, once; their constituency and section are copied."""
    _require(
        "recommendations.endorse",
        by,
        recommendation,
        _("A withdrawn recommendation cannot be endorsed."),
    )
    organisation = getattr(by, "organisation", None)
    try:
        with transaction.atomic():
            endorsement = RecommendationEndorsement.objects.create(
                recommendation=recommendation,
                person=by,
                organisation=organisation,
                constituency=organisation.kind if organisation else "",
                region=section_of(by),
            )
    except IntegrityError:
        raise AlreadyDone(_("You already endorse this recommendation."), code="duplicate") from None
    record("recommendation.endorse", recommendation, actor=by)
    return endorsement


@transaction.atomic
def withdraw_endorsement(recommendation: Recommendation, *, by: Any) -> bool:
    """``by`` no longer backs the recommendation; False when they did not."""
    _require(
        "recommendations.withdraw_endorsement",
        by,
        recommendation,
        _("Sign in to take part."),
    )
    deleted, _rows = RecommendationEndorsement.objects.filter(
        recommendation=recommendation, person=getattr(by, "pk", None)
    ).delete()
    if deleted:
        record("recommendation.withdraw_endorsement", recommendation, actor=by)
    return bool(deleted)
