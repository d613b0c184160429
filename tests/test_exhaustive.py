"""Exhaustive checks on all small graphs: closed form against the definition, and the two routes
to the criterion against each other.

The *definition route* never looks at parent or child sets: following Def 11 of the paper, a real
matrix M is G-preserving iff ``Mᵀ A`` stays supported on G for every A supported on G. For each
candidate entry (i, j) we test the matrix ``I + E_ij`` against random real A on G's support; the
entry belongs to the pattern iff the product never leaves the support. Generic random reals make a
structural nonzero nonzero with probability one.
"""

import itertools

import numpy as np
import pytest

import identkit as ik

RNG = np.random.default_rng(20260)


def all_matrices(rows, cols):
    """Every 0/1 matrix of the given shape, as a (2**(rows*cols), rows, cols) bool array."""
    n = rows * cols
    bits = (np.arange(2**n)[:, None] >> np.arange(n)[None, :]) & 1
    return bits.reshape(-1, rows, cols).astype(bool)


def preserves(M, G, trials=2):
    """Def 11: Mᵀ R_G ⊆ R_G, tested with random real matrices A supported on G."""
    for _ in range(trials):
        A = RNG.standard_normal(G.shape) * G
        if np.any((M.T @ A)[~G] != 0):
            return False
    return True


def definition_pattern(graphs):
    """Entries (i, j) such that I + E_ij preserves every graph in ``graphs`` (Def 11)."""
    d = graphs[0].shape[0]
    out = np.eye(d, dtype=bool)
    for i, j in itertools.product(range(d), repeat=2):
        if i != j:
            M = np.eye(d)
            M[i, j] = RNG.uniform(0.5, 2.0)
            out[i, j] = all(preserves(M, G) for G in graphs)
    return out


def random_on(pattern):
    """A random real matrix with exactly the given support (diagonal made dominant)."""
    d = pattern.shape[0]
    M = RNG.standard_normal((d, d)) * pattern
    return M + np.eye(d) * (np.abs(M).sum() + 1.0)


@pytest.mark.parametrize("d", [1, 2, 3])
def test_temporal_pattern_equals_definition_all_Gz(d):
    for Gz in all_matrices(d, d):
        g = ik.LatentGraph(Gz=Gz)
        C = ik.entanglement_graph(g)
        assert np.array_equal(C, definition_pattern([Gz, Gz.T])), Gz.astype(int)
        # a random matrix on the whole pattern satisfies the definition
        assert preserves(random_on(C), Gz) and preserves(random_on(C), Gz.T)
        assert ik.analyze(g).complete == ik.satisfies_criterion(g) == bool(np.array_equal(C, np.eye(d)))


@pytest.mark.parametrize("d, m", [(d, m) for d in (1, 2, 3) for m in (1, 2, 3)])
def test_action_pattern_equals_definition_all_Ga(d, m):
    for Ga in all_matrices(d, m):
        g = ik.LatentGraph(Ga=Ga)
        C = ik.entanglement_graph(g)
        assert np.array_equal(C, definition_pattern([Ga])), Ga.astype(int)
        assert np.array_equal(C, ik.preserving_pattern(Ga))
        assert ik.analyze(g).complete == ik.satisfies_criterion(g)


def _combined_cases():
    for d in (1, 2):
        for m in (1, 2, 3):
            yield d, m
    yield 3, 1
    yield 3, 2


@pytest.mark.parametrize("d, m", list(_combined_cases()))
def test_combined_pattern_all_pairs(d, m):
    """Every (Gz, Ga) pair: C = Ca ∧ Cz (each from the definition route), and the criterion
    computed from intersections agrees with the pattern, under every choice of regularization."""
    Gzs = all_matrices(d, d)
    Gas = all_matrices(d, m)
    Cz = {k: definition_pattern([Gz, Gz.T]) for k, Gz in enumerate(Gzs)} if d < 3 else None
    Ca = [ik.preserving_pattern(Ga) for Ga in Gas]
    for kz, Gz in enumerate(Gzs):
        cz = Cz[kz] if Cz is not None else ik.entanglement_graph(ik.LatentGraph(Gz=Gz))
        for ka, Ga in enumerate(Gas):
            g = ik.LatentGraph(Gz=Gz, Ga=Ga)
            C = ik.entanglement_graph(g)
            assert np.array_equal(C, cz & Ca[ka])
            complete = bool(np.array_equal(C, np.eye(d)))
            assert ik.satisfies_criterion(g) == complete
            wit = ik.criterion_witnesses(g)
            assert {i: set(s) for i, s in wit.items()} == {
                i: set(np.flatnonzero(C[i]).tolist()) for i in range(d)
                if not np.array_equal(np.flatnonzero(C[i]), [i])
            }


def test_no_regularization_gives_all_ones():
    g = ik.LatentGraph(Gz=np.eye(3), Ga=np.eye(3))
    assert ik.entanglement_graph(g, "").all()
    assert not ik.satisfies_criterion(g, "")
    assert ik.entanglement_graph(g, "a").sum() == 3
    assert ik.entanglement_graph(g, "z").sum() == 3


@pytest.mark.parametrize("density", [0.02, 0.2, 0.5, 0.9])
def test_three_routes_to_the_subset_relation_agree(density):
    """The BLAS, sparse-product and filtering routes give the brute-force relation, with
    duplicate rows, empty rows and all-ones rows present."""
    import scipy.sparse as sp

    from identkit.entanglement import _dense_subset, _gemm_subset

    rng = np.random.default_rng(int(density * 100))
    for d, n in [(40, 30), (120, 300), (300, 90)]:
        Fb = rng.random((d, n)) < density
        Fb[1] = Fb[0]          # twins
        Fb[2] = False          # no features: subset of everything
        Fb[3] = True           # all features
        brute = np.array([[not (Fb[i] & ~Fb[j]).any() for j in range(d)] for i in range(d)])
        assert np.array_equal(_gemm_subset(Fb, np.arange(d)), brute)
        for mf in (4, 32):
            r, c = _dense_subset(Fb, max_filter=mf)
            got = np.zeros((d, d), dtype=bool)
            got[r, c] = True
            assert np.array_equal(got, brute)
            assert np.all(np.diff(r * d + c) > 0)  # sorted, no repeats
        from identkit.entanglement import _subset_pairs

        F = sp.csr_array(Fb.astype(np.int32))
        for route in ("blas", "sparse", "dense"):
            r, c = _subset_pairs(F, route)
            got = np.zeros((d, d), dtype=bool)
            got[r, c] = True
            assert np.array_equal(got, brute), route
        assert np.array_equal(ik.preserving_pattern(Fb), brute)
