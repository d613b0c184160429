"""Warnings raised by the API reach a command-line user as one line that names no internal file."""

import subprocess
import sys

import numpy as np


def test_score_warning_on_a_constant_learned_column_is_one_line_without_internal_paths(tmp_path):
    rng = np.random.default_rng(0)
    z = rng.standard_normal((200, 3))
    zhat = z.copy()
    zhat[:, 2] = 1.0                                   # a constant learned column: warned about
    np.save(tmp_path / "z.npy", z)
    np.save(tmp_path / "zhat.npy", zhat)
    res = subprocess.run([sys.executable, "-m", "identkit", "score", "--true", "z.npy",
                          "--learned", "zhat.npy"], cwd=tmp_path, capture_output=True, text=True,
                         timeout=300)
    assert res.returncode == 0, res.stderr
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1, res.stderr
    assert lines[0].startswith("identkit: warning: constant learned column")
    assert ".py" not in res.stderr and "identkit/" not in res.stderr
    assert res.stdout.startswith("MCC")
