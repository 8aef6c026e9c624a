"""Pages of the live opinion map (issue 16).

* The participant's block on the voting page (``{% live_map_slot %}``, and the fragment that
  htmx polls every two seconds with ``If-None-Match``: an unchanged map costs a ``304``). A
  plain reload shows the same block without JavaScript.
* The organisers' page: the switch, the kept updates (pin / unpin), and for an imported Pol.is
  conversation "as Polis computed it".

Participants never see another participant's position: the picture holds group centres (of
groups of at least the minimum size) and the participant's own point, nothing else.
"""

from __future__ import annotations

from typing import Any

import rules
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Max
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cityforum.programme.models import Consultation
from cityforum.statements.models import Statement, Voter

from . import live
from .live_models import LiveMapUpdate, PolisImportInfo

#: Okabe–Ito colours, as the organiser's map; grey for "other".
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#F0E442", "#000000"]
OTHER_COLOUR = "#999999"
BOX = (320, 240)
PAD = 24


def _consultation(slug: str) -> Consultation:
    consultation = (
        Consultation.objects.filter(slug=slug).order_by("-forum__edition").first() if slug else None
    )
    if consultation is None:
        raise Http404(_("No consultation is called “%(slug)s”.") % {"slug": slug})
    return consultation


def _voter(request: HttpRequest, consultation: Consultation) -> Voter | None:
    if request.user.is_authenticated:
        return Voter.objects.filter(consultation=consultation, user=request.user).first()
    key = request.session.session_key
    return Voter.objects.filter(consultation=consultation, session_key=key).first() if key else None


def _percent(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


def _picture(public: dict[str, Any], own: dict[str, Any] | None) -> dict[str, Any]:
    """Circles at the shown groups' centres (area by size) and the participant's own point,
    scaled into the box; nobody else's position is drawn."""
    points = [g["centre"] for g in public["groups"] if g["centre"] is not None]
    if own and own.get("position"):
        points.append(own["position"])
    if not points:
        return {"box": BOX, "circles": [], "you": None}
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    span_x, span_y = (max(xs) - min(xs)) or 1.0, (max(ys) - min(ys)) or 1.0

    def place(p: list[float]) -> tuple[float, float]:
        return (
            round(PAD + (p[0] - min(xs)) / span_x * (BOX[0] - 2 * PAD), 1),
            round(BOX[1] - PAD - (p[1] - min(ys)) / span_y * (BOX[1] - 2 * PAD), 1),
        )

    largest = max((g["size"] for g in public["groups"]), default=1) or 1
    circles = []
    for i, group in enumerate(public["groups"]):
        if group["centre"] is None:
            continue
        x, y = place(group["centre"])
        circles.append(
            {
                "x": x,
                "y": y,
                "r": round(6 + 18 * (group["size"] / largest) ** 0.5, 1),
                "label": group["label"],
                "colour": OTHER_COLOUR
                if group["label"] == live.OTHER
                else PALETTE[i % len(PALETTE)],
            }
        )
    you = place(own["position"]) if own and own.get("position") else None
    return {"box": BOX, "circles": circles, "you": you}


def fragment_context(request: HttpRequest, consultation: Consultation) -> dict[str, Any] | None:
    """What the participant's block shows, or ``None`` when the live map is off."""
    live_map, update = live.latest_live_update(consultation)
    if live_map is None or not live_map.enabled:
        return None
    context: dict[str, Any] = {"consultation": consultation, "update": update}
    context["not_current_since"] = live.not_current_since(consultation, update)
    if update is None:
        return context
    public = live.public_view(update)
    voter = _voter(request, consultation)
    own = live.own_view(update, voter, public) if voter is not None else None
    needed = (
        own["votes_needed"]
        if own
        else min(public["min_votes"], max(len(update.document.get("statements", [])), 1))
    )
    context.update(
        {
            "public": public,
            "own": own,
            "votes_needed": needed,
            "votes_to_go": max(needed - (own["n_votes"] if own else 0), 0),
        }
    )
    if context["votes_to_go"]:
        return context
    ids: set[int] = set()
    for group in public["groups"]:
        ids.update(r["statement"] for r in group["representative"])
    for direction in ("agree", "disagree"):
        ids.update(c["statement"] for c in public["consensus"][direction])
    if own:
        ids.update(row["statement"] for row in own["comparison"])
    texts = dict(Statement.objects.filter(pk__in=ids).values_list("pk", "text"))
    groups = []
    for group in public["groups"]:
        groups.append(
            {
                **group,
                "percent": _percent(group["size"], public["n_grouped"]),
                "agree": [
                    texts.get(r["statement"], "")
                    for r in group["representative"]
                    if r["direction"] == "agree"
                ][:2],
                "disagree": [
                    texts.get(r["statement"], "")
                    for r in group["representative"]
                    if r["direction"] == "disagree"
                ][:2],
            }
        )
    comparison = []
    for row in own["comparison"] if own else []:
        shares = row["group"]
        total = sum(shares.values()) if shares else 0
        comparison.append(
            {
                "text": texts.get(row["statement"], ""),
                "you": row["you"],
                "agree": _percent(shares["agree"], total) if shares else None,
                "disagree": _percent(shares["disagree"], total) if shares else None,
                "pass": _percent(shares["pass"], total) if shares else None,
            }
        )
    context.update(
        {
            "groups": groups,
            "consensus": [
                {"direction": d, "text": texts.get(c["statement"], "")}
                for d in ("agree", "disagree")
                for c in public["consensus"][d]
            ],
            "comparison": comparison,
            "picture": _picture(public, own),
        }
    )
    return context


def _etag(request: HttpRequest, consultation: Consultation) -> str:
    """Changes when the update, the participant's votes, the language or the freshness
    warning change: what the block shows depends on nothing else."""
    latest = live.latest_state(consultation.pk)
    voter = _voter(request, consultation)
    state = voter.votes.aggregate(n=Count("pk"), last=Max("updated_at")) if voter else {}
    since = live.not_current_since(consultation, latest.max_event_id if latest else 0)
    return (
        f'"frag-{getattr(latest, "update_id", 0)}-{getattr(latest, "enabled", False)}-'
        f"{getattr(voter, 'pk', 0)}-{state.get('n', 0)}-{state.get('last')}-"
        f'{get_language()}-{since}"'.replace(" ", "_")
    )


def live_fragment(request: HttpRequest, consultation_slug: str) -> HttpResponse:
    """The participant's block alone, for htmx polling; ``304`` when unchanged."""
    consultation = _consultation(consultation_slug)
    if not live.LiveMap.objects.filter(consultation=consultation, enabled=True).exists():
        raise Http404(_("The live opinion map is off for this consultation."))
    etag = _etag(request, consultation)
    if etag in [t.strip() for t in request.headers.get("If-None-Match", "").split(",")]:
        response = HttpResponse(status=304)
    else:
        context = fragment_context(request, consultation)
        if context is None:
            raise Http404(_("The live opinion map is off for this consultation."))
        response = HttpResponse(
            render_to_string("synthesis/live/_live_map.html", context, request=request)
        )
    response["ETag"] = etag
    response["Cache-Control"] = "private, no-cache"
    response["Vary"] = "Cookie, Accept-Language"
    return response


def live_page(request: HttpRequest, consultation_slug: str) -> HttpResponse:
    """The live map on its own page. Participants: 404 while it is off. Organisers: the
    switch, the kept updates and the Pol.is replay, and a clear message while it is off."""
    consultation = _consultation(consultation_slug)
    organiser = rules.test_rule("synthesis.run", request.user, consultation)
    context = fragment_context(request, consultation)
    if context is None and not organiser:
        raise Http404(_("The live opinion map is off for this consultation."))
    page: dict[str, Any] = {
        "consultation": consultation,
        "organiser": organiser,
        "live_block": context,
        "enabled": context is not None,
    }
    if organiser:
        page["updates"] = LiveMapUpdate.objects.filter(consultation=consultation).defer(
            "positions", "document"
        )[:50]
        page["polis_import"] = PolisImportInfo.objects.filter(consultation=consultation).first()
    return render(request, "synthesis/live/page.html", page)


@require_POST
def live_switch(request: HttpRequest, consultation_slug: str) -> HttpResponse:
    consultation = _consultation(consultation_slug)
    on = request.POST.get("enabled") == "on"
    try:
        live.set_live_map(consultation, on, by=request.user)
    except PermissionDenied as error:
        raise PermissionDenied(str(error)) from None
    messages.success(
        request,
        _("The live opinion map is on.") if on else _("The live opinion map is off."),
    )
    return redirect("synthesis:live", consultation.slug)


@require_POST
def live_pin(request: HttpRequest, pk: int) -> HttpResponse:
    update = get_object_or_404(LiveMapUpdate.objects.select_related("consultation"), pk=pk)
    pinned = request.POST.get("pinned") == "on"
    live.pin_update(update, pinned, by=request.user)
    messages.success(
        request, _("The update is pinned.") if pinned else _("The update is unpinned.")
    )
    return redirect("synthesis:live", update.consultation.slug)


@require_POST
def polis_replay(request: HttpRequest, consultation_slug: str) -> HttpResponse:
    consultation = _consultation(consultation_slug)
    try:
        update = live.replay_polis_import(consultation, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("The conversation is replayed as Polis computed it: %(k)d groups.")
            % {"k": len(update.document.get("groups", []))},
        )
    return redirect("synthesis:live", consultation.slug)


def update_page(request: HttpRequest, pk: int) -> HttpResponse:
    """One kept update (a pinned one, or the Polis replay), as participants would see it;
    organisers only, since it may be older than what participants see."""
    update = get_object_or_404(LiveMapUpdate.objects.select_related("consultation"), pk=pk)
    if not rules.test_rule("synthesis.run", request.user, update.consultation):
        raise PermissionDenied(_("Only organisers may read past updates of the live map."))
    public = live.public_view(update)
    ids = {r["statement"] for g in public["groups"] for r in g["representative"]}
    texts = dict(Statement.objects.filter(pk__in=ids).values_list("pk", "text"))
    for group in public["groups"]:
        for r in group["representative"]:
            r["text"] = texts.get(r["statement"], "")
    return render(
        request,
        "synthesis/live/update.html",
        {
            "consultation": update.consultation,
            "update": update,
            "public": public,
            "picture": _picture(public, None),
        },
    )
