"""One ``--time-budget`` bounds the whole ``check`` of a mechanism (issue 25, item 4): parsing,
validation, derivation and the assumptions. When it runs out the answer is ``undecided (time
budget)``, naming the stage reached and what was decided, with exit status 1 (not guaranteed);
it never becomes a guarantee. No wall-clock time is asserted: a runaway check fails on the
subprocess timeout instead of hanging."""

import json
import subprocess
import sys
import time

import pytest

from identkit.symbolic import check_mechanism, mechanism_from_dict
from identkit.symbolic._exact import Budget, BudgetExpired
from identkit._rng import as_generator
from identkit.symbolic.check import _check_within, check_mechanism_data

D = 60  # validating, deriving and checking this mechanism takes longer than 2 s


def _spec(d=D) -> dict:
    """``z_i' = tanh(z_i + z_{i+1} + z_{i+3}) + a_i + a_{i+1}`` (indices mod d), unit variance."""
    mean = {}
    for i in range(d):
        lags = " + ".join(f"z{(i + k) % d + 1}_lag1" for k in (0, 1, 3))
        mean[f"z{i + 1}"] = f"tanh({lags}) + a{i + 1} + a{(i + 1) % d + 1}"
    return {"latents": d, "actions": d, "mean": mean}


def _yaml(spec) -> str:
    lines = [f"latents: {spec['latents']}", f"actions: {spec['actions']}", "mean:"]
    lines += [f'  {k}: "{v}"' for k, v in spec["mean"].items()]
    return "\n".join(lines) + "\n"


def _check(path, *extra):
    return subprocess.run([sys.executable, "-m", "identkit", "check", str(path), *extra],
                          capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    f = tmp_path_factory.mktemp("budget") / "m60.yaml"
    f.write_text(_yaml(_spec()))
    return f


SMALL = """\
latents: [z1, z2]
actions: [a1, a2]
mean: {z1: "z1_lag1 + z2_lag1 + sin(a1)", z2: "z2_lag1 + sin(a2)"}
"""


def test_a_60_latent_mechanism_with_a_2_s_budget_is_undecided_with_exit_1(big):
    res = _check(big, "--time-budget", "2")
    assert res.returncode == 1, res.stdout + res.stderr
    first = res.stdout.splitlines()[0]
    assert "undecided (time budget)" in first and "NOT guaranteed" in first
    assert "the check stopped at its time budget while " in first  # the stage is named
    assert "Traceback" not in res.stderr


def test_the_json_answer_names_the_stage_and_what_was_decided(big):
    res = _check(big, "--time-budget", "2", "--format", "json")
    assert res.returncode == 1, res.stderr
    data = json.loads(res.stdout)
    assert data["out_of_time"] is True and data["guaranteed"] is False
    assert data["stopped_at"]
    assert "undecided (time budget)" in data["verdict"]
    assert isinstance(data["validated"], bool)


def test_a_budget_spent_before_parsing_ends_while_parsing(big):
    """The clock starts when the command does: reading the file and loading the symbolic
    backend take longer than 1 ms, so the budget is spent before the expressions are parsed,
    and the answer says so (nothing decided), still exit status 1."""
    for fmt in ("text", "markdown", "json"):
        res = _check(big, "--time-budget", "0.001", "--format", fmt)
        assert res.returncode == 1, res.stdout + res.stderr
        assert "while parsing the mechanism: undecided (time budget)" in res.stdout
        assert "nothing was decided" in res.stdout
    assert json.loads(res.stdout)["stopped_at"] == "parsing the mechanism"


def test_reading_the_file_counts_against_the_budget(tmp_path, monkeypatch, capsys):
    """The clock starts before the file is read: a read slower than the whole budget leaves
    the (small, quickly checked) mechanism undecided while parsing."""
    from identkit import cli

    f = tmp_path / "m.yaml"
    f.write_text(SMALL)
    load = cli._load_any

    def slow_load(args):
        out = load(args)
        time.sleep(3)  # a slow disk: longer than the 2 s budget
        return out

    monkeypatch.setattr(cli, "_load_any", slow_load)
    assert cli.main(["check", str(f), "--time-budget", "2"]) == 1
    assert "while parsing the mechanism: undecided (time budget)" in capsys.readouterr().out


def test_a_small_mechanism_still_gets_its_full_verdict_under_the_default_budget(tmp_path):
    f = tmp_path / "m.yaml"
    f.write_text(SMALL)
    res = _check(f)
    assert res.returncode == 0, res.stdout + res.stderr
    assert res.stdout.startswith("Complete disentanglement is guaranteed through Theorem 1")
    assert "time budget" not in res.stdout
    data = json.loads(_check(f, "--format", "json").stdout)
    assert data["out_of_time"] is False and "stopped_at" not in data


def test_bad_input_is_still_refused_with_exit_2_under_the_budget(tmp_path):
    f = tmp_path / "bad.yaml"
    f.write_text('latents: [z1]\nmean: {z1: "z1_lag1"}\nvariance: "-1"\n')
    res = _check(f)
    assert res.returncode == 2 and res.stdout == ""
    assert len(res.stderr.strip().splitlines()) == 1 and "variance" in res.stderr
    f.write_text('latents: [z1]\nmean: {z1: "z1_lag1"}\nvariance: "z1_lag1**2 - 1"\n')
    res = _check(f)  # caught by validation, now inside the budget: still a refusal
    assert res.returncode == 2 and res.stdout == ""
    assert "not positive" in res.stderr and len(res.stderr.strip().splitlines()) == 1


# ---------------------------------------------------------------------------------- the API


def test_the_api_on_the_60_latent_mechanism_is_undecided_within_its_budget():
    mech = mechanism_from_dict(_spec())
    res = check_mechanism(mech, time_budget=1.0)
    assert res.out_of_time and not res.guaranteed
    assert "undecided (time budget)" in res.verdict()
    assert res.stopped_at


def test_validation_counts_against_the_budget():
    """A budget spent at once stops in validation: the mechanism is not shown to define a
    density, so no graph entry is decided (its graphs are not known to be a density's)."""
    mech = mechanism_from_dict(_spec())
    res = check_mechanism(mech, time_budget=0.0)
    assert res.out_of_time and not res.guaranteed and not res.validated
    assert res.stopped_at == "checking that the mechanism defines a density"
    assert all(d.zero is None and d.route == "undecided (time budget)"
               for d in res.derived.decisions.values())
    assert len(res.derived.decisions) == D * (D + D)
    assert "not yet shown to define a density" in res.verdict()
    # the verdict names the first ten undecided entries of each graph and counts the rest
    assert res.verdict().count(" (undecided (time budget))") == 2 * 10
    assert "Ga entries undecided: a1 → z1 (undecided (time budget)), a2 → z1" in res.verdict()
    assert f"and {D * D - 10} more" in res.verdict()
    assert res.to_dict()["validated"] is False


def test_a_budget_reaching_past_validation_says_how_many_entries_were_decided():
    mech = mechanism_from_dict(_spec(3))
    full = check_mechanism(mech)
    assert not full.out_of_time and full.validated and full.stopped_at == ""
    assert "time budget" not in full.verdict()
    # a budget that runs out when derivation starts: validated, no entry decided

    class SpendsAfterValidation(Budget):
        def check(self):
            if self.stage.startswith("deriving"):
                self.deadline = time.monotonic() - 1
            super().check()

    res = _check_within(mech, None, as_generator(0), SpendsAfterValidation(60.0))
    assert res.out_of_time and res.validated and not res.guaranteed
    assert res.stopped_at.startswith("deriving the graphs")
    n = len(res.derived.decisions)
    assert f"the mechanism defines a density at the points sampled; 0 of {n} graph entries " \
           "decided" in res.verdict()


def test_few_undecided_entries_are_all_named_as_the_derived_graphs_name_them():
    from identkit.symbolic.check import _undecided_graphs

    for d in (1, 2, 3):
        res = check_mechanism(mechanism_from_dict(_spec(d)), time_budget=0.0)
        assert _undecided_graphs(res.derived) == res.derived.undecided_graphs()
        assert "more" not in res.verdict()


def test_parsing_counts_against_the_budget():
    """A budget begun 100 s ago (the command's start) with 2 s to spend is spent before the
    expressions are parsed: undecided while parsing, nothing decided."""
    res = check_mechanism_data(_spec(), "m.yaml", time_budget=2.0,
                               start=time.monotonic() - 100)
    assert res.out_of_time and not res.guaranteed
    assert res.stopped_at == "parsing the mechanism"
    assert "while parsing the mechanism: undecided (time budget)" in res.verdict()
    assert res.to_dict(symmetries=True)["stopped_at"] == "parsing the mechanism"
    small = {"latents": ["z1", "z2"], "actions": ["a1", "a2"],
             "mean": {"z1": "z1_lag1 + z2_lag1 + sin(a1)", "z2": "z2_lag1 + sin(a2)"}}
    ok = check_mechanism_data(small, "s.yaml")
    assert ok.guaranteed and not ok.out_of_time and ok.validated


def test_the_alarm_interrupts_at_most_once():
    """Once a check has seen the budget spent, the alarm never interrupts the work that marks
    what is left undecided."""
    budget = Budget(0.05)
    with budget.active():  # the alarm is set for 0.05 s from now
        budget.deadline = time.monotonic() - 1  # a check sees the budget spent first
        with pytest.raises(BudgetExpired):
            budget.check()
        time.sleep(0.2)  # past the alarm's time: it must not raise here
        assert budget.expired and budget.stopped_at == ""
        with pytest.raises(BudgetExpired):  # the checks keep saying so
            budget.check()


def test_validation_stops_at_its_checks_where_no_alarm_can_interrupt():
    """Outside the main thread there is no alarm: validation meets the budget at its own
    checks (per latent and per expression), so a budget that runs out during validation
    stops it there."""
    import threading

    class RunsOutInValidation(Budget):
        calls = 0

        def check(self):
            self.calls += 1
            if self.calls == 2:  # the first check inside validation
                self.deadline = time.monotonic() - 1
            super().check()

    mech = mechanism_from_dict(_spec(4))
    got = {}

    def run():
        got["res"] = _check_within(mech, None, as_generator(0), RunsOutInValidation(60.0))

    worker = threading.Thread(target=run)
    worker.start()
    worker.join(timeout=60)
    res = got["res"]
    assert res.out_of_time and not res.validated and not res.guaranteed
    assert res.stopped_at == "checking that the mechanism defines a density"
