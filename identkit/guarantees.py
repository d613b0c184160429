"""How the paper's theorems combine into a guarantee: one truth for every backend.

Each theorem turns assumptions about the true mechanism into a pattern ``C`` that the
entanglement map must respect, for one sparsity-regularized learned graph:

* **Theorem 1** (continuous a) needs Assumption 6 and gives ``Ca`` (``Ĝa`` regularized);
  **Theorem 2** (discrete a) needs Assumption 7 and gives ``Ca`` too.
* **Theorem 3** needs Assumption 8 and gives ``Cz`` (``Ĝz`` regularized).
* **Theorem 5** gives ``Cz`` through the exponential family: it needs *all* the hypotheses of
  Theorem 4 (Assumption 10, sufficient variability), ``k = 1``, and Assumption 11.
* **Proposition 6** combines them: when both hold, the pattern is ``Ca ∧ Cz``.

So the *justified* pattern is the conjunction of the patterns whose assumptions **hold** (all
ones when none does), and complete disentanglement is guaranteed iff it is the identity.
Every verdict is three-valued (``holds``, ``fails``, ``undecided``); ``undecided`` never counts
as holding. This module is pure logic (no sympy): both the symbolic and the numeric backends
call it, so they cannot disagree on how the theorems combine.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np

from .entanglement import entanglement_graph, resolve_regularize
from .graphs import LatentGraph

__all__ = ["HOLDS", "FAILS", "UNDECIDED", "as_state", "all_of", "any_of", "Route",
           "action_route", "temporal_routes", "Guarantee", "justify"]

HOLDS, FAILS, UNDECIDED = "holds", "fails", "undecided"
_STATES = (HOLDS, FAILS, UNDECIDED)


def as_state(value) -> str:
    """A three-valued state from ``True``/``False``/``None`` or a state string.

    >>> from identkit.guarantees import as_state
    >>> as_state(True), as_state(False), as_state(None), as_state("undecided")
    ('holds', 'fails', 'undecided', 'undecided')
    """
    if value is True or value is np.True_:
        return HOLDS
    if value is False or value is np.False_:
        return FAILS
    if value is None:
        return UNDECIDED
    if value in _STATES:
        return value
    raise ValueError(f"not a verdict state: {value!r}")


def all_of(states) -> str:
    """Conjunction: fails if one fails, holds if all hold (also when there are none), else
    undecided.

    >>> from identkit.guarantees import all_of
    >>> all_of(["holds", "undecided"]), all_of(["undecided", "fails"]), all_of([])
    ('undecided', 'fails', 'holds')
    """
    states = [as_state(s) for s in states]
    if FAILS in states:
        return FAILS
    return HOLDS if all(s == HOLDS for s in states) else UNDECIDED


def any_of(states) -> str:
    """Disjunction: holds if one holds, fails if all fail (also when there are none), else
    undecided.

    >>> from identkit.guarantees import any_of
    >>> any_of(["fails", "holds"]), any_of(["fails", "undecided"]), any_of([])
    ('holds', 'undecided', 'fails')
    """
    states = [as_state(s) for s in states]
    if HOLDS in states:
        return HOLDS
    return FAILS if all(s == FAILS for s in states) else UNDECIDED


def _renamed(old: str, new: str) -> None:
    warnings.warn(f"{old} is deprecated; use {new}", DeprecationWarning, stacklevel=3)


@dataclass(frozen=True)
class Route:
    """One theorem applied to one regularized graph.

    Attributes
    ----------
    theorem : str
        ``"Theorem 1"``, ``"Theorem 2"``, ``"Theorem 3"`` or ``"Theorem 5"``.
    regularized : str
        The regularized graph the theorem is about: ``"a"`` (gives ``Ca``) or ``"z"`` (gives
        ``Cz``). It was called ``graph`` (still readable, with a ``DeprecationWarning``): every
        other result's ``graph`` is a :class:`~identkit.LatentGraph`. ``to_dict`` keeps the key
        ``"graph"`` (``"Ga"``/``"Gz"``) that the JSON output has always had.
    state : str
        Whether all its hypotheses hold (the conjunction of ``requires``).
    requires : tuple of (str, str)
        ``(hypothesis, state)`` pairs, e.g. ``("Assumption 8", "fails")``.
    why : str
        What could not be decided or why the route does not apply (empty when it holds).
    """

    theorem: str
    regularized: str
    state: str
    requires: tuple
    why: str = ""

    def __str__(self) -> str:
        hyp = ", ".join(f"{h} {st}" for h, st in self.requires)
        return (f"{self.theorem} on G{self.regularized}: {self.state}"
                + (f" ({hyp})" if hyp else "")
                + (f"; {self.why}" if self.why and self.state != HOLDS else ""))

    def to_dict(self) -> dict:
        return {"theorem": self.theorem, "graph": "G" + self.regularized, "state": self.state,
                "requires": [{"hypothesis": h, "state": s} for h, s in self.requires],
                "why": self.why or None}

    @property
    def graph(self) -> str:
        """Deprecated name of :attr:`regularized`."""
        _renamed("Route.graph", "Route.regularized")
        return self.regularized


def _route(theorem, graph, requires, why_not=""):
    requires = tuple((h, as_state(s)) for h, s in requires)
    state = all_of(s for _, s in requires)
    why = ""
    if state != HOLDS:
        bad = [f"{h} {s}" for h, s in requires if s != HOLDS]
        why = "; ".join(x for x in (why_not, ", ".join(bad)) if x)
    return Route(theorem, graph, state, requires, why)


def action_route(per_action, discrete: bool) -> Route:
    """Theorem 1 (continuous a, Assumption 6) or 2 (discrete a, Assumption 7) from the verdict
    of each action that has a child: ``per_action`` is a list of ``(action, state)``.

    An action without children asks nothing (its span condition is on ``R^0``).

    >>> from identkit.guarantees import action_route
    >>> r = action_route([("a1", True), ("a2", None)], discrete=False)
    >>> r.theorem, r.state, r.why
    ('Theorem 1', 'undecided', 'Assumption 6 (a2) undecided')
    """
    name = "Assumption 7" if discrete else "Assumption 6"
    return _route("Theorem 2" if discrete else "Theorem 1", "a",
                  [(f"{name} ({target})", s) for target, s in per_action])


def temporal_routes(a8, a10=None, a11=None, k=None) -> tuple:
    """Theorem 3 (Assumption 8) and Theorem 5 (Theorem 4's Assumption 10, ``k = 1`` and
    Assumption 11) for ``Cz``.

    Parameters
    ----------
    a8, a10, a11 : bool, None or state string
        The verdicts (None: undecided or not checked).
    k : int or None
        The dimension of each latent's sufficient statistic; None when the mechanism is not
        written as an exponential family identkit can read (Theorem 5 is then undecided).

    Examples
    --------
    Item 7 of the contract: Assumption 11 alone does not give Theorem 5.

    >>> from identkit.guarantees import temporal_routes
    >>> thm3, thm5 = temporal_routes(a8=False, a10=False, a11=True, k=1)
    >>> thm3.state, thm5.state, thm5.why
    ('fails', 'fails', 'Assumption 10 fails')
    """
    thm3 = _route("Theorem 3", "z", [("Assumption 8", a8)])
    if k is None:
        thm5 = _route("Theorem 5", "z", [("k = 1 exponential family", UNDECIDED)],
                      "the mechanism is not written as a Gaussian, so its exponential-family "
                      "form is unknown")
    elif k != 1:
        thm5 = _route("Theorem 5", "z", [("k = 1 exponential family", FAILS)],
                      f"the sufficient statistic has k = {k}")
    else:
        thm5 = _route("Theorem 5", "z", [("k = 1 exponential family", HOLDS),
                                         ("Assumption 10", a10), ("Assumption 11", a11)])
    return thm3, thm5


@dataclass(frozen=True)
class Guarantee:
    """What the verdicts justify for a graph and a choice of regularized graphs.

    Attributes
    ----------
    regularize : str
        The regularized learned graphs (``""``, ``"a"``, ``"z"``, ``"az"``).
    routes : tuple of Route
    states : dict
        Per regularized graph (``"a"``/``"z"``): holds if one of its routes holds, fails if
        all fail, else undecided.
    justified_by : str
        The graphs whose pattern is justified (state ``holds``), as the JSON key
        ``justified_by`` names them. It was called ``justified`` (still readable, with a
        ``DeprecationWarning``): the checks' ``justified`` is the analysis of that pattern.
    pattern : numpy.ndarray of bool
        The justified pattern: the conjunction of the justified graphs' patterns (Prop 6),
        all ones when none is justified.
    complete : bool
        The justified pattern is the identity.
    """

    regularize: str
    routes: tuple
    states: dict
    justified_by: str
    pattern: np.ndarray = field(repr=False)
    complete: bool = False

    @property
    def undecided(self) -> list:
        """The routes of regularized graphs left undecided, with why."""
        return [r for r in self.routes
                if r.regularized in self.regularize and r.state == UNDECIDED]

    @property
    def justified(self) -> str:
        """Deprecated name of :attr:`justified_by`."""
        _renamed("Guarantee.justified", "Guarantee.justified_by")
        return self.justified_by

    def __str__(self) -> str:
        """What is justified, then one line per route.

        Examples
        --------
        >>> from identkit import LatentGraph
        >>> from identkit.guarantees import action_route, justify
        >>> g = LatentGraph(Ga=[[1, 0], [0, 1]])
        >>> print(justify(g, "a", [action_route([("a1", True), ("a2", True)], False)]))
        complete disentanglement: justified by Ga
          Theorem 1 on Ga: holds (Assumption 6 (a1) holds, Assumption 6 (a2) holds)
        """
        by = " and ".join("G" + k for k in self.justified_by) or "nothing"
        head = ("complete disentanglement" if self.complete else "partial guarantee"
                if self.justified_by else "no guarantee")
        return "\n".join([f"{head}: justified by {by}"] + [f"  {r}" for r in self.routes])

    def to_dict(self) -> dict:
        return {"regularize": self.regularize, "justified_by": self.justified_by,
                "states": {"G" + k: v for k, v in self.states.items()},
                "routes": [r.to_dict() for r in self.routes],
                "pattern": self.pattern.astype(int).tolist(), "complete": self.complete}


def justify(g: LatentGraph, regularize, routes, undecided_graphs=None) -> Guarantee:
    """Combine the routes into the justified pattern (see module docs).

    Parameters
    ----------
    g : LatentGraph
        The true graphs (derived from the mechanism).
    regularize : str or None
        The regularized learned graphs (None: every graph ``g`` has).
    routes : iterable of Route
    undecided_graphs : dict, optional
        ``{"a" or "z": reason}`` for graphs with entries that could not be decided: their
        pattern is unknown and their assumptions were checked on a graph that may be wrong,
        so their routes become undecided.

    Returns
    -------
    Guarantee

    Examples
    --------
    Example 3 of the paper: ``Ga = I`` and Theorem 1 alone give complete disentanglement,
    whatever ``Gz`` is and even when Assumption 8 fails.

    >>> import identkit as ik
    >>> from identkit.guarantees import action_route, justify, temporal_routes
    >>> g = ik.LatentGraph(Gz=[[1, 1], [0, 1]], Ga=[[1, 0], [0, 1]])
    >>> routes = [action_route([("a1", True), ("a2", True)], discrete=False),
    ...           *temporal_routes(a8=False, k=2)]
    >>> res = justify(g, "az", routes)
    >>> res.justified_by, res.complete, res.states
    ('a', True, {'a': 'holds', 'z': 'fails'})

    Time O(d²) beyond the pattern of :func:`~identkit.entanglement_graph`.
    """
    reg = resolve_regularize(g, regularize)
    undecided_graphs = dict(undecided_graphs or {})
    fixed = []
    for r in routes:
        if r.regularized in undecided_graphs:
            r = Route(r.theorem, r.regularized, UNDECIDED, r.requires,
                      "; ".join(x for x in (undecided_graphs[r.regularized], r.why) if x))
        fixed.append(r)
    states = {x: any_of(r.state for r in fixed if r.regularized == x) for x in reg}
    justified = "".join(x for x in reg if states[x] == HOLDS)
    d = g.n_latents
    pattern = entanglement_graph(g, justified) if justified else np.ones((d, d), dtype=bool)
    complete = bool(np.array_equal(pattern, np.eye(d, dtype=bool)))
    return Guarantee(reg, tuple(fixed), states, justified, pattern, complete)
