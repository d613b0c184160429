"""Proposition 6 (graph part): combining a- and z-consistency.

Statement: (a, z)-consistency holds iff a-consistency and z-consistency hold. At the level the
graphs decide, this means (i) the combined pattern is ``C = Ca ∧ Cz`` and (ii) the relabelings P
with ``Ĝa = P Ga`` and ``Ĝz = P Gz Pᵀ`` together are exactly the common ones: the set for both
graphs is the intersection of the sets for each. Checked against brute force over permutations.
"""

from __future__ import annotations

import itertools

import numpy as np

from .._rng import as_generator
from ..consistency import relabelings
from ..entanglement import entanglement_graph, preserving_pattern
from ..graphs import LatentGraph
from ._common import random_matrix, show
from ._evidence import Trial

NAME = "prop6"
REFERENCE = "Proposition 6"
STATEMENT = "a-consistency and z-consistency combine: C = Ca ∧ Cz and the relabelings intersect"


def _brute(Gz, Ga, Hz, Ha):
    d = (Gz if Gz is not None else Ga).shape[0]
    out = set()
    for p in itertools.permutations(range(d)):
        p = np.array(p)
        ok = True
        if Gz is not None:
            ok &= bool((Hz[np.ix_(p, p)] == Gz).all())
        if Ga is not None:
            ok &= bool((Ha[p] == Ga).all())
        if ok:
            out.add(tuple(p.tolist()))
    return out


def check(quick: bool = True, seed=0, combine=None):
    rng = as_generator(seed)
    combine = combine or (lambda g: entanglement_graph(g))
    t = Trial(NAME, REFERENCE, STATEMENT,
              ("combined pattern", "patterns of each graph (Prop 3)", "brute-force relabelings"))
    for _ in range(40 if quick else 300):
        d = int(rng.integers(1, 5 if quick else 6))
        Gz = random_matrix(rng, d, d)
        Ga = random_matrix(rng, d, int(rng.integers(1, 3)))
        g = LatentGraph(Gz=Gz, Ga=Ga)
        C = np.asarray(combine(g), dtype=bool)
        expected = preserving_pattern(Ga) & preserving_pattern(Gz) & preserving_pattern(Gz.T)
        if not t.record(np.array_equal(C, expected),
                        lambda: f"Gz = {show(Gz)}, Ga = {show(Ga)}: C = {show(C)}"):
            break
        p = rng.permutation(d)
        h = g.permute(p)
        if rng.random() < 0.5:  # sometimes a learned graph that only one side matches
            Hz = h.Gz.copy()
            i, j = rng.integers(d, size=2)
            Hz[i, j] = not Hz[i, j]
            h = LatentGraph(Gz=Hz, Ga=h.Ga)
        both = set(relabelings(g, h, "az"))
        each = set(relabelings(g, h, "a")) & set(relabelings(g, h, "z"))
        if not t.record(both == each == _brute(Gz, Ga, h.Gz, h.Ga),
                        lambda: f"Gz = {show(Gz)}, Ga = {show(Ga)}: relabelings differ"):
            break
    t.largest = "d up to 5, brute force over permutations"
    return t.done()
