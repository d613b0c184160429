"""identkit.learn: the paper's estimation procedure (§5, App. C.2) and its baselines.

Every piece is held against an independent route: the Gaussian KL against its closed form
written out by hand and a Monte Carlo estimate; the ELBO of a linear-Gaussian model against
the exact marginal log-likelihood (scipy), where the bound is tight at the true posterior; the
mask gradient against finite differences; the constraint's descent-ascent against the KKT
solution of a small quadratic programme; mask samples against σ(log α) and a quadrature; the
learned graph of a toy against its truth after the MCC matching.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys

import numpy as np
import pytest
from scipy import integrate, stats

import identkit as ik

jax = pytest.importorskip("jax")   # CI installs the extra: nothing skips there
import jax.numpy as jnp  # noqa: E402

from identkit.learn import (BetaTCVAE, BetaVAE, MechanismSparsityVAE, bound_schedule,  # noqa: E402
                            dual_step, evaluate, load, read_dataset, regression_pattern)
from identkit.learn import _nets as nets  # noqa: E402

TINY = {"hidden": (16,), "steps": 10, "batch_size": 64, "log_every": 5}


def _toy(n=512, seed=0):
    """Two latents, each moved by its own action, seen through a fixed invertible mixing."""
    rng = np.random.default_rng(seed)
    a = rng.uniform(-2, 2, (n, 2))
    z = np.sin(a) + 0.05 * rng.standard_normal((n, 2))
    x = np.c_[z, np.tanh(z @ [[1.0, 0.5], [-0.5, 1.0]])]
    return x, a, z


@pytest.fixture(scope="module")
def tiny():
    """One small fitted mechanism-sparsity model, shared by the tests that only read it."""
    x, a, _ = _toy(256)
    return MechanismSparsityVAE(2, bound=2, prior_hidden=(8,), **TINY).fit(x, a), x, a


# ----------------------------------------------------------------------------- the Gaussian KL

def test_gaussian_kl_matches_closed_form_and_monte_carlo():
    rng = np.random.default_rng(0)
    mq, mp = rng.normal(size=5), rng.normal(size=5)
    vq, vp = rng.uniform(0.2, 2.0, 5), rng.uniform(0.2, 2.0, 5)
    got = np.asarray(nets.gaussian_kl(jnp.asarray(mq), jnp.asarray(vq), jnp.asarray(mp),
                                      jnp.asarray(vp)))
    # closed form, written with standard deviations
    sq, sp = np.sqrt(vq), np.sqrt(vp)
    closed = np.log(sp / sq) + (sq**2 + (mq - mp) ** 2) / (2 * sp**2) - 0.5
    np.testing.assert_allclose(got, closed, rtol=1e-5)
    # Monte Carlo: E_q[log q - log p]
    draws = mq + sq * rng.standard_normal((200_000, 5))
    mc = (stats.norm.logpdf(draws, mq, sq) - stats.norm.logpdf(draws, mp, sp)).mean(0)
    np.testing.assert_allclose(got, mc, atol=0.02)
    assert np.all(got >= 0)


def test_gaussian_loglik_matches_scipy():
    x, m, v = 0.3, -0.2, 0.7
    assert math.isclose(float(nets.gaussian_loglik(x, m, v)),
                        stats.norm.logpdf(x, m, math.sqrt(v)), rel_tol=1e-6)


# --------------------------------------------------------- the ELBO of a linear-Gaussian model

def _linear_gaussian_model(posterior_scale=1.0):
    """x = W z + b + N(0, s² I), z ~ N(0, I), with WᵀW diagonal so that the true posterior
    N(S Wᵀ(x - b)/s², S), S = (I + WᵀW/s²)⁻¹, is diagonal: a linear encoder can be exact."""
    W = np.array([[2.0, 0.0], [0.0, 1.0], [0.0, 0.0]])
    b = np.array([0.5, -1.0, 0.25])
    s2 = 0.25
    S = np.linalg.inv(np.eye(2) + W.T @ W / s2)
    model = BetaVAE(2, beta=1.0, hidden=(), steps=1, batch_size=8, seed=0)
    model.fit(np.random.default_rng(0).standard_normal((16, 3)))
    A = W @ S / s2                                              # mean = (x - b) @ A
    post_var = np.diag(S) * posterior_scale
    raw = [nets.inverse_softplus(v - 1e-4) for v in post_var]
    enc_W = np.c_[A, np.zeros((3, 2))]
    enc_b = np.r_[-b @ A, raw]
    f32 = lambda v: jnp.asarray(v, jnp.float32)   # noqa: E731
    model.params_ = {"encoder": [(f32(enc_W), f32(enc_b))],
                     "decoder": [(f32(W.T), f32(b))],
                     "decoder_logvar": f32(np.log(s2))}
    return model, W, b, s2, S, post_var


def test_elbo_equals_exact_log_likelihood_at_the_true_posterior():
    model, W, b, s2, S, _ = _linear_gaussian_model()
    x = np.array([[0.1, 0.2, 0.3], [2.0, -1.0, 0.0], [-1.5, 0.5, 1.0]])
    exact = stats.multivariate_normal(b, W @ W.T + s2 * np.eye(3)).logpdf(x)
    reps = 20_000
    elbo = model.elbo(np.repeat(x, reps, axis=0), seed=1).reshape(3, reps).mean(1)
    np.testing.assert_allclose(elbo, exact, atol=0.03)


def test_elbo_gap_of_a_wrong_posterior_is_its_kl_to_the_true_one():
    model, W, b, s2, S, post_var = _linear_gaussian_model(posterior_scale=3.0)
    x = np.array([[0.1, 0.2, 0.3]])
    exact = stats.multivariate_normal(b, W @ W.T + s2 * np.eye(3)).logpdf(x)
    gap = 0.5 * np.sum(post_var / np.diag(S) - 1 - np.log(post_var / np.diag(S)))
    elbo = model.elbo(np.repeat(x, 40_000, axis=0), seed=2).mean()
    assert gap > 0.5
    assert abs(elbo - (exact - gap)) < 0.05


# ------------------------------------------------------------------ the masks and their gradient

@pytest.mark.parametrize("logit,temperature", [(-1.5, 1.0), (0.0, 1.0), (2.0, 1.0),
                                               (1.0, 0.5)])
def test_mask_samples_have_the_bernoulli_law(logit, temperature):
    keys = jax.random.split(jax.random.PRNGKey(0), 4)
    logits = jnp.full((200, 200), logit, jnp.float32)
    soft = np.concatenate([np.asarray(nets.sample_mask(k, logits, temperature)).ravel()
                           for k in keys])
    p = 1 / (1 + math.exp(-logit))
    assert abs(np.mean(soft > 0.5) - p) < 0.005          # the hard sample is Bernoulli(σ(l))
    # the soft sample's mean, by quadrature over the logistic noise
    mean, _ = integrate.quad(lambda u: stats.logistic.pdf(u) /
                             (1 + math.exp(-(logit + u) / temperature)), -60, 60)
    assert abs(soft.mean() - mean) < 0.005


def test_mask_gradient_matches_finite_differences(tiny):
    model, x, a = tiny
    with jax.enable_x64(True):
        params = jax.tree_util.tree_map(lambda v: jnp.asarray(v, jnp.float64), model.params_)
        f = model.loss_function(x, a, seed=3)
        h = jax.jit(lambda L: f({**params, "logits": {"a": L}}))
        L = params["logits"]["a"]
        g = jax.jit(jax.grad(h))(L)
        eps = 1e-4
        for i, j in [(0, 0), (0, 1), (1, 0)]:
            fd = (h(L.at[i, j].add(eps)) - h(L.at[i, j].add(-eps))) / (2 * eps)
            assert float(g[i, j]) != 0.0
            assert abs(float(g[i, j]) - float(fd)) <= 1e-4 * max(1.0, abs(float(fd)))


# -------------------------------------------------------- the constraint: schedule and multiplier

def test_bound_schedule_is_linear_then_flat():
    t = np.array([0, 1, 250, 499, 500, 501, 10_000])
    got = np.asarray(bound_schedule(t, 100.0, 20.0, 500))
    expected = np.where(t < 500, 100 - 80 * t / 500, 20.0)
    np.testing.assert_allclose(got, expected, rtol=1e-6)


def test_projected_ascent_with_restarts_finds_the_kkt_point():
    """min Σ (x - c)² s.t. Σ x <= 3 with c = (3, 2, 1): the KKT point is x = c - ν/2 with
    ν = 2, i.e. (2, 1, 0). Gradient descent-ascent with dual_step reaches it."""
    c = np.array([3.0, 2.0, 1.0])
    x, lam = np.zeros(3), 0.0
    for _ in range(3000):
        x = x - 0.05 * (2 * (x - c) + lam)
        lam = float(dual_step(lam, x.sum() - 3.0, 0.01))
        assert lam >= 0.0
    np.testing.assert_allclose(x, [2.0, 1.0, 0.0], atol=0.01)
    assert lam == pytest.approx(2.0, abs=0.02)


def test_dual_step_projects_and_restarts():
    assert float(dual_step(0.5, 1.0, 0.1)) == pytest.approx(0.6)
    assert float(dual_step(0.5, 0.0, 0.1)) == 0.0        # satisfied: restart
    assert float(dual_step(0.5, -2.0, 0.1)) == 0.0


def test_history_records_the_schedule_and_the_constraint_pulls_edges_down():
    x, a, _ = _toy(512)
    model = MechanismSparsityVAE(2, bound=1, prior_hidden=(8,), hidden=(16,), steps=300,
                                 batch_size=128, log_every=50, schedule_steps=100,
                                 mask_learning_rate=0.05, dual_learning_rate=5.0,
                                 seed=0).fit(x, a)
    h = model.history_
    steps = np.asarray(h["step"])
    # the last step of each chunk is step - 1 (steps count from 0); the default warm-up is
    # a quarter of the steps (75), then 100 steps of linear decrease from 4 edges to 1
    after = np.maximum(0, steps - 1 - 75)
    np.testing.assert_allclose(h["bound"], np.maximum(1.0, 4 - 3 * after / 100), rtol=1e-6)
    assert h["expected_edges"][-1] < 1.5              # from ~4 to the budget of 1
    assert min(h["multiplier"]) >= 0.0
    assert model.graph_.Ga.sum() <= 2


# ------------------------------------------------------------------ learning a graph, for real

def test_toy_learns_the_true_action_graph_after_matching():
    """Ga = I on two latents: with the constraint at the true edge count (2), the learned
    Ĝa, rows reordered by the MCC matching, is the identity."""
    x, a, z = _toy(2048, seed=1)
    model = MechanismSparsityVAE(2, bound=2, hidden=(32, 32), prior_hidden=(16,), steps=1500,
                                 batch_size=256, log_every=250, schedule_steps=500,
                                 mask_learning_rate=0.02, seed=0).fit(x, a)
    ev = evaluate(model, x, z, ik.LatentGraph(Ga=np.eye(2, dtype=int)))
    assert ev.mcc > 0.9
    learned = model.graph_.Ga[list(ev.matching)]
    np.testing.assert_array_equal(learned, np.eye(2, dtype=bool))
    assert ev.shd == 0.0


def test_evaluate_uses_the_mcc_matching_for_shd_and_the_pattern():
    """A model that returns the truth permuted, with its graph permuted the same way: SHD 0
    and nothing outside C only if the evaluation matches before comparing."""
    g = ik.examples.get("ex8").graph
    perm = [2, 0, 1]

    class Oracle:
        graph_ = g.permute(np.argsort(perm).tolist())

        def transform(self, x):
            return x[:, perm]

    z = np.random.default_rng(0).standard_normal((600, g.n_latents))
    ev = evaluate(Oracle(), z, z, g)
    assert ev.matching == tuple(int(k) for k in np.argsort(perm))
    assert ev.mcc == pytest.approx(1.0) and ev.rcon == pytest.approx(1.0)
    assert ev.shd == 0.0
    assert ev.leaving == () and ev.mass_outside == pytest.approx(0.0, abs=1e-9)


def test_evaluate_names_the_entries_outside_the_pattern():
    """Example 8's C lets z2 and z3 mix but not z1: a representation mixing z1 into z2 has
    weight outside C at (z2, z1), and Rcon below 1."""
    g = ik.examples.get("ex8").graph
    rng = np.random.default_rng(0)
    z = rng.standard_normal((800, 3))

    class Mixer:
        def transform(self, x):
            return np.c_[x[:, 0], x[:, 1] + 0.8 * x[:, 0], x[:, 2]]

    ev = evaluate(Mixer(), z, z, g)
    C = ik.entanglement_graph(g)
    assert not C[1, 0]
    assert (g.latents[1], "zhat1") in ev.leaving
    assert ev.mass_outside > 0.1
    assert ev.rcon < 0.99


def test_regression_pattern_of_a_permutation_is_the_identity():
    z = np.random.default_rng(1).standard_normal((300, 3))
    E = regression_pattern(z, 5.0 * z[:, [1, 2, 0]], matching=(2, 0, 1))
    np.testing.assert_allclose(E, np.eye(3), atol=1e-9)


# ------------------------------------------------------------------------- the baselines

def test_beta_tcvae_terms_sum_to_the_kl_and_match_the_metric():
    """The training loss's three terms come from identkit.metrics: on the same encodings they
    equal kl_decomposition(estimator='weighted')."""
    from identkit.metrics import kl_decomposition

    model = BetaTCVAE(2)
    model.n_train_, model.temporal_ = 1000, False     # what fit would set
    rng = np.random.default_rng(0)
    mu, logvar = rng.normal(size=(64, 2)), rng.normal(-1, 0.3, size=(64, 2))
    zs = mu + np.exp(0.5 * logvar) * rng.standard_normal((64, 2))
    f32 = lambda v: jnp.asarray(v, jnp.float32)   # noqa: E731
    _, parts = model._kl_term(f32(mu), f32(np.exp(logvar)), f32(zs), 0)
    ref = kl_decomposition(mu, logvar, dataset_size=model.n_train_, estimator="weighted", z=zs)
    assert float(jnp.mean(parts["mutual_information"])) == pytest.approx(
        ref["index_code_mutual_information"], abs=1e-3)
    assert float(jnp.mean(parts["total_correlation"])) == pytest.approx(
        ref["total_correlation"], abs=1e-3)
    assert float(jnp.mean(parts["dimension_wise_kl"])) == pytest.approx(
        ref["dimension_wise_kl"], abs=1e-3)


@pytest.mark.parametrize("cls", [BetaVAE, ik.learn.AnnealedVAE, BetaTCVAE])
def test_baselines_fit_transform_and_log(cls, tmp_path):
    x, _, _ = _toy(256)
    model = cls(2, **TINY).fit(x)
    assert model.transform(x).shape == (256, 2)
    assert len(model.history_["loss"]) == 2 and np.isfinite(model.history_["loss"]).all()
    model.save(tmp_path / "m.npz")
    again = load(tmp_path / "m.npz")
    assert type(again) is cls
    np.testing.assert_array_equal(again.transform(x), model.transform(x))


def test_annealed_capacity_grows_linearly():
    model = ik.learn.AnnealedVAE(2, capacity=10.0, capacity_steps=40, steps=100)
    assert [float(model.capacity_at(t)) for t in (0, 20, 40, 80)] == [0.0, 5.0, 10.0, 10.0]


# --------------------------------------------------------------- determinism and persistence

def test_same_seed_same_model_other_seed_other_model(tiny):
    first, x, a = tiny
    runs = [first] + [MechanismSparsityVAE(2, bound=2, prior_hidden=(8,), seed=s,
                                           **TINY).fit(x, a) for s in (0, 1)]
    np.testing.assert_array_equal(runs[0].transform(x), runs[1].transform(x))
    assert runs[0].history_ == runs[1].history_
    assert not np.array_equal(runs[0].transform(x), runs[2].transform(x))


def test_temporal_model_save_load_round_trip(tmp_path):
    rng = np.random.default_rng(0)
    z0 = rng.standard_normal((256, 2))
    z1 = z0 + 0.5 * np.sin(z0) + 0.01 * rng.standard_normal((256, 2))
    pairs = np.stack([np.c_[z0, z0.sum(1)], np.c_[z1, z1.sum(1)]], axis=1)
    model = MechanismSparsityVAE(2, regularize="z", bound=2, prior_hidden=(8,),
                                 **TINY).fit(pairs)
    assert set(model.edge_probabilities_) == {"z"} and model.graph_.Gz.shape == (2, 2)
    path = tmp_path / "t.npz"
    model.save(path)
    again = load(path)
    np.testing.assert_array_equal(again.transform(pairs[:, 1]), model.transform(pairs[:, 1]))
    np.testing.assert_array_equal(again.graph_.Gz, model.graph_.Gz)
    assert again.history_ == json.loads(json.dumps(model.history_))
    with np.load(path, allow_pickle=False) as npz:       # no pickle anywhere
        assert "meta" in npz.files


def test_interrupt_keeps_the_finished_chunks(monkeypatch):
    x, a, _ = _toy(256)
    model = MechanismSparsityVAE(2, bound=2, prior_hidden=(8,), **TINY)
    import identkit._progress as progress

    calls = []

    def interrupt(self, done, extra=""):
        calls.append(done)
        if len(calls) == 1:
            raise KeyboardInterrupt

    monkeypatch.setattr(progress.Progress, "update", interrupt)
    with pytest.raises(KeyboardInterrupt):
        model.fit(x, a)
    assert model.history_["interrupted"] and model.steps_done_ == 5
    assert model.transform(x).shape == (256, 2)


# ---------------------------------------------------------------------------- bad input

@pytest.mark.parametrize("change,fragment", [
    (lambda x, a: (np.where(np.arange(len(x))[:, None] == 7, np.nan, x), a), "row 7"),
    (lambda x, a: (np.where(np.arange(len(x))[:, None] == 3, np.inf, x), a), "row 3"),
    (lambda x, a: (x[:, None, :].repeat(3, 1), a), "shape"),
    (lambda x, a: (x, a[:-1]), "actions has 255 rows"),
    (lambda x, a: (x[:32], a[:32]), "batch_size"),
    (lambda x, a: (x.astype(object), a), "dtype"),
    (lambda x, a: (x, None), "no actions"),
])
def test_bad_data_is_a_learn_error_naming_the_argument(change, fragment):
    x, a, _ = _toy(256)
    bad_x, bad_a = change(x, a)
    with pytest.raises(ik.LearnError, match=fragment):
        MechanismSparsityVAE(2, bound=2, regularize="a", **TINY).fit(bad_x, bad_a)


@pytest.mark.parametrize("kwargs,fragment", [
    ({"bound": 5}, "larger than the 4 edges"),
    ({"bound": None}, "needs bound"),
    ({"bound": -1}, "bound must be"),
    ({"bound": 2, "regularize": "z"}, "no temporal pairs"),
    ({"bound": 2, "sparsity": "l1"}, "sparsity must be"),
    ({"bound": 2, "learning_rate": float("nan")}, "learning_rate"),
    ({"bound": 2, "steps": 0}, "steps"),
    ({"bound": 2, "seed": -3}, "seed"),
    ({"bound": 2, "warmup_steps": -1}, "warmup_steps"),
    ({"bound": 2, "schedule_steps": 0}, "schedule_steps"),
    ({"bound": 2, "mask_learning_rate": 0.0}, "mask_learning_rate"),
    ({"bound": 2, "hidden": 16}, "hidden must be a sequence"),
    ({"bound": 2, "prior_hidden": (8, 0)}, "each prior_hidden width"),
])
def test_bad_settings_are_learn_errors(kwargs, fragment):
    x, a, _ = _toy(256)
    settings = {**TINY, **kwargs}
    with pytest.raises(ik.LearnError, match=fragment):
        MechanismSparsityVAE(2, **settings).fit(x, a)


def test_unfitted_and_unwritable_and_not_a_model(tmp_path):
    x, a, _ = _toy(256)
    with pytest.raises(ik.LearnError, match="not fitted"):
        BetaVAE(2).transform(x)
    model = BetaVAE(2, **TINY).fit(x)
    with pytest.raises(ik.OutputError, match="cannot write"):
        model.save(tmp_path / "missing" / "m.npz")
    with pytest.raises(ik.LearnError, match="x_dim = 4"):
        model.transform(x[:, :3])
    junk = tmp_path / "junk.npz"
    junk.write_bytes(b"not a zip")
    with pytest.raises(ik.LearnError, match="junk.npz"):
        load(junk)
    other = tmp_path / "graph.npz"
    np.savez(other, Gz=np.eye(2, dtype=np.int8))
    with pytest.raises(ik.LearnError, match="not a model"):
        load(other)
    with pytest.raises(ik.LearnError, match="no such file"):
        load(tmp_path / "nothing.npz")


# ------------------------------------------------------------------------------- the CLI

def _cli(capsys, *args):
    from identkit.cli import main

    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    folder = tmp_path_factory.mktemp("learn")
    for split, n in (("train", 600), ("test", 300)):
        ik.numeric.datasets.write_dataset("ActionNonDiag", folder / f"{split}.npz", n,
                                          split=split, d=4)
    return folder


def test_cli_fit_then_score_model(dataset, capsys):
    model = dataset / "m.npz"
    code, out, err = _cli(capsys, "fit", dataset / "train.npz", "-o", model, "--steps", "20",
                          "--batch-size", "128")
    assert code == 0, err
    assert "--bound 8" in out and "wrote" in out and model.exists()
    code, out, err = _cli(capsys, "score", "--model", model, "--data", dataset / "test.npz",
                          "--format", "json")
    assert code == 0, err
    got = json.loads(out)
    assert set(got) >= {"mcc", "r", "rcon", "shd", "mass_outside", "leaving", "pattern"}
    data = read_dataset(dataset / "test.npz")
    ev = evaluate(load(model), data["x_last"], data["z"], data["graph"])
    assert got["mcc"] == pytest.approx(ev.mcc)


@pytest.mark.parametrize("args,fragment", [
    (["fit", "{d}/train.npz", "-o", "{d}/nowhere/m.npz"], "cannot write"),
    (["fit", "{d}/train.npz", "-o", "{d}/m2.npz", "--bound", "99"], "larger than the 16"),
    (["fit", "{d}/missing.npz", "-o", "{d}/m2.npz"], "no such file"),
    (["fit", "{d}/train.npz", "-o", "{d}/m2.npz", "--batch-size", "5000"], "--batch-size"),
    (["score", "--model", "{d}/train.npz", "--data", "{d}/test.npz"], "not a model"),
    (["score", "--model", "{d}/train.npz"], "go together"),
])
def test_cli_refusals_are_one_line_and_exit_2(dataset, args, fragment, capsys):
    code, out, err = _cli(capsys, *[a.format(d=dataset) for a in args])
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and fragment in err, err


# ---------------------------------------------------------------------- jax stays in its room

def test_the_core_never_imports_jax():
    code = ("import sys, identkit, identkit.metrics, identkit.numeric, identkit.symbolic, "
            "identkit.strategies, identkit.cli\n"
            "import identkit.numeric.datasets, identkit.report, identkit.design\n"
            "bad = [m for m in ('jax', 'optax') if m in sys.modules]\n"
            "assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_without_the_extra_learn_says_what_to_install(tmp_path):
    block = tmp_path / "sitecustomize.py"
    block.write_text("import sys\nsys.modules['jax'] = None\n")
    env = {**os.environ, "PYTHONPATH": f"{tmp_path}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    proc = subprocess.run([sys.executable, "-c", "import identkit.learn"], capture_output=True,
                          text=True, env=env)
    assert "pip install 'identkit[learn]'" in proc.stderr
    proc = subprocess.run([sys.executable, "-m", "identkit", "fit", "x.npz", "-o", "m.npz"],
                          capture_output=True, text=True, env=env, cwd=tmp_path)
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1
    assert "identkit[learn]" in proc.stderr
