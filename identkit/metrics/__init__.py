"""Evaluating learned representations: the paper's metrics (MCC, R, Rcon, SHD), the classic
disentanglement metrics and VAE diagnostics, in numpy.

One calling convention: every metric takes the ground truth first and the learned
representation second (keywords ``truth`` and ``learned``), checks both (shapes, pairing, NaN,
inf, complex values, masked arrays, constant true latents, too few samples:
:class:`MetricError`), takes every option by keyword, and returns a frozen
:class:`MetricResult`: a ``float`` (it formats, compares, rounds and averages as its value)
carrying ``details`` and ``to_dict()``. :func:`score` is the one-call counterpart of
``identkit score``.

Arrays are shaped ``(n_samples, n_dims)``. Mutual information is computed from our own
contingency tables; classifier-based metrics use scikit-learn (``identkit[metrics]``).
"""

from ._common import MetricError, MetricResult, MetricWarning, train_test_rows
from .classic import (
    GroundTruth,
    beta_vae_score,
    dci,
    dci_from_importance,
    factor_vae_score,
    gaussian_total_correlation,
    gaussian_wasserstein_correlation,
    irs,
    irs_from_samples,
    mean_mutual_information,
    mig,
    modularity,
    modularity_explicitness,
    sap,
)
from .information import discretize, entropy, mutual_info_matrix, mutual_information
from .paper import correlation_matrix, mcc, r_score, rcon, shd
from .scoring import ScoreResult, read_array, score
from .vae import aggregate_log_densities, gaussian_log_density, kl_decomposition

__all__ = [
    "MetricError", "MetricWarning", "MetricResult", "train_test_rows",
    "mcc", "correlation_matrix", "r_score", "rcon", "shd", "score", "ScoreResult", "read_array",
    "mig", "sap", "modularity", "modularity_explicitness", "dci", "dci_from_importance",
    "GroundTruth", "beta_vae_score", "factor_vae_score", "irs", "irs_from_samples",
    "gaussian_total_correlation", "gaussian_wasserstein_correlation", "mean_mutual_information",
    "discretize", "entropy", "mutual_info_matrix", "mutual_information",
    "kl_decomposition", "gaussian_log_density", "aggregate_log_densities",
]
