"""``verify`` is bounded in time by ``--time-budget`` (issue 25, item 4): what the budget does not
reach is reported as not checked, the agreement as undecided (exit status 1), and nothing
unchecked is ever counted as kept, detected or holding."""

import contextlib
import importlib
import io
import json
import os
import subprocess
import sys

import numpy as np
import pytest

import identkit as ik
from identkit.cli import main
from identkit.errors import MechanismError
from identkit.numeric import sample_violating_map, verify

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# the module, not the function ``identkit.numeric.verify`` that shadows it
VERIFY = importlib.import_module("identkit.numeric.verify")


def _identity_graph_file(tmp_path, d):
    """A d-latent identity temporal graph (each latent its own only parent), in the text form."""
    path = tmp_path / f"identity{d}.txt"
    lines = ["latents: " + " ".join(f"z{i}" for i in range(1, d + 1))]
    lines += [f"z{i} -> z{i}" for i in range(1, d + 1)]
    path.write_text("\n".join(lines) + "\n")
    return path


def _cli(*args):
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.run([sys.executable, "-m", "identkit", "verify", *args],
                          capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)


def _claims_nothing_unchecked(data, maps):
    """The JSON of a cut run: every map is either tried or counted as not checked, none of the
    untried is counted as kept or detected, and no test that did not run holds."""
    assert data["agrees_with_theory"] is None
    assert data["not_checked"] and data["time_budget"] == 2.0
    pres, viol = data["preserving_maps"], data["violating_maps"]
    assert pres["tried"] + pres["not_checked"] == maps and pres["not_checked"] > 0
    assert 0 <= pres["kept_graph"] <= pres["tried"]
    assert viol["tried"] + viol["not_checked"] == maps
    assert viol["detected"] <= viol["tried"] and viol["promised"] <= viol["tried"]
    si = data["sufficient_influence"]
    checks = list(si["actions"]["checks"])
    if si["temporal"] is not None:
        checks += [si["temporal"][k] for k in ("assumption_8", "assumption_10", "assumption_11")
                   if si["temporal"][k] is not None]
    unchecked = [c for c in checks if c["failure"] == VERIFY.NOT_CHECKED]
    assert all(c["holds"] is None and c["attained"] == 0 for c in unchecked)
    if unchecked:
        assert si["holds"] is None
        assert any(u.startswith("Assumption") for u in data["not_checked"])
    if data["measured_graph_matches"] is None:
        assert "the graph measurement on the mechanism" in data["not_checked"]


def test_cli_150_latent_identity_graph_is_cut_by_the_time_budget(tmp_path):
    """Unbounded, this run took minutes with no word; with --time-budget 2 it stops after the
    unit of work that was running and says what it did not check, in JSON and in text."""
    path = _identity_graph_file(tmp_path, 150)
    proc = _cli(str(path), "--time-budget", "2", "--maps", "4", "--format", "json")
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr == ""  # not a terminal: no progress line
    _claims_nothing_unchecked(json.loads(proc.stdout), 4)

    proc = _cli(str(path), "--time-budget", "2", "--maps", "4")
    assert proc.returncode == 1, proc.stderr
    assert "Agrees with the theory: undecided (time budget)" in proc.stdout
    assert "Agrees with the theory: True" not in proc.stdout
    assert "Not checked: the time budget (2 s, --time-budget) ran out before:" in proc.stdout
    assert "more not checked: time budget" in proc.stdout


@pytest.mark.parametrize("value", ["0", "-1", "nan", "inf", "86401", "soon"])
def test_cli_refuses_a_bad_time_budget(value):
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        status = main(["verify", "--example", "ex8", "--time-budget", value])
    assert status == 2
    line = err.getvalue().strip()
    assert "--time-budget" in line and "\n" not in line and "Traceback" not in line


@pytest.mark.parametrize("value", [0, -1.0, float("nan"), float("inf"), True, "1", None])
def test_api_refuses_a_bad_time_budget(value):
    if value is None:
        verify(ik.examples.get("ex4").graph, maps=0, time_budget=value)  # None: unbounded
        return
    with pytest.raises(MechanismError, match="time_budget"):
        verify(ik.examples.get("ex4").graph, maps=1, time_budget=value)


class _Clock:
    """A clock that moves one second per reading (the first reading, which sets the deadline,
    is 0): a budget of ``k + 0.5`` lets exactly k units of work start."""

    def __init__(self):
        self.t = -1.0

    def __call__(self):
        self.t += 1.0
        return self.t


def test_api_spent_budget_checks_nothing_and_claims_nothing(monkeypatch):
    """The budget is spent before the first unit: zero checked units, every map and test
    reported as not checked, the verdict undecided."""
    monkeypatch.setattr(VERIFY, "_clock", _Clock())
    g = ik.examples.get("fig1").graph
    res = verify(g, maps=3, seed=0, time_budget=0.5)
    assert res.preserving_tried == res.preserving_kept == 0
    assert res.violating_tried == res.violating_detected == res.violating_promised == 0
    assert res.measured_graph_matches is None and res.agrees_with_theory is None
    assert not res.complete
    # the rank tests did not run: whether violating maps must be detected is not claimed
    assert "undecided" in res.prediction and "sufficient influence fails" not in res.prediction
    checks = VERIFY._checks(res.influence)
    assert len(checks) == 4 and all(c.holds is None and c.failure == VERIFY.NOT_CHECKED
                                    for c in checks)
    assert res.not_checked == ("the graph measurement on the mechanism",
                               "Assumption 6 for torque", "Assumption 8 for Gz",
                               "Assumption 11 for Gz", "Assumption 10 for λ",
                               "preserving maps 1-3 of 3", "violating maps 1-3 of 3")
    data = res.to_dict()
    assert data["agrees_with_theory"] is None and data["sufficient_influence"]["holds"] is None
    assert data["sufficient_influence"]["actions"]["holds"] is None
    assert data["sufficient_influence"]["temporal"]["holds"] is None
    assert data["preserving_maps"] == {"tried": 0, "kept_graph": 0, "not_checked": 3}
    assert data["violating_maps"]["tried"] == 0 and data["violating_maps"]["not_checked"] == 3
    text = str(res)
    assert "equal the model's: not checked (time budget)" in text
    assert "0 of 0 (3 more not checked: time budget)" in text
    assert "Agrees with the theory: undecided" in text


def test_api_cut_after_the_influence_tests_keeps_what_was_checked(monkeypatch):
    """Cut after six units (the measurement, four rank tests, one preserving map): those are
    exactly what a run with one map computes (the same draws), and the rest is not checked."""
    g = ik.examples.get("fig1").graph
    one = verify(g, maps=1, seed=4)
    monkeypatch.setattr(VERIFY, "_clock", _Clock())
    res = verify(g, maps=5, seed=4, time_budget=6.5)
    assert res.preserving_tried == 1 and res.preserving_kept == one.preserving_kept == 1
    assert res.influence.to_dict() == one.influence.to_dict()
    assert res.measured_graph_matches is True
    assert res.violating_tried == 0
    assert res.not_checked == ("preserving maps 2-5 of 5", "violating maps 1-5 of 5")
    assert res.agrees_with_theory is None
    assert "sufficient influence holds" in res.prediction  # decided: the tests all ran
    data = res.to_dict()
    assert data["preserving_maps"]["not_checked"] == 4
    assert data["sufficient_influence"]["holds"] is True


def test_a_disagreement_found_before_the_cut_stays_a_disagreement(monkeypatch):
    """A "preserving" map that is in fact violating makes the graph denser: proven, so the
    verdict is False, not undecided, even though the budget cut the rest."""
    monkeypatch.setattr(VERIFY, "sample_preserving_map",
                        lambda g, reg, seed: sample_violating_map(g, reg, seed=seed))
    monkeypatch.setattr(VERIFY, "_clock", _Clock())
    g = ik.examples.get("ex8").graph
    res = verify(g, maps=4, seed=0, time_budget=5.5)  # measurement, 3 tests, 1 map
    assert res.preserving_tried == 1 and res.preserving_kept == 0
    assert not res.complete and res.agrees_with_theory is False


@pytest.mark.parametrize("mechanism", ["nonlinear", "heteroscedastic", "linear", "hard"])
@pytest.mark.parametrize("name", ["fig1", "ex4", "ex12"])
def test_small_graph_same_full_result_with_a_budget(name, mechanism):
    """A budget that does not run out changes nothing: the stepwise rank tests draw exactly
    what :func:`sufficient_influence` draws, and the JSON keeps the keys it always had."""
    g = ik.examples.get(name).graph
    plain = verify(g, mechanism, maps=2, seed=7)
    seen = []
    timed = verify(g, mechanism, maps=2, seed=7, time_budget=3600.0,
                   progress=lambda done, total, note: seen.append((done, total, note)))
    assert timed.complete and timed.not_checked == ()
    assert timed.to_dict() == plain.to_dict()
    assert str(timed) == str(plain)
    assert "not_checked" not in plain.to_dict()
    dones = [d for d, _, _ in seen]
    assert dones == sorted(dones) and seen[-1][2] == "done" and seen[-1][0] == seen[-1][1]


def test_progress_line_on_a_terminal(monkeypatch):
    class Tty(io.StringIO):
        def isatty(self):
            return True

    err = Tty()
    monkeypatch.setattr(sys, "stderr", err)
    with contextlib.redirect_stdout(io.StringIO()) as out:
        status = main(["verify", "--example", "ex8", "--maps", "2"])
    assert status == 0 and "Agrees with the theory: True" in out.getvalue()
    assert "verify [" in err.getvalue() and "units/s" in err.getvalue()


def test_identity_graph_unbounded_api_still_complete():
    """The API default is unbounded: a run is complete and its verdict decided."""
    g = ik.LatentGraph(Gz=np.eye(4, dtype=bool))
    res = verify(g, maps=1, seed=0)
    assert res.complete and res.time_budget is None and res.agrees_with_theory in (True, False)


def test_sufficient_influence_step_skips_from_the_first_refusal_and_draws_as_without_it():
    """``step`` is asked before every test; from the first refusal on, every test is skipped
    (reported NOT_CHECKED, never holding), and the tests that ran are the ones the unstepped
    run gives for the same seed (the same draws in the same order)."""
    from identkit.numeric import GaussianMechanism, sufficient_influence

    g = ik.examples.get("fig1").graph
    mech = GaussianMechanism(g, mean="sinusoidal")
    full = sufficient_influence(mech, seed=3)
    asked = []
    same = sufficient_influence(mech, seed=3, step=lambda name: asked.append(name) or True)
    assert same == full and len(asked) == len(VERIFY._checks(full))
    answers = iter([True, False, True, True])  # a later True must not restart the tests
    cut = sufficient_influence(mech, seed=3, step=lambda name: next(answers))
    first, *rest = VERIFY._checks(cut)
    assert first == VERIFY._checks(full)[0]
    assert rest and all(c.holds is None and c.failure == VERIFY.NOT_CHECKED for c in rest)
