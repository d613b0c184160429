"""The `identkit` command: every subcommand, option, exit status and bad input."""

import json
import subprocess
import sys

import pytest

import identkit as ik
from identkit.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_check_example_partial_text(capsys):
    code, out, err = run(capsys, "check", "--example", "ex8")
    assert code == 1 and err == ""
    lines = out.splitlines()
    assert lines[0].startswith("Complete disentanglement is NOT guaranteed")
    assert "Identified latents (row of C is {i}): z1" in out
    assert "{z2, z3}" in out
    assert "Graph-preserving permutations: 2" in out and "Automorphisms: 2" in out
    assert "Assumptions:" in out


def test_check_example_complete_exit_zero(capsys):
    code, out, _ = run(capsys, "check", "--example", "fig1")
    assert code == 0
    assert out.startswith("Complete disentanglement is guaranteed")


def test_check_json_keys(capsys):
    code, out, _ = run(capsys, "check", "--example", "ActionBlockNonDiag", "--format", "json")
    data = json.loads(out)
    for key in ("latents", "actions", "regularize", "complete", "entanglement_graph",
                "identified", "blocks", "graph_preserving_permutations", "automorphisms",
                "explanation"):
        assert key in data
    assert code == 1 and data["complete"] is False
    assert data["blocks"][0] == ["z1", "z2"]
    assert data["graph_preserving_permutations"] == 32
    assert isinstance(data["automorphisms"], int)
    assert any("Pa_a(z1) = {a1} ⊆ Pa_a(z9) = {a1, a5}" in p["because"]
               for p in data["entangled_pairs"])
    # rows are true latents
    assert data["entanglement_graph"][0][8] == 1 and data["entanglement_graph"][8][0] == 0


def test_check_markdown(capsys):
    code, out, _ = run(capsys, "check", "--example", "ex4", "--format", "markdown")
    assert out.startswith("**Complete disentanglement is NOT guaranteed")
    assert "- {z1, z3}" in out


def test_check_regularize_option(tmp_path, capsys):
    # Fig 1 with only the action graph regularized is partial (Example 4)
    code, out, _ = run(capsys, "check", "--example", "fig1", "--regularize", "a", "--format",
                       "json")
    data = json.loads(out)
    assert code == 1 and data["regularize"] == "a" and data["identified"] == ["robot"]
    code, _, err = run(capsys, "check", "--example", "ex8", "--regularize", "a")
    assert code == 2 and err.count("\n") == 1 and "no Ga" in err


@pytest.mark.parametrize("fmt", ["json", "yaml", "text"])
def test_examples_print_graph_files_check_reads_back(tmp_path, capsys, fmt):
    for name in ik.examples.names():
        code, out, _ = run(capsys, "examples", name, "--format", fmt)
        assert code == 0
        ext = {"json": "json", "yaml": "yaml", "text": "txt"}[fmt]
        path = tmp_path / f"{name}.{ext}"
        path.write_text(out)
        assert ik.io.read_graph(path) == ik.examples.get(name).graph
        ex = ik.examples.get(name)
        code, out, _ = run(capsys, "check", str(path), "--regularize", ex.regularize)
        assert code == (0 if ex.complete else 1)


def test_examples_list(capsys):
    code, out, _ = run(capsys, "examples")
    assert code == 0
    lines = [ln for ln in out.splitlines() if ln.startswith("  ")]
    assert len(lines) == len(ik.examples.names(None))
    assert lines[0].split()[0] == "fig1" and "complete" in lines[0]
    assert "mechanism-ex10" in out


def test_worked_mechanisms_from_the_command(tmp_path, capsys):
    code, out, _ = run(capsys, "check", "--example", "mechanism-ex10-linear")
    assert code == 1 and "but the mechanism does not" in out
    code, out, _ = run(capsys, "check", "--example", "mechanism-ex12", "--regularize", "a",
                       "--format", "json")
    assert code == 0 and json.loads(out)["guaranteed"] is True
    code, out, _ = run(capsys, "examples", "mechanism-remark6", "--format", "yaml")
    path = tmp_path / "remark6.yaml"
    path.write_text(out)
    code, out, _ = run(capsys, "check", str(path), "--format", "json")
    assert code == 1 and json.loads(out)["sufficient_influence"]["actions"]["holds"] is False
    code, _, err = run(capsys, "check", "--example", "mechanism-ex99")
    assert code == 2 and "no worked mechanism" in err


@pytest.mark.parametrize("ext", ["svg", "png", "pdf"])
def test_draw(tmp_path, capsys, ext):
    target = tmp_path / f"pic.{ext}"
    code, out, err = run(capsys, "draw", "--example", "TimeBlockNonDiag", "-o", str(target))
    assert code == 0 and err == ""
    head = target.read_bytes()[:8]
    assert {"svg": b"<?xml", "png": b"\x89PNG", "pdf": b"%PDF"}[ext] in head


def test_draw_from_file_with_30_latents(tmp_path, capsys):
    g = ik.examples.random_graph(30, kind="both", p=0.1, n_actions=5, seed=1)
    ik.io.write_graph(g, tmp_path / "g.json")
    code, _, _ = run(capsys, "draw", str(tmp_path / "g.json"), "-o", str(tmp_path / "g.png"))
    assert code == 0 and (tmp_path / "g.png").stat().st_size > 10_000


def test_draw_without_matplotlib(monkeypatch, tmp_path, capsys):
    for mod in ("matplotlib", "matplotlib.figure", "matplotlib.patches"):
        monkeypatch.setitem(sys.modules, mod, None)
    code, out, err = run(capsys, "draw", "--example", "ex8", "-o", str(tmp_path / "x.png"))
    assert code == 2
    assert err.count("\n") == 1 and "pip install 'identkit[plot]'" in err


def test_draw_bad_extension(tmp_path, capsys):
    code, _, err = run(capsys, "draw", "--example", "ex8", "-o", str(tmp_path / "x.gif"))
    assert code == 2 and ".svg, .png or .pdf" in err


BAD_FILES = [
    ("missing.json", None, "no such file"),
    ("bad.json", '{"Gz": [[1, 0], [0, 1]', "malformed JSON"),
    ("bad.yaml", "Gz: [[1, 0]\n  - x", "malformed or unsafe YAML"),
    ("keys.yaml", "latents: 2\nGzz: [[1, 0], [0, 1]]\n", "did you mean 'Gz'?"),
    ("disagree.yaml", "latents: [a, b]\nGz: [[1, 0], [0, 1]]\ntemporal_edges: [[a, b]]\n",
     "disagree"),
    ("undeclared.yaml", "latents: [a, b]\ntemporal_edges: [[a, c]]\n", "undeclared latent 'c'"),
    ("ragged.json", '{"Gz": [[1, 0], [1]]}', "ragged"),
    ("values.json", '{"Gz": [[1, 0.5], [0, 1]]}', "Gz[0, 1] is 0.5"),
    ("empty.yaml", "latents: 3\n", "empty model"),
    ("evil.yaml", "Gz: !!python/object/apply:os.system ['echo hacked']\n", "unsafe YAML"),
    ("text.txt", "a => b\n", "line 1: cannot parse"),
]


@pytest.mark.parametrize("name, content, words", BAD_FILES)
def test_bad_files_exit_2_with_one_line(tmp_path, capsys, name, content, words):
    path = tmp_path / name
    if content is not None:
        path.write_text(content)
    code, out, err = run(capsys, "check", str(path))
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "Traceback" not in err
    assert name in err and words in err


def test_bad_arguments(capsys):
    code, _, err = run(capsys, "check", "--example", "ex88")
    assert code == 2 and "did you mean 'ex8'" in err and err.count("\n") == 1
    code, _, err = run(capsys, "check")
    assert code == 2 and "PATH or --example" in err
    code, _, err = run(capsys, "check", "--example", "ex8", "--format", "xml")
    assert code == 2 and "invalid choice" in err and err.count("\n") == 1
    code, _, err = run(capsys, "frobnicate")
    assert code == 2 and err.count("\n") == 1
    code, _, err = run(capsys, "check", "--example", "ex8", "--regularize", "q")
    assert code == 2 and "unknown letter 'q'" in err


def test_python_dash_m_is_the_same_command(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "identkit", "check", "--example", "ex5",
                           "--format", "json"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["complete"] is True
    proc = subprocess.run([sys.executable, "-m", "identkit", "check", str(tmp_path / "x.json")],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1


def test_design_command(tmp_path, capsys):
    out_file = tmp_path / "design.yaml"
    code, out, err = run(capsys, "design", "--latents", "12", "--format", "json", "-o",
                         str(out_file))
    assert code == 0 and err == ""
    data = json.loads(out)
    assert data["lower_bound"] == 6 and len(data["interventions"]) == 6
    g = ik.io.read_graph(out_file)
    assert ik.analyze(g).complete
    code, out, _ = run(capsys, "design", "--latents", "x,y,w", "--static")
    assert code == 0 and "do(x)" in out and "lower bound 3" in out
    code, out, _ = run(capsys, "design", "--latents", "8", "--max-targets", "2", "--format", "json")
    assert all(len(t) <= 2 for t in json.loads(out)["interventions"])
    code, _, err = run(capsys, "design", "--latents", "0")
    assert code == 2 and err.count("\n") == 1


def test_repair_command(tmp_path, capsys):
    code, out, _ = run(capsys, "repair", "--example", "TimeBlockDiag", "--format", "json",
                       "-o", str(tmp_path / "fixed.json"))
    data = json.loads(out)
    assert code == 0
    assert data["complete_before"] is False and data["complete_after"] is True
    assert len(data["added_interventions"]) == 2
    assert ik.analyze(ik.io.read_graph(tmp_path / "fixed.json")).complete
    code, out, _ = run(capsys, "repair", "--example", "ex8", "--single-target")
    assert code == 0 and "do(z2)" in out
    code, _, err = run(capsys, "repair", "--example", "ex8", "--intervenable", "z1")
    assert code == 2 and "not intervenable" in err and err.count("\n") == 1
    code, _, err = run(capsys, "repair", "--example", "ex8", "--intervenable", "zz")
    assert code == 2 and "unknown latent 'zz'" in err


def test_verify_command(capsys):
    code, out, err = run(capsys, "verify", "--example", "ex8", "--maps", "4", "--format", "json")
    data = json.loads(out)
    assert code == 0 and err == ""
    assert data["preserving_maps"] == {"tried": 4, "kept_graph": 4}
    assert data["violating_maps"]["tried"] == 4 and data["violating_maps"]["detected"] == 4
    assert isinstance(data["sufficient_influence"]["holds"], bool)
    assert data["agrees_with_theory"] is True
    code, out, _ = run(capsys, "verify", "--example", "ex5", "--mechanism", "linear", "--maps", "2")
    assert code == 0 and "Example 10" in out
    code, _, err = run(capsys, "verify", "--example", "ex5", "--mechanism", "cubic")
    assert code == 2 and "invalid choice" in err
    code, _, err = run(capsys, "verify", "--example", "ex5", "--maps", "-1")
    assert code == 2 and "--maps" in err


def test_generate_command(tmp_path, capsys):
    out_file = tmp_path / "data.npz"
    code, out, _ = run(capsys, "generate", "TimeBlockDiag", "--samples", "50", "--seed", "3",
                       "-o", str(out_file))
    assert code == 0
    import numpy as np

    with np.load(out_file) as data:
        assert data["x"].shape == (50, 20) and data["Gz"].shape == (10, 10)
        first = data["x"].tobytes()
    run(capsys, "generate", "TimeBlockDiag", "--samples", "50", "--seed", "3", "-o", str(out_file))
    with np.load(out_file) as data:
        assert data["x"].tobytes() == first
    graph_file = tmp_path / "g.yaml"
    graph_file.write_text("latents: 2\nGz: [[1, 0], [1, 1]]\nGa: [[1], [0]]\n")
    code, _, _ = run(capsys, "generate", str(graph_file), "--samples", "20", "--mechanism",
                     "heteroscedastic", "-o", str(tmp_path / "g.npz"))
    assert code == 0
    code, _, err = run(capsys, "generate", "NoSuchData", "--samples", "5", "-o", str(out_file))
    assert code == 2 and "no dataset named" in err
    code, _, err = run(capsys, "generate", "TimeDiag", "--samples", "5", "-o",
                       str(tmp_path / "x.csv"))
    assert code == 2 and ".npz" in err


def test_score_command(tmp_path, capsys):
    import numpy as np

    rng = np.random.default_rng(0)
    z = rng.standard_normal((400, 3))
    zhat = np.c_[z[:, 0], z[:, 1] + z[:, 2], z[:, 1] - z[:, 2]][:, [2, 0, 1]]
    np.save(tmp_path / "z.npy", z)
    np.savez(tmp_path / "zhat.npz", zhat=zhat, other=np.zeros(3))
    np.savetxt(tmp_path / "zhat.csv", zhat, delimiter=",", header="a,b,c", comments="")
    code, out, err = run(capsys, "score", "--true", str(tmp_path / "z.npy"), "--learned",
                         str(tmp_path / "zhat.npz"), "--example", "ex8", "--format", "json")
    data = json.loads(out)
    assert code == 0 and err == ""
    assert data["mcc"] < 0.9 and abs(data["rcon"] - 1) < 1e-9 and abs(data["r"] - 1) < 1e-9
    assert data["matching"]["z1"] == 1
    code, out, _ = run(capsys, "score", "--true", str(tmp_path / "z.npy"), "--learned",
                       str(tmp_path / "zhat.csv"))
    assert code == 0 and out.startswith("MCC (pearson):") and "Rcon" not in out
    np.save(tmp_path / "short.npy", z[:10])
    code, _, err = run(capsys, "score", "--true", str(tmp_path / "short.npy"), "--learned",
                       str(tmp_path / "zhat.csv"))
    assert code == 2 and "paired" in err and err.count("\n") == 1
    code, _, err = run(capsys, "score", "--true", str(tmp_path / "nope.npy"), "--learned",
                       str(tmp_path / "zhat.csv"))
    assert code == 2 and "no such file" in err


def test_unexpected_errors_are_one_line(monkeypatch, capsys):
    """A bug of ours must still reach the user as one line and exit status 2."""
    import identkit.report

    def boom(*a, **k):
        raise ZeroDivisionError("simulated")

    monkeypatch.setattr(identkit.report, "analyze", boom)
    code, out, err = run(capsys, "check", "--example", "ex8")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "internal error (ZeroDivisionError: simulated)" in err


def test_blas_starts_with_one_thread_only_for_small_checks(tmp_path):
    """Start-up: OpenBLAS thread start costs a third of `check` on a small file, so that case
    (and only that case, never against the user's own setting) runs BLAS with one thread."""
    import os

    small = tmp_path / "small.json"
    small.write_text(ik.io.dumps_graph(ik.examples.get("fig1").graph, "json"))
    big = tmp_path / "big.json"
    ik.io.write_graph(ik.examples.random_graph(600, kind="time", p=0.5, seed=0), big,
                      style="matrix")
    assert big.stat().st_size > 1 << 20
    code = ("import io, os, sys, contextlib; from identkit.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()): main(sys.argv[1:])\n"
            "print(os.environ.get('OPENBLAS_NUM_THREADS'))")
    env = {k: v for k, v in os.environ.items()
           if k not in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")}
    env["PYTHONPATH"] = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    cases = [(["check", str(small)], env, "1"), (["check", "--example", "ex8"], env, "1"),
             (["check", str(big)], env, "None"), (["verify", "--example", "ex8", "--maps", "1"],
                                                   env, "None"),
             (["check", str(small)], dict(env, OPENBLAS_NUM_THREADS="2"), "2")]
    for argv, environ, expected in cases:
        proc = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True,
                              text=True, timeout=120, env=environ)
        assert proc.stdout.strip() == expected, (argv, proc.stdout, proc.stderr)
