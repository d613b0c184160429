"""``identkit score`` honours ``--max-bytes`` and ``--max-memory`` on every file it reads
(``--true``, ``--learned``, ``--graph``, ``--model``, ``--data``), and reads standard input for
``-`` as every other reader does (issue 25, items 4 and 5).

A refusal is one line on stderr naming the file and the limit (or the estimate), exit status 2.
Memory refusals are checked on files that declare more than they hold (a zip bomb, an ``.npy``
header claiming a huge shape): the refusal must come from the header, before allocation; the
runaway cases run in a process whose address space is capped, so a regression fails instead of
exhausting the machine.
"""

import io
import json
import os
import subprocess
import sys
import zipfile

import numpy as np
import pytest

import identkit as ik
from identkit.cli import main
from identkit.metrics import MetricError, read_array, score

from test_hostile_inputs import HANG_GUARD, ROOT, cli, refused

FIG1_JSON = ik.io.dumps_graph(ik.examples.get("fig1").graph, "json")


def _run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def _refused(capsys, argv, *words):
    code, out, err = _run(capsys, *argv)
    assert code == 2 and out == "", (code, out, err)
    assert err.count("\n") == 1 and "Traceback" not in err, err
    for w in words:
        assert w in err, (w, err)
    return err


@pytest.fixture
def small(tmp_path):
    """True and learned latents well under 1 KiB each (20 x 3 float64 .npy: 608 bytes)."""
    z = np.random.default_rng(0).normal(size=(20, 3))
    np.save(tmp_path / "z.npy", z)
    np.save(tmp_path / "zh.npy", z[:, [2, 0, 1]] * 3.0)
    assert os.path.getsize(tmp_path / "z.npy") < 1024
    return tmp_path / "z.npy", tmp_path / "zh.npy"


def _big_samples(tmp_path, ext):
    """The same 200 x 3 samples as .npy, .npz and .csv: each over 1 KiB."""
    z = np.random.default_rng(1).normal(size=(200, 3))
    path = tmp_path / f"big{ext}"
    if ext == ".npy":
        np.save(path, z)
    elif ext == ".npz":
        np.savez(path, z=z)
    else:
        np.savetxt(path, z, delimiter=",", header="a,b,c", comments="")
    assert os.path.getsize(path) > 1024
    return path, z


# ------------------------------------------------------------------------------ --max-bytes

@pytest.mark.parametrize("ext", [".npy", ".npz", ".csv"])
@pytest.mark.parametrize("side", ["--true", "--learned"])
def test_a_sample_file_over_max_bytes_is_refused_naming_file_and_limit(tmp_path, capsys, small,
                                                                       ext, side):
    big, _ = _big_samples(tmp_path, ext)
    other = "--learned" if side == "--true" else "--true"
    _refused(capsys, ["score", side, big, other, small[0], "--max-bytes", "1K"],
             f"big{ext}", "1.0 KiB", "--max-bytes")
    # the same files are read without the option: the refusal is the option's
    code, out, _ = _run(capsys, "score", side, big, other, _big_samples(tmp_path, ext)[0])
    assert code == 0 and "MCC" in out


def test_a_graph_file_over_max_bytes_is_refused(tmp_path, capsys, small):
    graph = tmp_path / "g.json"
    graph.write_text(FIG1_JSON + " " * 2000)
    _refused(capsys, ["score", "--true", small[0], "--learned", small[1], "--graph", graph,
                      "--max-bytes", "1K"], "g.json", "1.0 KiB", "--max-bytes")
    code, out, err = _run(capsys, "score", "--true", small[0], "--learned", small[1],
                          "--graph", graph)
    assert code == 0 and "Rcon" in out, err


def test_max_bytes_above_the_files_reads_them(capsys, small):
    code, out, err = _run(capsys, "score", "--true", small[0], "--learned", small[1],
                          "--max-bytes", "1K", "--format", "json")
    assert code == 0, err
    assert json.loads(out)["mcc"] == pytest.approx(1.0)


def test_read_array_and_score_take_the_limits_as_keywords(tmp_path):
    big, z = _big_samples(tmp_path, ".npy")
    with pytest.raises(MetricError,
                       match=r"big\.npy: is 4\.8 KiB, over the size limit of 1\.0 KiB"):
        read_array(big, max_bytes=1024)
    with pytest.raises(MetricError, match="big.npy: its array of shape"):
        score(big, z, max_memory=1024)
    np.testing.assert_array_equal(read_array(big, max_bytes=len(big.read_bytes())), z)


# ----------------------------------------------------------------------------- --max-memory

def _declaring_npy(path, shape, payload=64):
    """An .npy whose header declares ``shape`` float64 but holds ``payload`` bytes."""
    with open(path, "wb") as fh:
        np.lib.format.write_array_header_1_0(
            fh, {"descr": "<f8", "fortran_order": False, "shape": shape})
        fh.write(b"\0" * payload)


def _zip_bomb(path, shape, payload):
    """An .npz whose one member 'z' declares ``shape`` float64 and holds ``payload`` zero
    bytes, deflated: a small file, a huge array."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        with zf.open("z.npy", "w", force_zip64=True) as fh:
            np.lib.format.write_array_header_1_0(
                fh, {"descr": "<f8", "fortran_order": False, "shape": shape})
            left = payload
            while left:
                fh.write(b"\0" * min(left, 1 << 20))
                left -= min(left, 1 << 20)


@pytest.mark.parametrize("ext", [".npy", ".npz", ".csv"])
def test_a_sample_file_over_max_memory_is_refused_with_the_estimate(tmp_path, capsys, small, ext):
    big, _ = _big_samples(tmp_path, ext)  # 200 x 3 float64: 4.7 KiB once loaded
    err = _refused(capsys, ["score", "--true", big, "--learned", small[1], "--max-memory", "2K"],
                   f"big{ext}", "over the", "2.0 KiB", "--max-memory")
    # a .csv is bounded by its separators: 402 commas, 201 line ends, one more value
    assert ("4.7 KiB" in err) if ext != ".csv" else ("up to 604 values" in err), err


def test_an_npz_member_that_decompresses_beyond_max_memory_is_refused(tmp_path, capsys, small):
    bomb = tmp_path / "bomb.npz"
    _zip_bomb(bomb, (10**4, 100), 8 * 10**6)  # 7.6 MiB of zeros in a file of about 8 KB
    assert os.path.getsize(bomb) < 20_000
    _refused(capsys, ["score", "--true", bomb, "--learned", small[1], "--max-memory", "1M"],
             "bomb.npz", "member 'z'", "decompress to about 7.6 MiB", "1.0 MiB", "--max-memory")


def test_an_npy_header_claiming_more_than_the_file_holds_is_refused_before_allocation(
        tmp_path, capsys, small):
    liar = tmp_path / "liar.npy"
    _declaring_npy(liar, (10**4, 100))  # 7.6 MiB declared, 64 bytes held
    _refused(capsys, ["score", "--true", liar, "--learned", small[1], "--max-memory", "1M"],
             "liar.npy", "shape (10000, 100)", "7.6 MiB", "1.0 MiB")
    _refused(capsys, ["score", "--true", liar, "--learned", small[1]],
             "liar.npy", "cannot read the array", "7.6 MiB", "holds 64 bytes")


_CAPPED = """
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, (3 * 2**30, 3 * 2**30))
from identkit.cli import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_AS caps the address space on Linux")
@pytest.mark.parametrize("kind", ["npz", "npy"])
def test_a_huge_declared_array_under_the_default_limit_is_refused_from_its_header(tmp_path, small,
                                                                                  kind):
    path = tmp_path / f"huge.{kind}"
    if kind == "npz":
        _zip_bomb(path, (10**6, 1000), 32 << 20)  # 7.5 GiB declared, a file of about 32 KB
    else:
        _declaring_npy(path, (10**9, 10**3))
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.run([sys.executable, "-c", _CAPPED, "score", "--true", str(path),
                           "--learned", str(small[1])], capture_output=True, timeout=HANG_GUARD,
                          env=env)
    want = "7.5 GiB" if kind == "npz" else "7.3 TiB"
    refused(proc, f"huge.{kind}", want, "2.0 GiB", "--max-memory")


# ------------------------------------------------------------------------------ standard input

def _payload(tmp_path, fmt):
    z = np.random.default_rng(2).normal(size=(60, 3))
    buf = io.BytesIO()
    if fmt == "npy":
        np.save(buf, z)
    elif fmt == "npz":
        np.savez(buf, z=z)
    else:
        np.savetxt(buf, z, delimiter=",", header="a,b,c", comments="")  # %.18e: exact
    np.save(tmp_path / "zh.npy", z[:, [1, 2, 0]] ** 3)
    np.save(tmp_path / "z.npy", z)
    return buf.getvalue(), tmp_path / "z.npy", tmp_path / "zh.npy"


@pytest.mark.parametrize("fmt", ["npy", "npz", "csv"])
@pytest.mark.parametrize("side", ["--true", "--learned"])
def test_dash_reads_samples_from_standard_input(tmp_path, fmt, side):
    data, z, zh = _payload(tmp_path, fmt)
    if side == "--true":
        argv, files = ("--true", "-", "--learned", zh), ("--true", z, "--learned", zh)
    else:  # the truth read from standard input as the learned side: the same latents
        argv, files = ("--true", zh, "--learned", "-"), ("--true", zh, "--learned", z)
    got = cli("score", *argv, "--format", "json", stdin=data)
    want = cli("score", *files, "--format", "json")
    assert got.returncode == 0 and want.returncode == 0, got.stderr
    got, want = json.loads(got.stdout), json.loads(want.stdout)
    assert got["mcc"] == pytest.approx(want["mcc"], abs=1e-12)
    assert got["r"] == pytest.approx(want["r"], abs=1e-12)
    assert got["matching"] == want["matching"]


def test_standard_input_over_max_bytes_is_refused(tmp_path):
    data, _, zh = _payload(tmp_path, "npy")
    refused(cli("score", "--true", "-", "--learned", zh, "--max-bytes", "1K", stdin=data),
            "<stdin>", "1.0 KiB", "--max-bytes")


def test_a_graph_from_standard_input(tmp_path):
    _, z, zh = _payload(tmp_path, "npy")
    proc = cli("score", "--true", z, "--learned", zh, "--graph", "-", stdin=FIG1_JSON.encode())
    assert proc.returncode == 0, proc.stderr
    assert b"Rcon" in proc.stdout


@pytest.mark.parametrize("dashes", [("--true", "--learned"), ("--true", "--graph"),
                                    ("--learned", "--graph")])
def test_two_inputs_from_standard_input_is_a_usage_error(tmp_path, capsys, small, dashes):
    args = {"--true": small[0], "--learned": small[1]}
    args.update({d: "-" for d in dashes})
    argv = ["score"] + [x for kv in args.items() for x in kv]
    if "--graph" in dashes:
        argv += ["--graph", "-"]
    _refused(capsys, argv, f"{dashes[0]} and {dashes[1]} both read standard input")


def test_score_refuses_truth_and_learned_both_from_standard_input(small):
    with pytest.raises(MetricError, match="truth and learned both read standard input"):
        score("-", "-")


# ------------------------------------------------------------------------- --model and --data

@pytest.fixture(scope="module")
def fitted(tmp_path_factory):
    pytest.importorskip("jax")
    from identkit.learn import BetaVAE

    folder = tmp_path_factory.mktemp("bounds")
    ik.numeric.datasets.write_dataset("ActionNonDiag", folder / "test.npz", 300, split="test",
                                      d=4)
    x = ik.learn.read_dataset(folder / "test.npz")["x_last"]
    BetaVAE(4, hidden=(8,), steps=5, batch_size=64).fit(x).save(folder / "m.npz")
    assert os.path.getsize(folder / "m.npz") < os.path.getsize(folder / "test.npz")
    return folder


def test_a_model_file_over_max_bytes_is_refused(fitted, capsys):
    limit = os.path.getsize(fitted / "m.npz") - 1
    _refused(capsys, ["score", "--model", fitted / "m.npz", "--data", fitted / "test.npz",
                      "--max-bytes", str(limit)], "m.npz", f"limit of {limit}", "--max-bytes")


def test_a_data_file_over_max_bytes_is_refused(fitted, capsys):
    limit = os.path.getsize(fitted / "m.npz")  # the model fits, the data do not
    _refused(capsys, ["score", "--model", fitted / "m.npz", "--data", fitted / "test.npz",
                      "--max-bytes", str(limit)], "test.npz", f"limit of {limit}",
             "--max-bytes")
    code, out, err = _run(capsys, "score", "--model", fitted / "m.npz", "--data",
                          fitted / "test.npz")
    assert code == 0 and "MCC" in out, err


def test_model_and_data_over_max_memory_are_refused_with_the_estimate(fitted, tmp_path, capsys):
    _refused(capsys, ["score", "--model", fitted / "m.npz", "--data", fitted / "test.npz",
                      "--max-memory", "1K"], "m.npz", "would need about", "1.0 KiB",
             "--max-memory")
    bomb = tmp_path / "data.npz"  # 'x' of 16 MiB deflated to a few KB
    np.savez_compressed(bomb, x=np.zeros((10**5, 21)), z=np.zeros((10**5, 4)))
    assert os.path.getsize(bomb) < 100_000
    model_need = ik.metrics.scoring.npz_memory(fitted / "m.npz")
    _refused(capsys, ["score", "--model", fitted / "m.npz", "--data", bomb,
                      "--max-memory", str(max(model_need, 2**20))],
             "data.npz", "would need about 19.1 MiB", "--max-memory")


def test_fit_honours_max_memory_and_max_bytes_on_its_data(fitted, capsys, tmp_path):
    """``identkit fit`` reads its data under both limits, as ``score`` does."""
    out = tmp_path / "never.npz"
    _refused(capsys, ["fit", fitted / "test.npz", "-o", out, "--max-memory", "1K"],
             "test.npz", "--max-memory")
    limit = os.path.getsize(fitted / "test.npz") - 1
    _refused(capsys, ["fit", fitted / "test.npz", "-o", out, "--max-bytes", str(limit)],
             "test.npz", "--max-bytes")
    assert not out.exists()
