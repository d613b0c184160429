"""Metrics: closed forms, hand-computed tables, invariances and bad input."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import identkit as ik
from identkit.metrics import (
    GroundTruth,
    MetricError,
    MetricWarning,
    beta_vae_score,
    dci,
    dci_from_importance,
    factor_vae_score,
    gaussian_total_correlation,
    gaussian_wasserstein_correlation,
    irs,
    kl_decomposition,
    mcc,
    mean_mutual_information,
    mig,
    modularity,
    modularity_explicitness,
    mutual_information,
    r_score,
    rcon,
    sap,
    shd,
    train_test_rows,
)

RNG = np.random.default_rng(0)


# ------------------------------------------------------------------ the paper's metrics


def test_mcc_identity_and_permuted_monotone():
    z = RNG.standard_normal((1000, 4))
    assert mcc(z, z).score == pytest.approx(1.0)
    assert mcc(z, z).matching == (0, 1, 2, 3)
    zhat = np.c_[np.tanh(z[:, 3]), z[:, 0] ** 3, np.exp(z[:, 1]), -z[:, 2]]
    res = mcc(zhat, z, method="spearman")
    assert res.value == 1.0 and res.matching == (3, 0, 1, 2)
    assert mcc(z, zhat, method="spearman").score == 1.0
    assert mcc(z, zhat, method="pearson").score < 1.0


def test_mcc_matches_brute_force_over_permutations():
    import itertools

    z = RNG.standard_normal((300, 4))
    zhat = z @ RNG.standard_normal((4, 4)) + 0.1 * RNG.standard_normal((300, 4))
    C = np.abs(np.corrcoef(z.T, zhat.T)[:4, 4:])
    best = max(np.mean([C[i, p[i]] for i in range(4)]) for p in itertools.permutations(range(4)))
    assert mcc(z, zhat).score == pytest.approx(best)


@settings(max_examples=60, deadline=None)
@given(st.integers(2, 5), st.integers(0, 10_000), st.sampled_from(["ex8", "TimeBlockDiag",
                                                                   "ex4", "ex7"]))
def test_mcc_le_rcon_le_r(d_extra, seed, name):
    g = ik.examples.get(name).graph
    d = g.n_latents
    rng = np.random.default_rng(seed)
    n = 50 + 20 * d
    z = rng.standard_normal((n, d))
    zhat = z @ rng.standard_normal((d, d)) + rng.standard_normal((n, d)) * rng.uniform(0, 2)
    m = mcc(z, zhat).score
    rc = rcon(g, z, zhat).value
    r = r_score(z, zhat).value
    assert m <= rc + 1e-9 and rc <= r + 1e-9


def test_rcon_is_one_for_allowed_mixing_and_mcc_is_not():
    """The effect of the paper's Figure 7: blocks that may mix leave MCC < Rcon = 1."""
    g = ik.examples.get("TimeBlockDiag").graph
    z = RNG.standard_normal((2000, 10))
    zhat = z.copy()
    for b in range(5):
        i, j = 2 * b, 2 * b + 1
        zhat[:, i], zhat[:, j] = z[:, i] + z[:, j], z[:, i] - 0.5 * z[:, j]
    assert mcc(z, zhat).score < 0.95
    assert rcon(g, z, zhat).value == pytest.approx(1.0)
    # but a mixture across blocks is not allowed: Rcon drops
    bad = zhat.copy()
    bad[:, 0] = z[:, 0] + z[:, 5]
    assert rcon(g, z, bad).value < 0.999


def test_invariance_to_permuting_learned_dims():
    g = ik.examples.get("ex8").graph
    z = RNG.standard_normal((500, 3))
    zhat = np.c_[z[:, 0] + 0.2 * z[:, 1], z[:, 1] + z[:, 2], z[:, 2]] + 0.05 * RNG.standard_normal((500, 3))
    perm = [2, 0, 1]
    a, b = mcc(z, zhat), mcc(z, zhat[:, perm])
    assert a.score == pytest.approx(b.score)
    assert [perm[k] for k in b.matching] == list(a.matching)
    assert r_score(z, zhat).value == pytest.approx(r_score(z, zhat[:, perm]).value)
    assert rcon(g, z, zhat).value == pytest.approx(rcon(g, z, zhat[:, perm]).value)
    mono = np.c_[np.exp(zhat[:, 0]), zhat[:, 1] ** 3, np.arctan(zhat[:, 2])]
    assert mcc(z, zhat, method="spearman").score == pytest.approx(mcc(z, mono, method="spearman").score)


def test_held_out_regressions():
    z = RNG.standard_normal((400, 3))
    noise = RNG.standard_normal((400, 20))          # 20 useless learned dims
    zhat = np.c_[z @ RNG.standard_normal((3, 3)), noise]
    assert r_score(z, zhat, test_fraction=0.5, seed=1).value == pytest.approx(1.0)
    pure = RNG.standard_normal((400, 20))
    in_sample, held_out = r_score(z, pure).value, r_score(z, pure, test_fraction=0.5).value
    assert held_out < in_sample  # in-sample R² flatters


def test_shd_closed_form():
    g = ik.LatentGraph(Gz=[[1, 0, 0], [1, 1, 0], [0, 1, 1]], Ga=[[1], [0], [0]])
    h = g.permute([2, 0, 1])
    assert shd(g, h, matching=[2, 0, 1]).value == 0.0
    Gz = np.array(g.Gz)
    Gz[0, 2] = True
    Ga = np.array(g.Ga)
    Ga[1, 0] = True
    res = shd(g, ik.LatentGraph(Gz=Gz, Ga=Ga))
    assert res.value == pytest.approx(2 / (9 + 3)) and res["differences"] == 2


def test_bad_input_of_the_paper_metrics():
    z = RNG.standard_normal((10, 2))
    with pytest.raises(MetricError, match="paired"):
        mcc(z, z[:9])
    bad = z.copy()
    bad[3, 1] = np.nan
    with pytest.raises(MetricError, match="row 3, column 1"):
        mcc(z, bad)
    with pytest.raises(MetricError, match="more samples than dimensions"):
        r_score(z[:3], RNG.standard_normal((3, 5)))
    with pytest.warns(MetricWarning, match="constant"):
        out = mcc(z, np.c_[z[:, 0], np.ones(10)])
    assert out.matched[1] == 0.0
    with pytest.raises(MetricError, match="latents but the graph"):
        rcon(ik.examples.get("ex8").graph, z, z)
    with pytest.raises(MetricError, match="test_fraction"):
        r_score(z, z, test_fraction=1.5)


# ------------------------------------------------------------------------ classic metrics


def test_mutual_information_and_mig_by_hand():
    f = np.repeat(np.arange(4), 25)                   # uniform on 4 values: H = log 4
    c_half = (f // 2).astype(float)                   # carries log 2 of it
    assert mutual_information(c_half, f) == pytest.approx(math.log(2))
    codes = np.c_[c_half, np.zeros(100)]
    assert mig(f[:, None], codes, num_bins=2).value == pytest.approx(0.5)
    codes = np.c_[f.astype(float), f // 2]
    # gap = (log 4 - log 2) / log 4 = 0.5
    assert mig(f[:, None], codes, num_bins=4).value == pytest.approx(0.5)


def test_sap_continuous_by_hand():
    x = np.linspace(-1, 1, 101)
    y = x**2 - np.mean(x**2)
    codes = np.c_[x, 0.5 * x + y]
    # squared correlations with the factor x on the training rows: 1 and corr(x, 0.5x + y)^2
    train, _ = train_test_rows(x.size, 1 / 3, seed=0)
    c2 = np.corrcoef(x[train], (0.5 * x + y)[train])[0, 1] ** 2
    assert sap(np.c_[x], codes, continuous_factors=True).value == pytest.approx(1 - c2)


def test_modularity_closed_forms():
    assert modularity(np.eye(4)) == 1.0
    assert modularity(np.ones((3, 3))) == 0.0
    assert modularity(np.array([[1.0, 0.5]])) == pytest.approx(0.75)
    assert modularity(np.array([[0.0, 0.0], [1.0, 0.0]])) == pytest.approx(0.5)


def test_dci_closed_forms():
    out = dci_from_importance(np.eye(4))
    assert out["disentanglement"] == pytest.approx(1.0) and out["completeness"] == pytest.approx(1.0)
    out = dci_from_importance(np.ones((4, 4)))
    assert out["disentanglement"] == pytest.approx(0.0, abs=1e-9)
    out = dci_from_importance(np.r_[[np.ones(3)], np.zeros((2, 3))])  # one code does everything
    assert out["disentanglement"] == pytest.approx(0.0, abs=1e-6)
    assert out["completeness"] == pytest.approx(1.0, abs=1e-6)
    out = dci_from_importance(np.c_[np.ones(3), np.zeros((3, 2))])    # one factor everywhere
    assert out["disentanglement"] == pytest.approx(1.0, abs=1e-6)
    assert out["completeness"] == pytest.approx(0.0, abs=1e-6)


def _grid_data(n=3000, seed=0, mix=None):
    rng = np.random.default_rng(seed)
    f = rng.integers(0, 5, (n, 3))
    codes = f + 0.01 * rng.standard_normal((n, 3))
    if mix is not None:
        codes = codes @ mix
    return f, codes


def test_dci_sap_modularity_with_classifiers():
    f, codes = _grid_data(600)
    good = dci(f, codes)
    assert good["disentanglement"] > 0.9 and good["completeness"] > 0.9
    assert good["informativeness_test"] > 0.95
    lin = dci(f, codes, importance="linear")
    assert lin["disentanglement"] > 0.95
    rot = np.array([[1, 1, 0], [1, -1, 1], [0, 1, 1]], float)
    mixed = dci(*_grid_data(600, mix=rot))
    assert mixed["disentanglement"] < good["disentanglement"]
    # a linear SVM on one code separates 5 ordered classes only partly, so SAP compares
    assert sap(f, codes).value > sap(*_grid_data(600, mix=rot)).value + 0.1
    me = modularity_explicitness(f, codes)
    assert me["modularity"] > 0.9 and me["explicitness_test"] > 0.95


def _ground_truth(mix=None):
    def observe(factors, rng):
        x = factors + 0.05 * rng.standard_normal(factors.shape)
        return x if mix is None else x @ mix

    return GroundTruth((4, 4, 4), observe)


def test_sampling_metrics_separate_identity_from_mixing():
    rot = np.array([[1, 1, 0], [1, -1, 1], [0, 1, 1]], float)
    ident = _ground_truth()
    mixed = _ground_truth(rot)

    def rep(x):
        return x

    fv = factor_vae_score(ident, rep, num_train=300, num_eval=200, num_variance_estimate=500)
    assert fv["eval_accuracy"] == 1.0
    fv_mixed = factor_vae_score(mixed, rep, num_train=300, num_eval=200, num_variance_estimate=500)
    assert fv_mixed["eval_accuracy"] < 1.0
    bv = beta_vae_score(ident, rep, num_train=300, num_eval=200)
    assert bv["eval_accuracy"] > 0.95
    assert irs(ident, rep, num_train=2000)["irs"] > 0.9
    assert irs(mixed, rep, num_train=2000)["irs"] < irs(ident, rep, num_train=2000)["irs"]


def test_unsupervised_metrics():
    z = RNG.standard_normal((20000, 3))
    assert gaussian_total_correlation(z).value == pytest.approx(0.0, abs=1e-3)
    assert gaussian_wasserstein_correlation(z * [1, 2, 3]).value == pytest.approx(0.0, abs=1e-2)
    A = np.array([[1, 0.8, 0], [0, 1, 0], [0, 0, 1]])
    S = A.T @ A
    closed = 0.5 * (np.log(np.diag(S)).sum() - np.linalg.slogdet(S)[1])
    assert gaussian_total_correlation(z @ A).value == pytest.approx(closed, abs=0.01)
    assert mean_mutual_information(z[:, :2]).value < 0.05
    assert mean_mutual_information(np.c_[z[:, 0], z[:, 0]]).value > 2.0


def test_kl_decomposition_against_a_gaussian_closed_form():
    """x ~ N(0, I), encoder mean A x and variance s²: q(z) = N(0, A Aᵀ + s² I), so MI, TC and
    dimension-wise KL have closed forms (Chen et al. 2018's decomposition). The stratified
    estimator recovers them. Here N = M, so the two ends of the weighted estimator's offset,
    log M (separated posteriors) and log N (overlapping ones), coincide and its offsets are
    exactly log N, (d - 1) log N and -d log N; N ≠ M is tested in test_metrics_protocol."""
    rng = np.random.default_rng(3)
    M, s2, d = 1500, 0.25, 2
    A = np.array([[1.0, 0.0], [0.9, 0.5]])
    mu = rng.standard_normal((M, 2)) @ A.T
    logvar = np.full((M, 2), np.log(s2))
    S = A @ A.T + s2 * np.eye(2)
    mi = 0.5 * np.linalg.slogdet(S)[1] - np.log(s2)
    tc = 0.5 * (np.log(np.diag(S)).sum() - np.linalg.slogdet(S)[1])
    dw = 0.5 * (np.diag(S) - 1 - np.log(np.diag(S))).sum()
    strat = kl_decomposition(mu, logvar, estimator="stratified", seed=1)
    assert strat["index_code_mutual_information"] == pytest.approx(mi, abs=0.08)
    assert strat["total_correlation"] == pytest.approx(tc, abs=0.08)
    assert strat["dimension_wise_kl"] == pytest.approx(dw, abs=0.08)
    assert strat["kl"] == pytest.approx(strat["kl_closed_form"], abs=0.1)
    weighted = kl_decomposition(mu, logvar, estimator="weighted", seed=1)
    logN = np.log(M)
    assert weighted["index_code_mutual_information"] - logN == pytest.approx(mi, abs=0.08)
    assert weighted["total_correlation"] - (d - 1) * logN == pytest.approx(tc, abs=0.08)
    assert weighted["dimension_wise_kl"] + d * logN == pytest.approx(dw, abs=0.08)
    assert weighted["kl"] == pytest.approx(strat["kl"], abs=1e-9)  # telescoping: same sum


def test_classic_bad_input():
    with pytest.raises(MetricError, match="two codes"):
        mig(np.arange(10) % 2, np.ones((10, 1)))
    with pytest.raises(MetricError):
        dci_from_importance(np.zeros((2, 2)))
    with pytest.raises(MetricError, match="importance"):
        dci(*_grid_data(200), importance="forest")
    with pytest.raises(MetricError, match="singular"):
        gaussian_total_correlation(np.c_[np.arange(10.0), np.arange(10.0)])
    with pytest.raises(MetricError, match="estimator"):
        kl_decomposition(np.zeros((5, 2)), np.zeros((5, 2)), estimator="exact")
