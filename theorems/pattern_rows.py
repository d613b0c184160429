"""Lemma 13: the allowed row i of a G-preserving map is an intersection of columns of G.

Statement: c is G-preserving iff for every i, ``C[i, ·] ⊆ ∩_{k ∈ G[i, ·]} G[·, k]`` (an empty
intersection is everything). Checked by comparing each row of the pattern with that
intersection, computed with Python sets, on every small G; the two inclusions are counted
apart.
"""

from __future__ import annotations

import numpy as np

from identkit._compat import keyword_only
from identkit._rng import as_generator
from identkit.entanglement import preserving_pattern
from identkit.theorems._common import all_matrices, random_matrix, show
from identkit.theorems._evidence import Trial

NAME = "pattern_rows"
REFERENCE = "Lemma 13"
STATEMENT = "row i of the pattern is the intersection of the columns G[·, k] over k in row i"
PARTS = ("row ⊆ intersection", "intersection ⊆ row")


@keyword_only("seed", "pattern")
def check(quick: bool = True, *, seed=0, pattern=preserving_pattern):
    """Try to refute Lemma 13 row by row, against intersections of Python sets.

    Parameters
    ----------
    quick : bool
        Every G up to 6 entries and 10 random 7x4 G (else up to 9 entries and 100).
    seed : int, numpy.random.Generator or None
        Keyword-only; as for every check (see :mod:`identkit.theorems`).
    pattern : callable
        ``G -> C``, the pattern under test (default:
        :func:`identkit.entanglement.preserving_pattern`).

    Returns
    -------
    Evidence
        Over the two inclusions of ``PARTS``, one instance per row; a counterexample is a row
        of the pattern that differs from its intersection.

    Examples
    --------
    >>> import numpy as np
    >>> from identkit.theorems import pattern_rows
    >>> pattern_rows.check(quick=True).status
    'holds'
    >>> only_diagonal = lambda G: np.eye(G.shape[0], dtype=bool)
    >>> pattern_rows.check(quick=True, pattern=only_diagonal).failed_part
    'intersection ⊆ row'
    """
    rng = as_generator(seed)
    t = Trial(NAME, REFERENCE, STATEMENT, ("pattern", "set intersections of columns"), PARTS)
    cases = [G for d in (1, 2, 3) for n in (1, 2, 3) for G in all_matrices(d, n)
             if d * n <= (6 if quick else 9)]
    cases += [random_matrix(rng, 7, 4) for _ in range(10 if quick else 100)]
    for G in cases:
        P = np.asarray(pattern(G), dtype=bool)
        d = G.shape[0]
        for i in range(d):
            cols = [set(np.flatnonzero(G[:, k]).tolist()) for k in np.flatnonzero(G[i])]
            inter = set(range(d)).intersection(*cols) if cols else set(range(d))
            row = set(np.flatnonzero(P[i]).tolist())
            for part, ok in ((PARTS[0], row <= inter), (PARTS[1], inter <= row)):
                if not t.record(ok, lambda: f"G = {show(G)}, row {i}: pattern {sorted(row)} but "
                                            f"the intersection is {sorted(inter)}", part):
                    return t.done()
    t.largest = "exhaustive up to 3x3, random 7x4"
    return t.done()
