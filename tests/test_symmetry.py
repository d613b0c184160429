"""Group orders, generators and membership against brute force over itertools.permutations."""

import itertools
import math

import numpy as np
import pytest

import identkit as ik
from test_exhaustive import all_matrices, definition_pattern


def perms(d):
    return np.array(list(itertools.permutations(range(d))), dtype=np.int64).reshape(-1, d)


def brute_automorphisms(Gz=None, Ga=None):
    """All p with Gz[p[i], p[j]] = Gz[i, j] and Ga[p[i], :] = Ga[i, :], by enumeration."""
    d = (Gz if Gz is not None else Ga).shape[0]
    P = perms(d)
    ok = np.ones(len(P), dtype=bool)
    if Gz is not None:
        permuted = Gz[P[:, :, None], P[:, None, :]]  # permuted[k, i, j] = Gz[p[i], p[j]]
        ok &= (permuted == Gz[None]).all(axis=(1, 2))
    if Ga is not None:
        ok &= (Ga[P] == Ga[None]).all(axis=(1, 2))
    return {tuple(p) for p in P[ok].tolist()}


def brute_preserving(C):
    """All permutation matrices P (P[p[i], i] = 1) whose support lies in C."""
    d = C.shape[0]
    P = perms(d)
    ok = C[P, np.arange(d)[None, :]].all(axis=1)
    return {tuple(p) for p in P[ok].tolist()}


def check_group(group, expected):
    assert group.order() == len(expected)
    for gen in group.generators:
        assert gen in expected
    d = group.degree
    for p in itertools.islice(itertools.permutations(range(d)), 200):
        assert (p in group) == (p in expected)


@pytest.mark.parametrize("d", [1, 2, 3, 4])
def test_automorphism_orders_all_temporal_graphs(d):
    """Every Gz with d <= 4, self-loops included (65,536 graphs at d = 4)."""
    P = perms(d)
    for Gz in all_matrices(d, d):
        permuted = Gz[P[:, :, None], P[:, None, :]]
        expected = int((permuted == Gz[None]).all(axis=(1, 2)).sum())
        g = ik.LatentGraph(Gz=Gz)
        assert ik.automorphisms(g).order() == expected, Gz.astype(int)


@pytest.mark.parametrize("d", [1, 2, 3, 4])
def test_preserving_orders_all_temporal_graphs(d):
    for Gz in all_matrices(d, d)[:: (7 if d == 4 else 1)]:
        C = definition_pattern([Gz, Gz.T])
        group = ik.graph_preserving_permutations(ik.LatentGraph(Gz=Gz))
        assert group.order() == len(brute_preserving(C)), Gz.astype(int)


@pytest.mark.parametrize("d, m", [(3, 2), (4, 1), (4, 2)])
def test_both_groups_with_actions(d, m):
    rng = np.random.default_rng(d * 10 + m)
    for _ in range(150):
        Gz = rng.random((d, d)) < 0.5
        Ga = rng.random((d, m)) < 0.4
        g = ik.LatentGraph(Gz=Gz, Ga=Ga)
        check_group(ik.automorphisms(g), brute_automorphisms(Gz, Ga))
        check_group(ik.automorphisms(g, "a"), brute_automorphisms(None, Ga))
        check_group(ik.automorphisms(g, "z"), brute_automorphisms(Gz, None))
        check_group(ik.graph_preserving_permutations(g), brute_preserving(ik.entanglement_graph(g)))


@pytest.mark.parametrize("d", [5, 6, 7])
def test_random_graphs_up_to_7(d):
    rng = np.random.default_rng(d)
    for k in range(25 if d < 7 else 10):
        # mix sparse, dense and symmetric-rich graphs (block structures have many twins)
        kind = k % 3
        if kind == 0:
            Gz = rng.random((d, d)) < 0.3
        elif kind == 1:
            Gz = rng.random((d, d)) < 0.7
        else:
            labels = rng.integers(0, 3, size=d)
            Gz = (labels[:, None] == labels[None, :]) | (rng.random((d, d)) < 0.1)
            Gz = Gz | Gz.T
        Ga = (rng.random((d, 2)) < 0.3) if k % 2 else None
        expected = brute_automorphisms(Gz, Ga)
        g = ik.LatentGraph(Gz=Gz, Ga=Ga)
        group = ik.automorphisms(g)
        check_group(group, expected)
        if len(expected) <= 5040:
            assert set(group) == expected  # iteration yields each element once
            assert len(list(group)) == len(expected)
        C = ik.entanglement_graph(g)
        gp = ik.graph_preserving_permutations(g)
        check_group(gp, brute_preserving(C))
        assert set(gp) == brute_preserving(C)


def test_three_cycle_automorphisms_but_no_preserving_permutation():
    g = ik.LatentGraph(Gz=[[0, 0, 1], [1, 0, 0], [0, 1, 0]])
    aut = ik.automorphisms(g)
    assert aut.order() == 3
    assert set(aut) == {(0, 1, 2), (1, 2, 0), (2, 0, 1)}
    assert ik.graph_preserving_permutations(g).order() == 1


def test_identity_gz_large_orders_from_structure():
    g = ik.LatentGraph(Gz=np.eye(1000, dtype=bool))
    assert ik.automorphisms(g).order() == math.factorial(1000)
    assert ik.graph_preserving_permutations(g).order() == 1


def test_hundred_twin_classes():
    # 100 classes of 10 latents; within a class all-ones blocks (C-twins and structural twins)
    Gz = np.kron(np.eye(100, dtype=bool), np.ones((10, 10), dtype=bool))
    g = ik.LatentGraph(Gz=Gz)
    gp = ik.graph_preserving_permutations(g)
    assert gp.order() == math.factorial(10) ** 100
    aut = ik.automorphisms(g)
    # the blocks themselves can be permuted: 100! * (10!)^100
    assert aut.order() == math.factorial(100) * math.factorial(10) ** 100
    for gen in aut.generators[:50]:
        assert gen in aut


def test_generators_generate_the_group():
    """Closing the generators under composition gives exactly the brute-force group."""
    rng = np.random.default_rng(3)
    for _ in range(30):
        d = 5
        Gz = rng.random((d, d)) < 0.4
        Gz = Gz | Gz.T if rng.random() < 0.5 else Gz
        group = ik.automorphisms(ik.LatentGraph(Gz=Gz))
        closure = {tuple(range(d))}
        frontier = list(closure)
        while frontier:
            p = frontier.pop()
            for s in group.generators:
                q = tuple(s[p[i]] for i in range(d))
                if q not in closure:
                    closure.add(q)
                    frontier.append(q)
        assert closure == brute_automorphisms(Gz)


def test_orbits_and_matrix():
    g = ik.examples.get("ex8").graph
    assert ik.graph_preserving_permutations(g).orbits() == [[0], [1, 2]]
    P = ik.permutation_matrix((0, 2, 1))
    assert np.array_equal(P @ g.Gz @ P.T, g.Gz)
    assert (0, 2, 1) in ik.automorphisms(g)
    assert [1, 1, 0] not in ik.automorphisms(g)


@pytest.mark.parametrize("seed", range(6))
def test_disjoint_unions_of_isomorphic_components(seed):
    """Copies of a small component, relabeled and mixed with others: order, membership and the
    closure of the generators against brute force (d up to 8)."""
    import scipy.linalg

    rng = np.random.default_rng(seed)
    a = rng.random((3, 3)) < 0.5
    b = rng.random((2, 2)) < 0.5
    Gz = scipy.linalg.block_diag(a, a, b).astype(bool)
    if seed % 2:
        Gz = scipy.linalg.block_diag(a, a, a[::-1, ::-1]).astype(bool)[:8, :8] | np.eye(8, dtype=bool) * (seed % 3 == 0)
    p = rng.permutation(Gz.shape[0])
    Gz = Gz[np.ix_(p, p)]
    group = ik.automorphisms(ik.LatentGraph(Gz=Gz))
    expected = brute_automorphisms(Gz)
    check_group(group, expected)
    d = Gz.shape[0]
    closure = {tuple(range(d))}
    frontier = list(closure)
    while frontier:
        q = frontier.pop()
        for s in group.generators:
            r = tuple(s[q[i]] for i in range(d))
            if r not in closure:
                closure.add(r)
                frontier.append(r)
    assert closure == expected


def test_many_isomorphic_components_from_structure():
    import scipy.sparse as sp

    cycle = np.array([[0, 0, 1], [1, 0, 0], [0, 1, 0]])
    g = ik.LatentGraph(Gz=sp.kron(sp.eye_array(100), cycle, format="csr"))
    assert ik.automorphisms(g).order() == 3**100 * math.factorial(100)
