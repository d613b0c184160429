"""LatentGraph: construction, conventions, conversions, and every kind of bad input."""

import math

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp

import identkit as ik
from identkit import GraphError, IdentkitError


def test_rows_are_children_for_both_graphs():
    # z1 (t-1) -> z2 (t) and a1 -> z3
    g = ik.LatentGraph(Gz=[[0, 0, 0], [1, 0, 0], [0, 0, 0]], Ga=[[0], [0], [1]])
    assert g.parents_z("z2") == {0}
    assert g.children_z("z1") == {1}
    assert g.parents_a(2) == {0}
    assert g.children_a("a1") == {2}
    assert g.n_latents == 3 and g.n_actions == 1
    assert g.latents == ("z1", "z2", "z3") and g.actions == ("a1",)
    assert g.graphs == "az"


def test_matrices_are_read_only_booleans():
    g = ik.LatentGraph(Gz=[[True, False], [1, 1]])
    assert g.Gz.dtype == bool
    with pytest.raises(ValueError):
        g.Gz[0, 0] = False
    with pytest.raises(AttributeError):
        g.foo = 1


def test_equality_and_hashing():
    a = ik.LatentGraph(Gz=[[1, 0], [1, 1]], Ga=[[1], [0]])
    b = ik.LatentGraph(Gz=np.array([[1, 0], [1, 1]], dtype=bool), Ga=sp.csr_array([[1], [0]]))
    c = ik.LatentGraph(Gz=[[1, 0], [1, 1]], Ga=[[1], [0]], latents=["x", "y"])
    assert a == b and hash(a) == hash(b)
    assert a != c
    assert len({a, b, c}) == 2


def test_from_edges_matches_matrices_fig1():
    g = ik.LatentGraph.from_edges(
        temporal_edges=[("tree", "tree"), ("tree", "robot"), ("robot", "robot"),
                        ("tree", "ball"), ("robot", "ball"), ("ball", "ball")],
        action_edges=[("torque", "robot")],
        latents=["tree", "robot", "ball"],
    )
    assert g == ik.examples.get("fig1").graph


def test_from_edges_infers_names_in_order_of_appearance():
    g = ik.LatentGraph.from_edges(temporal_edges=[("z10", "z2"), ("z1", "z1")])
    assert g.latents == ("z10", "z2", "z1")
    assert g.Gz[1, 0] and g.Gz[2, 2]


def test_from_interventions_example5():
    g = ik.LatentGraph.from_interventions([["z1", "z2"], ["z1", "z3"], ["z2", "z3"]])
    assert g.Ga.astype(int).tolist() == [[1, 1, 0], [1, 0, 1], [0, 1, 1]]
    assert g.Gz is None


def test_networkx_orientation_both_ways():
    # Gz[1, 0] = 1 means z1 (t-1) -> z2 (t): networkx edge ('z1', 'z2'), adjacency A[0, 1]
    g = ik.LatentGraph(Gz=[[0, 0], [1, 0]], Ga=[[0], [1]])
    G = g.to_networkx()
    assert set(G.edges()) == {("z1", "z2"), ("a1", "z2")}
    A = nx.to_numpy_array(G.subgraph(["z1", "z2"]), nodelist=["z1", "z2"])
    assert np.array_equal(A.astype(bool), g.Gz.T)
    assert ik.LatentGraph.from_networkx(G) == g
    # and from a plain networkx graph built by hand
    H = nx.DiGraph()
    H.add_edge("u", "v")
    H.add_node("push", kind="action")
    H.add_edge("push", "u")
    h = ik.LatentGraph.from_networkx(H)
    assert h.latents == ("u", "v") and h.actions == ("push",)
    assert h.Gz.astype(int).tolist() == [[0, 0], [1, 0]]
    assert h.Ga.astype(int).tolist() == [[1], [0]]


@pytest.mark.parametrize("seed", range(20))
def test_networkx_round_trip_random(seed):
    g = ik.examples.random_graph(6, kind="both", p=0.3, n_actions=3, seed=seed)
    assert ik.LatentGraph.from_networkx(g.to_networkx()) == g
    # the edge count is the number of ones in both matrices
    assert g.to_networkx().number_of_edges() == int(g.Gz.sum() + g.Ga.sum())


def test_networkx_keeps_empty_graphs():
    g = ik.LatentGraph(Gz=np.zeros((2, 2)), Ga=np.zeros((2, 1)))
    assert ik.LatentGraph.from_networkx(g.to_networkx()) == g


def test_permute_relabels_matrices():
    rng = np.random.default_rng(0)
    g = ik.examples.random_graph(5, kind="both", p=0.4, seed=1)
    p = rng.permutation(5)
    h = g.permute(p)
    P = ik.permutation_matrix(p)
    assert np.array_equal(h.Gz, (P @ g.Gz @ P.T).astype(bool))
    assert np.array_equal(h.Ga, (P @ g.Ga).astype(bool))
    assert [h.latents[p[i]] for i in range(5)] == list(g.latents)


def test_with_interventions_appends_columns():
    g = ik.LatentGraph(Gz=np.eye(3), Ga=[[1], [0], [0]])
    h = g.with_interventions([["z2", "z3"]])
    assert h.actions == ("a1", "a2")
    assert h.Ga.astype(int).tolist() == [[1, 0], [0, 1], [0, 1]]


def test_sparse_input_is_not_densified():
    n = 20000
    Gz = sp.eye_array(n, format="csr")
    g = ik.LatentGraph(Gz=Gz)
    assert "Gz" not in g.__dict__  # the dense property was not built
    assert g.n_edges() == n


# --------------------------------------------------------------------------------- bad input

BAD = [
    (dict(Gz=[[1, 0, 0], [0, 1, 0]]), "square"),
    (dict(Gz=np.eye(3), Ga=[[1], [0]]), "Ga has 2 rows but Gz has 3"),
    (dict(Gz=[[1, 2], [0, 1]]), "Gz[0, 1] is 2"),
    (dict(Gz=[[1, 0], [-1, 1]]), "Gz[1, 0] is -1"),
    (dict(Ga=[[0.5], [1]]), "Ga[0, 0] is 0.5"),
    (dict(Ga=[[1], [math.nan]]), "Ga[1, 0] is nan"),
    (dict(Gz=[["1", "0"], ["0", "1"]]), "Gz[0, 0] is '1'"),
    (dict(Gz=[[1, 0], [0]]), "ragged: row 1 has 1"),
    (dict(Gz=[]), "Gz"),
    (dict(Ga=np.zeros((3, 0))), "empty"),
    (dict(Gz=[1, 0, 1]), "2-D"),
    (dict(), "at least one graph"),
    (dict(Gz=np.eye(2), latents=["x", "x"]), "duplicate name 'x'"),
    (dict(Gz=np.eye(2), latents=["x"]), "1 names but the graph has 2"),
    (dict(Gz=np.eye(2), Ga=[[1], [1]], latents=["x", "y"], actions=["x"]), "both a latent"),
    (dict(Gz=np.eye(2), actions=["a"]), "no Ga"),
    (dict(Gz=sp.csr_array(np.array([[2, 0], [0, 1]]))), "Gz[0, 0] is 2"),
]


@pytest.mark.parametrize("kwargs, words", BAD)
def test_bad_matrices_raise_named_errors(kwargs, words):
    with pytest.raises(GraphError) as info:
        ik.LatentGraph(**kwargs)
    assert words in str(info.value)
    assert isinstance(info.value, IdentkitError) and isinstance(info.value, ValueError)


def test_bad_edges_and_targets():
    with pytest.raises(GraphError, match="undeclared latent 'z4'"):
        ik.LatentGraph.from_edges(temporal_edges=[("z1", "z4")], latents=["z1", "z2"])
    with pytest.raises(GraphError, match="listed more than once"):
        ik.LatentGraph.from_edges(temporal_edges=[("z1", "z2"), ("z1", "z2")])
    with pytest.raises(GraphError, match="undeclared action 'b'"):
        ik.LatentGraph.from_edges(action_edges=[("b", "z1")], actions=["a"], latents=["z1"])
    with pytest.raises(GraphError, match="must be a pair"):
        ik.LatentGraph.from_edges(temporal_edges=[("z1", "z2", "z3")])
    with pytest.raises(GraphError, match=r"targets\[1\] names 'z2' twice"):
        ik.LatentGraph.from_interventions([["z1"], ["z2", "z2"]])
    with pytest.raises(GraphError, match=r"targets\[0\] is empty"):
        ik.LatentGraph.from_interventions([[]], latents=["z1"])
    with pytest.raises(GraphError, match="undeclared latent 'q'"):
        ik.LatentGraph.from_interventions([["q"]], latents=["z1"])
    with pytest.raises(GraphError, match="unknown latent 'z9'"):
        ik.LatentGraph(Gz=np.eye(2)).parents_z("z9")
    with pytest.raises(GraphError, match="no Ga"):
        ik.LatentGraph(Gz=np.eye(2)).parents_a(0)
    with pytest.raises(GraphError, match="not a permutation"):
        ik.LatentGraph(Gz=np.eye(2)).permute([0, 0])


def test_from_networkx_rejects_edges_into_actions():
    G = nx.DiGraph()
    G.add_node("a", kind="action")
    G.add_edge("z", "a")
    with pytest.raises(GraphError, match="points into the action 'a'"):
        ik.LatentGraph.from_networkx(G)
    with pytest.raises(GraphError, match="directed"):
        ik.LatentGraph.from_networkx(nx.Graph([(1, 2)]))


def test_restrict_and_to_dict():
    g = ik.examples.get("fig1").graph
    assert g.restrict("a").graphs == "a" and g.restrict("z").graphs == "z"
    assert g.restrict("az") == g
    d = g.to_dict()
    assert d["latents"] == ["tree", "robot", "ball"] and d["Ga"] == [[0], [1], [0]]
    assert ik.LatentGraph(Gz=d["Gz"], Ga=d["Ga"], latents=d["latents"], actions=d["actions"]) == g


def test_csr_accessors_are_the_storage_and_agree_with_the_dense_graphs():
    g = ik.examples.get("fig1").graph
    for csr, dense in ((g.Gz_csr, g.Gz), (g.Ga_csr, g.Ga), (g.Gz_T_csr, g.Gz.T),
                       (g.Ga_T_csr, g.Ga.T)):
        assert np.array_equal(csr.toarray(), dense)
        assert not csr.indices.flags.writeable and not csr.indptr.flags.writeable
    assert g.Gz_T_csr is g.Gz_T_csr                      # computed once
    h = ik.LatentGraph(Gz=np.eye(2))
    assert h.Ga_csr is None and h.Ga_T_csr is None


def test_adjacency_is_read_only_and_matches_the_parent_and_child_methods():
    g = ik.examples.get("fig1").graph
    adj = g.adjacency
    for i in range(g.n_latents):
        assert adj["pa_z"][i] == g.parents_z(i) and adj["ch_z"][i] == g.children_z(i)
        assert adj["pa_a"][i] == g.parents_a(i)
    assert adj["ch_a"][0] == g.children_a(0) == frozenset({1})
    with pytest.raises(TypeError):
        adj["pa_z"] = None
    assert ik.LatentGraph(Gz=np.eye(2)).adjacency["pa_a"] is None


def test_equality_and_hash_compare_names_and_storage():
    g = ik.examples.get("fig1").graph
    same = ik.LatentGraph(Gz=g.Gz, Ga=g.Ga, latents=g.latents, actions=g.actions)
    assert same == g and hash(same) == hash(g)
    assert g.permute([1, 0, 2]) != g
    renamed = ik.LatentGraph(Gz=g.Gz, Ga=g.Ga, latents=["a", "b", "c"], actions=g.actions)
    assert renamed != g
    assert ik.LatentGraph(Gz=np.eye(2)) != ik.LatentGraph(Ga=np.eye(2))
