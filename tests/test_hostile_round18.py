"""Hostile input on what the round-18 change added or moved: each bad input gets a typed error
from :mod:`identkit.errors` naming the culprit (the command line: one stderr line, exit
status 2, no traceback)."""

import os
import subprocess
import sys

import pytest

from identkit.errors import GraphError, IdentkitError, OutputError

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HANG_GUARD = 120  # seconds


def cli(*argv, stdin=None, cwd=None):
    env = dict(os.environ)
    env["PYTHONPATH"] = ROOT + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("IDENTKIT_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "identkit", *map(str, argv)], input=stdin,
                          capture_output=True, timeout=HANG_GUARD, cwd=cwd, env=env)


def refused(proc, *words):
    err = proc.stderr.decode("utf-8")
    assert proc.returncode == 2, (proc.returncode, err)
    assert proc.stdout == b""
    assert err.count("\n") == 1 and err.endswith("\n"), err
    assert "Traceback" not in err and "internal error" not in err, err
    for w in words:
        assert w in err, (w, err)
    return err


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
