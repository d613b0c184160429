"""Classic metrics against the default protocol of disentanglement_lib, the library behind the
published numbers: each test pins one protocol step on a small fixed input whose expected value
is computed by hand or by a construction in the test, not by the metric."""

import numpy as np
import pytest

from identkit.metrics import (
    MetricWarning,
    dci,
    dci_from_importance,
    mig,
    modularity_explicitness,
    sap,
    train_test_rows,
)


def test_sap_continuous_scores_training_rows_only():
    # The reference computes the continuous SAP score matrix on its training points; the test
    # points are drawn but unused. On the training rows code 0 copies the factor (R² = 1) and
    # code 1 is uncorrelated with it (R² = 0, by the construction below), so SAP = 1 exactly;
    # on the held-out rows code 0 is scrambled, which lowers R² computed on all rows.
    n, frac, seed = 9, 1 / 3, 0
    train, test = train_test_rows(n, frac, seed=seed)
    f = np.zeros(n)
    codes = np.zeros((n, 2))
    f[train] = [0, 1, 2, 0, 1, 2]
    codes[train, 0] = f[train]
    codes[train, 1] = [0, 0, 0, 1, 1, 1]       # Σ (f − 1)(c − ½) = ½ − ½ − ½ + ½ = 0
    f[test] = [0, 1, 2]
    codes[test, 0] = [5.0, -3.0, 7.0]
    codes[test, 1] = [0.0, 1.0, 0.0]
    out = sap(f[:, None], codes, continuous_factors=True, test_fraction=frac, seed=seed)
    assert out["score_matrix"][:, 0] == pytest.approx([1.0, 0.0], abs=1e-12)
    assert out.value == pytest.approx(1.0, abs=1e-12)


def test_dci_of_codes_carrying_nothing_is_zero_as_in_the_reference_not_an_error():
    # Constant codes give boosted trees nothing to split on, so every importance is 0. The
    # reference then weights the codes uniformly and each code's importance spread (1e-11 added
    # to every entry) is uniform: per code 1 − H_K(uniform) = 0, so D = 0, and likewise C = 0.
    # identkit used to raise "the importance matrix is all zeros" instead of returning a number.
    f = np.array([[0, 0], [1, 1], [2, 0], [0, 1], [1, 0], [2, 1]] * 10)
    with pytest.warns(MetricWarning, match="all importances are 0"):
        out = dci(f, np.full((60, 3), 2.5))
    assert out["importance"].sum() == 0
    assert out["disentanglement"] == 0.0 and out["completeness"] == 0.0
    assert out.value == 0.0


def test_dci_one_factor_or_one_code_convention_is_one_not_nan():
    # An entropy in base 1 is taken as 0 (the reference divides by log 1 and gets NaN): with a
    # single factor every code scores 1, with a single code completeness is 1. By hand for
    # R = [[1], [3]]: D = 1; column spread (¼, ¾) in base 2 gives C = 1 − H₂(¼, ¾).
    out = dci_from_importance(np.array([[1.0], [3.0]]))
    h = -(0.25 * np.log2(0.25) + 0.75 * np.log2(0.75))
    assert out["disentanglement"] == pytest.approx(1.0)
    assert out["completeness"] == pytest.approx(1 - h, abs=1e-9)
    out = dci_from_importance(np.array([[1.0, 3.0]]))
    assert out["completeness"] == pytest.approx(1.0)
    assert out["disentanglement"] == pytest.approx(1 - h, abs=1e-9)


def _histogram_bins(x, num_bins):
    """Equal-width bins of each column between its minimum and maximum, labels 1..num_bins,
    written from the definition with np.histogram's edges."""
    return np.stack([np.digitize(c, np.histogram(c, num_bins)[1][:-1]) for c in x.T], axis=1)


def _fixed_data(n=240):
    rng = np.random.default_rng(7)
    f = rng.integers(0, 4, (n, 3))
    codes = np.c_[f[:, 0] + 0.3 * rng.standard_normal(n), f[:, 1] * f[:, 2] + rng.random(n),
                  rng.standard_normal(n), f[:, 2] - 0.5 * f[:, 0] + 0.1 * rng.random(n)]
    return f, codes


def test_mig_equals_scikit_learns_mutual_info_over_factor_entropy():
    # MIG of the reference: codes binned into 20 histogram bins on all rows, I(code; factor) by
    # scikit-learn's contingency estimate, the gap of the best two divided by H(factor).
    sklearn_metrics = pytest.importorskip("sklearn.metrics")
    f, codes = _fixed_data()
    disc = _histogram_bins(codes, 20)
    m = np.array([[sklearn_metrics.mutual_info_score(f[:, k], disc[:, i]) for k in range(3)]
                  for i in range(4)])
    h = np.array([sklearn_metrics.mutual_info_score(f[:, k], f[:, k]) for k in range(3)])
    top = np.sort(m, axis=0)
    expected = np.mean((top[-1] - top[-2]) / h)
    assert mig(f, codes).value == pytest.approx(expected, rel=1e-12)


def test_modularity_equals_the_squared_mi_spread_on_training_bins():
    # Modularity of the reference: bins and mutual information from the training rows only;
    # per code 1 − (Σ m² − max m²) / (max m² (K − 1)).
    sklearn_metrics = pytest.importorskip("sklearn.metrics")
    pytest.importorskip("sklearn.linear_model")
    f, codes = _fixed_data()
    train, _ = train_test_rows(len(f), 1 / 3, seed=0)
    disc = _histogram_bins(codes[train], 20)
    m2 = np.array([[sklearn_metrics.mutual_info_score(f[train, k], disc[:, i])
                    for k in range(3)] for i in range(4)]) ** 2
    per_code = 1 - (m2.sum(1) - m2.max(1)) / (m2.max(1) * 2)
    out = modularity_explicitness(f, codes, seed=0)
    assert out.value == pytest.approx(per_code.mean(), rel=1e-12)


def test_dci_from_importance_equals_scipy_entropies_of_the_reference_layout():
    # Reference: D per code = 1 − entropy of row i (+1e-11) in base K, weighted by the row sums;
    # C per factor = 1 − entropy of column j (+1e-11) in base d̂, weighted by the column sums.
    from scipy.stats import entropy as scipy_entropy

    R = np.array([[0.6, 0.1, 0.0], [0.05, 0.5, 0.2], [0.0, 0.0, 0.3], [0.1, 0.0, 0.0]])
    d_code = 1 - scipy_entropy(R.T + 1e-11, base=3)          # scipy normalises each column
    c_fac = 1 - scipy_entropy(R + 1e-11, base=4)
    D = np.sum(d_code * R.sum(1) / R.sum())
    C = np.sum(c_fac * R.sum(0) / R.sum())
    out = dci_from_importance(R)
    assert out["disentanglement"] == pytest.approx(D, rel=1e-12)
    assert out["completeness"] == pytest.approx(C, rel=1e-12)


def test_explicitness_is_mean_one_vs_rest_auc_of_default_logistic_on_train_standardised_codes():
    # Reference: codes standardised with the training mean and deviation (ddof 0), one default
    # LogisticRegression per factor fitted on the training rows, macro ROC AUC of its class
    # probabilities against the one-hot labels, on the training and on the test rows.
    linear_model = pytest.importorskip("sklearn.linear_model")
    from sklearn.metrics import roc_auc_score

    f, codes = _fixed_data()
    train, test = train_test_rows(len(f), 1 / 3, seed=0)
    mean, std = codes[train].mean(0), codes[train].std(0)
    X = (codes - mean) / std
    expected = {"train": [], "test": []}
    for k in range(3):
        clf = linear_model.LogisticRegression().fit(X[train], f[train, k])
        for name, rows in (("train", train), ("test", test)):
            onehot = (f[rows, k][:, None] == np.arange(4)[None, :]).astype(int)
            assert onehot.sum(0).min() > 0          # every class present: no column dropped
            expected[name].append(roc_auc_score(onehot, clf.predict_proba(X[rows])))
    out = modularity_explicitness(f, codes, seed=0)
    assert out["explicitness_train"] == pytest.approx(np.mean(expected["train"]), rel=1e-12)
    assert out["explicitness_test"] == pytest.approx(np.mean(expected["test"]), rel=1e-12)
