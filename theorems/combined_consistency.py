"""Proposition 6 (graph part): combining a- and z-consistency.

Statement: (a, z)-consistency holds iff a-consistency and z-consistency hold. The
proposition's content proper (Appendix A.4.1: the permutations that a- and z-consistency give
may differ, yet one permutation serves both) concerns the entanglement map and is not computed
here. At the level the graphs decide, the combination means (i) the combined pattern is
``C = Ca ∧ Cz`` (Ga-, Gz- and Gzᵀ-preserving, Definition 15) and (ii) the relabelings P with
``Ĝa = P Ga`` and ``Ĝz = P Gz Pᵀ`` together are exactly the common ones: the set for both graphs
is the intersection of the sets for each. Both follow from the definitions, so this checks the
package's combined pattern and relabelings against them, by brute force over permutations, in
three parts counted apart: the combined pattern (every model), and the relabelings of a learned
model that is a relabeled copy (both graphs match, the sets are not empty) or a copy with one
entry of Gz flipped (only Ga matches: the set for both graphs must be empty although the set for
Ga is not).
"""

from __future__ import annotations

import itertools

import numpy as np

from identkit._compat import keyword_only
from identkit._rng import as_generator
from identkit.consistency import relabelings
from identkit.entanglement import entanglement_graph, preserving_pattern
from identkit.graphs import LatentGraph
from identkit.theorems._common import random_matrix, show
from identkit.theorems._evidence import Trial

NAME = "combined_consistency"
REFERENCE = "Proposition 6"
STATEMENT = "a-consistency and z-consistency combine: C = Ca ∧ Cz and the relabelings intersect"
PARTS = ("C = Ca ∧ Cz", "relabelings intersect (both graphs match)",
         "relabelings intersect (only Ga matches)")


def _brute(Gz, Ga, Hz, Ha):
    """The permutations p with ``Hz[p, p] = Gz`` and ``Ha[p] = Ga``, by trying them all."""
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


def _learned(g, rng):
    """A learned model for ``g``: a relabeled copy, and half the time one entry of its Gz
    flipped (so only Ga still matches); returns it with the part of the statement it tests."""
    d = g.n_latents
    h = g.permute(rng.permutation(d))
    if rng.random() >= 0.5:
        return h, PARTS[1]
    Hz = h.Gz.copy()
    i, j = rng.integers(d, size=2)
    Hz[i, j] = not Hz[i, j]  # one edge more or fewer: no relabeling matches Gz any more
    return LatentGraph(Gz=Hz, Ga=h.Ga), PARTS[2]


@keyword_only("seed", "combine", "relabel")
def check(quick: bool = True, *, seed=0, combine=None, relabel=relabelings):
    """Try to refute Proposition 6 (graph part) against brute force over permutations.

    Parameters
    ----------
    quick : bool
        40 random models up to d = 4 (else 300 up to d = 5).
    seed : int, numpy.random.Generator or None
        Keyword-only; as for every check (see :mod:`identkit.theorems`).
    combine : callable, optional
        ``g -> C``, the combined pattern under test (default: ``entanglement_graph(g)``).
    relabel : callable, optional
        ``(g, h, regularize) -> relabelings``, under test (default:
        :func:`identkit.consistency.relabelings`).

    Returns
    -------
    Evidence
        Over the three parts of ``PARTS``: the combined pattern (every model), and the
        relabelings of a relabeled copy (both graphs match) or of a copy whose Gz no longer
        matches (only Ga does).

    Examples
    --------
    >>> from identkit.theorems import combined_consistency
    >>> ev = combined_consistency.check(quick=True)
    >>> ev.status, [n > 0 for _, n in ev.parts]
    ('holds', [True, True, True])
    """
    rng = as_generator(seed)
    combine = combine or (lambda g: entanglement_graph(g))
    t = Trial(NAME, REFERENCE, STATEMENT,
              ("combined pattern", "patterns of each graph (Prop 3)", "brute-force relabelings"),
              PARTS)
    for _ in range(40 if quick else 300):
        d = int(rng.integers(1, 5 if quick else 6))
        Gz = random_matrix(rng, d, d)
        Ga = random_matrix(rng, d, int(rng.integers(1, 3)))
        g = LatentGraph(Gz=Gz, Ga=Ga)
        C = np.asarray(combine(g), dtype=bool)
        expected = preserving_pattern(Ga) & preserving_pattern(Gz) & preserving_pattern(Gz.T)
        if not t.record(np.array_equal(C, expected),
                        lambda: f"Gz = {show(Gz)}, Ga = {show(Ga)}: C = {show(C)}", PARTS[0]):
            break
        h, part = _learned(g, rng)
        both = set(relabel(g, h, "az"))
        each = set(relabel(g, h, "a")) & set(relabel(g, h, "z"))
        brute = _brute(Gz, Ga, h.Gz, h.Ga)
        if not t.record(both == each == brute,
                        lambda: f"Gz = {show(Gz)}, Ga = {show(Ga)}, learned Gz = {show(h.Gz)}: "
                                f"relabelings for both {sorted(both)}, for each {sorted(each)}, "
                                f"brute force {sorted(brute)}", part):
            break
    t.largest = f"d up to {4 if quick else 5}, brute force over permutations"
    return t.done()
