"""The classic disentanglement metrics, with the definitions and defaults of the large-scale study
of Locatello et al. (ICML 2019).

Every metric takes the ground truth first and the learned representation second, under the
keyword names ``truth`` and ``learned``, and returns a :class:`MetricResult`. Array metrics take
discrete ground-truth factors ``(n, K)`` and learned codes ``(n, d̂)``:

* :func:`mig` — Mutual Information Gap (Chen et al. 2018): for each factor, the gap between the
  two largest ``I(code; factor)`` divided by ``H(factor)``, averaged; codes discretized into 20
  bins.
* :func:`sap` — Separated Attribute Predictability (Kumar et al. 2018): per code and factor a
  score (R² on the training rows for continuous factors, else the test accuracy of a linear SVM,
  C = 0.01, balanced classes); per factor the gap between the two best codes; averaged.
* :func:`modularity_explicitness` — Ridgeway & Mozer (2018): modularity from the squared mutual
  information on the training rows (1 − spread off the best factor); explicitness as the mean
  one-vs-rest ROC AUC of a logistic regression on standardized codes.
* :func:`dci` — Eastwood & Williams (2018): an importance matrix (gradient-boosted trees by
  default), disentanglement ``1 − H_K(row)`` weighted by code importance, completeness
  ``1 − H_d̂(column)`` weighted by factor importance, informativeness as test accuracy;
  :func:`dci_from_importance` for a given matrix.

Sampling metrics take a :class:`GroundTruth` (factors → observations) and a representation
function (observations → codes): :func:`beta_vae_score` (Higgins et al. 2017),
:func:`factor_vae_score` (Kim & Mnih 2018) and :func:`irs` (Suter et al. 2019).

The defaults reproduce the protocol of disentanglement_lib, the library behind the published
numbers: scikit-learn's default ``LogisticRegression`` (pass ``max_iter=1000`` for a converged
fit), modularity and the continuous SAP score on the training rows, factors binned into 20
histogram bins for IRS, FactorVAE pruning codes whose standard deviation is below 0.05 (the
study configuration), and seeded boosted trees for DCI. Held-out metrics split the given rows with :func:`train_test_rows`.

Unsupervised (on codes alone): :func:`gaussian_total_correlation`,
:func:`gaussian_wasserstein_correlation` and :func:`mean_mutual_information`.

Classifier-based metrics need scikit-learn (``identkit[metrics]``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import scipy.linalg

from .._compat import keyword_only
from .._rng import as_generator
from ._common import (MetricError, MetricResult, as_samples, check_discrete, classifier_rows,
                      refuse_masked, sklearn, train_test_rows, warn)
from .information import discretize, entropy, mutual_info_matrix

__all__ = [
    "mig", "sap", "modularity", "modularity_explicitness", "dci", "dci_from_importance",
    "GroundTruth", "beta_vae_score", "factor_vae_score", "irs", "irs_from_samples",
    "gaussian_total_correlation", "gaussian_wasserstein_correlation", "mean_mutual_information",
]


def _factors_codes(truth, learned):
    """Ground-truth factors (n, K) and learned codes (n, d̂), checked and paired."""
    f = as_samples(truth, "truth (ground-truth factors)", constant="error")
    codes = as_samples(learned, "learned (codes)")
    if f.shape[0] != codes.shape[0]:
        raise MetricError(f"truth has {f.shape[0]} samples but learned has {codes.shape[0]}: "
                          "they must be paired row by row")
    raw = np.asarray(truth)
    if np.issubdtype(raw.dtype, np.integer):
        f = raw.reshape(f.shape)
    return f, codes


def _discrete_factors(f, metric, factor_bins):
    """The factors as class labels: cut into ``factor_bins`` equal-width bins when given (the
    histogram discretization of the reference), else refused unless every value is an
    integer."""
    if factor_bins is not None:
        return discretize(f, num_bins=factor_bins)
    check_discrete(f, metric)
    return f


def _logistic(max_iter):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression() if max_iter is None else LogisticRegression(max_iter=max_iter)


# ------------------------------------------------------------------------------------ MIG


@keyword_only("num_bins")
def mig(truth, learned, *, num_bins: int = 20, factor_bins: int | None = None) -> MetricResult:
    """Mutual Information Gap (Chen et al. 2018), with 20-bin histogram discretization.

    ``MIG = mean_k (I₍₁₎(k) − I₍₂₎(k)) / H(v_k)`` where I₍₁₎ ≥ I₍₂₎ are the two largest mutual
    informations between a code and factor k.

    Parameters
    ----------
    truth : array_like (n, K)
        Discrete ground-truth factors (integer values of any dtype); continuous factors are
        refused unless ``factor_bins`` discretizes them.
    learned : array_like (n, d̂)
        Learned codes, d̂ ≥ 2.
    num_bins : int, keyword-only
        Equal-width bins of each code (at most the number of samples).
    factor_bins : int, optional, keyword-only
        Cut each factor into this many equal-width bins first (for continuous factors).

    Returns
    -------
    MetricResult
        ``value`` MIG; details ``mutual_information`` (d̂ × K, nats) and ``entropy`` (K).

    Examples
    --------
    Two codes that copy two factors:

    >>> import numpy as np
    >>> from identkit.metrics import mig
    >>> f = np.array([[0, 0], [0, 1], [1, 0], [1, 1]] * 25)
    >>> round(mig(f, f.astype(float), num_bins=2).value, 12)
    1.0

    Notes
    -----
    O(n d̂ K) (one contingency table per code and factor).
    """
    f, codes = _factors_codes(truth, learned)
    if codes.shape[1] < 2:
        raise MetricError("MIG needs at least two codes (it compares the best two)")
    f = _discrete_factors(f, "MIG", factor_bins)
    m = mutual_info_matrix(discretize(codes, num_bins=num_bins), f)
    h = np.array([entropy(f[:, k]) for k in range(f.shape[1])])   # > 0: no constant factor
    top = np.sort(m, axis=0)[::-1]
    value = float(np.mean((top[0] - top[1]) / h))
    return MetricResult("MIG", value, {"mutual_information": m, "entropy": h})


# ------------------------------------------------------------------------------------ SAP


def _check_discrete(f, metric):
    """Refuse factors with a non-integer value: the classifiers need class labels."""
    frac = np.flatnonzero((f != np.round(f)).any(axis=0))
    if frac.size:
        k = int(frac[0])
        v = float(f[np.flatnonzero(f[:, k] != np.round(f[:, k]))[0], k])
        raise MetricError(
            f"{metric} with continuous_factors=False classifies each factor, but factor {k} has "
            f"the non-integer value {v!r}: pass continuous_factors=True for continuous factors, "
            "or discretize them first (identkit.metrics.discretize)")


def _sap_matrix(codes, f, test_fraction, continuous_factors, seed):
    d, K = codes.shape[1], f.shape[1]
    S = np.zeros((d, K))
    train, test = train_test_rows(codes.shape[0], test_fraction, seed=seed)
    if continuous_factors:
        # The reference scores continuous factors on its training rows only.
        ctr, ftr = codes[train], f[train].astype(float)
        for i in range(d):
            for k in range(K):
                c = np.cov(ctr[:, i], ftr[:, k], ddof=1)
                if c[0, 0] > 1e-12 and c[1, 1] > 0:
                    S[i, k] = c[0, 1] ** 2 / (c[0, 0] * c[1, 1])
        return S
    sklearn()
    from sklearn.svm import LinearSVC

    for i in range(d):
        for k in range(K):
            y = f[:, k]
            if np.unique(y[train]).size < 2:
                S[i, k] = float(np.mean(y[test] == y[train][0]))
                continue
            clf = LinearSVC(C=0.01, class_weight="balanced")
            clf.fit(codes[train][:, [i]], y[train])
            S[i, k] = float(np.mean(clf.predict(codes[test][:, [i]]) == y[test]))
    return S


def sap(truth, learned, *, continuous_factors: bool = False, test_fraction: float = 1 / 3,
        seed=0) -> MetricResult:
    """Separated Attribute Predictability (Kumar et al. 2018).

    The rows are split with :func:`train_test_rows`. With ``continuous_factors=True`` the score
    of (code i, factor k) is the squared correlation on the *training* rows (R² of a
    one-variable linear fit; no classifier, numpy only), as in the reference implementation; a
    code whose training variance is at most 1e-12 (an absolute threshold, as in the reference:
    rescale tiny codes first) scores 0. Otherwise the score is the test accuracy of a linear SVM
    (C = 0.01, balanced classes) trained on code i alone, and the factors must be class labels
    (integer values, of any dtype): the reference hands them to the classifier as they are, it
    does not discretize, so non-integer factors are refused. SAP is the mean over factors of the
    gap between the two best codes.

    Raises
    ------
    MetricError
        Bad input, fewer than two codes, or, with ``continuous_factors=False``, a factor with a
        non-integer value (the message names ``continuous_factors``).

    Returns
    -------
    MetricResult
        ``value`` SAP; details ``score_matrix`` (d̂ × K).

    Examples
    --------
    >>> import numpy as np
    >>> from identkit.metrics import sap
    >>> x = np.linspace(0, 1, 50)
    >>> codes = np.c_[x, np.ones(50)]                      # code 0 carries the factor
    >>> round(sap(np.c_[x], codes, continuous_factors=True).value, 12)
    1.0

    Notes
    -----
    O(n d̂ K) for continuous factors; d̂ K linear SVM fits on one feature otherwise.
    """
    f, codes = _factors_codes(truth, learned)
    if codes.shape[1] < 2:
        raise MetricError("SAP needs at least two codes (it compares the best two)")
    if not continuous_factors:
        _check_discrete(f, "SAP")
    S = _sap_matrix(codes, f, test_fraction, continuous_factors, seed)
    top = np.sort(S, axis=0)[::-1]
    return MetricResult("SAP", float(np.mean(top[0] - top[1])), {"score_matrix": S})


# ---------------------------------------------------------------------- modularity, explicitness


def modularity(mi: np.ndarray) -> MetricResult:
    """Modularity from a (codes × factors) mutual-information matrix (Ridgeway & Mozer 2018).

    For each code, ``δ = (Σ_k m_k² − max_k m_k²) / (max_k m_k² (K − 1))`` and the code scores
    ``1 − δ``; codes with no information score 0. The result is the mean over codes.

    Examples
    --------
    >>> import numpy as np
    >>> from identkit.metrics import modularity
    >>> float(modularity(np.eye(3))), float(modularity(np.ones((3, 3))))
    (1.0, 0.0)
    >>> modularity(np.eye(3)).per_code.tolist()
    [1.0, 1.0, 1.0]

    Raises
    ------
    MetricError
        A matrix that is not 2-D with at least 2 factors, or has a negative, NaN or infinite
        entry (a mutual information is finite and non-negative), or is masked.

    Returns
    -------
    MetricResult
        ``value`` the modularity (a number, as every metric's result); details ``per_code``.

    Notes
    -----
    O(d̂ K).
    """
    refuse_masked(mi, "the mutual-information matrix")
    try:
        mi = np.asarray(mi, dtype=float)
    except (TypeError, ValueError):
        raise MetricError("modularity needs a numeric (codes x factors) matrix") from None
    if mi.ndim != 2 or mi.shape[1] < 2:
        raise MetricError("modularity needs a (codes x factors) matrix with at least 2 factors")
    bad = np.argwhere(~(mi >= 0))  # negative and NaN alike
    if bad.size or not np.isfinite(mi).all():
        i, j = bad[0] if bad.size else np.argwhere(~np.isfinite(mi))[0]
        raise MetricError(f"the mutual-information matrix has the entry {mi[i, j]!r} at row {i}, "
                          f"column {j}: mutual information is finite and non-negative")
    sq = mi**2
    best = sq.max(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        delta = (sq.sum(axis=1) - best) / (best * (mi.shape[1] - 1))
    score = np.where(best == 0, 0.0, 1.0 - delta)
    return MetricResult("modularity", float(score.mean()), {"per_code": score})


def modularity_explicitness(truth, learned, *, num_bins: int = 20,
                            test_fraction: float = 1 / 3, max_iter: int | None = None,
                            factor_bins: int | None = None, seed=0) -> MetricResult:
    """Modularity and explicitness (Ridgeway & Mozer 2018) on a train/test split of the rows.

    Modularity comes from the mutual information between the 20-bin codes and the factors on
    the *training* rows, as in the reference implementation; explicitness is the mean over
    factors of the one-vs-rest ROC AUC of a logistic regression on codes standardized with the
    training mean and deviation, on the training and on the test rows.

    Parameters
    ----------
    truth, learned : array_like (n, K), (n, d̂)
        Discrete factors and learned codes.
    num_bins : int
    test_fraction : float in (0, 1)
        The rows held out (:func:`train_test_rows`).
    max_iter : int, optional
        Iterations of the logistic regression. None (default) runs scikit-learn's defaults,
        as the reference does (100 L-BFGS iterations, which may stop before convergence with a
        ``ConvergenceWarning``); 1000 gives a better-converged fit, whose numbers are not
        comparable with published ones.
    factor_bins : int, optional
        Cut each factor into this many equal-width bins first (continuous factors are refused
        otherwise: both parts are defined for class labels).
    seed : None, int or numpy.random.Generator
        For the split.

    Raises
    ------
    MetricError
        Bad input, non-integer factors without ``factor_bins``, or too few training rows for
        a factor's classifier (the message names the rows needed).

    Returns
    -------
    MetricResult
        ``value`` the modularity; details ``modularity``, ``explicitness_train``,
        ``explicitness_test`` and ``mutual_information`` (d̂ × K, training rows).

    Examples
    --------
    >>> import numpy as np
    >>> from identkit.metrics import modularity_explicitness
    >>> f = np.random.default_rng(0).integers(0, 3, (600, 2))
    >>> out = modularity_explicitness(f, f + 0.01)
    >>> round(out["modularity"], 3), out["explicitness_test"] > 0.9
    (1.0, True)

    Notes
    -----
    O(n d̂ K) for the mutual information plus K logistic regressions on (n, d̂).
    """
    f, codes = _factors_codes(truth, learned)
    f = _discrete_factors(f, "modularity and explicitness", factor_bins)
    train, test = train_test_rows(codes.shape[0], test_fraction, seed=seed)
    for k in range(f.shape[1]):
        classifier_rows(f[train, k], codes.shape[0], test_fraction, "explicitness", k)
    mi = mutual_info_matrix(discretize(codes[train], num_bins=num_bins), f[train])
    details = {"modularity": float(modularity(mi))}
    sklearn()
    from sklearn.metrics import roc_auc_score

    mean, std = codes[train].mean(0), codes[train].std(0)
    std[std == 0] = 1.0
    X = (codes - mean) / std
    scores = {"train": [], "test": []}
    for k in range(f.shape[1]):
        y = f[:, k]
        if np.unique(y[train]).size < 2:
            raise MetricError(f"factor {k} takes a single value on the training rows: "
                              "explicitness is undefined")
        clf = _logistic(max_iter).fit(X[train], y[train])
        for name, idx in (("train", train), ("test", test)):
            proba = clf.predict_proba(X[idx])
            onehot = (y[idx][:, None] == clf.classes_[None, :]).astype(int)
            valid = (onehot.sum(0) > 0) & (onehot.sum(0) < len(idx))
            if not valid.any():
                raise MetricError(f"factor {k} takes a single value on the {name} rows: "
                                  "explicitness is undefined")
            scores[name].append(roc_auc_score(onehot[:, valid], proba[:, valid],
                                              average="macro"))
    details["explicitness_train"] = float(np.mean(scores["train"]))
    details["explicitness_test"] = float(np.mean(scores["test"]))
    details["mutual_information"] = mi
    return MetricResult("modularity", details["modularity"], details)


# ------------------------------------------------------------------------------------ DCI


def dci_from_importance(R) -> MetricResult:
    """Disentanglement and completeness of an importance matrix R (codes × factors).

    ``D = Σ_i ρ_i (1 − H_K(P_i·))`` with ``P_ij = R_ij / Σ_k R_ik`` and ``ρ_i = Σ_j R_ij / Σ R``;
    ``C = Σ_j ρ̃_j (1 − H_d(P̃_·j))`` with the column-normalized P̃ (entropies in base K and d;
    1e-11 is added before normalizing, as in the reference implementation). With a single
    factor (K = 1) every code scores disentanglement 1, and with a single code completeness is
    1 (an entropy in base 1 is taken as 0; the reference divides by log 1 and returns NaN).

    Raises
    ------
    MetricError
        If R is not a finite, non-negative 2-D matrix (masked arrays too) or is all zeros
        (no code is important for anything: :func:`dci` reports 0 for fitted importances in that case, as the reference does).

    Returns
    -------
    MetricResult
        ``value`` D; details ``disentanglement`` and ``completeness``.

    Examples
    --------
    >>> import numpy as np
    >>> from identkit.metrics import dci_from_importance
    >>> res = dci_from_importance(np.eye(3))
    >>> round(res["disentanglement"], 6), round(res["completeness"], 6)
    (1.0, 1.0)
    >>> round(dci_from_importance(np.ones((3, 3))).value, 6)
    0.0

    Notes
    -----
    O(d̂ K).
    """
    refuse_masked(R, "the importance matrix")
    try:
        R = np.asarray(R, dtype=float)
    except (TypeError, ValueError):
        raise MetricError("the importance matrix must be a numeric (codes x factors) matrix") \
            from None
    if R.ndim != 2 or R.shape[0] < 1 or R.shape[1] < 1:
        raise MetricError("the importance matrix must be (codes x factors)")
    if not np.isfinite(R).all():
        i, j = np.argwhere(~np.isfinite(R))[0]
        raise MetricError(f"the importance matrix has the non-finite entry {R[i, j]!r} at row "
                          f"{i}, column {j}")
    if (R < 0).any():
        i, j = np.argwhere(R < 0)[0]
        raise MetricError(f"the importance matrix has the negative entry {R[i, j]!r} at row {i}, "
                          f"column {j}: importances are non-negative (take np.abs of signed "
                          "coefficients first)")
    if R.sum() == 0:
        raise MetricError("the importance matrix is all zeros")

    def ent(P, base):
        P = P + 1e-11
        P = P / P.sum(axis=1, keepdims=True)
        return -(P * np.log(P)).sum(axis=1) / np.log(base) if base > 1 else np.zeros(P.shape[0])

    d, K = R.shape
    disent = 1.0 - ent(R, K)
    completeness = 1.0 - ent(R.T, d)
    rho = R.sum(1) / R.sum()
    rho_f = R.sum(0) / R.sum()
    D = float((disent * rho).sum())
    return MetricResult("DCI disentanglement", D,
                        {"disentanglement": D, "completeness": float((completeness * rho_f).sum())})


def dci(truth, learned, *, importance: str = "gbt", test_fraction: float = 1 / 3,
        factor_bins: int | None = None, seed=0) -> MetricResult:
    """DCI (Eastwood & Williams 2018).

    Parameters
    ----------
    truth, learned : array_like (n, K), (n, d̂)
        Discrete factors and learned codes.
    importance : {"gbt", "linear"}
        ``gbt``: feature importances of a gradient-boosted tree classifier per factor (the
        reference default, scikit-learn's default settings; needs scikit-learn); ``linear``:
        absolute coefficients of a least-squares fit of each factor on standardized codes
        (numpy only).
    test_fraction : float in (0, 1)
    factor_bins : int, optional
        Cut each factor into this many equal-width bins first. ``gbt`` classifies the factors,
        so it refuses non-integer factors without it; ``linear`` regresses them and takes
        continuous factors as they are.
    seed : None, int or numpy.random.Generator
        For the split and for the trees (each factor's classifier gets its own
        ``random_state`` drawn from it, so ties between equally good splits follow the seed).

    Returns
    -------
    MetricResult
        ``value`` the disentanglement; details ``disentanglement``, ``completeness``,
        ``informativeness_train``, ``informativeness_test`` (classifier accuracy for ``gbt``,
        R² for ``linear``) and ``importance`` (the d̂ × K matrix). If every importance is 0
        (codes constant on the training rows), disentanglement and completeness are 0 with a
        ``MetricWarning``, as in the reference.

    Examples
    --------
    >>> import numpy as np
    >>> from identkit.metrics import dci
    >>> f = np.random.default_rng(0).integers(0, 3, (300, 2))
    >>> out = dci(f, f.astype(float), importance="linear")
    >>> round(out["disentanglement"], 3), round(out["completeness"], 3)
    (1.0, 1.0)

    Notes
    -----
    ``gbt``: K boosted ensembles of 100 trees, O(K · 100 · n d̂ log n); ``linear``:
    O(n d̂² K).
    """
    if importance not in ("gbt", "linear"):
        raise MetricError(f"importance must be 'gbt' or 'linear', got {importance!r}")
    f, codes = _factors_codes(truth, learned)
    if importance == "gbt" or factor_bins is not None:
        f = _discrete_factors(f, "DCI with importance='gbt'", factor_bins)
    rng = as_generator(seed)
    train, test = train_test_rows(codes.shape[0], test_fraction, seed=rng)
    d, K = codes.shape[1], f.shape[1]
    R = np.zeros((d, K))
    info = {"train": [], "test": []}
    if importance == "gbt":
        sklearn()
        from sklearn.ensemble import GradientBoostingClassifier

        for k in range(K):
            classifier_rows(f[train, k], codes.shape[0], test_fraction, "DCI", k)
        states = rng.integers(0, 2**31 - 1, size=K)
        for k in range(K):
            model = GradientBoostingClassifier(random_state=int(states[k]))
            model.fit(codes[train], f[train, k])
            R[:, k] = np.abs(model.feature_importances_)
            info["train"].append(float(np.mean(model.predict(codes[train]) == f[train, k])))
            info["test"].append(float(np.mean(model.predict(codes[test]) == f[test, k])))
    else:
        mean, std = codes[train].mean(0), codes[train].std(0)
        std[std == 0] = 1.0
        X = (codes - mean) / std
        for k in range(K):
            y = f[:, k].astype(float)
            A = np.c_[np.ones(len(train)), X[train]]
            coef, *_ = np.linalg.lstsq(A, y[train], rcond=None)
            R[:, k] = np.abs(coef[1:])
            for name, idx in (("train", train), ("test", test)):
                pred = np.c_[np.ones(len(idx)), X[idx]] @ coef
                tot = ((y[idx] - y[idx].mean()) ** 2).sum()
                info[name].append(float(1 - ((y[idx] - pred) ** 2).sum() / tot) if tot else 0.0)
    if R.sum() == 0:
        # No code was used for any factor (e.g. every code constant on the training rows): the
        # reference weights the codes uniformly, and each code's spread is then uniform, so
        # D = C = 0.
        warn("no code is important for any factor (all importances are 0): DCI disentanglement "
             "and completeness are 0")
        out = {"disentanglement": 0.0, "completeness": 0.0}
    else:
        out = dict(dci_from_importance(R).details)
    out["informativeness_train"] = float(np.mean(info["train"]))
    out["informativeness_test"] = float(np.mean(info["test"]))
    out["importance"] = R
    return MetricResult("DCI disentanglement", out["disentanglement"], out)


# ------------------------------------------------------------------ sampling-based metrics


@dataclass(frozen=True)
class GroundTruth:
    """A ground-truth generator for the sampling metrics: discrete factors on a grid of sizes
    ``factor_sizes``, drawn uniformly, and ``observe(factors, rng) -> observations``.

    The protocol: ``sample_factors(n, rng)`` and ``observations(factors, rng)`` take the random
    stream as a positional ``numpy.random.Generator``, and so does the ``observe`` callable a
    user writes. It is kept as it is (no ``seed`` keyword): the stream is not a seed a caller
    picks but the one generator a metric threads through all its draws, made once from the
    metric's keyword-only ``seed`` (:func:`beta_vae_score`, :func:`factor_vae_score`,
    :func:`irs`), so one seed reproduces the whole run. A subclass overriding the two methods
    keeps the same signatures.

    Examples
    --------
    >>> import numpy as np
    >>> from identkit.metrics import GroundTruth
    >>> gt = GroundTruth((2, 3), lambda f, rng: f + 0.1 * rng.standard_normal(f.shape))
    >>> rng = np.random.default_rng(0)
    >>> f = gt.sample_factors(4, rng)
    >>> f.shape, gt.observations(f, rng).shape
    ((4, 2), (4, 2))
    """

    factor_sizes: tuple
    observe: Callable

    def sample_factors(self, n: int, rng) -> np.ndarray:
        """``n`` factor vectors drawn uniformly from the grid with the Generator ``rng``."""
        return np.stack([rng.integers(0, s, n) for s in self.factor_sizes], axis=1)

    def observations(self, factors, rng):
        """``observe(factors, rng)``: the observations of the factors, noise drawn from
        ``rng``."""
        return self.observe(np.asarray(factors), rng)


def _codes_of(representation, obs, where):
    """The representation's codes for a batch, checked (2-D, one row per observation, real,
    finite)."""
    if not callable(representation):
        raise MetricError(f"learned must be a representation function, got "
                          f"{type(representation).__name__}")
    n = len(obs)
    codes = as_samples(representation(obs), f"the codes the representation returned for {where}",
                       min_rows=1)
    if codes.shape[0] != n:
        raise MetricError(f"the representation returned {codes.shape[0]} codes for {n} "
                          f"observations ({where})")
    return codes


def _beta_vae_points(gt, representation, n, batch_size, rng):
    feats, labels = [], []
    for _ in range(n):
        k = int(rng.integers(len(gt.factor_sizes)))
        f1 = gt.sample_factors(batch_size, rng)
        f2 = gt.sample_factors(batch_size, rng)
        f2[:, k] = f1[:, k]
        c1 = _codes_of(representation, gt.observations(f1, rng), "BetaVAE")
        c2 = _codes_of(representation, gt.observations(f2, rng), "BetaVAE")
        feats.append(np.mean(np.abs(c1 - c2), axis=0))
        labels.append(k)
    return np.array(feats), np.array(labels)


def _check_truth(truth):
    if not isinstance(truth, GroundTruth):
        raise MetricError(f"truth must be a GroundTruth, got {type(truth).__name__}")
    if not callable(truth.observe):
        raise MetricError("GroundTruth.observe must be callable")


def beta_vae_score(truth: GroundTruth, learned, *, batch_size: int = 64,
                   num_train: int = 10_000, num_eval: int = 5_000, max_iter: int | None = None,
                   seed=0) -> MetricResult:
    """BetaVAE score (Higgins et al. 2017): a logistic regression predicts which factor was held
    fixed in a batch of pairs from the mean absolute code difference.

    Parameters
    ----------
    truth : GroundTruth
    learned : callable
        The representation function, observations → codes.
    batch_size, num_train, num_eval : int
        The defaults of Locatello et al.: batches of 64, 10,000 / 5,000 points.
    max_iter : int, optional
        None (default): scikit-learn's default logistic regression, as the reference runs it
        (100 iterations); 1000 gives a better-converged fit (not comparable with published
        numbers).
    seed : None, int or numpy.random.Generator

    Returns
    -------
    MetricResult
        ``value`` the eval accuracy; details ``train_accuracy`` and ``eval_accuracy``.

    Examples
    --------
    >>> import numpy as np
    >>> from identkit.metrics import GroundTruth, beta_vae_score
    >>> gt = GroundTruth((3, 3), lambda f, rng: f + 0.01 * rng.standard_normal(f.shape))
    >>> beta_vae_score(gt, lambda x: x, num_train=200, num_eval=100).value
    1.0

    Notes
    -----
    2 (num_train + num_eval) calls of the representation on batches of ``batch_size``, then
    one logistic regression on (num_train, d̂).
    """
    _check_truth(truth)
    sklearn()
    rng = as_generator(seed)
    Xtr, ytr = _beta_vae_points(truth, learned, num_train, batch_size, rng)
    Xev, yev = _beta_vae_points(truth, learned, num_eval, batch_size, rng)
    clf = _logistic(max_iter).fit(Xtr, ytr)
    ev = float(np.mean(clf.predict(Xev) == yev))
    return MetricResult("BetaVAE", ev, {"train_accuracy": float(np.mean(clf.predict(Xtr) == ytr)),
                                        "eval_accuracy": ev})


def factor_vae_score(truth: GroundTruth, learned, *, batch_size: int = 64,
                     num_train: int = 10_000, num_eval: int = 5_000,
                     num_variance_estimate: int = 10_000, prune_threshold: float = 0.05,
                     seed=0) -> MetricResult:
    """FactorVAE score (Kim & Mnih 2018): with one factor fixed in a batch, the code of least
    variance (after dividing by each code's global variance) votes for that factor; a
    majority-vote classifier maps codes to factors.

    Parameters
    ----------
    truth : GroundTruth
    learned : callable
        The representation function.
    batch_size, num_train, num_eval, num_variance_estimate : int
    prune_threshold : float
        Codes whose global standard deviation is below this are left out (collapsed to the
        prior); 0.05 is the study configuration of the reference. Constant codes are always left
        out.
    seed : None, int or numpy.random.Generator

    Returns
    -------
    MetricResult
        ``value`` the eval accuracy; details ``train_accuracy``, ``eval_accuracy`` and
        ``num_active_dims``, the number of codes kept (no scikit-learn needed). The reference's
        field of that name holds d̂ whatever was pruned; the accuracies agree. A vote goes to a
        code's own column, where the reference numbers the kept codes afresh; that relabelling of
        columns leaves the accuracies unchanged.

    Examples
    --------
    >>> from identkit.metrics import GroundTruth, factor_vae_score
    >>> gt = GroundTruth((3, 3), lambda f, rng: f + 0.01 * rng.standard_normal(f.shape))
    >>> factor_vae_score(gt, lambda x: x, num_train=100, num_eval=50,
    ...                  num_variance_estimate=300).value
    1.0

    Notes
    -----
    num_variance_estimate + batch_size (num_train + num_eval) observations encoded; O(d̂) per
    vote.
    """
    _check_truth(truth)
    if not np.isfinite(prune_threshold) or prune_threshold < 0:
        raise MetricError(f"prune_threshold must be >= 0, got {prune_threshold!r}")
    rng = as_generator(seed)
    codes = _codes_of(learned, truth.observations(truth.sample_factors(num_variance_estimate,
                                                                       rng), rng),
                      "the variance estimate")
    var = codes.var(axis=0, ddof=1)
    active = (np.sqrt(var) >= prune_threshold) & (var > 0)
    if not active.any():
        warn("every code is pruned (standard deviation below prune_threshold): the FactorVAE "
             "score is 0")
        return MetricResult("FactorVAE", 0.0, {"train_accuracy": 0.0, "eval_accuracy": 0.0,
                                               "num_active_dims": 0})
    K, d = len(truth.factor_sizes), codes.shape[1]

    def votes(n):
        V = np.zeros((d, K), dtype=np.int64)
        for _ in range(n):
            k = int(rng.integers(K))
            f = truth.sample_factors(batch_size, rng)
            f[:, k] = f[0, k]
            c = _codes_of(learned, truth.observations(f, rng), "FactorVAE")
            v = np.full(d, np.inf)
            v[active] = c[:, active].var(axis=0, ddof=1) / var[active]
            V[int(np.argmin(v)), k] += 1
        return V

    Vtr, Vev = votes(num_train), votes(num_eval)
    classifier = np.argmax(Vtr, axis=1)
    other = np.arange(d)
    ev = float(Vev[other, classifier].sum() / Vev.sum())
    return MetricResult("FactorVAE", ev,
                        {"train_accuracy": float(Vtr[other, classifier].sum() / Vtr.sum()),
                         "eval_accuracy": ev, "num_active_dims": int(active.sum())})


@keyword_only("diff_quantile", "num_bins")
def irs_from_samples(truth, learned, *, diff_quantile: float = 0.99,
                     num_bins: int | None = 20) -> MetricResult:
    """Interventional Robustness Score (Suter et al. 2019) from paired samples.

    Each factor is first cut into ``num_bins`` equal-width histogram bins, as the reference
    does (None groups by exact value). For each factor k and each of its bins, the codes of the
    samples in that bin deviate from their mean; the ``diff_quantile`` quantile of the absolute
    deviation, averaged over the bins, is divided by each code's largest deviation from the
    global mean. ``IRS[i, k] = 1 − that``; each code's score is its best factor; the result
    averages them weighted by the codes' largest deviations. Constant codes are left out.

    Returns
    -------
    MetricResult
        ``value`` IRS; details ``irs`` (the value), ``per_code``, ``irs_matrix`` (active codes × K) and
        ``num_active_dims``, the number of non-constant codes (the reference's field of that name
        sums the active codes' values instead; the score agrees).

    Examples
    --------
    >>> import numpy as np
    >>> from identkit.metrics import irs_from_samples
    >>> f = np.random.default_rng(0).integers(0, 4, (1000, 2))
    >>> round(irs_from_samples(f, f.astype(float)).value, 6)
    1.0

    Notes
    -----
    O(n d̂ K) plus the quantiles, O(n d̂) per factor.
    """
    f, codes = _factors_codes(truth, learned)
    if not 0 < diff_quantile <= 1:
        raise MetricError(f"diff_quantile must be in (0, 1], got {diff_quantile!r}")
    if num_bins is not None:
        f = discretize(f, num_bins=num_bins)
    else:
        check_discrete(f, "IRS with num_bins=None", "num_bins")
    active = codes.std(axis=0) > 0
    if not active.any():
        warn("every code is constant: IRS is 0")
        return MetricResult("IRS", 0.0, {"irs": 0.0, "per_code": (), "irs_matrix": np.zeros((0, f.shape[1])),
                                         "num_active_dims": 0})
    codes = codes[:, active]
    max_dev = np.abs(codes - codes.mean(0)).max(axis=0)
    d, K = codes.shape[1], f.shape[1]
    cum = np.zeros((d, K))
    for k in range(K):
        values = np.unique(f[:, k])
        for v in values:
            sub = codes[f[:, k] == v]
            cum[:, k] += np.quantile(np.abs(sub - sub.mean(0)), diff_quantile, axis=0)
        cum[:, k] /= values.size
    M = 1.0 - cum / max_dev[:, None]
    per_code = M.max(axis=1)
    score = float(np.average(per_code, weights=max_dev))
    return MetricResult("IRS", score, {"irs": score, "per_code": per_code, "irs_matrix": M,
                                       "num_active_dims": int(active.sum())})


def irs(truth: GroundTruth, learned, *, num_train: int = 10_000, diff_quantile: float = 0.99,
        num_bins: int | None = 20, seed=0) -> MetricResult:
    """IRS (Suter et al. 2019) on ``num_train`` samples of the ground truth; see
    :func:`irs_from_samples`.

    Examples
    --------
    >>> from identkit.metrics import GroundTruth, irs
    >>> gt = GroundTruth((4, 4), lambda f, rng: f + 0.01 * rng.standard_normal(f.shape))
    >>> irs(gt, lambda x: x, num_train=2000).value > 0.9
    True

    Notes
    -----
    One call of the representation on ``num_train`` observations, then as
    :func:`irs_from_samples`.
    """
    _check_truth(truth)
    rng = as_generator(seed)
    f = truth.sample_factors(num_train, rng)
    codes = _codes_of(learned, truth.observations(f, rng), "IRS")
    return irs_from_samples(f, codes, diff_quantile=diff_quantile, num_bins=num_bins)


# -------------------------------------------------------------------------------- unsupervised


def _cov(codes):
    codes = as_samples(codes, "learned (codes)")
    return np.atleast_2d(np.cov(codes, rowvar=False))


def gaussian_total_correlation(learned) -> MetricResult:
    """Total correlation of a Gaussian with the codes' covariance:
    ``½ (Σ_i log Σ_ii − log det Σ)`` (0 iff the covariance is diagonal).

    Examples
    --------
    >>> import numpy as np
    >>> from identkit.metrics import gaussian_total_correlation
    >>> z = np.random.default_rng(0).standard_normal((20000, 2))
    >>> tc = gaussian_total_correlation(z @ [[1, 1], [0, 1]]).value   # covariance [[1, 1], [1, 2]]
    >>> round(gaussian_total_correlation(z).value, 2), bool(abs(tc - 0.5 * np.log(2)) < 0.01)
    (0.0, True)

    Notes
    -----
    O(n d̂² + d̂³).
    """
    S = _cov(learned)
    sign, logdet = np.linalg.slogdet(S)
    if sign <= 0:
        raise MetricError("the codes' covariance is singular: total correlation is infinite")
    return MetricResult("Gaussian total correlation",
                        float(0.5 * (np.log(np.diag(S)).sum() - logdet)), {"covariance": S})


@keyword_only("normalized")
def gaussian_wasserstein_correlation(learned, *, normalized: bool = False) -> MetricResult:
    """Squared 2-Wasserstein distance between the Gaussian with the codes' covariance and the
    Gaussian with only its diagonal: ``2 tr Σ − 2 tr (Σ diag(Σ))^{1/2}``; ``normalized`` divides
    by ``Σ_i Σ_ii``.

    Examples
    --------
    >>> import numpy as np
    >>> from identkit.metrics import gaussian_wasserstein_correlation
    >>> z = np.random.default_rng(0).standard_normal((5000, 2))
    >>> round(gaussian_wasserstein_correlation(z).value, 2)
    0.0

    Notes
    -----
    O(n d̂² + d̂³).
    """
    S = _cov(learned)
    root = scipy.linalg.sqrtm(S * np.diag(S)[:, None])
    val = float(2 * np.trace(S) - 2 * np.real(np.trace(root)))
    if normalized:
        val /= float(np.trace(S))
    return MetricResult("Gaussian Wasserstein correlation", val,
                        {"covariance": S, "normalized": normalized})


@keyword_only("num_bins")
def mean_mutual_information(learned, *, num_bins: int = 20) -> MetricResult:
    """Mean pairwise mutual information between distinct codes (20-bin discretization).

    Examples
    --------
    >>> import numpy as np
    >>> from identkit.metrics import mean_mutual_information
    >>> x = np.random.default_rng(0).standard_normal(4000)
    >>> mean_mutual_information(np.c_[x, x]).value > 2
    True

    Notes
    -----
    O(n d̂²) (one contingency table per pair).
    """
    codes = as_samples(learned, "learned (codes)")
    d = codes.shape[1]
    if d < 2:
        raise MetricError("mutual information between codes needs at least two codes")
    disc = discretize(codes, num_bins=num_bins)
    M = mutual_info_matrix(disc, disc)
    np.fill_diagonal(M, 0.0)
    return MetricResult("mean mutual information", float(M.sum() / (d * d - d)),
                        {"mutual_information": M})
