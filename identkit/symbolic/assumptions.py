"""Exact checks of the sufficient-influence and sufficient-variability assumptions (the
paper's Assumptions 6, 7, 8 and 10-12).

Every check names the functions its assumption is about, then either

* **counts**: when those functions cannot vary over the variables the assumption lets vary
  (Remark 6: one intervention without time; Remark 7: a Markovian model without actions; linear
  means: constant cross-derivatives, Examples 10 and 14; too few action values, Example 15), the
  span has at most as many dimensions as there are choices, and the verdict is *fails* with that
  counting argument; or
* **finds points**: at a random rational z it evaluates the functions at random rational points of
  the free variables and measures the rank, exactly when every value is rational, otherwise from
  a 60-digit SVD. *Holds* comes with the points that attain the required rank (for analytic
  mechanisms a minor nonzero at one z is nonzero for almost every z). *Fails* comes with a
  vanishing linear combination ``Σ c_i f_i ≡ 0``, verified symbolically at that z.

Functions checked (``s_i = ∂ log p / ∂ z_i``):

* Assumption 6 (continuous a): ``{∂s_i/∂a_l : i ∈ Ch_a(l)}`` over (history, a).
* Assumption 7 (discrete a): ``{s_i(a') − s_i(a)}`` for values a, a' differing in coordinate l.
* Assumption 8 (temporal): ``{∂s_i/∂z_j^{t-τ} : (i, j) ∈ Gz}`` with ``z^{t-τ} = z``, over the
  other lags, the actions and τ.
* Assumptions 10, 11, 12 (Gaussian mechanisms as exponential families: k = 1 when every variance
  is constant, with ``λ_i = μ_i / v_i``; k = 2 otherwise, with ``(μ_i / v_i, −1/(2 v_i))``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sympy

from .._compat import keyword_only
from .._rng import as_generator
from .._verdicts import RegularizedVerdicts
from ..guarantees import temporal_routes
from ._exact import (
    PRECISION,
    SCALES,
    BudgetExpired,
    Undefined,
    active_budget,
    Unknown,
    decide_zero,
    interval,
    interval_many,
    is_analytic,
    is_rational,
    null_vector,
    random_point,
    rank_at_points,
)
from .mechanism import DerivedGraph, SymbolicMechanism

__all__ = ["Verdict", "AssumptionReport", "check_assumptions"]


@dataclass(frozen=True)
class Verdict:
    """One assumption for one target: holds (True), fails (False) or undecided (None), with
    what established it (or why it could not be decided)."""

    assumption: str
    target: str
    holds: bool | None
    required: int
    attained: int | None
    route: str
    certificate: str
    points: tuple = field(default=(), repr=False)

    def to_dict(self) -> dict:
        return {"assumption": self.assumption, "target": self.target, "holds": self.holds,
                "required": self.required, "attained": self.attained, "route": self.route,
                "certificate": self.certificate,
                "points": [{str(k): str(v) for k, v in p.items()} for p in self.points]}

    def __str__(self):
        word = {True: "holds", False: "FAILS", None: "UNDECIDED"}[self.holds]
        return f"{self.assumption} for {self.target}: {word}. {self.certificate}"


@dataclass(frozen=True)
class AssumptionReport(RegularizedVerdicts):
    """All verdicts for a mechanism, with the combined answers per graph."""

    actions: tuple
    temporal: Verdict | None
    variability: Verdict | None
    expfam_temporal: Verdict | None
    expfam_actions: tuple
    k: int | None

    def temporal_routes(self) -> tuple:
        """Theorem 3 (Assumption 8) and Theorem 5 (Assumptions 10 and 11 with k = 1), from
        :func:`identkit.guarantees.temporal_routes`."""
        if self.temporal is None:
            return ()
        return temporal_routes(
            self.temporal.holds,
            None if self.variability is None else self.variability.holds,
            None if self.expfam_temporal is None else self.expfam_temporal.holds, self.k)

    def not_holding(self, regularize: str) -> list:
        """The verdicts that fail or are undecided among the hypotheses of the routes of the
        regularized graphs that do not hold."""
        out = []
        if "a" in regularize and self.state_a not in (None, "holds"):
            out += [v for v in self.actions if v.holds is not True]
        if "z" in regularize and self.state_z not in (None, "holds"):
            out += [v for v in (self.temporal, self.variability, self.expfam_temporal)
                    if v is not None and v.holds is not True]
        return out

    def failures(self, regularize: str) -> list:
        """The verdicts that fail (see :meth:`not_holding`)."""
        return [v for v in self.not_holding(regularize) if v.holds is False]

    def all(self) -> list:
        out = list(self.actions)
        out += [v for v in (self.temporal, self.variability, self.expfam_temporal) if v]
        out += list(self.expfam_actions)
        return out

    def to_dict(self) -> dict:
        return {
            "actions": {"holds": self.holds_a, "state": self.state_a, "checks": [v.to_dict() for v in self.actions]},
            "temporal": {"holds": None, "assumption_8": None, "assumption_11": None}
            if self.temporal is None else {
                "holds": self.holds_z, "state": self.state_z,
                "routes": [r.to_dict() for r in self.temporal_routes()],
                "assumption_8": self.temporal.to_dict(),
                "assumption_11": None if self.expfam_temporal is None
                else self.expfam_temporal.to_dict()},
            "exponential_family": {
                "k": self.k,
                "assumption_10": None if self.variability is None else self.variability.to_dict(),
                "assumption_12": [v.to_dict() for v in self.expfam_actions]},
        }

    def __str__(self):
        return "\n".join(str(v) for v in self.all()) or "no assumption applies"

    def to_latex(self) -> str:
        """The verdicts as a LaTeX array (assumption, target, verdict, attained/required)."""
        rows = []
        for v in self.all():
            word = {True: r"\text{holds}", False: r"\text{fails}",
                    None: r"\text{undecided}"}[v.holds]
            rows.append(rf"\text{{{v.assumption}}} & \text{{{v.target}}} & {word} & "
                        rf"{v.attained}/{v.required}")
        return r"$$\begin{array}{llll}" + r"\\ ".join(rows) + r"\end{array}$$"

    def _repr_latex_(self):
        return self.to_latex()


# ------------------------------------------------------------------------------- engine


def _fmt_point(pt):
    return "{" + ", ".join(f"{k} = {v}" for k, v in pt.items()) + "}"


def _rank_test(funcs, z0, free, draw_extra, k, rng, label_sets, n_extra=2, domain=None):
    """Rank of the vectors ``[f(z0, p) for f in funcs]`` over random points p.

    ``draw_extra(rng)`` returns a dict of substitutions beyond the free symbols (action values)
    and the list of functions for that row (one list per lag τ or per pair of action values);
    ``label_sets`` are all those lists, so a vanishing combination is verified on each. Values
    are exact rationals for rational functions, otherwise 60-digit intervals; a rank is
    *proven* (exactly, or by a minor whose interval elimination excludes 0), else the verdict is
    undecided. Returns ``(holds, required, attained, route, certificate, points)`` with
    ``holds`` True, False or None (undecided).
    """
    rows, pts = [], []
    tries = 0
    target = k + n_extra
    kinds = {}

    def values(fs, extra, full):
        out, rest = [], []
        for f in fs:
            e = f.xreplace(extra) if extra else f
            if e not in kinds:
                kinds[e] = is_rational(e)
            if kinds[e]:
                v = e.xreplace(full)
                if v.is_Rational:
                    out.append(v)
                    continue
                if v.has(sympy.zoo, sympy.nan):
                    return None
            out.append(None)
            rest.append(e)
        if rest:  # one evaluator per row: the functions share their subexpressions
            try:
                vals = iter(interval_many(rest, full, PRECISION))
            except (Undefined, Unknown):
                return None
            out = [next(vals) if v is None else v for v in out]
        return out

    n_scales = len(SCALES)
    budget = active_budget()
    while len(rows) < target and tries < 30 * target:
        budget.check()
        tries += 1
        pt = random_point(free, rng, spread=SCALES[tries % n_scales], generic=True, domain=domain)
        extra, fs = draw_extra(rng)
        full = {**z0, **pt}
        vals = values(fs, extra, full)
        if vals is None:
            continue
        rows.append(vals)
        pts.append({**pt, **{s: v for s, v in extra.items() if not hasattr(v, "free_symbols")
                             or not v.free_symbols}})
    if not rows:
        return (None, k, None, "undecided", "undecided: the functions could not be evaluated at "
                f"any of the {tries} random points tried", ())
    rank, route, picked = rank_at_points(rows, with_rows=True)
    analytic = all(is_analytic(f) for fs in label_sets for f in fs)
    if rank == k and "numerical" not in route:
        chosen_pts = [pts[i] for i in picked[:k]]
        if z0 and not analytic:
            cert = (f"rank {k} attained at z = {_fmt_point(z0)} ({route}), but the functions "
                    "are not analytic (abs, ...), so 'for almost every z' does not follow")
            return None, k, k, "undecided (not analytic)", cert, tuple(chosen_pts)
        if z0:
            cert = (f"rank {k} attained at z = {_fmt_point(z0)} with the {k} point(s) listed "
                    f"({route}); the minor is a nonzero analytic function of z, so the rank is "
                    f"attained for almost every z")
        else:
            cert = f"rank {k} attained at the {k} point(s) listed ({route})"
        return True, k, k, route, cert, tuple(chosen_pts)
    if rank == k:
        return (None, k, k, "undecided", f"undecided: rank {k} found at {len(rows)} points by "
                f"{route}, but no minor could be proven nonsingular", tuple(pts))
    c = null_vector(rows)
    if c is not None:
        decs = [decide_zero(sympy.Add(*[ci * f for ci, f in zip(c, fs)]).xreplace(z0), rng,
                            domain=domain) for fs in label_sets]
        dec = decs[0]
        if all(x.zero is True for x in decs):
            terms = " + ".join(f"({sympy.nsimplify(ci)})·f{idx + 1}" for idx, ci in enumerate(c)
                               if ci != 0)
            cert = (f"at z = {_fmt_point(z0)} the linear combination {terms} of the functions "
                    f"vanishes identically ({dec.route}), so they span at most {rank} of the "
                    f"{k} dimensions")
            return False, k, rank, f"vanishing combination ({dec.route})", cert, tuple(pts)
    cert = (f"undecided: rank {rank} < {k} at {len(rows)} random points ({route}), but no "
            f"vanishing combination of the functions could be proven")
    return None, k, rank, "undecided (numerical rank)", cert, tuple(pts)


def _over_z(zs, rng, run, tries: int = 3):
    """Run a rank test at up to ``tries`` random z: "for almost every z" holds when one z
    attains the rank (the minor is analytic in z); a failure must repeat at every z tried,
    and an undecided z makes the result undecided unless another z proves the rank."""
    res, seen = None, []
    for t in range(tries):
        res = run(random_point(zs, rng, spread=SCALES[(t + 1) % len(SCALES)], generic=True))
        if res[0]:
            return res
        seen.append(res)
    undecided = [r for r in seen if r[0] is None]
    return undecided[0] if undecided else res


def _exact_or_interval(v):
    """A constant as an exact rational when it is one, else as a 60-digit interval (None when
    it cannot be evaluated)."""
    v = sympy.sympify(v)
    if v.is_Rational:
        return v
    try:
        return interval(v, {}, PRECISION)[0]
    except (Undefined, Unknown):
        return None


def _depends(funcs, syms) -> bool:
    syms = set(syms)
    return any(f.free_symbols & syms for f in funcs)


# --------------------------------------------------------------------------- assumptions


def _check_actions(mech: SymbolicMechanism, derived: DerivedGraph, rng):
    g = derived.graph
    out = []
    if not mech.m or g.Ga is None:
        return out
    hist = mech.history_symbols()
    acts = mech.action_symbols()
    zs = [mech.z[n] for n in mech.latents]
    scores = [mech.score(i) for i in range(mech.d)]
    for l, name in enumerate(mech.actions):
        ch = sorted(g.children_a(l))
        k = len(ch)
        if k == 0:
            continue
        if not mech.discrete:
            funcs = [sympy.diff(scores[i], acts[l]) for i in ch]
            free = hist + acts
            if not _depends(funcs, free):
                if k == 1:
                    out.append(Verdict("Assumption 6", name, True, 1, 1, "structural",
                                       "one child: the nonzero cross-derivative spans R^1"))
                    continue
                out.append(Verdict(
                    "Assumption 6", name, False, k, 1, "counting",
                    f"linear means (Example 10): ∂²log p/∂z_i∂{name} does not depend on the "
                    f"history or the actions, so for each z it is one vector, which cannot span "
                    f"the {k} dimensions of Ch_a({name})"))
                continue
            res = _over_z(zs, rng, lambda z0: _rank_test(funcs, z0, free, lambda r: ({}, funcs),
                                                         k, rng, [funcs]))
            out.append(Verdict("Assumption 6", name, *res))
        else:
            pairs = mech.action_pairs(l)
            if not pairs:
                out.append(Verdict("Assumption 7", name, False, k, 0, "counting",
                                   f"no two action values differ in {name} alone"))
                continue
            diffs = [[scores[i].xreplace(dict(zip(acts, v))) - scores[i].xreplace(dict(zip(acts, u)))
                      for i in ch] for u, v in pairs]
            if not _depends(sum(diffs, []), hist):
                if len(pairs) < k:
                    why = ("Remark 6: without time (T = 1), " if mech.lags == 0 else "")
                    out.append(Verdict(
                        "Assumption 7", name, False, k, len(pairs), "counting",
                        f"{why}the differences of ∇_z log p between action values differing in "
                        f"{name} do not depend on the history: {len(pairs)} vector(s) per z "
                        f"cannot span the {k} dimensions of Ch_a({name}); use {k} interventions "
                        f"on this target set (Example 13) or temporal dynamics (Example 12)"))
                    continue
            def draw(r, diffs=diffs):
                return {}, diffs[int(r.integers(len(diffs)))]

            res = _over_z(zs, rng, lambda z0: _rank_test(diffs[0], z0, hist, draw, k, rng, diffs))
            out.append(Verdict("Assumption 7", name, *res))
    return out


def _check_temporal(mech: SymbolicMechanism, derived: DerivedGraph, rng):
    g = derived.graph
    if g.Gz is None:
        return None
    E = [(i, j) for i in range(mech.d) for j in range(mech.d) if g.Gz[i, j]]
    k = len(E)
    if k == 0:
        return Verdict("Assumption 8", "Gz", True, 0, 0, "structural", "Gz has no edge")
    L = mech.lags
    if L == 0:
        return None
    zs = [mech.z[n] for n in mech.latents]
    scores = [mech.score(i) for i in range(mech.d)]
    per_tau = []
    for tau in range(1, L + 1):
        to_z = {mech.lag(n, tau): mech.z[n] for n in mech.latents}
        per_tau.append([sympy.diff(scores[i], mech.lag(mech.latents[j], tau)).xreplace(to_z)
                        for i, j in E])

    def others(tau):
        return [mech.lag(n, t) for t in range(1, L + 1) if t != tau for n in mech.latents]

    acts = mech.action_symbols()
    free_all = mech.history_symbols() + acts
    varies = any(_depends(per_tau[t - 1], others(t) + acts) for t in range(1, L + 1))
    if not varies and k > L:
        remark = ("Remark 7: a Markovian model without auxiliary variables; "
                  if L == 1 and not mech.m else "")
        return Verdict(
            "Assumption 8", "Gz", False, k, L, "counting",
            f"{remark}with z^(t-τ) = z, the cross-derivatives depend on nothing else, so each z "
            f"gives one matrix per lag ({L}), which cannot span the {k} entries of Gz; the "
            f"exponential-family route (Assumption 11) may still apply")
    action_values = mech.action_values

    def draw(r):
        tau = int(r.integers(1, L + 1))
        extra = {}
        if action_values is not None and acts:
            extra.update(dict(zip(acts, action_values[int(r.integers(len(action_values)))])))
        # the lag-τ entries are z: they no longer appear; the others are free
        return extra, per_tau[tau - 1]

    free = [s for s in free_all if action_values is None or s not in acts]
    res = _over_z(zs, rng, lambda z0: _rank_test(per_tau[0], z0, free, draw, k, rng, per_tau))
    return Verdict("Assumption 8", "Gz", *res)


def _expfam(mech: SymbolicMechanism):
    if mech.mean is None:
        return None, None
    const = all(not v.free_symbols for v in mech.variance)
    if const:
        return 1, [m / v for m, v in zip(mech.mean, mech.variance)]
    lam = []
    for m, v in zip(mech.mean, mech.variance):
        lam += [m / v, -1 / (2 * v)]
    return 2, lam


def _check_expfam(mech: SymbolicMechanism, derived: DerivedGraph, rng):
    """Assumptions 10-12 for a Gaussian mechanism read as an exponential family (k = 1 or 2,
    see :func:`_expfam`): ``(a10, a11, a12, k)``; Assumptions 11 and 12 are checked for k = 1
    only. ``(None, None, (), None)`` for a mechanism written as a log-density."""
    k, lam = _expfam(mech)
    if k is None:
        return None, None, (), None
    g = derived.graph
    a10 = _check_variability(mech, lam, k * mech.d, rng)
    a11 = None
    a12 = []
    if k == 1:
        if g.Gz is not None:
            a11 = _check_expfam_temporal(mech, g, lam, rng)
        if g.Ga is not None:
            for l, name in enumerate(mech.actions):
                ch = sorted(g.children_a(l))
                if not ch:
                    continue
                if mech.discrete:
                    v = _check_expfam_discrete_action(mech, lam, l, name, ch, rng)
                else:
                    v = _check_expfam_continuous_action(mech, lam, l, name, ch, rng)
                if v is not None:
                    a12.append(v)
    return a10, a11, tuple(a12), k


def _random_action_values(mech: SymbolicMechanism, r) -> dict:
    """One declared action value, drawn (discrete actions; ``{}`` for continuous ones)."""
    if not mech.discrete:
        return {}
    acts = mech.action_symbols()
    return dict(zip(acts, mech.action_values[int(r.integers(len(mech.action_values)))]))


def _check_variability(mech: SymbolicMechanism, lam, need: int, rng) -> Verdict:
    """Assumption 10: ``k·d + 1`` points with linearly independent differences of λ."""
    hist = mech.history_symbols()
    if mech.discrete and not hist:
        return _variability_over_action_values(mech, lam, need)
    acts = mech.action_symbols()
    free = hist + (acts if not mech.discrete else [])
    base = random_point(free, rng, generic=True)
    base_extra = dict(zip(acts, mech.action_values[0])) if mech.discrete else {}
    lam0 = [x.xreplace(base_extra).xreplace(base) for x in lam]
    diffs = [x - x0 for x, x0 in zip(lam, lam0)]

    def draw(r):
        return _random_action_values(mech, r), diffs

    if not _depends(lam, hist + acts):
        return Verdict("Assumption 10", "λ", False, need, 0, "counting",
                       "λ depends on neither the history nor the actions")
    return Verdict("Assumption 10", "λ", *_rank_test(diffs, {}, free, draw, need, rng, [diffs]))


def _variability_over_action_values(mech: SymbolicMechanism, lam, need: int) -> Verdict:
    """Assumption 10 without history: λ takes one value per declared action value, so the
    differences from the first value are all there is (Example 15 counts them)."""
    acts = mech.action_symbols()
    values = mech.action_values
    if len(values) < need + 1:
        return Verdict("Assumption 10", "λ", False, need, len(values) - 1, "counting",
                       f"only {len(values)} action values (no history): their λ differences "
                       f"span at most {len(values) - 1} < k·d = {need} dimensions "
                       f"(Example 15)")
    rows = [[_exact_or_interval(x.xreplace(dict(zip(acts, v)))
                                - x.xreplace(dict(zip(acts, values[0]))))
             for x in lam] for v in values[1:]]
    pts = tuple(dict(zip(acts, v)) for v in values)
    if any(x is None for row in rows for x in row):
        return Verdict("Assumption 10", "λ", None, need, None, "undecided",
                       "undecided: a difference of λ could not be evaluated", pts)
    r, route = rank_at_points(rows)
    # full rank is proven by an exact or interval minor; a deficiency only when the values
    # are exact (an interval value may hide a tiny nonzero part)
    holds = (True if r == need and "numerical" not in route else
             False if route == "exact rational rank" else None)
    cert = (f"differences λ(a) − λ(a₀) over the {len(values)} action values have "
            f"rank {r} ({route})")
    if holds is None:
        cert = (f"undecided: {cert}, but the values are not exact, so a rank below "
                f"{need} is not proven")
    return Verdict("Assumption 10", "λ", holds, need, r, route, cert, pts)


def _check_expfam_temporal(mech: SymbolicMechanism, g, lam, rng) -> Verdict | None:
    """Assumption 11 (k = 1): the lag derivatives ``D_{z^τ}λ`` on the edges of Gz span them
    (None when Gz has no edge)."""
    acts = mech.action_symbols()
    hist = mech.history_symbols()
    E = [(i, j) for i in range(mech.d) for j in range(mech.d) if g.Gz[i, j]]
    per_tau = [[sympy.diff(lam[i], mech.lag(mech.latents[j], t)) for i, j in E]
               for t in range(1, mech.lags + 1)]

    def draw11(r):
        t = int(r.integers(1, mech.lags + 1))
        return _random_action_values(mech, r), per_tau[t - 1]

    free = hist + (acts if not mech.discrete else [])
    if not E:
        return None
    if not any(_depends(p, free) for p in per_tau) and len(E) > mech.lags:
        return Verdict("Assumption 11", "Gz", False, len(E), mech.lags, "counting",
                       "linear temporal means (Example 14 with constant W): D_{z^τ}λ "
                       "is constant, one matrix per lag")
    return Verdict("Assumption 11", "Gz",
                   *_rank_test(per_tau[0], {}, free, draw11, len(E), rng, per_tau))


def _check_expfam_discrete_action(mech: SymbolicMechanism, lam, l: int, name: str, ch,
                                  rng) -> Verdict | None:
    """Assumption 12 for discrete action ``l``: the differences of λ on its children between
    values differing in ``l`` alone span them (None when no two values differ so)."""
    acts = mech.action_symbols()
    hist = mech.history_symbols()
    pairs = mech.action_pairs(l)
    diffs = [[lam[i].xreplace(dict(zip(acts, v))) - lam[i].xreplace(dict(zip(acts, u)))
              for i in ch] for u, v in pairs]
    if not diffs:
        return None
    if not _depends(sum(diffs, []), hist) and len(diffs) < len(ch):
        return Verdict("Assumption 12", name, False, len(ch), len(diffs), "counting",
                       f"{len(diffs)} difference vector(s) cannot span {len(ch)} dimensions "
                       f"(Remark 6)")

    def draw12(r):
        return {}, diffs[int(r.integers(len(diffs)))]

    return Verdict("Assumption 12", name,
                   *_rank_test(diffs[0], {}, hist, draw12, len(ch), rng, diffs))


def _check_expfam_continuous_action(mech: SymbolicMechanism, lam, l: int, name: str, ch,
                                    rng) -> Verdict:
    """Assumption 12 for continuous action ``l``: the differences ``λ(a + ε e_l) − λ(a)`` on
    its children span them."""
    acts = mech.action_symbols()
    hist = mech.history_symbols()
    eps = sympy.Symbol("epsilon_", real=True)
    diffs = [lam[i].xreplace({acts[l]: acts[l] + eps}) - lam[i] for i in ch]
    free = hist + acts + [eps]
    if not _depends(diffs, hist + acts) and len(ch) > 1:
        return Verdict("Assumption 12", name, False, len(ch), 1, "counting",
                       "λ is linear in the actions: the differences do not vary "
                       "(Example 10's linear case)")
    return Verdict("Assumption 12", name,
                   *_rank_test(diffs, {}, free, lambda r: ({}, diffs), len(ch), rng, [diffs]))


@keyword_only("seed")
def check_assumptions(mech: SymbolicMechanism, derived: DerivedGraph | None = None, *,
                      seed=0) -> AssumptionReport:
    """Check every assumption that applies to the mechanism.

    Parameters
    ----------
    mech : SymbolicMechanism
    derived : DerivedGraph, optional
        Its graphs, when already derived (else derived here with the same ``seed``).
    seed : int, numpy.random.Generator or None
        The random points of the rank tests (default 0: the same verdicts every call).

    Examples
    --------
    Example 10 and its linear counterpart:

    >>> from identkit.symbolic import mechanism_from_dict, check_assumptions
    >>> spec = {"latents": ["z1", "z2", "z3"], "actions": ["a1", "a2", "a3"]}
    >>> good = mechanism_from_dict({**spec, "mean": {"z1": "a1 + a2", "z2": "a1**2 + a3",
    ...                                              "z3": "a2**2 + a3**2"}})
    >>> bad = mechanism_from_dict({**spec, "mean": {"z1": "a1 + 2*a2", "z2": "3*a1 + a3",
    ...                                             "z3": "a2 - a3"}})
    >>> check_assumptions(good).holds_a, check_assumptions(bad).holds_a
    (True, False)
    """
    rng = as_generator(seed)
    derived = derived or mech.derive_graph(seed=rng)
    budget = active_budget()
    late = "undecided (time budget)"
    g = derived.graph
    try:
        budget.stage = "checking Assumptions 6/7"
        budget.check()
        actions = tuple(_check_actions(mech, derived, rng))
    except BudgetExpired:
        budget.expired = True
        name = "Assumption 7" if mech.discrete else "Assumption 6"
        actions = tuple(Verdict(name, a, None, len(g.children_a(l)), None, late,
                                "undecided: the time budget ran out before this check")
                        for l, a in enumerate(mech.actions) if g.Ga is not None
                        and len(g.children_a(l)))
    try:
        budget.stage = "checking Assumption 8"
        budget.check()
        temporal = _check_temporal(mech, derived, rng)
    except BudgetExpired:
        budget.expired = True
        temporal = None if g.Gz is None or mech.lags == 0 else Verdict(
            "Assumption 8", "Gz", None, int(g.Gz.sum()), None, late,
            "undecided: the time budget ran out before this check")
    try:
        budget.stage = "checking Assumptions 10-12"
        budget.check()
        a10, a11, a12, k = _check_expfam(mech, derived, rng)
    except BudgetExpired:
        budget.expired = True
        k, _ = _expfam(mech)
        msg = "undecided: the time budget ran out before this check"
        a10 = None if k is None else Verdict("Assumption 10", "λ", None, k * mech.d, None, late,
                                             msg)
        a11 = None if k != 1 or g.Gz is None or not g.Gz.any() else Verdict(
            "Assumption 11", "Gz", None, int(g.Gz.sum()), None, late, msg)
        a12 = ()
    return AssumptionReport(actions, temporal, a10, a11, a12, k)
