"""Numeric tests of the sufficient-influence assumptions (the paper's Assumptions 6-8, 10, 11).

Each test samples the points its assumption quantifies over, forms the vectors or matrices it
names, and compares the numerical rank they attain with the rank it requires:

* **Assumption 6** (continuous a): for a fixed z, the column ``H_za[Ch_a(l), l]`` over random
  (history, a) must span ``R^{|Ch_a(l)|}``.
* **Assumption 7** (discrete a): the same with the partial differences
  ``∇_z log p(z | h, e_l) - ∇_z log p(z | h, 0)`` over histories h.
* **Assumption 8** (temporal): for a fixed z, the matrices ``H_zz,τ`` evaluated with the lag-τ
  history entry *equal to z* (the other lags and the actions free) must span the matrices
  supported on ``Gz``: rank ``‖Gz‖₀``.
* **Assumption 11** (exponential family, k = 1, constant variance): ``D_{z^τ} λ`` with
  ``λ = μ/σ²`` over free (history, a, τ) must span them too; it is weaker than Assumption 8
  (Thm 5), so Markovian models without actions can pass it while failing Assumption 8.
* **Assumption 10** (k = 1): the means over random (history, a) must have differences of rank d;
  Theorem 5 needs it too (Theorem 4's hypotheses), so Assumption 11 alone justifies nothing.

"For almost every z" is checked at several random z; the attained rank is the smallest seen.
A failure is matched to the known failure modes: a variable set with nothing free to vary
(Remark 6: one intervention without time; Remark 7: Markovian without actions), or
cross-derivatives that do not vary at all (linear means, Examples 10 and 14).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .._rng import as_generator
from .._verdicts import RegularizedVerdicts
from ..guarantees import temporal_routes
from .._compat import keyword_only
from .mechanisms import MechanismError, require_numeric

__all__ = ["InfluenceCheck", "InfluenceReport", "sufficient_influence", "numerical_rank"]


def numerical_rank(M: np.ndarray, rtol: float = 1e-8) -> int:
    """Rank of M by SVD: singular values above ``rtol`` times the largest.

    Examples
    --------
    >>> import numpy as np
    >>> from identkit.numeric import numerical_rank
    >>> numerical_rank(np.array([[1.0, 2.0], [2.0, 4.0]]))
    1
    """
    if M.size == 0:
        return 0
    s = np.linalg.svd(M, compute_uv=False)
    if s.size == 0 or s[0] == 0:
        return 0
    return int((s > rtol * s[0]).sum())


#: A rank deficiency counts as numerically proven only below this relative singular value
#: (about 10^4 times the rounding error of double precision): between it and ``rtol`` a small
#: variation cannot be told from none, and the test says ``undecided``.
FAIL_RTOL = 1e-12


def _ranks(M: np.ndarray, rtol: float, ftol: float = FAIL_RTOL) -> tuple[int, int, float]:
    """``(rank above rtol, rank above ftol, singular values relative to the largest)`` of M:
    the first decides "holds", the second "fails"; a rank between them is undecided.
    O(min(n, k)² max(n, k)) for an n × k matrix (one SVD)."""
    if M.size == 0:
        return 0, 0, np.zeros(0)
    s = np.linalg.svd(M, compute_uv=False)
    if s.size == 0 or s[0] == 0:
        return 0, 0, np.zeros(s.size)
    rel = s / s[0]
    return int((rel > rtol).sum()), int((rel > ftol).sum()), rel


def _state(req: int, hi: int, lo: int) -> bool | None:
    """True when every draw attains ``req`` above ``rtol``; False when some draw falls short
    even above ``FAIL_RTOL`` (a clear deficiency at a random point); None (undecided) otherwise."""
    if hi >= req:
        return True
    if lo < req:
        return False
    return None


def _verdict(req: int, hi: int, lo: int, rtol: float,
             structural: str | None) -> tuple[bool | None, str | None]:
    """``(holds, failure)`` of one rank test from its ranks above ``rtol`` (hi) and above
    ``FAIL_RTOL`` (lo). ``structural`` is the explanation of a structural failure mode the
    sampled values show to rounding (Remark 6, Remark 7, constant cross-derivatives), or None:
    it decides "fails" whenever the rank is not attained; otherwise a clear deficiency fails
    and a rank inside the band is undecided."""
    holds = _state(req, hi, lo)
    if holds:
        return True, None
    if structural is not None:
        return False, structural
    if holds is None:
        return None, _undecided_note(req, hi, rtol)
    return False, f"insufficient variability: rank {hi} < {req}"


def _undecided_note(req: int, hi: int, rtol: float) -> str:
    return (f"undecided: rank {hi} < {req} above the relative threshold {rtol:g}, but {req} above "
            f"{FAIL_RTOL:g}; a variation this small cannot be told from none numerically (use a "
            "mechanism file for the exact symbolic check)")


@dataclass(frozen=True)
class InfluenceCheck:
    """One rank test: what was required, what was attained, and why it failed if it did.

    ``holds`` is True, False, or None when the numerical rank lies in the undecided band
    between ``FAIL_RTOL`` and the test's ``rtol`` (``failure`` then says so)."""

    assumption: str
    target: str
    required: int
    attained: int
    holds: bool | None
    failure: str | None = None

    def to_dict(self):
        return {"assumption": self.assumption, "target": self.target, "required": self.required,
                "attained": self.attained, "holds": self.holds, "failure": self.failure}


@dataclass(frozen=True)
class InfluenceReport(RegularizedVerdicts):
    """All rank tests for a mechanism.

    Attributes
    ----------
    actions : tuple of InfluenceCheck
        One per action with at least one child (Assumption 6 or 7).
    temporal : InfluenceCheck or None
        Assumption 8.
    exponential_family : InfluenceCheck or None
        Assumption 11 (k = 1 models only).
    variability : InfluenceCheck or None
        Assumption 10 (k = 1 models only): Theorem 5 needs it with Assumption 11.
    k : int or None
        Dimension of each latent's sufficient statistic (1: constant variance, 2: varying
        variance, None: not a Gaussian mechanism).
    """

    actions: tuple = ()
    temporal: InfluenceCheck | None = None
    exponential_family: InfluenceCheck | None = None
    notes: tuple = field(default=())
    variability: InfluenceCheck | None = None
    k: int | None = None

    def temporal_routes(self) -> tuple:
        """Theorem 3 (Assumption 8) and Theorem 5 (Assumptions 10 and 11, k = 1), combined by
        :func:`identkit.guarantees.temporal_routes` exactly as the symbolic backend does."""
        if self.temporal is None:
            return ()
        return temporal_routes(
            self.temporal.holds,
            None if self.variability is None else self.variability.holds,
            None if self.exponential_family is None else self.exponential_family.holds,
            self.k)

    def to_dict(self) -> dict:
        return {
            "holds": self.holds_for("az"),
            "actions": {"holds": self.holds_a, "checks": [c.to_dict() for c in self.actions]},
            "temporal": None if self.temporal is None else {
                "holds": self.holds_z,
                "assumption_8": self.temporal.to_dict(),
                "assumption_11": None if self.exponential_family is None
                else self.exponential_family.to_dict(),
                "assumption_10": None if self.variability is None
                else self.variability.to_dict(),
                "routes": [r.to_dict() for r in self.temporal_routes()],
            },
            "notes": list(self.notes),
        }

    def __str__(self):
        lines = []
        extra = (self.temporal, self.variability, self.exponential_family)
        for c in self.actions + tuple(x for x in extra if x):
            verdict = "holds" if c.holds else "undecided" if c.holds is None else "FAILS"
            line = f"{c.assumption} for {c.target}: {verdict} (rank {c.attained} of {c.required})"
            if c.failure:
                line += f": {c.failure}"
            lines.append(line)
        return "\n".join(lines) if lines else "no sufficient-influence assumption applies"


def _is_constant(rows: np.ndarray, rtol=FAIL_RTOL) -> bool:
    """Whether the rows vary by no more than rounding (``FAIL_RTOL`` of their scale): the
    structural failure modes (constant cross-derivatives) are claimed only then."""
    scale = np.abs(rows).max(initial=0.0)
    return bool(np.abs(rows - rows[0]).max(initial=0.0) <= rtol * max(scale, 1e-300))


#: The ``failure`` of a sufficient-influence test that ``step`` (a time budget) skipped.
NOT_CHECKED = "not checked: the time budget ran out first"


@keyword_only("seed", "rtol")
def sufficient_influence(mech, n_points: int | None = None, n_z: int = 3, *, seed=0,
                         rtol: float = 1e-8, step=None) -> InfluenceReport:
    """Test Assumptions 6/7, 8 and (for k = 1) 11 on a mechanism by numerical rank.

    Parameters
    ----------
    mech : NumericMechanism
        A :class:`~identkit.numeric.GaussianMechanism`, :class:`~identkit.numeric.Pushforward`
        or :class:`~identkit.numeric.CallableMechanism`. Without analytic derivatives
        (``mech.analytic`` False) every test is undecided (:data:`NO_DERIVATIVES`).
    n_points : int, optional
        Samples per test (default ``max(50, 4 × required rank)``).
    n_z : int
        How many random z to test "for almost every z".
    seed : int, numpy.random.Generator or None, keyword-only
        Default 0 (positional use is deprecated).
    rtol : float
        Relative singular-value threshold of the rank: a check holds when every draw attains
        the required rank above it. A check fails when some draw falls short even above
        ``FAIL_RTOL`` (1e-12, rounding level), or by a structural failure mode (constant
        cross-derivatives, Remark 6, Remark 7); a rank reached only between the two is
        undecided (``holds`` is None), which never counts as holding.
    step : callable, optional, keyword-only
        Called with each test's name (``"Assumption 6 for a1"``, ``"Assumption 8 for Gz"``,
        ...) before it would run, every test in turn; when it returns False that test and
        every later one are skipped,
        reported undecided with ``failure`` :data:`NOT_CHECKED` (how a time budget stops the
        tests between two of them). The tests it lets run draw from ``seed`` exactly as
        without it.

    Returns
    -------
    InfluenceReport

    Raises
    ------
    MechanismError
        For an object that is not a :class:`~identkit.numeric.NumericMechanism`, or
        non-finite cross-derivatives.

    Examples
    --------
    Example 10: sinusoidal means have sufficient influence, linear means do not once an action
    has two children.

    >>> import identkit as ik
    >>> from identkit.numeric import GaussianMechanism, sufficient_influence
    >>> g = ik.examples.get("ex5").graph
    >>> sufficient_influence(GaussianMechanism(g, mean="sinusoidal")).holds_a
    True
    >>> rep = sufficient_influence(GaussianMechanism(g, mean="linear"))
    >>> rep.holds_a, rep.actions[0].failure.split(":")[0]
    (False, 'linear means (Example 10)')
    """
    require_numeric(mech, "sufficient_influence")
    if not mech.analytic:
        return _without_derivatives(mech)
    rng = as_generator(seed)
    stopped = False

    def run(name: str) -> bool:  # every test is announced; once one is refused, every later
        nonlocal stopped        # one is skipped too
        refused = step is not None and not step(name)
        stopped = stopped or refused
        return not stopped

    g = mech.graph
    assumption = "Assumption 7" if mech.discrete else "Assumption 6"
    tests = _action_checks(mech, n_points, n_z, rng, rtol)  # lazy: one test per next()
    actions = tuple(
        next(tests) if run(f"{assumption} for {g.actions[l]}") else
        InfluenceCheck(assumption, g.actions[l], int(g.Ga[:, l].sum()), 0, None, NOT_CHECKED)
        for l in range(mech.m) if g.Ga[:, l].any())
    temporal = expfam = variability = None
    notes = ()
    if mech.temporal and mech.lags:
        req = int(np.broadcast_to(g.Gz, (mech.d, mech.d)).sum())
        n = None
        if run("Assumption 8 for Gz"):
            temporal, n = _temporal_check(mech, n_points, n_z, rng, rtol)
        else:
            temporal = InfluenceCheck("Assumption 8", "Gz", req, 0, None, NOT_CHECKED)
        if mech.statistic_dim == 1:
            expfam = (_exponential_family_check(mech, n, rng, rtol)
                      if run("Assumption 11 for Gz") else
                      InfluenceCheck("Assumption 11", "Gz", req, 0, None, NOT_CHECKED))
            variability = (_variability(mech, n, rng, rtol) if run("Assumption 10 for λ") else
                           InfluenceCheck("Assumption 10", "λ", mech.d, 0, None, NOT_CHECKED))
        else:
            notes = ("Assumption 11 applies to k = 1 exponential families only; this "
                     "mechanism's variance varies, so only Assumption 8 was tested",)
    return InfluenceReport(actions, temporal, expfam, notes, variability, mech.statistic_dim)


#: Why a mechanism without analytic derivatives gets no rank verdict.
NO_DERIVATIVES = ("undecided: the rank tests need analytic cross-derivatives; finite "
                  "differences cannot tell a small variation from their own error")


def _without_derivatives(mech) -> InfluenceReport:
    """Every test undecided (a mechanism known only by its ``log_prob``): finite-difference
    noise would add rank and fake sufficient influence, so no verdict is claimed."""
    g = mech.graph
    assumption = "Assumption 7" if mech.discrete else "Assumption 6"
    actions = tuple(InfluenceCheck(assumption, g.actions[l], int(g.Ga[:, l].sum()), 0, None,
                                   NO_DERIVATIVES)
                    for l in range(mech.m) if g.Ga[:, l].any())
    temporal = None
    if mech.temporal and mech.lags:
        temporal = InfluenceCheck("Assumption 8", "Gz", int(g.Gz.sum()), 0, None, NO_DERIVATIVES)
    return InfluenceReport(actions, temporal, None, (NO_DERIVATIVES,), None, None)


def _action_checks(mech, n_points, n_z, rng, rtol):
    """Assumption 6 (continuous actions) or 7 (discrete), one check per action with a child:
    the column ``H_za[Ch_a(l), l]`` (or the partial differences) at a fixed z must span the
    children's dimensions; without time a discrete action gives one vector (Remark 6), and a
    constant column is Example 10's linear failure."""
    g = mech.graph
    d, L = mech.d, mech.lags
    for l in range(mech.m):
        ch = np.flatnonzero(g.Ga[:, l])
        if ch.size == 0:
            continue
        req = int(ch.size)
        N = n_points or max(50, 4 * req)
        attained, lowest, const, free, firsts = req, req, True, True, []
        for _ in range(n_z):
            z = np.repeat(rng.standard_normal((1, d)), N, axis=0)
            pts = mech.sample_inputs(N, seed=rng)
            if mech.discrete:
                V = mech.action_differences(z, pts["hist"])[:, ch, l]
                free = L > 0  # only the history varies; without time it is one vector
                assumption = "Assumption 7"
            else:
                V = mech.cross_derivatives(z, pts["hist"], pts["a"])[0][:, ch, l]
                assumption = "Assumption 6"
            if not np.all(np.isfinite(V)):
                raise MechanismError("non-finite cross-derivatives")
            hi, lo, _ = _ranks(V, rtol)
            attained, lowest = min(attained, hi), min(lowest, lo)
            const &= _is_constant(V)
            firsts.append(V[0])
        const &= _is_constant(np.array(firsts))
        structural = None
        if not free:
            structural = ("Remark 6: without time (T = 1), one intervention gives one "
                          f"difference vector, which cannot span the {req} dimensions of "
                          f"its targets; use {req} interventions on this target set "
                          "(Example 13) or temporal dynamics (Example 12)")
        elif const:
            structural = ("linear means (Example 10): the cross-derivative D_a ∇_z log p "
                          "is constant, so its column spans one direction")
        holds, failure = _verdict(req, attained, lowest, rtol, structural)
        yield InfluenceCheck(assumption, g.actions[l], req, attained, holds, failure)


def _temporal_check(mech, n_points, n_z, rng, rtol) -> tuple[InfluenceCheck, int]:
    """Assumption 8 and the number of points per test: ``H_zz,τ`` with the lag-τ history
    entry equal to z must span the matrices supported on ``Gz``; a Markovian model without
    actions gives one matrix per z (Remark 7), and constant matrices are the linear failure
    modes (Example 14)."""
    d, m, L = mech.d, mech.m, mech.lags
    mask = np.broadcast_to(mech.graph.Gz, (d, d))
    req = int(mask.sum())
    N = n_points or max(50, 4 * req)
    attained, lowest, const, firsts = req, req, True, []
    for _ in range(n_z):
        z = rng.standard_normal(d)
        pts = mech.sample_inputs(N, seed=rng)
        hist = pts["hist"].copy()
        taus = rng.integers(0, L, N)
        hist[np.arange(N), taus] = z
        zz = np.repeat(z[None], N, axis=0)
        H = mech.cross_derivatives(zz, hist, pts["a"])[1]
        rows = H[np.arange(N), taus][:, mask]
        hi, lo, _ = _ranks(rows, rtol)
        attained, lowest = min(attained, hi), min(lowest, lo)
        for tau in range(L):  # constancy is judged lag by lag
            sel = rows[taus == tau]
            if len(sel):
                const &= _is_constant(sel)
                firsts.append(np.concatenate([[tau], sel[0]]))
    structural = None
    if L == 1 and m == 0:
        structural = ("Remark 7: a Markovian model without auxiliary variables gives one "
                      f"matrix per z, which cannot span the {req} entries of Gz; the "
                      "exponential-family route (Assumption 11, Theorem 5) may still apply")
    elif const and all(_is_constant(np.array([f[1:] for f in firsts if f[0] == t]))
                       for t in range(L) if any(f[0] == t for f in firsts)):
        structural = ("linear temporal means (Example 14 with constant W): H_zz does not "
                      "vary at all, so it spans one matrix per lag")
    elif const:
        structural = ("nothing varies once z^{t-τ} = z: the actions and older steps do "
                      "not interact with the past (as in Remark 7), so H_zz is one matrix "
                      "per z; the exponential-family route (Assumption 11) may still apply")
    holds, failure = _verdict(req, attained, lowest, rtol, structural)
    return InfluenceCheck("Assumption 8", "Gz", req, attained, holds, failure), N


def _exponential_family_check(mech, n: int, rng, rtol: float) -> InfluenceCheck:
    """Assumption 11 for k = 1: ``D_{z^τ} λ`` over free (history, a, τ) must span the
    matrices supported on ``Gz`` (:meth:`~identkit.numeric.NumericMechanism.natural_parameter_derivatives`)."""
    d, L = mech.d, mech.lags
    mask = np.broadcast_to(mech.graph.Gz, (d, d))
    req = int(mask.sum())
    pts = mech.sample_inputs(n, seed=rng)
    dlam = mech.natural_parameter_derivatives(pts["hist"], pts["a"])
    taus = rng.integers(0, L, n)
    rows = dlam[np.arange(n), :, taus, :][:, mask]
    att, low, _ = _ranks(rows, rtol)
    lin = all(_is_constant(rows[taus == t]) for t in range(L) if (taus == t).any())
    holds, failure = _verdict(req, att, low, rtol, (
        "linear temporal means (Example 14 with constant W): D_z λ is constant per lag"
        if lin else None))
    return InfluenceCheck("Assumption 11", "Gz", req, att, holds, failure)


def _variability(mech, n: int, rng, rtol: float) -> InfluenceCheck:
    """Assumption 10 for k = 1 (constant variance σ_i²): d + 1 inputs (history, a) whose
    natural parameters λ = μ/σ² have linearly independent differences. Dividing column i by
    the constant σ_i² keeps the rank, so this is the rank of ``μ(x_r) − μ(x_0)`` over n random
    inputs. O(n d (L d + m)) for the means, O(n d²) for the SVD."""
    d = mech.d
    pts = mech.sample_inputs(max(n, 2 * d + 2), seed=rng)
    mu = mech.mean(pts["hist"], pts["a"])
    diffs = mu[1:] - mu[:1]
    att, low, _ = _ranks(diffs, rtol)
    holds, failure = _verdict(d, att, low, rtol, (
        "λ does not vary at all: the means depend on neither the history nor the actions"
        if _is_constant(mu) else None))
    return InfluenceCheck("Assumption 10", "λ", d, att, holds, failure)
