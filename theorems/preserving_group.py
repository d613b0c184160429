"""Propositions 4 and 5: invertible G-preserving matrices form a group.

Statement: products and inverses of invertible G-preserving matrices are G-preserving
(Proposition 4, the matrix form). Proposition 5, the same for G-preserving diffeomorphisms under
composition, follows from it through Lemma 1 and the chain rule; that step is not computed here.
Checked
exactly with sympy: a matrix with one independent symbol on each entry of the pattern (a generic
element), the product of two such matrices and the adjugate (so the inverse) of one have no
nonzero polynomial outside the pattern, and the identity lies in the pattern. The three parts
(products, inverses, identity) are counted apart; ``inverse`` is the route that computes the
inverse up to its determinant (the adjugate), so a test can hand it a wrong one.
"""

from __future__ import annotations

import numpy as np
import sympy

from identkit._compat import keyword_only
from identkit._rng import as_generator
from identkit.entanglement import preserving_pattern
from identkit.theorems._common import random_matrix, show
from identkit.theorems._evidence import Trial

NAME = "preserving_group"
REFERENCE = "Propositions 4-5"
STATEMENT = ("products and inverses of invertible G-preserving matrices are G-preserving "
             "(a group)")
PARTS = ("products", "inverses", "identity")


def _generic(P, prefix):
    d = P.shape[0]
    return sympy.Matrix(d, d, lambda i, j: sympy.Symbol(f"{prefix}{i}_{j}") if P[i, j] else 0)


def _adjugate(A):
    return A.adjugate()


@keyword_only("seed", "pattern", "inverse")
def check(quick: bool = True, *, seed=0, pattern=preserving_pattern, inverse=_adjugate):
    """Try to refute Propositions 4-5 exactly, with generic sympy matrices.

    Parameters
    ----------
    quick : bool
        12 random G up to 4 rows (else 60 up to 5).
    seed : int, numpy.random.Generator or None
        Keyword-only; as for every check (see :mod:`identkit.theorems`).
    pattern : callable
        ``G -> C``, the pattern under test (default:
        :func:`identkit.entanglement.preserving_pattern`).
    inverse : callable
        ``sympy.Matrix -> sympy.Matrix``, the inverse up to its determinant (default: the
        adjugate).

    Returns
    -------
    Evidence
        Over the three parts of ``PARTS`` (products, inverses, identity); a counterexample is a
        G and the first entry off its pattern.

    Examples
    --------
    >>> from identkit.theorems import preserving_group
    >>> ev = preserving_group.check(quick=True)
    >>> ev.status, preserving_group.PARTS
    ('holds', ('products', 'inverses', 'identity'))
    >>> preserving_group.check(quick=True, inverse=lambda A: A.adjugate().T).failed_part
    'inverses'
    """
    rng = as_generator(seed)
    t = Trial(NAME, REFERENCE, STATEMENT, ("exact sympy products", "exact adjugates"), PARTS)
    n_cases = 12 if quick else 60
    dmax = 4 if quick else 5
    for _ in range(n_cases):
        d = int(rng.integers(2, dmax + 1))
        G = random_matrix(rng, d, int(rng.integers(1, 4)))
        P = np.asarray(pattern(G), dtype=bool)
        A, B = _generic(P, "a"), _generic(P, "b")
        prod = (A * B).expand()
        outside = [(i, j) for i in range(d) for j in range(d) if not P[i, j] and prod[i, j] != 0]
        if not t.record(not outside, lambda: f"G = {show(G)}: the product leaves the pattern at "
                                             f"{outside[0]}", "products"):
            break
        adj = inverse(A)
        outside = [(i, j) for i in range(d) for j in range(d)
                   if not P[i, j] and sympy.expand(adj[i, j]) != 0]
        if not t.record(not outside, lambda: f"G = {show(G)}: the inverse leaves the pattern at "
                                             f"{outside[0]}", "inverses"):
            break
        if not t.record(bool(np.all(np.diag(P))), lambda: f"G = {show(G)}: the identity is not "
                                                          "in the pattern", "identity"):
            break
    t.largest = f"generic {dmax}x{dmax} matrices"
    return t.done()
