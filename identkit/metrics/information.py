"""Discrete mutual information computed from our own contingency tables (natural log), so values
do not drift with a library's version.

``discretize`` follows the histogram discretization of Locatello et al. (2019): each column is cut
into ``num_bins`` equal-width bins between its minimum and maximum, labelled ``1 .. num_bins``.
"""

from __future__ import annotations

import numpy as np

from .._compat import keyword_only
from ._common import MetricError, as_samples, refuse_masked

__all__ = ["discretize", "mutual_information", "mutual_info_matrix", "entropy"]


@keyword_only("num_bins")
def discretize(x, *, num_bins: int = 20) -> np.ndarray:
    """Equal-width histogram bins per column, labels ``1 .. num_bins`` (int64, same shape).

    ``num_bins`` is at most the number of samples (more bins than samples leave bins empty
    and only cost memory: refused).

    Examples
    --------
    >>> from identkit.metrics import discretize
    >>> discretize([[0.0], [0.5], [1.0]], num_bins=2).ravel().tolist()
    [1, 2, 2]

    Notes
    -----
    O(n d log num_bins).
    """
    if isinstance(num_bins, bool) or not isinstance(num_bins, (int, np.integer)) or \
            num_bins < 1:
        raise MetricError(f"num_bins must be a positive integer, got {num_bins!r}")
    x = as_samples(x, "x", min_rows=1)
    if num_bins > x.shape[0]:
        raise MetricError(f"num_bins={num_bins} is more than the {x.shape[0]} samples: give at "
                          f"most {x.shape[0]} bins")
    out = np.empty(x.shape, dtype=np.int64)
    for j in range(x.shape[1]):
        edges = np.histogram_bin_edges(x[:, j], bins=num_bins)
        out[:, j] = np.digitize(x[:, j], edges[:-1])
    return out


def _labels(x, name="labels"):
    """Map discrete labels to 0..k-1 (per call); a masked array and non-integer floats (each
    would be a label of its own) are refused, naming :func:`discretize`."""
    refuse_masked(x, name)
    x = np.asarray(x)
    if np.issubdtype(x.dtype, np.floating) or np.iscomplexobj(x):
        if np.iscomplexobj(x) or not np.isfinite(x).all() or (x != np.round(x)).any():
            raise MetricError(f"{name} must be discrete (integer labels); a non-integer or "
                              "non-finite value would be a label of its own: discretize them "
                              "first (identkit.metrics.discretize(x, num_bins=N))")
    _, inv = np.unique(x, return_inverse=True)
    return inv.reshape(-1)


def mutual_information(a, b) -> float:
    """``I(a; b)`` in nats for two label sequences, from their contingency table.

    Examples
    --------
    >>> from identkit.metrics import mutual_information
    >>> import math
    >>> math.isclose(mutual_information([0, 0, 1, 1], [0, 0, 1, 1]), math.log(2))
    True
    >>> mutual_information([0, 1, 0, 1], [0, 0, 1, 1])
    0.0

    Notes
    -----
    O(n log n + k_a k_b) for k_a and k_b distinct labels.
    """
    a, b = _labels(a, "a"), _labels(b, "b")
    if a.size != b.size:
        raise MetricError(f"label sequences differ in length ({a.size} and {b.size})")
    n = a.size
    table = np.zeros((a.max() + 1, b.max() + 1))
    np.add.at(table, (a, b), 1.0)
    pa = table.sum(1, keepdims=True) / n
    pb = table.sum(0, keepdims=True) / n
    p = table / n
    nz = p > 0
    return float(max(0.0, (p[nz] * np.log(p[nz] / (pa @ pb)[nz])).sum()))


def entropy(a) -> float:
    """Entropy ``H(a) = I(a; a)`` in nats of a label sequence.

    Examples
    --------
    >>> import math
    >>> from identkit.metrics import entropy
    >>> math.isclose(entropy([0, 1, 2, 3]), math.log(4))
    True

    Notes
    -----
    O(n log n).
    """
    a = _labels(a)
    p = np.bincount(a) / a.size
    p = p[p > 0]
    return float(-(p * np.log(p)).sum())


def mutual_info_matrix(codes, factors) -> np.ndarray:
    """``M[i, j] = I(codes_i; factors_j)`` for discrete columns, shape (n_codes, n_factors).

    Examples
    --------
    >>> from identkit.metrics import mutual_info_matrix
    >>> mutual_info_matrix([[0, 0], [1, 0], [0, 1], [1, 1]], [0, 1, 0, 1]).round(3).tolist()
    [[0.693], [0.0]]

    Notes
    -----
    O(d K n log n): one contingency table per pair of columns.
    """
    refuse_masked(codes, "codes")
    refuse_masked(factors, "factors")
    codes = np.asarray(codes)
    factors = np.asarray(factors)
    if codes.ndim == 1:
        codes = codes[:, None]
    if factors.ndim == 1:
        factors = factors[:, None]
    if codes.shape[0] != factors.shape[0]:
        raise MetricError(f"codes have {codes.shape[0]} samples but factors {factors.shape[0]}")
    return np.array([[mutual_information(codes[:, i], factors[:, j])
                      for j in range(factors.shape[1])] for i in range(codes.shape[1])])
