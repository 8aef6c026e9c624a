"""An opinion map as a JSON document: what ``cityforum analyse votes`` writes and what a stored
run of the opinion map keeps (:class:`cityforum.synthesis.models.OpinionMapRun`).

One function for both, so that a file written at the command line and a run stored by the site
read the same; it lives with the engine because it depends on nothing but the fitted model.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from cityforum.analysis.opinion import OpinionMap


def result_document(model: OpinionMap, parameters: dict[str, Any], sha256: str) -> dict[str, Any]:
    """The JSON document of a fitted map (``timings`` is added by the caller)."""
    groups = model.groups_
    coords = model.coords_
    participants = {
        str(pid): {
            "group": None if group < 0 else group,
            "x": _number(x),
            "y": _number(y),
        }
        for pid, group, x, y in zip(
            model.participants_.tolist(),
            groups.tolist(),
            coords[:, 0].tolist(),
            coords[:, 1].tolist(),
            strict=True,
        )
    }
    sizes = np.bincount(groups[groups >= 0], minlength=model.n_groups_).tolist()
    return {
        "participants": participants,
        "groups": [
            {
                "id": g,
                "size": sizes[g],
                "representative": [
                    {
                        "statement": int(r.statement),
                        "direction": r.direction,
                        "probability": _number(r.probability),
                        "repness": _number(r.repness),
                        "z": _number(r.z),
                    }
                    for r in model.representative_[g]
                ],
            }
            for g in range(model.n_groups_)
        ],
        "consensus": {
            direction: [
                {
                    "statement": int(c.statement),
                    "probability": _number(c.probability),
                    "z": _number(c.z),
                }
                for c in model.consensus_[direction]
            ]
            for direction in ("agree", "disagree")
        },
        "group_informed_consensus": {
            str(sid): _number(value)
            for sid, value in zip(
                model.statements_.tolist(), model.group_informed_consensus_.tolist(), strict=True
            )
        },
        "divisive": [
            {
                "statement": int(d.statement),
                "spread": _number(d.spread),
                "agree_by_group": [_number(a) for a in d.agree_by_group],
            }
            for d in model.divisive_
        ],
        "parameters": parameters,
        "input_sha256": sha256,
    }


def _number(value: Any) -> float | None:
    """A JSON number (``null`` for NaN or infinity, which JSON cannot hold)."""
    value = float(value)
    return value if math.isfinite(value) else None
