"""Speed goals of experiment design and repair (run with ``pytest benchmarks --benchmark-enable``).

Goals on a 2-core machine: every capped design with d <= 30 latents and K <= 5 targets (145
designs) in under 1 s in total, all proven optimal; a capped design for 10,000 latents with
K = 3 in under 1 s; the integer program for the capacity of m = 6 interventions in under 1 s
and of m = 7 in under 5 s. Measured on 2 shared cores: m = 6 takes 0.02-0.8 s, m = 7 0.2-3.9 s
(K = 2 and K = 7 are the slow ones), m = 8 1.3-20 s, m = 9 8-12 s, m = 10 with K = 10 76 s;
hence ``MILP_LIMIT = 7``. In the ordinary test run (``--benchmark-disable``) each
body runs once, so the benchmarks also check the answers.
"""

import numpy as np

import identkit as ik
from identkit.design import _milp_capacity, capped_capacity, design_interventions, repair


def all_small_capped_designs():
    return [design_interventions(d, temporal=True, max_targets=K)
            for d in range(2, 31) for K in range(1, 6)]


def test_every_capped_design_up_to_30(benchmark):
    designs = benchmark(all_small_capped_designs)
    assert len(designs) == 145 and all(des.optimal for des in designs)


def test_capped_design_10k_latents(benchmark):
    des = benchmark(design_interventions, 10_000, temporal=True, max_targets=3)
    assert des.optimal and des.n_interventions == 6_667  # ⌈2 d / K⌉
    assert all(len(t) <= 3 for t in des.targets)


def test_milp_capacity_m6(benchmark):
    value, _ = benchmark(_milp_capacity.__wrapped__, 6, 6)  # bypass the cache
    assert value == 15


def test_milp_capacity_m7(benchmark):
    value, _ = benchmark.pedantic(_milp_capacity.__wrapped__, args=(7, 5), rounds=3, iterations=1)
    assert value == 17 == capped_capacity(7, 5)[0]


def test_repair_gz_only_model_with_existing_actions(benchmark):
    rng = np.random.default_rng(3)
    d = 300
    Gz = np.kron(np.eye(d // 3, dtype=bool), np.ones((3, 3), dtype=bool))
    Ga = rng.random((d, 20)) < 0.05
    g = ik.LatentGraph(Gz=Gz, Ga=Ga)
    r = benchmark(repair, g, "z", temporal=True)
    assert r.after.complete and r.after.regularize == "az"
