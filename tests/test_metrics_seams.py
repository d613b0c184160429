"""The seams of identkit.metrics (issue 18): one train/test split, one entanglement pattern, the
graph-first order of rcon with its deprecation path, keyword-only seeds, SAP's refusal of
non-integer factors, and one meaning for ``matching``."""

import warnings

import numpy as np
import pytest

import identkit as ik
from identkit.metrics import (
    GroundTruth,
    MetricError,
    dci,
    mcc,
    modularity_explicitness,
    r_score,
    rcon,
    sap,
    score,
    shd,
    train_test_rows,
)
from identkit.metrics._common import graph_first


def _no_deprecation(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        return fn(*args, **kwargs)


# ------------------------------------------------------------------------- one split


def test_the_split_is_pinned_to_the_seeded_permutation():
    """The rows of a given seed are the same as before the three splits became one (these are
    the rows the regressions and the classic metrics drew before)."""
    assert [x.tolist() for x in train_test_rows(10, 0.3, seed=0)] == \
        [[0, 1, 3, 5, 7, 8, 9], [2, 4, 6]]
    assert [x.tolist() for x in train_test_rows(10, 0.3, seed=1)] == \
        [[0, 1, 2, 3, 5, 6, 9], [4, 7, 8]]


def test_different_seeds_select_different_rows():
    tests = {tuple(train_test_rows(60, 1 / 3, seed=s)[1].tolist()) for s in range(5)}
    assert len(tests) == 5


def test_held_out_r_scores_exactly_the_rows_of_train_test_rows():
    """R with test_fraction fits on train_test_rows' training rows and scores on its test rows,
    for the seed it is given: recomputed by hand with lstsq."""
    rng = np.random.default_rng(3)
    z = rng.standard_normal((90, 2))
    zhat = z @ [[1.0, 0.5], [0.2, 1.0]] + 0.5 * rng.standard_normal((90, 2))
    for seed in (0, 7):
        train, test = train_test_rows(90, 0.3, seed=seed)
        A = np.c_[np.ones(train.size), zhat[train]]
        per = []
        for i in range(2):
            coef, *_ = np.linalg.lstsq(A, z[train, i], rcond=None)
            pred = np.c_[np.ones(test.size), zhat[test]] @ coef
            y = z[test, i]
            per.append(np.sqrt(max(0.0, 1 - ((y - pred) ** 2).sum() / ((y - y.mean()) ** 2).sum())))
        got = r_score(z, zhat, test_fraction=0.3, seed=seed)
        assert got.per_latent == pytest.approx(per, abs=1e-10)
        held = rcon(ik.LatentGraph(Gz=np.ones((2, 2))), z, zhat, test_fraction=0.3, seed=seed)
        assert held.value == pytest.approx(got.value, abs=1e-12)


def test_classic_metrics_and_regressions_share_one_split_for_one_seed():
    """SAP (continuous) on a split computed here equals SAP's own: both use train_test_rows."""
    rng = np.random.default_rng(0)
    f = rng.integers(0, 4, (120, 2)).astype(float)
    codes = f + 0.3 * rng.standard_normal(f.shape)
    train, _ = train_test_rows(120, 1 / 3, seed=5)
    S = np.array([[np.corrcoef(codes[train, i], f[train, k])[0, 1] ** 2 for k in range(2)]
                  for i in range(2)])
    assert sap(f, codes, continuous_factors=True, seed=5).score_matrix == \
        pytest.approx(S, abs=1e-12)


def test_a_held_out_regression_needs_two_test_rows_where_a_classifier_needs_one():
    """The one difference the three splits had: the regressions refuse a one-row test set (a
    held-out R² needs a variance); the rows drawn are the same."""
    rng = np.random.default_rng(0)
    z = rng.standard_normal((6, 1))
    train, test = train_test_rows(6, 0.2, seed=0)
    assert test.size == 1
    with pytest.raises(MetricError, match="too few"):
        r_score(z, z, test_fraction=0.2)
    with pytest.raises(MetricError, match="too few"):
        train_test_rows(6, 0.2, seed=0, min_test=2)


def test_train_test_rows_seed_by_position_still_works_and_warns():
    with pytest.warns(DeprecationWarning, match="seed"):
        old = train_test_rows(30, 0.3, 4)
    new = _no_deprecation(train_test_rows, 30, 0.3, seed=4)
    assert all(np.array_equal(a, b) for a, b in zip(old, new))


def test_every_random_metric_takes_seed_by_keyword_with_default_zero():
    import inspect

    from identkit.metrics import beta_vae_score, factor_vae_score, irs, kl_decomposition

    for fn in (r_score, rcon, sap, dci, modularity_explicitness, beta_vae_score,
               factor_vae_score, irs, kl_decomposition, train_test_rows):
        p = inspect.signature(fn).parameters["seed"]
        assert p.kind is p.KEYWORD_ONLY and p.default == 0, fn.__name__


# ---------------------------------------------------------------- rcon: one pattern, graph first


def _ex8():
    g = ik.examples.get("ex8").graph
    z = np.random.default_rng(1).standard_normal((400, 3))
    return g, z, np.c_[z[:, 0], z[:, 1] + z[:, 2], z[:, 1] - z[:, 2]]


def test_rcon_graph_first_gives_no_warning():
    g, z, zhat = _ex8()
    assert _no_deprecation(rcon, g, z, zhat).value == pytest.approx(1.0)
    assert _no_deprecation(rcon, graph=g, truth=z, learned=zhat).value == pytest.approx(1.0)


@pytest.mark.parametrize("old_call, new_call", [
    (lambda g, z, zh: rcon(z, zh, g), lambda g, z, zh: rcon(g, z, zh)),
    (lambda g, z, zh: rcon(z, zh, g, None, matching=[0, 1, 2]),
     lambda g, z, zh: rcon(g, z, zh, regularize=None, matching=[0, 1, 2])),
    (lambda g, z, zh: rcon(z, zh, graph=g, test_fraction=0.3),
     lambda g, z, zh: rcon(g, z, zh, test_fraction=0.3)),
], ids=["positional", "with-regularize", "graph-by-keyword"])
def test_rcon_old_order_still_works_and_warns(old_call, new_call):
    g, z, zhat = _ex8()
    with pytest.warns(DeprecationWarning, match="graph comes first"):
        old = old_call(g, z, zhat)
    new = _no_deprecation(new_call, g, z, zhat)
    assert old.value == new.value and old.matching == new.matching
    assert np.array_equal(old.allowed, new.allowed)


def test_rcon_old_order_keeps_a_positional_regularize():
    g = ik.examples.get("ex4")
    z = np.random.default_rng(2).standard_normal((300, g.graph.n_latents))
    zhat = z @ np.random.default_rng(3).standard_normal((z.shape[1],) * 2)
    with pytest.warns(DeprecationWarning):
        old = rcon(z, zhat, g.graph, g.regularize)
    assert old.value == rcon(g.graph, z, zhat, regularize=g.regularize).value


def test_rcon_with_no_graph_anywhere_is_still_an_error():
    g, z, zhat = _ex8()
    with pytest.raises((MetricError, TypeError)):
        rcon(z, zhat)
    with pytest.raises(MetricError, match="LatentGraph"):
        rcon("ex8", z, zhat)


def test_graph_first_refuses_too_many_old_positional_arguments():
    @graph_first("data", "g")
    def f(g, data):
        return data

    with pytest.raises(TypeError, match="at most 2"):
        f(1, ik.LatentGraph(Gz=[[1]]), 3)


def test_rcon_mask_moves_pattern_columns_to_their_matched_learned_latents():
    """allowed[i, matching[j]] = C[i, j]; a learned latent matched to nothing is never allowed
    (d̂ > d)."""
    g = ik.examples.get("ex8").graph
    C = ik.entanglement_graph(g)
    rng = np.random.default_rng(0)
    z = rng.standard_normal((200, 3))
    zhat = np.c_[rng.standard_normal(200), z[:, 2], z[:, 0], z[:, 1]]
    out = rcon(g, z, zhat, matching=[2, 3, 1])
    want = np.zeros((3, 4), dtype=bool)
    want[:, [2, 3, 1]] = C
    assert np.array_equal(out.allowed, want)
    assert not out.allowed[:, 0].any()


def test_score_keeps_the_data_first_and_says_so_for_a_graph_first():
    g, z, zhat = _ex8()
    assert _no_deprecation(score, z, zhat, g)["rcon"] == pytest.approx(1.0)
    with pytest.raises(MetricError, match="data first"):
        score(g, z, zhat)


# ------------------------------------------------------------------------------- SAP


def test_sap_with_non_integer_factors_and_discrete_mode_names_continuous_factors():
    pytest.importorskip("sklearn")
    rng = np.random.default_rng(0)
    f = rng.standard_normal((100, 2))
    codes = f + 0.1 * rng.standard_normal((100, 2))
    with pytest.raises(MetricError, match="continuous_factors=True") as err:
        sap(f, codes)
    assert "factor 0" in str(err.value)
    assert 0 <= sap(f, codes, continuous_factors=True).value <= 1


def test_sap_accepts_integer_valued_float_factors_as_the_integers():
    pytest.importorskip("sklearn")
    rng = np.random.default_rng(1)
    f = rng.integers(0, 3, (150, 2))
    codes = f + 0.2 * rng.standard_normal(f.shape)
    assert sap(f.astype(float), codes).value == sap(f, codes).value


def test_sap_refusal_names_the_first_non_integer_factor():
    f = np.c_[np.arange(40) % 3, np.linspace(0, 1, 40)]
    with pytest.raises(MetricError, match="factor 1"):
        sap(f, np.c_[f[:, 0], f[:, 1]])


# ----------------------------------------------------------------------- one meaning


def test_matching_means_true_i_to_learned_matching_i_in_every_metric():
    """mcc, rcon and shd give a tuple, true latent i ↔ learned column matching[i]; score gives
    the same map keyed by the true latents' names."""
    rng = np.random.default_rng(4)
    g = ik.LatentGraph(Gz=np.eye(3, dtype=bool))
    z = rng.standard_normal((300, 3))
    zhat = z[:, [2, 0, 1]]                 # learned 0 = true 2, learned 1 = true 0, ...
    expected = (1, 2, 0)                   # true 0 is learned 1, true 1 is learned 2, ...
    assert mcc(z, zhat).matching == expected
    assert rcon(g, z, zhat).matching == expected
    learned_graph = g.permute(list(expected))
    assert shd(g, learned_graph, matching=expected).matching == expected
    assert tuple(score(z, zhat, g)["matching"].values()) == expected
    assert list(score(z, zhat, g)["matching"]) == list(g.latents)


def test_ground_truth_protocol_threads_one_generator():
    """GroundTruth keeps its positional ``rng`` (one stream threaded through a metric): the
    same generator state gives the same draws."""
    gt = GroundTruth((3, 4), lambda f, rng: f + rng.standard_normal(f.shape))
    a = gt.observations(gt.sample_factors(5, np.random.default_rng(2)), np.random.default_rng(3))
    b = gt.observations(gt.sample_factors(5, np.random.default_rng(2)), np.random.default_rng(3))
    assert np.array_equal(a, b)


def test_kl_decomposition_names_its_scalar_index_code_mutual_information():
    """``mutual_information`` is a matrix (codes × factors or codes) in MIG, modularity and
    mean_mutual_information; the KL decomposition's scalar is index_code_mutual_information,
    and the old name still reads it with a DeprecationWarning, but is not in the JSON."""
    from identkit.metrics import kl_decomposition, mig

    out = kl_decomposition(np.zeros((50, 2)), np.zeros((50, 2)), seed=0)
    new = _no_deprecation(lambda: out["index_code_mutual_information"])
    with pytest.warns(DeprecationWarning, match="index_code_mutual_information"):
        assert out["mutual_information"] == new
    with pytest.warns(DeprecationWarning):
        assert out.mutual_information == new
    d = out.to_dict()
    assert "mutual_information" not in d and d["index_code_mutual_information"] == new
    assert "  mutual_information:" not in str(out)
    f = np.array([[0, 0], [0, 1], [1, 0], [1, 1]] * 10)
    assert np.ndim(mig(f, f.astype(float), num_bins=2)["mutual_information"]) == 2


def test_a_detail_that_was_not_renamed_reads_without_a_warning():
    from identkit.metrics import MetricResult

    res = MetricResult("toy", 1.0, {"a": 1}, renamed={"old": "a"})
    assert _no_deprecation(lambda: res["a"]) == 1
    with pytest.raises(KeyError, match="no detail 'b'"):
        res["b"]
    with pytest.raises(AttributeError):
        res.b
