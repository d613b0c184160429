"""``draw``, ``verify`` and ``repair`` on a mechanism file derive its graphs within a time budget
(issue 25, item 4: every command's work is bounded as a whole). Entries the derivation does not
reach are kept as edges, so a graph cut by the budget is never handed on: the command refuses in
one line naming the budget (and ``--time-budget`` where the command offers it). No wall-clock
time is asserted; a runaway derivation fails on the subprocess timeout instead."""

import json
import subprocess
import sys

import numpy as np
import pytest

from identkit import cli
from identkit.symbolic import mechanism_from_dict
from identkit.symbolic.check import derive_graph_data

D = 150  # deriving this mechanism's graphs takes several seconds (60 latents: about 1 s)


def _yaml(d=D) -> str:
    """``z_i' = tanh(z_i + z_{i+1} + z_{i+3}) + a_i + a_{i+1}`` (indices mod d)."""
    lines = [f"latents: {d}", f"actions: {d}", "mean:"]
    for i in range(d):
        lags = " + ".join(f"z{(i + k) % d + 1}_lag1" for k in (0, 1, 3))
        lines.append(f'  z{i + 1}: "tanh({lags}) + a{i + 1} + a{(i + 1) % d + 1}"')
    return "\n".join(lines) + "\n"


SMALL = {"latents": ["z1", "z2"], "actions": ["a1", "a2"],
         "mean": {"z1": "z1_lag1 + z2_lag1 + sin(a1)", "z2": "z2_lag1 + sin(a2)"}}


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    f = tmp_path_factory.mktemp("derive") / "m150.yaml"
    f.write_text(_yaml())
    return f


def test_repair_of_a_150_latent_mechanism_within_1_s_refuses_naming_the_option(big):
    res = subprocess.run([sys.executable, "-m", "identkit", "repair", str(big),
                          "--time-budget", "1"], capture_output=True, text=True, timeout=120)
    assert res.returncode == 2 and res.stdout == ""
    err = res.stderr.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert "not derived within 1 s" in err and "--time-budget" in err and "m150.yaml" in err


def test_draw_has_no_budget_option_and_says_only_the_seconds(big, tmp_path, monkeypatch,
                                                              capsys):
    pytest.importorskip("matplotlib")
    monkeypatch.setattr(cli, "_DERIVE_SECONDS", 0.5)
    code = cli.main(["draw", str(big), "-o", str(tmp_path / "m.svg")])
    err = capsys.readouterr().err
    assert code == 2 and "not derived within 0.5 s" in err and "--time-budget" not in err
    assert not (tmp_path / "m.svg").exists()


def test_the_api_reports_the_stage_it_stopped_in(big):
    derived, stopped = derive_graph_data({"latents": D, "actions": D, "mean": {
        f"z{i + 1}": f"tanh(z{i + 1}_lag1 + z{(i + 1) % D + 1}_lag1) + a{i + 1}"
        for i in range(D)}}, "m150.yaml", time_budget=0.3)
    assert stopped in ("parsing the mechanism", "deriving the graphs")
    if derived is not None:  # cut while deriving: the entries not reached stay edges
        assert any(d.route == "undecided (time budget)" for d in derived.decisions.values())


def test_a_small_mechanism_is_derived_as_without_a_budget(tmp_path):
    derived, stopped = derive_graph_data(SMALL, "small.yaml")
    direct = mechanism_from_dict(SMALL, source="small.yaml").derive_graph().graph
    assert stopped == ""
    assert np.array_equal(derived.graph.Gz, direct.Gz)
    assert np.array_equal(derived.graph.Ga, direct.Ga)
    assert derived.graph.Gz.tolist() == [[1, 1], [0, 1]]  # read off the written means
    path = tmp_path / "small.json"
    path.write_text(json.dumps(SMALL))
    for command in (["repair", str(path), "--format", "json"],
                    ["verify", str(path), "--maps", "2"]):
        res = subprocess.run([sys.executable, "-m", "identkit", *command], capture_output=True,
                             text=True, timeout=300)
        assert res.returncode in (0, 1) and "not derived" not in res.stderr, res.stderr
