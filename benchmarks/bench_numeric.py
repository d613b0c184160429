"""Speed of the numeric backend: verify on d = 20 with 50 maps each, and 10^6 dataset samples."""

import numpy as np

import identkit as ik
from identkit.numeric import generate, verify


def test_verify_d20_50_maps(benchmark):
    g = ik.examples.random_graph(20, kind="both", p=0.2, n_actions=10, seed=1)
    res = benchmark(verify, g, "nonlinear", 50, seed=0)
    assert res.preserving_kept == 50 and res.violating_detected == res.violating_tried == 50
    assert res.agrees_with_theory


def test_generate_a_million_samples(benchmark):
    data = benchmark.pedantic(generate, args=("TimeNonDiag", 1_000_000), kwargs={"seed": 0},
                              rounds=1, iterations=1)
    assert data["x"].shape == (1_000_000, 20)
    assert np.isfinite(data["x"]).all()
