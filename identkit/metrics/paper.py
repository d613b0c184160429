"""The metrics of the paper's §6, used in its experiments (§8): MCC, R, Rcon and normalized SHD.

Every function takes the ground truth first and the learned representation second
(``truth``, ``learned``), after the true graph for :func:`rcon` (graph first, as everywhere in
the package), and returns a :class:`MetricResult`.

* **MCC**: absolute Pearson (or Spearman) correlations between every true and learned latent;
  the Hungarian algorithm matches them to maximise the total; the score is the mean of the
  matched values. The matching ``p`` (true i ↔ learned ``p[i]``) is reused by Rcon and SHD.
* **R**: each true latent is regressed linearly on *all* learned latents; mean of √R².
* **Rcon**: the same regression restricted to the learned latents the theory allows for true
  ``z_i``: row i of ``C Pᵀ``, i.e. the learned latents matched to the true latents j with
  ``C[i, j] = 1``. In sample, ``MCC(pearson) ≤ Rcon ≤ R`` (least squares on a superset of
  regressors never fits worse, and one regressor gives R² = corr²).
* **SHD** (normalized): ``(‖Ga − P̂ᵀĜa‖₀ + ‖Gz − P̂ᵀĜzP̂‖₀) / (d·m + d²)``.

The regressions have held-out variants (``test_fraction``): in-sample R² flatters.
"""

from __future__ import annotations

import operator

import numpy as np
import scipy.linalg
from scipy.optimize import linear_sum_assignment
from scipy.stats import rankdata

from ..entanglement import entanglement_graph
from ..graphs import LatentGraph
from .._compat import graph_first, keyword_only
from ._common import MetricError, MetricResult, pair, train_test_rows, warn

__all__ = ["mcc", "correlation_matrix", "r_score", "rcon", "shd"]


_CHUNK = 65536


def _rows(A, rows):
    return A if rows is None else A[rows]


def _moments(A, rows=None, name=None):
    """Column means and centered sums of squares of ``A[rows]``.

    ``Σx² − n x̄²`` from one pass when every column's mean is small against its spread
    (|mean| ≤ 10³ · sd, so the cancellation costs at most ~1e-10 relative); otherwise the
    columns are centered chunk by chunk (O(chunk · width) extra memory, never a centered copy).
    With ``name``, a constant column (sd ≤ 1e-12 · |mean|, or exactly 0) is a MetricError.
    """
    X = _rows(A, rows)
    n = X.shape[0]
    m = X.mean(axis=0)
    ss = np.einsum("ij,ij->j", X, X) - n * m * m
    if not np.all(ss >= 1e-6 * n * m * m):
        ss = np.zeros(X.shape[1])
        for k in range(0, n, _CHUNK):
            c = X[k:k + _CHUNK] - m
            ss += np.einsum("ij,ij->j", c, c)
    if name is not None:
        flat = np.flatnonzero(np.sqrt(ss / n) <= 1e-12 * np.abs(m))
        if flat.size:
            raise MetricError(f"{name} column {flat[0]} is constant: the metric is undefined "
                              "for it")
    return m, ss


def _cross(A, ma, sa, B, mb, sb, rows=None):
    """The centered cross product ``(A - ā)ᵀ (B - b̄)`` over ``rows``.

    One BLAS product ``AᵀB − n ā b̄ᵀ`` when every column's mean is small against its spread
    (|mean| ≤ 10³ · sd: the rounding error of the correction stays below ~1e-9 relative);
    otherwise chunks are centered first. ``sa``/``sb`` are the centered sums of squares.
    """
    X, Y = _rows(A, rows), _rows(B, rows)
    n = X.shape[0]
    sd_a = np.sqrt(np.maximum(sa, 0) / n)
    sd_b = np.sqrt(np.maximum(sb, 0) / n)
    if np.all(np.abs(ma) <= 1e3 * sd_a) and np.all(np.abs(mb) <= 1e3 * sd_b):
        return X.T @ Y - n * np.outer(ma, mb)
    out = np.zeros((X.shape[1], Y.shape[1]))
    for k in range(0, n, _CHUNK):
        out += (X[k:k + _CHUNK] - ma).T @ (Y[k:k + _CHUNK] - mb)
    return out


_SAFE = 2.0 ** 200   # columns whose largest |value| lies in [1/_SAFE, _SAFE] are used as they are


def _scaled(A):
    """``A`` with every column multiplied by a power of two (exact: no rounding) that brings its
    largest absolute value into [0.5, 1), when some column lies outside [2⁻²⁰⁰, 2²⁰⁰]: squares
    and cross products of values near the float limits (``1e160 * z``, ``1e-200 * z``) would
    overflow or vanish, and correlations and R² do not change when a column is rescaled.
    Otherwise ``A`` itself (no copy)."""
    top = np.maximum(A.max(axis=0), -A.min(axis=0))
    if np.all((top == 0) | ((top >= 1 / _SAFE) & (top <= _SAFE))):
        return A
    return np.ldexp(A, -np.frexp(top)[1])


def _as_pearson(z, zhat, method):
    if method not in ("pearson", "spearman"):
        raise MetricError(f"method must be 'pearson' or 'spearman', got {method!r}")
    if method == "spearman":
        return rankdata(z, axis=0), rankdata(zhat, axis=0)
    return z, zhat


def _correlations(z, zhat):
    z, zhat = _scaled(z), _scaled(zhat)
    mz, sz = _moments(z, name="truth (true latents)")
    mh, sh = _moments(zhat)
    cross = _cross(z, mz, sz, zhat, mh, sh)
    const_h = np.sqrt(np.maximum(sh, 0) / zhat.shape[0]) <= 1e-12 * np.abs(mh)
    if const_h.any():
        warn(f"constant learned column(s) {', '.join(map(str, np.flatnonzero(const_h)))}: "
             "their correlations are set to 0")
    sh = np.where(const_h, 1.0, sh)
    C = np.abs(cross / np.sqrt(sz)[:, None] / np.sqrt(sh)[None, :])
    C[:, const_h] = 0.0
    return np.clip(C, 0.0, 1.0)


@keyword_only("method")
def correlation_matrix(truth, learned, *, method: str = "pearson") -> np.ndarray:
    """``|corr(z_i, ẑ_j)|`` for every true i and learned j, shape (d, d̂).

    A constant learned column has no correlation: its entries are 0 (with a
    :class:`MetricWarning`); a constant true column is an error.

    Examples
    --------
    >>> import numpy as np
    >>> from identkit.metrics import correlation_matrix
    >>> z = np.random.default_rng(0).standard_normal((100, 2))
    >>> correlation_matrix(z, -z).diagonal().round(6).tolist()   # |corr| ignores the sign
    [1.0, 1.0]

    Notes
    -----
    Pearson: O(n d d̂) time (one BLAS product) and O(d d̂) extra memory beyond the inputs;
    Spearman adds the ranking, O(n log n (d + d̂)) time and a ranked copy of both inputs.
    """
    z, zhat = pair(truth, learned)
    return _correlations(*_as_pearson(z, zhat, method))


@keyword_only("method")
def mcc(truth, learned, *, method: str = "pearson") -> MetricResult:
    """Mean correlation coefficient with the Hungarian matching (the paper's §6).

    Parameters
    ----------
    truth, learned : array_like, shape (n_samples, d) and (n_samples, d̂)
        True and learned latents; ``d̂ >= d`` (every true latent gets a learned match).
    method : {"pearson", "spearman"}

    Returns
    -------
    MetricResult
        ``value`` the mean matched ``|corr|``; details ``matching`` (true i ↔ learned
        ``matching[i]``), ``matched`` (the matched correlations), ``correlations`` (the d × d̂
        matrix) and ``method``.

    Raises
    ------
    MetricError
        Mismatched lengths, NaN/inf/complex values, a constant true latent, fewer learned than
        true latents.

    Examples
    --------
    A permuted, monotonically transformed copy has Spearman MCC 1:

    >>> import numpy as np
    >>> from identkit.metrics import mcc
    >>> z = np.random.default_rng(0).standard_normal((500, 3))
    >>> zhat = np.c_[np.exp(z[:, 2]), z[:, 0] ** 3, -z[:, 1]]
    >>> res = mcc(z, zhat, method="spearman")
    >>> round(res.value, 12), res.matching
    (1.0, (1, 2, 0))

    Notes
    -----
    O(n d d̂) for the correlations (one d × d̂ BLAS product over the samples; 10⁶ × 50 takes a
    fraction of a second) plus O(d̂³) for the assignment.
    """
    z, zhat = pair(truth, learned)
    C = _correlations(*_as_pearson(z, zhat, method))
    d, dh = C.shape
    if dh < d:
        raise MetricError(f"learned has {dh} dimensions but truth has {d}: each true latent "
                          "needs a match")
    rows, cols = linear_sum_assignment(-C)
    order = np.argsort(rows)
    matching = tuple(int(c) for c in cols[order])
    matched = tuple(float(C[i, matching[i]]) for i in range(d))
    return MetricResult(f"MCC ({method})", float(np.mean(matched)),
                        {"matching": matching, "matched": matched, "correlations": C,
                         "method": method})


_RCOND_MIN = 1e-6   # below: the normal equations (which square cond(X)) may lose > ~1e-10 of R²


def _cholesky_solve(S, B):
    """Solve ``S X = B`` for the Gram matrix S of standardised regressors by Cholesky, or None
    when S is not numerically positive definite or is too ill-conditioned for the normal
    equations: they square the condition number of the data, so the answer is trusted only when
    LAPACK's estimate of ``1/cond₁(S)`` (``dpocon``, O(k²) from the factor) is at least
    ``_RCOND_MIN``; S having unit-variance columns makes that estimate a property of the
    regressors' collinearity, not of their units. O(k³ + k² r) for r right-hand sides."""
    try:
        c, lower = scipy.linalg.cho_factor(S, check_finite=False)
    except np.linalg.LinAlgError:
        return None
    rcond, info = scipy.linalg.lapack.dpocon(c, float(np.abs(S).sum(axis=0).max()),
                                             uplo="L" if lower else "U")
    if info != 0 or not rcond >= _RCOND_MIN:
        return None
    return scipy.linalg.cho_solve((c, lower), B, check_finite=False)


def _qr_fit(zhat, mx, scale, cols, z, my, idx, rows):
    """The least-squares fit of the centered ``z[:, idx]`` on the standardised ``zhat[:, cols]``
    from the data itself (the fallback when the Gram matrix is ill-conditioned or singular):
    accurate to ~eps·cond(X) where the normal equations give eps·cond(X)².

    The R factor of the centered block ``[X | Y]`` is built chunk by chunk (tall-skinny QR:
    O(chunk · (k + r)) extra memory, never a centered copy); ``R₁₁ = U s Vᵀ`` (SVD). Directions
    with ``s ≤ max(n, k) · eps · s_max`` (a *relative* threshold, numpy's ``matrix_rank``
    default) count as collinear and explain nothing, so an exactly dependent or duplicated
    learned latent adds nothing. Returns ``(coef, explained)`` in the units of
    :func:`_cholesky_solve`'s answer (``coef`` on the standardised columns, ``explained`` the
    explained sum of squares). O(n (k + r)²) time.
    """
    k, r = cols.size, idx.size
    n = zhat.shape[0] if rows is None else rows.size
    R = np.zeros((0, k + r))
    for start in range(0, n, _CHUNK):
        if rows is None:
            X, Y = zhat[start:start + _CHUNK, cols], z[start:start + _CHUNK, idx]
        else:
            sel = rows[start:start + _CHUNK]
            X, Y = zhat[np.ix_(sel, cols)], z[np.ix_(sel, idx)]
        block = np.hstack([(X - mx[cols]) / scale[cols], Y - my[idx]])
        R = np.linalg.qr(np.vstack([R, block]), mode="r")
    U, s, Vt = np.linalg.svd(R[:k, :k])
    keep = s > max(n, k) * np.finfo(float).eps * s[0]
    proj = U[:, keep].T @ R[:k, k:]
    return Vt[keep].T @ (proj / s[keep][:, None]), np.einsum("ki,ki->i", proj, proj)


def _regressions(z, zhat, allowed, train, test):
    """√R² of the least-squares fit (with intercept) of each true latent i on the learned
    columns ``allowed[i]``: fit on ``train`` (None: all rows), scored on ``test`` (held-out R²
    clipped at 0).

    The learned latents are standardised (centered, unit variance: R² does not depend on their
    units, so ``1e160 * ẑ`` and ``1e-200 * ẑ`` give the R of ``ẑ``). One pass builds the
    centered Gram matrices (two BLAS products); the true latents that share a set of allowed
    columns share one Cholesky solve. When that Gram matrix is singular or ill-conditioned
    (collinear learned latents, see :func:`_cholesky_solve`) the group is refitted from the data
    by :func:`_qr_fit`. Cost O(n d̂ (d + d̂)) for the products plus Σ over distinct column sets
    of O(k³ + k² r) (k columns, r latents), or O(n (k + r)²) for a group that falls back.
    """
    z, zhat = _scaled(z), _scaled(zhat)
    mx, sx = _moments(zhat, train)
    my, sy = _moments(z, train, name="truth (true latents)")
    n_fit = z.shape[0] if train is None else train.size
    Sxx = _cross(zhat, mx, sx, zhat, mx, sx, train)
    Sxy = _cross(zhat, mx, sx, z, my, sy, train)
    live = np.sqrt(np.maximum(sx, 0) / n_fit) > 1e-12 * np.abs(mx)  # constants explain nothing
    scale = np.sqrt(np.where(live, np.maximum(sx, 0) / n_fit, 1.0))   # standard deviations
    Rxx = Sxx / scale[:, None] / scale[None, :]
    rxy = Sxy / scale[:, None]
    out = np.zeros(z.shape[1])
    groups: dict = {}
    for i in range(z.shape[1]):
        groups.setdefault(np.flatnonzero(allowed[i] & live).tobytes(), []).append(i)
    if test is not None:
        mz_t, sz_t = _moments(z, test)
    for key, idx in groups.items():
        cols = np.frombuffer(key, dtype=np.intp)
        if n_fit <= cols.size + 1:
            raise MetricError(
                f"{n_fit} samples cannot fit a regression on {cols.size} learned latents "
                "(need more samples than dimensions)")
        idx = np.asarray(idx)
        coef = _cholesky_solve(Rxx[np.ix_(cols, cols)], rxy[np.ix_(cols, idx)]) if cols.size \
            else np.zeros((0, idx.size))
        if coef is None:
            coef, explained = _qr_fit(zhat, mx, scale, cols, z, my, idx, train)
        else:
            explained = np.einsum("ki,ki->i", rxy[np.ix_(cols, idx)], coef)
        if test is None:
            total = sy[idx]
        else:
            beta = coef / scale[cols][:, None]
            pred = my[idx] + (zhat[np.ix_(test, cols)] - mx[cols]) @ beta
            resid = ((z[np.ix_(test, idx)] - pred) ** 2).sum(axis=0)
            total = sz_t[idx]
            explained = total - resid
        if np.any(total <= 0):
            raise MetricError("a true latent is constant on the scored samples: its R² is "
                              "undefined")
        out[idx] = np.sqrt(np.clip(explained / total, 0.0, 1.0))
    return out


def r_score(truth, learned, *, test_fraction: float | None = None, seed=0) -> MetricResult:
    """R: mean over true latents of √R² of a linear regression on all learned latents.

    Parameters
    ----------
    truth, learned : array_like (n_samples, d), (n_samples, d̂)
    test_fraction : float in (0, 1), optional
        Fit on the rest and score on this held-out fraction (default: in sample, as in the
        paper's §6).
    seed : None, int or numpy.random.Generator, keyword-only
        For the split (:func:`~identkit.metrics.train_test_rows`); default 0.

    Returns
    -------
    MetricResult
        ``value`` R; details ``per_latent`` (√R² of each true latent) and ``test_fraction``.

    Raises
    ------
    MetricError
        Bad input (see :func:`mcc`), or no more samples than regressors.

    Examples
    --------
    Any invertible linear mixing is perfectly explained:

    >>> import numpy as np
    >>> from identkit.metrics import r_score
    >>> z = np.random.default_rng(0).standard_normal((300, 3))
    >>> round(r_score(z, z @ [[1, 2, 0], [0, 1, 3], [1, 0, 1]]).value, 10)
    1.0

    Notes
    -----
    O(n d̂ (d + d̂) + d̂³): two Gram products and one Cholesky solve of the standardised
    learned latents' Gram matrix with d right-hand sides (20,000 × 600 takes well under a
    second; 10,000 × 50 some 10-20 ms, over 100x faster than one scikit-learn
    ``LinearRegression`` per true latent, with the same numbers to 1e-10). The learned
    latents' units do not matter (``1e160 * learned`` gives the same R). When that Gram matrix
    is singular or ill-conditioned (estimated 1/cond below 1e-6: collinear or nearly collinear
    learned latents), the fit is redone from the data by a QR factorisation, O(n (d + d̂)²),
    which does not square the condition number; a learned latent that is a linear combination
    of others (up to max(n, d̂) · eps relative) then adds nothing.
    """
    z, zhat = pair(truth, learned)
    train, test = (None, None) if test_fraction is None else \
        train_test_rows(z.shape[0], test_fraction, seed=seed, min_test=2)
    allowed = np.ones((z.shape[1], zhat.shape[1]), dtype=bool)
    per = _regressions(z, zhat, allowed, train, test)
    return MetricResult("R", float(per.mean()),
                        {"per_latent": per, "test_fraction": test_fraction})


def _allowed(g: LatentGraph, regularize, matching, d_hat):
    """Row i of ``C P̂ᵀ``: the learned latents matched to true j with ``C[i, j]``, i.e. column
    ``matching[j]`` is column j of C; a learned latent matched to no true one is never allowed.

    Built as a gather of C's columns (``source[k]`` is the true latent matched to learned k),
    which reads C row by row; scattering C's columns into place is ~10x slower at d = 3000.
    """
    C = entanglement_graph(g, regularize)
    source = np.full(d_hat, -1, dtype=np.intp)
    source[np.asarray(matching, dtype=np.intp)] = np.arange(g.n_latents)
    A = np.take(C, np.maximum(source, 0), axis=1)
    A[:, source < 0] = False
    return A


@graph_first("truth", "learned", "graph", "regularize")
@keyword_only("regularize")
def rcon(graph: LatentGraph, truth, learned, *, regularize: str | None = None, matching=None,
         method: str = "pearson", test_fraction: float | None = None, seed=0) -> MetricResult:
    """Rcon: R restricted to the learned latents the entanglement pattern allows (paper §6).

    Parameters
    ----------
    graph : LatentGraph
        The true model (d latents). It comes first, as in every function of the package that
        takes a graph; the older order ``rcon(truth, learned, graph)`` still works and warns
        (``DeprecationWarning``).
    truth, learned : array_like (n_samples, d), (n_samples, d̂)
    regularize : str, optional
        Which graphs define C (default: all the model has).
    matching : sequence of int, optional
        True i ↔ learned ``matching[i]``; default: the MCC matching.
    method : {"pearson", "spearman"}
        For the default matching.
    test_fraction, seed
        As in :func:`r_score` (``seed`` keyword-only, default 0).

    Returns
    -------
    MetricResult
        ``value`` Rcon; details ``per_latent``, ``matching`` and ``allowed`` (the d × d̂ mask of
        learned latents each true latent may be regressed on: row i of ``C P̂ᵀ``).

    Raises
    ------
    MetricError
        If truth has a different number of latents than the graph, the matching is not
        injective, or the inputs are bad.

    Examples
    --------
    Example 8 lets z2 and z3 mix: a learned representation that mixes them has a low MCC but
    Rcon = 1.

    >>> import numpy as np, identkit as ik
    >>> from identkit.metrics import mcc, rcon
    >>> z = np.random.default_rng(1).standard_normal((400, 3))
    >>> zhat = np.c_[z[:, 0], z[:, 1] + z[:, 2], z[:, 1] - z[:, 2]]
    >>> g = ik.examples.get("ex8").graph
    >>> round(mcc(z, zhat).value, 2) < 0.9, round(rcon(g, z, zhat).value, 10)
    (True, 1.0)

    Notes
    -----
    As :func:`r_score`, with one Cholesky solve per distinct row of the mask: O(n d̂ (d + d̂))
    plus Σ_rows O(k³) in the worst case of all rows distinct (k allowed latents).
    """
    z, zhat = pair(truth, learned)
    if not isinstance(graph, LatentGraph):
        raise MetricError(f"graph must be a LatentGraph, got {type(graph).__name__}")
    if z.shape[1] != graph.n_latents:
        raise MetricError(f"truth has {z.shape[1]} latents but the graph has {graph.n_latents}")
    if matching is None:
        matching = mcc(z, zhat, method=method).matching
    try:
        matching = [operator.index(k) for k in matching]
    except TypeError:
        raise MetricError(f"matching must be a sequence of learned-latent indices, got "
                          f"{matching!r}") from None
    if len(matching) != z.shape[1] or len(set(matching)) != len(matching) or \
            not all(0 <= k < zhat.shape[1] for k in matching):
        raise MetricError("matching must give each true latent a distinct learned latent")
    A = _allowed(graph, regularize, matching, zhat.shape[1])
    train, test = (None, None) if test_fraction is None else \
        train_test_rows(z.shape[0], test_fraction, seed=seed, min_test=2)
    per = _regressions(z, zhat, A, train, test)
    return MetricResult("Rcon", float(per.mean()),
                        {"per_latent": per, "matching": tuple(matching), "allowed": A,
                         "test_fraction": test_fraction})


@keyword_only("matching")
def shd(truth: LatentGraph, learned: LatentGraph, *, matching=None) -> MetricResult:
    """Normalized structural Hamming distance between a true and a learned graph.

    ``(‖Ga − P̂ᵀĜa‖₀ + ‖Gz − P̂ᵀĜzP̂‖₀) / (d·m + d²)`` over the graphs the true model has, with
    ``P̂[matching[i], i] = 1`` (true i ↔ learned ``matching[i]``; default identity).

    Returns
    -------
    MetricResult
        ``value`` the normalized SHD; details ``differences`` (edges that differ),
        ``max_edges`` (d·m + d²) and ``matching``.

    Examples
    --------
    >>> import identkit as ik
    >>> from identkit.metrics import shd
    >>> g = ik.LatentGraph(Gz=[[1, 0], [1, 1]])
    >>> shd(g, g.permute([1, 0]), matching=[1, 0]).value
    0.0
    >>> shd(g, ik.LatentGraph(Gz=[[1, 1], [1, 1]])).value     # one extra edge of four
    0.25

    Raises
    ------
    MetricError
        When the learned model lacks a graph of the true one or sizes differ.

    Notes
    -----
    O(d² + d m) on the dense matrices.
    """
    g, g_hat = truth, learned
    if not isinstance(g, LatentGraph) or not isinstance(g_hat, LatentGraph):
        raise MetricError("shd compares two LatentGraph objects")
    d = g.n_latents
    if g_hat.n_latents != d:
        raise MetricError(f"the learned graph has {g_hat.n_latents} latents, the true one {d}")
    p = np.arange(d) if matching is None else np.asarray(matching)
    if sorted(p.tolist()) != list(range(d)):
        raise MetricError("matching must be a permutation of the latents")
    diff, total = 0, 0
    if g.Gz_sparse is not None:
        if g_hat.Gz_sparse is None:
            raise MetricError("the learned model has no Gz to compare")
        diff += int((g.Gz != g_hat.Gz[np.ix_(p, p)]).sum())
        total += d * d
    if g.Ga_sparse is not None:
        if g_hat.Ga_sparse is None or g_hat.n_actions != g.n_actions:
            raise MetricError("the learned model has no Ga of the same size to compare")
        diff += int((g.Ga != g_hat.Ga[p]).sum())
        total += d * g.n_actions
    return MetricResult("SHD", diff / total, {"differences": diff, "max_edges": total,
                                              "matching": tuple(int(k) for k in p)})
