"""Hostile input on what the seams redesign added or moved: each bad input gets a typed error
from :mod:`identkit.errors` naming the culprit (the command line: one stderr line, exit
status 2, no traceback)."""

import os

import numpy as np
import pytest

from identkit.errors import GraphError, IdentkitError, OutputError

from test_hostile_inputs import cli, refused  # the suite's one CLI runner and refusal check


@pytest.mark.parametrize("path", [3, None, 3.5, ["x.svg"]])
def test_picture_format_of_a_non_path_is_an_output_error_naming_it(path):
    from identkit.plot import picture_format

    with pytest.raises(OutputError, match="path: a picture path"):
        picture_format(path)


def test_picture_format_reads_a_bytes_path_by_its_extension():
    from identkit.plot import picture_format

    assert picture_format(b"out/ex4.PNG") == "png"


@pytest.mark.parametrize("text", [3, ["z1"], b"z1"])
def test_parse_intervenable_of_a_non_str_is_a_graph_error_naming_the_argument(text):
    from identkit.design import parse_intervenable

    with pytest.raises(GraphError, match="intervenable"):
        parse_intervenable(text)


@pytest.mark.parametrize("text", ["-+3", "+-3", "--3"])
def test_parse_latents_of_a_doubly_signed_count_is_a_graph_error(text):
    from identkit.design import parse_latents

    with pytest.raises(GraphError, match="is not an integer"):
        parse_latents(text)


def test_design_latents_doubly_signed_is_refused_naming_the_value():
    refused(cli("design", "--latents=--3"), "--latents", "'--3' is not an integer")


@pytest.mark.parametrize("path", [3, None, ["m.yaml"]])
def test_load_mechanism_of_a_non_path_is_a_graph_file_error_naming_the_argument(path):
    from identkit.errors import GraphFileError
    from identkit.symbolic import load_mechanism

    with pytest.raises(GraphFileError, match="path: a file path"):
        load_mechanism(path)


def test_load_mechanism_reads_a_bytes_path(tmp_path):
    import identkit as ik
    from identkit.symbolic import load_mechanism

    p = tmp_path / "m.json"
    p.write_text(ik.examples.get("mechanism-ex9").dumps("json"))
    assert load_mechanism(os.fsencode(p)).latents == ("z1", "z2", "z3")


@pytest.mark.parametrize("max_bytes", [-1, "x", 1.5, True])
def test_a_size_limit_that_is_not_a_non_negative_int_is_refused_naming_max_bytes(tmp_path,
                                                                                 max_bytes):
    from identkit.errors import GraphFileError
    from identkit.symbolic import load_mechanism

    p = tmp_path / "m.json"
    p.write_text("{}")
    with pytest.raises(GraphFileError, match="max_bytes must be a non-negative integer"):
        load_mechanism(p, max_bytes=max_bytes)


def test_read_graph_of_a_non_path_is_a_graph_file_error():
    import identkit as ik
    from identkit.errors import GraphFileError

    with pytest.raises(GraphFileError, match="path: a file path"):
        ik.io.read_graph(3)


def _example4():
    import identkit as ik

    return ik.LatentGraph(Ga=[[0], [1], [0]])


def test_is_graph_preserving_refuses_a_complex_matrix_whose_imaginary_part_leaves_the_pattern():
    # z2 must not mix (Example 4); the float cast dropped 1j*E21 and answered True
    import numpy as np

    import identkit as ik

    M = np.eye(3) + 0j
    M[1, 0] = 1j
    with pytest.raises(GraphError, match="real matrix"):
        ik.is_graph_preserving(_example4(), M)
    import scipy.sparse as sp

    with pytest.raises(GraphError, match="real matrix"):
        ik.is_graph_preserving(_example4(), sp.csr_array(M))


@pytest.mark.parametrize("atol", [-1.0, float("nan"), float("inf"), "x", None])
def test_is_graph_preserving_refuses_an_atol_that_is_not_a_non_negative_number(atol):
    import numpy as np

    import identkit as ik

    with pytest.raises(GraphError, match="atol must be a non-negative finite number"):
        ik.is_graph_preserving(_example4(), np.eye(3), atol=atol)


@pytest.mark.parametrize("C", [np.eye(3) * 2, np.full((3, 3), np.nan), np.full((3, 3), "x")])
def test_matrix_on_pattern_refuses_a_pattern_that_is_not_boolean_naming_c(C):
    from identkit.testing import matrix_on_pattern

    with pytest.raises(GraphError, match="C: a pattern has boolean or 0/1 entries"):
        matrix_on_pattern(C, np.ones((3, 3)))


def test_matrix_on_pattern_reads_a_sparse_or_0_1_pattern_as_the_boolean_one():
    import numpy as np
    import scipy.sparse as sp

    from identkit.testing import matrix_on_pattern

    C = np.array([[1, 1], [0, 1]])
    want = matrix_on_pattern(C.astype(bool), [[0, -2.0], [5.0, 0]])
    assert np.array_equal(matrix_on_pattern(sp.csr_array(C), [[0, -2.0], [5.0, 0]]), want)
    assert np.array_equal(matrix_on_pattern(C.astype(float), [[0, -2.0], [5.0, 0]]), want)


def test_matrix_on_pattern_refuses_complex_values():
    import numpy as np

    from identkit.testing import matrix_on_pattern

    with pytest.raises(IdentkitError, match="real"):
        matrix_on_pattern(np.ones((2, 2), bool), np.ones((2, 2)) * 1j)


@pytest.mark.parametrize("matching", ["xyz", [0, 1, "x"], [0, 1, 2.5], 3])
def test_rcon_refuses_a_matching_that_is_not_indices_with_a_metric_error(matching):
    import numpy as np

    from identkit.metrics import MetricError, rcon

    z = np.random.default_rng(0).normal(size=(40, 3))
    with pytest.raises(MetricError, match="matching must be"):
        rcon(_example4(), z, z, matching=matching)


@pytest.mark.parametrize("results", [None, [3], "x"])
def test_theorems_table_of_something_other_than_evidence_is_an_identkit_error(results):
    from identkit import theorems

    with pytest.raises(IdentkitError, match="results: table takes"):
        theorems.table(results)


@pytest.mark.parametrize("path", [3, None])
def test_write_dataset_to_a_non_path_is_an_output_error_naming_it(path):
    from identkit.numeric import write_dataset

    with pytest.raises(OutputError, match="path: the output path"):
        write_dataset("ActionDiag", path, 10, d=3)


def test_read_array_of_a_non_path_is_a_metric_error_naming_it():
    from identkit.metrics import MetricError, read_array

    with pytest.raises(MetricError, match="path: an array file path"):
        read_array(3)


def test_read_array_of_a_several_array_npz_without_key_does_not_ask_for_an_array_named_none(
        tmp_path):
    from identkit.metrics import MetricError, read_array

    p = tmp_path / "zz.npz"
    np.savez(p, a=np.eye(2), b=np.eye(2))
    with pytest.raises(MetricError, match="holds a, b; name one with key") as e:
        read_array(p)
    assert "None" not in str(e.value)
    with pytest.raises(MetricError, match="no array is named 'c'"):
        read_array(p, "c")


def test_score_with_a_worked_mechanism_example_uses_its_derived_graph():
    # a mechanism example has no .graph: this was an AttributeError ("internal error" on the CLI)
    import identkit as ik
    from identkit.metrics import score
    from identkit.symbolic import worked_mechanism

    z = np.random.default_rng(0).normal(size=(60, 3))
    zhat = z[:, [1, 0, 2]] * [2.0, -1.0, 0.5]
    g = worked_mechanism("mechanism-ex9").derive_graph().graph
    want = ik.metrics.rcon(g, z, zhat).value
    assert score(z, zhat, example="mechanism-ex9")["rcon"] == want


def test_score_cli_with_a_worked_mechanism_example_of_the_wrong_size_is_one_line(tmp_path):
    np.save(tmp_path / "z.npy", np.random.default_rng(0).normal(size=(40, 5)))
    refused(cli("score", "--true", "z.npy", "--learned", "z.npy", "--example", "mechanism-ex9",
                cwd=tmp_path), "truth has 5 latents but the graph has 3")


@pytest.mark.parametrize("name, words", [
    ("ex8", ["'ex8' is a graph example", "identkit examples ex8 > ex8.yaml"]),
    ("mechanism-ex9", ["'mechanism-ex9' is a worked mechanism, not a dataset"])])
def test_generate_of_a_catalogue_example_that_is_no_dataset_says_which_kind_it_is(tmp_path, name,
                                                                                  words):
    refused(cli("generate", name, "--samples", 5, "-o", "d.npz", cwd=tmp_path), *words)
    assert not (tmp_path / "d.npz").exists()


def test_generate_reads_a_graph_file_on_standard_input_for_dash(tmp_path):
    import identkit as ik

    proc = cli("generate", "-", "--samples", 5, "-o", "d.npz", cwd=tmp_path,
               stdin=ik.examples.get("ex8").dumps("yaml").encode())
    assert proc.returncode == 0, proc.stderr
    assert np.load(tmp_path / "d.npz")["z"].shape == (5, 3)
    refused(cli("generate", "-", "--samples", 5, "-o", "e.npz", cwd=tmp_path, stdin=b""),
            "<stdin>: empty model")


def test_score_cli_with_a_mechanism_file_as_graph_uses_its_derived_graph(tmp_path):
    # check, draw, verify and repair read a mechanism file; score told the user to call a
    # Python function instead
    import json

    import identkit as ik

    (tmp_path / "m.json").write_text(ik.examples.get("mechanism-ex9").dumps("json"))
    z = np.random.default_rng(0).normal(size=(50, 3))
    np.save(tmp_path / "z.npy", z)
    np.save(tmp_path / "zh.npy", z[:, [0, 1, 2]] * 3.0)
    proc = cli("score", "--true", "z.npy", "--learned", "zh.npy", "--graph", "m.json",
               "--format", "json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["rcon"] == pytest.approx(1.0) and out["matching"] == {"z1": 0, "z2": 1, "z3": 2}


def test_score_refuses_regularize_without_a_graph_instead_of_ignoring_it(tmp_path):
    from identkit.metrics import MetricError, score

    z = np.random.default_rng(0).normal(size=(40, 3))
    with pytest.raises(MetricError, match="regularize='a' chooses the pattern of Rcon"):
        score(z, z, regularize="a")
    np.save(tmp_path / "z.npy", z)
    refused(cli("score", "--true", "z.npy", "--learned", "z.npy", "--regularize", "a",
                cwd=tmp_path), "--graph or --example")


def _out_of_memory(*args, **kwargs):
    raise MemoryError


@pytest.mark.parametrize("argv, hint", [
    (["examples"], False),                          # examples has no --max-memory
    (["design", "--latents", "5"], True),           # design estimates, and has --max-memory
    (["check", "--example", "fig1"], True)])
def test_out_of_memory_points_to_max_memory_only_where_the_command_has_it(monkeypatch, capsys,
                                                                          argv, hint):
    import identkit.design
    import identkit.report
    from identkit.cli import main

    import identkit.examples

    monkeypatch.setattr(identkit.design, "design_interventions", _out_of_memory)
    monkeypatch.setattr(identkit.examples, "listing", _out_of_memory)
    monkeypatch.setattr(identkit.report, "analyze", _out_of_memory)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("identkit: error: out of memory") and err.count("\n") == 1
    assert ("--max-memory" in err) == hint


def test_consistency_of_a_learned_model_lacking_a_regularized_graph_names_g_hat():
    # fig1 has Ga, ex8 has none: "this model has no Ga" read as if the true model lacked it
    import identkit as ik
    from identkit.consistency import Consistency
    from identkit.errors import RegularizeError

    with pytest.raises(RegularizeError, match=r"^g_hat \(the learned model\): .*no Ga"):
        Consistency.of(ik.examples.get("fig1").graph, ik.examples.get("ex8").graph)


@pytest.mark.parametrize("args, name", [((None, "G"), "g is NoneType"), (("G", 3), "g_hat is int")])
def test_consistency_of_a_non_graph_names_which_argument(args, name):
    import identkit as ik
    from identkit.consistency import Consistency

    g = ik.examples.get("fig1").graph
    with pytest.raises(GraphError, match=name):
        Consistency.of(*(g if a == "G" else a for a in args))


@pytest.mark.parametrize("fmt", ["xml", "npz", 3, None])
def test_a_graph_example_dumped_in_another_format_is_an_output_error_as_a_mechanism_is(fmt):
    # it was a GraphFileError (an error about reading a file) for the same mistake
    import identkit as ik

    with pytest.raises(OutputError, match="a graph example prints as json, yaml or text"):
        ik.examples.get("fig1").dumps(fmt)
    with pytest.raises(OutputError, match="a worked mechanism prints as json or yaml"):
        ik.examples.get("mechanism-ex9").dumps(format=fmt)


def test_dash_reads_a_replaced_text_stdin_that_has_no_binary_buffer(monkeypatch):
    # io.StringIO (a notebook's, a test's stdin) has no .buffer: this was an AttributeError
    import io as pyio

    import identkit as ik
    from identkit.errors import GraphFileError
    from identkit.symbolic import load_mechanism

    monkeypatch.setattr("sys.stdin", pyio.StringIO(ik.examples.get("mechanism-ex9").dumps()))
    assert load_mechanism("-").latents == ("z1", "z2", "z3")
    monkeypatch.setattr("sys.stdin", pyio.StringIO(""))
    with pytest.raises(GraphFileError, match="<stdin>: empty model"):
        ik.io.read_graph("-")
    monkeypatch.setattr("sys.stdin", None)
    with pytest.raises(GraphFileError, match="<stdin>: standard input is closed"):
        ik.io.read_text("-")
