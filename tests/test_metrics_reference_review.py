"""Classic metrics against the default protocol of disentanglement_lib, the library behind the
published numbers: each test pins one protocol step on a small fixed input whose expected value
is computed by hand or by a construction in the test, not by the metric."""

import numpy as np
import pytest

from identkit.metrics import sap, train_test_rows


def test_sap_continuous_scores_training_rows_only():
    # The reference computes the continuous SAP score matrix on its training points; the test
    # points are drawn but unused. On the training rows code 0 copies the factor (R² = 1) and
    # code 1 is uncorrelated with it (R² = 0, by the construction below), so SAP = 1 exactly;
    # on the held-out rows code 0 is scrambled, which lowers R² computed on all rows.
    n, frac, seed = 9, 1 / 3, 0
    train, test = train_test_rows(n, frac, seed)
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
