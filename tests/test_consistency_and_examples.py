"""Relabelings between a true and a learned graph; the paper's catalogue; the report."""

import json
import warnings

import numpy as np
import pytest

import identkit as ik
from test_symmetry import perms


def brute_relabelings(g, h):
    d = g.n_latents
    out = set()
    for p in perms(d):
        ok = True
        if g.Gz is not None:
            ok &= bool((h.Gz[p[:, None], p[None, :]] == g.Gz).all())
        if g.Ga is not None:
            ok &= bool((h.Ga[p] == g.Ga).all())
        if ok:
            out.add(tuple(p.tolist()))
    return out


@pytest.mark.parametrize("seed", range(40))
def test_relabelings_against_brute_force(seed):
    rng = np.random.default_rng(seed)
    d = int(rng.integers(1, 6))
    g = ik.examples.random_graph(d, kind="both", p=float(rng.uniform(0.2, 0.7)), n_actions=2,
                                 seed=seed)
    p = rng.permutation(d)
    h = g.permute(p)
    found = set(ik.relabelings(g, h))
    assert found == brute_relabelings(g, h)
    assert tuple(p.tolist()) in found
    # the relabelings form a coset of the automorphism group
    assert len(found) == ik.automorphisms(g).order()
    assert ik.are_consistent(g, h)
    # one extra edge breaks consistency
    Gz = h.Gz.copy()
    zero = np.argwhere(~Gz)
    if zero.size:
        i, j = zero[0]
        Gz[i, j] = True
        denser = ik.LatentGraph(Gz=Gz, Ga=h.Ga)
        assert not ik.are_consistent(g, denser)
        assert set(ik.relabelings(g, denser)) == brute_relabelings(g, denser) == set()


def test_relabelings_bad_input():
    g = ik.LatentGraph(Gz=np.eye(2))
    with pytest.raises(ik.GraphError, match="2 latents but the learned one has 3"):
        ik.are_consistent(g, ik.LatentGraph(Gz=np.eye(3)))
    with pytest.raises(ik.RegularizeError):
        ik.are_consistent(g, ik.LatentGraph(Ga=np.eye(2)))


# ------------------------------------------------------------------------------ the catalogue


@pytest.mark.parametrize("name", ik.examples.names())
def test_catalogue_verdicts(name):
    """Each entry's verdict, identified latents and (where the paper writes it) pattern C."""
    ex = ik.examples.get(name)
    r = ik.analyze(ex.graph, ex.regularize)
    assert r.complete == ex.complete
    assert r.complete == ik.satisfies_criterion(ex.graph, ex.regularize)
    assert tuple(ex.graph.latents[i] for i in r.identified) == ex.identified
    if ex.pattern is not None:
        assert r.entanglement_graph.astype(int).tolist() == [list(row) for row in ex.pattern]


def test_example4_pattern_and_reason():
    """Example 4: C = [[*,*,*],[0,*,0],[*,*,*]] since Ga_2 ⊄ Ga_1 and Ga_2 ⊄ Ga_3."""
    r = ik.analyze(ik.examples.get("ex4").graph)
    assert r.identified == (1,)
    assert r.blocks == ((0, 2), (1,))
    assert r.order == ((0, 1),)  # the block {z1, z3} may absorb the learned z2
    assert "Pa_a(z2) = {a1} ⊄ Pa_a(z1) = ∅" in r.explain("z2", "z1")
    assert r.explain("z1", "z2").startswith("true z1 may depend on learned z2")


def test_example8_blocks_and_names():
    r = ik.analyze(ik.examples.get("ex8").graph)
    d = r.to_dict()
    assert d["identified"] == ["z1"]
    assert d["blocks"] == [["z1"], ["z2", "z3"]]
    assert d["entanglement_graph"] == [[1, 0, 0], [0, 1, 1], [0, 1, 1]]
    assert d["complete"] is False
    json.dumps(d)  # plain data
    text = str(r)
    assert text.startswith("Complete disentanglement is NOT guaranteed")
    assert "{z2, z3}" in text and "sufficient influence" in text and "‖Ĝz‖₀ ≤ ‖Gz‖₀" in text


def test_action_block_nondiag_inclusion_in_file_names():
    r = ik.analyze(ik.examples.get("ActionBlockNonDiag").graph)
    assert "Pa_a(z1) = {a1} ⊆ Pa_a(z9) = {a1, a5}" in r.explain("z1", "z9")
    assert r.order == ((0, 4),)


def test_fig1_uses_custom_names():
    r = ik.analyze(ik.examples.get("fig1").graph)
    assert r.complete
    assert "sufficient influence of a" in r.assumptions and "of z" in r.assumptions
    assert "Prop 6" in r.assumptions


def test_hasse_diagram_chain():
    """Ga rows {a1} ⊂ {a1,a2} ⊂ {a1,a2,a3}: a chain of three blocks, two cover edges."""
    g = ik.LatentGraph(Ga=[[1, 0, 0], [1, 1, 0], [1, 1, 1]])
    r = ik.analyze(g)
    assert r.blocks == ((0,), (1,), (2,))
    assert r.order == ((0, 1), (1, 2))
    assert r.identified == (2,)
    C = r.entanglement_graph
    assert C[0, 2]  # transitivity: present in C but not a cover edge


def test_random_graph_protocol_and_errors():
    g = ik.examples.random_graph(8, kind="time", p=0.0, seed=1)
    assert np.array_equal(g.Gz, np.eye(8, dtype=bool))
    g = ik.examples.random_graph(8, kind="action", p=1.0, n_actions=3, seed=1)
    assert g.Ga.all() and g.Gz is None
    rng = np.random.default_rng(5)
    a = ik.examples.random_graph(6, kind="both", seed=rng)
    b = ik.examples.random_graph(6, kind="both", seed=rng)
    assert a != b  # a Generator is threaded through, not reset
    with pytest.raises(ik.GraphError, match="probability"):
        ik.examples.random_graph(3, p=1.5)
    with pytest.raises(ik.GraphError, match="kind"):
        ik.examples.random_graph(3, kind="tim")
    with pytest.raises(ik.ExampleNotFoundError, match="did you mean 'ex8'"):
        ik.examples.get("ex88")
    assert isinstance(ik.ExampleNotFoundError("x"), ik.IdentkitError)


def test_regularize_errors():
    g = ik.LatentGraph(Gz=np.eye(2))
    for bad, words in [("a", "no Ga"), ("x", "unknown letter 'x'"), ("zz", "repeats"),
                       (3, "string")]:
        with pytest.raises(ik.RegularizeError, match=words):
            ik.entanglement_graph(g, bad)
    with pytest.raises(ik.RegularizeError):
        ik.analyze(g, "az")


def test_is_graph_preserving_input_checks():
    g = ik.examples.get("ex4").graph
    with pytest.raises(ik.GraphError, match="shape"):
        ik.is_graph_preserving(g, np.eye(2))
    with pytest.raises(ik.GraphError, match="non-finite"):
        ik.is_graph_preserving(g, [[1, 0, 0], [0, np.nan, 0], [0, 0, 1]])
    assert ik.is_graph_preserving(g, np.eye(3) + 1e-12 * np.ones((3, 3)), atol=1e-9)
    assert not ik.is_graph_preserving(g, np.eye(3) + 1e-12 * np.ones((3, 3)))


def test_is_graph_preserving_takes_the_graph_first_and_the_old_order_warns():
    g = ik.examples.get("ex4").graph                     # only z2 is targeted: z2 must not mix
    mixing = [[1, 0, 0], [0.3, 1, 0], [0, 0, 1]]
    allowed = [[2.0, 0.5, 0], [0, 1, 0], [0, 0, 1]]
    with warnings.catch_warnings():
        warnings.simplefilter("error")                   # the new order never warns
        assert ik.is_graph_preserving(g, allowed) and not ik.is_graph_preserving(g, mixing)
        assert ik.is_graph_preserving(g, mixing, "a", atol=0.5)   # below atol: no mixing
    for M in (allowed, mixing):
        with pytest.warns(DeprecationWarning, match="graph first"):
            old = ik.is_graph_preserving(M, g)
        assert old == ik.is_graph_preserving(g, M)
    with pytest.warns(DeprecationWarning):
        assert ik.is_graph_preserving(mixing, g, atol=0.5)   # keywords still reach it
    with pytest.raises(ik.GraphError, match="needs a LatentGraph"):
        ik.is_graph_preserving(np.eye(3), np.eye(3))


def test_consistency_result_agrees_with_are_consistent_and_relabelings():
    from identkit.consistency import Consistency

    g = ik.LatentGraph(Gz=[[1, 0, 0], [1, 1, 0], [1, 1, 1]])
    for h in (g.permute([2, 1, 0]), g.permute([1, 2, 0]),
              ik.LatentGraph(Gz=[[1, 0, 0], [1, 1, 0], [0, 1, 1]]),
              ik.LatentGraph(Gz=[[1, 0, 0], [0, 1, 0], [1, 1, 1]])):
        c = Consistency.of(g, h)
        assert c.consistent == ik.are_consistent(g, h)
        assert c.relabeling == next(iter(ik.relabelings(g, h)), None)
        assert (c.reason is None) == c.consistent
        assert c.to_dict() == json.loads(json.dumps(c.to_dict()))
        assert str(c).startswith("consistent (z)" if c.consistent else "not consistent (z)")


def test_consistency_result_is_frozen_and_names_the_invariant():
    import dataclasses

    from identkit.consistency import Consistency

    g = ik.LatentGraph(Ga=[[1, 0], [0, 1]])
    c = Consistency.of(g, ik.LatentGraph(Ga=[[1, 1], [0, 1]]))
    assert not c.consistent and "edges" in c.reason and c.regularize == "a"
    with pytest.raises(dataclasses.FrozenInstanceError):
        c.consistent = True
    assert ik.Consistency is Consistency and "Consistency" in ik.__all__
