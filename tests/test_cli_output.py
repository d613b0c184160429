"""What the commands print for people: API warnings as one line naming no internal file, and names
quoted where they would read ambiguously."""

import subprocess
import sys

import numpy as np
import pytest


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


def test_design_prints_names_that_would_read_ambiguously_quoted(tmp_path):
    """``do(joint one, joint two)`` could be read as other names; the report quotes them by the
    same rule as the text form."""
    res = subprocess.run([sys.executable, "-m", "identkit", "design", "--latents",
                          "joint one,joint two,x"], cwd=tmp_path, capture_output=True, text=True,
                         timeout=300)
    assert res.returncode == 0, res.stderr
    assert '  do("joint one")' in res.stdout and "  do(x)" in res.stdout


@pytest.mark.parametrize("line", ["latents: a,,b", "latents: a, b,", "latents: ,a",
                                  "a -> a,,b", "do(a,,b)"])
def test_text_form_comma_with_no_name_was_read_as_a_guess(tmp_path, line):
    """``a,,b`` used to read as ``a b``: a comma with no name beside it is refused at its line."""
    f = tmp_path / "g.txt"
    f.write_text("latents: a b\n" + line + "\n" if not line.startswith("latents") else
                 line + "\na -> a\n")
    res = subprocess.run([sys.executable, "-m", "identkit", "check", str(f)],
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 2 and res.stdout == ""
    (msg,) = res.stderr.strip().splitlines()
    assert "g.txt" in msg and "line" in msg and "','" in msg


def test_text_form_commas_and_spaces_still_separate_names(tmp_path):
    f = tmp_path / "g.txt"
    f.write_text("latents: a, b c\na -> a, b c\nb -> b\nc -> c\n")
    res = subprocess.run([sys.executable, "-m", "identkit", "check", str(f)],
                         capture_output=True, text=True, timeout=300)
    assert res.returncode in (0, 1), res.stderr
