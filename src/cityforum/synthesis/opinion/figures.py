"""What the opinion map page shows besides the engine's result, computed once with the run.

The page reads these figures from the stored run and never recomputes: the map's points (scaled
into the drawing box; a density grid past :data:`DOT_LIMIT` participants), the vote shares per
group of every listed statement (for "82 % of group A agree, against 20 % of the others"),
and the groups' make-up by world section and organisation type.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np

from cityforum.analysis.opinion import OpinionMap
from cityforum.programme.models import Consultation
from cityforum.statements.models import Voter

from .input import CHUNK, OpinionInput

#: Up to this many participants the map draws one dot each; past it, a density grid.
DOT_LIMIT = 3000
WIDTH, HEIGHT, MARGIN = 640, 420, 16
CELL = 12  # side of a density cell, in drawing units
UNKNOWN = "unknown"


def figures(consultation: Consultation, model: OpinionMap, data: OpinionInput) -> dict[str, Any]:
    return {
        "n_participants": int(model.participants_.size),
        "map": map_points(model),
        "shares": statement_shares(model, data, listed_statements(model)),
        "composition": composition(consultation, model),
    }


def listed_statements(model: OpinionMap) -> list[int]:
    """Every statement the page lists: representative, consensus, divisive."""
    ids = {int(r.statement) for group in model.representative_ for r in group}
    ids |= {int(c.statement) for side in model.consensus_.values() for c in side}
    ids |= {int(d.statement) for d in model.divisive_}
    return sorted(ids)


def map_points(model: OpinionMap) -> dict[str, Any]:
    """Participants' positions scaled into a WIDTH × HEIGHT box (y up), as dots or a grid."""
    xy = np.nan_to_num(np.asarray(model.coords_, dtype=np.float64))
    groups = np.asarray(model.groups_, dtype=np.int64)
    box = {"width": WIDTH, "height": HEIGHT}
    if xy.shape[0] == 0:
        return {"kind": "dots", "box": box, "dots": []}
    low, high = xy.min(axis=0), xy.max(axis=0)
    span = np.maximum(high - low, 1e-12)
    scale = min((WIDTH - 2 * MARGIN) / span[0], (HEIGHT - 2 * MARGIN) / span[1])
    offset = (np.array([WIDTH, HEIGHT]) - span * scale) / 2
    px = offset[0] + (xy[:, 0] - low[0]) * scale
    py = HEIGHT - (offset[1] + (xy[:, 1] - low[1]) * scale)
    if xy.shape[0] <= DOT_LIMIT:
        dots = [
            [round(x, 1), round(y, 1), g]
            for x, y, g in zip(px.tolist(), py.tolist(), groups.tolist(), strict=True)
        ]
        return {"kind": "dots", "box": box, "dots": dots}
    cols, rows = -(-WIDTH // CELL), -(-HEIGHT // CELL)
    col = np.clip((px // CELL).astype(np.int64), 0, cols - 1)
    row = np.clip((py // CELL).astype(np.int64), 0, rows - 1)
    cell = col * rows + row
    k = int(groups.max()) + 1
    table = np.zeros((cols * rows, k + 1), dtype=np.int64)
    np.add.at(table, (cell, groups + 1), 1)
    counts = table.sum(axis=1)
    # The cell's colour is its most common group; ungrouped participants only if nobody else.
    dominant = np.where(table[:, 1:].sum(axis=1) > 0, table[:, 1:].argmax(axis=1), -1)
    used = np.flatnonzero(counts)
    cells = [
        [int(c // rows) * CELL, int(c % rows) * CELL, int(counts[c]), int(dominant[c])]
        for c in used.tolist()
    ]
    return {"kind": "density", "box": box, "cell": CELL, "max": int(counts.max()), "cells": cells}


def statement_shares(
    model: OpinionMap, data: OpinionInput, statement_ids: list[int]
) -> dict[str, dict[str, list[int]]]:
    """For each listed statement, per group and for everyone: agree, disagree, votes cast."""
    k = int(model.n_groups_)
    wanted = np.asarray(statement_ids, dtype=np.int64)
    keep = np.isin(data.statements, wanted)
    sids, pids, values = data.statements[keep], data.participants[keep], data.values[keep]
    order = np.argsort(model.participants_)
    where = order[np.searchsorted(model.participants_, pids, sorter=order)]
    column = model.groups_[where] + 1  # 0: not grouped
    row = np.searchsorted(wanted, sids)
    tables = {}
    for name, mask in (("agree", values == 1), ("disagree", values == -1), ("seen", None)):
        table = np.zeros((wanted.size, k + 1), dtype=np.int64)
        selected = slice(None) if mask is None else mask
        np.add.at(table, (row[selected], column[selected]), 1)
        tables[name] = table
    return {
        str(sid): {
            name: [*tables[name][i, 1:].tolist(), int(tables[name][i].sum())]
            for name in ("agree", "disagree", "seen")
        }
        for i, sid in enumerate(wanted.tolist())
    }


def composition(consultation: Consultation, model: OpinionMap) -> dict[str, list[dict[str, int]]]:
    """Each group's size by world section and by organisation type of its voters.

    Voters who are users count under their organisation's type and its country's section;
    anonymous and imported voters, and users without an organisation, count as ``unknown``.
    """
    k = int(model.n_groups_)
    group_of = dict(zip(model.participants_.tolist(), model.groups_.tolist(), strict=True))
    by_region: list[Counter[str]] = [Counter() for _ in range(k)]
    by_kind: list[Counter[str]] = [Counter() for _ in range(k)]
    rows = (
        Voter.objects.filter(consultation=consultation, user__isnull=False)
        .values_list(
            "public_id", "user__organisation__kind", "user__organisation__country__section__code"
        )
        .iterator(chunk_size=CHUNK)
    )
    for public_id, kind, section in rows:
        group = group_of.get(public_id, -1)
        if group >= 0:
            by_kind[group][kind or UNKNOWN] += 1
            by_region[group][section or UNKNOWN] += 1
    sizes = np.bincount(model.groups_[model.groups_ >= 0], minlength=k).tolist()
    for counters in (by_region, by_kind):
        for group, counter in enumerate(counters):
            known = sum(n for code, n in counter.items() if code != UNKNOWN)
            counter[UNKNOWN] = sizes[group] - known
            if not counter[UNKNOWN]:
                del counter[UNKNOWN]
    return {
        "by_region": [dict(sorted(c.items())) for c in by_region],
        "by_organisation_kind": [dict(sorted(c.items())) for c in by_kind],
    }
