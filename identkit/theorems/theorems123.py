"""Theorems 1-3 in numeric form: graph-preserving maps keep the graph; under sufficient
influence, a map with a dependency outside the pattern makes the graph denser.

Checked by pushing the sinusoidal mechanism (which has sufficient influence of a, and of z by
the exponential-family route) through sampled preserving and violating maps and measuring the
graphs by analytic cross-derivatives.
"""

from __future__ import annotations

from .._rng import as_generator
from ..examples import random_graph
from ._evidence import Trial

NAME = "theorems1-3"
REFERENCE = "Theorems 1, 2, 3 (numeric form)"
STATEMENT = ("preserving maps keep the graph; with sufficient influence, violating maps make "
             "it denser")


def check(quick: bool = True, seed=0, preserving_map=None, violating_map=None):
    from ..numeric import (
        GaussianMechanism,
        Pushforward,
        estimate_graph,
        sample_preserving_map,
        sample_violating_map,
    )

    preserving_map = preserving_map or sample_preserving_map
    violating_map = violating_map or sample_violating_map
    rng = as_generator(seed)
    t = Trial(NAME, REFERENCE, STATEMENT,
              ("analytic pushforward of cross-derivatives", "sampled maps"))
    dmax = 6 if quick else 8
    for _ in range(10 if quick else 40):
        d = int(rng.integers(2, dmax + 1))
        g = random_graph(d, kind="both", p=float(rng.uniform(0.2, 0.5)),
                         n_actions=int(rng.integers(1, 4)), seed=rng)
        mech = GaussianMechanism(g, seed=rng)
        base = estimate_graph(mech, 30, seed=rng)
        for _ in range(3):
            v = preserving_map(g, seed=rng)
            got = estimate_graph(Pushforward(mech, v), 30, seed=rng)
            if not t.record(got == base, lambda: f"{g!r}: a preserving map changed the graph"):
                return t.done()
            try:
                w = violating_map(g, seed=rng)
            except Exception:
                continue
            grown = estimate_graph(Pushforward(mech, w), 30, seed=rng)
            denser = ((grown.Gz & ~base.Gz).any() if base.Gz is not None else False) or \
                ((grown.Ga & ~base.Ga).any() if base.Ga is not None else False)
            if not t.record(bool(denser), lambda: f"{g!r}: a violating map at {w.violation} "
                                                  "left the graph as sparse"):
                return t.done()
    t.largest = f"d up to {dmax}"
    return t.done()
