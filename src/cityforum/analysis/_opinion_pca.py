"""PCA of the imputed, centred rating matrix and the sparsity-aware projection (polis-math §5–6).

The imputed, centred matrix ``Y`` has exactly the sparsity of the votes: an imputed cell is the
column mean minus the column mean, i.e. 0. So ``Y`` is kept sparse and its leading right singular
vectors are found without ever forming the N x M dense matrix.

Why not Polis' 100 power iterations from a random vector: they converge to the same top
eigenvectors of ``YᵀY`` when they converge at all, but the result depends on the random start and,
with a small spectral gap, on when the loop stopped. We solve for the eigenvectors exactly: a
dense eigendecomposition of the M x M Gram matrix when it is cheap to form, otherwise Lanczos
(ARPACK) from a fixed start vector. The sign is then fixed by a rule (largest loading positive,
or agreement with a previous fit), so the map does not flip between runs.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray
from scipy.sparse.linalg import LinearOperator, eigsh

from cityforum.analysis._opinion_matrix import VoteMatrix

FloatArray = NDArray[np.float64]

# Form the Gram matrix YᵀY densely when the sparse product costs at most this many
# multiply-adds (sum of squared row lengths) and M x M fits comfortably in memory.
_GRAM_MAX_WORK = 30_000_000
_GRAM_MAX_COLUMNS = 3_000
_DENSE_MAX_CELLS = 4_000_000
_FULL_EIGH_COLUMNS = 64


def centred_ratings(
    matrix: VoteMatrix, moderated: NDArray[np.bool_]
) -> tuple[sp.csr_array, FloatArray]:
    """Return ``Y`` (sparse, same pattern as the votes) and the column means ``μ``.

    Moderated-out columns are all zeros in the rating matrix, so their mean and their ``Y``
    entries are 0 (polis-math §3, §5.1).
    """
    n_cols = matrix.shape[1]
    values = matrix.values.astype(np.float64)
    values[moderated[matrix.indices]] = 0.0
    counts = np.bincount(matrix.indices, minlength=n_cols).astype(np.float64)
    sums = np.bincount(matrix.indices, weights=values, minlength=n_cols)
    means = np.divide(sums, counts, out=np.zeros(n_cols), where=counts > 0)
    values -= means[matrix.indices]
    return matrix.csr(values), means


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


def principal_components(
    y: sp.csr_array, start: FloatArray | None = None, previous: FloatArray | None = None
) -> FloatArray:
    """The two leading principal directions (unit rows, shape 2 x M) of the centred ``Y``.

    ``start`` is a warm-start vector for Lanczos (the previous first component, polis-math §5.3);
    ``previous`` (2 x M, aligned to the current columns) fixes the sign to match an earlier map.
    Fewer than two meaningful directions (e.g. one statement) leave zero rows.
    """
    n_rows, n_cols = y.shape
    comps = np.zeros((2, n_cols))
    n_comp = min(2, n_rows, n_cols)
    row_nnz = np.diff(y.indptr).astype(np.float64)
    v0 = np.ones(n_cols) if start is None or not np.any(start) else start
    if n_cols <= _GRAM_MAX_COLUMNS and float(row_nnz @ row_nnz) <= _GRAM_MAX_WORK or n_cols <= 3:
        if n_rows * n_cols <= _DENSE_MAX_CELLS:  # small: BLAS on the dense matrix is fastest
            dense = y.toarray()
            gram = dense.T @ dense
        else:
            gram = (y.T @ y).toarray()
        if n_cols <= _FULL_EIGH_COLUMNS:
            eigval, eigvec = np.linalg.eigh(gram)
        else:  # two eigenpairs of a few hundred: Lanczos is 10x cheaper than a full eigh
            eigval, eigvec = eigsh(gram, k=2, which="LA", v0=v0, tol=1e-10)
        top = np.argsort(eigval)[::-1][:n_comp]
        comps[:n_comp] = eigvec[:, top].T
        comps[:n_comp][eigval[top] <= 1e-12 * max(float(eigval.max()), 1.0)] = 0.0
    else:
        yt = y.T.tocsr()

        def gram_times(v: FloatArray) -> FloatArray:
            return np.asarray(yt @ (y @ v), dtype=np.float64)

        op = LinearOperator((n_cols, n_cols), matvec=gram_times, dtype=np.float64)
        eigval, eigvec = eigsh(op, k=2, which="LA", v0=v0, tol=1e-9)
        top = np.argsort(eigval)[::-1]
        comps[:] = eigvec[:, top].T
    return _sign_fixed(comps, previous)


def project(
    y: sp.csr_array, comps: FloatArray, n_cast: NDArray[np.int64], n_statements: int
) -> FloatArray:
    """Participants' 2-D positions with Polis' sparsity scaling ``sqrt(M / max(n'_p, 1))``.

    ``n_cast`` is ``n'_p``: cells of the rating matrix a participant has a value in, which counts
    every moderated-out column because those are set to 0 for everyone (polis-math §3, §6).
    """
    scores = np.asarray(y @ comps.T, dtype=np.float64)
    scale = np.sqrt(n_statements / np.maximum(n_cast, 1).astype(np.float64))
    return scores * scale[:, None]
