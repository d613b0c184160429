"""Theorems 1-3 in numeric form: graph-preserving maps keep the regularized graphs; under
sufficient influence, a map with a dependency outside the pattern makes one of them denser.

Checked by pushing the sinusoidal mechanism through sampled preserving and violating maps and
measuring the graphs by analytic cross-derivatives, on random models with a random choice of
regularized graphs (a, z or both). The two halves are counted apart:

* "preserving maps keep the regularized graphs" (Definition 11, Lemma 1, Props 4-5): every
  sampled C-preserving map must leave each regularized graph exactly as measured on the
  mechanism (unregularized graphs may change);
* "violating maps make a regularized graph denser" (Theorems 1-3, read contrapositively: a
  learned model with ``‖Ĝ‖₀ ≤ ‖G‖₀`` is consistent): a map with one dependency (i, j) outside
  the pattern of a regularized graph X whose sufficient influence HOLDS by the rank tests of
  ``identkit.numeric.sufficient_influence`` must give X more edges (``‖Ĝ‖₀ > ‖G‖₀``; an edge
  that only moves does not count). For Ga that is Assumption 6 or 7 (Theorems 1, 2); for Gz
  Assumption 8 alone (Theorem 3). Theorem 5's route (Assumptions 10 and 11) is not used: its
  promise is made for learned models of the same exponential family, which a pushforward by a
  nonlinear map is not. Violations of a pattern whose assumption fails or is undecided are
  promised nothing and are not counted.

A sampler that raises is a counterexample, never a skipped instance.
"""

from __future__ import annotations

import numpy as np

from identkit._compat import keyword_only
from identkit._rng import as_generator
from identkit.entanglement import entanglement_graph
from identkit.errors import IdentkitError
from identkit.examples import random_graph
from identkit.theorems._evidence import Trial

NAME = "denser_unless_preserving"
REFERENCE = "Theorems 1, 2, 3 (numeric form)"
STATEMENT = ("preserving maps keep the regularized graphs; with sufficient influence, violating "
             "maps make one of them denser")
PARTS = ("preserving maps keep the regularized graphs",
         "violating maps make a regularized graph denser")


@keyword_only("seed", "preserving_map", "violating_map")
def check(quick: bool = True, *, seed=0, preserving_map=None, violating_map=None):
    """Try to refute Theorems 1-3 numerically.

    Parameters
    ----------
    quick : bool
        12 random models up to d = 6 (else 40 up to d = 8), 3 maps of each kind per model.
    seed : int, numpy.random.Generator or None
        Keyword-only; as for every check (see :mod:`identkit.theorems`).
    preserving_map, violating_map : callable, optional
        ``(g, regularize, seed) -> DiffeoMap`` samplers (defaults: the numeric backend's).

    Returns
    -------
    Evidence
        Over the two halves of ``PARTS``; a counterexample is a model and a sampled map that
        breaks its half, or a violating-map sampler that raised or made no violation.

    Examples
    --------
    >>> from identkit.theorems import denser_unless_preserving
    >>> ev = denser_unless_preserving.check(quick=True)
    >>> ev.status, [n > 0 for _, n in ev.parts]
    ('holds', [True, True])
    """
    from identkit.numeric import (
        GaussianMechanism,
        Pushforward,
        estimate_graph,
        sample_preserving_map,
        sample_violating_map,
        sufficient_influence,
    )

    preserving_map = preserving_map or sample_preserving_map
    violating_map = violating_map or sample_violating_map
    rng = as_generator(seed)
    t = Trial(NAME, REFERENCE, STATEMENT,
              ("analytic pushforward of cross-derivatives", "sampled maps",
               "rank tests of sufficient influence"), PARTS)
    dmax = 6 if quick else 8
    for _ in range(12 if quick else 40):
        d = int(rng.integers(2, dmax + 1))
        g = random_graph(d, kind="both", p=float(rng.uniform(0.2, 0.5)),
                         n_actions=int(rng.integers(1, 4)), seed=rng)
        reg = ("a", "z", "az")[int(rng.integers(3))]
        mech = GaussianMechanism(g, seed=rng)
        base = estimate_graph(mech, n_points=30, seed=rng).matrices()
        influence = sufficient_influence(mech, seed=rng)
        # Theorem 1/2 for Ga; Theorem 3 (Assumption 8) alone for Gz; undecided never counts
        si = {"a": influence.holds_a is True,
              "z": influence.temporal is not None and influence.temporal.holds is True}
        judged = [x for x in "az" if x in reg]
        patterns = {x: entanglement_graph(g, x) for x in judged}
        has_violations = not entanglement_graph(g, reg).all()
        for _ in range(3):
            v = preserving_map(g, reg, seed=rng)
            got = estimate_graph(Pushforward(mech, v), n_points=30, seed=rng).matrices()
            changed = [x for x in judged if not np.array_equal(got[x], base[x])]
            if not t.record(not changed, lambda: f"{g!r}, regularized {reg}: a preserving map "
                                                 f"changed G{changed[0]}", PARTS[0]):
                return t.done()
            if not has_violations:
                continue
            try:
                w = violating_map(g, reg, seed=rng)
            except IdentkitError as exc:
                t.fail(PARTS[1], f"{g!r}, regularized {reg}: the violating-map sampler raised "
                                 f"{type(exc).__name__}: {exc}")
                return t.done()
            i, j = w.violation if w.violation is not None else (None, None)
            if i is None:
                t.fail(PARTS[1], f"{g!r}, regularized {reg}: the violating-map sampler returned "
                                 "a map without a violation")
                return t.done()
            promised = [x for x in judged if si[x] and not patterns[x][i, j]]
            if not promised:
                continue
            got = estimate_graph(Pushforward(mech, w), n_points=30, seed=rng).matrices()
            denser = any(int(got[x].sum()) > int(base[x].sum()) for x in promised)
            if not t.record(denser, lambda: f"{g!r}, regularized {reg}: a violating map at "
                                            f"{(i, j)} left G{promised[0]} as sparse", PARTS[1]):
                return t.done()
    t.largest = f"d up to {dmax}"
    return t.done()
