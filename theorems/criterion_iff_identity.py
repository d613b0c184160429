"""Proposition 7: the graphical criterion (Assumption 5) holds iff the pattern C is the identity.

This is the graph-level content of Proposition 7. The paper states one direction (under the
criterion, (a, z)-consistency is complete disentanglement) and proves it by showing
"criterion ⇒ C = I" with Lemma 13; the converse, "C = I ⇒ criterion", is not stated there but
follows from the same computation, since by Lemma 13 row i of the largest pattern is exactly the
intersection that the criterion asks to be {i}.

Checked by computing the criterion from the intersections the paper writes (Python sets) and the
pattern from the subset relation of parent and child sets (sparse products), on every pair
(Gz, Ga) with d ≤ 2 and m ≤ 2, every Gz with d = 3, and random larger models. The two
directions are counted apart: a model with C ≠ I tests "criterion ⇒ C = I" (the criterion must
fail), a model with C = I tests "C = I ⇒ criterion".
"""

from __future__ import annotations

import numpy as np

from identkit._compat import keyword_only
from identkit._rng import as_generator
from identkit.entanglement import entanglement_graph, satisfies_criterion
from identkit.graphs import LatentGraph
from identkit.theorems._common import all_matrices, random_matrix, show
from identkit.theorems._evidence import Trial

NAME = "criterion_iff_identity"
REFERENCE = "Proposition 7 (Assumption 5)"
STATEMENT = "the criterion of Assumption 5 holds iff the entanglement pattern C is the identity"
PARTS = ("criterion ⇒ C = I", "C = I ⇒ criterion")


@keyword_only("seed", "criterion")
def check(quick: bool = True, *, seed=0, criterion=satisfies_criterion):
    """Try to refute Proposition 7, comparing the criterion with the pattern C = I.

    Parameters
    ----------
    quick : bool
        Every model with d ≤ 2 and m ≤ 2, every Gz with d = 3, and 30 random models
        up to d = 7 (else 300 up to d = 11).
    seed : int, numpy.random.Generator or None
        Keyword-only; as for every check (see :mod:`identkit.theorems`).
    criterion : callable
        ``g -> bool``, the criterion under test (default:
        :func:`identkit.entanglement.satisfies_criterion`).

    Returns
    -------
    Evidence
        Over the two directions of ``PARTS``; a counterexample is a model on which the
        criterion and ``C = I`` disagree.

    Examples
    --------
    >>> from identkit.theorems import criterion_iff_identity
    >>> criterion_iff_identity.check(quick=True).status
    'holds'
    >>> ev = criterion_iff_identity.check(quick=True, criterion=lambda g: True)
    >>> ev.status, ev.failed_part
    ('refuted', 'criterion ⇒ C = I')
    """
    rng = as_generator(seed)
    t = Trial(NAME, REFERENCE, STATEMENT,
              ("intersections of Assumption 5", "pattern C = I"), PARTS)
    models = [LatentGraph(Gz=Gz, Ga=Ga) for d in (1, 2) for m in (1, 2)
              for Gz in all_matrices(d, d) for Ga in all_matrices(d, m)]
    models += [LatentGraph(Gz=Gz) for Gz in all_matrices(3, 3)]
    models += [LatentGraph(Gz=random_matrix(rng, d, d), Ga=random_matrix(rng, d, 3))
               for d in rng.integers(3, 8 if quick else 12, size=30 if quick else 300)]
    for g in models:
        ident = np.array_equal(entanglement_graph(g), np.eye(g.n_latents, dtype=bool))
        got = bool(criterion(g))
        if not t.record(got == ident, lambda: f"Gz = {show(g.Gz)}, Ga = "
                                              f"{show(g.Ga) if g.Ga is not None else None}: "
                                              f"criterion {got}, C = I {ident}",
                        PARTS[1] if ident else PARTS[0]):
            break
    t.largest = f"exhaustive d ≤ 2 (with m ≤ 2) and Gz with d = 3; random up to d = {max(g.n_latents for g in models)}"
    return t.done()
