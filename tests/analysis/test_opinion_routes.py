"""The fast paths of the opinion map compute what the plain formulas compute.

`OpinionMap.fit` takes shortcuts for speed (docs/methods/opinion.md, "Cost and scale"): it drops
all-zero columns before the eigenproblem, picks one of three exact routes to the eigenvectors,
reuses one distance table through the k-means loop and holds BLAS to one thread. Each test here
pins one shortcut against the direct computation, so a shortcut that changed a result would fail.
"""

from __future__ import annotations

import contextlib

import numpy as np
import pytest

from cityforum.analysis import _opinion_pca
from cityforum.analysis import opinion as opinion_module
from cityforum.analysis._opinion_clusters import _nearest
from cityforum.analysis._opinion_matrix import build_vote_matrix
from cityforum.analysis._opinion_pca import centred_ratings, principal_components, route
from cityforum.analysis.opinion import OpinionMap


def camps(
    n: int, m: int, votes_each: int, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Three opinion camps voting on ``votes_each`` random statements each."""
    rng = np.random.default_rng(seed)
    pids = np.repeat(np.arange(n), votes_each)
    sids = np.concatenate([rng.choice(m, votes_each, replace=False) for _ in range(n)])
    lean = rng.uniform(-0.8, 0.8, size=(3, m))
    p_agree = (1 + lean[pids % 3, sids]) / 2
    vals = np.where(rng.random(pids.size) < p_agree, 1, -1)
    return pids, sids, vals


def reference_components(y: np.ndarray) -> np.ndarray:
    """The two leading right singular vectors of a dense ``Y``, largest loading positive."""
    _, _, vt = np.linalg.svd(y, full_matrices=False)
    comps = vt[:2].copy()
    for k in range(2):
        if comps[k, np.argmax(np.abs(comps[k]))] < 0:
            comps[k] = -comps[k]
    return comps


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ({}, "dense gram"),
        ({"_DENSE_MAX_CELLS": 0, "_SPARSE_GRAM_COST": 1e-9}, "sparse gram"),
        ({"_OPERATOR_PRODUCTS": 1e-9}, "operator"),
    ],
)
def test_every_route_to_the_principal_directions_gives_the_same_components(
    monkeypatch: pytest.MonkeyPatch, settings: dict[str, float], expected: str
) -> None:
    m = build_vote_matrix(*camps(300, 90, 30))
    centred = centred_ratings(m, np.zeros(90, dtype=bool))
    y = centred.sparse
    for name, value in settings.items():
        monkeypatch.setattr(_opinion_pca, name, value)
    assert route(y) == expected
    comps = principal_components(centred)
    assert comps == pytest.approx(reference_components(y.toarray()), abs=1e-8)


@pytest.mark.parametrize(
    "settings",
    [{}, {"_DENSE_MAX_CELLS": 0, "_SPARSE_GRAM_COST": 1e-9}, {"_OPERATOR_PRODUCTS": 1e-9}],
)
def test_every_route_applies_the_rank_one_correction_of_missing_votes_as_passes(
    monkeypatch: pytest.MonkeyPatch, settings: dict[str, float]
) -> None:
    m = build_vote_matrix(*camps(300, 90, 30))
    centred = centred_ratings(m, np.zeros(90, dtype=bool), missing="pass")
    for name, value in settings.items():
        monkeypatch.setattr(_opinion_pca, name, value)
    dense = centred.sparse.toarray() - centred.offset  # Y = S - 1μᵀ, formed in full
    assert principal_components(centred) == pytest.approx(reference_components(dense), abs=1e-8)


def test_all_zero_columns_get_zero_loadings_and_leave_the_others_unchanged() -> None:
    pids, sids, vals = camps(120, 12, 12, seed=1)
    # Statement 12: everyone agrees (a zero column of Y); statement 13: moderated out.
    everyone = np.arange(120)
    pids = np.concatenate([pids, everyone, everyone])
    sids = np.concatenate([sids, np.full(120, 12), np.full(120, 13)])
    vals = np.concatenate([vals, np.ones(120, dtype=np.int64), -np.ones(120, dtype=np.int64)])
    full = build_vote_matrix(pids, sids, vals)
    moderated = full.statements == 13
    centred = centred_ratings(full, moderated)
    y = centred.sparse
    comps = principal_components(centred)
    extra = np.isin(full.statements, [12, 13])
    assert np.all(comps[:, extra] == 0.0)
    assert comps[:, ~extra] == pytest.approx(reference_components(y.toarray()[:, ~extra]))


def test_nearest_centre_with_a_reused_table_is_the_brute_force_nearest() -> None:
    rng = np.random.default_rng(2)
    points, centres = rng.normal(size=(500, 2)), rng.normal(size=(37, 2))
    brute = np.argmin(((points[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2), axis=1)
    buffer = np.full(500 * 100, np.nan)  # larger than needed and dirty, as in the loop
    assert _nearest(points, centres, buffer).tolist() == brute.tolist()
    assert (
        _nearest(points, centres[:20], buffer).tolist() == _nearest(points, centres[:20]).tolist()
    )


def test_fit_holds_blas_to_one_thread_and_gives_the_setting_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    threadpoolctl = pytest.importorskip("threadpoolctl")

    def blas_threads() -> list[int]:
        return [
            i["num_threads"] for i in threadpoolctl.threadpool_info() if i["user_api"] == "blas"
        ]

    seen: list[list[int]] = []
    original = opinion_module.principal_components

    def spy(*args: object, **kwargs: object) -> np.ndarray:
        seen.append(blas_threads())
        return original(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(opinion_module, "principal_components", spy)
    before = blas_threads()
    OpinionMap().fit(*camps(60, 20, 10))
    assert seen and seen[0] and all(n == 1 for n in seen[0])
    assert blas_threads() == before


def test_the_fast_paths_give_the_results_of_the_plain_formulas_on_a_whole_fit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    votes = camps(400, 60, 25, seed=3)
    fast = OpinionMap().fit(*votes, moderated_out=[5, 7])
    monkeypatch.setattr(_opinion_pca, "_active_columns", lambda y: (np.arange(y.shape[1]), y))
    monkeypatch.setattr(opinion_module, "_one_blas_thread", contextlib.nullcontext)
    plain = OpinionMap().fit(*votes, moderated_out=[5, 7])
    assert np.array_equal(fast.groups_, plain.groups_)
    assert fast.coords_ == pytest.approx(plain.coords_, abs=1e-9)
    assert fast.representative_ == plain.representative_
    assert fast.consensus_ == plain.consensus_
