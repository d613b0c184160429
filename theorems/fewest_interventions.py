"""The design statement behind ``identkit design`` (Sperner's theorem with Example 12): the
fewest interventions whose targets Ga satisfy the criterion of Assumption 5 for d latents with
only Ga regularized is the smallest m with C(m, ⌊m/2⌋) ≥ d.

With only Ga, the criterion asks that no latent's set of targeting interventions be contained in
another's: the d sets form an antichain of subsets of [m], and Sperner's theorem (not in the
paper) bounds an antichain by C(m, ⌊m/2⌋). Example 12 is the case d = m = 3, and shows that
temporal dynamics can provide the sufficient influence (Assumption 7) that such multi-target
interventions need; the check is of the graph statement only.

Checked exhaustively for small d, in two parts counted apart: the design returned satisfies the
criterion ("m suffice"), and no family of d target patterns over m − 1 interventions does ("no
fewer suffice", brute force over families).
"""

from __future__ import annotations

import itertools

import numpy as np

from identkit._compat import keyword_only
from identkit.entanglement import satisfies_criterion
from identkit.graphs import LatentGraph
from identkit.theorems._evidence import Trial

NAME = "fewest_interventions"
REFERENCE = "Sperner's theorem with Example 12"
STATEMENT = "the fewest interventions for d latents is the smallest m with C(m, ⌊m/2⌋) ≥ d"
PARTS = ("m suffice", "no fewer suffice")


def _fewer_exists(d, m):
    """Is there a family of d Pa_a sets over m actions that satisfies the criterion?"""
    if m == 0:
        return d <= 1
    for fam in itertools.combinations(range(1 << m), d):
        Ga = np.array([[(s >> l) & 1 for l in range(m)] for s in fam], dtype=bool)
        if satisfies_criterion(LatentGraph(Ga=Ga)):
            return True
    return False


@keyword_only("seed", "design")
def check(quick: bool = True, *, seed=0, design=None):
    """Try to refute the design statement (Sperner with Example 12), exhaustively.

    Parameters
    ----------
    quick : bool
        Every d from 2 to 5 (else to 6); deterministic, ``seed`` is accepted for a uniform
        signature.
    seed : int, numpy.random.Generator or None
        Keyword-only; as for every check (see :mod:`identkit.theorems`).
    design : callable
        ``d -> Design``, the design under test (default:
        :func:`identkit.design.design_interventions`).

    Returns
    -------
    Evidence
        Over the two parts of ``PARTS``, one instance of each per d; a counterexample is a d
        whose design fails the criterion, or a family over fewer interventions that passes it.

    Examples
    --------
    >>> from identkit.design import design_interventions
    >>> from identkit.theorems import fewest_interventions
    >>> fewest_interventions.check(quick=True).status
    'holds'
    >>> one_extra = lambda d: design_interventions(d + 2)
    >>> fewest_interventions.check(quick=True, design=one_extra).failed_part
    'no fewer suffice'
    """
    from identkit.design import design_interventions

    design = design or design_interventions
    t = Trial(NAME, REFERENCE, STATEMENT, ("constructed design", "brute force over families"),
              PARTS)
    dmax = 5 if quick else 6
    for d in range(2, dmax + 1):
        des = design(d)
        m = des.n_interventions
        ok = des.graph is not None and satisfies_criterion(des.graph, "a")
        if not t.record(ok, lambda: f"d = {d}: the design does not satisfy the criterion",
                        "m suffice"):
            break
        if not t.record(not _fewer_exists(d, m - 1),
                        lambda: f"d = {d}: {m - 1} interventions already suffice, so {m} is not "
                                "the fewest", "no fewer suffice"):
            break
    t.largest = f"d up to {dmax}"
    return t.done()
