"""Mechanism verdicts that are never wrong: each test is named after the cause of a wrong
verdict the symbolic backend used to give, and fails on the code that had it."""

import json

import numpy as np
import pytest
import sympy

from identkit.errors import MechanismFileError, ParseError
from identkit.symbolic import check_assumptions, check_mechanism, mechanism_from_dict, parse_expression
from identkit.symbolic.exact import decide_zero

L2 = ["z1", "z2"]
X, Y = sympy.symbols("x y", real=True)


def _mech(mean, actions=(), **extra):
    return mechanism_from_dict({"latents": L2, "actions": list(actions), "mean": mean, **extra})


# ---------------------------------------------------------------- 1. constants and irrationals


@pytest.mark.parametrize("mean", [
    {"z1": "a1", "z2": "sin(a1)"},                      # columns (1, cos a1)
    {"z1": "sqrt(2)*a1", "z2": "a1**2"},                # columns (√2, 2 a1)
    {"z1": "z1_lag1 + a1", "z2": "z2_lag1 + sin(a1)"},  # a constant beside a sine
])
def test_constant_derivatives_beside_transcendental_ones_are_evaluable(mean):
    """A constant cross-derivative (1 or √2) next to a transcendental one made every point
    'undefined', so Assumption 6 failed; the columns are linearly independent functions."""
    v = check_assumptions(_mech(mean, ["a1"])).actions[0]
    assert v.holds is True, str(v)
    assert len(v.points) == 2


# ------------------------------------------------------------------ 2. absolute threshold


def test_tiny_coefficients_are_not_cut_by_an_absolute_threshold():
    """exp(-100) · z2_lag1 is a real edge: an absolute zero threshold dropped it, and two such
    edges (a 2-cycle) turned an all-ones Cz into 'Complete disentanglement is guaranteed'."""
    res = check_mechanism(_mech({"z1": "z1_lag1 + exp(-100)*z2_lag1",
                                 "z2": "z2_lag1 + exp(-100)*z1_lag1"}))
    assert res.derived.graph.Gz.astype(int).tolist() == [[1, 1], [1, 1]]
    assert not res.guaranteed
    dec = res.derived.decisions[("z", 0, 1)]
    assert dec.zero is False and dec.route.startswith("interval evaluation")
    assert decide_zero(sympy.exp(-1000) * Y, np.random.default_rng(0)).zero is False


# ---------------------------------------------------------- 3. non-analytic, narrow samples


def test_non_analytic_functions_are_not_judged_zero_from_a_narrow_sample():
    """((z2 - 3 + |z2 - 3|)/2)³ = max(z2 − 3, 0)³ vanishes on (−2, 2), where points were drawn:
    the edge z2 → z1 was dropped by an argument that holds for analytic functions only."""
    res = check_mechanism(_mech({"z1": "z1_lag1 + ((z2_lag1 - 3 + abs(z2_lag1 - 3))/2)**3",
                                 "z2": "z2_lag1"}))
    dec = res.derived.decisions[("z", 0, 1)]
    assert dec.zero is False and res.derived.graph.Gz[0, 1]
    assert float(dec.point[sympy.Symbol("z2_lag1", real=True)]) > 3  # the witness is real


def test_non_analytic_functions_vanishing_on_every_sample_are_undecided():
    """max(x − 10⁶, 0)·y vanishes at every scale drawn: not analytic, so not 'zero'."""
    expr = (X - 10**6 + abs(X - 10**6)) * Y
    dec = decide_zero(expr, np.random.default_rng(1))
    assert dec.zero is None and "not analytic" in dec.route


# --------------------------------------------------------------- 4. no evaluable point


def test_no_evaluable_point_gives_no_certificate():
    """When no point could be evaluated the old route still read 'vanishes to 60 digits at
    random points'. Now: undecided, saying why."""
    dec = decide_zero(sympy.sqrt(-1 - X**2) * Y, np.random.default_rng(0))
    assert dec.zero is None and "no point" in dec.route
    with pytest.raises(MechanismFileError, match=r"mean of z1 .*sqrt\(z2_lag1 - 3\).* not a real"):
        check_mechanism(_mech({"z1": "z1_lag1 + sqrt(z2_lag1 - 3)", "z2": "z2_lag1"}))


# ---------------------------------------------------------------- 5. discrete actions


def test_discrete_actions_decide_gz_on_the_declared_values_only():
    """(a1² − a1)·z2_lag1 vanishes at a1 ∈ {0, 1}, the only values where the density is
    defined, so Gz is the identity."""
    res = check_mechanism(_mech({"z1": "z1_lag1 + (a1**2 - a1)*z2_lag1", "z2": "z2_lag1 + a1"},
                                ["a1"], action_values=[[0], [1]]))
    assert res.derived.graph.Gz.astype(int).tolist() == [[1, 0], [0, 1]]
    # with a third value the term no longer vanishes
    res3 = check_mechanism(_mech({"z1": "z1_lag1 + (a1**2 - a1)*z2_lag1", "z2": "z2_lag1 + a1"},
                                 ["a1"], action_values=[[0], [1], [2]]))
    assert res3.derived.graph.Gz[0, 1]


# ------------------------------------------------------------- 6. combining the theorems


def test_theorem_1_alone_guarantees_when_ga_is_identity_example3():
    """Example 3: Ga = I with Assumption 6 gives complete disentanglement by Theorem 1, whatever
    Gz; all assumptions used to be demanded, including Assumption 8, which fails here."""
    res = check_mechanism(_mech({"z1": "z1_lag1 + z2_lag1 + sin(a1)", "z2": "z2_lag1 + sin(a2)"},
                                ["a1", "a2"]))
    assert res.assumptions.temporal.holds is not True
    assert res.guaranteed and res.guarantee.justified == "a"
    data = res.to_dict()
    assert data["guaranteed"] and data["entanglement_graph"] == [[1, 0], [0, 1]]
    assert "Theorem 1" in res.verdict()


def test_json_never_reports_a_pattern_the_verdicts_do_not_justify():
    """Example 10's linear counterpart: the graph alone gives C = I, but Assumption 6 fails
    and there is no temporal graph, so nothing is justified; the JSON used to carry C = I."""
    from identkit.symbolic.catalogue import get_mechanism_example

    res = check_mechanism(get_mechanism_example("ex10-linear").mechanism())
    data = json.loads(json.dumps(res.to_dict()))
    ones = np.ones((3, 3), dtype=int).tolist()
    assert data["graph_alone"]["complete"] is True
    assert data["complete"] is False and data["entanglement_graph"] == ones
    assert data["guarantee"]["pattern"] == ones and not data["guaranteed"]
    assert data["identified"] == []


# ----------------------------------------------------------------------- 8. validity


@pytest.mark.parametrize("spec, words", [
    ({"mean": {"z1": "a1", "z2": "a2"}, "variance": "-1 - a2**2"}, "variance of z1 .* not positive"),
    ({"mean": {"z1": "log(-1 - a1**2)", "z2": "a2"}}, r"mean of z1 'log\(-a1\*\*2 - 1\)' is not a real"),
    ({"mean": {"z1": "a1/(sin(a2)**2 + cos(a2)**2 - 1)", "z2": "a2"}}, "could not be evaluated"),
    ({"mean": {"z1": "a1", "z2": "a2"}, "variance": {"z1": "1", "z2": "1 + a1"}}, "variance of z2"),
])
def test_invalid_mechanisms_are_refused_before_any_verdict(spec, words):
    """These were accepted and declared guaranteed (exit 0)."""
    with pytest.raises(MechanismFileError, match=words) as info:
        check_mechanism(mechanism_from_dict({"latents": L2, "actions": ["a1", "a2"], **spec}))
    assert "{" in str(info.value) and "=" in str(info.value)   # names a point


def test_declared_action_ranges_make_a_variance_valid():
    """1 + a1 is positive on a declared range a1 ∈ [0, 1], not on the reals."""
    spec = {"latents": ["z1"], "actions": ["a1"], "mean": {"z1": "sin(a1)"},
            "variance": "1 + a1"}
    with pytest.raises(MechanismFileError):
        check_mechanism(mechanism_from_dict(spec))
    res = check_mechanism(mechanism_from_dict({**spec, "action_ranges": {"a1": [0, 1]}}))
    assert res.derived.graph.Ga.astype(int).tolist() == [[1]]
    with pytest.raises(Exception, match="continuous actions only"):
        mechanism_from_dict({**spec, "action_values": [[0], [1]], "action_ranges": {"a1": [0, 1]}})


def test_invalid_mechanism_file_exits_2_with_one_line(tmp_path, capsys):
    from identkit.cli import main

    path = tmp_path / "bad.yaml"
    path.write_text("latents: [z1]\nactions: [a1]\nmean: {z1: 'a1'}\nvariance: '-1 - a1**2'\n")
    code = main(["check", str(path)])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1
    assert "variance of z1" in err and "a1 =" in err and "Traceback" not in err


# ------------------------------------------------------------------ 9. keyword arguments


def test_keyword_arguments_are_refused_by_name():
    with pytest.raises(ParseError, match="takes no keyword arguments .*'base'"):
        parse_expression("exp(z1, base=2)", {"z1": X})


# --------------------------------------------------------------------- 10. bounded work


def test_large_exponents_complete_instead_of_an_internal_error():
    """(a1 + a2 + z1_lag1 + z2_lag1)**1000 ended in an internal error (a 4,300-digit string)."""
    res = check_mechanism(_mech({"z1": "(a1 + a2 + z1_lag1 + z2_lag1)**1000", "z2": "z2_lag1 + a2"},
                                ["a1", "a2"]))
    assert res.derived.graph.Gz.astype(int).tolist() == [[1, 1], [0, 1]]
    json.dumps(res.to_dict())


def test_power_towers_are_refused_by_their_degree():
    """A tower of **64 powers multiplies to degree 64⁴ and ate a gigabyte."""
    with pytest.raises(ParseError, match="degree 16777216"):
        parse_expression("(((x**64)**64)**64)**64", {"x": X})


def test_exp_towers_finish():
    res = check_mechanism(_mech({"z1": "exp(exp(exp(exp(a1))))", "z2": "z2_lag1 + a2"},
                                ["a1", "a2"]))
    assert res.derived.graph.Ga.astype(int).tolist() == [[1, 0], [0, 1]]


def test_a_spent_time_budget_ends_in_undecided_not_a_guarantee():
    mech = _mech({"z1": "z1_lag1 + sin(a1)", "z2": "z2_lag1 + sin(a2)"}, ["a1", "a2"])
    assert check_mechanism(mech).guaranteed
    res = check_mechanism(mech, time_budget=0.0)
    assert res.out_of_time and not res.guaranteed
    assert "undecided (time budget)" in res.verdict()
    assert all(d.zero is None for d in res.derived.decisions.values()
               if d.route != "structural")


def test_progress_lines_are_reported_for_long_checks():
    from identkit.symbolic.exact import Budget

    lines = []
    b = Budget(None, lines.append)
    b.start -= 10  # as if the check had run for 10 s
    b._last -= 10
    b.stage = "deriving the graphs: entry 3 of 9"
    b.check()
    assert lines and "entry 3 of 9" in lines[0] and "s)" in lines[0]
