"""identkit.sweep: specifications, seeds, the paper's generator, exact checks, and Dask runs.

The runs use a real ``distributed.LocalCluster`` of two worker processes (no mock). Every number
a sweep writes is checked by another route: the Wilson interval against scipy's, the seeds
against ``SeedSequence.spawn``, the paper's generator against its official rule re-derived here
and pinned draws, a d = 3 estimate against exact enumeration of every graph, the mean number of
pattern edges against the paper's Table 4, and a distributed table against a serial
computation with the core's :func:`identkit.analyze`.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import math
import os
import signal

import numpy as np
import pytest

import identkit as ik
from identkit.cli import main
from identkit.errors import SweepError
from identkit.sweep import (FitRuns, GraphCells, ResultsStore, draw_graph,
                            graph_generator, graph_statistics, graphs_task, load_results,
                            load_spec, paper_random_graph, plan_graph_tasks, plot_results, run,
                            wilson_interval)

distributed = pytest.importorskip("distributed")  # the [sweep] extra is in the test extra

MINIMAL_SPEC = (  # the issue's text as written (its comment line cut in two here)
    "kind: graphs\n"
    "family: erdos-renyi        # each entry of the regularized graphs ~ Bernoulli(p); "
    "Ga has m = d actions\n"
    "axes: {d: [3, 5, 8], p: [0.1, 0.3, 0.5, 0.7, 0.9], regularize: [a, z, az]}\n"
    "graphs_per_cell: 2000\n"
    "seed: 0\n")
COLUMNS = ["cell", "d", "p", "regularize", "n", "n_complete", "fraction_complete", "ci_low",
           "ci_high", "mean_identified", "mean_largest_block", "mean_log_permutations",
           "mean_pattern_edges", "sd_identified", "sd_largest_block", "sd_log_permutations",
           "sd_pattern_edges"]


def cli(*argv):
    out, err = io.StringIO(), io.StringIO()
    import contextlib

    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(list(argv))
    return status, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def client():
    """Two worker processes with one thread each, as ``identkit sweep`` starts on 2 cores."""
    import logging

    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=":0", silence_logs=logging.ERROR,
                                       scheduler_kwargs={"dashboard": False})
    c = distributed.Client(cluster)
    yield c
    c.close()
    cluster.close()


def table(path):
    with open(os.path.join(path, "cells.csv"), encoding="utf-8") as fh:
        return fh.read()


# ------------------------------------------------------------------------------ specifications

def test_the_minimal_spec_of_the_issue_loads_as_written(tmp_path):
    path = tmp_path / "spec.yaml"
    path.write_text(MINIMAL_SPEC)
    spec = load_spec(str(path))
    assert spec.n_cells == 45 and spec.graphs_per_cell == 2000 and spec.seed == 0
    assert spec.axis_names == ("d", "p", "regularize")
    # the first axis varies slowest
    assert spec.coordinates(0) == {"d": 3, "p": 0.1, "regularize": "a"}
    assert spec.coordinates(44) == {"d": 8, "p": 0.9, "regularize": "az"}
    assert [spec.coordinates(i) for i in range(45)] == [
        dict(zip(("d", "p", "regularize"), c)) for c in
        itertools.product([3, 5, 8], [0.1, 0.3, 0.5, 0.7, 0.9], ["a", "z", "az"])]


def test_the_minimal_spec_runs_from_the_command_line_and_writes_the_named_columns(tmp_path):
    """The issue's spec with fewer graphs per cell (the full one is the docs' picture)."""
    path = tmp_path / "spec.yaml"
    path.write_text(MINIMAL_SPEC.replace("2000", "30"))
    status, out, err = cli("sweep", str(path), "-o", str(tmp_path / "res"), "--workers", "1")
    assert status == 0, err
    assert "45 of 45 cells" in out and err == ""       # no progress line: not a terminal
    rows = list(csv.DictReader(io.StringIO(table(tmp_path / "res"))))
    assert list(rows[0]) == COLUMNS and len(rows) == 45
    assert [int(r["cell"]) for r in rows] == list(range(45))
    for r in rows:
        assert r["n"] == "30"
        assert float(r["ci_low"]) <= float(r["fraction_complete"]) <= float(r["ci_high"])
    manifest = json.loads((tmp_path / "res" / "manifest.json").read_text())
    assert manifest["status"] == "complete" and manifest["spec"]["axes"]["d"] == [3, 5, 8]
    assert {"identkit", "numpy", "dask", "distributed"} <= set(manifest["versions"])
    assert "SeedSequence(0).spawn" in manifest["seeding"]
    fig = tmp_path / "fig.png"
    status, out, err = cli("sweep", "plot", str(tmp_path / "res"), "-o", str(fig))
    assert status == 0, err
    assert fig.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


BAD_SPECS = [
    ({"kind": "graphs", "axes": {"d": [3], "q": [1]}}, "axes.q: unknown axis 'q'"),
    ({"kind": "graphs", "axes": {"d": [3], "p": []}}, "axes.p: empty range"),
    ({"kind": "graphs", "axes": {"d": [3], "p": {"from": 0.9, "to": 0.1, "step": 0.1}}},
     "axes.p: empty range"),
    ({"kind": "graphs", "axes": {"d": [3], "p": [0.5, 1.5]}},
     "axes.p[1]: 1.5 is not a probability in [0, 1]"),
    ({"kind": "graphs", "axes": {"d": [3], "p": [-0.1]}}, "axes.p[0]: -0.1 is not a prob"),
    ({"kind": "graphs", "axes": {"d": [3]}, "p": float("nan")}, "p: nan is not a probability"),
    ({"kind": "graphs", "axes": {"d": {"from": 1, "to": 1001}, "p": {"from": 0, "to": 1,
                                                                    "num": 1000}}},
     "the grid has 1,001,000 cells, over 1,000,000: confirm with --yes"),
    ({"kind": "graphs", "axes": {"d": [3]}, "p": 0.5, "graphs_per_cel": 3},
     "graphs_per_cel: unknown key (did you mean 'graphs_per_cell'?)"),
    ({"kind": "graph", "axes": {}}, "kind: unknown kind 'graph' (did you mean 'graphs'?)"),
    ({"kind": "graphs", "family": "erdos", "axes": {}}, "family: unknown family 'erdos'"),
    ({"kind": "graphs", "axes": {"d": [3], "p": [0.5]}, "p": 0.5},
     "axes.p: 'p' is both an axis and a fixed key"),
    ({"kind": "graphs", "axes": {"d": [3]}}, "p: missing"),
    ({"kind": "graphs", "axes": {"d": [3, 3]}, "p": 0.5}, "axes.d[1]: 3 is given twice"),
    ({"kind": "graphs", "axes": {"d": [0]}, "p": 0.5}, "axes.d[0]: 0 is not an integer"),
    ({"kind": "graphs", "axes": {"regularize": ["a", "x"]}, "d": 3, "p": 0.5},
     "axes.regularize[1]: 'x' is not a, z or az"),
    ({"kind": "graphs", "family": "interventions", "axes": {"target_size": [2, 4]}, "d": 3,
      "k": 2}, "target_size: 4 targets among d = 3 latents (cell 1: target_size=4)"),
    ({"kind": "graphs", "family": "interventions", "axes": {}, "d": 3, "k": 2,
      "target_size": 1, "regularize": "z"}, "an interventions grid regularizes the action"),
    ({"kind": "graphs", "family": "paper", "axes": {"regularize": ["a", "az"]}, "d": 3,
      "p": 0.5}, "the paper's generator draws one graph"),
    ({"kind": "graphs", "family": "paper", "axes": {"k": [1]}, "d": 3, "p": 0.5},
     "axes.k: unknown axis 'k'"),
    ({"kind": "fit", "axes": {"dataset": ["TimeNonDag"]}},
     "axes.dataset[0]: no dataset named 'TimeNonDag' (did you mean 'TimeNonDiag'?)"),
    ({"kind": "fit", "axes": {"dataset": ["TimeDiag"]}, "regularize": "a"},
     "regularize: TimeDiag has only a temporal graph"),
    ({"kind": "fit", "axes": {"dataset": ["TimeDiag"]}, "seeds": [1, 1]}, "seeds: a seed is"),
    ({"kind": "fit", "axes": {"dataset": ["TimeDiag"], "bound": [-1]}},
     "axes.bound[0]: -1 is not null, truth or a non-negative number"),
]


def test_cells_are_numbered_with_the_first_axis_slowest():
    spec = load_spec({"kind": "graphs", "axes": {"d": [2, 3], "p": [0.1, 0.2, 0.3],
                                                 "m": [1, 2, 3, 4]}})
    expected = list(itertools.product([2, 3], [0.1, 0.2, 0.3], [1, 2, 3, 4]))
    assert [tuple(spec.coordinates(i).values()) for i in range(24)] == expected
    assert spec.cell(23) == {"d": 3, "p": 0.3, "regularize": "az", "m": 4,
                             "self_loops": False}


def test_tasks_pack_small_cells_and_split_large_ones():
    """Every pending graph is in exactly one task; no task holds more than chunk_size graphs;
    small cells share tasks; a big sweep gives each worker several tasks."""
    def check(spec, pending, workers):
        tasks = plan_graph_tasks(spec, pending, workers)
        covered = {}
        for pieces in tasks:
            assert sum(stop - start for _, _, start, stop in pieces) <= spec.chunk_size
            for cell, params, start, stop in pieces:
                assert params == spec.cell(cell) and 0 <= start < stop <= spec.graphs_per_cell
                covered.setdefault(cell, []).extend(range(start, stop))
        assert sorted(covered) == sorted(pending)
        assert all(sorted(v) == list(range(spec.graphs_per_cell)) for v in covered.values())
        return tasks

    small = load_spec({"kind": "graphs", "axes": {"d": [2, 3, 4, 5], "p": [0.1, 0.5, 0.9]},
                       "graphs_per_cell": 10, "chunk_size": 1000})
    tasks = check(small, list(range(12)), 1)
    assert len(tasks) == 4 and all(len(t) == 3 for t in tasks)   # 120 graphs, 4 tasks of 30
    big = load_spec({"kind": "graphs", "axes": {"d": [10], "p": [0.3, 0.6]},
                     "graphs_per_cell": 5000, "chunk_size": 1000})
    tasks = check(big, [0, 1], 2)
    assert len(tasks) == 10 and {len(t) for t in tasks} == {1}    # 10^4 graphs, 10 tasks
    assert len(check(big, [1], 4)) == 16                           # 4 per worker, 313 each
    check(load_spec({**SMALL, "chunk_size": 7}), [0, 3, 5, 6], 2)


@pytest.mark.parametrize("spec, message", BAD_SPECS)
def test_bad_specs_are_refused_naming_the_key(spec, message):
    with pytest.raises(SweepError) as err:
        load_spec(spec)
    assert message in str(err.value)
    assert str(err.value).startswith("<spec>: ")


def test_a_grid_of_a_million_cells_needs_no_confirmation():
    spec = load_spec({"kind": "graphs", "axes": {"d": {"from": 1, "to": 1000},
                                                 "p": {"from": 0, "to": 1, "num": 1000}}})
    assert spec.n_cells == 1_000_000


def test_a_large_grid_is_accepted_when_confirmed():
    spec = load_spec({"kind": "graphs", "axes": {"d": {"from": 1, "to": 1001},
                                                 "p": {"from": 0, "to": 1, "num": 1000}}},
                     yes=True)
    assert spec.n_cells == 1_001_000 and spec.coordinates(1999)["p"] == 1.0


def test_ranges_include_both_ends():
    spec = load_spec({"kind": "graphs", "axes": {"d": {"from": 2, "to": 6, "step": 2},
                                                 "p": {"from": 0.1, "to": 0.9, "step": 0.2}}})
    assert dict(spec.axes) == {"d": (2, 4, 6), "p": (0.1, 0.3, 0.5, 0.7, 0.9)}


def test_the_command_refuses_a_bad_spec_in_one_line_before_any_work(tmp_path):
    path = tmp_path / "spec.yaml"
    path.write_text("kind: graphs\naxes: {d: [3], p: [0.5, 2]}\n")
    out_dir = tmp_path / "res"
    status, out, err = cli("sweep", str(path), "-o", str(out_dir))
    assert status == 2 and out == ""
    assert err == f"identkit: error: {path}: axes.p[1]: 2 is not a probability in [0, 1]\n"
    assert not out_dir.exists()
    path.write_text("kind: graphs\naxes: {d: [3]\n")          # malformed YAML
    status, _, err = cli("sweep", str(path), "-o", str(out_dir))
    assert status == 2 and err.count("\n") == 1 and "malformed" in err
    status, _, err = cli("sweep", str(tmp_path / "none.yaml"), "-o", str(out_dir))
    assert status == 2 and "no such specification file" in err
    status, _, err = cli("sweep", "plot", "-o", "fig.png")
    assert status == 2 and "give the RESULTS_DIR" in err
    status, _, err = cli("sweep", "plot", str(out_dir), "-o", "fig.png", "--workers", "2")
    assert status == 2 and "--workers is for running a sweep" in err
    assert not out_dir.exists()


# --------------------------------------------------------------------------- seeds and draws

def test_graph_seeds_are_the_children_of_seedsequence_spawn():
    root = np.random.SeedSequence(12345)
    cells = root.spawn(6)
    for c, j in ((0, 0), (5, 9), (3, 2)):
        child = cells[c].spawn(10)[j]
        ours = graph_generator(c, j, seed=12345)
        assert ours.bit_generator.state == np.random.default_rng(child).bit_generator.state


def _official_rule(d, p, seed, temporal):
    """The authors' code, re-derived: default_rng(45321 + seed), binomial(1, P) over a d x d
    matrix of edge probabilities whose diagonal is 1 for the temporal datasets."""
    if temporal:
        proba = np.minimum(1, np.eye(d) + p)
    else:
        proba = np.zeros((d, d)) + p
    return np.random.default_rng(45321 + seed).binomial(1, proba)


# The official rule's draws at d = 10, p = 0.4 (a row of Table 4), pinned.
PINNED = {
    (False, 11): ["0110000010", "0111000001", "0001011010", "0101100101", "1101100111",
                  "0101001111", "0010101011", "0001001001", "0001111001", "0100000000"],
    (False, 22): ["1001111011", "0001010000", "1101011011", "0000000100", "1000001010",
                  "1010011101", "1100000001", "1001110001", "0000000000", "0011001101"],
    (False, 33): ["0011010111", "0001001101", "1001001011", "1001111101", "1011011001",
                  "1000001111", "0111101011", "0011100000", "1010010110", "1000011011"],
    (True, 11): ["1110000010", "0111000001", "0011011010", "0101100101", "1101100111",
                 "0101011111", "0010101011", "0001001101", "0001111011", "0100000001"],
    (True, 22): ["1001111011", "0101010000", "1111011011", "0001000100", "1000101010",
                 "1010011101", "1100001001", "1001110101", "0000000010", "0011001101"],
    (True, 33): ["1011010111", "0101001101", "1011001011", "1001111101", "1011111001",
                 "1000011111", "0111101011", "0011100100", "1010010110", "1000011011"],
}


@pytest.mark.parametrize("temporal, seed", sorted(PINNED))
def test_the_paper_generator_matches_the_official_draws(temporal, seed):
    """Table 4 / App. C.1: ActionRandomGraphs and TimeRandomGraphs, seeds 11, 22, 33."""
    pinned = np.array([[int(ch) for ch in row] for row in PINNED[temporal, seed]])
    ours = paper_random_graph(10, 0.4, temporal=temporal, seed=seed)
    assert np.array_equal(ours, pinned)
    assert np.array_equal(_official_rule(10, 0.4, seed, temporal), pinned)
    if temporal:
        assert pinned.diagonal().all()
    # the sweep's paper family: graph j of a cell is the paper's graph for seed `seed + j`
    spec = load_spec({"kind": "graphs", "family": "paper", "d": 10, "p": 0.4,
                      "regularize": "z" if temporal else "a", "seed": seed - 3,
                      "graphs_per_cell": 5})
    g = draw_graph(spec, 0, 3)
    assert np.array_equal((g.Gz if temporal else g.Ga).astype(int), pinned)


@pytest.mark.parametrize("seed", [11, 22, 33])
@pytest.mark.parametrize("p", [0.0, 0.1, 0.9, 1.0])
def test_the_paper_generator_matches_the_official_rule_at_other_densities(seed, p):
    for temporal in (False, True):
        assert np.array_equal(paper_random_graph(7, p, temporal=temporal, seed=seed),
                              _official_rule(7, p, seed, temporal))


def test_erdos_renyi_with_forced_self_loops_is_the_paper_protocol_of_random_graph():
    """With self-loops forced, graph j is identkit.examples.random_graph (App. C.1's protocol,
    Gz drawn before Ga) from the same generator."""
    spec = load_spec({"kind": "graphs", "axes": {"regularize": ["a", "z", "az"]}, "d": 4,
                      "p": 0.35, "self_loops": True, "seed": 9, "graphs_per_cell": 5})
    kinds = {"a": "action", "z": "time", "az": "both"}
    for cell, params in spec.cells():
        for j in range(5):
            expected = ik.examples.random_graph(4, kind=kinds[params["regularize"]], p=0.35,
                                                seed=graph_generator(cell, j, seed=9))
            assert draw_graph(spec, cell, j) == expected


def test_interventions_have_k_target_sets_of_the_given_size():
    spec = load_spec({"kind": "graphs", "family": "interventions", "d": 6, "k": 4,
                      "target_size": 3, "graphs_per_cell": 200})
    counts = np.zeros(6)
    for j in range(200):
        Ga = draw_graph(spec, 0, j).Ga
        assert Ga.shape == (6, 4) and (Ga.sum(axis=0) == 3).all()
        counts += Ga.sum(axis=1)
    # each latent is a target with probability 1/2 in each of 4 interventions: 400 expected
    assert np.all(np.abs(counts - 400) < 4 * math.sqrt(800 * 0.25))


# ------------------------------------------------------------------------ numbers, exactly

def test_wilson_intervals_agree_with_scipy():
    from scipy.stats import binomtest

    for n, k, conf in [(10, 7, 0.95), (2000, 0, 0.95), (2000, 2000, 0.9), (37, 1, 0.99),
                       (1, 0, 0.95), (1, 1, 0.95), (500, 250, 0.5), (1000, 999, 0.95)]:
        ci = binomtest(k, n).proportion_ci(confidence_level=conf, method="wilson")
        low, high = wilson_interval(k, n, conf)
        assert low == pytest.approx(ci.low, abs=1e-12) and high == pytest.approx(ci.high,
                                                                                 abs=1e-12)
    with pytest.raises(SweepError):
        wilson_interval(3, 2)


def test_graph_statistics_of_the_papers_examples():
    """Example 8 (a block of two), Example 5 (complete), Example 4 (only the robot z2 is
    identified; z1 and z3 may mix with everything)."""
    ex8 = graph_statistics(ik.LatentGraph(Gz=[[1, 0, 0], [1, 1, 1], [1, 1, 1]]))
    assert (ex8["complete"], ex8["identified"], ex8["largest_block"],
            ex8["pattern_edges"]) == (False, 1, 2, 5)
    ex5 = graph_statistics(ik.LatentGraph(Ga=[[1, 1, 0], [1, 0, 1], [0, 1, 1]]))
    assert (ex5["complete"], ex5["identified"], ex5["largest_block"], ex5["log_permutations"],
            ex5["pattern_edges"]) == (True, 3, 1, 0.0, 3)
    ex4 = graph_statistics(ik.LatentGraph(Ga=[[0], [1], [0]]))
    assert (ex4["identified"], ex4["largest_block"], ex4["pattern_edges"]) == (1, 2, 7)
    assert ex4["log_permutations"] == pytest.approx(math.log(2))


def _enumerate_d3(reg):
    """Every Erdős–Rényi model at d = 3 (2^9 or 2^18 bit patterns, Ga's bits first) with its
    verdicts, by numpy from the definitions: C[i, j] iff Pa_a(i) ⊆ Pa_a(j) (a regularized),
    and Pa_z(i) ⊆ Pa_z(j) and Ch_z(i) ⊆ Ch_z(j) (z regularized). Returns the bits, whether C
    is the identity, and the number of latents whose row of C is {i}."""
    nbits = 9 * len(reg)
    bits = ((np.arange(2 ** nbits)[:, None] >> np.arange(nbits)) & 1).astype(bool)
    C = np.ones((bits.shape[0], 3, 3), dtype=bool)
    offset = 0

    def subset(A, B):   # A[g, i] ⊆ B[g, j] for rows of (g, 3, n) arrays
        return ~np.any(A[:, :, None, :] & ~B[:, None, :, :], axis=-1)

    if "a" in reg:
        Ga = bits[:, :9].reshape(-1, 3, 3)
        C &= subset(Ga, Ga)
        offset = 9
    if "z" in reg:
        Gz = bits[:, offset:offset + 9].reshape(-1, 3, 3)       # rows are children
        Ch = np.transpose(Gz, (0, 2, 1))                        # row j: the children of z_j
        C &= subset(Gz, Gz) & subset(Ch, Ch)
    off = C & ~np.eye(3, dtype=bool)
    return bits, ~off.any(axis=(1, 2)), (~off.any(axis=2)).sum(axis=1)


def _exact_d3(reg, p):
    """P(complete) and E[identified] when every entry is Bernoulli(p), summed exactly over
    every graph."""
    bits, complete, identified = _enumerate_d3(reg)
    edges = bits.sum(axis=1)
    weight = p ** edges * (1 - p) ** (bits.shape[1] - edges)
    return float(weight @ complete), float(weight @ identified)


def test_the_exact_enumeration_agrees_with_the_papers_criterion_on_every_graph():
    """The enumeration's verdict, graph by graph at d = 3, equals Assumption 5 (Prop 7) and
    the sweep's per-graph statistics."""
    for reg in ("a", "z"):
        _, complete, identified = _enumerate_d3(reg)
        for code in range(2 ** 9):
            G = np.array([(code >> k) & 1 for k in range(9)]).reshape(3, 3)
            g = ik.LatentGraph(Ga=G) if reg == "a" else ik.LatentGraph(Gz=G)
            s = graph_statistics(g)
            assert ik.satisfies_criterion(g) == s["complete"] == complete[code]
            assert s["identified"] == identified[code]


def test_interventions_at_d3_against_exact_enumeration_of_target_sets():
    """Three interventions on two of three latents: of the 27 equally likely target triples,
    those covering all three pairs (3! of them) disentangle (Example 5); the estimate's Wilson
    interval holds the exact fraction 6/27."""
    pairs = list(itertools.combinations(range(3), 2))
    exact = 0
    for triple in itertools.product(pairs, repeat=3):
        g = ik.LatentGraph.from_interventions([[f"z{i + 1}" for i in t] for t in triple],
                                              latents=["z1", "z2", "z3"])
        exact += ik.satisfies_criterion(g)
    assert exact == 6
    spec = load_spec({"kind": "graphs", "family": "interventions", "d": 3, "k": 3,
                      "target_size": 2, "graphs_per_cell": 3000, "seed": 4})
    cells = GraphCells(spec)
    (row,) = cells.absorb(graphs_task(spec.family, [(0, spec.cell(0), 0, 3000)], seed=4))
    assert row["ci_low"] <= 6 / 27 <= row["ci_high"]


def test_table_4_expected_pattern_edges_of_the_paper_generator():
    """Table 4 reports E‖V‖₀ (the edges of C) of its random graphs at d = 10; the paper's
    generator over 1,000 seeds per density lands within four standard errors (plus the
    table's rounding to 0.1) of every entry."""
    table4 = {("a", 0.1): 45.0, ("a", 0.2): 25.8, ("a", 0.4): 15.8, ("a", 0.6): 15.8,
              ("a", 0.9): 45.0, ("z", 0.1): 10.2, ("z", 0.2): 10.2, ("z", 0.4): 10.2,
              ("z", 0.6): 10.4, ("z", 0.9): 26.1}
    spec = load_spec({"kind": "graphs", "family": "paper", "d": 10, "graphs_per_cell": 1000,
                      "axes": {"regularize": ["a", "z"], "p": [0.1, 0.2, 0.4, 0.6, 0.9]}})
    cells = GraphCells(spec)
    rows = []
    for pieces in plan_graph_tasks(spec, list(range(spec.n_cells)), 1):
        rows += cells.absorb(graphs_task(spec.family, pieces, seed=spec.seed))
    assert len(rows) == 10
    for r in rows:
        se = r["sd_pattern_edges"] / math.sqrt(r["n"])
        assert abs(r["mean_pattern_edges"] - table4[r["regularize"], r["p"]]) <= 4 * se + 0.05


# --------------------------------------------------------------------------------- on Dask

SMALL = {"kind": "graphs", "axes": {"d": [3, 4], "p": [0.2, 0.6], "regularize": ["a", "az"]},
         "graphs_per_cell": 150, "seed": 3}


def _serial_rows(spec):
    """Every cell computed graph by graph with the core's analyze (no Dask, no chunks)."""
    from scipy.stats import binomtest

    rows = []
    for cell, params in spec.cells():
        stats = []
        for j in range(spec.graphs_per_cell):
            g = draw_graph(spec, cell, j)
            r = ik.analyze(g, params["regularize"])
            stats.append((r.complete, len(r.identified), max(len(b) for b in r.blocks),
                          math.log(ik.graph_preserving_permutations(g).order()),
                          int(ik.entanglement_graph(g).sum())))
        n = len(stats)
        k = sum(s[0] for s in stats)
        ci = binomtest(k, n).proportion_ci(method="wilson")
        rows.append({"cell": cell, "n": n, "n_complete": k, "fraction_complete": k / n,
                     "ci_low": ci.low, "ci_high": ci.high,
                     "mean_identified": sum(s[1] for s in stats) / n,
                     "mean_largest_block": sum(s[2] for s in stats) / n,
                     "mean_log_permutations": math.fsum(s[3] for s in stats) / n,
                     "mean_pattern_edges": sum(s[4] for s in stats) / n,
                     "sd_identified": float(np.std([s[1] for s in stats], ddof=1))})
    return rows


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """SMALL computed on one thread worker with tiny chunks: the bytes every run must give."""
    path = tmp_path_factory.mktemp("reference")
    run({**SMALL, "chunk_size": 7}, path, workers=1, processes=False)
    return table(path)


def test_the_distributed_table_equals_a_serial_computation(client, tmp_path, reference):
    done = run(SMALL, tmp_path, client=client)
    assert done.computed == 8 and done.skipped == 0 and done.units == 8 * 150
    assert table(tmp_path) == reference          # chunking and workers do not change a byte
    got = load_results(tmp_path).cells
    for mine, theirs in zip(got, _serial_rows(load_spec(SMALL))):
        for key, value in theirs.items():
            assert mine[key] == pytest.approx(value, rel=1e-12, abs=1e-12), (key, mine)


def test_killing_a_worker_mid_sweep_gives_the_identical_table(client, tmp_path, reference):
    before = client.run(os.getpid)
    victim = sorted(before)[0]
    killed = []

    def kill_once(row):
        if not killed:
            killed.append(len(client.processing()[victim]))   # the victim's tasks in flight
            os.kill(before[victim], signal.SIGKILL)

    # small chunks: the victim holds tasks when it dies, and Dask reruns them elsewhere
    done = run({**SMALL, "chunk_size": 10}, tmp_path, client=client, on_cell=kill_once)
    assert killed[0] > 0 and done.computed == 8
    assert table(tmp_path) == reference
    client.wait_for_workers(2, timeout=30)
    assert before[victim] not in client.run(os.getpid).values()


def test_an_interrupted_sweep_resumes_without_recomputing_finished_cells(client, tmp_path,
                                                                         reference):
    spec = load_spec({**SMALL, "chunk_size": 40})
    seen = []

    def stop_after_three(row):
        seen.append(row["cell"])
        # each finished cell is on disk at once, not when the sweep ends
        assert table(tmp_path).count("\n") == 1 + len(seen)
        if len(seen) == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run(spec, tmp_path, client=client, on_cell=stop_after_three)
    kept = load_results(tmp_path)
    assert sorted(r["cell"] for r in kept.cells) == sorted(seen)
    assert kept.manifest["status"] == "interrupted"
    pending = [c for c in range(8) if c not in seen]
    expected = plan_graph_tasks(spec, pending, 2)
    # the interrupted call's cancelled tasks may still be running on a busy machine: let them
    # end so that the task stream counts the second call's tasks only
    import time

    deadline = time.monotonic() + 30
    while any(client.processing().values()) and time.monotonic() < deadline:
        time.sleep(0.05)
    with distributed.get_task_stream(client) as ts:
        done = run(spec, tmp_path, client=client)
    ours = [t for t in ts.data if str(t["key"]).startswith("identkit-sweep-")]
    assert len(ours) == len(expected) == done.tasks
    assert done.skipped == 3 and done.computed == 5 and done.units == 5 * 150
    assert table(tmp_path) == reference
    assert load_results(tmp_path).manifest["status"] == "complete"
    # a third call has nothing left to do and starts no task
    again = run(spec, tmp_path, client=client)
    assert (again.computed, again.skipped, again.tasks) == (0, 8, 0)


def test_a_fraction_at_d3_lies_in_its_interval_around_exact_enumeration(client, tmp_path):
    spec = {"kind": "graphs", "axes": {"regularize": ["a", "z", "az"]}, "d": 3, "p": 0.5,
            "graphs_per_cell": 2000, "seed": 0}
    rows = run(spec, tmp_path, client=client).results.cells
    for r in rows:
        exact, identified = _exact_d3(r["regularize"], 0.5)
        assert r["ci_low"] <= exact <= r["ci_high"], (r, exact)
        se = r["sd_identified"] / math.sqrt(r["n"])
        assert abs(r["mean_identified"] - identified) <= 4 * se


def test_a_cell_cut_short_by_a_kill_is_dropped_and_recomputed(tmp_path, reference):
    run(SMALL, tmp_path, workers=1, processes=False)
    path = tmp_path / "cells.csv"
    lines = path.read_text().splitlines(keepends=True)
    # the state after a kill: five rows in the order they finished, the sixth half written
    path.write_text("".join(lines[:1] + lines[3:8] + [lines[8][:20]]))
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    done = run(SMALL, tmp_path, workers=1, processes=False)
    assert (done.skipped, done.computed) == (5, 3)
    assert table(tmp_path) == reference
    assert manifest["spec_digest"] == load_spec(SMALL).digest


def test_a_folder_of_another_spec_is_refused(tmp_path):
    run(SMALL, tmp_path, workers=1, processes=False)
    with pytest.raises(SweepError, match=r"written by another specification \(axes.p differs"):
        run({**SMALL, "axes": {**SMALL["axes"], "p": [0.2, 0.7]}}, tmp_path, workers=1)
    with pytest.raises(SweepError, match=r"graphs_per_cell differs"):
        run({**SMALL, "graphs_per_cell": 151}, tmp_path, workers=1)
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("mine")
    with pytest.raises(SweepError, match="not empty and holds no manifest.json"):
        run(SMALL, other, workers=1)


# ------------------------------------------------------------------ progress and pictures

def test_progress_is_quiet_off_a_terminal_and_counts_cells_on_one(tmp_path, capsys,
                                                                    monkeypatch):
    """The sweep draws identkit's one progress line (graphs done, graphs/s, ETA, cells done):
    nothing when stderr is no terminal, the line ending at every cell when asked; a resumed
    sweep counts its skipped cells as done."""
    import identkit._progress as progress

    out = run(SMALL, tmp_path / "quiet", workers=1, processes=False)
    assert out.computed == 8 and capsys.readouterr().err == ""
    run(SMALL, tmp_path / "shown", workers=1, processes=False, progress=True)
    err = capsys.readouterr().err
    last = err.rstrip("\n").split("\r")[-1]
    assert last.startswith("sweep [####################] 1200/1200") and "graphs/s" in last
    assert "ETA" in last and "8/8 cells" in last and err.endswith("\n")
    finished = []

    def stop_after_three(row):
        finished.append(row)
        if len(finished) == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run(SMALL, tmp_path / "resumed", workers=1, processes=False, on_cell=stop_after_three)
    notes = []
    monkeypatch.setattr(progress.Progress, "update",
                        lambda self, done, extra="": notes.append((self.total, done, extra)))
    run(SMALL, tmp_path / "resumed", workers=1, processes=False, progress=True)
    assert notes[0][2] == "4/8 cells" and notes[-1] == (750, 750, "8/8 cells")
def test_heatmaps_and_curves_of_a_graphs_table(tmp_path):
    res = run(SMALL, tmp_path, workers=1, processes=False).results
    fig = plot_results(res)
    heat = [ax for ax in fig.axes if ax.images]
    assert len(heat) == 2                                    # one panel per regularize value
    assert [t.get_text() for t in heat[0].get_xticklabels()] == ["0.2", "0.6"]
    assert heat[0].images[0].get_array().shape == (2, 2)      # d down, p across
    value = res.cells[0]["fraction_complete"]
    assert f"{value:.2f}" in [t.get_text() for t in heat[0].texts]
    fig = plot_results(res, style="curves", x="p", y="d")
    panels = [ax for ax in fig.axes if ax.lines]
    assert len(panels) == 2 and all(len(ax.collections) == 2 for ax in panels)  # bands
    with pytest.raises(SweepError, match="'q' is not an axis"):
        plot_results(res, x="q")


def test_the_table_4_layout_of_a_fit_grid(tmp_path):
    """Rows of a fit grid written through the results folder (no training: the layout)."""
    spec = load_spec({"kind": "fit", "axes": {"dataset": ["ActionRandomGraphs"],
                                              "p": [0.1, 0.2], "bound": [None, "truth"]},
                      "seeds": 2})
    kind = FitRuns(spec)
    store = ResultsStore(tmp_path, spec, kind.columns, kind.run_columns)
    store.start(1, "local")
    for cell in range(spec.n_cells):
        for seed in spec.seeds:
            result = {"cell": cell, "seed": seed, "mcc": 0.5 + 0.1 * seed, "r": 0.9,
                      "rcon": 0.7, "shd": 0.01 * cell, "bound_used": None, "seconds": 1.0}
            runs, cells = kind.absorb(result)
            store.add_run(runs[0])
            for row in cells:
                store.add_cell(row)
    store.finish("complete")
    res = load_results(tmp_path)
    assert len(res.runs) == 8 and len(res.cells) == 4
    assert res.cells[0]["mcc_mean"] == pytest.approx(0.55)
    assert res.cells[0]["mcc_sd"] == pytest.approx(math.sqrt(0.005))
    fig = plot_results(res)
    cells = fig.axes[0].tables[0].get_celld()
    texts = {c.get_text().get_text() for c in cells.values()}
    assert ".55±.07" in texts and any("without sparsity" in t for t in texts)


def test_a_fit_grid_resumes_run_by_run(tmp_path):
    """Runs on disk are not trained again; a cell whose runs are all on disk gets its row
    without training (the state after a kill between the last run and the cell's row)."""
    spec = load_spec({"kind": "fit", "axes": {"dataset": ["TimeDiag", "ActionDiag"]},
                      "seeds": [3, 7]})
    kind = FitRuns(spec)
    store = ResultsStore(tmp_path, spec, kind.columns, kind.run_columns)
    store.start(1, "local")
    for cell, seed in ((0, 3), (0, 7), (1, 7)):
        store.add_run({"cell": cell, "seed": seed, "dataset": spec.coordinates(cell)["dataset"],
                       "mcc": 0.9, "r": 0.95, "rcon": 0.93, "shd": 0.0, "bound_used": 10.0,
                       "seconds": 2.5})
    store.finish("interrupted")
    store = ResultsStore(tmp_path, spec, kind.columns, kind.run_columns)
    fresh = FitRuns(spec)
    rows = fresh.resume(store.finished_cells, store.runs.rows)
    assert [(r["cell"], r["n_runs"], r["mcc_mean"], r["mcc_sd"]) for r in rows] == \
        [(0, 2, 0.9, 0.0)]
    tasks = fresh.plan({0}, store.runs.rows, 2)
    assert [(t[1][0], t[2]["seed"]) for t in tasks] == [(1, 3)]   # only the missing run
    assert tasks[0][1][1] == spec.cell(1) and tasks[0][1][1]["bound"] == "truth"


def test_ctrl_c_on_the_command_keeps_finished_cells_and_a_rerun_finishes(tmp_path):
    """A real SIGINT to `identkit sweep` while it computes: one line saying what was kept,
    exit status 2, the finished rows on disk; the same command then computes only the rest."""
    import subprocess
    import sys
    import time

    spec = tmp_path / "spec.yaml"
    spec.write_text("kind: graphs\naxes: {p: {from: 0.05, to: 0.95, step: 0.1}}\n"
                    "d: 8\nregularize: az\ngraphs_per_cell: 300\nchunk_size: 100\n")
    res = tmp_path / "res"
    cmd = [sys.executable, "-m", "identkit", "sweep", str(spec), "-o", str(res),
           "--workers", "1"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    cells = res / "cells.csv"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (
            cells.exists() and cells.read_text().count("\n") >= 3):
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 2, err
    assert "interrupted" in err and "rerun to compute the rest" in err
    kept = load_results(res)
    assert 2 <= len(kept.cells) < 10 and kept.manifest["status"] == "interrupted"
    status, out, err = cli("sweep", str(spec), "-o", str(res), "--workers", "1")
    assert status == 0, err
    assert f"{10 - len(kept.cells)} computed now, {len(kept.cells)} already done" in out
    assert len(load_results(res).cells) == 10


def test_a_fit_grid_on_two_workers_equals_serial_training_with_the_public_api(tmp_path, client):
    """Two tiny training runs of identkit.learn on the 2-worker cluster: the tables have their
    columns, and each run's scores are bit for bit those of the same run trained here, serially,
    written from the public API as a user would (identkit.numeric.generate, fit, evaluate),
    with the bound the true regularized graph's edge count."""
    from identkit import learn
    from identkit.numeric import generate

    spec = {"kind": "fit", "axes": {"dataset": ["ActionDiag", "TimeDiag"]}, "seeds": [3],
            "d": 3, "samples": 256, "test_samples": 200, "steps": 30, "batch_size": 64,
            "hidden": 8, "prior_hidden": 4}
    out = run(spec, tmp_path, client=client)
    res = out.results
    assert out.tasks == 2 and res.complete
    with open(tmp_path / "runs.csv", encoding="utf-8") as fh:
        header = fh.readline().strip().split(",")
    assert header == ["cell", "seed", "dataset", "mcc", "r", "rcon", "shd", "bound_used",
                      "seconds"]
    assert list(res.cells[0]) == ["cell", "dataset", "n_runs", "mcc_mean", "mcc_sd", "r_mean",
                                  "r_sd", "rcon_mean", "rcon_sd", "shd_mean", "shd_sd",
                                  "seconds_mean"]
    runs = sorted(res.runs, key=lambda r: r["cell"])
    assert [(r["cell"], r["seed"], r["dataset"]) for r in runs] == \
        [(0, 3, "ActionDiag"), (1, 3, "TimeDiag")]
    for run_row, cell_row in zip(runs, res.cells):
        tr = generate(run_row["dataset"], 256, seed=3, d=3)
        te = generate(run_row["dataset"], 200, seed=3, d=3, split="test")
        temporal = tr["x_prev"].shape[1] == 1
        x = np.stack([tr["x_prev"][:, 0], tr["x"]], axis=1) if temporal else tr["x"]
        truth = tr["Gz"] if temporal else tr["Ga"]
        assert run_row["bound_used"] == truth.sum() == 3        # the diagonal graphs: I_3
        model = learn.MechanismSparsityVAE(3, bound=int(truth.sum()), steps=30, batch_size=64,
                                           hidden=(8, 8, 8), prior_hidden=(4, 4), seed=3,
                                           progress=False)
        model.fit(x, None if temporal else tr["a"])
        ev = learn.evaluate(model, te["x"], te["z"], ik.LatentGraph(Gz=tr.get("Gz"),
                                                                    Ga=tr.get("Ga")))
        assert (run_row["mcc"], run_row["r"], run_row["rcon"], run_row["shd"]) == \
            (ev.mcc, ev.r, ev.rcon, ev.shd)
        assert cell_row["n_runs"] == 1 and cell_row["mcc_mean"] == ev.mcc
        assert cell_row["mcc_sd"] == 0.0 and run_row["seconds"] > 0
