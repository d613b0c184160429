"""Written mechanisms: parse a mechanism file, derive its exact graphs, push it through maps.

Mechanism files (YAML or JSON)::

    latents: [z1, z2, z3]
    actions: [a1, a2, a3]               # optional
    action_values: continuous           # or a list of discrete values, e.g. [[0,0,0],[1,0,0]]
    mean:                               # a Gaussian transition with these means...
      z1: "a1 + a2"
      z2: "a1**2 + a3"
      z3: "a2**2 + a3**2"
    variance: 1                         # a number, or one expression per latent
    # ...or, instead of mean/variance, any log-density per latent:
    # log_density: {z1: "-(z1 - z1_lag1 - sin(z2_lag1))**2/2", ...}

Past values are written ``z1_lag1``, ``z1_lag2``, …; current values by the latent's name. The
transition must factorize (no instantaneous effects): the log-density of latent i may use the
current value of latent i only.

The graph of the mechanism is the support of its cross-derivatives (THEORY §1):
``Gz[i, j] = 1`` iff ``∂²/∂z_i ∂z_j^{t-τ} log p`` is not identically zero for some lag τ, and
``Ga[i, l] = 1`` iff ``∂²/∂z_i ∂a_l log p`` is not (for discrete actions: iff
``∂_{z_i} log p`` changes between two action values that differ in coordinate l only). Each entry
is decided by :func:`~identkit.symbolic.exact.decide_zero`, and the route that decided it is kept.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

import numpy as np
import sympy

from .._rng import as_generator
from ..errors import GraphFileError, ParseError
from ..graphs import LatentGraph
from .exact import ZeroDecision, decide_zero
from .parser import parse_expression

__all__ = ["SymbolicMechanism", "DerivedGraph", "load_mechanism", "mechanism_from_dict",
           "is_mechanism_dict", "MECHANISM_KEYS", "SymbolicMap", "mechanism_schema"]


def mechanism_schema() -> dict:
    """The JSON Schema of mechanism files (shipped beside the graph schema).

    >>> from identkit.symbolic import mechanism_schema
    >>> sorted(mechanism_schema()["properties"])[:3]
    ['action_values', 'actions', 'description']
    """
    import json
    from importlib import resources

    text = resources.files("identkit").joinpath("schemas/mechanism.schema.json").read_text("utf-8")
    return json.loads(text)

MECHANISM_KEYS = ("latents", "actions", "action_values", "mean", "variance", "log_density",
                  "name", "description")
MAX_LAG = 10
_LAG = re.compile(r"^(.+)_lag([1-9][0-9]*)$")


def is_mechanism_dict(data) -> bool:
    """A mapping is a mechanism file when it has ``mean`` or ``log_density``.

    Examples
    --------
    >>> from identkit.symbolic import is_mechanism_dict
    >>> is_mechanism_dict({"latents": 2, "mean": {}}), is_mechanism_dict({"Gz": [[1]]})
    (True, False)
    """
    return isinstance(data, dict) and ("mean" in data or "log_density" in data)


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
                 action_values=None, source: str = "<mechanism>"):
        self.source = source
        self.latents = tuple(latents)
        self.actions = tuple(actions or ())
        if not self.latents:
            raise ParseError(f"{source}: no latents")
        names = list(self.latents) + list(self.actions)
        dup = [n for n in names if names.count(n) > 1]
        if dup:
            raise ParseError(f"{source}: the name {dup[0]!r} is declared twice")
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
            for n, v in zip(self.latents, var):
                if v.is_number and not v > 0:
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

    def graph(self, seed=0) -> DerivedGraph:
        """Derive ``Gz``/``Ga`` from the cross-derivatives; see the module docs.

        Examples
        --------
        Example 10 of the paper:

        >>> from identkit.symbolic import mechanism_from_dict
        >>> mech = mechanism_from_dict({"latents": ["z1", "z2", "z3"], "actions": ["a1", "a2", "a3"],
        ...     "mean": {"z1": "a1 + a2", "z2": "a1**2 + a3", "z3": "a2**2 + a3**2"}})
        >>> mech.graph().graph.Ga.astype(int).tolist()
        [[1, 1, 0], [1, 0, 1], [0, 1, 1]]
        """
        return derive_graph(self.total_log_density, self, seed=seed)

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


def derive_graph(logp, mech: SymbolicMechanism, seed=0) -> DerivedGraph:
    """Graphs of a total log-density over the mechanism's symbols (used for pushforwards too)."""
    rng = as_generator(seed)
    d, m = mech.d, mech.m
    decisions = {}
    # a model with neither lags nor actions still has a (empty) temporal graph to analyze
    has_z = mech.lags > 0 or m == 0
    Gz = np.zeros((d, d), dtype=bool) if has_z else None
    Ga = np.zeros((d, m), dtype=bool) if m else None
    for i, n in enumerate(mech.latents):
        s = sympy.diff(logp, mech.z[n])
        if has_z:
            for j, nj in enumerate(mech.latents):
                dec = ZeroDecision(True, "structural")
                for k in range(1, mech.lags + 1):
                    sym = mech.lag(nj, k)
                    if sym not in s.free_symbols:
                        continue
                    dec = decide_zero(sympy.diff(s, sym), rng)
                    if not dec.zero:
                        break
                decisions[("z", i, j)] = dec
                Gz[i, j] = not dec.zero
        for l, al in enumerate(mech.actions):
            sym = mech.a[al]
            if sym not in s.free_symbols:
                dec = ZeroDecision(True, "structural")
            elif not mech.discrete:
                dec = decide_zero(sympy.diff(s, sym), rng)
            else:
                dec = ZeroDecision(True, "structural")
                for u, v in mech.action_pairs(l):
                    su = s.xreplace(dict(zip(mech.action_symbols(), u)))
                    sv = s.xreplace(dict(zip(mech.action_symbols(), v)))
                    dec = decide_zero(sv - su, rng)
                    if not dec.zero:
                        break
            decisions[("a", i, l)] = dec
            Ga[i, l] = not dec.zero
    graph = LatentGraph(Gz=Gz, Ga=Ga, latents=list(mech.latents),
                        actions=list(mech.actions) if m else None)
    return DerivedGraph(graph, decisions)


def _get(mapping, name, key, source):
    if not isinstance(mapping, dict):
        raise ParseError(f"{source}: '{key}' must map each latent to an expression")
    if name not in mapping:
        raise ParseError(f"{source}: '{key}' has no expression for {name!r}")
    return mapping[name]


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
    >>> mech.lags, mech.graph().graph.Gz.astype(int).tolist()
    (1, [[1, 0], [1, 1]])
    """
    if not isinstance(data, dict):
        raise GraphFileError(f"{source}: the top level must be a mapping of keys")
    for key in data:
        if key not in MECHANISM_KEYS:
            close = difflib.get_close_matches(str(key), MECHANISM_KEYS, n=1, cutoff=0.4)
            hint = f"; did you mean '{close[0]}'?" if close else ""
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
                                 action_values=data.get("action_values"), source=source)
    except ParseError as exc:
        msg = str(exc)
        raise GraphFileError(msg if msg.startswith(source) else f"{source}: {msg}") from None


def load_mechanism(path) -> SymbolicMechanism:
    """Read a mechanism file (YAML or JSON).

    Examples
    --------
    >>> import os, tempfile
    >>> from identkit.symbolic import load_mechanism
    >>> path = os.path.join(tempfile.mkdtemp(), "m.yaml")
    >>> with open(path, "w") as fh:
    ...     _ = fh.write("latents: [z1]\\nactions: [a1]\\nmean: {z1: 'z1_lag1 + sin(a1)'}\\n")
    >>> load_mechanism(path).graph().graph.Ga.astype(int).tolist()
    [[1]]
    """
    import os

    from ..io import _parse_data

    path = os.fspath(path)
    if not os.path.exists(path):
        raise GraphFileError(f"{path}: no such file")
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    fmt = "json" if path.endswith(".json") or text.lstrip().startswith("{") else "yaml"
    return mechanism_from_dict(_parse_data(text, fmt, path), path)


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

    def support(self, seed=0) -> np.ndarray:
        """Which Jacobian entries are not identically zero (decided as for graphs)."""
        rng = as_generator(seed)
        J = self.jacobian()
        d = self.mech.d
        return np.array([[not decide_zero(J[i, j], rng).zero for j in range(d)] for i in range(d)])

    def is_invertible_somewhere(self, seed=0) -> bool:
        det = self.jacobian().det()
        return not decide_zero(det, as_generator(seed)).zero

    def is_graph_preserving(self, g: LatentGraph, regularize=None, seed=0) -> bool:
        """Whether the Jacobian's support lies in the pattern C of ``g`` (Lemma 1)."""
        from ..entanglement import entanglement_graph

        return bool(not (self.support(seed) & ~entanglement_graph(g, regularize)).any())

    def pushforward_graph(self, seed=0) -> DerivedGraph:
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
