"""The metrics against the reference protocols, on small inputs whose expected values are worked
out by hand or built by the test; the calling convention; the result type; bad input; the VAE
estimators where N ≠ M matters; the fast MCC/R/Rcon against brute force."""

import inspect
import itertools
import json
import math
import warnings

import numpy as np
import pytest
import scipy.sparse as sp

import identkit as ik
from identkit import metrics
from identkit.metrics import (
    GroundTruth,
    MetricError,
    MetricResult,
    MetricWarning,
    beta_vae_score,
    dci,
    factor_vae_score,
    irs,
    irs_from_samples,
    kl_decomposition,
    mcc,
    mig,
    modularity,
    modularity_explicitness,
    r_score,
    rcon,
    sap,
    score,
    train_test_rows,
)

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


# ------------------------------------------------------------- the reference protocol, items 1-5


def test_modularity_uses_only_the_training_rows():
    """The reference computes modularity on its training sample. On the training rows the codes
    copy the factors (modularity 1 by hand: each code shares information with one factor only);
    on the held-out rows they copy the other factor, which would spoil it."""
    n = 300
    train, test = train_test_rows(n, 1 / 3, seed=0)
    f = np.zeros((n, 2), dtype=int)
    grid = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
    f[train] = grid[np.arange(train.size) % 4]       # exactly independent factors on train
    f[test] = grid[np.arange(test.size) % 4]
    codes = f.astype(float)
    codes[test] = f[test][:, ::-1]
    out = modularity_explicitness(f, codes, seed=0)
    assert out.value == pytest.approx(1.0, abs=1e-12)
    assert out["mutual_information"][0, 1] == pytest.approx(0.0, abs=1e-12)
    # all rows would mix them: the value the old protocol returned is lower
    whole = metrics.mutual_info_matrix(metrics.discretize(codes, num_bins=20), f)
    assert modularity(whole) < 0.99


def test_irs_bins_factors_into_20_histogram_bins():
    """A factor with 40 values falls into 20 bins of two values each; with codes equal to the
    factors, each bin's codes deviate by 1/2 from their mean, the largest deviation is 19.5, so
    IRS = 1 - 0.5 / 19.5 = 38/39 by hand (grouping by exact value would give 1)."""
    v = np.arange(40)
    f = np.array(list(itertools.product(v, v)))
    res = irs_from_samples(f, f.astype(float))
    assert res.value == pytest.approx(38 / 39, abs=1e-12)
    assert irs_from_samples(f, f.astype(float), num_bins=None).value == pytest.approx(1.0)
    # up to 20 integer values, binning changes nothing
    small = f % 20
    assert irs_from_samples(small, small.astype(float)).value == pytest.approx(1.0)


from sklearn.ensemble import GradientBoostingClassifier as _GBT  # noqa: E402
from sklearn.linear_model import LogisticRegression as _Logistic  # noqa: E402


class _SpyLogistic:
    calls: list = []

    def __init__(self, **kwargs):
        type(self).calls.append(kwargs)
        self._clf = _Logistic(**kwargs)

    def fit(self, X, y):
        self._clf.fit(X, y)
        self.classes_ = self._clf.classes_
        return self

    def predict(self, X):
        return self._clf.predict(X)

    def predict_proba(self, X):
        return self._clf.predict_proba(X)


def test_beta_vae_and_explicitness_run_scikit_learns_default_logistic_regression(monkeypatch):
    """The reference constructs ``LogisticRegression()`` with no arguments; ours did
    ``max_iter=1000``. The better-converged fit is an option."""
    import sklearn.linear_model

    monkeypatch.setattr(sklearn.linear_model, "LogisticRegression", _SpyLogistic)
    _SpyLogistic.calls = []
    gt = GroundTruth((3, 3), lambda f, rng: f + 0.1 * rng.standard_normal(f.shape))
    beta_vae_score(gt, lambda x: x, num_train=30, num_eval=10, batch_size=4)
    f = np.random.default_rng(0).integers(0, 3, (90, 2))
    modularity_explicitness(f, f + 0.1)
    assert _SpyLogistic.calls == [{}, {}, {}]
    _SpyLogistic.calls = []
    beta_vae_score(gt, lambda x: x, num_train=30, num_eval=10, batch_size=4, max_iter=1000)
    modularity_explicitness(f, f + 0.1, max_iter=1000)
    assert _SpyLogistic.calls == [{"max_iter": 1000}] * 3


def test_max_iter_changes_an_unconverged_beta_vae_fit():
    """Badly scaled codes: 100 L-BFGS iterations stop early, so the option is not cosmetic."""
    gt = GroundTruth((4, 4, 4), lambda f, rng: f + 0.3 * rng.standard_normal(f.shape))

    def rep(x):
        return x * [1e4, 1.0, 1e-3]

    default = beta_vae_score(gt, rep, num_train=60, num_eval=60, batch_size=4)
    converged = beta_vae_score(gt, rep, num_train=60, num_eval=60, batch_size=4,
                               max_iter=10_000)
    assert default["train_accuracy"] != converged["train_accuracy"]


def _small_code_ground_truth():
    # code 2 carries factor 2 exactly but with standard deviation 0.01 · 0.8 < 0.05
    def observe(f, rng):
        noise = 0.05 * rng.standard_normal((len(f), 2))
        return np.c_[f[:, :2] + noise, 0.01 * f[:, 2]]

    return GroundTruth((3, 3, 3), observe)


def test_factor_vae_prunes_codes_with_standard_deviation_below_threshold():
    """The study configuration prunes codes with sd < 0.05: code 2 (sd ≈ 0.008) is out, so the
    batches that fix factor 2 vote for a code the classifier gives to another factor and the
    accuracy drops to about 2/3; ours kept it (only constant codes were dropped)."""
    gt = _small_code_ground_truth()
    kw = dict(num_train=300, num_eval=300, num_variance_estimate=1000, batch_size=16, seed=0)
    pruned = factor_vae_score(gt, lambda x: x, **kw)
    kept = factor_vae_score(gt, lambda x: x, prune_threshold=0.0, **kw)
    assert pruned["num_active_dims"] == 2 and kept["num_active_dims"] == 3
    assert kept.value == 1.0
    assert 0.5 < pruned.value < 0.8
    assert factor_vae_score(gt, lambda x: x, prune_threshold=0.005, **kw)["num_active_dims"] == 3


def test_factor_vae_threshold_is_on_the_standard_deviation_not_the_variance():
    """sd 0.008 is below 0.05 although its variance (6.4e-5) is below 0.05 as well; a code with
    sd 0.1 (variance 0.01 < 0.05) must stay."""
    def observe(f, rng):
        return np.c_[f[:, :2] + 0.05 * rng.standard_normal((len(f), 2)), 0.12 * f[:, 2]]

    gt = GroundTruth((3, 3, 3), observe)
    out = factor_vae_score(gt, lambda x: x, num_train=50, num_eval=50,
                           num_variance_estimate=1000, batch_size=16)
    assert out["num_active_dims"] == 3


class _SpyGBT:
    states: list = []

    def __init__(self, random_state=None, **kwargs):
        type(self).states.append(random_state)
        self._m = _GBT(random_state=random_state, **kwargs)

    def fit(self, X, y):
        self._m.fit(X, y)
        self.feature_importances_ = self._m.feature_importances_
        return self

    def predict(self, X):
        return self._m.predict(X)


def test_dci_seeds_its_boosted_trees_with_the_seed_argument(monkeypatch):
    """The trees were seeded with the constant 0 whatever ``seed`` said."""
    import sklearn.ensemble

    monkeypatch.setattr(sklearn.ensemble, "GradientBoostingClassifier", _SpyGBT)
    rng = np.random.default_rng(0)
    f = rng.integers(0, 3, (60, 2))
    codes = f + 0.1 * rng.standard_normal(f.shape)
    _SpyGBT.states = []
    dci(f, codes, seed=1)
    dci(f, codes, seed=2)
    dci(f, codes, seed=1)
    s = _SpyGBT.states
    assert len(s) == 6 and s[:2] == s[4:] and s[:2] != s[2:4]
    assert all(isinstance(x, int) for x in s)


def test_dci_tie_between_duplicate_codes_follows_the_seed():
    """Two identical codes tie at every split; the trees' random state decides which one wins,
    so the importance split between them depends on the seed and only on it."""
    rng = np.random.default_rng(0)
    f = rng.integers(0, 3, (120, 2))
    x = f[:, 0] + 0.1 * rng.standard_normal(120)
    codes = np.c_[x, x, f[:, 1] + 0.1 * rng.standard_normal(120)]
    shares = {round(float(dci(f, codes, seed=s)["importance"][0, 0]), 6) for s in range(2)}
    assert len(shares) > 1
    a, b = dci(f, codes, seed=5), dci(f, codes, seed=5)
    assert np.array_equal(a["importance"], b["importance"])


# --------------------------------------------------------------------- one calling convention

ARRAY_METRICS = [metrics.mcc, metrics.r_score, metrics.rcon, metrics.correlation_matrix,
                 metrics.mig, metrics.sap, metrics.modularity_explicitness, metrics.dci,
                 metrics.irs_from_samples, metrics.score, metrics.shd]
SAMPLING_METRICS = [metrics.beta_vae_score, metrics.factor_vae_score, metrics.irs]


GRAPH_FIRST_METRICS = {metrics.rcon}   # the true graph first, as everywhere in the package


@pytest.mark.parametrize("fn", ARRAY_METRICS + SAMPLING_METRICS, ids=lambda f: f.__name__)
def test_every_metric_takes_truth_first_and_learned_second(fn):
    names = list(inspect.signature(fn).parameters)
    if fn in GRAPH_FIRST_METRICS:
        assert names[0] == "graph"
        names = names[1:]
    assert names[:2] == ["truth", "learned"]


def test_swapping_the_arguments_of_mig_was_silent_and_now_follows_one_order():
    """mig(codes, factors) used to take the codes first while mcc took the truth first. With
    one order, the keyword call and the positional call agree, and the natural call gives the
    hand value: two codes, one copying the factor and one carrying half of it."""
    f = np.repeat(np.arange(4), 25)
    codes = np.c_[f.astype(float), f // 2]
    by_hand = (math.log(4) - math.log(2)) / math.log(4)
    assert mig(f, codes, num_bins=4).value == pytest.approx(by_hand)
    assert mig(truth=f, learned=codes, num_bins=4).value == pytest.approx(by_hand)


# --------------------------------------------------------------------------- the result type


def test_metric_result_is_frozen_and_serializable():
    z = np.random.default_rng(0).standard_normal((200, 3))
    res = mcc(z, z[:, [2, 0, 1]])
    assert isinstance(res, MetricResult)
    assert res.matching == (1, 2, 0) and res["matching"] == (1, 2, 0)
    with pytest.raises(AttributeError):
        res.value = 0.0
    with pytest.raises(TypeError):
        res.details["matching"] = (0, 1, 2)
    with pytest.raises(ValueError):
        res.correlations[0, 0] = 0.0
    with pytest.raises(TypeError, match="does not unpack"):
        _, _ = res
    d = json.loads(json.dumps(res.to_dict()))
    assert d["metric"] == "MCC (pearson)" and d["value"] == pytest.approx(1.0)
    assert d["matching"] == [1, 2, 0] and len(d["correlations"]) == 3
    text = str(res)
    assert text.startswith("MCC (pearson): 1.0000") and "matching: (1, 2, 0)" in text
    with pytest.raises(KeyError, match="no detail 'nope'"):
        res["nope"]


@pytest.mark.parametrize("call", [
    lambda f, c: metrics.mig(f, c), lambda f, c: metrics.sap(f, c, continuous_factors=True),
    lambda f, c: metrics.modularity_explicitness(f, c), lambda f, c: metrics.dci(f, c),
    lambda f, c: metrics.irs_from_samples(f, c), lambda f, c: metrics.mcc(f, c),
    lambda f, c: metrics.r_score(f, c), lambda f, c: metrics.score(f, c),
], ids=["mig", "sap", "modularity", "dci", "irs", "mcc", "r", "score"])
def test_array_metrics_return_a_metric_result(call):
    rng = np.random.default_rng(0)
    f = rng.integers(0, 3, (120, 2))
    res = call(f, f + 0.1 * rng.standard_normal(f.shape))
    assert isinstance(res, MetricResult) and 0.0 <= res.value <= 1.0
    json.dumps(res.to_dict())
    assert str(res).splitlines()[0].endswith(f"{res.value:.4f}")


# --------------------------------------------------------------------------------- bad input

def _all_calls():
    g3 = ik.LatentGraph(Gz=np.eye(3, dtype=int))
    return {
        "mcc": lambda t, l: mcc(t, l), "r": lambda t, l: r_score(t, l),
        "rcon": lambda t, l: rcon(g3, t, l), "score": lambda t, l: score(t, l),
        "mig": lambda t, l: mig(t, l), "sap": lambda t, l: sap(t, l, continuous_factors=True),
        "modularity": lambda t, l: modularity_explicitness(t, l),
        "dci": lambda t, l: dci(t, l, importance="linear"),
        "irs": lambda t, l: irs_from_samples(t, l),
    }


@pytest.mark.parametrize("name", list(_all_calls()))
@pytest.mark.parametrize("flaw", ["nan", "inf", "complex", "constant", "unpaired", "few", "3d"])
def test_bad_input_is_a_metric_error_naming_the_fault(name, flaw):
    rng = np.random.default_rng(1)
    t = rng.integers(0, 3, (60, 3)).astype(float)
    lrn = t + 0.1 * rng.standard_normal(t.shape)
    if flaw == "nan":
        lrn[7, 2] = np.nan
        match = "learned.*row 7, column 2"
    elif flaw == "inf":
        t[4, 1] = np.inf
        match = "truth.*row 4, column 1"
    elif flaw == "complex":
        lrn = lrn + 1j
        match = "learned.*complex"
    elif flaw == "constant":
        t[:, 1] = 2.0
        match = "truth.*column 1 is constant"
    elif flaw == "unpaired":
        lrn = lrn[:50]
        match = "paired"
    elif flaw == "few":
        t, lrn = t[:1], lrn[:1]
        match = "at least 2"
    else:
        lrn = lrn[:, :, None]
        match = "shape"
    with pytest.raises(MetricError, match=match):
        _all_calls()[name](t, lrn)


def test_too_few_samples_for_the_split_or_the_regression():
    z = np.random.default_rng(0).standard_normal((4, 2))
    with pytest.raises(MetricError, match="too few"):
        r_score(z, z, test_fraction=0.9)
    with pytest.raises(MetricError, match="more samples than dimensions"):
        r_score(z, np.random.default_rng(1).standard_normal((4, 3)))
    with pytest.raises(MetricError, match="too few"):
        dci(np.array([[0], [1]]), np.array([[0.0], [1.0]]), importance="linear")


def test_sampling_metrics_refuse_bad_representations():
    gt = GroundTruth((3, 3), lambda f, rng: f.astype(float))
    with pytest.raises(MetricError, match="GroundTruth"):
        factor_vae_score((3, 3), lambda x: x)
    with pytest.raises(MetricError, match="representation function"):
        irs(gt, np.eye(2))
    with pytest.raises(MetricError, match="non-finite"):
        irs(gt, lambda x: x * np.nan, num_train=20)
    with pytest.raises(MetricError, match="returned 1 codes for 20"):
        irs(gt, lambda x: x[:1], num_train=20)
    with pytest.raises(MetricError, match="prune_threshold"):
        factor_vae_score(gt, lambda x: x, prune_threshold=-1)


def test_constant_learned_columns_are_documented_fallbacks():
    z = np.random.default_rng(0).standard_normal((50, 2))
    with pytest.warns(MetricWarning, match="constant learned column"):
        res = mcc(z, np.c_[z, np.full(50, 3.0)])
    assert res.value == pytest.approx(1.0) and res.correlations[0, 2] == 0.0
    # a constant regressor adds nothing, it does not break the fit
    assert r_score(z, np.c_[z, np.full(50, 3.0)]).value == pytest.approx(1.0)


# ------------------------------------------------------ MCC, R and Rcon against brute force


def _brute_r(z, X):
    """√R² of each column of z on X by an explicit least-squares fit with intercept (X centred
    first, the same fit, so that lstsq stays well conditioned for large means)."""
    A = np.c_[np.ones(len(X)), X - X.mean(axis=0)]
    out = []
    for i in range(z.shape[1]):
        coef, *_ = np.linalg.lstsq(A, z[:, i], rcond=None)
        resid = z[:, i] - A @ coef
        out.append(math.sqrt(max(0.0, 1 - resid @ resid / ((z[:, i] - z[:, i].mean()) ** 2).sum())))
    return np.array(out)


@pytest.mark.parametrize("offset", [0.0, 1e7], ids=["centred", "large-mean"])
def test_mcc_r_rcon_match_brute_force(offset):
    """Both routes of the Gram products (one BLAS product, or chunked centring when a mean is
    large against its spread) agree with itertools over permutations and explicit lstsq."""
    rng = np.random.default_rng(3)
    n, d = 400, 4
    z = rng.standard_normal((n, d))
    zhat = z @ rng.standard_normal((d, d)) + 0.3 * rng.standard_normal((n, d)) + offset
    C = np.abs(np.corrcoef((z + offset).T, zhat.T)[:d, d:])
    best = max(itertools.permutations(range(d)), key=lambda p: sum(C[i, p[i]] for i in range(d)))
    res = mcc(z + offset, zhat)
    assert res.matching == best
    assert res.value == pytest.approx(np.mean([C[i, best[i]] for i in range(d)]), abs=1e-9)
    assert r_score(z + offset, zhat).per_latent == pytest.approx(_brute_r(z, zhat), abs=1e-7)
    g = ik.LatentGraph(Gz=[[1, 0, 0, 0], [1, 1, 0, 0], [0, 0, 1, 1], [0, 0, 1, 1]])
    out = rcon(g, z + offset, zhat, matching=best)
    for i in range(d):
        cols = np.flatnonzero(out.allowed[i])
        assert out.per_latent[i] == pytest.approx(_brute_r(z[:, [i]], zhat[:, cols])[0], abs=1e-7)
    # the mask is row i of C P^T, written out for this graph: C has the blocks {z3, z4} and
    # the diagonal
    Cmat = ik.entanglement_graph(g)
    for i, j in itertools.product(range(d), range(d)):
        assert out.allowed[i, best[j]] == bool(Cmat[i, j])


def test_rcon_mask_is_row_i_of_c_p_transpose_on_example_4():
    """Example 4 has an asymmetric pattern: z2 may depend on itself only, z1 and z3 on every
    latent, C = [[1, 1, 1], [0, 1, 0], [1, 1, 1]]. With true i ↔ learned p[i], p = (2, 0, 1),
    the mask (row i of C Pᵀ) is, by hand, [[1, 1, 1], [1, 0, 0], [1, 1, 1]]."""
    ex = ik.examples.get("ex4")
    rng = np.random.default_rng(8)
    z = rng.standard_normal((300, 3))
    zhat = np.c_[z[:, 1] + 0.3 * z[:, 2], z[:, 2], z[:, 0] + 0.5 * z[:, 1]]
    zhat = zhat + 0.2 * rng.standard_normal(zhat.shape)
    out = rcon(ex.graph, z, zhat, regularize=ex.regularize, matching=[2, 0, 1])
    assert out.allowed.astype(int).tolist() == [[1, 1, 1], [1, 0, 0], [1, 1, 1]]
    expected = [_brute_r(z[:, [0]], zhat)[0], _brute_r(z[:, [1]], zhat[:, [0]])[0],
                _brute_r(z[:, [2]], zhat)[0]]
    assert out.per_latent == pytest.approx(expected, abs=1e-9)


def test_train_test_rows_hold_out_the_fraction_and_train_on_the_rest():
    train, test = train_test_rows(300, 0.4, seed=3)
    assert (train.size, test.size) == (180, 120)
    assert np.intersect1d(train, test).size == 0 and np.union1d(train, test).size == 300
    again = train_test_rows(300, 0.4, seed=np.random.default_rng(3))
    assert np.array_equal(again[0], train) and np.array_equal(again[1], test)
    with pytest.raises(MetricError, match="test_fraction"):
        train_test_rows(10, 1.0)


def test_held_out_r_matches_a_fit_on_the_training_rows():
    rng = np.random.default_rng(4)
    z = rng.standard_normal((300, 2))
    zhat = z @ [[1.0, 0.5], [0.2, 1.0]] + 0.5 * rng.standard_normal((300, 2))
    train, test = train_test_rows(300, 0.4, seed=9)
    A = np.c_[np.ones(train.size), zhat[train]]
    expected = []
    for i in range(2):
        coef, *_ = np.linalg.lstsq(A, z[train, i], rcond=None)
        pred = np.c_[np.ones(test.size), zhat[test]] @ coef
        y = z[test, i]
        expected.append(math.sqrt(max(0, 1 - ((y - pred) ** 2).sum() / ((y - y.mean()) ** 2).sum())))
    got = r_score(z, zhat, test_fraction=0.4, seed=9).per_latent
    assert got == pytest.approx(expected, abs=1e-9)


def test_rcon_groups_latents_with_the_same_mask_block_diagonal():
    """TimeBlockDiag-like blocks at d = 60: one solve per block, same values as per latent."""
    rng = np.random.default_rng(5)
    d, n = 60, 500
    g = ik.LatentGraph(Gz=sp.kron(sp.eye_array(d // 3), np.ones((3, 3)), format="csr"))
    z = rng.standard_normal((n, d))
    zhat = z + 0.5 * rng.standard_normal((n, d))
    out = rcon(g, z, zhat, matching=list(range(d)))
    for i in (0, 31, 59):
        b = 3 * (i // 3)
        assert out.per_latent[i] == pytest.approx(
            _brute_r(z[:, [i]], zhat[:, b:b + 3])[0], abs=1e-9)


# ---------------------------------------------------------------- score(), the CLI's counterpart


def test_score_equals_the_metrics_it_combines_and_reads_files(tmp_path):
    rng = np.random.default_rng(1)
    z = rng.standard_normal((300, 3))
    zhat = np.c_[z[:, 0], z[:, 1] + z[:, 2], z[:, 1] - z[:, 2]][:, [2, 0, 1]]
    g = ik.examples.get("ex8").graph
    res = score(z, zhat, example="ex8")
    m = mcc(z, zhat)
    assert res.value == m.value and res["r"] == r_score(z, zhat).value
    assert res["rcon"] == rcon(g, z, zhat, matching=m.matching).value
    assert res["matching"] == {"z1": 1, "z2": 2, "z3": 0}
    np.save(tmp_path / "z.npy", z)
    np.savez(tmp_path / "zhat.npz", zhat=zhat, other=np.zeros(2))
    from_files = score(tmp_path / "z.npy", str(tmp_path / "zhat.npz"), g)
    assert from_files.to_dict() == res.to_dict()
    assert score(z, zhat)["rcon"] is None
    with pytest.raises(MetricError, match="not both"):
        score(z, zhat, g, example="ex8")
    with pytest.raises(MetricError, match="no such file"):
        score(tmp_path / "missing.npy", zhat)
    np.savez(tmp_path / "two.npz", a=z, b=z)
    with pytest.raises(MetricError, match="two.npz: holds a, b"):
        score(tmp_path / "two.npz", zhat)
    (tmp_path / "z.txt").write_text("1")
    with pytest.raises(MetricError, match="use .npy, .npz or .csv"):
        score(tmp_path / "z.txt", zhat)


# ------------------------------------------------------------------------ the VAE estimators


def _exact_log_qz(z, n_data, d, sigma, seed, chunk=100_000):
    """log q(z_i) of the aggregate posterior over the whole dataset, the means regenerated
    chunk by chunk from ``seed`` (never an (N, M, d) array: O(chunk · M) memory). Every one of
    the N · M squared distances is computed; terms more than 50 nats below a row's largest are
    dropped (relative error below N e⁻⁵⁰ ≈ 2e-16)."""
    rng = np.random.default_rng(seed)
    zz = (z ** 2).sum(1)
    best = np.full(len(z), np.inf)           # smallest squared distance so far, per row
    total = np.zeros(len(z))                 # Σ exp(-(d² - best) / 2σ²)
    cut = 2 * 50 * sigma**2
    for start in range(0, n_data, chunk):
        mu = rng.standard_normal((min(chunk, n_data - start), d))
        d2 = zz[:, None] - 2 * z @ mu.T + (mu ** 2).sum(1)[None, :]
        new_best = np.minimum(best, d2.min(axis=1))
        total *= np.exp(-(best - new_best) / (2 * sigma**2))
        best = new_best
        rows, cols = np.nonzero(d2 < best[:, None] + cut)
        total += np.bincount(rows, np.exp(-(d2[rows, cols] - best[rows]) / (2 * sigma**2)),
                             minlength=len(z))
    log_norm = -0.5 * d * math.log(2 * math.pi * sigma**2)
    return log_norm - best / (2 * sigma**2) + np.log(total) - math.log(n_data)


def _dataset_minibatch(n_data, m, d, seed):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((min(100_000, n_data), d))[:m]   # the first m means


@pytest.mark.parametrize("regime", ["separated", "overlapping"])
def test_weighted_estimator_offset_depends_on_overlap_with_n_much_larger_than_m(regime):
    """N = 10⁶ encodings, a minibatch of M = 64. The old documentation said the weighted MI is
    off by log N; that holds when posteriors overlap (σ = 30 against means of spread 1: every
    encoder covers every sample) but with separated posteriors (σ = 0.05 in 8 dimensions; the
    nearest other mean is ~0.7 away) it is off by log M ≈ 4.16, and subtracting log N leaves
    about 9.7 nats. The exact log q(z_i): separated, a sum over all 10⁶ encoders; overlapping,
    the limit N(0, (1 + σ²) I) of the aggregate (its Monte-Carlo error at N = 10⁶ is far below
    the tolerance). The stratified estimator matches it in both regimes."""
    N, M, d = 10**6, 64, 8
    sigma = 0.05 if regime == "separated" else 30.0
    mu = _dataset_minibatch(N, M, d, seed=11)
    rng = np.random.default_rng(12)
    z = mu + sigma * rng.standard_normal(mu.shape)
    logvar = np.full_like(mu, 2 * math.log(sigma))
    if regime == "separated":
        exact = _exact_log_qz(z, N, d, sigma, seed=11)
    else:
        exact = metrics.gaussian_log_density(z, 0.0, math.log(1 + sigma**2)).sum(1)
    own = metrics.gaussian_log_density(z, mu, logvar).sum(1)
    mi_exact = float(np.mean(own - exact))
    strat = kl_decomposition(mu, logvar, dataset_size=N, z=z)
    weighted = kl_decomposition(mu, logvar, dataset_size=N, z=z, estimator="weighted")
    offset = weighted["index_code_mutual_information"] - mi_exact
    assert strat["index_code_mutual_information"] == pytest.approx(mi_exact, abs=0.01)
    if regime == "separated":
        assert mi_exact == pytest.approx(math.log(N), abs=0.01)
        assert offset == pytest.approx(math.log(M), abs=0.01)
        assert abs(offset - math.log(N)) > 9.6         # what subtracting log N would leave
    else:
        assert offset == pytest.approx(math.log(N), abs=0.01)
    assert weighted.value == pytest.approx(strat.value, abs=1e-6)   # the three terms telescope


def test_the_score_command_prints_what_score_returns(tmp_path, capsys):
    from identkit.cli import main

    rng = np.random.default_rng(2)
    z = rng.standard_normal((200, 3))
    zhat = np.c_[z[:, 0], z[:, 1] + z[:, 2], z[:, 1] - z[:, 2]]
    np.save(tmp_path / "z.npy", z)
    np.save(tmp_path / "zhat.npy", zhat)
    code = main(["score", "--true", str(tmp_path / "z.npy"), "--learned",
                 str(tmp_path / "zhat.npy"), "--example", "ex8", "--format", "json"])
    out = json.loads(capsys.readouterr().out)
    api = score(z, zhat, example="ex8").to_dict()
    assert code == 0 and out == {k: api[k] for k in ("mcc", "r", "rcon", "matching")}
    bad = z.copy()
    bad[5, 0] = np.nan
    np.save(tmp_path / "bad.npy", bad)
    code = main(["score", "--true", str(tmp_path / "bad.npy"), "--learned",
                 str(tmp_path / "zhat.npy")])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "row 5, column 0" in err
