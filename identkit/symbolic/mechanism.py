"""Written mechanisms: parse a mechanism file, derive its exact graphs, push it through maps.

Mechanism files (YAML or JSON)::

    latents: [z1, z2, z3]
    actions: [a1, a2, a3]               # optional
    action_values: continuous           # or a list of discrete values, e.g. [[0,0,0],[1,0,0]]
    action_ranges: {a1: [-1, 1]}        # optional: where a continuous action ranges (default: R)
    mean:                               # a Gaussian transition with these means...
      z1: "a1 + a2"
      z2: "a1**2 + a3"
      z3: "a2**2 + a3**2"
    variance: 1                         # a number, or one expression per latent
    # ...or, instead of mean/variance, any log-density per latent:
    # log_density: {z1: "-(z1 - z1_lag1 - sin(z2_lag1))**2/2", ...}

Past values are written ``z1_lag1``, ``z1_lag2``, …; current values by the latent's name. The
transition must factorize (no instantaneous effects): the log-density of latent i may use the
current value of latent i only, and a mean or variance no current value at all (the mean of
z1 cannot depend on z1).

The graph of the mechanism is the support of its cross-derivatives (the Hessians of the
paper's Eqs. 13 and 15, Section 3.2):
``Gz[i, j] = 1`` iff ``∂²/∂z_i ∂z_j^{t-τ} log p`` is not identically zero for some lag τ, and
``Ga[i, l] = 1`` iff ``∂²/∂z_i ∂a_l log p`` is not (for discrete actions: iff
``∂_{z_i} log p`` changes between two action values that differ in coordinate l only). Each entry
is decided by the exact zero test (``identkit.symbolic._exact``), and the route that decided it is kept.
"""

from __future__ import annotations

import re
import warnings
from collections import Counter
from dataclasses import dataclass, field

import mpmath
import numpy as np
import sympy

from .._compat import keyword_only
from .._rng import as_generator
from ..errors import GraphFileError, ParseError, did_you_mean
from ..graphs import LatentGraph
from ..io import is_mechanism_data
from ._exact import BudgetExpired, ZeroDecision, active_budget, decide_zero
from .parser import parse_expression, shown

__all__ = ["SymbolicMechanism", "DerivedGraph", "load_mechanism", "mechanism_from_dict",
           "worked_mechanism",
           "is_mechanism_dict", "MECHANISM_KEYS", "SymbolicMap", "mechanism_schema"]


def mechanism_schema() -> dict:
    """The JSON Schema of mechanism files (shipped beside the graph schema).

    >>> from identkit.symbolic import mechanism_schema
    >>> sorted(mechanism_schema()["properties"])[:3]
    ['action_ranges', 'action_values', 'actions']
    """
    import json
    from importlib import resources

    text = resources.files("identkit").joinpath("schemas/mechanism.schema.json").read_text("utf-8")
    return json.loads(text)

MECHANISM_KEYS = ("latents", "actions", "action_values", "action_ranges", "mean", "variance",
                  "log_density", "name", "description")
MAX_LAG = 10
MAX_EXPANDED_TERMS = 5_000  # terms a log-density may expand to when its degree is sought
_SATURATED = 10**12  # term counts stop growing here (their exact size is irrelevant)
_LAG = re.compile(r"^(.+)_lag([1-9][0-9]*)$")


def is_mechanism_dict(data) -> bool:
    """A mapping is a mechanism file when it has ``mean`` or ``log_density``
    (:func:`identkit.io.is_mechanism_data`, under this backend's name).

    Examples
    --------
    >>> from identkit.symbolic import is_mechanism_dict
    >>> is_mechanism_dict({"latents": 2, "mean": {}}), is_mechanism_dict({"Gz": [[1]]})
    (True, False)
    """
    return is_mechanism_data(data)


@dataclass(frozen=True)
class DerivedGraph:
    """The graphs of a mechanism, with how each entry was decided.

    Attributes
    ----------
    graph : LatentGraph
    decisions : dict
        ``{("z", i, j) or ("a", i, l): ZeroDecision}`` for every entry examined.
    """

    graph: LatentGraph
    decisions: dict = field(repr=False)

    def routes(self) -> dict:
        """How many entries each route decided, e.g. ``{"structural": 10, "exact evaluation": 3}``."""
        out: dict = {}
        for dec in self.decisions.values():
            out[dec.route] = out.get(dec.route, 0) + 1
        return out

    def undecided(self) -> list:
        """The entries whose zero test was undecided, as ``(kind, i, j, decision)``."""
        return [(k, i, j, dec) for (k, i, j), dec in sorted(self.decisions.items())
                if dec.zero is None]

    def undecided_graphs(self) -> dict:
        """``{"a" or "z": reason}`` for graphs with undecided entries (their pattern is
        unknown)."""
        g = self.graph
        out = {}
        for kind, i, j, dec in self.undecided():
            col = g.latents[j] if kind == "z" else g.actions[j]
            out.setdefault(kind, []).append(f"{col} → {g.latents[i]} ({dec.route})")
        return {k: f"G{k} entries undecided: " + ", ".join(v) for k, v in out.items()}

    def to_dict(self) -> dict:
        g = self.graph
        entries = []
        for (kind, i, j), dec in sorted(self.decisions.items(), key=lambda kv: kv[0]):
            if dec.route == "structural":
                continue
            col = g.latents[j] if kind == "z" else g.actions[j]
            entries.append({"graph": "G" + kind, "child": g.latents[i], "parent": col,
                            **dec.to_dict()})
        return {"routes": self.routes(), "entries": entries}

    def __str__(self):
        """The graphs (rows are children) and how many entries each route decided.

        >>> from identkit.symbolic import mechanism_from_dict
        >>> print(mechanism_from_dict({"latents": ["z1"], "mean": {"z1": "z1_lag1"}}).derive_graph())
        Gz = [[1]]
        entries decided by exact evaluation: 1
        """
        g = self.graph
        lines = [f"G{k} = {m.astype(int).tolist()}" for k, m in (("z", g.Gz), ("a", g.Ga))
                 if m is not None]
        routes = ", ".join(f"{k}: {v}" for k, v in self.routes().items())
        return "\n".join(lines + [f"entries decided by {routes or 'nothing (no entry)'}"])


class SymbolicMechanism:
    """A transition model written as expressions (see module docs).

    Attributes
    ----------
    latents, actions : tuple of str
    lags : int
        The largest lag used (0 for a model without time, T = 1).
    log_density : tuple of sympy.Expr
        ``log p_i`` per latent.
    mean, variance : tuple of sympy.Expr or None
        When the model was written as a Gaussian.
    action_values : list of tuple or None
        Discrete action values, or None for continuous actions.
    """

    def __init__(self, latents, actions=(), *, mean=None, variance=1, log_density=None,
                 action_values=None, action_ranges=None, source: str = "<mechanism>"):
        self.source = source
        self.latents = tuple(latents)
        self.actions = tuple(actions or ())
        if not self.latents:
            raise ParseError(f"{source}: no latents")
        names = list(self.latents) + list(self.actions)
        counts = Counter(names)  # linear: the first name (in order) declared more than once
        dup = next((n for n in names if counts[n] > 1), None)
        if dup is not None:
            raise ParseError(f"{source}: the name {dup!r} is declared twice")
        for n in names:
            if not re.match(r"^[A-Za-z][A-Za-z0-9_]*$", n) or n.startswith("__") or _LAG.match(n):
                raise ParseError(f"{source}: {n!r} is not a valid name (letters, digits and _; "
                                 "not ending in _lagK)")
        self.z = {n: sympy.Symbol(n, real=True) for n in self.latents}
        self.a = {n: sympy.Symbol(n, real=True) for n in self.actions}
        self.lag_symbols = {(n, k): sympy.Symbol(f"{n}_lag{k}", real=True)
                            for n in self.latents for k in range(1, MAX_LAG + 1)}
        table = dict(self.z)
        table.update(self.a)
        table.update({s.name: s for s in self.lag_symbols.values()})
        d = len(self.latents)
        if (mean is None) == (log_density is None):
            raise ParseError(f"{source}: give either 'mean' (with 'variance') or 'log_density'")
        self.mean = self.variance = None
        if mean is not None:
            mu = [parse_expression(_get(mean, n, "mean", source), table, where=f"{source}: mean of {n}")
                  for n in self.latents]
            if isinstance(variance, dict):
                var = [parse_expression(_get(variance, n, "variance", source), table,
                                        where=f"{source}: variance of {n}") for n in self.latents]
            else:
                v = parse_expression(variance, table, where=f"{source}: variance")
                var = [v] * d
            for n, m_, v in zip(self.latents, mu, var):
                for what, e in (("mean", m_), ("variance", v)):
                    if self.z[n] in e.free_symbols:
                        raise ParseError(
                            f"{source}: the {what} of {n} uses {n} itself: a mean or variance "
                            f"may use past values ({n}_lag1, ...) and actions; write a "
                            f"log_density for other forms")
                if v.is_number and not _positive_constant(v):
                    raise ParseError(f"{source}: the variance of {n} must be positive, got {v}")
            self.mean, self.variance = tuple(mu), tuple(var)
            logp = [-(self.z[n] - m) ** 2 / (2 * v) - sympy.log(2 * sympy.pi * v) / 2
                    for n, m, v in zip(self.latents, mu, var)]
        else:
            logp = [parse_expression(_get(log_density, n, "log_density", source), table,
                                     where=f"{source}: log_density of {n}")
                    for n in self.latents]
        for i, (n, lp) in enumerate(zip(self.latents, logp)):
            others = [self.z[m] for m in self.latents if m != n and self.z[m] in lp.free_symbols]
            if others:
                raise ParseError(
                    f"{source}: the {'mean' if mean is not None else 'log_density'} of {n} uses "
                    f"the current value of {others[0].name}: instantaneous effects are not "
                    f"allowed (write {others[0].name}_lag1 for its past value)")
        self.log_density = tuple(logp)
        used = set().union(*(lp.free_symbols for lp in logp))
        self.lags = max([k for (n, k), s in self.lag_symbols.items() if s in used], default=0)
        self.action_values = None
        if action_values not in (None, "continuous"):
            vals = []
            m = len(self.actions)
            if not isinstance(action_values, (list, tuple)) or not action_values:
                raise ParseError(f"{source}: action_values must be 'continuous' or a list of values")
            for k, v in enumerate(action_values):
                v = v if isinstance(v, (list, tuple)) else [v]
                if len(v) != m:
                    raise ParseError(f"{source}: action_values[{k}] has {len(v)} entries but "
                                     f"there are {m} actions")
                vals.append(tuple(parse_expression(x, {}, where=f"{source}: action_values[{k}]")
                                  for x in v))
            if len(set(vals)) != len(vals):
                raise ParseError(f"{source}: action_values lists a value twice")
            self.action_values = vals
        self.action_ranges = _ranges(action_ranges, self.actions, self.action_values, source)

    # ------------------------------------------------------------------------ symbols

    @property
    def d(self):
        return len(self.latents)

    @property
    def m(self):
        return len(self.actions)

    @property
    def discrete(self) -> bool:
        return self.action_values is not None

    def lag(self, name: str, k: int) -> sympy.Symbol:
        return self.lag_symbols[(name, k)]

    @property
    def total_log_density(self) -> sympy.Expr:
        return sympy.Add(*self.log_density)

    def history_symbols(self) -> list:
        return [self.lag(n, k) for k in range(1, self.lags + 1) for n in self.latents]

    def action_symbols(self) -> list:
        return [self.a[n] for n in self.actions]

    def action_pairs(self, l: int):
        """Pairs of action values that differ in coordinate l only."""
        vals = self.action_values or []
        out = []
        for u in vals:
            for v in vals:
                if u[l] != v[l] and all(u[k] == v[k] for k in range(self.m) if k != l):
                    if (v, u) not in out:
                        out.append((u, v))
        return out

    # -------------------------------------------------------------------------- graphs

    def score(self, i: int) -> sympy.Expr:
        """``∂ log p / ∂ z_i`` (only ``log p_i`` contains ``z_i``)."""
        return sympy.diff(self.log_density[i], self.z[self.latents[i]])

    @keyword_only("seed", "n_points")
    def validate(self, *, seed=0, n_points: int = 12) -> None:
        """Check that the file defines a density: at random points (latents and history over
        the reals at five scales, the last beyond every constant of the expression; actions
        over their declared values or ranges, else the reals) each mean is a real finite
        number and each variance positive and finite (or each log-density real and finite).

        Raises
        ------
        MechanismFileError
            Naming the expression and a point where it fails, or the expression that could
            not be evaluated at any point tried, or a polynomial log-density that would
            expand to more than 5,000 terms (its degree is found by expanding it).

        Examples
        --------
        >>> from identkit.symbolic import mechanism_from_dict
        >>> mech = mechanism_from_dict({"latents": ["z1"], "actions": ["a1"],
        ...                             "mean": {"z1": "a1"}, "variance": "-1 - a1**2"})
        >>> mech.validate()  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        identkit.errors.MechanismFileError: <mechanism>: the variance of z1 '-a1**2 - 1' is not positive at {a1 = ...} (value -1.00...)
        """
        from ..errors import MechanismFileError
        from ._exact import SCALES, Undefined, Unknown, interval, random_point

        rng = as_generator(seed)
        checks = []
        budget = active_budget()  # inside a check: its time budget bounds validation too
        for i, n in enumerate(self.latents):
            budget.check()
            if self.mean is not None:
                checks.append((f"the mean of {n}", self.mean[i], False))
                checks.append((f"the variance of {n}", self.variance[i], True))
            else:
                checks.append((f"the log-density of {n}", self.log_density[i], False))
                lead = self._polynomial_lead(i, rng)
                if lead is not None:
                    checks.append((f"minus the leading coefficient in {n} of the log-density "
                                   f"of {n} (negative coefficient needed for a density)",
                                   -lead, True))
        domain = self.domain()
        acts = self.action_symbols()
        for what, expr, positive in checks:
            budget.check()
            free = sorted(expr.free_symbols, key=lambda x: x.name)
            evaluated, reason, seen = 0, "", None
            scales = _validation_scales(expr, SCALES)
            for t in range(max(n_points, 3 * len(scales))):
                scale = scales[t % len(scales)]
                pt = random_point([x for x in free if x not in acts], rng, spread=scale,
                                  generic=True)
                if acts:
                    if self.discrete:
                        pt.update(zip(acts, self.action_values[t % len(self.action_values)]))
                    else:
                        pt.update(_random_point_actions(acts, rng, scale, domain))
                pt = {x: v for x, v in pt.items() if x in expr.free_symbols}
                try:
                    val, _ = interval(expr, pt, 30)
                except Undefined:
                    raise MechanismFileError(
                        f"{self.source}: {what} {shown(expr)} is not a real number at "
                        f"{_fmt(pt)}") from None
                except Unknown as exc:
                    reason, seen = str(exc), pt
                    continue
                hi = mpmath.make_mpf(val._mpi_[1])
                lo = mpmath.make_mpf(val._mpi_[0])
                if positive and hi <= 0:
                    raise MechanismFileError(
                        f"{self.source}: {what} {shown(expr)} is not positive at {_fmt(pt)} "
                        f"(value {mpmath.nstr((lo + hi) / 2, 15)} ± "
                        f"{mpmath.nstr((hi - lo) / 2, 3)})")
                if positive and lo <= 0:
                    reason, seen = "its interval contains 0", pt
                    continue
                evaluated += 1
            if not evaluated:
                raise MechanismFileError(
                    f"{self.source}: {what} {shown(expr)} could not be evaluated at any of "
                    f"{n_points} random points (e.g. at {_fmt(seen)}: {reason}), so it does "
                    "not define a density there")

    def _polynomial_lead(self, i: int, rng):
        """When ``log p_i`` is a polynomial in ``z_i``: refuse degree 0 or odd degree (``exp``
        of it does not integrate over ``z_i``), else return the leading coefficient, which
        must be negative wherever the density is defined. None for other log-densities
        (their integrability is not checked). A log-density that would expand to more than
        :data:`MAX_EXPANDED_TERMS` terms (:func:`expanded_terms`, estimated before expanding)
        is refused; the degree and lead are then read term by term, O(terms)."""
        from ..errors import MechanismFileError

        zi = self.z[self.latents[i]]
        lp = self.log_density[i]
        if not lp.is_polynomial(zi):
            return None
        terms = expanded_terms(lp)
        if terms > MAX_EXPANDED_TERMS:
            raise MechanismFileError(
                f"{self.source}: the log-density of {self.latents[i]} {shown(lp)} would expand "
                f"to {'over 10**12' if terms >= _SATURATED else f'up to {terms}'} terms (at most "
                f"{MAX_EXPANDED_TERMS}) to find its degree in {self.latents[i]}")
        found = _degree_and_lead(sympy.expand(lp), zi)
        if found is None:
            return None
        deg, lead = found
        if deg % 2 == 0 and deg > 0:
            if not lead.free_symbols and not lead < 0:
                raise MechanismFileError(
                    f"{self.source}: the log-density of {self.latents[i]} {shown(lp)} is a "
                    f"polynomial of degree {deg} in {self.latents[i]} with leading coefficient "
                    f"{lead} ≥ 0, so its exponential does not integrate: it is not a density")
            return lead
        if deg == 0 or decide_zero(lead, rng).zero is False:
            raise MechanismFileError(
                f"{self.source}: the log-density of {self.latents[i]} {shown(lp)} is a "
                f"polynomial of degree {deg} in {self.latents[i]}, so its exponential does not "
                f"integrate over {self.latents[i]}: it is not a density")
        return None

    def domain(self) -> dict:
        """Where the continuous actions range: ``{symbol: (lo, hi)}`` for declared ranges
        (the reals otherwise; discrete actions are handled value by value)."""
        return {self.a[n]: r for n, r in (self.action_ranges or {}).items()}

    @keyword_only("seed", "budget")
    def derive_graph(self, *, seed=0, budget=None) -> DerivedGraph:
        """Derive ``Gz``/``Ga`` from the cross-derivatives; see the module docs.

        Parameters
        ----------
        seed : int, numpy.random.Generator or None
            The random points of the zero tests (default 0: the same answer every call).
        budget : Budget, optional
            A time budget (internal: :func:`identkit.symbolic.check_mechanism` makes one from
            its ``time_budget`` seconds); entries it does not reach stay edges,
            ``undecided (time budget)``.

        Examples
        --------
        Example 10 of the paper:

        >>> from identkit.symbolic import mechanism_from_dict
        >>> mech = mechanism_from_dict({"latents": ["z1", "z2", "z3"], "actions": ["a1", "a2", "a3"],
        ...     "mean": {"z1": "a1 + a2", "z2": "a1**2 + a3", "z3": "a2**2 + a3**2"}})
        >>> mech.derive_graph().graph.Ga.astype(int).tolist()
        [[1, 1, 0], [1, 0, 1], [0, 1, 1]]
        """
        return derive_graph(self.total_log_density, self, seed=seed, budget=budget)

    def graph(self, *args, **kwargs) -> DerivedGraph:
        """Deprecated alias of :meth:`derive_graph` (the name both backends share).

        It keeps its old signature ``graph(seed=0, budget=None)``: positional arguments are
        passed on by name, so an old call warns once (this deprecation), not twice.
        """
        warnings.warn("SymbolicMechanism.graph() is deprecated; use derive_graph()",
                      DeprecationWarning, stacklevel=2)
        if len(args) > 2:
            raise TypeError(f"graph() takes at most 2 positional arguments ({len(args)} given)")
        for name, value in zip(("seed", "budget"), args):
            if name in kwargs:
                raise TypeError(f"graph() got multiple values for argument {name!r}")
            kwargs[name] = value
        return self.derive_graph(**kwargs)

    def check_assumptions(self, *, seed=0, derived: DerivedGraph | None = None):
        """The sufficient-influence verdicts: :func:`~identkit.symbolic.check_assumptions`
        of this mechanism (``derived``: its graphs when already derived, else derived here).

        Examples
        --------
        >>> from identkit.symbolic import mechanism_from_dict
        >>> mech = mechanism_from_dict({"latents": ["z1", "z2"], "actions": ["a1"],
        ...     "action_values": [[0], [1]], "mean": {"z1": "a1", "z2": "2*a1"}})
        >>> mech.check_assumptions().holds_a
        False
        """
        from .assumptions import check_assumptions

        return check_assumptions(self, derived, seed=seed)

    @keyword_only("seed")
    def check(self, regularize: str | None = None, *, seed=0, time_budget: float | None = 60.0,
              progress=None):
        """The full check: :func:`~identkit.symbolic.check_mechanism` of this mechanism.

        Examples
        --------
        >>> from identkit.symbolic import mechanism_from_dict
        >>> mech = mechanism_from_dict({"latents": ["z1"], "actions": ["a1"],
        ...                             "mean": {"z1": "sin(a1)"}})
        >>> mech.check().guaranteed
        True
        """
        from .check import check_mechanism

        return check_mechanism(self, regularize, seed=seed, time_budget=time_budget,
                               progress=progress)

    def __repr__(self):
        return (f"<SymbolicMechanism d={self.d} m={self.m} lags={self.lags} "
                f"{'discrete' if self.discrete else 'continuous'} actions>")

    def _repr_latex_(self):
        lines = []
        for n, lp in zip(self.latents, self.log_density):
            lines.append(rf"\log p_{{{n}}} &= {sympy.latex(lp)}")
        return r"$$\begin{aligned}" + r"\\ ".join(lines) + r"\end{aligned}$$"

    def __str__(self):
        if self.mean is not None:
            return "\n".join(f"{n}^t ~ N({m}, {v})" for n, m, v in
                             zip(self.latents, self.mean, self.variance))
        return "\n".join(f"log p({n}^t | past) = {lp}" for n, lp in zip(self.latents, self.log_density))


def _decide_cases(cases, rng, domain, budget) -> ZeroDecision:
    """One entry over several cases (the declared action values, the lags): nonzero as soon as
    one case is proven nonzero, zero when every case is proven zero, otherwise undecided."""
    decs = []
    for extra, expr in cases:
        dec = decide_zero(expr, rng, domain=domain, budget=budget)
        if dec.zero is False:
            pt = {**(dec.point or {}), **extra}
            return ZeroDecision(False, dec.route, pt, dec.value)
        decs.append(dec)
    if not decs:
        return ZeroDecision(True, "structural")
    open_ = [d for d in decs if d.zero is None]
    if open_:
        return open_[0]
    routes = sorted({d.route for d in decs})
    return ZeroDecision(True, routes[0] if len(routes) == 1 else "; ".join(routes))


def _derive_entries(logp, mech, rng, domain, budget, values, has_z, Gz, Ga, decisions, total):
    acts = mech.action_symbols()
    done = 0
    for i, n in enumerate(mech.latents):
        budget.check()
        s = sympy.diff(logp, mech.z[n])
        uses_a = bool(values) and bool(s.free_symbols & set(acts))
        if has_z:
            for j, nj in enumerate(mech.latents):
                budget.stage = f"deriving the graphs: entry {done + 1} of {total}"
                done += 1
                cases = []
                for k in range(1, mech.lags + 1):
                    sym = mech.lag(nj, k)
                    if sym not in s.free_symbols:
                        continue
                    der = sympy.diff(s, sym)
                    if uses_a:
                        cases += [(v, der.xreplace(v)) for v in values]
                    else:
                        cases.append(({}, der))
                dec = _decide_cases(cases, rng, domain, budget)
                decisions[("z", i, j)] = dec
                Gz[i, j] = dec.zero is not True
        for l, al in enumerate(mech.actions):
            done += 1
            sym = mech.a[al]
            if sym not in s.free_symbols:
                dec = ZeroDecision(True, "structural")
            elif not mech.discrete:
                dec = _decide_cases([({}, sympy.diff(s, sym))], rng, domain, budget)
            else:
                cases = []
                for u, v in mech.action_pairs(l):
                    su = s.xreplace(dict(zip(acts, u)))
                    sv = s.xreplace(dict(zip(acts, v)))
                    cases.append((dict(zip(acts, v)), sv - su))
                dec = _decide_cases(cases, rng, domain, budget)
            decisions[("a", i, l)] = dec
            Ga[i, l] = dec.zero is not True


def _unattributed_changes(logp, mech, rng, domain, budget, Ga, decisions):
    """Discrete actions: a zero ``Ga[i, l]`` says that ``z_i``'s density does not change when
    ``a_l`` alone changes, but the declared values may never change one coordinate alone
    (``[[0, 0], [1, 1]]``). The row must still describe the mechanism (Assumption 3: ``p_i``
    depends on the actions through its parents only), so for every two declared values that
    agree on the parents of ``z_i`` and differ in two or more other coordinates, the score of
    ``z_i`` must not change. When it changes (or that cannot be decided), the zero entries
    of those coordinates become undecided edges: the values do not say which action moved
    ``z_i``. O(|values|² · d) zero tests."""
    acts = mech.action_symbols()
    vals = mech.action_values
    for i, n in enumerate(mech.latents):
        budget.check()
        s = sympy.diff(logp, mech.z[n])
        if not s.free_symbols & set(acts):
            continue
        parents = [l for l in range(mech.m) if Ga[i, l]]
        for x, u in enumerate(vals):
            for v in vals[x + 1:]:
                differ = [l for l in range(mech.m) if u[l] != v[l]]
                if len(differ) < 2 or any(l in parents for l in differ):
                    continue
                cases = [(dict(zip(acts, v)), s.xreplace(dict(zip(acts, v)))
                          - s.xreplace(dict(zip(acts, u))))]
                dec = _decide_cases(cases, rng, domain, budget)
                if dec.zero is True:
                    continue
                names = ", ".join(mech.actions[l] for l in differ)
                why = (f"undecided: the declared action values {list(map(str, u))} and "
                       f"{list(map(str, v))} change {names} together and "
                       f"{'change' if dec.zero is False else 'may change'} the density of "
                       f"{n}, but no two values change one of them alone, so which one is a "
                       f"parent is unknown")
                for l in differ:
                    decisions[("a", i, l)] = ZeroDecision(None, why, dec.point, dec.value)
                    Ga[i, l] = True
                    parents.append(l)


@keyword_only("seed", "budget")
def derive_graph(logp, mech: SymbolicMechanism, *, seed=0, budget=None) -> DerivedGraph:
    """Graphs of a total log-density over the mechanism's symbols (used for pushforwards too).

    With discrete actions the density is defined at the declared action values only, so each
    ``Gz`` entry is decided with the actions set to each declared value in turn. Continuous
    actions with a declared range are sampled inside it. When the time ``budget`` runs out,
    the entries left are undecided (kept as edges, route ``undecided (time budget)``).
    """
    rng = as_generator(seed)
    d, m = mech.d, mech.m
    decisions = {}
    # a model with neither lags nor actions still has a (empty) temporal graph to analyze
    has_z = mech.lags > 0 or m == 0
    Gz = np.zeros((d, d), dtype=bool) if has_z else None
    Ga = np.zeros((d, m), dtype=bool) if m else None
    acts = mech.action_symbols()
    domain = mech.domain()
    values = [dict(zip(acts, v)) for v in mech.action_values] if mech.discrete else None
    total = d * ((d if has_z else 0) + m)
    budget = budget or active_budget()
    try:
        _derive_entries(logp, mech, rng, domain, budget, values, has_z, Gz, Ga, decisions, total)
        if mech.discrete and m:
            _unattributed_changes(logp, mech, rng, domain, budget, Ga, decisions)
    except BudgetExpired:
        budget.expired = True
    late = ZeroDecision(None, "undecided (time budget)")
    for i in range(d):  # entries the budget did not reach stay edges, undecided
        for j in range(d if has_z else 0):
            if ("z", i, j) not in decisions:
                decisions[("z", i, j)], Gz[i, j] = late, True
        for l in range(m):
            if ("a", i, l) not in decisions:
                decisions[("a", i, l)], Ga[i, l] = late, True
    graph = LatentGraph(Gz=Gz, Ga=Ga, latents=list(mech.latents),
                        actions=list(mech.actions) if m else None)
    return DerivedGraph(graph, decisions)


def expanded_terms(expr) -> int:
    """An upper bound on the number of terms ``sympy.expand(expr)`` builds, computed without
    expanding: a sum adds its terms' counts, a product multiplies them, a power of a sum of
    ``t`` terms to a positive integer ``n`` has at most the multinomial count
    ``C(n + t - 1, t - 1)`` terms; whatever ``expand`` also expands inside (the arguments of
    functions, denominators, other powers' bases) is added, as its work. Counts saturate at
    10**12, so nested powers never build huge integers. O(nodes · exponent) with memoization.

    Examples
    --------
    >>> import sympy
    >>> from identkit.symbolic.mechanism import expanded_terms
    >>> x, y = sympy.symbols("x y")
    >>> expanded_terms((x + y + 1)**2), len(sympy.expand((x + y + 1)**2).args)
    (6, 6)
    >>> expanded_terms((x + y)*(x - y)), expanded_terms(sympy.sin((x + 1)**3))
    (4, 5)
    >>> expanded_terms((x + y + 3)**60)  # (a1 + a2 + 3)**60 expands to 1,891 terms
    1891
    """
    memo: dict = {}
    work = [0]

    def count(e):
        if e in memo:
            return memo[e]
        if e.is_Add:
            out = sum(count(a) for a in e.args)
        elif e.is_Mul:
            out = 1
            for a in e.args:
                out = min(out * count(a), _SATURATED)
        elif e.is_Pow and e.exp.is_Integer:
            t = count(e.base)
            out = _capped_comb(abs(int(e.exp)) + t - 1, t - 1) if t > 1 else 1
            if e.exp < 0:  # a denominator: expanded, but one term of the whole
                work[0] += out
                out = 1
        elif e.args:  # a function, a denominator, another power: one term, expanded inside
            work[0] += sum(count(a) for a in e.args)
            out = 1
        else:
            out = 1
        out = min(out, _SATURATED)
        memo[e] = out
        return out

    return min(count(expr) + work[0], _SATURATED)


def _capped_comb(n: int, k: int) -> int:
    """``C(n, k)``, or :data:`_SATURATED` once it is reached (O(min(k, n - k)) steps at most,
    fewer when it saturates early).

    >>> from identkit.symbolic.mechanism import _capped_comb
    >>> _capped_comb(64, 4), _capped_comb(10**15, 3) == 10**12
    (635376, True)
    """
    k = min(k, n - k)
    out = 1
    for j in range(k):
        out = out * (n - j) // (j + 1)
        if out >= _SATURATED:
            return _SATURATED
    return out


def _degree_and_lead(expanded, x):
    """``(degree, leading coefficient)`` in ``x`` of an expanded polynomial in ``x``, read term
    by term (``sympy.Poly`` over an expression domain is quadratic in the terms: 30 s for
    3,003); None when it is 0 or a term is not a monomial in ``x``."""
    by_power: dict = {}
    for term in sympy.Add.make_args(expanded):
        coeff, k = term.as_coeff_exponent(x)
        if not (k.is_Integer and k >= 0) or coeff.has(x):
            return None
        by_power.setdefault(int(k), []).append(coeff)
    for k in sorted(by_power, reverse=True):
        lead = sympy.Add(*by_power[k])
        if lead != 0:
            return k, lead
    return None


def _validation_scales(expr, scales) -> tuple:
    """The scales validity is checked at: the zero test's, 4096, and one beyond every constant
    of the expression (``100000 − z²`` is negative only for ``|z| > 316``), so a sign change
    beyond the constants' size is seen. Regions smaller than the sampling (``(z − 1/3)² −
    10⁻⁶``) can still be missed: validity is checked at points, not proven."""
    big = max([abs(int(r.p)) for r in expr.atoms(sympy.Rational)]
              + [int(r.q) for r in expr.atoms(sympy.Rational)] + [1])
    return tuple(scales) + (sympy.Integer(4096), sympy.Integer(16 * big + 4096))


def _positive_constant(v) -> bool:
    """Whether a constant is provably positive: by sympy's assumptions, else by an interval
    at 60 digits that lies above 0 (``sin(1)² + cos(1)² − 1`` is not: sympy cannot order it,
    and its interval contains 0, so it is refused rather than compared)."""
    from ._exact import Undefined, Unknown, interval

    if v.is_positive is not None:
        return bool(v.is_positive)
    try:
        val, _ = interval(v, {}, 60)
    except (Undefined, Unknown):
        return False
    return mpmath.make_mpf(val._mpi_[0]) > 0


def _fmt(pt) -> str:
    return "{" + ", ".join(f"{k} = {v}" for k, v in sorted(pt.items(), key=lambda kv: kv[0].name)) + "}"


def _random_point_actions(acts, rng, scale, domain) -> dict:
    """Random values of continuous actions: inside their declared range, else at ``scale``."""
    from ._exact import random_point

    return random_point(acts, rng, spread=scale, generic=True, domain=domain)


def _ranges(spec, actions, discrete, source) -> dict:
    """``{action: (lo, hi)}`` from the file's ``action_ranges`` (continuous actions only)."""
    if spec is None:
        return {}
    if discrete is not None:
        raise ParseError(f"{source}: action_ranges applies to continuous actions only; these "
                         "actions take the listed action_values")
    if not isinstance(spec, dict):
        raise ParseError(f"{source}: action_ranges must map action names to [low, high]")
    out = {}
    for name, r in spec.items():
        if name not in actions:
            raise ParseError(f"{source}: action_ranges names {name!r}, which is not a declared "
                             "action")
        if not isinstance(r, (list, tuple)) or len(r) != 2:
            raise ParseError(f"{source}: action_ranges of {name!r} must be [low, high]")
        lo, hi = (parse_expression(x, {}, where=f"{source}: action_ranges of {name}")
                  for x in r)
        if not (lo.is_Rational and hi.is_Rational and lo < hi):
            raise ParseError(f"{source}: action_ranges of {name!r} must be two numbers with "
                             f"low < high, got [{lo}, {hi}]")
        out[name] = (lo, hi)
    return out


def _get(mapping, name, key, source):
    if not isinstance(mapping, dict):
        raise ParseError(f"{source}: '{key}' must map each latent to an expression")
    if name not in mapping:
        raise ParseError(f"{source}: '{key}' has no expression for {name!r}")
    return mapping[name]


def worked_mechanism(name: str) -> SymbolicMechanism:
    """A worked mechanism of the paper from the catalogue (:mod:`identkit.examples`), built.

    ``name`` is the catalogue's name (``"mechanism-ex16"``) or the same without the prefix
    (``"ex16"``), case-insensitive.

    Raises
    ------
    ExampleNotFoundError
        When no worked mechanism has that name (a graph example's name included).

    Examples
    --------
    >>> from identkit.symbolic import worked_mechanism
    >>> mech = worked_mechanism("ex10")
    >>> mech.latents, mech.actions
    (('z1', 'z2', 'z3'), ('a1', 'a2', 'a3'))
    """
    from .. import examples
    from ..errors import ExampleNotFoundError

    key = str(name)
    if not key.lower().startswith(examples.MECHANISM_PREFIX):
        key = examples.MECHANISM_PREFIX + key
    try:
        entry = examples.get(key)
    except ExampleNotFoundError:
        raise ExampleNotFoundError(f"no worked mechanism named {name!r}; known: "
                                   f"{', '.join(examples.names('mechanism'))}") from None
    return mechanism_from_dict(entry.spec, source=entry.name)


def mechanism_from_dict(data, source: str = "<mechanism>") -> SymbolicMechanism:
    """Build a :class:`SymbolicMechanism` from a mapping in the mechanism-file schema.

    Raises
    ------
    GraphFileError
        For unknown keys (the closest valid one is suggested), missing latents, expressions
        for undeclared latents, and every :class:`~identkit.ParseError` (prefixed by the file).

    Examples
    --------
    >>> from identkit.symbolic import mechanism_from_dict
    >>> mech = mechanism_from_dict({"latents": ["z1", "z2"],
    ...                             "mean": {"z1": "z1_lag1", "z2": "z2_lag1 + z1_lag1**2"}})
    >>> mech.lags, mech.derive_graph().graph.Gz.astype(int).tolist()
    (1, [[1, 0], [1, 1]])
    """
    if data is None:  # an empty YAML document (only comments, or null)
        raise GraphFileError(f"{source}: empty model: the file holds no keys (give latents and "
                             "mean or log_density)")
    if not isinstance(data, dict):
        raise GraphFileError(f"{source}: the top level must be a mapping of keys, got "
                             f"{type(data).__name__}")
    for key in data:
        if key not in MECHANISM_KEYS:
            hint = did_you_mean(str(key), MECHANISM_KEYS, cutoff=0.4)
            raise GraphFileError(f"{source}: unknown key '{key}'{hint}")
    latents = data.get("latents")
    if isinstance(latents, int) and not isinstance(latents, bool) and latents > 0:
        latents = [f"z{k + 1}" for k in range(latents)]
    if not isinstance(latents, list) or not latents or not all(isinstance(x, str) for x in latents):
        raise GraphFileError(f"{source}: 'latents' must be a non-empty list of names")
    actions = data.get("actions") or []
    if isinstance(actions, int) and not isinstance(actions, bool):
        actions = [f"a{k + 1}" for k in range(actions)]
    if not isinstance(actions, list) or not all(isinstance(x, str) for x in actions):
        raise GraphFileError(f"{source}: 'actions' must be a list of names")
    for key in ("mean", "log_density", "variance"):
        spec = data.get(key)
        if isinstance(spec, dict):
            for k in spec:
                if k not in latents:
                    raise GraphFileError(f"{source}: '{key}' gives an expression for {k!r}, "
                                         f"which is not a declared latent")
    try:
        return SymbolicMechanism(latents, actions, mean=data.get("mean"),
                                 variance=data.get("variance", 1),
                                 log_density=data.get("log_density"),
                                 action_values=data.get("action_values"),
                                 action_ranges=data.get("action_ranges"), source=source)
    except ParseError as exc:
        msg = str(exc)
        raise GraphFileError(msg if msg.startswith(source) else f"{source}: {msg}") from None


def load_mechanism(path, *, max_bytes: int | None = None) -> SymbolicMechanism:
    """Read a mechanism file (YAML or JSON), or standard input for ``-``.

    The file is read by :func:`identkit.io.read_text` (regular files only, a size limit, a
    byte-order mark dropped) and parsed by :func:`identkit.io.parse_data` (duplicate keys
    and huge integers refused). JSON when the name ends in ``.json`` or the text starts with
    ``{``, YAML otherwise.

    Parameters
    ----------
    path : str or path-like
    max_bytes : int, optional
        Refuse larger files (default :data:`identkit.io.MAX_BYTES`).

    Raises
    ------
    GraphFileError
        If the file is missing, not a regular file, too large, not UTF-8, malformed, or not
        a mechanism (see :func:`mechanism_from_dict`); the message names the file.

    Examples
    --------
    >>> import os, tempfile
    >>> from identkit.symbolic import load_mechanism
    >>> path = os.path.join(tempfile.mkdtemp(), "m.yaml")
    >>> with open(path, "w") as fh:
    ...     _ = fh.write("latents: [z1]\\nactions: [a1]\\nmean: {z1: 'z1_lag1 + sin(a1)'}\\n")
    >>> load_mechanism(path).derive_graph().graph.Ga.astype(int).tolist()
    [[1]]
    """
    import os

    from .. import io

    text = io.read_text(path, io.MAX_BYTES if max_bytes is None else max_bytes)  # checks path
    path = os.fsdecode(path)
    source = "<stdin>" if path == "-" else path
    if not text.strip():
        raise GraphFileError(f"{source}: empty model: the input is empty (give latents and "
                             "mean or log_density)")
    fmt = "json" if path.lower().endswith(".json") or text.lstrip().startswith("{") else "yaml"
    return mechanism_from_dict(io.parse_data(text, fmt, source), source)


class SymbolicMap:
    """A map ``z = v(ẑ)`` written as one expression per latent in the latents' names (read as
    the learned coordinates). Examples: ``{"z1": "z1 + z2**3", "z2": "2*z2"}``."""

    def __init__(self, mech: SymbolicMechanism, exprs: dict, source: str = "<map>"):
        self.mech = mech
        missing = [n for n in mech.latents if n not in exprs]
        if missing:
            raise ParseError(f"{source}: no expression for {missing[0]!r}")
        extra = [n for n in exprs if n not in mech.latents]
        if extra:
            raise ParseError(f"{source}: {extra[0]!r} is not a latent")
        self.exprs = tuple(parse_expression(exprs[n], dict(mech.z), where=f"{source}: {n}")
                           for n in mech.latents)

    def jacobian(self) -> sympy.Matrix:
        zs = [self.mech.z[n] for n in self.mech.latents]
        return sympy.Matrix([[sympy.diff(e, z) for z in zs] for e in self.exprs])

    @keyword_only("seed")
    def support(self, *, seed=0) -> np.ndarray:
        """Which Jacobian entries are not identically zero (decided as for graphs)."""
        rng = as_generator(seed)
        J = self.jacobian()
        d = self.mech.d
        return np.array([[not decide_zero(J[i, j], rng).zero for j in range(d)] for i in range(d)])

    @keyword_only("seed")
    def is_invertible_somewhere(self, *, seed=0) -> bool:
        det = self.jacobian().det()
        return not decide_zero(det, as_generator(seed)).zero

    @keyword_only("seed")
    def is_graph_preserving(self, g: LatentGraph, regularize=None, *, seed=0) -> bool:
        """Whether the Jacobian's support lies in the pattern C of ``g`` (Lemma 1)."""
        from ..entanglement import entanglement_graph

        return bool(not (self.support(seed=seed) & ~entanglement_graph(g, regularize)).any())

    @keyword_only("seed")
    def pushforward_graph(self, *, seed=0) -> DerivedGraph:
        """The exact graph of the mechanism seen in the coordinates ẑ (``z = v(ẑ)``).

        ``log p̂(ẑ | ĥ, a) = log p(v(ẑ) | v(ĥ), a) + log |det Dv(ẑ)|``; the log-determinant
        depends on the current ẑ only, so it changes no cross-derivative and is left out.
        """
        mech = self.mech
        sub = {}
        for n, e in zip(mech.latents, self.exprs):
            sub[mech.z[n]] = e
            for k in range(1, mech.lags + 1):
                sub[mech.lag(n, k)] = e.xreplace({mech.z[x]: mech.lag(x, k) for x in mech.latents})
        logp = mech.total_log_density.xreplace(sub)
        return derive_graph(logp, mech, seed=seed)
