"""PCA of the imputed, centred rating matrix and the sparsity-aware projection (polis-math §5–6).

The imputed, centred matrix ``Y`` has exactly the sparsity of the votes: an imputed cell is the
column mean minus the column mean, i.e. 0. So ``Y`` is kept sparse and its leading right singular
vectors are found without ever forming the N x M dense matrix.

Why not Polis' 100 power iterations from a random vector: they converge to the same top
eigenvectors of ``YᵀY`` when they converge at all, but the result depends on the random start and,
with a small spectral gap, on when the loop stopped. We solve for the eigenvectors exactly, on
the columns of ``Y`` that are not all zero (moderated statements and unanimous ones carry no
direction), by the cheapest of three routes (:func:`route`): the Gram matrix from dense BLAS,
the Gram matrix from a sparse product, or Lanczos (ARPACK) on ``v ↦ Yᵀ(Yv)``, always from a fixed
start vector. The sign is then fixed by a rule (largest loading positive, or agreement with a
previous fit), so the map does not flip between runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray
from scipy.sparse.linalg import LinearOperator, eigsh

from cityforum.analysis._opinion_matrix import VoteMatrix

FloatArray = NDArray[np.float64]

# Cost model for choosing how to find the two leading eigenvectors, in units of one multiply-add
# of a scipy sparse product. Measured on the 2-core development machine (one BLAS thread): a
# dense BLAS multiply-add costs about 1/50 of that, a sparse Gram product (``YᵀY`` in CSR) about
# 3 (it allocates and sums scattered entries), and Lanczos on ``v ↦ Yᵀ(Yv)`` converges in about
# 20-30 products with each of ``Y`` and ``Yᵀ`` (the gaps λ₂/λ₁, λ₃/λ₂ of opinion data are ≤ 0.8).
_DENSE_SPEED = 50.0
_SPARSE_GRAM_COST = 3.0
_OPERATOR_PRODUCTS = 60.0
_GRAM_MAX_COLUMNS = 3_000  # an M x M Gram matrix above this is too much memory to form
_DENSE_MAX_CELLS = 4_000_000  # never densify Y beyond this many cells (32 MB)
_FULL_EIGH_COLUMNS = 64


MissingVotes = Literal["mean", "pass"]


@dataclass(frozen=True)
class Centred:
    """The centred rating matrix ``Y``, kept sparse.

    ``missing="mean"`` (Polis since October 2017): a missing vote is imputed by its column mean,
    so after centring it is exactly 0 and ``Y`` (``sparse``) has the pattern of the votes.
    ``missing="pass"``: a missing vote counts as a pass (0), so after centring it is ``-μ_j`` and
    ``Y = S - 1μᵀ`` is dense; it is kept as the sparse votes ``S`` plus the rank-one correction
    ``offset = μ``, which every product below applies without densifying.
    """

    sparse: sp.csr_array
    means: FloatArray
    offset: FloatArray | None = None


def centred_ratings(
    matrix: VoteMatrix, moderated: NDArray[np.bool_], missing: MissingVotes = "mean"
) -> Centred:
    """Centre the rating matrix; see :class:`Centred` for the two treatments of missing votes.

    Moderated-out columns are all zeros in the rating matrix, so their mean and their ``Y``
    entries are 0 (polis-math §3, §5.1).
    """
    n_rows, n_cols = matrix.shape
    values = matrix.values.astype(np.float64)
    values[moderated[matrix.indices]] = 0.0
    sums = np.bincount(matrix.indices, weights=values, minlength=n_cols)
    if missing == "pass":
        means = sums / n_rows
        return Centred(matrix.csr(values), means, offset=means)
    counts = np.bincount(matrix.indices, minlength=n_cols).astype(np.float64)
    means = np.divide(sums, counts, out=np.zeros(n_cols), where=counts > 0)
    values -= means[matrix.indices]
    return Centred(matrix.csr(values), means)


def _sign_fixed(comps: FloatArray, previous: FloatArray | None) -> FloatArray:
    """Orient each component: agree with ``previous`` if given, else largest |loading| positive."""
    out = comps.copy()
    for k in range(out.shape[0]):
        if previous is not None and k < previous.shape[0] and np.any(previous[k]):
            flip = float(out[k] @ previous[k]) < 0
        else:
            flip = out[k, int(np.argmax(np.abs(out[k])))] < 0
        if flip:
            out[k] = -out[k]
    return out


def _active_columns(y: sp.csr_array) -> tuple[NDArray[np.intp], sp.csr_array]:
    """The columns of ``y`` holding a non-zero entry, and ``y`` restricted to them.

    Moderated-out statements, and statements every voter answered alike, are all-zero columns of
    ``Y``: they add a zero row and column to ``YᵀY`` and a zero loading to every eigenvector with
    a non-zero eigenvalue. Dropping them first shrinks the eigenproblem (austria-climate: 522 to
    277 columns, a quarter of the dense work) without changing the directions. With missing votes
    as passes, ``y`` is ``S`` and a column of ``Y = S - 1μᵀ`` is zero exactly when ``S``'s is
    (then ``μ_j = 0``), so the same test applies.
    """
    active = np.zeros(y.shape[1], dtype=bool)
    active[y.indices[y.data != 0]] = True
    cols = np.flatnonzero(active)
    if cols.size == y.shape[1]:
        return cols, y
    keep = active[y.indices]
    kept_before = np.zeros(keep.size + 1, dtype=np.int64)
    np.cumsum(keep, out=kept_before[1:])
    new_index = np.cumsum(active) - 1
    reduced = sp.csr_array(
        (y.data[keep], new_index[y.indices[keep]].astype(np.int32), kept_before[y.indptr]),
        shape=(y.shape[0], cols.size),
    )
    return cols, reduced


Route = Literal["dense gram", "sparse gram", "operator"]


def route(y: sp.csr_array) -> Route:
    """How :func:`_leading_pair` finds the eigenvectors of ``YᵀY``: the cheapest exact route.

    By the cost model above: a dense Gram matrix from BLAS (small and medium conversations), a
    sparse Gram product (few votes per participant but too many cells to densify), or Lanczos on
    the operator ``v ↦ Yᵀ(Yv)``, which never forms ``YᵀY`` (large conversations).
    """
    n_rows, n_cols = y.shape
    row_nnz = np.diff(y.indptr).astype(np.float64)
    dense_work = n_rows * n_cols * n_cols / _DENSE_SPEED
    if n_rows * n_cols > _DENSE_MAX_CELLS:
        dense_work = np.inf
    sparse_work = _SPARSE_GRAM_COST * float(row_nnz @ row_nnz)
    gram_work = min(dense_work, sparse_work)
    if n_cols <= 3 or (n_cols <= _GRAM_MAX_COLUMNS and gram_work <= _OPERATOR_PRODUCTS * y.nnz):
        return "dense gram" if dense_work <= sparse_work else "sparse gram"
    return "operator"


def _leading_pair(y: sp.csr_array, v0: FloatArray, offset: FloatArray | None = None) -> FloatArray:
    """The two leading eigenvectors of ``YᵀY`` (rows of a 2 x M array), by :func:`route`.

    With ``offset`` (``Y = y - 1·offsetᵀ``, offset = the column means of ``y``):
    ``YᵀY = yᵀy - N·offset·offsetᵀ``, because ``yᵀ1 = N·offset``; a rank-one correction of the
    Gram matrix, or of each product in Lanczos.
    """
    n_rows, n_cols = y.shape
    out = np.zeros((2, n_cols))
    n_comp = min(2, n_rows, n_cols)
    how = route(y)
    if how == "operator":
        yt = y.T.tocsr()

        def gram_times(v: FloatArray) -> FloatArray:
            out = np.asarray(yt @ (y @ v), dtype=np.float64)
            if offset is not None:
                out -= n_rows * float(offset @ v) * offset
            return out

        op = LinearOperator((n_cols, n_cols), matvec=gram_times, dtype=np.float64)
        eigval, eigvec = eigsh(op, k=2, which="LA", v0=v0, tol=1e-9)
    else:
        if how == "dense gram":
            dense = y.toarray()
            gram = dense.T @ dense
        else:
            gram = (y.T @ y).toarray()
        if offset is not None:
            gram -= n_rows * np.outer(offset, offset)
        if n_cols <= _FULL_EIGH_COLUMNS:
            eigval, eigvec = np.linalg.eigh(gram)
        else:  # two eigenpairs of a few hundred: Lanczos is 10x cheaper than a full eigh
            eigval, eigvec = eigsh(gram, k=2, which="LA", v0=v0, tol=1e-10)
    top = np.argsort(eigval)[::-1][:n_comp]
    out[:n_comp] = eigvec[:, top].T
    # A direction with a zero eigenvalue is arbitrary (e.g. the second one of two exactly
    # opposed camps): leave it out rather than report noise.
    out[:n_comp][eigval[top] <= 1e-12 * max(float(eigval.max()), 1.0)] = 0.0
    return out


def principal_components(
    centred: Centred, start: FloatArray | None = None, previous: FloatArray | None = None
) -> FloatArray:
    """The two leading principal directions (unit rows, shape 2 x M) of the centred ``Y``.

    ``start`` is a warm-start vector for Lanczos (the previous first component, polis-math §5.3);
    ``previous`` (2 x M, aligned to the current columns) fixes the sign to match an earlier map.
    Fewer than two meaningful directions (e.g. one statement) leave zero rows. Loadings of
    all-zero columns of ``Y`` (moderated statements) are exactly 0.
    """
    y = centred.sparse
    comps = np.zeros((2, y.shape[1]))
    cols, reduced = _active_columns(y)
    if cols.size:
        v0 = np.ones(cols.size)
        if start is not None and np.any(start[cols]):
            v0 = start[cols]
        offset = None if centred.offset is None else centred.offset[cols]
        comps[:, cols] = _leading_pair(reduced, v0, offset)
    return _sign_fixed(comps, previous)


def project(
    centred: Centred, comps: FloatArray, n_cast: NDArray[np.int64], n_statements: int
) -> FloatArray:
    """Participants' 2-D positions with Polis' sparsity scaling ``sqrt(M / max(n'_p, 1))``.

    ``n_cast`` is ``n'_p``: cells of the rating matrix a participant has a value in, which counts
    every moderated-out column because those are set to 0 for everyone (polis-math §3, §6). With
    missing votes as passes every cell has a value, ``n'_p = M`` and the scale is 1.
    """
    scores = np.asarray(centred.sparse @ comps.T, dtype=np.float64)
    if centred.offset is not None:
        scores -= centred.offset @ comps.T
    scale = np.sqrt(n_statements / np.maximum(n_cast, 1).astype(np.float64))
    return scores * scale[:, None]
