"""Hypothesis properties of the patterns, checked against statements of the paper."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import identkit as ik
from identkit.strategies import latent_graphs

@given(latent_graphs(max_latents=7))
def test_pattern_is_a_preorder(g):
    """C is reflexive and transitive (paper Props 4-5)."""
    C = ik.entanglement_graph(g)
    assert C.diagonal().all()
    Ci = C.astype(int)
    assert not ((Ci @ Ci > 0) & ~C).any()


@given(latent_graphs(max_latents=7), st.randoms(use_true_random=False))
def test_relabeling_latents_relabels_pattern(g, rnd):
    d = g.n_latents
    p = list(range(d))
    rnd.shuffle(p)
    P = ik.permutation_matrix(p)
    C = ik.entanglement_graph(g)
    Ch = ik.entanglement_graph(g.permute(p))
    assert np.array_equal(Ch, (P @ C @ P.T).astype(bool))
    rep, rep_h = ik.analyze(g), ik.analyze(g.permute(p))
    assert sorted(p[i] for i in rep.identified) == list(rep_h.identified)
    assert rep.complete == rep_h.complete


@st.composite
def self_loops_no_two_cycles(draw):
    d = draw(st.integers(1, 8))
    Gz = np.eye(d, dtype=bool)
    for i in range(d):
        for j in range(i + 1, d):
            choice = draw(st.integers(0, 2))  # none, i <- j, j <- i: never both
            if choice == 1:
                Gz[i, j] = True
            elif choice == 2:
                Gz[j, i] = True
    return ik.LatentGraph(Gz=Gz)


@given(self_loops_no_two_cycles())
def test_prop8_self_loops_and_no_two_cycles_is_complete(g):
    """Prop 8: all self-loops and no 2-cycles in Gz imply the criterion."""
    assert ik.satisfies_criterion(g)
    assert ik.analyze(g).complete


@given(latent_graphs(max_latents=6), st.data())
def test_single_target_action_identifies_its_latent(g, data):
    """Adding an action that targets only latent i makes i identified (Example 4)."""
    i = data.draw(st.integers(0, g.n_latents - 1))
    h = g.with_interventions([[g.latents[i]]])
    report = ik.analyze(h)
    assert i in report.identified
    assert i not in ik.criterion_witnesses(h)
    # and the pattern can only shrink
    C_before = ik.entanglement_graph(g)
    C_after = ik.entanglement_graph(h)
    assert not (C_after & ~C_before).any()


@settings(deadline=None)
@given(latent_graphs(max_latents=7), st.integers(0, 2**32 - 1))
def test_invertible_matrices_on_the_pattern_form_a_group(g, seed):
    """Props 4-5: an invertible matrix supported on C is graph-preserving, and so is its
    inverse; the product of two such matrices too. Checked against the definition (Def 11)
    for every regularized graph, not through the pattern."""
    rng = np.random.default_rng(seed)
    C = ik.entanglement_graph(g)
    d = g.n_latents

    def draw():
        M = rng.standard_normal((d, d)) * C
        return M + np.eye(d) * (np.abs(M).sum() + 1.0)  # diagonally dominant: invertible

    A, B = draw(), draw()
    graphs = []
    if g.Ga is not None:
        graphs.append(g.Ga)
    if g.Gz is not None:
        graphs += [g.Gz, g.Gz.T]
    for M in (A, np.linalg.inv(A), A @ B):
        scale = np.abs(M).max()
        for G in graphs:
            R = rng.standard_normal(G.shape) * G
            assert np.all(np.abs((M.T @ R)[~G]) <= 1e-9 * scale * np.abs(R).max() * d)
        assert ik.is_graph_preserving(g, M, atol=1e-9 * scale)


@given(latent_graphs(max_latents=6))
def test_report_is_consistent_with_pattern(g):
    r = ik.analyze(g)
    C = ik.entanglement_graph(g)
    assert np.array_equal(r.entanglement_graph, C)
    # blocks are exactly the classes of mutual entries
    for b in r.blocks:
        assert C[np.ix_(b, b)].all()
    block_of = {i: k for k, b in enumerate(r.blocks) for i in b}
    for i in range(g.n_latents):
        for j in range(g.n_latents):
            if C[i, j] and C[j, i]:
                assert block_of[i] == block_of[j]
    # the Hasse edges generate the strict order between blocks
    n = len(r.blocks)
    reach = np.zeros((n, n), dtype=bool)
    for a, b in r.order:
        reach[a, b] = True
    for k in range(n):
        reach |= reach[:, [k]] & reach[[k], :]
    for a in range(n):
        for b in range(n):
            if a != b:
                assert reach[a, b] == C[r.blocks[a][0], r.blocks[b][0]]
    # every explanation of an entangled pair has only ⊆ inclusions
    for i, j, text in r.explanations:
        assert C[i, j] and i != j and "⊄" not in text
    # identified latents: row i of C is {i}
    assert list(r.identified) == [i for i in range(g.n_latents) if C[i].sum() == 1]


@given(latent_graphs(max_latents=5, temporal=True, actions=True))
def test_combined_pattern_is_intersection(g):
    C = ik.entanglement_graph(g)
    assert np.array_equal(C, ik.entanglement_graph(g, "a") & ik.entanglement_graph(g, "z"))
    assert np.array_equal(ik.entanglement_graph(g, "a"), ik.preserving_pattern(g.Ga))
    assert np.array_equal(ik.entanglement_graph(g, "z"),
                          ik.preserving_pattern(g.Gz) & ik.preserving_pattern(g.Gz.T))
