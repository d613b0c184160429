"""The theorem logic shared by both backends: each theorem applied exactly as the paper states
it (assumptions in, justified pattern out), checked against brute-force combination."""

import itertools

import numpy as np
import pytest

import identkit as ik
from identkit.entanglement import preserving_pattern
from identkit.guarantees import (
    FAILS,
    HOLDS,
    UNDECIDED,
    action_route,
    all_of,
    any_of,
    justify,
    temporal_routes,
)

T, F, U = True, False, None
# Gz upper-triangular chain (Cz alone is not the identity), Ga = I (Ca = I, Example 3)
G_A_ID = ik.LatentGraph(Gz=[[1, 1], [0, 1]], Ga=[[1, 0], [0, 1]])
# Gz a 2-cycle without self-loops (Cz = I by Prop 3), Ga a global action (Ca all ones)
G_Z_ID = ik.LatentGraph(Gz=[[0, 1], [1, 0]], Ga=[[1], [1]])
ONES, EYE = [[1, 1], [1, 1]], [[1, 0], [0, 1]]


def _routes(a6=T, a8=T, a10=T, a11=T, k=1, discrete=False, g=G_A_ID):
    acts = [(name, a6) for name in g.actions]
    return [action_route(acts, discrete), *temporal_routes(a8, a10, a11, k)]


# (graph, regularize, a6, a8, a10, a11, k) -> (justified graphs, pattern, complete)
TABLE = [
    # Theorem 1 alone: Assumption 6 with Ga = I is enough, whatever Gz (Example 3)
    ("thm1-example3", G_A_ID, "az", T, F, F, F, 1, "a", EYE, True),
    ("thm1-only-a-regularized", G_A_ID, "a", T, U, U, U, 1, "a", EYE, True),
    ("thm1-fails", G_A_ID, "a", F, T, T, T, 1, "", ONES, False),
    ("thm1-undecided", G_A_ID, "az", U, F, F, F, 1, "", ONES, False),
    # Theorem 3 alone: Assumption 8 gives Cz
    ("thm3-only", G_Z_ID, "az", F, T, F, F, 2, "z", EYE, True),
    ("thm3-undecided", G_Z_ID, "z", T, U, F, F, 2, "", ONES, False),
    # Theorem 5: Theorem 4's Assumption 10 AND Assumption 11 AND k = 1
    ("thm5", G_Z_ID, "z", F, F, T, T, 1, "z", EYE, True),
    ("thm5-needs-assumption-10", G_Z_ID, "z", F, F, F, T, 1, "", ONES, False),
    ("thm5-needs-assumption-11", G_Z_ID, "z", F, F, T, F, 1, "", ONES, False),
    ("thm5-needs-k-1", G_Z_ID, "z", F, F, T, T, 2, "", ONES, False),
    ("thm5-unknown-family", G_Z_ID, "z", F, F, T, T, None, "", ONES, False),
    ("thm5-assumption-10-undecided", G_Z_ID, "z", F, F, U, T, 1, "", ONES, False),
    # Prop 6: both hold -> Ca ∧ Cz; the chain Gz with Ga = I stays complete
    ("prop6-both", G_A_ID, "az", T, T, F, F, 2, "az", EYE, True),
    ("prop6-neither", G_A_ID, "az", F, F, F, F, 2, "", ONES, False),
    # graph regularized but not asked for: its assumptions do not matter
    ("z-not-regularized", G_Z_ID, "a", F, T, T, T, 1, "", ONES, False),
]


@pytest.mark.parametrize("case", TABLE, ids=[c[0] for c in TABLE])
def test_theorems_applied_as_stated(case):
    _, g, reg, a6, a8, a10, a11, k, justified, pattern, complete = case
    res = justify(g, reg, _routes(a6, a8, a10, a11, k, g=g))
    assert res.justified_by == justified
    assert res.pattern.astype(int).tolist() == pattern
    assert res.complete is complete


def test_thm1_justifies_ca_when_gz_is_anything_example3():
    """Example 3: Ga = I gives complete disentanglement by Theorem 1 whatever Gz is, here for
    every Gz on two latents, with Assumption 8 failing."""
    for bits in itertools.product([0, 1], repeat=4):
        g = ik.LatentGraph(Gz=np.array(bits).reshape(2, 2), Ga=[[1, 0], [0, 1]])
        res = justify(g, "az", _routes(a6=T, a8=F, a10=F, a11=F, g=g))
        assert res.complete and res.justified_by == "a"


def test_numeric_thm5_requires_assumption_10_as_symbolic_does():
    """Item 7: the numeric backend accepted Assumption 11 without Assumption 10. On
    Gz = [[0,0,0],[1,0,0],[1,0,0]] z1 has no parent, so λ_1 is constant and Assumption 10
    fails: Theorem 5 does not apply, in both backends."""
    from identkit.numeric import GaussianMechanism, sufficient_influence
    from identkit.symbolic import check_assumptions, mechanism_from_dict

    g = ik.LatentGraph(Gz=[[0, 0, 0], [1, 0, 0], [1, 0, 0]])
    num = sufficient_influence(GaussianMechanism(g, mean="sinusoidal"), seed=0)
    assert num.exponential_family.holds and not num.temporal.holds
    assert num.variability.holds is False
    assert num.holds_z is False and num.state_z == FAILS
    sym = check_assumptions(mechanism_from_dict({"latents": ["z1", "z2", "z3"], "mean": {
        "z1": "0", "z2": "sin(z1_lag1)", "z3": "cos(z1_lag1) + z1_lag1**3"}}))
    assert sym.expfam_temporal.holds and sym.variability.holds is False
    assert sym.holds_z is False and sym.state_z == FAILS


def _brute_justify(g, reg, states):
    """Independent: enumerate which subsets of regularized graphs hold, AND their patterns
    computed straight from Prop 3 (preserving patterns of Ga, Gz and Gzᵀ)."""
    d = g.n_latents
    pattern = np.ones((d, d), dtype=bool)
    for x in reg:
        if states[x] is True:
            if x == "a":
                pattern &= preserving_pattern(g.Ga)
            else:
                pattern &= preserving_pattern(g.Gz) & preserving_pattern(g.Gz.T)
    return pattern


@pytest.mark.parametrize("seed", range(3))
def test_justified_pattern_equals_brute_force_conjunction(seed):
    rng = np.random.default_rng(seed)
    for _ in range(60):
        d = int(rng.integers(1, 4))
        g = ik.LatentGraph(Gz=rng.random((d, d)) < 0.5, Ga=rng.random((d, 2)) < 0.5)
        reg = ["", "a", "z", "az"][int(rng.integers(4))]
        a6, a8, a10, a11 = (rng.choice([True, False, None]) for _ in range(4))
        k = [1, 2, None][int(rng.integers(3))]
        res = justify(g, reg, _routes(a6, a8, a10, a11, k, g=g))
        z_holds = a8 is True or (k == 1 and a10 is True and a11 is True)
        expect = _brute_justify(g, reg, {"a": a6 is True, "z": z_holds})
        assert np.array_equal(res.pattern, expect)
        assert res.complete == bool(np.array_equal(expect, np.eye(d, dtype=bool)))


def test_undecided_graph_entries_void_their_routes():
    g = G_A_ID
    res = justify(g, "az", _routes(a6=T, a8=T, g=g), {"a": "Ga entries undecided: a1 → z2"})
    assert res.justified_by == "z" and res.states["a"] == UNDECIDED
    assert "a1 → z2" in next(r for r in res.routes if r.regularized == "a").why


@pytest.mark.parametrize("states, conj, disj", [
    ([], HOLDS, FAILS), ([T], HOLDS, HOLDS), ([F], FAILS, FAILS), ([U], UNDECIDED, UNDECIDED),
    ([T, U], UNDECIDED, HOLDS), ([F, U], FAILS, UNDECIDED), ([T, F], FAILS, HOLDS),
])
def test_three_valued_connectives(states, conj, disj):
    assert all_of(states) == conj and any_of(states) == disj
