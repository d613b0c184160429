"""Mechanism verdicts that are never wrong: each test is named after the cause of a wrong
verdict the symbolic backend used to give, and fails on the code that had it."""

import json

import numpy as np
import pytest
import sympy

import identkit as ik
from identkit.symbolic import worked_mechanism
from identkit.errors import MechanismFileError, ParseError
from identkit.symbolic import check_assumptions, check_mechanism, mechanism_from_dict, parse_expression
from identkit.symbolic._exact import decide_zero

L2 = ["z1", "z2"]
X, Y = sympy.symbols("x y", real=True)


WORKED = ik.examples.catalogue("mechanism")  # the worked mechanisms of the paper


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
    assert res.guaranteed and res.guarantee.justified_by == "a"
    data = res.to_dict()
    assert data["guaranteed"] and data["entanglement_graph"] == [[1, 0], [0, 1]]
    assert "Theorem 1" in res.verdict()


def test_json_never_reports_a_pattern_the_verdicts_do_not_justify():
    """Example 10's linear counterpart: the graph alone gives C = I, but Assumption 6 fails
    and there is no temporal graph, so nothing is justified; the JSON used to carry C = I."""

    res = check_mechanism(worked_mechanism("ex10-linear"))
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
    from identkit.symbolic._exact import Budget

    lines = []
    b = Budget(None, lines.append)
    b.start -= 10  # as if the check had run for 10 s
    b._last -= 10
    b.stage = "deriving the graphs: entry 3 of 9"
    b.check()
    assert lines and "entry 3 of 9" in lines[0] and "s)" in lines[0]


# ------------------------------------------------------------- the differential test

from hypothesis import HealthCheck, given, seed, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_ATOMS = ["z1_lag1", "z2_lag1", "a1", "1", "2", "3", "sqrt(2)", "log(2)", "exp(-100)"]


def _grammar():
    """Small random expressions: polynomials, sin, cos, exp, log of positive expressions,
    products and sums with constants √2, log 2 and e⁻¹⁰⁰."""
    def extend(inner):
        return st.one_of(
            st.tuples(inner, inner).map(lambda t: f"({t[0]} + {t[1]})"),
            st.tuples(inner, inner).map(lambda t: f"({t[0]})*({t[1]})"),
            st.tuples(inner, st.sampled_from(["2", "3"])).map(lambda t: f"({t[0]})**{t[1]}"),
            inner.map(lambda e: f"sin({e})"), inner.map(lambda e: f"cos({e})"),
            inner.map(lambda e: f"exp({e})"), inner.map(lambda e: f"log(2 + ({e})**2)"),
            st.tuples(inner, inner).map(lambda t: f"({t[0]} - {t[0]} + {t[1]})"),
        )
    return st.recursive(st.sampled_from(_ATOMS), extend, max_leaves=6)


_SYMS = {n: sympy.Symbol(n, real=True) for n in ("z1_lag1", "z2_lag1", "a1")}
_ORACLE_SCALES = (0.05, 1.0, 9.0)


_ORACLE_DPS = 300


def _term_size(e):
    """The expression with every sum replaced by the sum of its terms' absolute values: what
    rounding errors scale with."""
    return e.replace(lambda x: x.is_Add, lambda x: sympy.Add(*[sympy.Abs(a) for a in x.args]))


def _oracle(expr, syms, rng) -> list:
    """Independent of the backend's interval evaluator: the exact derivatives of the mean,
    evaluated by mpmath (through ``lambdify``) at 300 digits (beyond the 100 asked, because the
    grammar's e⁻¹⁰⁰ factors multiply to values near 10⁻²¹⁷) at float points on three scales.
    An entry is nonzero when some value exceeds 10⁻²⁸⁰ times the size of the derivative's terms
    there, zero when none does, None when no point evaluates."""
    import mpmath

    ders = [sympy.diff(expr, s) for s in syms]
    out = [False if d == 0 else None for d in ders]
    todo = [k for k, d in enumerate(ders) if d != 0]
    if not todo:
        return out
    args = sorted(_SYMS.values(), key=lambda s: s.name)
    fn = sympy.lambdify(args, [x for k in todo for x in (ders[k], _term_size(ders[k]))],
                        modules="mpmath")
    with mpmath.workdps(_ORACLE_DPS):
        tol = mpmath.mpf(10) ** -(_ORACLE_DPS - 20)
        floor = mpmath.mpf(10) ** -250
        for t in range(9):
            sc = _ORACLE_SCALES[t % 3]
            pt = [mpmath.mpf(float(rng.uniform(-1, 1) * sc)) for _ in args]
            try:
                vals = [mpmath.mpf(x) for x in fn(*pt)]
            except (ValueError, ZeroDivisionError, OverflowError, TypeError):
                continue
            for n, k in enumerate(todo):
                v, size = vals[2 * n], vals[2 * n + 1]
                if out[k] is True or not (mpmath.isfinite(v) and mpmath.isfinite(size)):
                    continue
                out[k] = bool(abs(v) > tol * max(size, floor))
            if all(out[k] is True for k in todo):
                break
    return out


def _beyond_the_value_cap(text) -> bool:
    """Whether a constant part of a grammar expression lies beyond 2**±10,000 (the parser's
    documented cap), computed by sympy's own evaluation of log2 |c| (an independent route: the
    text comes from :func:`_grammar`, never from a user)."""
    expr = sympy.sympify(text, locals=_SYMS)
    for sub in sympy.preorder_traversal(expr):
        if sub.is_number and sub != 0 and not sub.is_Integer:
            if abs(float(sympy.N(sympy.log(abs(sub), 2), 15))) > 10_000:
                return True
    return False


def _check_one(m1, seed):
    """One mechanism: z1's mean from the grammar (over z1_lag1, z2_lag1, a1), z2 a random walk;
    the three entries of z1's row (Gz: z1, z2; Ga: a1) against the oracle. A mean the parser
    refuses for a constant beyond its value cap must be one (checked independently)."""
    try:
        mech = mechanism_from_dict({"latents": L2, "actions": ["a1"],
                                    "mean": {"z1": m1, "z2": "z2_lag1"}})
    except ik.errors.GraphFileError as exc:
        if "(at most 2**±10000)" not in str(exc):
            raise
        assert _beyond_the_value_cap(m1), (m1, str(exc))
        return
    derived = mech.derive_graph(seed=seed)
    g = derived.graph
    cols = [("z", 0, _SYMS["z1_lag1"]), ("z", 1, _SYMS["z2_lag1"]), ("a", 0, _SYMS["a1"])]
    expected = _oracle(mech.mean[0], [c[2] for c in cols], np.random.default_rng(seed + 1))
    for (kind, j, _), expect in zip(cols, expected):
        if expect is None:
            continue
        if g.Gz is None and kind == "z":
            assert not expect
            continue
        dec = derived.decisions[(kind, 0, j)]
        got = (g.Gz if kind == "z" else g.Ga)[0, j]
        assert dec.zero is not None, (m1, kind, j, dec)
        assert bool(got) == expect, (m1, kind, j, dec)


DIFFERENTIAL_RUNS = 4  # × 500 examples = 2,000 mechanisms in the suite


@pytest.mark.parametrize("part", range(DIFFERENTIAL_RUNS))
def test_graphs_agree_with_an_independent_300_digit_evaluation(part):
    @seed(part)  # deterministic, and a different stream of mechanisms per part
    @settings(max_examples=500, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(_grammar(), st.integers(0, 2**16))
    def run(m1, s):
        _check_one(m1, s + 100_000 * part)

    run()


def test_rank_threshold_is_relative_to_the_entries():
    """Cross-derivatives of size e⁻¹⁰⁰ are as independent as any: the rank's pivot threshold
    must scale with the entries, not be absolute."""
    v = check_assumptions(_mech({"z1": "exp(-100)*a1", "z2": "exp(-100)*sin(a1)"}, ["a1"])).actions[0]
    assert v.holds is True and v.route == "interval minor", str(v)


def test_mechanism_schema_declares_action_ranges():
    import jsonschema

    from identkit.symbolic import mechanism_schema

    spec = {"latents": ["z1"], "actions": ["a1"], "mean": {"z1": "sin(a1)"},
            "action_ranges": {"a1": [0, 1]}}
    jsonschema.validate(spec, mechanism_schema())
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**spec, "action_ranges": {"a1": [0]}}, mechanism_schema())


def test_a_vanishing_combination_must_vanish_for_every_lag_or_value_pair():
    """The rows happened to come from one set of functions (one lag), where f1 − f2 ≡ 0; on the
    other set the same combination does not vanish, so the rank condition is not refuted."""
    from identkit.symbolic.assumptions import _rank_test

    a = sympy.Symbol("a", real=True)
    first, second = [sympy.sin(a), sympy.sin(a)], [sympy.sin(a), sympy.cos(a)]
    res = _rank_test(first, {}, [a], lambda r: ({}, first), 2, np.random.default_rng(0),
                     [first, second])
    assert res[0] is None, res          # undecided, not "fails"
    res = _rank_test(first, {}, [a], lambda r: ({}, first), 2, np.random.default_rng(0), [first])
    assert res[0] is False and res[3].startswith("vanishing combination")


# every worked mechanism: its guarantee under the paper's combination of theorems
CATALOGUE_GUARANTEED = {
    "ex9": False, "ex10": True, "ex10-linear": False, "ex11": True, "remark6": False,
    # Example 12: Assumption 7 holds with temporal dynamics and Example 5's Ga gives Ca = I,
    # so Theorem 2 alone guarantees it although Assumption 8 fails
    "ex12": True,
    "ex13": False, "ex14-constant": False, "ex14-varying": True, "ex15-mean": True,
    "ex15-variance": True, "ex16": True,
}


def test_every_worked_mechanism_keeps_its_verdict():

    got = {}
    for ex in WORKED:
        res = check_mechanism(worked_mechanism(ex.name))
        got[ex.name.removeprefix("mechanism-")] = res.guaranteed
        for v in res.assumptions.all():
            if v.assumption in ex.expected:
                assert v.holds is ex.expected[v.assumption], (ex.name, str(v))
        assert not res.derived.undecided_graphs(), ex.name
    assert got == CATALOGUE_GUARANTEED
