"""Adversarial review of the mechanism checks: mechanisms written by hand (from the paper's
examples and against the zero and rank tests) that used to get a wrong graph, a wrong
guarantee or an invalid file accepted. Each test is named after the cause, fails on the code
that had it, and derives the right answer independently (by hand or with mpmath)."""

import mpmath
import numpy as np
import pytest
import sympy

from identkit.errors import GraphFileError, MechanismFileError
from identkit.symbolic import check_mechanism, mechanism_from_dict
from identkit.symbolic._exact import decide_zero

L2 = ["z1", "z2"]
X, Y = sympy.symbols("x y", real=True)
PYTH = "(sin({v})**2 + cos({v})**2 - 1)"  # ≡ 0, but not term by term


def _mech(mean, actions=(), **extra):
    return mechanism_from_dict({"latents": L2, "actions": list(actions), "mean": mean, **extra})


# ------------------------------------------- tiny values hidden beside an exact cancellation


def test_tiny_constant_beside_a_cancellation_is_not_sampled_to_zero():
    """(sin²x + cos²x − 1) + e⁻⁶⁰⁰ equals e⁻⁶⁰⁰ ≈ 2.65·10⁻²⁶¹ everywhere. At 240 digits the
    interval of the cancelling part is wider than e⁻⁶⁰⁰, and a fixed relative tolerance of
    10⁻²⁰⁰ called it 'vanishes at sampled points': the coefficient was judged zero."""
    rng = np.random.default_rng(0)
    expr = (sympy.sin(X)**2 + sympy.cos(X)**2 - 1 + sympy.exp(-600)) * Y
    with mpmath.workdps(300):  # independent: the value at one point is e⁻⁶⁰⁰ · y
        assert mpmath.exp(-600) > 0 and mpmath.sin(1)**2 + mpmath.cos(1)**2 - 1 + mpmath.exp(-600) != 0
    assert decide_zero(expr, rng).zero is not True
    # the honest cancellation alone is still proven zero (by simplify)
    assert decide_zero((sympy.sin(X)**2 + sympy.cos(X)**2 - 1) * Y, rng).zero is True


def test_tiny_coefficient_hidden_by_a_cancellation_gives_no_false_guarantee():
    """Theorem 1 through Ga = I was claimed (exit 0) for a mechanism whose true Ga is
    [[1, 1], [0, 1]]: the a2 → z1 coefficient is e⁻⁶⁰⁰ written beside sin² + cos² − 1. With the
    edge, the columns of a2 are (e⁻⁶⁰⁰ cos a2, cos a2): Assumption 6 fails (Example 10's kind of
    dependence), so no guarantee follows."""
    mech = _mech({"z1": f"sin(a1) + ({PYTH.format(v='a1')} + exp(-600))*sin(a2)",
                  "z2": "sin(a2)"}, ["a1", "a2"])
    res = check_mechanism(mech)
    assert res.derived.graph.Ga[0, 1], res.derived.decisions[("a", 0, 1)]
    assert not res.guaranteed


def test_rational_approximation_of_pi_is_not_sampled_to_zero():
    """Q − π with Q a 300-digit rational approximation of π is about 10⁻³⁰⁰ ≠ 0; rationals
    carry more digits than the 240 the zero test used, so the difference 'vanished'."""
    with mpmath.workdps(320):
        q = sympy.Rational(mpmath.nstr(+mpmath.pi, 301, min_fixed=-1, max_fixed=2))
        gap = abs(mpmath.mpf(q.p) / q.q - mpmath.pi)
    assert 0 < gap < mpmath.mpf(10) ** -250
    assert decide_zero((q - sympy.pi) * Y, np.random.default_rng(1)).zero is not True


# ------------------------------------------------------------------------ validity


def test_variance_negative_only_beyond_the_sampled_scales_is_refused():
    """100000 − z1_lag1² is negative for |z1_lag1| > 316; points drawn at scales up to 64
    never saw it, so an invalid mechanism was declared guaranteed (exit 0)."""
    mech = mechanism_from_dict({"latents": ["z1"], "actions": ["a1"],
                                "mean": {"z1": "z1_lag1 + sin(a1)"},
                                "variance": "100000 - z1_lag1**2"})
    with pytest.raises(MechanismFileError, match="not positive"):
        check_mechanism(mech)


def test_a_term_of_size_one_beside_a_huge_cancelling_term_is_not_sampled_to_zero():
    """e⁶⁰⁰·(sin²x + cos²x − 1) + 1 equals 1. Its largest term is about 10²⁶⁰, and a width
    judged against the *largest* term (10⁻²⁰⁰ · 10²⁶⁰) let the 1 vanish: the edge z2 → z1
    with coefficient exactly 1 was dropped."""
    res = check_mechanism(_mech({"z1": f"z1_lag1 + (exp(600)*{PYTH.format(v='z1_lag1')} + 1)*z2_lag1",
                                 "z2": "z2_lag1"}))
    assert res.derived.graph.Gz[0, 1], res.derived.decisions[("z", 0, 1)]
    dec = decide_zero(sympy.exp(600) * (sympy.sin(X)**2 + sympy.cos(X)**2 - 1) + 1,
                      np.random.default_rng(0))
    assert dec.zero is False and dec.route.startswith("interval evaluation")


@pytest.mark.parametrize("logp, word", [
    ("z1**2/2 + a1*z1", "leading coefficient 1/2"),  # exp(z²/2 + a z) diverges
    ("a1*z1", "degree 1"),                     # exp(a z) does not integrate over z
    ("sin(a1)", "degree 0"),                   # constant in z1: no density over z1
    ("-(z1 - a1)**2*(z1_lag1**2 - 1)", "not positive"),  # integrable only where |z1_lag1| > 1
])
def test_log_density_that_does_not_integrate_is_refused(logp, word):
    """A log-density must make exp(log p) integrable over each latent; z1²/2 + a1·z1 (and the
    others) are not densities, yet were declared guaranteed (exit 0). For a polynomial in z1 the
    test is exact: even degree with a negative leading coefficient."""
    spec = {"latents": ["z1"], "actions": ["a1"], "log_density": {"z1": logp}}
    with pytest.raises(MechanismFileError, match=word):
        check_mechanism(mechanism_from_dict(spec))


def test_log_density_polynomial_with_negative_leading_coefficient_is_accepted():
    """The exact test must not refuse a Gaussian written by hand (Example 9's kind)."""
    spec = {"latents": ["z1"], "actions": ["a1"],
            "log_density": {"z1": "-(z1 - z1_lag1 - sin(a1))**2/2"}}
    assert check_mechanism(mechanism_from_dict(spec)).guaranteed


# ------------------------------------------------------------------ discrete actions


def test_values_that_never_change_one_action_alone_leave_ga_undecided_not_empty():
    """With action_values [[0, 0], [1, 1]] no two values differ in a1 (or a2) alone, so every
    Ga entry was 'structural' 0, although z1's density changes with a: the graph contradicted
    Assumption 3 (p follows G). Which of a1, a2 moves z1 is unknown: undecided edges."""
    mech = mechanism_from_dict({"latents": L2, "actions": ["a1", "a2"],
                                "action_values": [[0, 0], [1, 1]],
                                "mean": {"z1": "a1", "z2": "z2_lag1"}})
    res = check_mechanism(mech)
    dec = res.derived.decisions
    assert dec[("a", 0, 0)].zero is None and dec[("a", 0, 1)].zero is None
    assert dec[("a", 1, 0)].zero is True  # z2 does not depend on a at all
    assert not res.guaranteed
    data = res.to_dict()
    assert data["guarantee"]["states"]["Ga"] == "undecided"


def test_values_that_change_actions_together_are_fine_when_the_density_does_not_move():
    """The rule must not fire when the paired change leaves the density alone (z1 = a1 with
    values that change a2 and a3 together): Ga stays exact."""
    mech = mechanism_from_dict({"latents": L2, "actions": ["a1", "a2", "a3"],
                                "action_values": [[0, 0, 0], [1, 0, 0], [0, 1, 1]],
                                "mean": {"z1": "a1", "z2": "z2_lag1"}})
    g = mech.derive_graph()
    assert g.graph.Ga.astype(int).tolist() == [[1, 0, 0], [0, 0, 0]]
    assert not g.undecided()


@pytest.mark.parametrize("variance, ok", [("sin(1)**2 + cos(1)**2 - 1", False),
                                          ("sin(1)**2 + cos(1)**2 - 1 + exp(-50)", True),
                                          ("exp(-2) - exp(-3)", True), ("pi - 4", False)])
def test_a_constant_variance_sympy_cannot_order_is_decided_not_an_internal_error(variance, ok):
    """`variance: "sin(1)**2 + cos(1)**2 - 1"` (zero) ended in an internal error: the check
    asked sympy whether the constant is > 0, which it cannot decide. Positive constants must
    pass, zero and negative ones be refused with the typed error (mpmath checks the value)."""
    spec = {"latents": L2, "actions": ["a1", "a2"], "mean": {"z1": "sin(a1)", "z2": "sin(a2)"},
            "variance": variance}
    with mpmath.workdps(50):
        value = {"sin(1)**2 + cos(1)**2 - 1": mpmath.mpf(0), "pi - 4": mpmath.pi - 4,
                 "exp(-2) - exp(-3)": mpmath.exp(-2) - mpmath.exp(-3)}.get(variance, mpmath.exp(-50))
    assert (value > 0) == ok
    if ok:
        mechanism_from_dict(spec)
    else:
        with pytest.raises(GraphFileError, match="must be positive"):
            mechanism_from_dict(spec)


def test_a_constant_variance_zero_exits_2_with_one_line(tmp_path, capsys):
    from identkit.cli import main

    path = tmp_path / "zero_variance.yaml"
    path.write_text("latents: [z1]\nactions: [a1]\nmean: {z1: 'sin(a1)'}\n"
                    "variance: 'sin(1)**2 + cos(1)**2 - 1'\n")
    code = main(["check", str(path)])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "internal error" not in err
    assert "variance of z1" in err and "zero_variance.yaml" in err


def test_a_value_squared_by_a_taylor_term_is_not_sampled_to_zero():
    """cos(e⁻⁶⁰⁰) − 1 ≈ −e⁻¹²⁰⁰/2: the value is the *square* of the smallest part, so even a
    tolerance scaled to the smallest part (e⁻⁶⁰⁰) is too coarse; mpmath at 1,300 digits gives
    the value independently."""
    with mpmath.workdps(1300):
        value = mpmath.cos(mpmath.exp(-600)) - 1
        assert value < 0 and abs(value / (-mpmath.exp(-1200) / 2) - 1) < mpmath.mpf(10) ** -100
    dec = decide_zero((sympy.cos(sympy.exp(-600)) - 1) * Y, np.random.default_rng(2))
    assert dec.zero is not True


def test_an_undecided_joint_change_of_actions_is_not_taken_for_no_change():
    """The joint change may be undecided rather than proven: (x − 1000 + |x − 1000|) vanishes
    wherever points are drawn, but is not analytic, so it proves nothing; the Ga entries must
    stay undecided edges, not zeros."""
    mech = mechanism_from_dict({"latents": L2, "actions": ["a1", "a2"],
                                "action_values": [[0, 0], [1, 1]],
                                "mean": {"z1": "a1*(z1_lag1 - 1000 + abs(z1_lag1 - 1000))",
                                         "z2": "z2_lag1"}})
    dec = mech.derive_graph().decisions
    assert dec[("a", 0, 0)].zero is None and dec[("a", 0, 1)].zero is None
    assert "may change" in dec[("a", 0, 0)].route


@pytest.mark.parametrize("key, expr", [("mean", "sin(a1) + z1"), ("mean", "sin(a1) + z1/2"),
                                       ("variance", "1 + z1**2")])
def test_a_mean_or_variance_that_uses_its_own_latent_is_refused(key, expr):
    """`mean: {z1: "sin(a1) + z1"}` makes log p = −sin(a1)²/2, constant in z1 (not a
    density), yet was declared guaranteed (exit 0); a variance 1 + z1² makes the 'Gaussian'
    non-integrable (it decays like 1/|z1|) and the exponential-family reading λ = μ/v wrong.
    The current value of a latent has no place in its own mean or variance."""
    spec = {"latents": L2, "actions": ["a1", "a2"], "mean": {"z1": "sin(a1)", "z2": "sin(a2)"}}
    spec[key] = {"z1": expr, "z2": "sin(a2)" if key == "mean" else "1"}
    with pytest.raises(GraphFileError, match="uses z1 itself"):
        mechanism_from_dict(spec)


def test_a_value_too_small_to_resolve_is_undecided_and_says_why():
    """e⁻²⁰⁰⁰ beside sin² + cos² − 1 needs more digits than the evaluator allows: the honest
    answer is undecided, naming the precision, never 'vanishes'."""
    dec = decide_zero((sympy.sin(X)**2 + sympy.cos(X)**2 - 1 + sympy.exp(-2000)) * Y,
                      np.random.default_rng(0))
    assert dec.zero is None and "not resolved within" in dec.route


# ------------------------------------------------------------------ exponential families


def test_assumption_10_from_rounded_values_does_not_claim_a_rank_deficiency():
    """Discrete actions without history: λ differences were rounded to 60-digit floats, so
    z2 = 2·a1 + e⁻⁶⁰⁰·a1² (λ differences (1, 2 + e⁻⁶⁰⁰), (2, 4 + 4e⁻⁶⁰⁰), determinant 2e⁻⁶⁰⁰ ≠ 0,
    rank 2) was reported as 'Assumption 10 FAILS, rank 1'. A deficiency found on inexact
    values proves nothing; with exact values it still fails."""
    with mpmath.workdps(700):
        e = mpmath.exp(-600)
        assert mpmath.det(mpmath.matrix([[1, 2 + e], [2, 4 + 4 * e]])) != 0
    spec = {"latents": L2, "actions": ["a1"], "action_values": [[0], [1], [2]],
            "mean": {"z1": "a1", "z2": "2*a1 + exp(-600)*a1**2"}}
    v = check_mechanism(mechanism_from_dict(spec)).assumptions.variability
    assert v.holds is not False, str(v)
    exact = {**spec, "mean": {"z1": "a1", "z2": "2*a1"}}
    assert check_mechanism(mechanism_from_dict(exact)).assumptions.variability.holds is False
