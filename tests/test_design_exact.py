"""Design and repair whose "optimal" and "minimal" are proven: each claim against an independent
brute force (enumeration of capped antichains, of added target families, of the patterns from
their definition), the paper's examples, and the bugs that made the old claims false."""

import itertools
import json

import numpy as np
import pytest

import identkit as ik
from identkit.cli import main
from identkit.design import (
    _capped_design,
    capped_capacity,
    design_interventions,
    repair,
    resolve_setting,
    sperner_minimum,
)

# ------------------------------------------------------------------ independent brute forces


def brute_capacity(m, K):
    """The largest family of subsets of [m] (bitmasks) that is an antichain with every element
    in at most K sets, by depth-first enumeration of all such families."""
    masks = list(range(1, 1 << m)) if m else [0]
    best = 0

    def extend(start, chosen, deg):
        nonlocal best
        best = max(best, len(chosen))
        if len(chosen) + (len(masks) - start) <= best:
            return
        for k in range(start, len(masks)):
            s = masks[k]
            if any((s & t) in (s, t) for t in chosen):
                continue
            members = [e for e in range(m) if (s >> e) & 1]
            if any(deg[e] >= K for e in members):
                continue
            for e in members:
                deg[e] += 1
            chosen.append(s)
            extend(k + 1, chosen, deg)
            chosen.pop()
            for e in members:
                deg[e] -= 1

    extend(0, [], [0] * m)
    return best


def pattern(g, reg):
    """C[i, j] = 1 iff true latent i may depend on learned j, from the definition: the parent
    sets (actions, temporal parents) and the temporal children of i are contained in j's."""
    d = g.n_latents
    feats = [set() for _ in range(d)]
    if "a" in reg and g.Ga is not None:
        for i in range(d):
            feats[i] |= {("a", l) for l in np.flatnonzero(g.Ga[i])}
    if "z" in reg and g.Gz is not None:
        for i in range(d):
            feats[i] |= {("pa", l) for l in np.flatnonzero(g.Gz[i])}
            feats[i] |= {("ch", l) for l in np.flatnonzero(g.Gz[:, i])}
    return np.array([[feats[i] <= feats[j] for j in range(d)] for i in range(d)])


def brute_repair_cost(g, reg, temporal, single_target=False, max_cost=4):
    """The cheapest family of added target sets (multisets of latent bitmasks) after which no
    pair is entangled, the action graph (existing columns included) being regularized.

    Temporal cost: the number of sets; static cost: their total size. Returns None when no
    family of cost <= max_cost works."""
    d = g.n_latents
    C = pattern(g, reg)
    if not (C & ~np.eye(d, dtype=bool)).any():
        return 0
    base = pattern(g, reg + ("a" if "a" not in reg and g.Ga is not None else ""))
    pairs = [(i, j) for i in range(d) for j in range(d) if i != j and base[i, j]]
    if not pairs:
        return 0  # regularizing the existing action graph already suffices
    masks = [1 << i for i in range(d)] if single_target else list(range(1, 1 << d))
    # sep[c]: the pairs (as a bitmask) in which column c gives latent i an action j lacks
    sep = [sum(1 << p for p, (i, j) in enumerate(pairs) if (c >> i) & 1 and not (c >> j) & 1)
           for c in masks]
    price = [1 if temporal else bin(c).count("1") for c in masks]

    def separable(budget, start, left):
        """Some multiset of columns from masks[start:] costing <= budget separates `left`."""
        if not left:
            return True
        return any(separable(budget - price[c], c, left & ~sep[c])
                   for c in range(start, len(masks)) if price[c] <= budget and sep[c] & left)

    everything = (1 << len(pairs)) - 1
    return next((cost for cost in range(1, max_cost + 1) if separable(cost, 0, everything)),
                None)


def small_models(seed, n, d_max=6):
    """Deterministic small models: Gz only, Ga only, and both."""
    rng = np.random.default_rng(seed)
    out = []
    for k in range(n):
        d = int(rng.integers(2, d_max + 1))
        kind = k % 3
        Gz = (rng.random((d, d)) < 0.45).astype(int) if kind != 1 else None
        Ga = (rng.random((d, int(rng.integers(1, 3)))) < 0.4).astype(int) if kind != 0 else None
        if Ga is not None and not Ga.any():
            Ga[0, 0] = 1
        out.append(ik.LatentGraph(Gz=Gz, Ga=Ga))
    return out


def regularizations(g):
    letters = [c for c, G in (("a", g.Ga), ("z", g.Gz)) if G is not None]
    return ["".join(s) for r in range(len(letters) + 1) for s in itertools.combinations(letters, r)]


# ------------------------------------------------------------------ item 4: repair and Ga


def test_repair_counts_existing_actions_when_only_Gz_is_regularized():
    """The issue's reproduction: with only Gz regularized, the old repair ignored the existing
    action graph, added two interventions and called them minimal, although the repaired model
    is judged with Ga regularized and one intervention on z3 already suffices."""
    g = ik.LatentGraph(Gz=[[0, 1, 0, 1, 1], [1, 1, 0, 1, 1], [0, 0, 0, 0, 1], [1, 1, 0, 1, 1],
                           [0, 0, 0, 1, 0]],
                       Ga=[[1, 1], [0, 1], [1, 0], [0, 0], [1, 1]])
    r = repair(g, "z", temporal=True)
    assert r.added == (("z3",),) and r.exact and r.lower_bound == 1
    assert r.before.regularize == "z" and r.after.regularize == "az"
    assert brute_repair_cost(g, "z", temporal=True) == 1
    text = str(r)
    assert "Regularized before: the temporal graph Gz; after: the action graph Ga and the " \
           "temporal graph Gz." in text
    d = r.to_dict()
    assert d["regularize_before"] == "z" and d["regularize_after"] == "az"


def test_repair_adds_nothing_when_regularizing_the_existing_actions_suffices():
    """Example 5's action graph alone disentangles. With a dense temporal graph added and only
    Gz regularized the model is incomplete, and regularizing the existing Ga repairs it: nothing
    needs to be added."""
    g0 = ik.examples.get("ex5").graph
    g = ik.LatentGraph(Gz=np.ones((g0.n_latents, g0.n_latents), dtype=int), Ga=g0.Ga)
    assert ik.satisfies_criterion(g0, "a")
    r = repair(g, "z")
    assert not r.before.complete and r.after.complete
    assert r.added == () and r.exact and r.method == "none"
    assert r.after.regularize == "az"


@pytest.mark.parametrize("seed", range(8))
def test_repair_matches_exhaustive_search_under_every_regularization(seed):
    """Every repair of small models (d <= 6; Gz only, Ga only, both; every choice of
    regularized graphs, so existing graphs regularized or not) against the cheapest family of
    added target sets found by enumeration, in both settings and with single targets."""
    for g in small_models(seed, 5):
        for reg in regularizations(g):
            for temporal in (True, False):
                r = repair(g, reg, temporal=temporal)
                assert r.after.complete
                assert ik.satisfies_criterion(r.graph, r.after.regularize)
                if r.exact:
                    assert r.cost == r.lower_bound
                    # static costs are sums of sizes; keep the enumeration small
                    if temporal or r.cost <= 4:
                        assert brute_repair_cost(g, reg, temporal, max_cost=r.cost) == r.cost, \
                            (g.to_dict(), reg, temporal)
                else:
                    assert r.lower_bound < r.cost
            if g.n_latents <= 5:
                r = repair(g, reg, single_target=True, temporal=True)
                assert all(len(t) == 1 for t in r.added) and r.exact
                assert brute_repair_cost(g, reg, True, single_target=True,
                                         max_cost=r.cost) == r.cost


def test_repair_lower_bound_is_not_one_too_high():
    """The bound printed by a greedy repair is still a proven bound: on models whose exact
    search finds the optimum, the greedy route (exact_limit=0) never claims more."""
    for g in small_models(99, 12, d_max=5):
        exact = repair(g, temporal=True)
        greedy = repair(g, temporal=True, exact_limit=0)
        assert greedy.lower_bound <= len(exact.added) <= len(greedy.added)
        assert greedy.exact == (len(greedy.added) == greedy.lower_bound)


# ------------------------------------------------------------------ item 5: capped designs


@pytest.mark.parametrize("m", range(0, 6))
def test_capacity_formula_matches_enumeration(m):
    """The capacity of m interventions with at most K targets, against every capped antichain
    of subsets of [m]. This is the brute-force check of the counting argument (K = 2: at most
    m latents) and of the degree count ⌊K m/2⌋ in general."""
    for K in range(1, 7):
        lower, upper, arg = capped_capacity(m, K)
        assert lower == upper == brute_capacity(m, K), (m, K, arg)


@pytest.mark.parametrize("m, K", [(6, 2), (6, 3), (6, 6), (7, 3), (7, 7)])
def test_capacity_degree_count_and_integer_program_agree(m, K):
    """Two routes at sizes the enumeration cannot reach: the degree count / Sperner closed form
    and the integer program over all subsets (milp_limit forces the program)."""
    from identkit.design import _milp_capacity

    value, sets = _milp_capacity(m, K)
    assert capped_capacity(m, K)[0] == value
    assert len(set(sets)) == len(sets)
    assert all(not set(a) <= set(b) for a, b in itertools.permutations(sets, 2))
    assert all(sum(e in s for s in sets) <= K for e in range(m))


@pytest.mark.parametrize("d", range(2, 31))
def test_two_targets_need_d_interventions_by_the_leaf_argument(d):
    """K = 2: the old LP bound (Σ|Pa_a(i)| <= 2m with LYM) allows about d/2 interventions, but a
    singleton target set owns its intervention and the other sets have two members, so m >= d;
    a cycle of pairs attains it. The old code proved optimality for only a few d."""
    des = design_interventions(d, temporal=True, max_targets=2)
    assert des.n_interventions == des.lower_bound == d and des.optimal and des.gap == 0
    assert all(len(t) <= 2 for t in des.targets)
    assert ik.satisfies_criterion(des.graph, "a")
    if d <= 5:  # one intervention fewer cannot work: enumeration
        assert brute_capacity(d - 1, 2) < d


def test_every_capped_design_up_to_30_latents_is_certified_optimal():
    """Goal of the issue: every (d <= 30, K <= 5) proven optimal (the old code: 16 of 88 for
    7 <= d <= 30, K in 2..5); each design valid, within its cap, and meeting its bound."""
    certified = 0
    for d in range(2, 31):
        for K in range(1, 6):
            des = design_interventions(d, temporal=True, max_targets=K)
            assert ik.satisfies_criterion(des.graph, "a")
            assert all(len(t) <= K for t in des.targets)
            assert des.lower_bound <= des.n_interventions
            certified += des.optimal
    assert certified == 29 * 5


def test_capped_lower_bound_minus_one_is_infeasible():
    """The printed bound, checked independently: with one intervention fewer, no capped
    antichain of d sets exists (enumeration, m <= 5; integer program, m = 6). Returning one
    less than the bound fails here."""
    from functools import lru_cache

    from identkit.design import _milp_capacity

    milp = lru_cache(maxsize=None)(lambda m, K: _milp_capacity(m, K)[0])
    checked = 0
    for d in range(2, 31):
        for K in range(1, 6):
            lb = design_interventions(d, temporal=True, max_targets=K).lower_bound
            if lb - 1 <= 5:
                assert brute_capacity(lb - 1, K) < d, (d, K)
                checked += 1
            elif lb - 1 == 6 and K < lb - 1:
                assert milp(lb - 1, K) < d, (d, K)
                checked += 1
    assert checked >= 40


def test_an_unsolved_capacity_prints_an_honest_gap():
    """When the integer program is out of reach (here forced with milp_limit=5), the design
    states a gap instead of a false 'optimal'; with the program the same case is proven."""
    sets, lb, cert = _capped_design(16, 6, milp_limit=5)
    m = max(max(s) for s in sets) + 1
    assert lb == 6 and m == 7
    assert "NOT established" in cert and "gap 1" in cert and "integer program" not in cert
    sets, lb, cert = _capped_design(16, 6)
    assert lb == 7 and "integer program" in cert and "NOT" not in cert


# ------------------------------------------------------------------ item 6: certificates


def test_certificate_names_only_the_argument_that_ran():
    """The old certificate said '(exhaustive search for small d)' for every d <= 6, whether or
    not a search ran. Each certificate now names the one argument behind its bound."""
    cases = {
        (5, 2): "degree count",  # refuted m = 4 by ⌊2·4/2⌋ = 4 < 5
        (5, 3): "Sperner",  # C(3, 1) = 3 < 5 and the cap does not bind at m = 4
        (6, 1): "disjoint",
        (20, 7): "integer program",
    }
    words = ("degree count", "Sperner", "disjoint", "integer program", "exhaustive")
    for (d, K), word in cases.items():
        cert = design_interventions(d, temporal=True, max_targets=K).certificate
        bound_sentence = cert.split(" So at least")[0]
        assert word in bound_sentence, (d, K, cert)
        assert [w for w in words if w in bound_sentence] == [word], (d, K, cert)
    small = repair(ik.examples.get("ex8").graph, temporal=True)
    assert "exhaustive search" in small.explanation and "greedy" not in small.explanation
    big = repair(ik.LatentGraph(Gz=np.kron(np.eye(4, dtype=int), np.ones((2, 2), dtype=int))),
                 temporal=True, exact_limit=1)
    assert big.method == "greedy" and "exhaustive" not in big.explanation


# ------------------------------------------------------------------ item 7: the setting


def test_design_and_repair_share_the_temporal_default_and_state_it():
    """Old: design was temporal unless --static, repair silently static for a model without Gz.
    Now one rule for both (temporal unless told otherwise), stated in the result."""
    g = ik.examples.get("ActionBlockDiag").graph  # no temporal graph
    assert g.Gz is None
    des, rep = design_interventions(4), repair(g)
    assert des.temporal is True and rep.temporal is True
    assert "default" in des.setting_reason and "default" in rep.setting_reason
    assert "no temporal graph" in rep.setting_reason
    assert resolve_setting(None)[0] is True
    for temporal in (True, False):
        des = design_interventions(4, temporal=temporal)
        rep = repair(g, temporal=temporal)
        assert des.temporal is rep.temporal is temporal
        assert des.setting_reason == rep.setting_reason == "chosen by the caller"
        word = "temporal" if temporal else "static"
        assert str(des).startswith(f"Setting: {word}") and str(rep).startswith(f"Setting: {word}")
        assert des.to_dict()["setting"] == rep.to_dict()["setting"] == word
    with pytest.raises(ik.GraphError, match="temporal"):
        design_interventions(4, temporal="yes")


def test_cli_design_and_repair_take_the_same_setting_flags(capsys):
    for flags, word in (((), "temporal"), (("--temporal",), "temporal"), (("--static",), "static")):
        for cmd in (("design", "--latents", "5"), ("repair", "--example", "ActionBlockDiag")):
            code = main([*cmd, *flags, "--format", "json"])
            out, err = capsys.readouterr()
            data = json.loads(out)
            assert code == 0 and err == "" and data["setting"] == word, (cmd, flags)
        code = main(["repair", "--example", "ActionBlockDiag", *flags])
        out, _ = capsys.readouterr()
        assert out.startswith(f"Setting: {word}") and "Regularized before:" in out
    code = main(["design", "--latents", "5", "--static", "--temporal"])
    _, err = capsys.readouterr()
    assert code == 2 and err.count("\n") == 1 and "not allowed" in err


def test_static_repair_of_a_time_block_costs_one_performed_intervention_per_latent():
    """Example 13: without time each target group l costs |T_l|, so the static repair of
    TimeBlockDiag performs one single-target intervention for each entangled latent."""
    g = ik.examples.get("TimeBlockDiag").graph
    r = repair(g, temporal=False)
    assert r.method == "single-target" and all(len(t) == 1 for t in r.added)
    assert r.cost == r.lower_bound == g.n_latents and r.exact
    t = repair(g, temporal=True)
    assert len(t.added) == 2 and t.cost == 2  # with time two multi-target ones suffice
    assert sperner_minimum(2) == 2


def test_capped_binomial_matches_math_comb():
    """The early-stopping binomial used to avoid huge C(m-1, ⌊m/2⌋-1) for large m."""
    from math import comb

    from identkit.design import _comb_upto

    for n in range(0, 30):
        for k in range(-1, n + 2):
            exact = comb(n, k) if 0 <= k <= n else 0
            for cap in (0, 1, 5, 100, 10**6):
                assert _comb_upto(n, k, cap) == min(exact, cap + 1), (n, k, cap)


def test_large_capped_designs_stay_fast_and_honest():
    """m ≤ K with large m takes the bounds route without enumerating subsets; the result is
    still a valid design whose bound is stated (here the gap is closed by the degree count)."""
    des = design_interventions(5000, temporal=True, max_targets=40)
    assert des.optimal and des.n_interventions == 250  # ⌈2 d / K⌉, m = 250 > K
    des = design_interventions(60, temporal=True, max_targets=12)
    assert ik.satisfies_criterion(des.graph, "a") and all(len(t) <= 12 for t in des.targets)
    assert des.lower_bound <= des.n_interventions
    assert des.optimal or ("NOT established" in des.certificate and "NOT proven optimal" in str(des))


@pytest.mark.parametrize("m, K", [(6, 6), (6, 7), (6, 9), (7, 7)])
def test_bounds_route_brackets_the_integer_program(m, K):
    """Where only bounds are available (forced with milp_limit=0) they must bracket the exact
    capacity from the integer program, and the greedy family must be a capped antichain."""
    from identkit.design import _capacity, _milp_capacity

    lower, upper, arg = capped_capacity(m, K, milp_limit=0)
    exact = _milp_capacity(m, K)[0]
    assert arg == "bounds" and lower <= exact <= upper
    fam = _capacity(m, K, None, milp_limit=0)[3]
    assert len(fam) == lower and len(set(fam)) == lower
    assert all(not set(a) <= set(b) for a, b in itertools.permutations(fam, 2))
    assert all(sum(e in s for s in fam) <= K for e in range(m))


def test_graph_family_realises_every_balanced_degree_sequence():
    """Havel–Hakimi on the most balanced sequence: for every m <= 40, K < m and n <= ⌊K m/2⌋,
    n distinct pairs with every element in at most K of them (the construction the degree
    count relies on)."""
    from collections import Counter

    from identkit.design import _graph_family

    for m in range(3, 41):
        for K in range(2, m):
            for n in {(K * m) // 2, (K * m) // 2 - 1, m, 1}:
                pairs = _graph_family(m, K, n)
                assert len(pairs) == n == len(set(pairs)) and all(a < b for a, b in pairs)
                assert max(Counter(e for p in pairs for e in p).values()) <= K
