"""The classic disentanglement metrics, with the definitions and defaults of the large-scale study
of Locatello et al. (ICML 2019).

Array metrics take learned codes ``(n, d̂)`` and discrete ground-truth factors ``(n, K)``:

* :func:`mig` — Mutual Information Gap (Chen et al. 2018): for each factor, the gap between the
  two largest ``I(code; factor)`` divided by ``H(factor)``, averaged; codes discretized into 20
  bins.
* :func:`sap` — Separated Attribute Predictability (Kumar et al. 2018): per code and factor a
  score (R² of a linear fit for continuous factors, else the test accuracy of a linear SVM,
  C = 0.01, balanced classes); per factor the gap between the two best codes; averaged.
* :func:`modularity_explicitness` — Ridgeway & Mozer (2018): modularity from the squared mutual
  information (1 − spread off the best factor); explicitness as the mean one-vs-rest ROC AUC of a
  logistic regression on standardized codes.
* :func:`dci` — Eastwood & Williams (2018): an importance matrix (gradient-boosted trees by
  default), disentanglement ``1 − H_K(row)`` weighted by code importance, completeness
  ``1 − H_d̂(column)`` weighted by factor importance, informativeness as test accuracy;
  :func:`dci_from_importance` for a given matrix.

Sampling metrics take a :class:`GroundTruth` (factors → observations) and a representation
function (observations → codes): :func:`beta_vae_score` (Higgins et al. 2017),
:func:`factor_vae_score` (Kim & Mnih 2018) and :func:`irs` (Suter et al. 2019).

Unsupervised (on codes alone): :func:`gaussian_total_correlation`,
:func:`gaussian_wasserstein_correlation` and :func:`mean_mutual_information`.

Classifier-based metrics need scikit-learn (``identkit[metrics]``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import scipy.linalg

from .._rng import as_generator
from ._common import MetricError, as_samples, sklearn, warn
from .information import discretize, entropy, mutual_info_matrix

__all__ = [
    "mig", "sap", "modularity", "modularity_explicitness", "dci", "dci_from_importance",
    "GroundTruth", "beta_vae_score", "factor_vae_score", "irs", "irs_from_samples",
    "gaussian_total_correlation", "gaussian_wasserstein_correlation", "mean_mutual_information",
]


def _codes_factors(codes, factors):
    codes = as_samples(codes, "codes")
    f = np.asarray(factors)
    if f.ndim == 1:
        f = f[:, None]
    if f.ndim != 2 or f.shape[0] != codes.shape[0]:
        raise MetricError(f"factors must have shape ({codes.shape[0]}, K), got {f.shape}")
    if not np.issubdtype(f.dtype, np.integer):
        if not np.all(np.isfinite(f.astype(float))):
            raise MetricError("factors have non-finite values")
    return codes, f


def _split(n, test_fraction, seed):
    if not 0 < test_fraction < 1:
        raise MetricError(f"test_fraction must be in (0, 1), got {test_fraction!r}")
    perm = as_generator(seed).permutation(n)
    k = int(round(n * test_fraction))
    if k < 1 or n - k < 2:
        raise MetricError(f"{n} samples are too few for a train/test split")
    return perm[k:], perm[:k]


# ------------------------------------------------------------------------------------ MIG


def mig(codes, factors, num_bins: int = 20) -> float:
    """Mutual Information Gap (Chen et al. 2018), with 20-bin histogram discretization.

    ``MIG = mean_k (I₍₁₎(k) − I₍₂₎(k)) / H(v_k)`` where I₍₁₎ ≥ I₍₂₎ are the two largest mutual
    informations between a code and factor k. Factors with zero entropy are skipped (warning).

    Examples
    --------
    Two codes that copy two factors:

    >>> import numpy as np
    >>> from identkit.metrics import mig
    >>> f = np.array([[0, 0], [0, 1], [1, 0], [1, 1]] * 25)
    >>> round(mig(f.astype(float), f, num_bins=2), 12)
    1.0
    """
    codes, f = _codes_factors(codes, factors)
    if codes.shape[1] < 2:
        raise MetricError("MIG needs at least two codes (it compares the best two)")
    m = mutual_info_matrix(discretize(codes, num_bins), f)
    h = np.array([entropy(f[:, k]) for k in range(f.shape[1])])
    keep = h > 0
    if not keep.all():
        warn("factors with a single value have no entropy and are left out of MIG")
    if not keep.any():
        raise MetricError("every factor is constant: MIG is undefined")
    top = np.sort(m, axis=0)[::-1]
    return float(np.mean((top[0, keep] - top[1, keep]) / h[keep]))


# ------------------------------------------------------------------------------------ SAP


def _sap_matrix(codes, f, test_fraction, continuous_factors, seed):
    d, K = codes.shape[1], f.shape[1]
    S = np.zeros((d, K))
    if continuous_factors:
        for i in range(d):
            for k in range(K):
                c = np.cov(codes[:, i], f[:, k].astype(float), ddof=1)
                if c[0, 0] > 1e-12 and c[1, 1] > 0:
                    S[i, k] = c[0, 1] ** 2 / (c[0, 0] * c[1, 1])
        return S
    sklearn()
    from sklearn.svm import LinearSVC

    train, test = _split(codes.shape[0], test_fraction, seed)
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


def sap(codes, factors, *, continuous_factors: bool = False, test_fraction: float = 1 / 3,
        seed=0) -> float:
    """Separated Attribute Predictability (Kumar et al. 2018).

    With ``continuous_factors=True`` the score of (code i, factor k) is the squared correlation
    (R² of a one-variable linear fit; no classifier, numpy only); otherwise the test accuracy of
    a linear SVM (C = 0.01, balanced classes) trained on code i alone. SAP is the mean over
    factors of the gap between the two best codes.

    Examples
    --------
    >>> import numpy as np
    >>> from identkit.metrics import sap
    >>> x = np.linspace(0, 1, 50)
    >>> codes = np.c_[x, np.ones(50)]                      # code 0 carries the factor
    >>> round(sap(codes, np.c_[x], continuous_factors=True), 12)
    1.0
    """
    codes, f = _codes_factors(codes, factors)
    if codes.shape[1] < 2:
        raise MetricError("SAP needs at least two codes (it compares the best two)")
    S = _sap_matrix(codes, f, test_fraction, continuous_factors, seed)
    top = np.sort(S, axis=0)[::-1]
    return float(np.mean(top[0] - top[1]))


# ---------------------------------------------------------------------- modularity, explicitness


def modularity(mi: np.ndarray) -> float:
    """Modularity from a (codes × factors) mutual-information matrix (Ridgeway & Mozer 2018).

    For each code, ``δ = (Σ_k m_k² − max_k m_k²) / (max_k m_k² (K − 1))`` and the code scores
    ``1 − δ``; codes with no information score 0. The result is the mean over codes.

    Examples
    --------
    >>> import numpy as np
    >>> from identkit.metrics import modularity
    >>> modularity(np.eye(3)), modularity(np.ones((3, 3)))
    (1.0, 0.0)
    """
    mi = np.asarray(mi, dtype=float)
    if mi.ndim != 2 or mi.shape[1] < 2:
        raise MetricError("modularity needs a (codes x factors) matrix with at least 2 factors")
    sq = mi**2
    best = sq.max(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        delta = (sq.sum(axis=1) - best) / (best * (mi.shape[1] - 1))
    score = np.where(best == 0, 0.0, 1.0 - delta)
    return float(score.mean())


def modularity_explicitness(codes, factors, *, num_bins: int = 20, test_fraction: float = 1 / 3,
                            seed=0) -> dict:
    """Modularity (mutual information of 20-bin codes) and explicitness (mean one-vs-rest ROC AUC
    of a logistic regression on standardized codes, per factor, on a held-out split).

    Returns
    -------
    dict
        ``modularity``, ``explicitness_train``, ``explicitness_test``.

    Examples
    --------
    >>> import numpy as np
    >>> from identkit.metrics import modularity_explicitness
    >>> f = np.random.default_rng(0).integers(0, 3, (600, 2))
    >>> out = modularity_explicitness(f + 0.01, f)
    >>> round(out["modularity"], 3), out["explicitness_test"] > 0.9
    (1.0, True)
    """
    codes, f = _codes_factors(codes, factors)
    out = {"modularity": modularity(mutual_info_matrix(discretize(codes, num_bins), f))}
    sklearn()
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score

    train, test = _split(codes.shape[0], test_fraction, seed)
    mean, std = codes[train].mean(0), codes[train].std(0)
    std[std == 0] = 1.0
    X = (codes - mean) / std
    scores = {"train": [], "test": []}
    for k in range(f.shape[1]):
        y = f[:, k]
        classes = np.unique(y[train])
        if classes.size < 2:
            continue
        clf = LogisticRegression(max_iter=1000).fit(X[train], y[train])
        for name, idx in (("train", train), ("test", test)):
            proba = clf.predict_proba(X[idx])
            onehot = (y[idx][:, None] == clf.classes_[None, :]).astype(int)
            valid = onehot.sum(0) > 0
            valid &= onehot.sum(0) < len(idx)
            if not valid.any():
                continue
            scores[name].append(roc_auc_score(onehot[:, valid], proba[:, valid],
                                              average="macro"))
    out["explicitness_train"] = float(np.mean(scores["train"])) if scores["train"] else 0.0
    out["explicitness_test"] = float(np.mean(scores["test"])) if scores["test"] else 0.0
    return out


# ------------------------------------------------------------------------------------ DCI


def dci_from_importance(R) -> dict:
    """Disentanglement and completeness of an importance matrix R (codes × factors).

    ``D = Σ_i ρ_i (1 − H_K(P_i·))`` with ``P_ij = R_ij / Σ_k R_ik`` and ``ρ_i = Σ_j R_ij / Σ R``;
    ``C = Σ_j ρ̃_j (1 − H_d(P̃_·j))`` with the column-normalized P̃ (entropies in base K and d;
    1e-11 is added before normalizing, as in the reference implementation).

    Examples
    --------
    >>> import numpy as np
    >>> from identkit.metrics import dci_from_importance
    >>> {k: round(v, 6) for k, v in dci_from_importance(np.eye(3)).items()}
    {'disentanglement': 1.0, 'completeness': 1.0}
    >>> {k: round(v, 6) for k, v in dci_from_importance(np.ones((3, 3))).items()}
    {'disentanglement': 0.0, 'completeness': 0.0}
    """
    R = np.abs(np.asarray(R, dtype=float))
    if R.ndim != 2 or R.shape[0] < 1 or R.shape[1] < 1:
        raise MetricError("the importance matrix must be (codes x factors)")
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
    return {"disentanglement": float((disent * rho).sum()),
            "completeness": float((completeness * rho_f).sum())}


def dci(codes, factors, *, importance: str = "gbt", test_fraction: float = 1 / 3,
        seed=0) -> dict:
    """DCI (Eastwood & Williams 2018).

    Parameters
    ----------
    importance : {"gbt", "linear"}
        ``gbt``: feature importances of a gradient-boosted tree classifier per factor (the
        reference default; needs scikit-learn); ``linear``: absolute coefficients of a
        least-squares fit of each factor on standardized codes (numpy only).

    Returns
    -------
    dict
        ``disentanglement``, ``completeness``, ``informativeness_train``,
        ``informativeness_test`` (classifier accuracy for ``gbt``, R² for ``linear``) and
        ``importance`` (the matrix as nested lists).

    Examples
    --------
    >>> import numpy as np
    >>> from identkit.metrics import dci
    >>> f = np.random.default_rng(0).integers(0, 3, (300, 2))
    >>> out = dci(f.astype(float), f, importance="linear")
    >>> round(out["disentanglement"], 3), round(out["completeness"], 3)
    (1.0, 1.0)
    """
    codes, f = _codes_factors(codes, factors)
    train, test = _split(codes.shape[0], test_fraction, seed)
    d, K = codes.shape[1], f.shape[1]
    R = np.zeros((d, K))
    info = {"train": [], "test": []}
    if importance == "gbt":
        sklearn()
        from sklearn.ensemble import GradientBoostingClassifier

        for k in range(K):
            model = GradientBoostingClassifier(random_state=0)
            model.fit(codes[train], f[train, k])
            R[:, k] = np.abs(model.feature_importances_)
            info["train"].append(float(np.mean(model.predict(codes[train]) == f[train, k])))
            info["test"].append(float(np.mean(model.predict(codes[test]) == f[test, k])))
    elif importance == "linear":
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
    else:
        raise MetricError(f"importance must be 'gbt' or 'linear', got {importance!r}")
    out = dci_from_importance(R)
    out["informativeness_train"] = float(np.mean(info["train"]))
    out["informativeness_test"] = float(np.mean(info["test"]))
    out["importance"] = R.tolist()
    return out


# ------------------------------------------------------------------ sampling-based metrics


@dataclass(frozen=True)
class GroundTruth:
    """A ground-truth generator for the sampling metrics: discrete factors on a grid of sizes
    ``factor_sizes``, drawn uniformly, and ``observe(factors, rng) -> observations``."""

    factor_sizes: tuple
    observe: Callable

    def sample_factors(self, n: int, rng) -> np.ndarray:
        return np.stack([rng.integers(0, s, n) for s in self.factor_sizes], axis=1)

    def observations(self, factors, rng):
        return self.observe(np.asarray(factors), rng)


def _codes_of(representation, obs, where):
    codes = np.asarray(representation(obs), dtype=float)
    if codes.ndim != 2 or not np.all(np.isfinite(codes)):
        raise MetricError(f"the representation function returned invalid codes for {where}")
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


def beta_vae_score(gt: GroundTruth, representation, *, batch_size: int = 64,
                   num_train: int = 10_000, num_eval: int = 5_000, seed=0) -> dict:
    """BetaVAE score (Higgins et al. 2017): a logistic regression predicts which factor was held
    fixed in a batch of pairs from the mean absolute code difference. Returns train and eval
    accuracies (defaults of Locatello et al.: batches of 64, 10,000 / 5,000 points).

    Examples
    --------
    >>> import numpy as np
    >>> from identkit.metrics import GroundTruth, beta_vae_score
    >>> gt = GroundTruth((3, 3), lambda f, rng: f + 0.01 * rng.standard_normal(f.shape))
    >>> beta_vae_score(gt, lambda x: x, num_train=200, num_eval=100)["eval_accuracy"]
    1.0
    """
    sklearn()
    from sklearn.linear_model import LogisticRegression

    rng = as_generator(seed)
    Xtr, ytr = _beta_vae_points(gt, representation, num_train, batch_size, rng)
    Xev, yev = _beta_vae_points(gt, representation, num_eval, batch_size, rng)
    clf = LogisticRegression(max_iter=1000).fit(Xtr, ytr)
    return {"train_accuracy": float(np.mean(clf.predict(Xtr) == ytr)),
            "eval_accuracy": float(np.mean(clf.predict(Xev) == yev))}


def factor_vae_score(gt: GroundTruth, representation, *, batch_size: int = 64,
                     num_train: int = 10_000, num_eval: int = 5_000,
                     num_variance_estimate: int = 10_000, seed=0) -> dict:
    """FactorVAE score (Kim & Mnih 2018): with one factor fixed in a batch, the code of least
    variance (after dividing by each code's global standard deviation; codes with zero variance
    are left out) votes for that factor; a majority-vote classifier maps codes to factors.
    Returns train and eval accuracies (no scikit-learn needed).

    Examples
    --------
    >>> from identkit.metrics import GroundTruth, factor_vae_score
    >>> gt = GroundTruth((3, 3), lambda f, rng: f + 0.01 * rng.standard_normal(f.shape))
    >>> factor_vae_score(gt, lambda x: x, num_train=100, num_eval=50,
    ...                  num_variance_estimate=300)["eval_accuracy"]
    1.0
    """
    rng = as_generator(seed)
    codes = _codes_of(representation, gt.observations(gt.sample_factors(num_variance_estimate, rng), rng),
                      "the variance estimate")
    var = codes.var(axis=0, ddof=1)
    active = var > 0
    if not active.any():
        warn("every code is constant: the FactorVAE score is 0")
        return {"train_accuracy": 0.0, "eval_accuracy": 0.0, "num_active_dims": 0}
    K, d = len(gt.factor_sizes), codes.shape[1]

    def votes(n):
        V = np.zeros((d, K), dtype=np.int64)
        for _ in range(n):
            k = int(rng.integers(K))
            f = gt.sample_factors(batch_size, rng)
            f[:, k] = f[0, k]
            c = _codes_of(representation, gt.observations(f, rng), "FactorVAE")
            v = c.var(axis=0, ddof=1) / var
            v[~active] = np.inf
            V[int(np.argmin(v)), k] += 1
        return V

    Vtr, Vev = votes(num_train), votes(num_eval)
    classifier = np.argmax(Vtr, axis=1)
    other = np.arange(d)
    return {"train_accuracy": float(Vtr[other, classifier].sum() / Vtr.sum()),
            "eval_accuracy": float(Vev[other, classifier].sum() / Vev.sum()),
            "num_active_dims": int(active.sum())}


def irs_from_samples(factors, codes, diff_quantile: float = 0.99) -> dict:
    """Interventional Robustness Score (Suter et al. 2019) from paired samples.

    For each factor k and each of its values, the codes of the samples with that value deviate
    from their mean; the ``diff_quantile`` quantile of the absolute deviation, averaged over the
    values, is divided by each code's largest deviation from the global mean. ``IRS[i, k] =
    1 − that``; each code's score is its best factor; the result averages them weighted by the
    codes' largest deviations. Constant codes are left out.

    Examples
    --------
    >>> import numpy as np
    >>> from identkit.metrics import irs_from_samples
    >>> f = np.random.default_rng(0).integers(0, 4, (1000, 2))
    >>> round(irs_from_samples(f, f.astype(float))["irs"], 6)
    1.0
    """
    codes, f = _codes_factors(codes, factors)
    if not 0 < diff_quantile <= 1:
        raise MetricError(f"diff_quantile must be in (0, 1], got {diff_quantile!r}")
    active = codes.std(axis=0) > 0
    if not active.any():
        warn("every code is constant: IRS is 0")
        return {"irs": 0.0, "num_active_dims": 0}
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
    score = float(np.average(per_code, weights=max_dev)) if max_dev.sum() > 0 else \
        float(per_code.mean())
    return {"irs": score, "per_code": per_code.tolist(), "irs_matrix": M.tolist(),
            "num_active_dims": int(active.sum())}


def irs(gt: GroundTruth, representation, *, num_train: int = 10_000, diff_quantile: float = 0.99,
        seed=0) -> dict:
    """IRS (Suter et al. 2019) on ``num_train`` samples of the ground truth; see
    :func:`irs_from_samples`.

    Examples
    --------
    >>> from identkit.metrics import GroundTruth, irs
    >>> gt = GroundTruth((4, 4), lambda f, rng: f + 0.01 * rng.standard_normal(f.shape))
    >>> irs(gt, lambda x: x, num_train=2000)["irs"] > 0.9
    True
    """
    rng = as_generator(seed)
    f = gt.sample_factors(num_train, rng)
    codes = _codes_of(representation, gt.observations(f, rng), "IRS")
    return irs_from_samples(f, codes, diff_quantile)


# -------------------------------------------------------------------------------- unsupervised


def _cov(codes):
    codes = as_samples(codes, "codes")
    return np.atleast_2d(np.cov(codes, rowvar=False))


def gaussian_total_correlation(codes) -> float:
    """Total correlation of a Gaussian with the codes' covariance:
    ``½ (Σ_i log Σ_ii − log det Σ)`` (0 iff the covariance is diagonal).

    Examples
    --------
    >>> import numpy as np
    >>> from identkit.metrics import gaussian_total_correlation
    >>> z = np.random.default_rng(0).standard_normal((20000, 2))
    >>> tc = gaussian_total_correlation(z @ [[1, 1], [0, 1]])   # covariance [[1, 1], [1, 2]]
    >>> round(gaussian_total_correlation(z), 2), bool(abs(tc - 0.5 * np.log(2)) < 0.01)
    (0.0, True)
    """
    S = _cov(codes)
    sign, logdet = np.linalg.slogdet(S)
    if sign <= 0:
        raise MetricError("the codes' covariance is singular: total correlation is infinite")
    return float(0.5 * (np.log(np.diag(S)).sum() - logdet))


def gaussian_wasserstein_correlation(codes, normalized: bool = False) -> float:
    """Squared 2-Wasserstein distance between the Gaussian with the codes' covariance and the
    Gaussian with only its diagonal: ``2 tr Σ − 2 tr (Σ diag(Σ))^{1/2}``; ``normalized`` divides
    by ``Σ_i Σ_ii``.

    Examples
    --------
    >>> import numpy as np
    >>> from identkit.metrics import gaussian_wasserstein_correlation
    >>> z = np.random.default_rng(0).standard_normal((5000, 2))
    >>> round(gaussian_wasserstein_correlation(z), 2)
    0.0
    """
    S = _cov(codes)
    root = scipy.linalg.sqrtm(S * np.diag(S)[:, None])
    val = float(2 * np.trace(S) - 2 * np.real(np.trace(root)))
    return val / float(np.trace(S)) if normalized else val


def mean_mutual_information(codes, num_bins: int = 20) -> float:
    """Mean pairwise mutual information between distinct codes (20-bin discretization).

    Examples
    --------
    >>> import numpy as np
    >>> from identkit.metrics import mean_mutual_information
    >>> x = np.random.default_rng(0).standard_normal(4000)
    >>> mean_mutual_information(np.c_[x, x]) > 2
    True
    """
    codes = as_samples(codes, "codes")
    d = codes.shape[1]
    if d < 2:
        raise MetricError("mutual information between codes needs at least two codes")
    disc = discretize(codes, num_bins)
    M = mutual_info_matrix(disc, disc)
    np.fill_diagonal(M, 0.0)
    return float(M.sum() / (d * d - d))
