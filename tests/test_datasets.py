"""The paper's synthetic datasets (App. C.1, eqs. 72-77) against the paper written out here.

Every mean and variance is re-derived in this file from the paper's equations, in plain Python
(`math`, loops), and compared on fixed inputs with what the generator's process computes; the
generated data are then checked against the same equations and the paper's constants by
distribution tests whose tolerances a wrong constant cannot meet.
"""

import math

import numpy as np
import pytest
from scipy import stats

import identkit as ik
from identkit.cli import main
from identkit.errors import DatasetError
from identkit.numeric import (
    DATASETS,
    PaperMixing,
    dataset_graph,
    dataset_process,
    generate,
    generate_splits,
)

D = 10

# ------------------------------------------------------------------ the paper, written out


def graph_72(d=D):
    """Eq. (72): the diagonal and the cyclic sub-diagonal (row 0 reads a_0 and a_{d-1})."""
    return [[1 if j == i or j == (i - 1) % d else 0 for j in range(d)] for i in range(d)]


def graph_75(d=D):
    """Eq. (75): the full lower triangle with the diagonal."""
    return [[1 if j <= i else 0 for j in range(d)] for i in range(d)]


def graph_block_action(extra):
    """Figure 7: z_{2k}, z_{2k+1} <- a_k; ActionBlockNonDiag adds a_0 -> z_8, z_9."""
    G = [[1 if j == i // 2 else 0 for j in range(5)] for i in range(10)]
    if extra:
        G[8][0] = G[9][0] = 1
    return G


def graph_block_time(extra):
    """Figure 7: 2x2 blocks; TimeBlockNonDiag adds z_8, z_9 -> z_0, z_1 and
    z_0, z_1, z_4, z_5 -> z_8, z_9."""
    G = [[1 if j // 2 == i // 2 else 0 for j in range(10)] for i in range(10)]
    if extra:
        for i in (0, 1):
            for j in (8, 9):
                G[i][j] = 1
        for i in (8, 9):
            for j in (0, 1, 4, 5):
                G[i][j] = 1
    return G


# Each function takes u as a list of coordinates, each a float or a numpy column (the same code
# then runs on one fixed input or on a whole generated batch), and returns a list of rows.


def eq73(G, u):
    """μ_i = Σ_j G[i, j] sin(u_j (i+3)/π + i), rows 0-based."""
    return [sum(G[i][j] * np.sin(u[j] * (i + 3) / math.pi + i) for j in range(len(u)))
            for i in range(len(G))]


def eq74(G, u):
    """σ_i² = (1/(10 n)) exp(Σ_j G[i, j] cos(u_j (i+3)/π + i)), n = len(u)."""
    return [np.exp(sum(G[i][j] * np.cos(u[j] * (i + 3) / math.pi + i)
                       for j in range(len(u)))) / (10 * len(u)) for i in range(len(G))]


def eq76(G, z):
    """μ = z + 0.5 m(z) with m of eq. (73)."""
    return [z[i] + 0.5 * v for i, v in enumerate(eq73(G, z))]


def action_diag(a):
    return [np.sin(v) for v in a]


def time_diag(z):
    return [v + 0.5 * np.sin(v) for v in z]


IDENTITY = [[int(i == j) for j in range(D)] for i in range(D)]

# name -> (graph, mean(u), variance(u)); the linear datasets are checked separately
PAPER = {
    "ActionDiag": (IDENTITY, action_diag, None),
    "ActionNonDiag": (graph_72(), lambda u: eq73(graph_72(), u), None),
    "ActionNonDiagK2": (graph_72(), lambda u: eq73(graph_72(), u),
                        lambda u: eq74(graph_72(), u)),
    "ActionBlockDiag": (graph_block_action(False), lambda u: eq73(graph_block_action(False), u),
                        None),
    "ActionBlockNonDiag": (graph_block_action(True), lambda u: eq73(graph_block_action(True), u),
                           None),
    "TimeDiag": (IDENTITY, time_diag, None),
    "TimeNonDiag": (graph_75(), lambda z: eq76(graph_75(), z), None),
    "TimeNonDiagK2": (graph_75(), lambda z: eq76(graph_75(), z), lambda z: eq74(graph_75(), z)),
    "TimeBlockDiag": (graph_block_time(False), lambda z: eq76(graph_block_time(False), z), None),
    "TimeBlockNonDiag": (graph_block_time(True), lambda z: eq76(graph_block_time(True), z),
                         None),
}


def fixed_inputs(k, rows=4):
    """Deterministic inputs in (-2, 2), different in every coordinate."""
    return np.array([[1.9 * math.sin(1.3 * r + 0.7 * j + 0.4) for j in range(k)]
                     for r in range(rows)])


def process_moments(proc, u):
    """The generator's mean and variance at inputs u (actions, or z^{t-1})."""
    n = u.shape[0]
    if proc.temporal:
        return proc.mechanism.moments(u[:, None, :], np.zeros((n, 0)))
    return proc.mechanism.moments(np.zeros((n, 0, proc.d)), u)


def inputs_of(data):
    return data["z_prev"][:, 0] if data["z_prev"].shape[1] else data["a"]


def mean_of(name, u):
    """The paper's mean of a named dataset on a batch u (n, k), column by column."""
    return np.stack(PAPER[name][1](list(u.T)), axis=1)


# ------------------------------------------------------------------ equations on fixed inputs


@pytest.mark.parametrize("name", sorted(PAPER))
def test_mean_and_variance_follow_the_paper_on_fixed_inputs(name):
    """Eqs. (73), (74), (76), (77) and the Diag means, every dataset, exact to 1e-12."""
    G, mean, var = PAPER[name]
    proc = dataset_process(name, seed=0)
    assert proc.graph == ik.LatentGraph(**{("Gz" if proc.temporal else "Ga"): G})
    u = fixed_inputs(len(G[0]))
    mu, sigma2 = process_moments(proc, u)
    want_mu = np.array([mean(list(row)) for row in u])
    want_var = np.array([var(list(row)) for row in u]) if var else np.full(mu.shape, 1e-4)
    np.testing.assert_allclose(mu, want_mu, rtol=0, atol=1e-12)
    np.testing.assert_allclose(sigma2, want_var, rtol=1e-12, atol=0)


def test_sinusoid_frequency_is_i_plus_3_over_pi_not_pi_over_i_plus_3():
    """Bug 1: row i of eq. (73) reads sin(a (i+3)/π + i); the old π/(i+3) is far from it."""
    proc = dataset_process("ActionNonDiag", seed=0)
    a = np.zeros((1, D))
    a[0, 4] = 1.5                         # only a_4 moves: rows 4 and 5 read it
    mu, _ = process_moments(proc, a)
    assert mu[0, 4] == pytest.approx(math.sin(1.5 * 7 / math.pi + 4) + math.sin(0 + 4), abs=1e-13)
    assert mu[0, 5] == pytest.approx(math.sin(1.5 * 8 / math.pi + 5) + math.sin(0 + 5), abs=1e-13)
    wrong = math.sin(1.5 * math.pi / 7 + 4) + math.sin(4)
    assert abs(mu[0, 4] - wrong) > 0.1


def test_diag_datasets_use_the_plain_sine_not_the_shifted_one():
    """Bug 2: ActionDiag is sin(a_i) and TimeDiag z_i + 0.5 sin(z_i) (App. C.1), with neither
    the frequency (i+3)/π nor the phase i of eq. (73)."""
    u = fixed_inputs(D, rows=1)
    mu_a, _ = process_moments(dataset_process("ActionDiag"), u)
    mu_t, _ = process_moments(dataset_process("TimeDiag"), u)
    np.testing.assert_allclose(mu_a[0], np.sin(u[0]), atol=1e-14)
    np.testing.assert_allclose(mu_t[0], u[0] + 0.5 * np.sin(u[0]), atol=1e-14)
    shifted = [math.sin(u[0, i] * (i + 3) / math.pi + i) for i in range(D)]
    assert np.abs(mu_a[0] - shifted).max() > 0.1


def test_k2_variance_is_exp_of_the_cosine_sum_over_10_inputs_without_a_half():
    """Bug 4: eq. (74) is (1/(10 d_a)) exp(Σ G cos(..)), not 0.1 exp(½ Σ G cos(..)); its
    maximum 0.1 e / d (two cosines of 1 in a row of eq. 72) bounds every value."""
    proc = dataset_process("ActionNonDiagK2", seed=0)
    u = fixed_inputs(D)
    _, var = process_moments(proc, u)
    G = graph_72()
    old = np.array([[0.1 * math.exp(0.5 * sum(G[i][j] * math.cos(row[j] * (i + 3) / math.pi + i)
                                              for j in range(D))) for i in range(D)]
                    for row in u])
    assert np.all(np.abs(var / old - 1) > 0.5)
    assert var.max() <= 0.1 * math.e ** 2 / D and var.min() >= 0.1 * math.e ** -2 / D


def test_linear_no_sufficient_influence_means_are_masked_gaussian_weights():
    """Table 3's NoSuffInf datasets: μ = (Ga ⊙ W) a and μ = z + 0.5 (Gz ⊙ W) z, W ~ N(0, 1)
    drawn once per process; the mask is the graph of eq. (72) or (75)."""
    for name, G, temporal in (("ActionNonDiagNoSuffInf", graph_72(), False),
                              ("TimeNonDiagNoSuffInf", graph_75(), True)):
        proc = dataset_process(name, seed=4)
        u = fixed_inputs(D)
        mu, var = process_moments(proc, u)
        cols = [process_moments(proc, np.eye(D)[[j]])[0][0] for j in range(D)]
        M = np.array(cols).T                       # M[:, j] = μ(e_j)
        if temporal:
            M = 2 * (M - np.eye(D))                # μ(e_j) = e_j + 0.5 (Gz ⊙ W) e_j
        assert np.array_equal(M != 0, np.array(G, bool))
        want = u + 0.5 * u @ M.T if temporal else u @ M.T
        np.testing.assert_allclose(mu, want, atol=1e-12)
        np.testing.assert_allclose(var, 1e-4, rtol=1e-12)
        again = dataset_process(name, seed=4)
        np.testing.assert_array_equal(process_moments(again, u)[0], mu)


# ------------------------------------------------------------------ graphs


def test_graphs_match_the_paper_and_the_catalogue():
    counts = {"ActionNonDiag": 20, "TimeNonDiag": 55, "ActionBlockNonDiag": 12,
              "TimeBlockNonDiag": 20 + 4 + 8}
    for name, (G, _, _) in PAPER.items():
        g, _, _ = dataset_graph(name)
        base = name.replace("K2", "")
        assert g == ik.examples.get(base).graph
        arr = g.Gz if g.Gz_sparse is not None else g.Ga
        assert arr.astype(int).tolist() == G
        if name in counts:
            assert int(arr.sum()) == counts[name]


def test_random_graphs_force_self_loops_only_in_time():
    """App. C.1.2: Ga[i, j] ~ Ber(p) i.i.d.; Gz the same except Gz[i, i] = 1."""
    ga = np.stack([dataset_graph("ActionRandomGraphs", p=0.3, seed=s)[0].Ga for s in range(40)])
    gz = np.stack([dataset_graph("TimeRandomGraphs", p=0.3, seed=s)[0].Gz for s in range(40)])
    assert gz[:, np.arange(D), np.arange(D)].all()
    diag = ga[:, np.arange(D), np.arange(D)].mean()
    off = gz[:, ~np.eye(D, dtype=bool)].mean()
    assert abs(diag - 0.3) < 0.07 and abs(ga.mean() - 0.3) < 0.03 and abs(off - 0.3) < 0.03
    one = dataset_process("TimeRandomGraphs", seed=1, graph_seed=9).graph
    assert one == dataset_process("TimeRandomGraphs", seed=2, graph_seed=9).graph


def test_latent_dimension_knob_builds_the_same_patterns():
    g = dataset_graph("ActionNonDiag", d=4)[0]
    assert g.Ga.astype(int).tolist() == graph_72(4)
    assert dataset_graph("TimeNonDiag", d=3)[0].Gz.astype(int).tolist() == graph_75(3)
    assert dataset_graph("TimeBlockDiag", d=4)[0].Gz.sum() == 8
    with pytest.raises(DatasetError, match="even"):
        dataset_graph("ActionBlockDiag", d=5)
    with pytest.raises(DatasetError, match="d = 10 only"):
        dataset_graph("TimeBlockNonDiag", d=8)
    proc = dataset_process("TimeNonDiagK2", d=4)
    _, var = process_moments(proc, fixed_inputs(4))
    want = [eq74(graph_75(4), list(row)) for row in fixed_inputs(4)]
    np.testing.assert_allclose(var, want, rtol=1e-12)


# ------------------------------------------------------------------ distributions


def test_actions_are_uniform_on_minus_2_2_not_standard_normal():
    """Bug 5: App. C.1 samples each action uniformly in [-2, 2]."""
    a = generate("ActionNonDiag", 5000, seed=0)["a"].ravel()
    assert stats.kstest(a, "uniform", args=(-2, 4)).pvalue > 1e-3
    assert stats.kstest(a, "norm").pvalue < 1e-10
    assert a.min() >= -2 and a.max() <= 2


def test_initial_latents_are_standard_normal_and_there_are_no_actions_in_time():
    data = generate("TimeNonDiag", 5000, seed=0)
    assert data["a"].shape == (5000, 0) and data["z_prev"].shape == (5000, 1, D)
    assert stats.kstest(data["z_prev"].ravel(), "norm").pvalue > 1e-3


@pytest.mark.parametrize("name", ["ActionNonDiag", "ActionBlockNonDiag", "TimeDiag",
                                  "TimeNonDiag", "TimeBlockNonDiag"])
def test_transition_residual_variance_is_1e_4(name):
    """Bug 3: z^t - μ (μ from this file's equations) has variance 1e-4 in every coordinate,
    not 0.1; 20 000 draws put the estimate within 3 % (the sampling error is ~1 %)."""
    data = generate(name, 20_000, seed=1)
    r = data["z"] - mean_of(name, inputs_of(data))
    var = r.var(0)
    assert np.all(np.abs(var / 1e-4 - 1) < 0.03), var
    assert np.abs(r.mean(0)).max() < 4 * 0.01 / math.sqrt(20_000)


@pytest.mark.parametrize("name", ["ActionNonDiagK2", "TimeNonDiagK2"])
def test_k2_residuals_standardise_with_eqs_74_and_77(name):
    """(z - μ) / sqrt(σ²(u)) with σ² of eq. (74) or (77): unit variance, normal."""
    data = generate(name, 20_000, seed=2)
    u = inputs_of(data)
    G = PAPER[name][0]
    sd = np.sqrt(np.stack(eq74(G, list(u.T)), axis=1))
    e = (data["z"] - mean_of(name, u)) / sd
    assert np.all(np.abs(e.var(0) - 1) < 0.03)
    assert stats.kstest(e.ravel()[:20_000], "norm").pvalue > 1e-3


def test_x_is_standardised_per_dimension_on_each_split_before_the_noise():
    """Bug 7: before the noise each dimension of x (both steps pooled) has mean 0, std 1, on
    every split with its own statistics; without standardisation it does not."""
    for name in ("ActionBlockDiag", "TimeNonDiag"):
        proc = dataset_process(name, seed=3, obs_noise=0.0)
        for split in ("train", "test"):
            data = proc.split(split, 3000)
            pooled = np.concatenate([data["x_prev"].reshape(-1, 20), data["x"]])
            np.testing.assert_allclose(pooled.mean(0), 0, atol=1e-12)
            np.testing.assert_allclose(pooled.std(0), 1, atol=1e-12)
        raw = dataset_process(name, seed=3, obs_noise=0.0, standardize=False).split("test", 3000)
        assert np.abs(raw["x"].std(0) - 1).max() > 0.05
        np.testing.assert_array_equal(raw["x_mean"], 0)
    a, b = proc.split("train", 3000), proc.split("test", 3000)
    assert not np.array_equal(a["x_mean"], b["x_mean"])


def test_observation_noise_has_standard_deviation_0_01():
    """Bug 8: x = standardised f(z) + N(0, 0.01²); the same process and split seed without
    noise gives the clean x, so the difference is the noise itself."""
    noisy = dataset_process("TimeBlockDiag", seed=5).split("valid", 5000)
    clean = dataset_process("TimeBlockDiag", seed=5, obs_noise=0.0).split("valid", 5000)
    np.testing.assert_array_equal(noisy["z"], clean["z"])
    eps = np.concatenate([(noisy["x"] - clean["x"]).ravel(),
                          (noisy["x_prev"] - clean["x_prev"]).ravel()])
    assert abs(eps.std() / 0.01 - 1) < 0.01
    assert abs(eps.mean()) < 4 * 0.01 / math.sqrt(eps.size)
    assert stats.kstest(eps[:20_000] / 0.01, "norm").pvalue > 1e-3


# ------------------------------------------------------------------ the mixing function


def test_mixing_has_width_x_dim_and_scaled_orthogonal_layers():
    """Bug 6: three hidden layers of x_dim = 20 units, each weight an orthonormal-row matrix
    times sqrt(2/(1+0.2²)) sqrt(2/(fan_in+fan_out))."""
    f = dataset_process("ActionNonDiag", seed=0).mixing
    shapes = [(10, 20), (20, 20), (20, 20), (20, 20)]
    assert [w.shape for w in f.weights] == shapes
    for W, (fi, fo) in zip(f.weights, shapes):
        c = math.sqrt(2 / (1 + 0.2 ** 2)) * math.sqrt(2 / (fi + fo))
        np.testing.assert_allclose(W @ W.T, c ** 2 * np.eye(fi), atol=1e-14)
    z = fixed_inputs(10)
    h = z
    for k, W in enumerate(f.weights):
        h = h @ W
        if k < 3:
            h = np.where(h > 0, h, 0.2 * h)
    np.testing.assert_allclose(f(z), h, atol=1e-14)
    wide = PaperMixing(10, 32, seed=0)
    assert [w.shape for w in wide.weights] == [(10, 32), (32, 32), (32, 32), (32, 32)]


def test_mixing_inverts_generated_data_to_1e_8_on_every_split():
    """Injectivity, and one mixing for all splits: the process's f inverts each split's
    un-standardised x back to its z and z_prev."""
    for name in ("ActionNonDiag", "TimeNonDiagK2"):
        proc = dataset_process(name, seed=6, obs_noise=0.0)
        for split in ("train", "valid", "test"):
            data = proc.split(split, 2000)
            x = data["x"] * data["x_std"] + data["x_mean"]
            assert np.abs(proc.mixing.inverse(x) - data["z"]).max() < 1e-8
            if proc.temporal:
                x0 = data["x_prev"][:, 0] * data["x_std"] + data["x_mean"]
                assert np.abs(proc.mixing.inverse(x0) - data["z_prev"][:, 0]).max() < 1e-8
    other = dataset_process("ActionNonDiag", seed=7, obs_noise=0.0).mixing
    assert np.abs(other.inverse(x) - data["z"]).max() > 0.1


def test_mixing_rejects_a_non_injective_width():
    with pytest.raises(DatasetError, match="injective"):
        PaperMixing(10, 8)
    with pytest.raises(DatasetError, match="x_dim"):
        dataset_process("TimeDiag", x_dim=5)


# ------------------------------------------------------------------ splits, seeds, sizes


def test_splits_share_the_process_and_differ_in_noise():
    splits = generate_splits("ActionNonDiagNoSuffInf", 2000, seed=8)
    assert {k: v["z"].shape[0] for k, v in splits.items()} == {"train": 1400, "valid": 300,
                                                                "test": 300}
    proc = dataset_process("ActionNonDiagNoSuffInf", seed=8)
    M = proc.graph.Ga * proc.mechanism.Wa
    for name, data in splits.items():
        r = data["z"] - data["a"] @ M.T
        assert abs(r.var() / 1e-4 - 1) < 0.1          # >= 3000 values: ~4 standard errors
        one = generate("ActionNonDiagNoSuffInf", data["z"].shape[0], seed=8, split=name)
        for k in data:
            assert data[k].tobytes() == one[k].tobytes()
    assert not np.array_equal(splits["valid"]["a"], splits["test"]["a"])


def test_same_seed_same_bytes_and_another_seed_other_bytes():
    for name in DATASETS:
        a = generate(name, 300, seed=11)
        b = generate(name, 300, seed=11)
        assert a.keys() == b.keys()
        for k in a:
            assert a[k].tobytes() == b[k].tobytes(), (name, k)
        c = generate(name, 300, seed=12)
        assert a["x"].tobytes() != c["x"].tobytes()
    g = np.random.default_rng(3)
    assert generate("TimeDiag", 50, seed=g)["x"].tobytes() != \
        generate("TimeDiag", 50, seed=g)["x"].tobytes()        # one stream, threaded


def test_chunked_draws_do_not_depend_on_the_block_size(monkeypatch):
    import identkit.numeric.datasets as ds

    a = generate("TimeNonDiagK2", 5000, seed=13)
    monkeypatch.setattr(ds, "_CHUNK", 777)
    b = generate("TimeNonDiagK2", 5000, seed=13)
    for k in a:
        if a[k].dtype.kind == "f":
            np.testing.assert_allclose(a[k], b[k], rtol=0, atol=1e-12)
        else:
            np.testing.assert_array_equal(a[k], b[k])


def test_memory_refusal_states_the_bytes_needed():
    with pytest.raises(DatasetError, match=r"need 4\.8 MB of memory; only 1\.0 kB"):
        generate("TimeNonDiag", 10_000, memory_limit=1000)
    with pytest.raises(DatasetError, match="need"):
        generate_splits("ActionDiag", 10_000, memory_limit=1000)


def test_bad_knobs_raise_typed_errors_naming_them():
    with pytest.raises(DatasetError, match="split"):
        generate("TimeDiag", 10, split="dev")
    with pytest.raises(DatasetError, match="obs_noise"):
        generate("TimeDiag", 10, obs_noise=-1.0)
    with pytest.raises(DatasetError, match="transition_variance"):
        generate("TimeDiag", 10, transition_variance=0.0)
    with pytest.raises(DatasetError, match="positive integer"):
        generate("TimeDiag", 0)
    with pytest.raises(DatasetError, match="fixes its mechanism"):
        generate("TimeDiag", 10, mechanism="linear")
    with pytest.raises(DatasetError, match="fractions"):
        generate_splits("TimeDiag", 10, fractions=(0.9, 0.2, 0.1))
    with pytest.raises(ik.ExampleNotFoundError, match="did you mean 'TimeNonDiag'"):
        generate("TimeNonDiagg", 10)


def test_knobs_change_the_law_as_documented():
    data = generate("TimeNonDiag", 20_000, seed=14, transition_variance=0.04)
    r = data["z"] - mean_of("TimeNonDiag", inputs_of(data))
    assert abs(r.var() / 0.04 - 1) < 0.03
    assert generate("ActionDiag", 10, x_dim=30)["x"].shape == (10, 30)
    g = ik.LatentGraph(Gz=[[1, 0], [1, 1]], Ga=[[1], [0]])
    data = generate(g, 2000, seed=0, mechanism="heteroscedastic")
    assert data["a"].shape == (2000, 1) and data["x"].shape == (2000, 20)
    assert np.abs(data["a"]).max() <= 2


# ------------------------------------------------------------------ the command line


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_generate_check_and_score_chain_without_conversion(tmp_path, capsys):
    path = tmp_path / "d.npz"
    code, out, err = run(capsys, "generate", "ActionNonDiag", "--samples", "400", "-o", str(path))
    assert code == 0 and err == ""
    code, out, err = run(capsys, "check", str(path))
    assert code == 0 and out.startswith("Complete disentanglement is guaranteed")
    with np.load(path) as data:
        np.save(tmp_path / "zhat.npy", data["z"][:, ::-1])
    code, out, err = run(capsys, "score", "--true", str(path), "--learned",
                         str(tmp_path / "zhat.npy"))
    assert code == 0 and "MCC (pearson): 1.0000" in out


def test_generate_writes_three_splits(tmp_path, capsys):
    code, out, _ = run(capsys, "generate", "TimeNonDiagK2", "--samples", "1000", "--split", "all",
                       "--seed", "2", "-o", str(tmp_path / "s.npz"))
    assert code == 0 and out.count("wrote") == 3
    sizes = {}
    for split in ("train", "valid", "test"):
        with np.load(tmp_path / f"s_{split}.npz") as data:
            sizes[split] = data["z"].shape[0]
            if split == "test":
                test_bytes = data["x"].tobytes()
    assert sizes == {"train": 700, "valid": 150, "test": 150}
    assert generate("TimeNonDiagK2", 150, seed=2, split="test")["x"].tobytes() == test_bytes


def test_generate_knobs_reach_the_process(tmp_path, capsys):
    path = tmp_path / "k.npz"
    code, _, _ = run(capsys, "generate", "ActionBlockDiag", "--samples", "300", "--latents", "6",
                     "--x-dim", "12", "--obs-noise", "0", "--no-standardize", "-o", str(path))
    assert code == 0
    with np.load(path) as data:
        assert data["x"].shape == (300, 12) and data["Ga"].shape == (6, 3)
        np.testing.assert_array_equal(data["x_std"], 1)


def test_generate_refuses_10_to_the_12_samples_in_one_line(capsys):
    code, out, err = run(capsys, "generate", "TimeNonDiag", "--samples", str(10 ** 12), "-o",
                         "never-written.npz")
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1
    assert "need 480.0 TB of memory" in err


def test_generate_bad_knob_is_one_line_exit_2(capsys):
    code, _, err = run(capsys, "generate", "TimeDiag", "--samples", "10", "--obs-noise", "-1",
                       "-o", "x.npz")
    assert code == 2 and "--obs-noise" in err and "obs_noise" not in err and len(err.strip().splitlines()) == 1


# ------------------------------------------------------------------ the two routes, memory


@pytest.mark.parametrize("d, p", [(1, 1.0), (3, 0.5), (10, 0.6), (12, 1.0), (16, 0.3)])
def test_rotation_route_equals_the_per_edge_route(d, p):
    """The sinusoid sums by angle rotation agree with one sin/cos per edge, for the paper's
    (i+3)/π and i and for the plain sine, on inputs far outside the data's range."""
    rng = np.random.default_rng(d)
    for freq, phase in ((None, None), (1.0, 0.0)):
        for kind in ("action", "time"):
            g = ik.examples.random_graph(d, kind=kind, p=p, seed=d)
            mech = ik.numeric.GaussianMechanism(g, variance="heteroscedastic", frequency=freq,
                                                phase=phase)
            G = (mech.Gz if kind == "time" else mech.Ga)
            x = rng.uniform(-12, 12, (50, G.shape[1]))
            which = "z" if kind == "time" else "a"
            assert mech._progression is not None
            rot = mech._edge_sums(x, which, True, True) if G.sum() else None
            mech._progression = None                    # only the per-edge route is left
            per_edge = mech._edge_sums(x, which, True, True)
            arg = x[:, None, :] * mech.omega[:, None] + mech.phi[:, None]
            dense = ((G * np.sin(arg)).sum(-1), (G * np.cos(arg)).sum(-1))
            for a, b in zip(per_edge, dense):
                np.testing.assert_allclose(a, b, atol=1e-12)
            if rot is not None:
                for a, b in zip(rot, dense):
                    np.testing.assert_allclose(a, b, atol=1e-12)


def test_frequencies_that_are_no_progression_take_the_per_edge_route():
    g = ik.examples.get("TimeNonDiag").graph
    freq = np.arange(10.0) ** 2
    mech = ik.numeric.GaussianMechanism(g, frequency=freq, phase=0.0)
    assert mech._progression is None
    z = fixed_inputs(10)
    want = [[z[r, i] + 0.5 * sum(math.sin(freq[i] * z[r, j]) for j in range(i + 1))
             for i in range(10)] for r in range(len(z))]
    np.testing.assert_allclose(mech.mean(z[:, None, :]), want, atol=1e-12)


def test_memory_is_the_output_plus_a_bounded_block():
    """Peak traced memory of a 40 000-example split (19.2 MB of output) exceeds the output by
    less than 8 MB: the working memory is a few 4096-row blocks (~4.6 MB), not the ~38 MB of
    whole-batch temporaries."""
    import tracemalloc

    tracemalloc.start()
    data = generate("TimeNonDiagK2", 40_000, seed=0)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    out = sum(v.nbytes for v in data.values())
    assert 0 <= out - dataset_process("TimeNonDiagK2").nbytes(40_000) < 10_000  # + graphs
    assert peak - out < 8e6, (peak, out)


def test_a_bad_sample_count_is_refused_before_any_size_arithmetic():
    with pytest.raises(DatasetError, match="positive integer"):
        dataset_process("TimeDiag").sample("many")
    with pytest.raises(DatasetError, match="positive integer"):
        generate("TimeDiag", 2.5)


def test_dataset_name_is_the_one_normalisation_case_and_k_equals_2():
    from identkit.numeric import dataset_name, is_dataset_name

    assert dataset_name("actionnondiagk=2") == "ActionNonDiagK2"
    assert dataset_name("TIMEDIAG") == "TimeDiag"
    assert is_dataset_name("TimeNonDiagK=2") and not is_dataset_name("TimeNonDiagK3")
    assert not is_dataset_name(3)
    with pytest.raises(ik.ExampleNotFoundError, match="did you mean 'ActionDiag'"):
        dataset_name("ActionDaig")
    # dataset_graph and dataset_process read names through it
    assert dataset_graph("timediag")[0] == dataset_graph("TimeDiag")[0]
