"""Metric results are numbers, metrics refuse inputs that make them meaningless, and the API and
the command line resolve "this model" alike."""

from __future__ import annotations

import json
import pickle
import warnings

import numpy as np
import pytest

import identkit as ik
from identkit import metrics
from identkit.cli import main
from identkit.errors import MetricError
from identkit.metrics import MetricResult


def _pair(n=300, d=3, seed=0):
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((n, d))
    return z, z @ rng.standard_normal((d, d)) + 0.3 * rng.standard_normal((n, d))


# ----------------------------------------------------------------------- results are numbers

def _every_result():
    z, zh = _pair()
    f = np.random.default_rng(0).integers(0, 3, (240, 2))
    c = f + 0.1 * np.random.default_rng(1).standard_normal(f.shape)
    g = ik.examples.get("ex8").graph
    return [metrics.mcc(z, zh), metrics.r_score(z, zh), metrics.rcon(g, z, zh),
            metrics.shd(g, g), metrics.score(z, zh, g), metrics.mig(f, c), metrics.sap(f, c),
            metrics.modularity_explicitness(f, c), metrics.dci(f, c, importance="linear"),
            metrics.modularity(np.eye(3)), metrics.dci_from_importance(np.eye(2)),
            metrics.irs_from_samples(f, c), metrics.kl_decomposition(z, 0 * z)]


@pytest.mark.parametrize("res", _every_result(), ids=lambda r: r.metric)
def test_a_result_is_used_as_the_number_it_is(res):
    v = res.value
    assert isinstance(res, float) and type(v) is float and v == float(res)
    assert f"{res:.3f}" == f"{v:.3f}" and f"{res}" == repr(v)
    assert (res > v - 1) and (res < v + 1) and res == v and round(res, 3) == round(v, 3)
    assert res + 0 == v and type(res + 0) is float and res * 2 == 2 * v
    assert np.mean([res, res]) == v and sorted([res, v + 1, v - 1])[1] == v
    assert np.isclose(res, v) and json.loads(json.dumps({"s": res}))["s"] == v
    back = pickle.loads(pickle.dumps(res))
    assert type(back) is type(res) and back == res and back.metric == res.metric
    assert list(back.details) == list(res.details) and back.to_dict().keys() == res.to_dict().keys()
    assert str(res).splitlines()[0].endswith(f"{v:.4f}") and res.metric in repr(res)


def test_every_attribute_of_todays_results_still_works():
    z, _ = _pair()
    res = metrics.mcc(z, z[:, [2, 0, 1]])
    assert res.matching == (1, 2, 0) == res["matching"] == res.details["matching"]
    assert res.score == res.value == 1.0 and res.metric == "MCC (pearson)"
    assert res.to_dict()["matching"] == [1, 2, 0]
    with pytest.raises(AttributeError):
        res.value = 0.0
    with pytest.raises(AttributeError):
        res.matching = ()
    with pytest.raises(TypeError, match="does not unpack"):
        _, _ = res
    kl = metrics.kl_decomposition(z, 0 * z)
    with pytest.warns(DeprecationWarning):
        assert kl.mutual_information == kl.index_code_mutual_information
    with pytest.warns(DeprecationWarning):
        assert pickle.loads(pickle.dumps(kl))["mutual_information"] == kl["mutual_information"]


def test_a_scorer_and_a_table_column_take_results_as_floats():
    z, zh = _pair()
    scores = [metrics.mcc(z, zh), metrics.mcc(z, z)]
    column = np.array(scores)
    assert column.dtype == np.float64 and column.tolist() == [s.value for s in scores]
    assert max(scores) == 1.0 and sum(scores) == sum(s.value for s in scores)


@pytest.mark.parametrize("old, new", [
    (lambda z, zh, g: metrics.mcc(z, zh, "spearman"),
     lambda z, zh, g: metrics.mcc(z, zh, method="spearman")),
    (lambda z, zh, g: metrics.rcon(g, z, zh, None), lambda z, zh, g: metrics.rcon(g, z, zh)),
    (lambda z, zh, g: metrics.shd(g, g, [0, 1, 2]),
     lambda z, zh, g: metrics.shd(g, g, matching=[0, 1, 2])),
    (lambda z, zh, g: metrics.score(z, zh, g, None), lambda z, zh, g: metrics.score(z, zh, g)),
    (lambda z, zh, g: metrics.mean_mutual_information(zh, 10),
     lambda z, zh, g: metrics.mean_mutual_information(zh, num_bins=10)),
    (lambda z, zh, g: metrics.gaussian_wasserstein_correlation(zh, True),
     lambda z, zh, g: metrics.gaussian_wasserstein_correlation(zh, normalized=True)),
], ids=["mcc", "rcon", "shd", "score", "mmi", "wasserstein"])
def test_options_are_keyword_only_and_the_old_positional_form_warns(old, new):
    z, zh = _pair()
    g = ik.examples.get("ex8").graph
    with pytest.warns(DeprecationWarning, match="by keyword"):
        a = old(z, zh, g)
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        b = new(z, zh, g)
    assert a == b


def test_one_signature_rule_truth_learned_then_keyword_only_options():
    import inspect

    for name in ("mcc", "r_score", "shd", "mig", "sap", "modularity_explicitness", "dci",
                 "irs_from_samples"):
        ps = list(inspect.signature(getattr(metrics, name)).parameters.values())
        assert [p.name for p in ps[:2]] == ["truth", "learned"], name
        assert all(p.kind == p.KEYWORD_ONLY for p in ps[2:]), name
    ps = list(inspect.signature(metrics.rcon).parameters.values())
    assert [p.name for p in ps[:3]] == ["graph", "truth", "learned"]
    assert all(p.kind == p.KEYWORD_ONLY for p in ps[3:])


# ------------------------------------------------------------------------------- refusals

def test_discrete_factor_metrics_refuse_continuous_truth_and_name_the_option():
    """The swapped call (continuous truth) scored 0.03 where the right one gives 0.99."""
    rng = np.random.default_rng(0)
    z = rng.standard_normal((400, 2))
    f = rng.integers(0, 4, (400, 2))
    for call in (lambda t, c: metrics.mig(t, c), lambda t, c: metrics.dci(t, c),
                 lambda t, c: metrics.modularity_explicitness(t, c),
                 lambda t, c: metrics.irs_from_samples(t, c, num_bins=None)):
        with pytest.raises(MetricError, match="non-integer|num_bins"):
            call(z, f)
        call(f, z)                                   # integer truth is fine
    with pytest.raises(MetricError, match="factor_bins"):
        metrics.mig(z, z)
    with pytest.raises(MetricError, match="discretize"):
        metrics.mutual_info_matrix(z, f)
    assert metrics.dci(z, z, importance="linear")["completeness"] > 0.9   # regression: allowed


def test_factor_bins_discretize_the_truth_as_the_reference_does():
    rng = np.random.default_rng(1)
    z = rng.standard_normal((2000, 2))
    res = metrics.mig(z, z, factor_bins=20)
    binned = metrics.discretize(z, num_bins=20)
    assert res == metrics.mig(binned, z)
    assert res > 0.9


def test_num_bins_is_bounded_by_the_samples():
    z = np.random.default_rng(0).standard_normal((50, 2))
    metrics.discretize(z, num_bins=50)
    with pytest.raises(MetricError, match="more than the 50 samples"):
        metrics.discretize(z, num_bins=51)
    with pytest.raises(MetricError, match="samples"):
        metrics.mig(z.round(), z, num_bins=10**9)


@pytest.mark.parametrize("scale", [1e160, 1e-200, 1e300, 1e-310, 2.0 ** 201, 2.0 ** -201])
def test_mcc_and_r_do_not_depend_on_the_scale_of_the_columns(scale):
    z, zh = _pair()
    for f in (metrics.mcc, metrics.r_score):
        base = f(z, zh).value
        assert f(scale * z, zh).value == pytest.approx(base, rel=1e-9)
        assert f(z, scale * zh).value == pytest.approx(base, rel=1e-9)
    g = ik.examples.get("ex8").graph
    assert metrics.rcon(g, scale * z, zh).value == pytest.approx(metrics.rcon(g, z, zh).value,
                                                                 rel=1e-9)


def test_too_few_rows_for_a_classifier_name_the_rows_needed():
    rng = np.random.default_rng(0)
    f, c = np.array([[0], [1], [2]]), rng.standard_normal((3, 2))
    with pytest.raises(MetricError, match=r"give at least \d+ rows"):
        metrics.dci(f, c)
    f2 = np.array([[0, 0], [1, 1], [2, 2]] * 2)
    with pytest.raises(MetricError, match=r"give at least \d+ rows"):
        metrics.modularity_explicitness(f2, rng.standard_normal((6, 2)))
    f3 = rng.integers(0, 2, (30, 2))
    metrics.dci(f3, f3 + 0.1 * rng.standard_normal(f3.shape))    # enough rows: no refusal


@pytest.mark.parametrize("bad", [1e6, -1e6, 201.0, -201.0])
def test_kl_decomposition_refuses_out_of_range_log_variances(bad):
    mu = np.zeros((20, 2))
    logvar = np.zeros((20, 2))
    logvar[3, 1] = bad
    with pytest.raises(MetricError, match="row 3, column 1"):
        metrics.kl_decomposition(mu, logvar)
    logvar[3, 1] = np.sign(bad) * 200.0          # at the limit: computed, and finite
    assert np.isfinite(metrics.kl_decomposition(mu, logvar).value)


def test_kl_decomposition_refuses_an_estimate_that_is_not_finite():
    mu = np.zeros((20, 2))
    mu[0, 0] = 1e200
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")          # the refusal, not numpy's overflow warnings
        with pytest.raises(MetricError, match="not finite"):
            metrics.kl_decomposition(mu, np.zeros((20, 2)))


@pytest.mark.parametrize("entry", [-0.1, np.nan])
def test_negative_or_nan_importances_and_informations_are_refused(entry):
    R = np.eye(3)
    R[1, 2] = entry
    with pytest.raises(MetricError, match="row 1, column 2"):
        metrics.dci_from_importance(R)
    with pytest.raises(MetricError, match="row 1, column 2"):
        metrics.modularity(R)


def test_masked_arrays_are_refused_never_silently_unmasked():
    z, zh = _pair()
    mz = np.ma.masked_array(z, mask=np.zeros_like(z, dtype=bool))
    mz.mask[0, 0] = True
    f = np.ma.masked_array(np.eye(3))
    for call in (lambda: metrics.mcc(mz, zh), lambda: metrics.r_score(z, mz),
                 lambda: metrics.mig(mz.round(), zh), lambda: metrics.dci_from_importance(f),
                 lambda: metrics.modularity(f), lambda: metrics.mutual_information(f[0], f[1]),
                 lambda: metrics.discretize(mz, num_bins=3)):
        with pytest.raises(MetricError, match="masked array"):
            call()


# ------------------------------------------------------------------- one resolver of a model

def _cli_rcon(capsys, tmp_path, z, zh, *argv):
    np.save(tmp_path / "z.npy", z)
    np.save(tmp_path / "zh.npy", zh)
    code = main(["score", "--true", str(tmp_path / "z.npy"), "--learned",
                 str(tmp_path / "zh.npy"), "--format", "json", *argv])
    out = capsys.readouterr().out
    assert code == 0, out
    return json.loads(out)["rcon"]


@pytest.mark.parametrize("example", ["fig1", "ex8", "ex4", "mechanism-ex9"])
@pytest.mark.parametrize("regularize", [None, "", "a", "z", "az"])
def test_the_api_and_the_command_line_resolve_a_model_alike(capsys, tmp_path, example,
                                                             regularize):
    ex = ik.examples.get(example)
    from identkit._model import resolve_model

    g = resolve_model(example=example).graph()
    if regularize and any(getattr(g, f"G{k}") is None for k in regularize):
        pytest.skip("the model has no such graph")
    rng = np.random.default_rng(3)
    z = rng.standard_normal((300, g.n_latents))
    zh = z @ rng.standard_normal((g.n_latents,) * 2)
    api = metrics.score(z, zh, example=example, regularize=regularize)["rcon"]
    argv = [] if regularize is None else ["--regularize", regularize]
    assert _cli_rcon(capsys, tmp_path, z, zh, "--example", example, *argv) == pytest.approx(api)
    if ex.kind == "graph":
        path = tmp_path / "g.json"
        path.write_text(ex.dumps("json"))
        by_file = metrics.score(z, zh, str(path), regularize=regularize)["rcon"]
        assert _cli_rcon(capsys, tmp_path, z, zh, "--graph", str(path), *argv) == \
            pytest.approx(by_file)


def test_an_empty_regularize_is_honoured_with_an_example_figure_1():
    """Figure 1 regularizes Ga by default; ``regularize=""`` regularizes nothing, so C is full
    and Rcon is R (1.0 for an invertible linear map), not the example's 0.7-ish."""
    g = ik.examples.get("fig1").graph
    rng = np.random.default_rng(0)
    z = rng.standard_normal((400, g.n_latents))
    zh = z @ rng.standard_normal((g.n_latents,) * 2)
    assert metrics.score(z, zh, example="fig1", regularize="")["rcon"] == pytest.approx(1.0)
    assert metrics.score(z, zh, example="fig1")["rcon"] < 0.99
    assert metrics.score(z, zh, g, regularize="")["rcon"] == pytest.approx(1.0)


def test_modularity_names_the_first_bad_entry_whether_nan_or_negative():
    """A NaN before a negative entry is the one named (kills ``~(mi >= 0)`` -> ``mi < 0``)."""
    mi = np.array([[np.nan, 0.5], [0.2, -1.0]])
    with pytest.raises(ik.errors.MetricError, match=r"nan\)? at row 0, column 0"):
        metrics.modularity(mi)
