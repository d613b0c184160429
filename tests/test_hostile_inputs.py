"""Hostile inputs through the command line, run as a process: every input gets an answer (exit
status 0/1) or one clear refusal (exit status 2, exactly one line on stderr naming the file and
the problem, no traceback), within bounded time and memory, and nothing is written on failure.

The timeout of each process is a guard against hangs, not a speed goal.
"""

import json
import os
import subprocess
import sys

import pytest

import identkit as ik

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HANG_GUARD = 120  # seconds


def cli(*argv, stdin=None, cwd=None, env=None):
    """Run ``python -m identkit`` with this checkout first on the path."""
    full_env = dict(os.environ)
    full_env["PYTHONPATH"] = ROOT + os.pathsep + full_env.get("PYTHONPATH", "")
    full_env.pop("IDENTKIT_DEBUG", None)
    full_env.update(env or {})
    return subprocess.run([sys.executable, "-m", "identkit", *map(str, argv)], input=stdin,
                          capture_output=True, timeout=HANG_GUARD, cwd=cwd, env=full_env)


def refused(proc, *words):
    """Exit status 2, nothing on stdout, one stderr line holding every word, no traceback."""
    err = proc.stderr.decode("utf-8")
    assert proc.returncode == 2, (proc.returncode, err)
    assert proc.stdout == b""
    assert err.count("\n") == 1 and err.endswith("\n"), err
    assert "Traceback" not in err and "internal error" not in err, err
    for w in words:
        assert w in err, (w, err)
    return err


def answered(proc):
    assert proc.returncode in (0, 1), proc.stderr.decode()
    assert proc.stderr == b""
    return proc.stdout.decode("utf-8")


FIG1_JSON = ik.io.dumps_graph(ik.examples.get("fig1").graph, "json")


# ------------------------------------------------------------------------------ not files


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_named_pipe_is_refused_without_waiting_for_a_writer(tmp_path):
    fifo = tmp_path / "g.json"
    os.mkfifo(fifo)
    refused(cli("check", fifo), "g.json", "named pipe", "not a regular file")


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_devices_are_refused_before_reading(device):
    if not os.path.exists(device):
        pytest.skip(f"{device} does not exist here")
    refused(cli("check", device), device, "a device")


def test_directory_named_like_a_graph_file_is_refused(tmp_path):
    (tmp_path / "x.yaml").mkdir()
    refused(cli("check", tmp_path / "x.yaml"), "x.yaml", "is a directory")


@pytest.mark.parametrize("fmt", ["json", "yaml", "text"])
def test_dash_reads_standard_input_in_every_text_format(fmt):
    text = ik.io.dumps_graph(ik.examples.get("ex8").graph, fmt)
    out = answered(cli("check", "-", "--format", "json", stdin=text.encode()))
    assert json.loads(out)["complete"] is False


def test_size_cap_refuses_large_files_and_the_flag_raises_it(tmp_path):
    path = tmp_path / "big.json"
    path.write_text(FIG1_JSON + " " * 5000)
    err = refused(cli("check", path, "--max-bytes", "1K"), "big.json", "over the size limit",
                  "--max-bytes")
    assert "1.0 KiB" in err
    answered(cli("check", path, "--max-bytes", "1M"))
    refused(cli("check", "-", "--max-bytes", "100", stdin=FIG1_JSON.encode()), "<stdin>",
            "size limit")


# --------------------------------------------------------------------------- bad contents


@pytest.mark.parametrize("name", ["g.json", "g.yaml", "g.txt"])
def test_binary_garbage_is_refused_as_not_utf8(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(bytes(range(256)) * 4)
    refused(cli("check", path), name, "not a UTF-8 text file")


@pytest.mark.parametrize("data", [b"Gz: [[1]]\n\x00\x00", b"\x00Gz: [[1]]\n"])
def test_nul_bytes_are_refused_as_not_text(tmp_path, data):
    path = tmp_path / "g.yaml"
    path.write_bytes(data)
    refused(cli("check", path), "g.yaml", "not a text file")


@pytest.mark.parametrize("name, content", [
    ("g.json", '{"latents": %s, "Gz": [[1]]}' % ("9" * 5000)),
    ("g.yaml", "latents: %s\nGz: [[1]]\n" % ("9" * 5000)),
    ("h.yaml", "Gz: [[1, %s]]\n" % ("1" * 5000)),
])
def test_five_thousand_digit_integers_are_refused_with_their_length(tmp_path, name, content):
    path = tmp_path / name
    path.write_text(content)
    refused(cli("check", path), name, "an integer of 5000 digits", "line 1")


@pytest.mark.parametrize("name", ["g.json", "g.yaml", "g.txt"])
def test_utf8_byte_order_mark_is_accepted(tmp_path, name):
    fmt = {"json": "json", "yaml": "yaml", "txt": "text"}[name.split(".")[1]]
    path = tmp_path / name
    path.write_bytes(b"\xef\xbb\xbf" + ik.io.dumps_graph(ik.examples.get("fig1").graph,
                                                         fmt).encode())
    assert answered(cli("check", path)).startswith("Complete disentanglement is guaranteed")


@pytest.mark.parametrize("name, content", [
    ("g.json", '{"Gz": [[1, 0], [0, 1]], "Gz": [[1, 1], [1, 1]]}'),
    ("g.yaml", "Gz: [[1, 0], [0, 1]]\nGz: [[1, 1], [1, 1]]\n"),
])
def test_duplicate_keys_are_refused_not_last_one_wins(tmp_path, name, content):
    path = tmp_path / name
    path.write_text(content)
    refused(cli("check", path), name, "the key 'Gz' is given twice")


def test_duplicate_yaml_key_names_the_line(tmp_path):
    path = tmp_path / "g.yaml"
    path.write_text("latents: [a, b]\nGz: [[1, 0], [0, 1]]\nlatents: [b, a]\n")
    refused(cli("check", path), "'latents' is given twice", "line 3")


@pytest.mark.parametrize("content, words", [
    ('{"latents": 100000000, "temporal_edges": [["z1", "z2"]]}', ["100,000,000 latents", "GiB"]),
    ('{"latents": 2, "actions": 1000000000, "interventions": [["z1"]]}',
     ["1,000,000,000 actions", "GiB"]),
])
def test_huge_declared_counts_are_refused_with_a_memory_estimate(tmp_path, content, words):
    path = tmp_path / "huge.json"
    path.write_text(content)
    refused(cli("check", path), "huge.json", "over the limit", "--max-memory", *words)


def test_npz_whose_arrays_would_not_fit_is_refused_from_its_headers(tmp_path):
    import io
    import zipfile

    import numpy as np
    from numpy.lib import format as npformat

    # a member declaring a 60,000 x 60,000 boolean Gz (3.4 GiB once loaded) in a tiny file:
    # the header alone must decide, before numpy allocates anything
    header = io.BytesIO()
    npformat.write_array_header_1_0(header, {"descr": "|b1", "fortran_order": False,
                                             "shape": (60_000, 60_000)})
    path = tmp_path / "bomb.npz"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("Gz.npy", header.getvalue() + b"\x00" * 64)  # the header holds the magic
    # 3.6e9 one-byte entries, plus the two bytes an entry costs while it is validated
    refused(cli("check", path), "bomb.npz", "about 10.1 GiB of memory once loaded",
            "--max-memory")
    np.savez(tmp_path / "fine.npz", Gz=np.eye(3, dtype=bool))
    assert answered(cli("check", tmp_path / "fine.npz")).startswith("Complete")


def test_yaml_alias_bomb_is_refused(tmp_path):
    lines = ["a0: &a0 [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]"]
    for k in range(1, 9):
        lines.append(f"a{k}: &a{k} [" + ", ".join([f"*a{k - 1}"] * 10) + "]")
    lines.append("Gz: *a8")
    path = tmp_path / "laughs.yaml"
    path.write_text("\n".join(lines) + "\n")
    assert path.stat().st_size < 15_000
    refused(cli("check", path), "laughs.yaml", "YAML aliases expand", "1,000,000")


def test_name_checks_are_linear_in_the_number_of_names(tmp_path):
    # 100,000 names with one duplicate at the end: a quadratic check would not finish
    names = [f"n{k}" for k in range(100_000)] + ["n7"]
    path = tmp_path / "names.json"
    path.write_text(json.dumps({"latents": names, "temporal_edges": [["n1", "n2"]]}))
    refused(cli("check", path), "names.json", "names 'n7' twice")


def test_duplicate_target_in_a_huge_intervention_is_found_in_linear_time(tmp_path):
    targets = [f"z{k}" for k in range(1, 100_001)] + ["z5"]
    path = tmp_path / "targets.json"
    path.write_text(json.dumps({"latents": 100_000, "interventions": [targets]}))
    refused(cli("check", path), "targets.json", "names 'z5' twice")


def test_many_interventions_in_the_text_form_are_read_in_linear_time(tmp_path):
    path = tmp_path / "many.txt"
    path.write_text("".join(f"do(x{k})\n" for k in range(20_000)))
    g = ik.io.read_graph(path)
    assert g.n_actions == 20_000 and g.actions[-1] == "a20000"


# ----------------------------------------------------------------------------- round trips


def test_design_output_with_spaces_in_names_reads_back(tmp_path):
    out = tmp_path / "d.txt"
    answered(cli("design", "--latents", "joint one,joint two,x", "-o", out))
    assert ik.io.read_graph(out).latents == ("joint one", "joint two", "x")
    assert answered(cli("check", out)).startswith("Complete disentanglement is guaranteed")


def test_repair_output_with_commas_and_arrows_in_names_reads_back(tmp_path):
    g = ik.LatentGraph(Gz=[[1, 0, 0], [1, 1, 1], [1, 1, 1]], latents=["a, b", "x -> y", 'q"'])
    src = tmp_path / "g.json"
    ik.io.write_graph(g, src)
    out = tmp_path / "out.txt"
    answered(cli("repair", src, "-o", out))
    back = ik.io.read_graph(out)
    assert back.latents == g.latents and ik.analyze(back).complete


def test_ambiguous_names_are_quoted_in_reports(tmp_path):
    g = ik.LatentGraph(Gz=[[1, 0, 0], [1, 1, 1], [1, 1, 1]], latents=["a, b", "c", "d"])
    src = tmp_path / "g.json"
    ik.io.write_graph(g, src)
    out = answered(cli("check", src))
    assert 'Identified latents (row of C is {i}): "a, b"' in out
    assert "{c, d}" in out


# ------------------------------------------------------------------------------- commands


@pytest.mark.parametrize("argv, words", [
    (["design", "--latents", "-3"], ["--latents", "-3 is out of range"]),
    (["design", "--latents", "0"], ["--latents", "0 is out of range"]),
    (["design", "--latents", " , "], ["--latents", "neither a number"]),
    (["design", "--latents", "3", "--max-targets", "0"], ["--max-targets", "out of range"]),
    (["verify", "--example", "ex8", "--maps", "1000000000"], ["--maps", "out of range"]),
    (["verify", "--example", "ex8", "--seed", "-1"], ["--seed", "out of range"]),
    (["generate", "ex8", "--samples", "-5", "-o", "x.npz"], ["--samples", "out of range"]),
    (["generate", "ex8", "--samples", "5", "--p", "nan", "-o", "x.npz"], ["--p", "out of range"]),
    (["check", "--example", "ex8", "--max-bytes", "lots"], ["--max-bytes", "not a size"]),
    (["theorems", "--seed", "1e3"], ["--seed", "not an integer"]),
])
def test_numeric_options_are_checked_before_work_starts(tmp_path, argv, words):
    refused(cli(*argv, cwd=tmp_path), *words)
    assert list(tmp_path.iterdir()) == []


@pytest.fixture(scope="module")
def mechanism_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("mech") / "ex10.json"
    proc = cli("examples", "mechanism-ex10", "--format", "json")
    path.write_bytes(proc.stdout)
    return path


def test_mechanism_files_and_examples_are_read_by_draw_verify_and_repair(tmp_path, mechanism_file):
    expected = ik.LatentGraph(Ga=[[1, 1, 0], [1, 0, 1], [0, 1, 1]])  # Example 10's derived Ga
    fixed = tmp_path / "fixed.json"
    answered(cli("repair", mechanism_file, "-o", fixed))
    assert ik.io.read_graph(fixed) == expected
    out = answered(cli("verify", "--example", "mechanism-ex10", "--maps", "2"))
    assert "Agrees with the theory: True" in out
    pic = tmp_path / "m.svg"
    answered(cli("draw", mechanism_file, "-o", pic))
    assert pic.read_text().lstrip().startswith("<?xml")


def test_mechanism_from_standard_input(mechanism_file):
    out = answered(cli("check", "-", stdin=mechanism_file.read_bytes()))
    # the mechanism route ran: the verdict rests on the mechanism's assumptions (Example 10)
    assert out.startswith("Complete disentanglement is guaranteed") and "Assumption 6" in out


def test_internal_error_says_how_to_get_the_traceback():
    # a bug of ours, planted in a child process: analyze divides by zero
    code = ("import sys, identkit.report as r; r.analyze = lambda *a, **k: 1 / 0; "
            "from identkit.cli import main; sys.exit(main(sys.argv[1:]))")
    env = dict(os.environ, PYTHONPATH=ROOT)
    env.pop("IDENTKIT_DEBUG", None)
    args = [sys.executable, "-c", code, "check", "--example", "ex8"]
    proc = subprocess.run(args, capture_output=True, timeout=HANG_GUARD, env=env)
    err = proc.stderr.decode()
    assert proc.returncode == 2 and err.count("\n") == 1
    assert "internal error (ZeroDivisionError" in err and "--debug" in err
    assert "IDENTKIT_DEBUG=1" in err
    for extra, environ in ((["--debug"], {}), ([], {"IDENTKIT_DEBUG": "1"})):
        proc = subprocess.run(args + extra, capture_output=True, timeout=HANG_GUARD,
                              env=dict(env, **environ))
        assert proc.returncode != 0 and b"Traceback" in proc.stderr, (extra, environ)


def test_nothing_is_written_when_reading_fails(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"Gz": [[1, 0], [0, 1]], "Gz": [[1]]}')
    refused(cli("repair", bad, "-o", tmp_path / "out.json"), "given twice")
    refused(cli("draw", bad, "-o", tmp_path / "out.svg"), "given twice")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.json"]


def test_small_graph_check_imports_neither_scipy_nor_sympy(tmp_path):
    """Start-up: a small graph file in any format is checked with numpy alone (the CPU time
    itself is measured in benchmarks/bench_startup.py)."""
    g = ik.examples.get("fig1").graph
    for fmt, ext in (("json", "json"), ("yaml", "yaml"), ("text", "txt")):
        path = tmp_path / f"fig1.{ext}"
        path.write_text(ik.io.dumps_graph(g, fmt))
        code = ("import sys, io, contextlib; from identkit.cli import main; "
                "buf = io.StringIO()\nwith contextlib.redirect_stdout(buf): rc = main(sys.argv[1:])\n"
                "print(rc, sorted(m for m in ('scipy', 'sympy', 'scipy.sparse') if m in sys.modules))")
        proc = subprocess.run([sys.executable, "-c", code, "check", str(path)],
                              capture_output=True, text=True, timeout=HANG_GUARD,
                              env=dict(os.environ, PYTHONPATH=ROOT))
        assert proc.stdout.strip() == "0 []", (fmt, proc.stdout, proc.stderr)
