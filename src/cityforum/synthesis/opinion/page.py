"""The opinion map page's content, in words and shapes, from a stored run (never recomputed).

Every sentence is translated; numbers come from the run's stored ``result`` and ``figures``.
Statements are shown only while accepted: one rejected after the run disappears from the page.
"""

from __future__ import annotations

from string import ascii_uppercase
from typing import Any

from django.utils.translation import gettext as _

from cityforum.people.models import Organisation
from cityforum.programme.models import Region
from cityforum.statements.models import Statement

from .figures import UNKNOWN
from .models import OpinionMapRun

#: Okabe–Ito colours, told apart by people with colour-blindness; grey for the ungrouped.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#F0E442", "#000000"]
UNGROUPED = "#9a9a9a"


def group_label(group: int) -> str:
    return ascii_uppercase[group] if 0 <= group < 26 else str(group + 1)


def colour(group: int) -> str:
    return PALETTE[group % len(PALETTE)] if group >= 0 else UNGROUPED


def _percent(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


def page_context(run: OpinionMapRun) -> dict[str, Any]:
    figures = run.figures or {}
    result = figures.get("listing", {})
    shares: dict[str, dict[str, list[int]]] = figures.get("shares", {})
    groups = result.get("groups", [])
    k = len(groups)
    listed = {int(sid) for sid in shares}
    texts = dict(
        Statement.objects.filter(
            pk__in=listed, consultation_id=run.consultation_id, status=Statement.Status.ACCEPTED
        ).values_list("pk", "text")
    )
    n_participants = int(figures.get("n_participants", 0))
    grouped = sum(g["size"] for g in groups)

    def share_of(sid: int, side: str, group: int) -> tuple[int, int]:
        figure = shares.get(str(sid), {})
        agree, seen = figure.get(side, [0] * (k + 1)), figure.get("seen", [0] * (k + 1))
        if group >= 0:
            inside = _percent(agree[group], seen[group])
            others = [h for h in range(k) if h != group]
            outside = _percent(sum(agree[h] for h in others), sum(seen[h] for h in others))
            return inside, outside
        return _percent(agree[-1], seen[-1]), seen[-1]

    group_rows = []
    for group in groups:
        g = int(group["id"])
        statements = []
        for item in group.get("representative", []):
            sid = int(item["statement"])
            if sid not in texts:
                continue
            side = "agree" if item["direction"] == "agree" else "disagree"
            inside, outside = share_of(sid, side, g)
            template = (
                _("%(share)d %% of group %(group)s agree, against %(others)d %% of the others.")
                if side == "agree"
                else _(
                    "%(share)d %% of group %(group)s disagree, against %(others)d %% of the others."
                )
            )
            statements.append(
                {
                    "id": sid,
                    "text": texts[sid],
                    "direction": side,
                    "words": template
                    % {"share": inside, "group": group_label(g), "others": outside},
                }
            )
        group_rows.append(
            {
                "id": g,
                "label": group_label(g),
                "colour": colour(g),
                "size": group["size"],
                "percent": _percent(group["size"], n_participants),
                "representative": statements,
            }
        )

    consensus = {}
    for side in ("agree", "disagree"):
        items = []
        for item in result.get("consensus", {}).get(side, []):
            sid = int(item["statement"])
            if sid not in texts:
                continue
            share, seen = share_of(sid, side, -1)
            template = (
                _("%(share)d %% of the %(n)d participants who voted on it agree.")
                if side == "agree"
                else _("%(share)d %% of the %(n)d participants who voted on it disagree.")
            )
            items.append(
                {"id": sid, "text": texts[sid], "words": template % {"share": share, "n": seen}}
            )
        consensus[side] = items

    divisive = []
    for item in result.get("divisive", []):
        sid = int(item["statement"])
        if sid not in texts:
            continue
        parts = [
            _("group %(group)s: %(share)d %%")
            % {"group": group_label(g), "share": share_of(sid, "agree", g)[0]}
            for g in range(k)
        ]
        words = _("Agree: %(shares)s.") % {"shares": "; ".join(parts)}
        divisive.append({"id": sid, "text": texts[sid], "words": words})

    return {
        "run": run,
        "groups": group_rows,
        "n_participants": n_participants,
        "n_grouped": grouped,
        "n_ungrouped": n_participants - grouped,
        "consensus": consensus,
        "divisive": divisive,
        "map": _map(figures.get("map", {}), k),
        "map_description": _map_description(figures.get("map", {}), group_rows, n_participants),
        "composition_tables": [
            {
                "caption": _("Group sizes by world section"),
                "label": _("World section"),
                "rows": _composition(figures, "by_region"),
            },
            {
                "caption": _("Group sizes by organisation type"),
                "label": _("Organisation type"),
                "rows": _composition(figures, "by_organisation_kind"),
            },
        ],
    }


def _map(figure: dict[str, Any], k: int) -> dict[str, Any]:
    box = figure.get("box", {"width": 640, "height": 420})
    if figure.get("kind") == "density":
        top = max(int(figure.get("max", 1)), 1)
        cells = [
            {
                "x": x,
                "y": y,
                "n": n,
                "fill": colour(g),
                "opacity": round(0.15 + 0.85 * n / top, 3),
            }
            for x, y, n, g in figure.get("cells", [])
        ]
        return {"kind": "density", "box": box, "cell": figure.get("cell", 12), "cells": cells}
    dots = [{"x": x, "y": y, "fill": colour(g)} for x, y, g in figure.get("dots", [])]
    return {"kind": "dots", "box": box, "dots": dots}


def _map_description(figure: dict[str, Any], groups: list[dict[str, Any]], n: int) -> str:
    sizes = "; ".join(
        _("group %(group)s: %(n)d participants (%(percent)d %%)")
        % {"group": g["label"], "n": g["size"], "percent": g["percent"]}
        for g in groups
    )
    text = _(
        "Opinion map of %(n)d participants in %(k)d opinion groups (%(sizes)s). "
        "Participants who vote alike sit close to each other."
    ) % {"n": n, "k": len(groups), "sizes": sizes}
    if figure.get("kind") == "density":
        text += " " + _(
            "Each square stands for the participants at that place: the darker, the more of "
            "them; its colour is their most common group."
        )
    else:
        text += " " + _("Each dot is a participant, coloured by group; grey dots are not grouped.")
    return text


def _composition(figures: dict[str, Any], key: str) -> list[dict[str, Any]]:
    """Rows of a table: one per section (or organisation type), a count per group."""
    per_group: list[dict[str, int]] = figures.get("composition", {}).get(key, [])
    codes = sorted(
        {code for counts in per_group for code in counts}, key=lambda c: (c == UNKNOWN, c)
    )
    if key == "by_region":
        names = {r.code: str(r.name) for r in Region.objects.filter(code__in=codes)}
    else:
        names = {code: str(label) for code, label in Organisation.Kind.choices}
    rows = []
    for code in codes:
        name = _("unknown") if code == UNKNOWN else names.get(code, code)
        rows.append({"name": name, "counts": [counts.get(code, 0) for counts in per_group]})
    return rows
