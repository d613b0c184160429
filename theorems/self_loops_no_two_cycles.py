"""Proposition 8: a Gz with all self-loops and no 2-cycles satisfies the criterion (Assumption 5).

The criterion is a statement about the graph; complete disentanglement follows from it by
Proposition 7 only where the theorems' other assumptions (sufficient influence, sparsity
regularization) hold as well. The check reads the criterion through the analysis (the pattern
is the identity, Proposition 7 in graph form), on every such Gz with d ≤ 3 (d ≤ 4 when not quick)
and on random ones up to d = 12 (a random orientation of a random set of pairs, self-loops
forced).
"""

from __future__ import annotations

import itertools

import numpy as np

from identkit._compat import keyword_only
from identkit._rng import as_generator
from identkit.graphs import LatentGraph
from identkit.report import analyze
from identkit.theorems._common import show
from identkit.theorems._evidence import Trial

NAME = "self_loops_no_two_cycles"
REFERENCE = "Proposition 8"
STATEMENT = "Gz with all self-loops and no 2-cycles satisfies the criterion (only Gz regularized)"
PARTS = ("all self-loops and no 2-cycles ⇒ complete",)


def _all(d):
    pairs = list(itertools.combinations(range(d), 2))
    for choice in itertools.product((0, 1, 2), repeat=len(pairs)):
        G = np.eye(d, dtype=bool)
        for (i, j), c in zip(pairs, choice):
            if c == 1:
                G[i, j] = True
            elif c == 2:
                G[j, i] = True
        yield G


@keyword_only("seed", "complete")
def check(quick: bool = True, *, seed=0, complete=lambda g: analyze(g).complete):
    """Try to refute Proposition 8 on every small Gz with self-loops and no 2-cycles.

    Parameters
    ----------
    quick : bool
        Every such Gz up to d = 3 and 30 random ones up to d = 12 (else up to d = 4,
        and 300).
    seed : int, numpy.random.Generator or None
        Keyword-only; as for every check (see :mod:`identkit.theorems`).
    complete : callable
        ``g -> bool``, whether the analysis calls the model completely disentangled
        (default: ``analyze(g).complete``).

    Returns
    -------
    Evidence
        Over the one part of ``PARTS``; a counterexample is such a Gz that the analysis does
        not call completely disentangled.

    Examples
    --------
    >>> from identkit.theorems import self_loops_no_two_cycles
    >>> self_loops_no_two_cycles.check(quick=True).status
    'holds'
    >>> self_loops_no_two_cycles.check(quick=True, complete=lambda g: False).counterexample
    'Gz = [[1]] is not complete'
    """
    rng = as_generator(seed)
    t = Trial(NAME, REFERENCE, STATEMENT, ("analysis of the pattern",), PARTS)
    cases = [G for d in range(1, 4 if quick else 5) for G in _all(d)]
    for _ in range(30 if quick else 300):
        d = int(rng.integers(2, 13))
        G = np.eye(d, dtype=bool)
        for i, j in itertools.combinations(range(d), 2):
            r = rng.random()
            if r < 0.3:
                G[i, j] = True
            elif r < 0.6:
                G[j, i] = True
        cases.append(G)
    for G in cases:
        if not t.record(bool(complete(LatentGraph(Gz=G))), lambda: f"Gz = {show(G)} is not complete"):
            break
    t.largest = f"exhaustive d ≤ {3 if quick else 4}, random up to d = 12"
    return t.done()
