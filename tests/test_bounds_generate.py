"""`identkit generate` estimates what it builds before building it (issue 25, item 4).

What the process builds grows with the latents (the mechanism's d×d weights, the mixing
network's x_dim×x_dim layers and their QR factorisations), so ``--latents 10000`` took 8 GB
before failing. The estimate is a closed form of the options; it is checked here against the
peak memory measured in a fresh process (tracemalloc, and the resident size), and the refusal
is checked on the command line and in the API. The splits of ``--split all`` are written all or
nothing (:func:`identkit.io.atomic_write_all`).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from identkit.cli import main
from identkit.errors import DatasetError, OutputError
from identkit.io import atomic_write_all
from identkit.numeric import dataset_process, generate, generate_splits, write_dataset
from identkit.numeric import datasets as ds

_ENV = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))


def _run_limited(args, limit=3 * 2**30, timeout=60):
    """The command line in a fresh process under an address-space limit: a regression fails
    (MemoryError, exit status, timeout) instead of swapping the machine."""
    def cap():
        import resource
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    return subprocess.run([sys.executable, "-m", "identkit", *args], capture_output=True,
                          text=True, timeout=timeout, env=_ENV, preexec_fn=cap)


def run(capsys, *argv):
    code = main(list(argv))
    cap = capsys.readouterr()
    return code, cap.out, cap.err


# ----------------------------------------------------------------------------- the refusal

@pytest.mark.parametrize("latents", ["10000", "100000"])
def test_generate_refuses_latents_that_do_not_fit_in_one_line(tmp_path, latents):
    out = tmp_path / "big.npz"
    res = _run_limited(["generate", "ActionDiag", "--latents", latents, "--samples", "10",
                        "-o", str(out)])
    err = res.stderr.strip()
    assert res.returncode == 2 and res.stdout == ""
    assert len(err.splitlines()) == 1 and len(err) <= 200, err
    assert f"--latents {latents} needs" in err and "--max-memory" in err
    assert "GB of memory" in err or "TB of memory" in err
    assert " d=" not in err and "memory_limit" not in err     # options, not keywords
    assert os.listdir(tmp_path) == []


def test_generate_refuses_a_large_x_dim_naming_it(capsys, tmp_path):
    code, out, err = run(capsys, "generate", "TimeNonDiag", "--latents", "30", "--x-dim",
                         "3000", "--samples", "10", "--max-memory", "100M",
                         "-o", str(tmp_path / "x.npz"))
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1
    assert "--x-dim 3000" in err and "lower --latents or --x-dim" in err and "104.9 MB" in err
    assert len(err.strip()) <= 210          # "identkit: error: " and about 200 characters
    assert os.listdir(tmp_path) == []


def test_max_memory_is_honoured_and_defaults_to_the_memory_available(capsys, tmp_path,
                                                                      monkeypatch):
    path = str(tmp_path / "s.npz")
    # the estimate of 300 latents is about 15 MB: refused under 1M, written under 1G
    code, _, err = run(capsys, "generate", "TimeNonDiag", "--latents", "300", "--samples", "10",
                       "--max-memory", "1M", "-o", path)
    assert code == 2 and "--latents 300" in err and "only 1.0 MB is available (--max-memory)" in err
    code, _, _ = run(capsys, "generate", "TimeNonDiag", "--latents", "300", "--samples", "10",
                     "--max-memory", "1G", "-o", path)
    assert code == 0 and os.path.exists(path)
    os.remove(path)
    # without --max-memory the limit is the memory available, as --help says
    monkeypatch.setattr(ds, "_available_memory", lambda: 5_000_000)
    code, _, err = run(capsys, "generate", "TimeNonDiag", "--latents", "300", "--samples", "10",
                       "-o", path)
    assert code == 2 and "only 5.0 MB is available" in err and not os.path.exists(path)
    with pytest.raises(SystemExit):
        main(["generate", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert "default: the memory available" in help_text


def test_the_api_refuses_before_building_naming_the_keyword(tmp_path):
    for call in (lambda: generate("TimeNonDiag", 10, d=2000, memory_limit=10**7),
                 lambda: generate_splits("TimeNonDiag", 100, d=2000, memory_limit=10**7),
                 lambda: dataset_process("TimeNonDiag", d=2000, memory_limit=10**7),
                 lambda: write_dataset("TimeNonDiag", tmp_path / "w.npz", 10, d=2000,
                                       memory_limit=10**7, split="all")):
        with pytest.raises(DatasetError, match=r"d=2000 needs .* of memory .*only 10\.0 MB is "
                                               r"available \(memory_limit\).*fewer latents \(d\)"):
            call()
    assert os.listdir(tmp_path) == []
    with pytest.raises(DatasetError, match=r"10000000 samples .*\(n_samples\)"):
        generate("ActionDiag", 10**7, memory_limit=10**8)


def test_the_samples_refusal_counts_the_working_memory():
    # 1000 rows of TimeNonDiag are 480 kB of arrays (with its graph), but the process and the
    # sampling blocks take more: a limit between the two is refused, with both numbers
    with pytest.raises(DatasetError, match=r"need 480\.2 kB of memory; only 500\.0 kB .* MB more to build"):
        generate("TimeNonDiag", 1000, memory_limit=500_000)


def test_a_graph_file_source_is_estimated_from_its_graph(capsys, tmp_path):
    g = tmp_path / "g.json"
    d = 400
    g.write_text(json.dumps({"Gz": np.eye(d, dtype=int).tolist()}))
    code, _, err = run(capsys, "generate", str(g), "--samples", "10", "--max-memory", "2M",
                       "-o", str(tmp_path / "o.npz"))
    assert code == 2 and f"a graph of {d} latents" in err and "--max-memory" in err
    assert not (tmp_path / "o.npz").exists()


# ------------------------------------------------------------- the estimate against measure

_MEASURE = textwrap.dedent("""
    import json, sys, tracemalloc
    from identkit.numeric import datasets as ds
    import identkit as ik
    ds.generate("ActionDiag", 5, d=3)                       # lazy imports out of the measure
    out = []
    for case in json.loads(sys.argv[1]):
        name, d, n, split, write = case
        if name == "graph-hard":                            # a graph file's path, intervened
            src = ik.examples.random_graph(d, kind="action", p=0.3, seed=1)
            knobs = {"mechanism": "hard"}
        else:
            src, knobs = name, {"d": d}
        sizes = ds._split_sizes(n, ds._FRACTIONS) if split == "all" else [n]
        est = sum(ds._source_estimate(src, sizes, knobs, write=write)[0].values())
        tracemalloc.start()
        if write:
            ds.write_dataset(src, sys.argv[2], n, split=split, **knobs)
        elif split == "all":
            ds.generate_splits(src, n, **knobs)
        else:
            ds.generate(src, n, **knobs)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        out.append([case, peak, est])
    print(json.dumps(out))
""")

_CASES = [["ActionDiag", 50, 10, "train", False],
          ["ActionDiag", 200, 10, "train", False],
          ["ActionDiag", 1000, 10, "train", False],
          ["TimeNonDiag", 200, 10, "train", False],
          ["TimeNonDiag", 1000, 10, "train", False],
          ["TimeNonDiag", 100, 3000, "train", False],
          ["TimeRandomGraphs", 300, 10, "train", False],
          ["ActionNonDiagNoSuffInf", 200, 3000, "train", False],
          ["TimeNonDiagK2", 100, 3000, "all", False],
          ["ActionNonDiag", 50, 20000, "all", True],
          ["graph-hard", 200, 3000, "train", False]]


def test_the_estimate_bounds_the_measured_peak_within_a_factor_of_20(tmp_path):
    res = subprocess.run([sys.executable, "-c", _MEASURE, json.dumps(_CASES),
                          str(tmp_path / "m.npz")], capture_output=True, text=True,
                         timeout=300, env=_ENV)
    assert res.returncode == 0, res.stderr[-2000:]
    for case, peak, est in json.loads(res.stdout):
        assert peak <= est <= 20 * peak, (case, peak, est)


# VmHWM (the resident high-water mark of this address space), not getrusage's ru_maxrss: on
# Linux the latter survives fork and exec, so a child would report the test runner's peak
_RSS = textwrap.dedent("""
    import json, sys
    from identkit.numeric import datasets as ds
    ds.generate("TimeNonDiag", 5, d=3)
    def status(key):
        with open("/proc/self/status") as fh:
            return next(int(l.split()[1]) * 1024 for l in fh if l.startswith(key + ":"))
    before = status("VmRSS")
    d = int(sys.argv[1])
    est = sum(ds._source_estimate(sys.argv[2], [10], {"d": d})[0].values())
    ds.generate(sys.argv[2], 10, d=d)
    print(json.dumps([status("VmHWM") - before, est]))
""")


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="needs /proc (Linux)")
@pytest.mark.parametrize("name", ["ActionDiag", "TimeNonDiag"])
def test_the_estimate_bounds_the_resident_memory(name):
    # the second route: what the kernel counts, LAPACK's buffers included (1000 latents: about
    # 120 MB, far above the noise of a fresh interpreter)
    res = subprocess.run([sys.executable, "-c", _RSS, "1000", name], capture_output=True,
                         text=True, timeout=300, env=_ENV)
    assert res.returncode == 0, res.stderr[-2000:]
    peak, est = json.loads(res.stdout)
    assert 50e6 < peak <= est <= 20 * peak, (peak, est)


# ------------------------------------------------------------------------- all or nothing

def _listing(path):
    return sorted(os.listdir(path))


def test_split_all_writes_nothing_when_a_later_split_cannot_be_written(capsys, tmp_path):
    (tmp_path / "d_valid.npz").mkdir()                  # the second target cannot be written
    (tmp_path / "d_test.npz").write_bytes(b"previous")  # an existing file keeps its content
    before = _listing(tmp_path)
    code, out, err = run(capsys, "generate", "ActionDiag", "--samples", "100", "--split", "all",
                         "-o", str(tmp_path / "d.npz"))
    assert code == 2 and out == "" and "d_valid.npz" in err
    assert _listing(tmp_path) == before
    assert (tmp_path / "d_test.npz").read_bytes() == b"previous"
    with pytest.raises(OutputError, match="d_valid.npz"):
        write_dataset("ActionDiag", tmp_path / "d.npz", 100, split="all")
    assert _listing(tmp_path) == before


def test_a_failed_rename_restores_the_files_already_replaced(tmp_path, monkeypatch):
    paths = [str(tmp_path / f"s_{k}.npz") for k in ("train", "valid", "test")]
    for p in paths[:2]:
        with open(p, "wb") as fh:
            fh.write(b"old " + p.encode())
    real = os.replace

    def replace(src, dst):
        if dst == paths[1] and ".tmp-" in src:           # train is in place, valid fails
            raise PermissionError(13, "Permission denied")
        return real(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(OutputError, match=r"s_valid\.npz: cannot write: Permission denied"):
        write_dataset("ActionDiag", tmp_path / "s.npz", 100, split="all")
    assert _listing(tmp_path) == ["s_train.npz", "s_valid.npz"]
    for p in paths[:2]:
        with open(p, "rb") as fh:
            assert fh.read() == b"old " + p.encode()


def test_atomic_write_all_replaces_every_file_on_success_and_cleans_up(tmp_path):
    a, b = str(tmp_path / "a.txt"), str(tmp_path / "b.txt")
    with open(a, "w") as fh:
        fh.write("old")
    atomic_write_all({a: lambda fh: fh.write("A"), b: lambda fh: fh.write("B")})
    assert _listing(tmp_path) == ["a.txt", "b.txt"]
    assert [open(p).read() for p in (a, b)] == ["A", "B"]


def test_atomic_write_all_undoes_everything_when_a_writer_raises(tmp_path):
    a, b = str(tmp_path / "a.txt"), str(tmp_path / "b.txt")
    with open(a, "w") as fh:
        fh.write("old")

    def broken(fh):
        fh.write("half")
        raise ValueError("the writer failed")

    with pytest.raises(ValueError, match="the writer failed"):
        atomic_write_all({a: lambda fh: fh.write("A"), b: broken})
    assert _listing(tmp_path) == ["a.txt"] and open(a).read() == "old"


def test_split_all_replaces_previous_splits_whole(tmp_path):
    stem = tmp_path / "r.npz"
    first = write_dataset("ActionDiag", stem, 100, split="all", seed=1)
    second = write_dataset("ActionDiag", stem, 100, split="all", seed=2)
    assert _listing(tmp_path) == ["r_test.npz", "r_train.npz", "r_valid.npz"]
    for path, data in second.items():
        with np.load(path) as saved:
            np.testing.assert_array_equal(saved["x"], data["x"])
            assert not np.array_equal(saved["x"], first[path]["x"])
