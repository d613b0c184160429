"""Speed goals of the graph core (run with ``pytest benchmarks --benchmark-enable``).

Goals on a 2-core machine: ``analyze`` on 10,000 latents / 2,000 actions / ~4 parents per latent in
each graph under 1 s with memory proportional to edges plus output; dense ``entanglement_graph``
for d = 3,000 under 1 s; group orders for the identity Gz on 1,000 latents and for 1,000 latents
in 100 twin classes under 1 s. In the ordinary test run (``--benchmark-disable``) each body runs
once, so the benchmarks also check that the large cases still work and give the right answers.
"""

import math

import numpy as np
import scipy.sparse as sp

import identkit as ik


def peak_memory(fn, *args):
    """``fn(*args)`` and the peak of traced allocations while it ran (bytes)."""
    import tracemalloc

    tracemalloc.start()
    try:
        result = fn(*args)
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def sparse_model(d, m, parents=4, seed=0):
    """Random model with `parents` temporal parents and `parents` action parents per latent."""
    rng = np.random.default_rng(seed)
    rows = np.repeat(np.arange(d), parents)
    z_cols = rng.integers(0, d, size=d * parents)
    a_cols = rng.integers(0, m, size=d * parents)
    Gz = sp.csr_array((np.ones(rows.size, bool), (rows, z_cols)), shape=(d, d))
    Ga = sp.csr_array((np.ones(rows.size, bool), (rows, a_cols)), shape=(d, m))
    return ik.LatentGraph(Gz=Gz, Ga=Ga)


def test_analyze_10k_latents(benchmark):
    g = sparse_model(10_000, 2_000)
    report = benchmark(ik.analyze, g)
    assert report.complete is False or report.complete is True
    assert "entanglement_graph" not in report.__dict__  # no dense d x d matrix was built
    # a second route on a sample of latents: the intersections of Assumption 5
    wit = ik.criterion_witnesses(g)
    assert set(wit) == set(range(g.n_latents)) - set(report.identified)


def test_analyze_10k_latents_temporal_only(benchmark):
    g = sparse_model(10_000, 2_000).restrict("z")
    benchmark(ik.analyze, g)


def test_entanglement_graph_3000(benchmark):
    g = sparse_model(3_000, 600)
    C = benchmark(ik.entanglement_graph, g)
    assert C.shape == (3000, 3000) and C.diagonal().all()


def test_entanglement_graph_3000_dense_graphs(benchmark):
    rng = np.random.default_rng(1)
    g = ik.LatentGraph(Gz=rng.random((3000, 3000)) < 0.5)
    C = benchmark(ik.entanglement_graph, g)
    assert C.shape == (3000, 3000)


def test_automorphism_order_identity_1000(benchmark):
    g = ik.LatentGraph(Gz=sp.eye_array(1000, format="csr"))
    order = benchmark(lambda: ik.automorphisms(g).order())
    assert order == math.factorial(1000)


def test_group_orders_100_twin_classes(benchmark):
    Gz = sp.kron(sp.eye_array(100), np.ones((10, 10)), format="csr")
    g = ik.LatentGraph(Gz=Gz)

    def both():
        return ik.automorphisms(g).order(), ik.graph_preserving_permutations(g).order()

    aut, gp = benchmark(both)
    assert gp == math.factorial(10) ** 100
    assert aut == math.factorial(100) * gp


def test_automorphisms_random_sparse_1000(benchmark):
    g = sparse_model(1_000, 200, parents=3, seed=4)
    benchmark(lambda: ik.automorphisms(g).order())


def test_design_10k_latents(benchmark):
    from identkit.design import design_interventions

    des = benchmark(design_interventions, 10_000)
    assert des.n_interventions == 16 and des.optimal


def test_repair_500_latents(benchmark):
    from identkit.design import repair

    rng = np.random.default_rng(7)
    # 250 twin pairs of latents with random one-way links between pairs
    Gz = np.kron(np.eye(250, dtype=bool), np.ones((2, 2), dtype=bool))
    Gz |= np.kron(np.tril(rng.random((250, 250)) < 0.01, -1), np.ones((2, 2), dtype=bool))
    g = ik.LatentGraph(Gz=Gz)
    r = benchmark(repair, g, temporal=True)
    assert r.after.complete


def test_reading_a_10mb_graph_file(benchmark, tmp_path):
    """Memory goal: a 10 MB graph file takes no more than a few times its size to read."""
    import json
    import os

    rng = np.random.default_rng(0)
    d = 1800
    path = tmp_path / "big.json"
    path.write_text(json.dumps({"Gz": (rng.random((d, d)) < 0.01).astype(int).tolist()}))
    size = os.path.getsize(path)
    assert size > 9_000_000
    g, peak = peak_memory(ik.io.read_graph, path)
    assert g.n_latents == d
    assert peak < 6 * size, f"peak {peak / 1e6:.1f} MB for a {size / 1e6:.1f} MB file"
    benchmark.pedantic(ik.io.read_graph, args=(path,), rounds=1, iterations=1)


def test_reading_a_yaml_graph_file(benchmark, tmp_path):
    """Memory goal for YAML too: PyYAML's node graph would take over 100 times the file's size;
    the streaming loader stays within a few times it."""
    import os

    rng = np.random.default_rng(0)
    d = 1000
    rows = (rng.random((d, d)) < 0.01).astype(int).tolist()
    path = tmp_path / "big.yaml"
    path.write_text("Gz:\n" + "\n".join("- [" + ", ".join(map(str, r)) + "]" for r in rows) + "\n")
    size = os.path.getsize(path)
    g, peak = peak_memory(ik.io.read_graph, path)
    assert g.n_latents == d
    assert peak < 8 * size, f"peak {peak / 1e6:.1f} MB for a {size / 1e6:.1f} MB file"
    benchmark.pedantic(ik.io.read_graph, args=(path,), rounds=1, iterations=1)


def test_analyze_10k_latents_with_a_global_action(benchmark):
    """An action that targets every latent is shared by all rows of F: pairing rows through it
    (F Fᵀ) would cost d² = 10^8 entries; the rarest-column route never pairs through it."""
    g = sparse_model(10_000, 2_000)
    Ga = sp.hstack([g.Ga_sparse, sp.csr_array(np.ones((10_000, 1), dtype=bool))], format="csr")
    h = ik.LatentGraph(Gz=g.Gz_sparse, Ga=Ga)
    report, peak = peak_memory(ik.analyze, h)
    assert peak < 150e6, f"peak {peak / 1e6:.0f} MB"
    assert report.complete == ik.analyze(g).complete
    benchmark(ik.analyze, h)
