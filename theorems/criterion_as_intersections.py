"""Proposition 11: the criterion in the form of Lachapelle et al. (CLeaR 2022).

Statement: the criterion holds iff for every latent i there are sets I, J ⊆ [d] and L ⊆ [m] with
``(∩_{j∈I} Pa_z(j)) ∩ (∩_{j∈J} Ch_z(j)) ∩ (∩_{l∈L} Ch_a(l)) = {i}``. Checked by brute force over
all triples (I, J, L) against the criterion, on every small model. The directions are counted
apart: a model where brute force finds every latent tests "intersections ⇒ criterion", a model
where it does not tests "criterion ⇒ intersections" (the criterion must fail).
"""

from __future__ import annotations

import itertools

from identkit._compat import keyword_only
from identkit._rng import as_generator
from identkit.entanglement import satisfies_criterion
from identkit.graphs import LatentGraph
from identkit.theorems._common import all_matrices, random_matrix, show
from identkit.theorems._evidence import Trial

NAME = "criterion_as_intersections"
REFERENCE = "Proposition 11"
STATEMENT = "the criterion holds iff every latent is some intersection of Pa_z, Ch_z and Ch_a sets"
PARTS = ("criterion ⇒ intersections", "intersections ⇒ criterion")


def _subsets(n):
    return [s for k in range(n + 1) for s in itertools.combinations(range(n), k)]


def _brute(g):
    d, m = g.n_latents, g.n_actions
    everything = frozenset(range(d))
    pa = [g.parents_z(j) for j in range(d)]
    ch = [g.children_z(j) for j in range(d)]
    cha = [g.children_a(l) for l in range(m)]
    for i in range(d):
        found = False
        for I in _subsets(d):
            A = everything.intersection(*[pa[j] for j in I]) if I else everything
            if i not in A:
                continue
            for J in _subsets(d):
                B = A.intersection(*[ch[j] for j in J]) if J else A
                if i not in B:
                    continue
                for L in _subsets(m):
                    Cset = B.intersection(*[cha[l] for l in L]) if L else B
                    if Cset == {i}:
                        found = True
                        break
                if found:
                    break
            if found:
                break
        if not found:
            return False
    return True


@keyword_only("seed", "criterion")
def check(quick: bool = True, *, seed=0, criterion=satisfies_criterion):
    """Try to refute Proposition 11, comparing the criterion with brute force over (I, J, L).

    Parameters
    ----------
    quick : bool
        Every model with d ≤ 2 and m = 1, and 40 random models with d = 3, m = 2
        (else 400).
    seed : int, numpy.random.Generator or None
        Keyword-only; as for every check (see :mod:`identkit.theorems`).
    criterion : callable
        ``g -> bool``, the criterion under test, in whatever form it computes (default:
        :func:`identkit.entanglement.satisfies_criterion`).

    Returns
    -------
    Evidence
        One instance per model, counted in the direction of ``PARTS`` it tests; a
        counterexample is a model on which the criterion and the brute force disagree.

    Examples
    --------
    >>> from identkit.theorems import criterion_as_intersections
    >>> criterion_as_intersections.check(quick=True).status
    'holds'
    >>> criterion_as_intersections.check(quick=True, criterion=lambda g: False).failed_part
    'intersections ⇒ criterion'
    """
    rng = as_generator(seed)
    t = Trial(NAME, REFERENCE, STATEMENT, ("Assumption 5", "brute force over (I, J, L)"), PARTS)
    models = [LatentGraph(Gz=Gz, Ga=Ga) for d in (1, 2) for Gz in all_matrices(d, d)
              for Ga in all_matrices(d, 1)]
    models += [LatentGraph(Gz=random_matrix(rng, 3, 3), Ga=random_matrix(rng, 3, 2))
               for _ in range(40 if quick else 400)]
    for g in models:
        a, b = bool(criterion(g)), _brute(g)
        if not t.record(a == b, lambda: f"Gz = {show(g.Gz)}, Ga = {show(g.Ga)}: criterion {a},"
                                        f" brute force {b}", PARTS[1] if b else PARTS[0]):
            break
    t.largest = "exhaustive d ≤ 2 with m = 1, random d = 3 with m = 2"
    return t.done()
