"""Experiment design and repair, against brute force over families of target sets."""

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import identkit as ik
from identkit.design import RepairError, design_interventions, repair, sperner_minimum
from identkit.strategies import latent_graphs


def antichain_exists(d, m, cap=None, min_total=None):
    """Brute force: is there a family of d subsets of [m] (as bitmasks) that are pairwise
    incomparable (the criterion with only Ga regularized), each element in at most `cap` sets?"""
    masks = range(1 << m)
    for fam in itertools.combinations(masks, d):  # incomparable sets are distinct
        if any((a & b) == a or (a & b) == b for a, b in itertools.combinations(fam, 2)):
            continue
        if cap is not None and any(sum((s >> e) & 1 for s in fam) > cap for e in range(m)):
            continue
        return True
    return False


@pytest.mark.parametrize("d", range(1, 7))
def test_sperner_design_is_optimal_exhaustively(d):
    des = design_interventions(d, temporal=True)
    m = des.n_interventions
    assert m == sperner_minimum(d) == des.lower_bound and des.optimal
    if d > 1:
        assert ik.satisfies_criterion(des.graph)
        assert not antichain_exists(d, m - 1)
        # and the brute-force route agrees with the criterion on every family of m - 1 sets
        for fam in itertools.islice(itertools.combinations(range(1 << (m - 1)), d), 300):
            Ga = np.array([[(s >> l) & 1 for l in range(m - 1)] for s in fam]) if m > 1 else None
            if Ga is not None and Ga.shape[1]:
                assert not ik.satisfies_criterion(ik.LatentGraph(Ga=Ga))


def test_sperner_values_from_the_theory():
    # d = 100 needs 9 (C(8, 4) = 70 < 100 <= C(9, 4) = 126)
    assert sperner_minimum(100) == 9
    for d in range(2, 300):
        m = sperner_minimum(d)
        assert math.comb(m, m // 2) >= d > math.comb(m - 1, (m - 1) // 2)


@pytest.mark.parametrize("d", range(2, 7))
def test_static_design_costs_d_and_nothing_cheaper_exists(d):
    des = design_interventions(d, temporal=False)
    assert des.cost == des.lower_bound == d and des.optimal
    assert all(len(t) == 1 for t in des.targets)
    assert ik.satisfies_criterion(des.graph)
    # every antichain of d >= 2 sets has total size >= d (no empty set), for all small m
    for m in range(1, min(d, 4) + 1):
        for fam in itertools.combinations(range(1 << m), d):
            if any((a & b) in (a, b) for a, b in itertools.combinations(fam, 2)):
                continue
            assert sum(bin(s).count("1") for s in fam) >= d


@pytest.mark.parametrize("d, cap", [(d, k) for d in range(2, 7) for k in (1, 2, 3)])
def test_capped_design_against_brute_force(d, cap):
    des = design_interventions(d, temporal=True, max_targets=cap)
    assert ik.satisfies_criterion(des.graph)
    assert all(len(t) <= cap for t in des.targets)
    m = des.n_interventions
    assert des.optimal and des.lower_bound == m
    assert not antichain_exists(d, m - 1, cap=cap)


def test_capped_design_large_has_valid_bounds():
    des = design_interventions(40, temporal=True, max_targets=3)
    assert ik.satisfies_criterion(des.graph)
    assert all(len(t) <= 3 for t in des.targets)
    assert des.lower_bound <= des.n_interventions
    assert des.lower_bound >= sperner_minimum(40)


def test_design_names_and_errors():
    des = design_interventions(3, latents=["x", "y", "w"])
    assert des.graph.latents == ("x", "y", "w")
    assert set(sum(des.targets, ())) == {"x", "y", "w"}
    assert design_interventions(1).targets == ()
    for bad in (0, -2, 2.5, True):
        with pytest.raises(ik.GraphError):
            design_interventions(bad)
    with pytest.raises(ik.GraphError, match="max_targets"):
        design_interventions(4, max_targets=0)
    with pytest.raises(ik.GraphError, match="2 names"):
        design_interventions(3, latents=["a", "b"])


# -------------------------------------------------------------------------------------- repair


def brute_min_repair(g, reg, max_k, single_target=False, allowed=None):
    """Smallest k such that some k added target sets make g complete (None if > max_k)."""
    d = g.n_latents
    pool = [i for i in range(d) if allowed is None or i in allowed]
    if single_target:
        choices = [(i,) for i in pool]
    else:
        choices = [c for s in range(1, len(pool) + 1) for c in itertools.combinations(pool, s)]
    reg_after = "".join(ch for ch in "az" if ch in reg + "a")
    if ik.satisfies_criterion(g, reg):
        return 0
    for k in range(0, max_k + 1):
        for fam in itertools.combinations_with_replacement(choices, k):
            h = g.with_interventions([[g.latents[i] for i in t] for t in fam]) if k else g
            if h.Ga is not None and ik.satisfies_criterion(h, reg_after):
                return k
    return None


@settings(max_examples=40, deadline=None)
@given(latent_graphs(max_latents=4, max_actions=2))
def test_repair_is_valid_and_minimal_on_small_models(g):
    r = repair(g, temporal=False) if g.Gz is None else repair(g)
    assert r.after.complete and r.before.complete == ik.satisfies_criterion(g)
    assert ik.satisfies_criterion(r.graph, r.after.regularize)
    k = len(r.added)
    if r.exact:
        assert brute_min_repair(g, r.before.regularize, k, single_target=(r.method == "single-target")) == k


@settings(max_examples=40, deadline=None)
@given(latent_graphs(min_latents=2, max_latents=4, temporal=True, actions=False))
def test_multi_target_repair_with_time_is_minimal(g):
    r = repair(g, temporal=True)
    k = len(r.added)
    assert r.after.complete
    assert r.exact
    assert brute_min_repair(g, "z", k) == k


@settings(max_examples=25, deadline=None)
@given(latent_graphs(min_latents=2, max_latents=4), st.data())
def test_single_target_and_intervenable_variants(g, data):
    r = repair(g, single_target=True)
    assert all(len(t) == 1 for t in r.added) and r.after.complete
    assert brute_min_repair(g, r.before.regularize, len(r.added), single_target=True) == len(r.added)
    allowed = data.draw(st.sets(st.integers(0, g.n_latents - 1)))
    names = [g.latents[i] for i in sorted(allowed)]
    try:
        r2 = repair(g, intervenable=names)
    except RepairError as exc:
        # then no repair on the allowed latents exists at all: check with brute force
        assert brute_min_repair(g, r.before.regularize, 3, allowed=allowed) is None
        assert "not intervenable" in str(exc)
    else:
        assert r2.after.complete
        assert set(sum(r2.added, ())) <= set(names)


def test_repair_catalogue():
    r = repair(ik.examples.get("TimeBlockDiag").graph)
    assert len(r.added) == 2 and r.exact  # two interventions split all five pairs
    r = repair(ik.examples.get("TimeBlockNonDiag").graph)
    assert len(r.added) == 3 and r.exact
    r = repair(ik.examples.get("ActionBlockDiag").graph, temporal=False)  # single-target
    assert len(r.added) == 10 and r.method == "single-target"
    r = repair(ik.examples.get("ActionBlockDiag").graph, temporal=True)
    # with time, two interventions {z1, z3, ...} and {z2, z4, ...} split every pair (one is not
    # enough: the latent it misses has an empty set, contained in its twin's)
    assert len(r.added) == 2 and r.after.complete and r.exact
    assert repair(ik.examples.get("ex5").graph).added == ()
    d = r.to_dict()
    assert d["complete_before"] is False and d["complete_after"] is True
    assert d["added_interventions"] == [list(t) for t in r.added]


def test_repair_large_uses_greedy_with_bounds():
    # 60 latents in 2x2 temporal blocks chained by one-way edges
    Gz = np.kron(np.eye(30, dtype=bool), np.ones((2, 2), dtype=bool))
    g = ik.LatentGraph(Gz=Gz)
    r = repair(g, exact_limit=1)
    assert r.after.complete and r.method == "greedy"
    assert r.lower_bound <= len(r.added)
