"""Proposition 3: the characterization of G-preserving matrices.

Statement, in the matrix form its proof works in (a function is G-preserving when its
dependency graph is, Definition 12): for ``G ∈ {0,1}^{d×n}``, a matrix C satisfies
``Cᵀ R_G ⊆ R_G`` (Definition 11) iff ``C[i, j] ≠ 0`` implies ``row_i(G) ⊆ row_j(G)``. Checked
by comparing the closed-form pattern with the pattern that Definition 11 alone produces (unit
perturbations against random real matrices supported on G), on every G up to 3 × 3 and on
random larger ones, and by checking that random real matrices on the whole pattern satisfy
Definition 11. The two directions are counted apart: "on the pattern ⇒ G-preserving" (no
pattern entry is refused by Definition 11, and a random real matrix on the pattern satisfies
it) and "G-preserving ⇒ on the pattern" (no perturbation that Definition 11 accepts lies off
the pattern).
"""

from __future__ import annotations

import numpy as np

from identkit._compat import keyword_only
from identkit._rng import as_generator
from identkit.entanglement import preserving_pattern
from identkit.theorems._common import all_matrices, def11_pattern, random_matrix, show
from identkit.theorems._evidence import Trial

NAME = "preserving_pattern"
REFERENCE = "Proposition 3 (Definition 11)"
STATEMENT = "C is G-preserving (Cᵀ R_G ⊆ R_G) iff C[i, j] ≠ 0 implies row_i(G) ⊆ row_j(G)"
PARTS = ("on the pattern ⇒ G-preserving", "G-preserving ⇒ on the pattern")


@keyword_only("seed", "pattern")
def check(quick: bool = True, *, seed=0, pattern=preserving_pattern):
    """Try to refute Proposition 3 against Definition 11 alone.

    Parameters
    ----------
    quick : bool
        Every G up to 6 entries and 20 random G up to 6 rows (else up to 9 entries and
        200 random G up to 8 rows).
    seed : int, numpy.random.Generator or None
        Keyword-only; as for every check (see :mod:`identkit.theorems`).
    pattern : callable
        ``G -> C``, the closed form under test (default:
        :func:`identkit.entanglement.preserving_pattern`).

    Returns
    -------
    Evidence
        Over the two directions of ``PARTS``; a counterexample is a G whose closed form has
        an entry Definition 11 refuses, or misses one it accepts.

    Examples
    --------
    >>> import numpy as np
    >>> from identkit.theorems import preserving_pattern
    >>> preserving_pattern.check(quick=True).status
    'holds'
    >>> everything = lambda G: np.ones((G.shape[0], G.shape[0]), dtype=bool)
    >>> preserving_pattern.check(quick=True, pattern=everything).failed_part
    'on the pattern ⇒ G-preserving'
    """
    rng = as_generator(seed)
    t = Trial(NAME, REFERENCE, STATEMENT,
              ("closed-form pattern", "Definition 11 with random real matrices"), PARTS)
    shapes = [(d, n) for d in (1, 2, 3) for n in (1, 2, 3) if d * n <= (6 if quick else 9)]
    cases = [G for d, n in shapes for G in all_matrices(d, n)]
    cases += [random_matrix(rng, int(rng.integers(4, 7 if quick else 9)), int(rng.integers(1, 6)))
              for _ in range(20 if quick else 200)]
    for G in cases:
        P = np.asarray(pattern(G), dtype=bool)
        D = def11_pattern(G, rng)
        if not t.record(not (P & ~D).any(),
                        lambda: f"G = {show(G)}: closed form {show(P)} has entries that Def 11 "
                                f"refuses ({show(D)})", PARTS[0]):
            break
        M = rng.standard_normal(P.shape) * P + np.eye(P.shape[0]) * 3
        A = rng.standard_normal(G.shape) * G
        if not t.record(not np.any((M.T @ A)[~G] != 0),
                        lambda: f"G = {show(G)}: a matrix on the pattern breaks Def 11", PARTS[0]):
            break
        if not t.record(not (D & ~P).any(),
                        lambda: f"G = {show(G)}: Def 11 accepts {show(D)}, off the closed form "
                                f"{show(P)}", PARTS[1]):
            break
    t.largest = f"exhaustive up to {max(d for d, n in shapes)}x{max(n for d, n in shapes)}, random up to {max(G.shape[0] for G in cases)} rows"
    return t.done()
