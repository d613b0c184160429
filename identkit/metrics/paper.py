"""The metrics of the paper's experiments (§8 and THEORY §7): MCC, R, Rcon and normalized SHD.

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

from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment
from scipy.stats import rankdata

from .._rng import as_generator
from ..entanglement import entanglement_pairs, resolve_regularize
from ..graphs import LatentGraph
from ._common import MetricError, pair, warn

__all__ = ["MCCResult", "mcc", "correlation_matrix", "r_score", "rcon", "shd"]


def _centered_cross(A, B, rows=None, chunk: int = 65536):
    """Means of A and B and the centered cross-product ``(A - ā)ᵀ (B - b̄)`` over ``rows``,
    accumulated in chunks (no centered copy of the data; O(chunk · width) extra memory)."""
    idx = np.arange(A.shape[0]) if rows is None else rows
    n = idx.size
    ma = A[idx].mean(0) if n <= chunk else sum(A[idx[k:k + chunk]].sum(0)
                                               for k in range(0, n, chunk)) / n
    mb = B[idx].mean(0) if n <= chunk else sum(B[idx[k:k + chunk]].sum(0)
                                               for k in range(0, n, chunk)) / n
    out = np.zeros((A.shape[1], B.shape[1]))
    for k in range(0, n, chunk):
        sel = idx[k:k + chunk]
        out += (A[sel] - ma).T @ (B[sel] - mb)
    return ma, mb, out


def correlation_matrix(z, zhat, method: str = "pearson") -> np.ndarray:
    """``|corr(z_i, ẑ_j)|`` for every true i and learned j, shape (d, d̂).

    Constant columns have no correlation: their entries are 0 (with a :class:`MetricWarning`).
    O(n (d + d̂)²) time, O(chunk (d + d̂)) extra memory for Pearson.

    Examples
    --------
    >>> import numpy as np
    >>> from identkit.metrics import correlation_matrix
    >>> z = np.random.default_rng(0).standard_normal((100, 2))
    >>> correlation_matrix(z, -z).diagonal().round(6).tolist()   # |corr| ignores the sign
    [1.0, 1.0]
    """
    z, zhat = pair(z, zhat)
    if method not in ("pearson", "spearman"):
        raise MetricError(f"method must be 'pearson' or 'spearman', got {method!r}")
    if method == "spearman":
        z = rankdata(z, axis=0)
        zhat = rankdata(zhat, axis=0)
    _, _, cross = _centered_cross(z, zhat)
    sz = np.sqrt(np.diag(_centered_cross(z, z)[2]).copy())
    sh = np.sqrt(np.diag(_centered_cross(zhat, zhat)[2]).copy())
    const_z, const_h = sz == 0, sh == 0
    if const_z.any() or const_h.any():
        which = ([f"true {k}" for k in np.flatnonzero(const_z)]
                 + [f"learned {k}" for k in np.flatnonzero(const_h)])
        warn(f"constant column(s) {', '.join(which)}: their correlations are set to 0")
    sz[const_z] = 1.0
    sh[const_h] = 1.0
    C = np.abs(cross / sz[:, None] / sh[None, :])
    return np.clip(C, 0.0, 1.0)


@dataclass(frozen=True)
class MCCResult:
    """``score`` (mean matched |corr|), ``matching`` (true i ↔ learned ``matching[i]``) and the
    matched correlations."""

    score: float
    matching: tuple
    matched: tuple

    def __float__(self):
        return self.score

    def __iter__(self):  # allows ``score, matching = mcc(...)``
        return iter((self.score, self.matching))


def mcc(z, zhat, method: str = "pearson") -> MCCResult:
    """Mean correlation coefficient with the Hungarian matching.

    Parameters
    ----------
    z, zhat : array_like, shape (n_samples, d) and (n_samples, d̂)
        True and learned latents; ``d̂ >= d`` (every true latent gets a learned match).
    method : {"pearson", "spearman"}

    Returns
    -------
    MCCResult
        Unpacks as ``score, matching``.

    Raises
    ------
    MetricError
        Mismatched lengths, NaN/inf, fewer learned than true latents.

    Examples
    --------
    A permuted, monotonically transformed copy has Spearman MCC 1:

    >>> import numpy as np
    >>> from identkit.metrics import mcc
    >>> z = np.random.default_rng(0).standard_normal((500, 3))
    >>> zhat = np.c_[np.exp(z[:, 2]), z[:, 0] ** 3, -z[:, 1]]
    >>> score, matching = mcc(z, zhat, method="spearman")
    >>> round(score, 12), matching
    (1.0, (1, 2, 0))

    Notes
    -----
    O(n d d̂ + d̂³) (correlations, then the assignment).
    """
    C = correlation_matrix(z, zhat, method)
    d, dh = C.shape
    if dh < d:
        raise MetricError(f"zhat has {dh} dimensions but z has {d}: each true latent needs a match")
    rows, cols = linear_sum_assignment(-C)
    order = np.argsort(rows)
    matching = tuple(int(c) for c in cols[order])
    matched = tuple(float(C[i, matching[i]]) for i in range(d))
    return MCCResult(float(np.mean(matched)), matching, matched)


def _split(n, test_fraction, seed):
    if test_fraction is None:
        idx = np.arange(n)
        return idx, idx  # the same object: in-sample scores reuse the fit's sums
    if not 0 < test_fraction < 1:
        raise MetricError(f"test_fraction must be in (0, 1), got {test_fraction!r}")
    rng = as_generator(seed)
    perm = rng.permutation(n)
    k = int(round(n * test_fraction))
    if k < 2 or n - k < 2:
        raise MetricError(f"{n} samples are too few to hold out a fraction {test_fraction}")
    return perm[k:], perm[:k]


def _regressions(z, zhat, allowed, train, test):
    """√R² of the least-squares fit (with intercept) of each true latent i on the learned
    columns ``allowed[i]``: fit on ``train``, scored on ``test`` (held-out R² clipped at 0).

    One pass over the data builds the centered Gram matrices; each fit then solves a small
    system, so the cost is O(n (d + d̂)² + d d̂³) instead of d separate regressions over n rows.
    """
    n_fit = train.size
    mx, my, Sxy = _centered_cross(zhat, z, train)
    Sxx = _centered_cross(zhat, zhat, train)[2]
    syy_train = np.diag(_centered_cross(z, z, train)[2])
    same = test is train or (test.size == train.size and np.array_equal(test, train))
    out = []
    for i in range(z.shape[1]):
        cols = np.flatnonzero(allowed[i])
        if n_fit <= cols.size + 1:
            raise MetricError(
                f"{n_fit} samples cannot fit a regression on {cols.size} learned latents "
                "(need more samples than dimensions)")
        if cols.size:
            coef, *_ = np.linalg.lstsq(Sxx[np.ix_(cols, cols)], Sxy[cols, i], rcond=None)
        else:
            coef = np.zeros(0)
        if same:
            total = syy_train[i]
            resid = total - coef @ Sxy[cols, i]
        else:
            y = z[test, i]
            pred = my[i] + (zhat[np.ix_(test, cols)] - mx[cols]) @ coef
            resid = ((y - pred) ** 2).sum()
            total = ((y - y.mean()) ** 2).sum()
        if total <= 0:
            warn("a true latent is constant on the scored samples: its R² is set to 0")
            out.append(0.0)
            continue
        out.append(float(np.sqrt(min(1.0, max(0.0, 1.0 - resid / total)))))
    return out


def r_score(z, zhat, *, test_fraction: float | None = None, seed=0) -> float:
    """R: mean over true latents of √R² of a linear regression on all learned latents.

    Parameters
    ----------
    z, zhat : array_like (n_samples, d), (n_samples, d̂)
    test_fraction : float in (0, 1), optional
        Fit on the rest and score on this held-out fraction (default: in sample).
    seed : None, int or numpy.random.Generator
        For the split.

    Examples
    --------
    Any invertible linear mixing is perfectly explained:

    >>> import numpy as np
    >>> from identkit.metrics import r_score
    >>> z = np.random.default_rng(0).standard_normal((300, 3))
    >>> round(r_score(z, z @ [[1, 2, 0], [0, 1, 3], [1, 0, 1]]), 10)
    1.0

    Notes
    -----
    O(n d̂² d).
    """
    z, zhat = pair(z, zhat)
    train, test = _split(z.shape[0], test_fraction, seed)
    allowed = np.ones((z.shape[1], zhat.shape[1]), dtype=bool)
    return float(np.mean(_regressions(z, zhat, allowed, train, test)))


def _allowed(g: LatentGraph, regularize, matching, d_hat):
    reg = resolve_regularize(g, regularize)
    r, c = entanglement_pairs(g, reg)
    d = g.n_latents
    C = np.zeros((d, d), dtype=bool)
    C[r, c] = True
    # row i of C Pᵀ: learned latents matched to true j with C[i, j]
    A = np.zeros((d, d_hat), dtype=bool)
    for j in range(d):
        A[:, matching[j]] |= C[:, j]
    return A


def rcon(z, zhat, g: LatentGraph, regularize: str | None = None, *, matching=None,
         method: str = "pearson", test_fraction: float | None = None, seed=0) -> float:
    """Rcon: R restricted to the learned latents the entanglement pattern allows.

    Parameters
    ----------
    z, zhat : array_like (n_samples, d), (n_samples, d̂)
    g : LatentGraph
        The true model (d latents).
    regularize : str, optional
        Which graphs define C (default: all the model has).
    matching : sequence of int, optional
        True i ↔ learned ``matching[i]``; default: the MCC matching.
    method : {"pearson", "spearman"}
        For the default matching.
    test_fraction, seed
        As in :func:`r_score`.

    Raises
    ------
    MetricError
        If z has a different number of latents than g, or the inputs are bad.

    Examples
    --------
    Example 8 lets z2 and z3 mix: a learned representation that mixes them has a low MCC but
    Rcon = 1.

    >>> import numpy as np, identkit as ik
    >>> from identkit.metrics import mcc, rcon
    >>> z = np.random.default_rng(1).standard_normal((400, 3))
    >>> zhat = np.c_[z[:, 0], z[:, 1] + z[:, 2], z[:, 1] - z[:, 2]]
    >>> g = ik.examples.get("ex8").graph
    >>> round(mcc(z, zhat).score, 2) < 0.9, round(rcon(z, zhat, g), 10)
    (True, 1.0)
    """
    z, zhat = pair(z, zhat)
    if z.shape[1] != g.n_latents:
        raise MetricError(f"z has {z.shape[1]} latents but the graph has {g.n_latents}")
    if matching is None:
        matching = mcc(z, zhat, method).matching
    matching = list(matching)
    if len(matching) != z.shape[1] or len(set(matching)) != len(matching) or \
            not all(0 <= k < zhat.shape[1] for k in matching):
        raise MetricError("matching must give each true latent a distinct learned latent")
    A = _allowed(g, regularize, matching, zhat.shape[1])
    train, test = _split(z.shape[0], test_fraction, seed)
    return float(np.mean(_regressions(z, zhat, A, train, test)))


def shd(g: LatentGraph, g_hat: LatentGraph, matching=None) -> float:
    """Normalized structural Hamming distance between a true and a learned graph.

    ``(‖Ga − P̂ᵀĜa‖₀ + ‖Gz − P̂ᵀĜzP̂‖₀) / (d·m + d²)`` over the graphs the true model has, with
    ``P̂[matching[i], i] = 1`` (true i ↔ learned ``matching[i]``; default identity).

    Examples
    --------
    >>> import identkit as ik
    >>> from identkit.metrics import shd
    >>> g = ik.LatentGraph(Gz=[[1, 0], [1, 1]])
    >>> shd(g, g.permute([1, 0]), matching=[1, 0]), shd(g, ik.LatentGraph(Gz=[[1, 1], [1, 1]]))
    (0.0, 0.25)

    Raises
    ------
    MetricError
        When the learned model lacks a graph of the true one or sizes differ.
    """
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
    return diff / total
