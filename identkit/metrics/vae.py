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

The weighted estimator is kept as the paper writes it, and it is not calibrated: its
normalization ``log(N M)`` where an average over the minibatch needs ``log M`` shifts the
mutual information by ``+log N``, the total correlation by ``+(d − 1) log N`` and the
dimension-wise KL by ``−d log N`` (the three still sum to the KL). It is useful as a training
objective, where constants do not matter; use the stratified estimator to *report* values.
"""

from __future__ import annotations

import numpy as np
from scipy.special import logsumexp

from .._rng import as_generator
from ._common import MetricError, as_samples

__all__ = ["kl_decomposition", "gaussian_log_density"]

_LOG_2PI = float(np.log(2 * np.pi))


def gaussian_log_density(z, mu, logvar) -> np.ndarray:
    """Element-wise ``log N(z; mu, exp(logvar))`` (broadcasting).

    Examples
    --------
    >>> import numpy as np
    >>> from identkit.metrics import gaussian_log_density
    >>> bool(np.isclose(gaussian_log_density(0.0, 0.0, 0.0), -0.5 * np.log(2 * np.pi)))
    True
    """
    return -0.5 * (_LOG_2PI + logvar + (z - mu) ** 2 * np.exp(-logvar))


def _log_weights(M: int, N: int) -> np.ndarray:
    """Log importance weights of minibatch stratified sampling, (M, M): row i scores z_i."""
    if M < 3:
        raise MetricError("stratified sampling needs a minibatch of at least 3 points")
    W = np.full((M, M), 1.0 / (M - 1))
    idx = np.arange(M)
    W[idx, idx] = 1.0 / N
    W[idx, (idx + 1) % M] = (N - M + 1) / (N * (M - 1))
    return np.log(W)


def kl_decomposition(mu, logvar, *, dataset_size: int | None = None,
                     estimator: str = "stratified", z=None, seed=0) -> dict:
    """Index-code mutual information, total correlation and dimension-wise KL of a Gaussian
    encoder on a minibatch.

    Parameters
    ----------
    mu, logvar : array_like, shape (M, d)
        Encoder means and log-variances for a minibatch of M inputs.
    dataset_size : int, optional
        N, the size of the dataset the minibatch was drawn from (default M).
    estimator : {"stratified", "weighted"}
        Minibatch stratified sampling or minibatch weighted sampling.
    z : array_like (M, d), optional
        One sample per point from its encoder; drawn with ``seed`` when omitted.
    seed : None, int or numpy.random.Generator

    Returns
    -------
    dict
        ``mutual_information``, ``total_correlation``, ``dimension_wise_kl`` and their sum
        ``kl`` (nats), plus ``kl_closed_form``, the exact average KL to N(0, I), for comparison.

    Examples
    --------
    Independent codes that ignore the input have no mutual information and no total
    correlation:

    >>> import numpy as np
    >>> from identkit.metrics import kl_decomposition
    >>> out = kl_decomposition(np.zeros((500, 2)), np.zeros((500, 2)), seed=0)
    >>> round(out["mutual_information"], 6), abs(out["total_correlation"]) < 0.02
    (0.0, True)

    Notes
    -----
    O(M² d) time and memory.
    """
    mu = as_samples(mu, "mu")
    logvar = as_samples(logvar, "logvar")
    if mu.shape != logvar.shape:
        raise MetricError(f"mu {mu.shape} and logvar {logvar.shape} must have the same shape")
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
    # log q(z_i | x_j) per dimension: (M, M, d)
    lq = gaussian_log_density(z[:, None, :], mu[None, :, :], logvar[None, :, :])
    log_qz_given_x = lq[np.arange(M), np.arange(M)].sum(-1)
    log_pz = gaussian_log_density(z, 0.0, 0.0).sum(-1)
    if estimator == "weighted":
        log_qz = logsumexp(lq.sum(-1), axis=1) - np.log(N * M)
        log_prod = (logsumexp(lq, axis=1) - np.log(N * M)).sum(-1)
    elif estimator == "stratified":
        logw = _log_weights(M, N)
        log_qz = logsumexp(logw + lq.sum(-1), axis=1)
        log_prod = logsumexp(logw[:, :, None] + lq, axis=1).sum(-1)
    else:
        raise MetricError(f"estimator must be 'stratified' or 'weighted', got {estimator!r}")
    mi = float(np.mean(log_qz_given_x - log_qz))
    tc = float(np.mean(log_qz - log_prod))
    dwkl = float(np.mean(log_prod - log_pz))
    closed = float(np.mean(0.5 * (np.exp(logvar) + mu**2 - 1.0 - logvar).sum(-1)))
    return {"mutual_information": mi, "total_correlation": tc, "dimension_wise_kl": dwkl,
            "kl": mi + tc + dwkl, "kl_closed_form": closed}
