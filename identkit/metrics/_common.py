"""Input checks, warnings and small numeric helpers shared by the metrics."""

from __future__ import annotations

import warnings

import numpy as np

from ..errors import DependencyError, IdentkitError

__all__ = ["MetricError", "MetricWarning", "as_samples", "pair", "sklearn"]


class MetricError(IdentkitError, ValueError):
    """Inputs a metric cannot score: wrong shapes, mismatched lengths, NaN or inf, too few samples."""


class MetricWarning(UserWarning):
    """A metric returned a documented fallback value (for example a constant column)."""


def as_samples(x, name: str, min_rows: int = 2) -> np.ndarray:
    """A finite float array of shape (n_samples, n_dims); 1-D input is one dimension."""
    try:
        arr = np.asarray(x, dtype=float)
    except (TypeError, ValueError):
        raise MetricError(f"{name} must be a numeric array of shape (n_samples, n_dims)") from None
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2 or arr.shape[1] == 0:
        raise MetricError(f"{name} must have shape (n_samples, n_dims), got {arr.shape}")
    if arr.shape[0] < min_rows:
        raise MetricError(f"{name} has {arr.shape[0]} samples; at least {min_rows} are needed")
    bad = ~np.isfinite(arr)
    if bad.any():
        r, c = np.argwhere(bad)[0]
        raise MetricError(f"{name} has a non-finite value ({arr[r, c]}) at row {r}, column {c}")
    return arr


def pair(z, zhat, min_rows: int = 2):
    """Check two sample arrays of equal length."""
    z = as_samples(z, "z (true latents)", min_rows)
    zhat = as_samples(zhat, "zhat (learned latents)", min_rows)
    if z.shape[0] != zhat.shape[0]:
        raise MetricError(
            f"z has {z.shape[0]} samples but zhat has {zhat.shape[0]}: they must be paired"
        )
    return z, zhat


def warn(msg: str) -> None:
    warnings.warn(msg, MetricWarning, stacklevel=3)


def sklearn():
    """Import scikit-learn for the classifier-based metrics, or say how to install it."""
    try:
        import sklearn  # noqa: F401
    except ImportError:
        raise DependencyError(
            "this metric trains a classifier and needs scikit-learn: "
            "pip install 'identkit[metrics]'"
        ) from None
    return sklearn
