"""VAE diagnostics for Gaussian encoders: the decomposition of the KL term (Chen et al. 2018,
*Isolating Sources of Disentanglement in VAEs*).

With encoder ``q(z|x_n) = N(μ_n, diag exp(logvar_n))``, aggregate posterior
``q(z) = (1/N) Σ_n q(z|x_n)`` and prior ``p(z) = N(0, I)``, the average KL splits as

    E_x KL(q(z|x) ‖ p(z)) = I_q(x; z) + KL(q(z) ‖ Π_j q(z_j)) + Σ_j KL(q(z_j) ‖ p(z_j))
                          = index-code MI + total correlation + dimension-wise KL.

``log q(z)`` is estimated on a minibatch of M encodings drawn from a dataset of size N, either by
*minibatch weighted sampling*, ``log q(z_i) ≈ logsumexp_j log q(z_i|x_j) − log(N M)``, or by
*minibatch stratified sampling*, where the point's own encoder weighs 1/N, one other point
(the next, cyclically) ``(N − M + 1)/(N (M − 1))`` and the remaining M − 2 points ``1/(M − 1)``
each (the weights sum to one). Both are evaluated at one sample ``z_i ~ q(z|x_i)`` per point,
and the same estimators give each ``log q(z_j)`` of the product of marginals.

Which to report: the **stratified** estimator. The weighted one is kept as Chen et al. write
it; it is a fine training objective, where constants do not matter, but its offsets depend on
how much the encoders overlap, which the estimate itself cannot tell. Write
``β = log q(z_i) − log q̂(z_i)`` for the error of its log-density: q̂ is the minibatch average
``(1/M) Σ_j q(z_i|x_j)`` divided by N.

* When the posteriors overlap heavily (every encoder covers z_i as the aggregate does), the
  minibatch average is q(z_i) and ``β = log N``.
* When they are separated (only the point's own encoder covers z_i), ``q(z_i) ≈ q(z_i|x_i)/N``
  while the estimate is ``q(z_i|x_i)/(N M)``, so ``β = log M``.

In between β varies from point to point, typically between log M and log N. With ``β₀`` for the
joint and ``β_j`` for the marginals, the weighted index-code MI is shifted by ``+β₀``, the total
correlation by ``Σ_j β_j − β₀`` and the dimension-wise KL by ``−Σ_j β_j`` (the three still sum
to the KL). So the offsets ``log N, (d − 1) log N, −d log N`` hold only with heavy overlap; with
N = 10⁶, M = 64 and separated posteriors the MI is off by log 64 ≈ 4.2 nats, not log 10⁶ ≈ 13.8,
and subtracting ``log N`` leaves an error of about 9.7 nats. Do not correct the weighted values
by a constant. The stratified estimator needs no correction in either regime, as long as the
minibatch represents each density it estimates (a marginal with many more well-separated modes
than M is beyond any minibatch estimator).
"""

from __future__ import annotations

import numpy as np

from .._rng import as_generator
from ._common import MetricError, MetricResult, as_samples

__all__ = ["kl_decomposition", "gaussian_log_density", "aggregate_log_densities"]

_LOG_2PI = float(np.log(2 * np.pi))

LOGVAR_LIMIT = 200.0
"""The largest ``|logvar|`` :func:`kl_decomposition` takes: variances between e⁻²⁰⁰ and e²⁰⁰
(about 1e-87 and 1e87); beyond them ``exp`` overflows in the densities and the estimate would
be NaN."""


def gaussian_log_density(z, mu, logvar, *, xp=np) -> np.ndarray:
    """Element-wise ``log N(z; mu, exp(logvar))`` (broadcasting).

    ``xp`` is the array namespace: numpy, or ``jax.numpy`` inside a differentiable loss
    (:mod:`identkit.learn` trains β-TCVAE with these formulas).

    Examples
    --------
    >>> import numpy as np
    >>> from identkit.metrics import gaussian_log_density
    >>> bool(np.isclose(gaussian_log_density(0.0, 0.0, 0.0), -0.5 * np.log(2 * np.pi)))
    True
    """
    return -0.5 * (_LOG_2PI + logvar + (z - mu) ** 2 * xp.exp(-logvar))


def _log_weights(M: int, N: int) -> np.ndarray:
    """Log importance weights of minibatch stratified sampling, (M, M): row i scores z_i."""
    if M < 3:
        raise MetricError("stratified sampling needs a minibatch of at least 3 points")
    W = np.full((M, M), 1.0 / (M - 1))
    idx = np.arange(M)
    W[idx, idx] = 1.0 / N
    W[idx, (idx + 1) % M] = (N - M + 1) / (N * (M - 1))
    return np.log(W)


def _lse(a, axis, xp=np):
    m = xp.max(a, axis=axis, keepdims=True)
    return xp.squeeze(m + xp.log(xp.sum(xp.exp(a - m), axis=axis, keepdims=True)), axis=axis)


def aggregate_log_densities(z, mu, logvar, *, dataset_size: int, log_weights=None, xp=np):
    """Minibatch estimates of ``log q(z_i)`` and ``log Π_j q(z_ij)`` at samples z.

    The one implementation of the two estimators of the module documentation, shared by
    :func:`kl_decomposition` and the β-TCVAE loss of :mod:`identkit.learn`.

    Parameters
    ----------
    z : array (B, d)
        Points to score (a block of the minibatch's samples).
    mu, logvar : array (M, d)
        The minibatch's encoder means and log-variances.
    dataset_size : int
        N.
    log_weights : array (B, M), optional
        Log importance weights of stratified sampling for these B points; None for minibatch
        weighted sampling (every weight ``1/(N M)``).
    xp : module
        The array namespace (numpy, or ``jax.numpy`` for a differentiable loss).

    Returns
    -------
    (log_qz, log_prod) : two arrays (B,)

    Examples
    --------
    One encoder N(0, 1) and N = M = 1: both estimates are the standard normal log-density.

    >>> import numpy as np
    >>> from identkit.metrics import aggregate_log_densities, gaussian_log_density
    >>> lq, lp = aggregate_log_densities(np.zeros((1, 2)), np.zeros((1, 2)), np.zeros((1, 2)),
    ...                                  dataset_size=1)
    >>> bool(np.allclose(lq, 2 * gaussian_log_density(0.0, 0.0, 0.0)) and np.allclose(lp, lq))
    True

    Notes
    -----
    O(B M d) time and memory.
    """
    lq = gaussian_log_density(z[:, None, :], mu[None], logvar[None], xp=xp)    # (B, M, d)
    if log_weights is None:
        c = float(np.log(dataset_size) + np.log(mu.shape[0]))
        return _lse(xp.sum(lq, axis=-1), 1, xp) - c, xp.sum(_lse(lq, 1, xp) - c, axis=-1)
    return (_lse(log_weights + xp.sum(lq, axis=-1), 1, xp),
            xp.sum(_lse(log_weights[:, :, None] + lq, 1, xp), axis=-1))


def kl_decomposition(mu, logvar, *, dataset_size: int | None = None,
                     estimator: str = "stratified", z=None, seed=0) -> MetricResult:
    """Index-code mutual information, total correlation and dimension-wise KL of a Gaussian
    encoder on a minibatch.

    Parameters
    ----------
    mu, logvar : array_like, shape (M, d)
        Encoder means and log-variances for a minibatch of M inputs.
    dataset_size : int, optional
        N, the size of the dataset the minibatch was drawn from (default M).
    estimator : {"stratified", "weighted"}
        Minibatch stratified sampling (report this one) or minibatch weighted sampling (offsets
        that depend on the overlap of the posteriors; see the module documentation).
    z : array_like (M, d), optional
        One sample per point from its encoder; drawn with ``seed`` when omitted.
    seed : None, int or numpy.random.Generator

    Returns
    -------
    MetricResult
        ``value`` the estimated KL (nats); details ``index_code_mutual_information``,
        ``total_correlation``, ``dimension_wise_kl``, their sum ``kl`` and ``kl_closed_form``,
        the exact average KL to N(0, I), for comparison. The first was called
        ``mutual_information``, the name the other metrics give a matrix of code-factor
        informations; the old name still reads it, with a ``DeprecationWarning``.

    Raises
    ------
    MetricError
        Shapes that differ, non-finite values, a log-variance beyond ±``LOGVAR_LIMIT`` (200),
        an estimate that is not finite, ``dataset_size`` below M, an unknown estimator,
        a stratified minibatch of fewer than 3 points.

    Examples
    --------
    Independent codes that ignore the input have no mutual information and no total
    correlation:

    >>> import numpy as np
    >>> from identkit.metrics import kl_decomposition
    >>> out = kl_decomposition(np.zeros((500, 2)), np.zeros((500, 2)), seed=0)
    >>> round(out["index_code_mutual_information"], 6), abs(out["total_correlation"]) < 0.02
    (0.0, True)

    Notes
    -----
    O(M² d) time; O(M d) memory plus blocks of at most ~2²¹ pair-dimension terms.
    """
    mu = as_samples(mu, "mu")
    logvar = as_samples(logvar, "logvar")
    if mu.shape != logvar.shape:
        raise MetricError(f"mu {mu.shape} and logvar {logvar.shape} must have the same shape")
    out = np.flatnonzero(np.abs(logvar).max(axis=1) > LOGVAR_LIMIT)
    if out.size:
        r = int(out[0])
        c = int(np.argmax(np.abs(logvar[r])))
        raise MetricError(f"logvar has {logvar[r, c]!r} at row {r}, column {c}: log-variances "
                          f"beyond ±{LOGVAR_LIMIT:g} overflow the densities; clip them "
                          f"(np.clip(logvar, -{LOGVAR_LIMIT:g}, {LOGVAR_LIMIT:g})) first")
    if estimator not in ("stratified", "weighted"):
        raise MetricError(f"estimator must be 'stratified' or 'weighted', got {estimator!r}")
    M, d = mu.shape
    N = M if dataset_size is None else int(dataset_size)
    if N < M:
        raise MetricError(f"dataset_size {N} is smaller than the minibatch ({M})")
    if z is None:
        rng = as_generator(seed)
        z = mu + np.exp(0.5 * logvar) * rng.standard_normal(mu.shape)
    else:
        z = as_samples(z, "z")
        if z.shape != mu.shape:
            raise MetricError(f"z {z.shape} must have the shape of mu {mu.shape}")
    logw = _log_weights(M, N) if estimator == "stratified" else None
    log_qz = np.empty(M)
    log_prod = np.empty(M)
    block = max(1, 2**21 // (M * d))
    # overflow is refused below with a message of its own, not printed as numpy warnings
    with np.errstate(over="ignore", invalid="ignore"):
        for s in range(0, M, block):
            w = None if logw is None else logw[s:s + block]
            log_qz[s:s + block], log_prod[s:s + block] = aggregate_log_densities(
                z[s:s + block], mu, logvar, dataset_size=N, log_weights=w)
        log_qz_given_x = gaussian_log_density(z, mu, logvar).sum(-1)
        log_pz = gaussian_log_density(z, 0.0, 0.0).sum(-1)
        mi = float(np.mean(log_qz_given_x - log_qz))
        tc = float(np.mean(log_qz - log_prod))
        dwkl = float(np.mean(log_prod - log_pz))
        closed = float(np.mean(0.5 * (np.exp(logvar) + mu**2 - 1.0 - logvar).sum(-1)))
        kl = mi + tc + dwkl
    if not np.isfinite([mi, tc, dwkl, closed]).all():
        raise MetricError("the KL decomposition is not finite for these encodings (means or "
                          "samples too large for float64): rescale mu and z first")
    return MetricResult(f"KL decomposition ({estimator})", kl,
                        {"index_code_mutual_information": mi, "total_correlation": tc,
                         "dimension_wise_kl": dwkl, "kl": kl, "kl_closed_form": closed,
                         "estimator": estimator, "dataset_size": N},
                        renamed={"mutual_information": "index_code_mutual_information"})
