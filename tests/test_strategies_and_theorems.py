"""Strategies draw what they promise (checked by a second route), and every theorem check can
fail: handed a deliberately wrong implementation, it finds a counterexample."""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import identkit as ik
from identkit import theorems
from identkit.entanglement import preserving_pattern
from identkit.strategies import (
    StrategyArgumentError,
    disentangled_graphs,
    entangled_graphs,
    intervention_designs,
    latent_graphs,
    mechanisms,
    preserving_maps,
    preserving_matrices,
    violating_matrices,
)
from identkit.testing import assert_accepts_relabelings, assert_invariant_to_preserving_maps


def brute_criterion(g):
    """The criterion by brute force over all pairs: no i ≠ j with F_i ⊆ F_j (Prop 3)."""
    feats = []
    for i in range(g.n_latents):
        f = set()
        if g.Ga is not None:
            f |= {("a", l) for l in np.flatnonzero(g.Ga[i])}
        if g.Gz is not None:
            f |= {("pz", j) for j in np.flatnonzero(g.Gz[i])}
            f |= {("cz", j) for j in np.flatnonzero(g.Gz[:, i])}
        feats.append(f)
    return not any(feats[i] <= feats[j] for i, j in itertools.permutations(range(g.n_latents), 2))


@settings(max_examples=80, deadline=None)
@given(disentangled_graphs(max_latents=7))
def test_disentangled_graphs_satisfy_the_criterion(g):
    assert brute_criterion(g)
    assert ik.satisfies_criterion(g)


@settings(max_examples=80, deadline=None)
@given(entangled_graphs(max_latents=7))
def test_entangled_graphs_violate_the_criterion(g):
    assert not brute_criterion(g)
    assert not ik.analyze(g).complete


@given(latent_graphs(min_latents=2, max_latents=5, temporal=True, actions=False, self_loops="all"))
def test_latent_graphs_respect_their_options(g):
    assert g.Ga is None and g.Gz.diagonal().all() and 2 <= g.n_latents <= 5


@given(st.integers(1, 6).flatmap(lambda d: st.tuples(st.just(d), intervention_designs(d))))
def test_intervention_designs_are_valid_target_sets(case):
    d, targets = case
    g = ik.LatentGraph.from_interventions(targets, latents=d)
    assert g.n_actions == len(targets)
    assert all(len(set(t)) == len(t) >= 1 for t in targets)


@settings(max_examples=40, deadline=None)
@given(latent_graphs(max_latents=5).flatmap(lambda g: st.tuples(st.just(g), preserving_matrices(g))))
def test_preserving_matrices_satisfy_definition_11(case):
    g, M = case
    assert np.linalg.matrix_rank(M) == g.n_latents
    graphs = [x for x in (g.Ga, g.Gz, None if g.Gz is None else g.Gz.T) if x is not None]
    rng = np.random.default_rng(0)
    for G in graphs:  # the definition, not the pattern
        A = rng.standard_normal(G.shape) * G
        assert np.all(np.abs((M.T @ A)[~G]) < 1e-9)


@settings(max_examples=40, deadline=None)
@given(entangled_graphs(max_latents=5).filter(lambda g: not ik.entanglement_graph(g).all())
       .flatmap(lambda g: st.tuples(st.just(g), violating_matrices(g))))
def test_violating_matrices_leave_the_pattern_once(case):
    g, M = case
    C = preserving_pattern(np.hstack([x for x in (g.Ga, g.Gz, None if g.Gz is None else g.Gz.T)
                                      if x is not None]))
    assert ((M != 0) & ~C).sum() == 1
    assert not ik.is_graph_preserving(g, M)


@settings(max_examples=15, deadline=None)
@given(latent_graphs(max_latents=4).flatmap(
    lambda g: st.tuples(st.just(g), mechanisms(g), preserving_maps(g))))
def test_numeric_strategies(case):
    from identkit.numeric import Pushforward, estimate_graph

    g, mech, v = case
    assert estimate_graph(Pushforward(mech, v), 20) == estimate_graph(mech, 20)


def test_strategy_arguments_are_validated():
    with pytest.raises(StrategyArgumentError):
        latent_graphs(min_latents=0)
    with pytest.raises(StrategyArgumentError):
        latent_graphs(min_latents=4, max_latents=2)
    with pytest.raises(StrategyArgumentError):
        latent_graphs(self_loops="some")
    with pytest.raises(StrategyArgumentError):
        latent_graphs(temporal=False, actions=False)
    with pytest.raises(StrategyArgumentError):
        violating_matrices(ik.LatentGraph(Gz=np.ones((2, 2))))


def test_shrinking_reaches_the_simplest_counterexample():
    """A false property over graphs shrinks to a single latent with no edge."""
    from hypothesis import find

    g = find(latent_graphs(max_latents=6), lambda g: not ik.analyze(g).complete)
    assert g.n_latents == 2 and g.n_edges() == 0


# -------------------------------------------------------------- the testing helpers


def test_testing_helpers_pass_and_fail():
    from identkit.metrics import mcc, rcon

    g = ik.examples.get("TimeBlockDiag").graph
    z = np.random.default_rng(0).standard_normal((400, 10))
    assert_invariant_to_preserving_maps(
        g, lambda z, zh: rcon(g, z, zh, matching=list(range(10))), z)
    with pytest.raises(AssertionError, match="changed"):
        assert_invariant_to_preserving_maps(g, lambda z, zh: mcc(z, zh).value, z)
    assert_accepts_relabelings(g, ik.are_consistent)
    with pytest.raises(AssertionError, match="rejected"):
        assert_accepts_relabelings(ik.examples.get("ex7").graph, lambda a, b: a == b)


def test_pytest_fixtures(identkit_catalogue, identkit_rng):
    assert len(identkit_catalogue) == len(ik.examples.names())
    assert identkit_rng.integers(10) == np.random.default_rng(0).integers(10)


# ------------------------------------------------------------------------- theorems


# that every statement holds in quick mode is tested beside the statements, in
# theorems/test_statements.py


def _transposed(G):
    return preserving_pattern(G).T


def _no_transitivity(G):
    """A broken pattern: every row i may use the rows j sharing a column with i."""
    G = np.asarray(G, dtype=bool)
    return (G.astype(int) @ G.T.astype(int) > 0) | np.eye(G.shape[0], dtype=bool)


def _criterion_without_children(g):
    """Wrong: uses the parent sets of Gz only (drops Ch_z, as if Gzᵀ were not preserved)."""
    feats = [set(np.flatnonzero(g.Gz[i])) if g.Gz is not None else set() for i in range(g.n_latents)]
    if g.Ga is not None:
        feats = [f | {("a", l) for l in np.flatnonzero(g.Ga[i])} for i, f in enumerate(feats)]
    return not any(feats[i] <= feats[j] for i, j in itertools.permutations(range(g.n_latents), 2))


def _bad_design(d):
    from identkit.design import design_interventions

    des = design_interventions(d)
    # claim one intervention fewer by dropping the last target set
    from identkit.design import Design

    targets = des.targets[:-1]
    graph = ik.LatentGraph.from_interventions([list(t) for t in targets],
                                              latents=des.graph.latents) if targets else None
    return Design(targets, graph, len(targets), len(targets), True, "wrong")


def _violating_as_preserving(g, regularize=None, seed=None):
    from identkit.numeric import sample_violating_map

    return sample_violating_map(g, regularize, seed=seed)


MUTANTS = [
    (theorems.preserving_pattern, {"pattern": _transposed}),
    (theorems.preserving_group, {"pattern": _no_transitivity}),
    (theorems.pattern_rows, {"pattern": _transposed}),
    (theorems.combined_consistency, {"combine": lambda g: ik.entanglement_graph(g, "a") | ik.entanglement_graph(g, "z")}),
    (theorems.criterion_iff_identity, {"criterion": _criterion_without_children}),
    # wrong: forgets that Gz is regularized
    (theorems.self_loops_no_two_cycles, {"complete": lambda g: ik.analyze(g, "").complete}),
    (theorems.criterion_as_intersections, {"criterion": _criterion_without_children}),
    (theorems.denser_unless_preserving, {"preserving_map": _violating_as_preserving}),
    (theorems.fewest_interventions, {"design": _bad_design}),
]


@pytest.mark.parametrize("module, wrong", MUTANTS, ids=lambda x: getattr(x, "NAME", ""))
def test_every_theorem_check_can_fail(module, wrong):
    ev = module.check(quick=True, seed=0, **wrong)
    assert not ev.holds and ev.counterexample


def test_theorems_command(capsys):
    from identkit.cli import main
    import json

    code = main(["theorems", "--quick", "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0 and len(data) == len(theorems.MODULES)
    assert all(d["holds"] is True and d["instances"] > 0 for d in data)
    assert all(d["status"] == "holds" and min(d["parts"].values()) > 0 for d in data)
