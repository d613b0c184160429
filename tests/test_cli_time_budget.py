"""The ``check --time-budget`` option reaches the exact checks of a mechanism file: what is not
decided within the budget is reported as undecided, and undecided never becomes a guarantee."""

import subprocess
import sys

MECHANISM = """\
latents: [z1, z2]
actions: [a1, a2]
mean: {z1: "z1_lag1 + z2_lag1 + sin(a1)", z2: "z2_lag1 + sin(a2)"}
"""


def _check(path, *extra):
    return subprocess.run([sys.executable, "-m", "identkit", "check", str(path), *extra],
                          capture_output=True, text=True, timeout=300)


def test_example_3_shape_is_guaranteed_by_theorem_1_within_the_default_budget(tmp_path):
    """Ga = I with Assumption 6: guaranteed whatever Gz is (paper, Example 3)."""
    f = tmp_path / "m.yaml"
    f.write_text(MECHANISM)
    res = _check(f)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "Theorem 1" in res.stdout


def test_a_budget_too_small_to_decide_gives_undecided_not_a_guarantee(tmp_path):
    f = tmp_path / "m.yaml"
    f.write_text(MECHANISM)
    res = _check(f, "--time-budget", "0.001")
    assert res.returncode == 1, res.stdout + res.stderr
    assert "undecided (time budget)" in res.stdout


def test_a_budget_out_of_range_is_one_line_and_exit_2(tmp_path):
    f = tmp_path / "m.yaml"
    f.write_text(MECHANISM)
    res = _check(f, "--time-budget", "0")
    assert res.returncode == 2
    assert res.stdout == ""
    assert len(res.stderr.strip().splitlines()) == 1 and "--time-budget" in res.stderr
