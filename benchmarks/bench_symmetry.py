"""Speed goals of the symmetry and consistency search (``pytest benchmarks --benchmark-enable``).

Goals on a 2-core machine: no automorphism order and no consistency decision (against a
relabelled copy or a near miss) over 1 s for d ≤ 200 in the structured families of
``tests/test_symmetry_scale.py`` (circulants, Paley tournaments and graphs, spiders, CFI graphs
and their twists, disjoint unions); none over 5 s for twin-heavy models up to d = 2,000; the
identity temporal graph on 1,000 latents against a relabelled copy under 50 ms. In the ordinary
test run each body runs once, so the answers are checked too.
"""

import math
import os
import sys

import numpy as np
import pytest

import identkit as ik

sys.path.insert(0, os.path.join(os.path.dirname(__file__), os.pardir, "tests"))
from test_symmetry_scale import (  # noqa: E402
    K4, PETERSEN, blow_up, cfi, circulant, disjoint_union, prism, quadratic_residues, relabel,
    spider, undirected,
)


def near_miss(g, seed):
    """A relabelled copy with one temporal edge moved (same edge count)."""
    h = relabel(g, seed)
    Gz = h.Gz.copy()
    rng = np.random.default_rng(seed)
    ones, zeros = np.argwhere(Gz & ~np.eye(len(Gz), dtype=bool)), np.argwhere(~Gz)
    Gz[tuple(ones[rng.integers(len(ones))])] = False
    Gz[tuple(zeros[rng.integers(len(zeros))])] = True
    return ik.LatentGraph(Gz=Gz, Ga=h.Ga)


FAMILIES = {
    "cycle200": (lambda: circulant(200, {1, 199}), 400),
    "circulant200": (lambda: circulant(200, {1, 2, 198, 199}), 400),
    "paley_tournament199": (lambda: circulant(199, quadratic_residues(199)), 199 * 99),
    "paley_graph197": (lambda: circulant(197, quadratic_residues(197)), 197 * 98),
    "spider66x3": (lambda: spider(66, 3), math.factorial(66)),
    "cfi_prism10": (lambda: cfi(*prism(10)), 2 ** 11),
    "petersen_x10": (lambda: disjoint_union(undirected(*PETERSEN), 10),
                     120 ** 10 * math.factorial(10)),
    "paley19_x9": (lambda: disjoint_union(circulant(19, quadratic_residues(19)), 9),
                   171 ** 9 * math.factorial(9)),
    "cfi_k4_x5": (lambda: disjoint_union(cfi(*K4), 5), 8 ** 5 * math.factorial(5)),
}


@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_bench_family_order(benchmark, name):
    build, expected = FAMILIES[name]
    g = build()
    assert g.n_latents <= 200
    assert benchmark(lambda: ik.automorphisms(g).order()) == expected


@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_bench_family_consistency(benchmark, name):
    g = FAMILIES[name][0]()
    h, miss = relabel(g, 7), near_miss(g, 8)
    assert benchmark(lambda: (ik.are_consistent(g, h), ik.are_consistent(g, miss))) == (True,
                                                                                          False)


def test_bench_cfi_against_its_twist(benchmark):
    g, twisted = cfi(*prism(10)), relabel(cfi(*prism(10), twist=True), 3)
    assert g.n_latents == 200
    assert benchmark(ik.are_consistent, g, twisted) is False


@pytest.mark.parametrize("kind", ["identity2000", "blocks20x100", "blown_cycle5x400",
                                  "blown_paley_tournament"])
def test_bench_twin_heavy(benchmark, kind):
    if kind == "identity2000":
        g, expected = ik.LatentGraph(Gz=np.eye(2000, dtype=bool)), math.factorial(2000)
    elif kind == "blocks20x100":
        Gz = np.kron(np.eye(100, dtype=bool), np.ones((20, 20), dtype=bool))
        g, expected = ik.LatentGraph(Gz=Gz), math.factorial(20) ** 100 * math.factorial(100)
    elif kind == "blown_cycle5x400":
        g, expected = blow_up(circulant(5, {1, 4}), [400] * 5), 10 * math.factorial(400) ** 5
    else:
        g = blow_up(circulant(19, quadratic_residues(19)), [100] * 19, cliques=True)
        expected = 171 * math.factorial(100) ** 19
    h = relabel(g, 1)

    def run():
        return ik.automorphisms(g).order(), ik.are_consistent(g, h)

    assert benchmark(run) == (expected, True)


def test_bench_identity_temporal_graph_1000_against_relabelled_copy(benchmark):
    g = ik.LatentGraph(Gz=np.eye(1000, dtype=bool))
    h = relabel(g, 2)
    assert benchmark(ik.are_consistent, g, h) is True
