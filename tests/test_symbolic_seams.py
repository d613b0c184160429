"""The symbolic backend's seams: the Mechanism protocol's verbs, keyword-only seeds with their
deprecation paths, the check's text/markdown/JSON (with the permutation groups) in the API, the
mechanism reader sharing identkit.io's file checks, and the name checks."""

import io as _stdio
import sys
import warnings

import pytest
import sympy

from identkit.symbolic import worked_mechanism
import identkit as ik
from identkit import _jsonfmt
from identkit.cli import main
from identkit.errors import GraphFileError, ParseError
from identkit.protocols import Mechanism
from identkit.symbolic import (
    MechanismCheck,
    SymbolicMap,
    SymbolicMechanism,
    check_assumptions,
    check_mechanism,
    load_mechanism,
    mechanism_from_dict,
    parse_expression,
)
from identkit.symbolic.mechanism import derive_graph

EX8 = {"latents": ["z1", "z2", "z3"],
       "mean": {"z1": "z1_lag1 + sin(z1_lag1)/2",
                "z2": "z2_lag1 + sin(z1_lag1 + z3_lag1)/3 + z3_lag1**2/4",
                "z3": "z3_lag1 + cos(z1_lag1 + z2_lag1)/3 + z2_lag1**3/5"}}
REMARK6 = {"latents": ["z1", "z2"], "actions": ["a1"], "action_values": [[0], [1]],
           "mean": {"z1": "a1", "z2": "2*a1"}}


def _same_graph(a, b):
    return a.graph == b.graph and a.decisions == b.decisions


# ----------------------------------------------------------------------------- the protocol


def test_symbolic_mechanism_is_a_mechanism():
    assert isinstance(mechanism_from_dict(EX8), Mechanism)


def test_methods_give_what_the_functions_give():
    mech = worked_mechanism("ex12")
    assert _same_graph(mech.derive_graph(), derive_graph(mech.total_log_density, mech))
    assert mech.check_assumptions().to_dict() == check_assumptions(mech).to_dict()
    derived = mech.derive_graph(seed=3)
    assert (mech.check_assumptions(seed=3, derived=derived).to_dict()
            == check_assumptions(mech, derived, seed=3).to_dict())
    res = mech.check("a", seed=5)
    assert isinstance(res, MechanismCheck)
    assert res.to_dict() == check_mechanism(mech, "a", seed=5).to_dict()


def test_check_method_passes_the_time_budget_on():
    res = worked_mechanism("ex12").check(time_budget=0.0)
    assert res.out_of_time and not res.guaranteed


def test_graph_is_a_deprecated_alias_of_derive_graph():
    mech = mechanism_from_dict(EX8)
    with pytest.warns(DeprecationWarning, match="derive_graph"):
        old = mech.graph()
    assert _same_graph(old, mech.derive_graph())
    with pytest.warns(DeprecationWarning):
        assert _same_graph(mech.graph(seed=2), mech.derive_graph(seed=2))


# ------------------------------------------------------------------------------ the seeds


def _positional(call, keyword):
    with pytest.warns(DeprecationWarning, match="by keyword"):
        old = call()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        new = keyword()
    return old, new


def test_positional_seed_of_check_mechanism_still_works_and_warns():
    mech = mechanism_from_dict(REMARK6)
    old, new = _positional(lambda: check_mechanism(mech, None, 4),
                           lambda: check_mechanism(mech, None, seed=4))
    assert old.to_dict() == new.to_dict()


def test_positional_seed_of_check_assumptions_still_works_and_warns():
    mech = mechanism_from_dict(REMARK6)
    old, new = _positional(lambda: check_assumptions(mech, None, 4),
                           lambda: check_assumptions(mech, None, seed=4))
    assert old.to_dict() == new.to_dict()


def test_positional_seed_of_derive_graph_still_works_and_warns():
    mech = mechanism_from_dict(EX8)
    old, new = _positional(lambda: mech.derive_graph(4), lambda: mech.derive_graph(seed=4))
    assert _same_graph(old, new)
    logp = mech.total_log_density
    old, new = _positional(lambda: derive_graph(logp, mech, 4),
                           lambda: derive_graph(logp, mech, seed=4))
    assert _same_graph(old, new)


def test_positional_seed_of_validate_still_works_and_warns():
    mech = mechanism_from_dict(EX8)
    _positional(lambda: mech.validate(4, 5), lambda: mech.validate(seed=4, n_points=5))


def test_positional_seed_of_the_map_methods_still_works_and_warns():
    mech = mechanism_from_dict(EX8)
    g = mech.derive_graph().graph
    smap = SymbolicMap(mech, {"z1": "z1", "z2": "z2 + z3", "z3": "z3"})
    old, new = _positional(lambda: smap.support(1), lambda: smap.support(seed=1))
    assert (old == new).all()
    old, new = _positional(lambda: smap.is_invertible_somewhere(1),
                           lambda: smap.is_invertible_somewhere(seed=1))
    assert old is new is True
    old, new = _positional(lambda: smap.is_graph_preserving(g, None, 1),
                           lambda: smap.is_graph_preserving(g, None, seed=1))
    assert old == new
    old, new = _positional(lambda: smap.pushforward_graph(1),
                           lambda: smap.pushforward_graph(seed=1))
    assert _same_graph(old, new)


def test_seed_defaults_to_zero_so_a_check_repeats():
    mech = worked_mechanism("ex12")
    assert mech.check().to_dict() == check_mechanism(mech, seed=0).to_dict()


# ------------------------------------------------------------ output in the API, not the CLI


@pytest.mark.parametrize("fmt", ["text", "markdown", "json"])
def test_check_output_matches_the_command_line_byte_for_byte(capsys, fmt):
    main(["check", "--example", "mechanism-ex12", "--format", fmt])
    printed = capsys.readouterr().out
    # the command line names the example as its source
    res = mechanism_from_dict(ik.examples.get("mechanism-ex12").spec, "mechanism-ex12").check()
    made = {"text": lambda: res.to_text(symmetries=True) + "\n",
            "markdown": lambda: res.to_markdown(symmetries=True) + "\n",
            "json": lambda: _jsonfmt.dumps(res.to_dict(symmetries=True)) + "\n"}[fmt]()
    assert made == printed


def test_symmetries_are_added_only_when_asked():
    res = mechanism_from_dict(EX8).check()
    sym = ik.symmetry.Symmetries.of(res.derived.graph, res.report.regularize)
    assert res.to_text(symmetries=True) == res.to_text() + "\n" + "\n".join(
        sym.lines(explain=False))
    assert "Automorphisms" not in res.to_text()
    assert res.to_dict(symmetries=True) == {**res.to_dict(), **sym.to_dict()}
    assert "automorphisms" not in res.to_dict()


def test_markdown_bolds_the_verdict_line_only():
    res = mechanism_from_dict(REMARK6).check()
    first, rest = res.to_markdown().split("\n", 1)
    assert first == f"**{res.verdict()}**"
    assert rest == res.to_text().split("\n", 1)[1] and "**" not in rest


# --------------------------------------------------------------------------- load_mechanism

SPEC = "latents: [z1]\nactions: [a1]\nmean: {z1: 'z1_lag1 + sin(a1)'}\n"


def test_load_mechanism_reads_standard_input(monkeypatch):
    monkeypatch.setattr(sys, "stdin", _stdio.TextIOWrapper(_stdio.BytesIO(SPEC.encode())))
    mech = load_mechanism("-")
    assert mech.source == "<stdin>" and mech.derive_graph().graph.Ga.tolist() == [[True]]


def test_load_mechanism_drops_a_byte_order_mark(tmp_path):
    path = tmp_path / "m.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + SPEC.encode())
    assert load_mechanism(path).latents == ("z1",)


def test_load_mechanism_refuses_a_directory(tmp_path):
    with pytest.raises(GraphFileError, match="not a regular file"):
        load_mechanism(tmp_path)


def test_load_mechanism_refuses_a_file_over_the_size_limit(tmp_path):
    path = tmp_path / "m.yaml"
    path.write_text(SPEC)
    with pytest.raises(GraphFileError, match="size limit"):
        load_mechanism(path, max_bytes=10)


def test_load_mechanism_refuses_a_missing_file(tmp_path):
    with pytest.raises(GraphFileError, match="m.yaml"):
        load_mechanism(tmp_path / "m.yaml")


def test_load_mechanism_reads_json_without_its_extension_and_refuses_duplicate_keys(tmp_path):
    path = tmp_path / "mech"
    path.write_text('{"latents": ["z1"], "mean": {"z1": "z1_lag1"}}')
    assert load_mechanism(path).lags == 1
    path.write_text('{"latents": ["z1"], "mean": {"z1": "z1_lag1"}, "mean": {"z1": "0"}}')
    with pytest.raises(GraphFileError, match="given twice"):
        load_mechanism(path)
    # read as JSON, not as YAML (which would accept the trailing comma)
    path.write_text('{"latents": ["z1"], "mean": {"z1": "z1_lag1"},}')
    with pytest.raises(GraphFileError, match="malformed JSON"):
        load_mechanism(path)


# ------------------------------------------------------------------------------- the names


def test_a_name_declared_twice_among_twenty_thousand_is_named():
    names = [f"z{k}" for k in range(20_000)]
    with pytest.raises(ParseError, match=r"the name 'z7' is declared twice"):
        SymbolicMechanism(names + ["z7"], mean={n: "0" for n in names})


def test_the_first_name_declared_twice_is_the_one_named():
    # 'a' is declared first and twice, although 'b' repeats earlier in the list
    with pytest.raises(ParseError, match=r"the name 'a' is declared twice"):
        SymbolicMechanism(["a", "b", "b"], ["a"], mean={"a": "0", "b": "0"})


def test_an_unknown_key_gets_the_shared_suggestion():
    with pytest.raises(GraphFileError) as info:
        mechanism_from_dict({"latents": ["z1"], "mean": {"z1": "0"}, "varience": 1}, "m.yaml")
    assert str(info.value) == "m.yaml: unknown key 'varience' (did you mean 'variance'?)"


# -------------------------------------------- the parser's pieces (one refusal or value each)

SYMS = {"z1": sympy.Symbol("z1", real=True)}


@pytest.mark.parametrize("text, message", [
    ("   ", "w: the expression is empty"),                                  # only blanks
    ("z1 + )", "w: 'z1 + )': syntax error at column 6: unmatched ')'"),     # its column
    ("1" + "0" * 101, "the integer is too large (column 1)"),              # over 10**100
    ("2**65", "w: '2**65': the power is too large to expand (column 1)"),  # a number over 1
    ("sin()", "w: 'sin()': sin() takes exactly one positional argument (column 1)"),
    ("(z1**100)**101", "the powers multiply to degree 10100 (at most 10000)"),
])
def test_each_parser_refusal_names_its_reason(text, message):
    with pytest.raises(ParseError) as info:
        parse_expression(text, SYMS, where="w")
    assert message in str(info.value)


@pytest.mark.parametrize("text, value", [
    ("E", sympy.E), ("pi", sympy.pi), ("2**64", sympy.Integer(2) ** 64),
    ("1" + "0" * 100, sympy.Integer(10) ** 100), ("(z1**100)**100", SYMS["z1"] ** 10000),
    ("-z1", -SYMS["z1"]), ("+z1", SYMS["z1"]),
])
def test_the_parser_accepts_up_to_its_bounds(text, value):
    assert parse_expression(text, SYMS) == value


# ------------------------------- the exponential-family pieces (Assumptions 10-12, k = 1)


def _assumptions(spec):
    return mechanism_from_dict(spec).check_assumptions()


def test_lambda_varying_with_continuous_actions_alone_is_ranked_not_counted_out():
    # no history: λ = sin(a1) still varies, through the action (Assumption 10 holds)
    v = _assumptions({"latents": ["z1"], "actions": ["a1"], "mean": {"z1": "sin(a1)"}}).variability
    assert v.holds is True and v.attained == 1


def test_too_few_action_values_without_history_fail_assumption_10_by_counting():
    # Example 15's argument: 2 values give 1 difference, k·d = 2 are needed
    v = _assumptions(REMARK6).variability
    assert (v.holds, v.route, v.attained) == (False, "counting", 1)


def test_discrete_action_values_are_drawn_for_assumption_10_with_history():
    # λ = (a1, z2_lag1): only drawing both action values gives rank 2
    v = _assumptions({"latents": ["z1", "z2"], "actions": ["a1"], "action_values": [[0], [1]],
                      "mean": {"z1": "a1", "z2": "z2_lag1"}}).variability
    assert v.holds is True and v.attained == 2


def test_one_edge_and_one_lag_satisfy_assumption_11_with_a_constant_derivative():
    # Gz has 1 entry and there is 1 lag: a constant nonzero D_z λ spans it (no counting)
    v = _assumptions({"latents": ["z1"], "mean": {"z1": "2*z1_lag1"}}).expfam_temporal
    assert v.holds is True and v.route == "exact rational rank"


def test_as_many_value_pairs_as_children_are_ranked_for_assumption_12():
    (v,) = _assumptions({"latents": ["z1"], "actions": ["a1"], "action_values": [[0], [1]],
                         "mean": {"z1": "a1"}}).expfam_actions
    assert v.holds is True and v.route == "exact rational rank"


def test_lambda_linear_in_continuous_actions_fails_assumption_12_by_counting():
    res = worked_mechanism("ex10-linear").check_assumptions()
    assert [(v.holds, v.route) for v in res.expfam_actions] == [(False, "counting")] * 3


def test_worked_mechanism_builds_catalogue_entries_by_either_name():
    a, b = worked_mechanism("ex16"), worked_mechanism("MECHANISM-ex16")
    assert a.latents == b.latents
    assert a.total_log_density == b.total_log_density
    with pytest.raises(ik.ExampleNotFoundError, match="no worked mechanism named 'ex8'"):
        worked_mechanism("ex8")          # a graph example, not a worked mechanism
    with pytest.raises(ik.ExampleNotFoundError, match="mechanism-ex16"):
        worked_mechanism("nope")         # the message lists the known names
