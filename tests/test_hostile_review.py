"""A second adversarial pass over the command line, run as a process: inputs the first pass did
not try. Each test is named after the cause of the failure it found; the contract is that of
``tests/test_hostile_inputs.py`` (an answer with exit status 0/1, or exit status 2 with one line
on stderr naming the file and the problem, no traceback).
"""

import os
import zipfile

import numpy as np
import pytest

import identkit as ik

from test_hostile_inputs import answered, cli, refused


def _samples(tmp_path, name="z.npz", **arrays):
    path = tmp_path / name
    np.savez(path, **arrays)
    return path


@pytest.fixture
def truth(tmp_path):
    return _samples(tmp_path, "true.npz", z=np.random.default_rng(0).normal(size=(50, 2)))


@pytest.mark.parametrize("damage", ["truncated", "garbage"])
@pytest.mark.parametrize("side", ["--true", "--learned"])
def test_score_reports_a_damaged_npz_as_bad_input_not_a_badzipfile_bug(tmp_path, truth, damage,
                                                                       side):
    bad = tmp_path / "bad.npz"
    bad.write_bytes(truth.read_bytes()[:100] if damage == "truncated" else b"PK\x03\x04junk")
    other = "--learned" if side == "--true" else "--true"
    refused(cli("score", side, bad, other, truth), "bad.npz", "cannot read the array")


def test_score_names_an_npz_member_that_is_not_an_array(tmp_path, truth):
    """A zip member without an .npy header came back as raw bytes and was refused without the file name."""
    bad = tmp_path / "odd.npz"
    with zipfile.ZipFile(bad, "w") as zf:
        zf.writestr("z.npy", b"")
    refused(cli("score", "--true", truth, "--learned", bad), "odd.npz", "not a .npy array")


@pytest.mark.parametrize("dtype", ["datetime64[s]", "timedelta64[s]", "<U3",
                                   [("a", float), ("b", float)]])
def test_score_refuses_dates_text_and_records_instead_of_casting_them_to_floats(tmp_path, truth,
                                                                                 dtype):
    arr = np.zeros((50, 2) if not isinstance(dtype, list) else 50, dtype=dtype)
    if dtype == "<U3":
        arr = np.array([["1.5", "2"]] * 50)  # numeric text was silently parsed as numbers
    learned = _samples(tmp_path, "learned.npz", z=arr)
    refused(cli("score", "--true", truth, "--learned", learned), "learned", "dtype")


def test_a_warning_before_a_refusal_is_held_back_so_the_refusal_stays_one_line(tmp_path, truth):
    """A constant 1-D learned array warned ("constant learned column") and then was refused
    (fewer learned than true dimensions): two lines on stderr."""
    learned = _samples(tmp_path, "learned.npz", z=np.ones(50))
    refused(cli("score", "--true", truth, "--learned", learned), "1 dimensions", "truth has 2")


def test_warnings_still_reach_the_user_with_an_answer(tmp_path, truth):
    learned = _samples(tmp_path, "learned.npz", z=np.c_[np.random.default_rng(1).normal(size=50),
                                                         np.random.default_rng(2).normal(size=50),
                                                         np.ones(50)])
    proc = cli("score", "--true", truth, "--learned", learned)
    assert proc.returncode == 0, proc.stderr
    err = proc.stderr.decode()
    assert err == "identkit: warning: constant learned column(s) 2: their correlations are set " \
                  "to 0\n", err
    assert "MCC" in proc.stdout.decode()


@pytest.mark.parametrize("text", ["latents:\n", "latents: ,\n"])
@pytest.mark.parametrize("argv", [("check",), ("verify", "--maps", "1"), ("draw", "-o", "OUT.png"),
                                  ("generate", "--samples", "3", "-o", "OUT.npz")])
def test_text_form_latents_line_naming_no_latent_is_refused(tmp_path, text, argv):
    """JSON, YAML and .npz refuse zero latents; the text form read 'latents:' as a graph of size
    0, which check called complete and draw, verify and generate crashed on (IndexError)."""
    src = tmp_path / "g.txt"
    src.write_text(text)
    argv = [str(tmp_path / a) if a.startswith("OUT") else a for a in argv]
    refused(cli(argv[0], src, *argv[1:]), "g.txt", "line 1", "names no latent")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g.txt"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
@pytest.mark.parametrize("side", ["--true", "--learned"])
def test_score_refuses_a_named_pipe_instead_of_waiting_for_a_writer(tmp_path, truth, side):
    fifo = tmp_path / "z.npz"
    os.mkfifo(fifo)
    other = "--learned" if side == "--true" else "--true"
    refused(cli("score", side, fifo, other, truth), "z.npz", "not a regular file")


def test_score_refuses_a_directory_as_samples(tmp_path, truth):
    (tmp_path / "d.npz").mkdir()
    refused(cli("score", "--true", truth, "--learned", tmp_path / "d.npz"), "d.npz",
            "not a regular file")


@pytest.mark.parametrize("argv", [(), ("--debug",)])
def test_no_command_is_one_line_on_stderr_not_the_help_on_stdout(argv):
    """Exit status 2 came with the whole help on stdout and nothing on stderr."""
    refused(cli(*argv), "choose a command", "--help")


def test_graph_functions_refuse_a_non_graph_with_a_typed_error():
    """Every graph function resolves the regularization first, so one check there covers them
    (an AttributeError about 'graphs' was what a user saw)."""
    for f in (ik.entanglement_graph, ik.analyze, ik.twin_classes, ik.satisfies_criterion,
              ik.Symmetries.of, ik.automorphisms, ik.graph_preserving_permutations):
        with pytest.raises(ik.GraphError, match="expected a LatentGraph, got NoneType"):
            f(None)


def test_the_symbolic_check_refuses_a_non_mechanism():
    from identkit.symbolic import check_mechanism

    with pytest.raises(ik.MechanismError, match="needs a SymbolicMechanism .*, got str"):
        check_mechanism("latents: [z1]")


def test_a_latent_spec_that_is_not_text_or_a_count_is_refused():
    from identkit.design import parse_latents

    for bad in (None, 2.5, True, ["a"]):
        with pytest.raises(ik.GraphError, match="a latent spec is a count"):
            parse_latents(bad)
    assert parse_latents(4) == 4
