"""Experiment design: the fewest interventions that guarantee complete disentanglement, and the
smallest set of added interventions that repairs a model that does not.

The facts used (paper §3.4 and §3.9, Examples 12 and 13):

* When only the action graph is regularized, the criterion holds iff the action-parent sets
  ``Pa_a(i)`` are pairwise incomparable: an *antichain* of subsets of the m interventions.
* **The setting** (:func:`resolve_setting`) is one explicit choice for both design and repair,
  with one default (temporal), and every result states it and why.
* **With temporal dynamics** (T > 1; Example 12 shows time supplies the variability that
  multi-target interventions need), Sperner's theorem says an antichain in the subsets of [m]
  has at most ``C(m, ⌊m/2⌋)`` members (the LYM inequality ``Σ 1/C(m, |S|) ≤ 1`` proves it), so
  the fewest interventions for d latents is the smallest m with ``C(m, ⌊m/2⌋) ≥ d``; giving
  each latent its own ⌊m/2⌋-subset attains it.
* **Without time** (T = 1), an intervention group l needs ``|T_l|`` distinct interventions for
  sufficient influence (Example 13, Remark 6), so a design costs ``Σ_l |T_l| = Σ_i |Pa_a(i)|``
  interventions; an antichain of d ≥ 2 sets has no empty member, so the cost is at least d, and d
  single-target interventions attain it.
* **With at most K targets per intervention** the fewest interventions is the smallest m whose
  *capacity* (the largest antichain on [m] with every element in at most K sets,
  :func:`capped_capacity`) reaches d; the capacity grows with m. It is known exactly in three
  cases: K = 1 (disjoint sets: m); m ≥ K + 1 (``⌊K m/2⌋``: a singleton {l} owns element l and
  every other set has two or more, so ``2 d ≤ K m``, and the edges of a simple graph with
  degrees ≤ K attain it; for K = 2 this is the count "m ≥ d"); and K ≥ C(m-1, ⌊m/2⌋-1), where
  the whole middle layer meets the cap. The rest (m ≤ K only) is solved by an integer program
  for m ≤ ``MILP_LIMIT``, or left with a stated gap between proven bounds.
* **Repair.** New interventions are new columns, and after a repair the whole learned action
  graph, existing columns included, is regularized. So a pair stays entangled iff it is
  entangled in the model with the existing action graph regularized *and* ``A_i ⊆ A_j`` for the
  new parent sets A. A repair must therefore give every such pair (i, j) sets with
  ``A_i ⊄ A_j``. Sets drawn from one layer of the subsets of [m] satisfy this whenever they
  differ, so a proper colouring of the *conflict graph* (latents, joined when entangled in
  either direction) with at most ``C(m, ⌊m/2⌋)`` colours is a repair with m interventions; each
  block of C-twins is a clique whose sets must be pairwise incomparable, which gives the lower
  bound. Small components are solved exactly by search.

Every design and repair is re-checked with :func:`identkit.analyze` before it is returned.
"""

from __future__ import annotations

import functools
import heapq
import itertools
import math
import time
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from .entanglement import entanglement_pairs, resolve_regularize
from .errors import GraphError, IdentkitError, RepairError
from .graphs import LatentGraph, quote_name
from .report import EntanglementReport, analyze

__all__ = [
    "Design",
    "Repair",
    "RepairError",
    "sperner_minimum",
    "capped_capacity",
    "resolve_setting",
    "design_interventions",
    "repair",
    "parse_latents",
    "parse_intervenable",
    "MAX_LATENTS",
]




def sperner_minimum(n: int) -> int:
    """The smallest m with ``C(m, ⌊m/2⌋) ≥ n``: the fewest sets that carry an antichain of n.

    Examples
    --------
    >>> from identkit.design import sperner_minimum
    >>> [sperner_minimum(n) for n in (1, 2, 3, 4, 6, 7, 100, 10_000)]
    [0, 2, 3, 4, 4, 5, 9, 16]

    Notes
    -----
    O(log n) binomial evaluations.
    """
    if n <= 1:
        return 0
    m = 1
    while math.comb(m, m // 2) < n:
        m += 1
    return m


@dataclass(frozen=True)
class Design:
    """An intervention design with its certificate.

    Attributes
    ----------
    targets : tuple of tuple of str
        One target set (latent names) per intervention.
    graph : LatentGraph or None
        The model the design gives (``Ga`` from the targets); None when no intervention is
        needed (d = 1).
    cost : int
        What the design costs: the number of interventions, or in the static setting the
        number of interventions performed, ``Σ_l |T_l|`` (Example 13).
    lower_bound : int
        A proven lower bound on the cost of any design that satisfies the criterion (under the
        same setting and cap).
    optimal : bool
        True when ``cost == lower_bound``.
    certificate : str
        Every argument used: why no cheaper design exists, and how this one is built.
    temporal : bool
        The setting the design was made for: True when temporal dynamics supply the variability
        multi-target interventions need (Example 12), False for i.i.d. data (T = 1).
    setting_reason : str
        Why that setting was used (the caller's choice, or the default).
    """

    targets: tuple
    graph: LatentGraph | None
    cost: int
    lower_bound: int
    optimal: bool
    certificate: str
    temporal: bool = True
    setting_reason: str = ""

    @property
    def n_interventions(self) -> int:
        """The number of distinct target sets (action columns)."""
        return len(self.targets)

    @property
    def gap(self) -> int:
        """``cost - lower_bound``: 0 when the design is proven optimal."""
        return self.cost - self.lower_bound

    def to_dict(self) -> dict:
        return {
            "setting": "temporal" if self.temporal else "static",
            "setting_reason": self.setting_reason,
            "interventions": [list(t) for t in self.targets],
            "n_interventions": self.n_interventions,
            "cost": self.cost,
            "lower_bound": self.lower_bound,
            "optimal": self.optimal,
            "gap": self.gap,
            "certificate": self.certificate,
        }

    def __str__(self) -> str:
        status = ("proven optimal" if self.optimal else
                  f"NOT proven optimal: the gap is at most {self.gap}")
        lines = [f"Setting: {_setting_text(self.temporal, self.setting_reason)}",
                 f"{self.n_interventions} interventions (cost {self.cost}; proven lower bound "
                 f"{self.lower_bound}; {status})"]
        for t in self.targets:
            lines.append(f"  do({', '.join(quote_name(x) for x in t)})")
        lines.append("Certificate: " + self.certificate)
        return "\n".join(lines)


def _setting_text(temporal: bool, reason: str) -> str:
    what = ("temporal (T > 1: the dynamics supply the variability multi-target interventions "
            "need, Example 12)" if temporal else
            "static (T = 1: a target group l needs |T_l| interventions, Example 13)")
    return f"{what}; {reason}" if reason else what


def resolve_setting(temporal: bool | None, g: LatentGraph | None = None) -> tuple[bool, str]:
    """The setting :func:`design_interventions` and :func:`repair` use, and why.

    Both default the same way: temporal, the setting of the paper's Example 12, in which
    multi-target interventions can have sufficient influence. An explicit choice always wins.

    Parameters
    ----------
    temporal : bool or None
        True (temporal dynamics, T > 1), False (i.i.d. data, T = 1) or None (the default).
    g : LatentGraph, optional
        The model being repaired; only used to warn when the default meets a model without a
        temporal graph.

    Returns
    -------
    (bool, str)
        The setting and the reason, as printed by both commands.

    Raises
    ------
    GraphError
        If ``temporal`` is not a bool or None.

    Examples
    --------
    >>> from identkit.design import resolve_setting
    >>> resolve_setting(False)
    (False, 'chosen by the caller')
    >>> resolve_setting(None)[0]
    True
    """
    if temporal is None:
        reason = ("the default, as for every design and repair; pass temporal=False "
                  "(--static) for i.i.d. data")
        if g is not None and g.Gz_sparse is None:
            reason += ("; note that the model has no temporal graph, so check that the data "
                       "really have temporal dynamics")
        return True, reason
    if not isinstance(temporal, (bool, np.bool_)):
        raise GraphError(f"temporal must be True, False or None, got {temporal!r}")
    return bool(temporal), "chosen by the caller"


#: The most latents a latent spec (:func:`parse_latents`) may ask a design for.
MAX_LATENTS = 10**6
#: What a design may hold in memory by default (bytes), as :data:`identkit.io.MAX_MEMORY`.
DESIGN_MEMORY = 2 * 2**30


def parse_latents(text: str):
    """A latent spec as the command line's ``design --latents`` takes it: a count or names.

    Parameters
    ----------
    text : str
        A decimal count from 1 to :data:`MAX_LATENTS` (``"3"``, ``"+3"``), or comma-separated
        names (``"ball, robot"``; blanks around a name and empty items are dropped).

    Returns
    -------
    int or list of str
        What :func:`design_interventions` takes as its first argument.

    Raises
    ------
    GraphError
        If a count is out of range or not an ASCII integer, or no name is given. (Duplicate
        or bad names are refused by :func:`design_interventions`, as for any list of names.)

    Examples
    --------
    >>> from identkit.design import parse_latents
    >>> parse_latents("3"), parse_latents(" ball, robot ,")
    (3, ['ball', 'robot'])
    >>> parse_latents("0")
    Traceback (most recent call last):
    ...
    identkit.errors.GraphError: 0 is out of range: give an integer from 1 to 1000000
    """
    if isinstance(text, bool) or not isinstance(text, (str, int)):
        raise GraphError(f"a latent spec is a count or comma-separated names, got {text!r}")
    t = str(text).strip()
    if t.lstrip("+-").isdigit():
        if not t.isascii() or len(t) > 30 or len(t) - len(t.lstrip("+-")) > 1:
            raise GraphError(f"{t!r} is not an integer")
        n = int(t)
        if not 1 <= n <= MAX_LATENTS:
            raise GraphError(f"{n} is out of range: give an integer from 1 to {MAX_LATENTS}")
        return n
    names = [x.strip() for x in t.split(",") if x.strip()]
    if not names:
        raise GraphError(f"{text!r} is neither a number of latents nor a comma-separated list "
                         "of names")
    return names


def parse_intervenable(text: str | None):
    """The command line's ``repair --intervenable`` text as :func:`repair` takes it.

    ``None`` or ``""`` gives None (every latent may be targeted); otherwise the comma-separated
    names, blanks around them and empty items dropped (so ``","`` allows none). Anything but
    a str or None is refused with :class:`~identkit.errors.GraphError`.

    Examples
    --------
    >>> from identkit.design import parse_intervenable
    >>> parse_intervenable("z1, z2,"), parse_intervenable("")
    (['z1', 'z2'], None)

    Raises
    ------
    GraphError
        For anything but None or a string (as :func:`parse_latents` refuses non-text).
    """
    if text is None:
        return None
    if not isinstance(text, str):
        raise GraphError(f"intervenable: comma-separated latent names are a str, got "
                         f"{type(text).__name__} {text!r}")
    if not text:
        return None
    return [x.strip() for x in text.split(",") if x.strip()]


def _check(graph: LatentGraph, regularize: str) -> EntanglementReport:
    report = analyze(graph, regularize)
    if not report.complete:  # the function checks its own output
        raise IdentkitError(
            "internal error: the constructed design does not satisfy the criterion; please "
            "report this with the inputs"
        )
    return report


def _latent_names(n_latents, latents):
    if not isinstance(n_latents, (int, np.integer)) or isinstance(n_latents, bool) \
            or n_latents < 1:
        raise GraphError(f"n_latents must be a positive integer, got {n_latents!r}")
    if latents is None:
        return [f"z{k + 1}" for k in range(n_latents)]
    latents = list(latents)
    if len(latents) != n_latents:
        raise GraphError(f"latents has {len(latents)} names but n_latents is {n_latents}")
    LatentGraph(Ga=np.ones((n_latents, 1)), latents=latents)  # validates the names
    return latents


# ------------------------------------------------------------------- capped designs
#
# A design with m interventions and at most K targets each is a family of d subsets of [m]
# (the sets Pa_a(i)) that is an antichain and in which every element lies in at most K sets.
# ``capped_capacity(m, K)`` is the largest such family; the fewest interventions for d latents
# is the smallest m whose capacity reaches d (the capacity grows with m).

#: The integer program decides the capacity exactly when m is at most this (m = 7 takes up to
#: about 2 s, m = 8 up to 20 s, m = 10 over a minute; see benchmarks/bench_design.py).
MILP_LIMIT = 7


def _graph_family(m: int, K: int, n: int) -> list:
    """n distinct pairs of range(m) with every element in at most K pairs (n ≤ ⌊K m/2⌋,
    K ≤ m - 1): a simple graph with the most balanced degree sequence, built by Havel–Hakimi.

    A sequence of degrees that differ by at most one, with even sum and maximum ≤ m - 1, is
    graphical; Havel–Hakimi (join the vertex of largest remaining degree to the next largest
    ones) realises every graphical sequence. O(n log m) with a heap.
    """
    q, r = divmod(2 * n, m)
    heap = [(-(q + 1 if v < r else q), v) for v in range(m)]
    heapq.heapify(heap)
    pairs = []
    while heap:
        rem, v = heapq.heappop(heap)
        rem = -rem
        if rem == 0:
            break
        if len(heap) < rem:
            raise IdentkitError("internal error: degree sequence not graphical; please report "
                                f"m = {m}, K = {K}, n = {n}")
        partners = [heapq.heappop(heap) for _ in range(rem)]
        for pr, u in partners:
            pairs.append((min(u, v), max(u, v)))
            if pr + 1 < 0:
                heapq.heappush(heap, (pr + 1, u))
    return pairs


@functools.lru_cache(maxsize=64)
def _layer_greedy(m: int, K: int) -> tuple:
    """A large capped antichain found greedily: for each size s, the s-subsets of range(m) in
    lexicographic order, kept while every element is in fewer than K kept sets; the best s."""
    best = []
    for s in range(1, m // 2 + 1):
        deg = [0] * m
        fam = []
        for c in itertools.combinations(range(m), s):
            if all(deg[e] < K for e in c):
                fam.append(c)
                for e in c:
                    deg[e] += 1
        if len(fam) > len(best):
            best = fam
    return tuple(best)


def _lp_capacity(m: int, K: int) -> int:
    """An upper bound on the capacity: the linear relaxation of the LYM inequality
    Σ_s n_s / C(m, s) ≤ 1 with the degree count Σ_s s n_s ≤ K m (n_s sets of size s)."""
    from scipy.optimize import linprog

    sizes = np.arange(1, m + 1, dtype=float)
    inv = np.array([1.0 / math.comb(m, int(s)) for s in sizes])
    res = linprog(c=-np.ones(m), A_ub=[inv, sizes], b_ub=[1.0, float(K * m)], bounds=(0, None),
                  method="highs")
    if res.status != 0:
        raise IdentkitError(f"internal error: the LP bound failed for m = {m}, K = {K}")
    return int(math.floor(-res.fun + 1e-7))


@functools.lru_cache(maxsize=64)
def _milp_capacity(m: int, K: int):
    """The capacity by an integer program over all nonempty subsets of range(m), or None.

    One 0/1 variable per subset; at most K chosen sets per element; ``x_S + x_T ≤ 1`` for every
    proper inclusion S ⊂ T; the LYM inequality as a valid cut. ``scipy.optimize.milp`` (HiGHS)
    proves the optimum (status 0). 2^m variables and about 3^m constraints.
    """
    from scipy.optimize import Bounds, LinearConstraint, milp

    full = (1 << m) - 1
    subs = np.arange(1, full + 1)
    rows, cols = [], []
    for s in range(1, full + 1):
        comp = full & ~s
        t = comp
        while t:  # every proper superset s | t
            rows.append(len(rows) // 2)
            rows.append(rows[-1])
            cols += [s - 1, (s | t) - 1]
            t = (t - 1) & comp
    n_pairs = len(rows) // 2
    A_pair = sp.csr_array((np.ones(len(rows)), (rows, cols)), shape=(n_pairs, full))
    member = ((subs[None, :] >> np.arange(m)[:, None]) & 1).astype(float)
    popcount = member.sum(axis=0).astype(int)
    lym = np.array([[1.0 / math.comb(m, int(k)) for k in popcount]])
    cons = [LinearConstraint(A_pair, -np.inf, 1), LinearConstraint(member, -np.inf, K),
            LinearConstraint(lym, -np.inf, 1)]
    res = milp(-np.ones(full), constraints=cons, integrality=np.ones(full), bounds=Bounds(0, 1))
    if res.status != 0:
        return None
    chosen = [int(s) for s, x in zip(subs, res.x) if x > 0.5]
    sets = tuple(tuple(e for e in range(m) if (s >> e) & 1) for s in chosen)
    return len(sets), sets


def _comb_upto(n: int, k: int, cap: int) -> int:
    """``min(C(n, k), cap + 1)`` without computing a huge binomial: the running products
    C(n-k+i, i), i = 1..k, are exact integers and increase, so stop once one exceeds cap."""
    if k < 0 or k > n:
        return 0
    k = min(k, n - k)
    c = 1
    for i in range(1, k + 1):
        c = c * (n - k + i) // i
        if c > cap:
            return cap + 1
    return c


#: The greedy lower construction runs only when the middle layer has at most this many sets;
#: above it the family of all pairs (valid when m ≤ K) is used.
_GREEDY_LIMIT = 50_000


def _capacity(m: int, K: int, n: int | None = None, milp_limit: int = MILP_LIMIT,
              need_upper: bool = True):
    """``(lower, upper, argument, family)`` for the capacity of [m] under the cap K.

    ``upper`` is proven (no capped antichain has more sets; -1 when ``need_upper`` is False in
    the ``"bounds"`` case), ``family`` is a capped antichain of ``min(n, lower)`` sets (n
    defaults to ``lower``), and ``argument`` names the reasoning:

    * ``"disjoint"`` (K = 1): the sets are disjoint and nonempty, so at most m; singletons.
    * ``"degree"`` (m ≥ K + 1): at most ⌊K m/2⌋ sets (a singleton {l} owns element l, the
      other sets have ≥ 2 elements, and all memberships number ≤ K m), met by the pairs of a
      simple graph with degrees ≤ K.
    * ``"sperner"``: K ≥ C(m-1, ⌊m/2⌋-1), so the whole middle layer meets the cap; Sperner.
    * ``"milp"``: the integer program proved the optimum.
    * ``"bounds"``: none of the above (m ≤ K); ``upper`` from Sperner, the degree count and the
      LP, and ``lower`` from a greedy family or all pairs (they may differ).
    """
    h = m // 2
    pairs = False
    if K == 1 and m >= 1:
        lower = upper = m
        fam = [(e,) for e in range(m)]
        arg = "disjoint"
    elif m >= K + 1:  # checked first: C(m - 1, h - 1) is huge for large m
        lower = upper = (K * m) // 2
        fam = None
        arg = "degree"
    elif m <= 1 or _comb_upto(m - 1, h - 1, K) <= K:
        lower = upper = math.comb(m, h)
        fam = None
        arg = "sperner"
    else:
        res = _milp_capacity(m, K) if m <= milp_limit else None
        if res is not None:
            lower = upper = res[0]
            fam, arg = res[1], "milp"
        else:
            arg, upper = "bounds", -1
            if need_upper:
                big = (K * m) // 2
                upper = min(_comb_upto(m, h, big), big)
                if m <= 60:
                    upper = min(upper, _lp_capacity(m, K))
            if _comb_upto(m, h, _GREEDY_LIMIT) <= _GREEDY_LIMIT:
                fam = _layer_greedy(m, K)
                lower = len(fam)
            else:  # all pairs: each element is in m - 1 < K of them
                lower, pairs = math.comb(m, 2), True
    want = lower if n is None else min(n, lower)
    if arg == "sperner" or pairs:
        fam = list(itertools.islice(itertools.combinations(range(m), 2 if pairs else h), want))
    elif arg == "degree":
        fam = _graph_family(m, K, want)
    else:
        fam = list(fam[:want])
    return lower, upper, arg, fam


def capped_capacity(m: int, K: int, milp_limit: int = MILP_LIMIT) -> tuple[int, int, str]:
    """The most latents m interventions with at most K targets each can disentangle.

    That is the largest antichain of subsets of [m] in which every element lies in at most K
    sets (with only the action graph regularized the criterion asks exactly for the sets
    ``Pa_a(i)`` to be an antichain).

    Parameters
    ----------
    m : int
        The number of interventions (m ≥ 0).
    K : int
        The most targets per intervention (K ≥ 1).
    milp_limit : int, default MILP_LIMIT
        Solve the integer program only when m is at most this.

    Returns
    -------
    (lower, upper, argument)
        A capped antichain of ``lower`` sets exists, none of ``upper + 1`` does, and
        ``argument`` names the proof: ``"disjoint"`` (K = 1), ``"sperner"`` (the cap does not
        bind: K ≥ C(m-1, ⌊m/2⌋-1)), ``"degree"`` (m ≥ K + 1: exactly ⌊K m/2⌋), ``"milp"``
        (integer program) or ``"bounds"`` (lower < upper possible).

    Examples
    --------
    With two targets per intervention, m interventions disentangle at most m latents:

    >>> from identkit.design import capped_capacity
    >>> [capped_capacity(m, 2)[0] for m in range(1, 8)]
    [1, 2, 3, 4, 5, 6, 7]
    >>> capped_capacity(6, 3)
    (9, 9, 'degree')
    >>> capped_capacity(4, 5)
    (6, 6, 'sperner')

    Notes
    -----
    O(1) except for the integer program (2^m variables, ~3^m constraints; m = 8 takes seconds)
    and, in the ``"bounds"`` case, a greedy pass over the subsets of [m] of size ≤ m/2.
    """
    for name, v, lo in (("m", m, 0), ("K", K, 1)):
        if not isinstance(v, (int, np.integer)) or isinstance(v, bool) or v < lo:
            raise GraphError(f"{name} must be an integer >= {lo}, got {v!r}")
    lower, upper, arg, _ = _capacity(int(m), int(K), 0, milp_limit)
    return lower, upper, arg


_WHY_UPPER = {
    "disjoint": "each intervention targets one latent, so the sets Pa_a(i) are disjoint and "
                "nonempty: at most m of them",
    "sperner": "Sperner's theorem: at most C(m, ⌊m/2⌋) sets",
    "degree": "the degree count: a singleton {l} owns intervention l, every other set has at "
              "least two members, and the memberships number at most K m, so at most ⌊K m/2⌋ "
              "sets",
    "milp": "an integer program over all subsets of [m] (scipy.optimize.milp, proven optimum)",
    "bounds": "the smallest of Sperner's bound, the degree count ⌊K m/2⌋ and the LP relaxation "
              "of the LYM inequality with the degree count",
}

_HOW_BUILT = {
    "disjoint": "one single-target intervention per latent",
    "sperner": "the first d of the ⌊m/2⌋-subsets of the m interventions in lexicographic order "
               "(each intervention is in at most C(m-1, ⌊m/2⌋-1) ≤ K of them)",
    "degree": "d distinct pairs of the m interventions, the edges of a simple graph with "
              "degrees at most K (Havel–Hakimi on the most balanced degree sequence)",
    "milp": "d sets of the integer program's optimal family",
    "bounds": "d sets of a greedy family of equal-size subsets",
}


def _capped_design(d: int, K: int, milp_limit: int = MILP_LIMIT):
    """(sets, lower bound, certificate) for d ≥ 2 latents and at most K targets each."""
    m0 = max(sperner_minimum(d), 1)
    lb, m, refuted = None, m0, None
    while True:
        if lb is None and m >= K + 1 and (m if K == 1 else (K * m) // 2) < d:
            # a closed form decides every m > K: jump to the first m whose capacity (m for
            # K = 1, else ⌊K m/2⌋) reaches d
            m = d if K == 1 else -(-2 * d // K)
            refuted = (m - 1, m - 1 if K == 1 else (K * (m - 1)) // 2,
                       "disjoint" if K == 1 else "degree")
        lower, upper, arg, _ = _capacity(m, K, 0, milp_limit, need_upper=lb is None)
        if lb is None:
            if upper >= d:
                lb = m
            else:
                refuted = (m, upper, arg)
        if lower >= d:
            break
        m += 1
    fam = _capacity(m, K, d, milp_limit)[3]
    # the capacity grows with m (a capped antichain on [m] is one on [m + 1]), so refuting
    # m = lb - 1 refutes every smaller m
    if refuted is None:
        parts = [f"Sperner: C({m0 - 1}, {(m0 - 1) // 2}) = {math.comb(m0 - 1, (m0 - 1) // 2)} "
                 f"< d = {d}, so fewer than {m0} interventions cannot carry d pairwise "
                 f"incomparable sets Pa_a(i), even without a cap."]
    else:
        mr, u, a = refuted
        parts = [f"With m = {mr} interventions of at most K = {K} targets each, {_WHY_UPPER[a]}: "
                 f"at most {u} < d = {d} sets; fewer interventions carry no more (a family on m "
                 f"interventions is one on m + 1)."]
    parts.append(f"So at least {lb} interventions are needed.")
    parts.append(f"The design uses {m}: {_HOW_BUILT[arg]}.")
    if m > lb:
        parts.append(f"Optimality is NOT established: the optimum lies between {lb} and {m} "
                     f"(gap {m - lb}): for m = {lb}" + (f"..{m - 1}" if m - 1 > lb else "")
                     + " no family of d sets was found, and none was ruled out.")
    return fam, lb, " ".join(parts)


def design_interventions(n_latents, temporal: bool | None = None,
                         max_targets: int | None = None, latents=None, *,
                         max_memory: int | None = None, progress=None) -> Design:
    """Target sets with the fewest interventions that satisfy the criterion, with a certificate.

    Parameters
    ----------
    n_latents : int or sequence of str
        d, the number of latents, or their names (then ``latents`` must be None); the command
        line's ``--latents`` text is read by :func:`parse_latents`.
    temporal : bool or None, default None
        True when the data have temporal dynamics (T > 1) that supply the variability
        multi-target interventions need (Example 12); False for i.i.d. data (T = 1), where a
        group of interventions sharing targets T_l needs ``|T_l|`` members (Example 13), so
        the cost counts ``Σ_l |T_l|``. None: the default of :func:`resolve_setting`
        (temporal), stated in the result.
    max_targets : int, optional
        At most this many latents per intervention.
    latents : sequence of str, optional
        Names (default ``z1 .. zd``).
    max_memory : int, optional, keyword-only
        Bytes the model, its re-check and its printing may take (default
        ``DESIGN_MEMORY``, 2 GiB, as :data:`identkit.io.MAX_MEMORY`): a larger design is
        refused with the estimate before it is built.
    progress : callable, optional, keyword-only
        ``progress(done, total, note)`` after each of the steps (target sets, model,
        re-check), for a progress line.

    Returns
    -------
    Design
        The target sets, the model they give (re-checked by :func:`identkit.analyze`), the cost,
        a proven lower bound, every argument used, and the setting with its reason.

    Raises
    ------
    GraphError
        If ``n_latents`` or ``max_targets`` is not a positive integer, ``temporal`` is not a
        bool or None, or the names are bad; or if the design would need more than
        ``max_memory`` (the message gives the estimate).

    Examples
    --------
    Six latents need only four two-target interventions when time supplies variability:

    >>> import identkit as ik
    >>> from identkit.design import design_interventions
    >>> des = design_interventions(6, temporal=True)
    >>> des.n_interventions, des.lower_bound, des.optimal
    (4, 4, True)
    >>> ik.analyze(des.graph).complete
    True
    >>> design_interventions(6, temporal=False).targets[:2]
    (('z1',), ('z2',))
    >>> design_interventions(["ball", "robot"]).targets
    (('ball',), ('robot',))

    With at most two targets per intervention, d interventions are needed and enough:

    >>> des = design_interventions(8, temporal=True, max_targets=2)
    >>> des.n_interventions, des.optimal
    (8, True)

    Notes
    -----
    O(d m) time and memory for the unconstrained and static designs (m = O(log d)). With a cap
    K: the smallest m whose capacity (:func:`capped_capacity`) reaches d; O(1) per m except in
    the rare case m ≤ K < C(m-1, ⌊m/2⌋-1), which needs the integer program (m ≤ MILP_LIMIT) or
    leaves a stated gap. Every (d ≤ 30, K ≤ 5) is proven optimal without it.
    """
    if not isinstance(n_latents, (int, np.integer, str)) and latents is None \
            and hasattr(n_latents, "__iter__"):
        latents = list(n_latents)
        n_latents = len(latents)
    if max_memory is not None and (isinstance(max_memory, bool) or not isinstance(
            max_memory, (int, np.integer)) or max_memory < 1):
        raise GraphError(f"max_memory must be a positive number of bytes, got {max_memory!r}")
    names = _latent_names(n_latents, latents)
    d = len(names)
    temporal, reason = resolve_setting(temporal)
    max_targets = _check_max_targets(max_targets)
    if d == 1:
        return Design((), None, 0, 0, True,
                      "A single latent is always identified up to an element-wise map: no "
                      "intervention is needed.", temporal, reason)
    if not temporal:
        sets, lb, cert = _static_design(d, capped=max_targets is not None)
    elif max_targets is None:
        sets, lb, cert = _sperner_design(d)
    else:
        sets, lb, cert = _capped_design(d, max_targets)
    return _checked_design(names, sets, lb, cert, temporal, reason, max_targets, max_memory,
                           progress)


def _check_max_targets(max_targets):
    if max_targets is None:
        return None
    if not isinstance(max_targets, (int, np.integer)) or isinstance(max_targets, bool) \
            or max_targets < 1:
        raise GraphError(f"max_targets must be a positive integer, got {max_targets!r}")
    return int(max_targets)


def _static_design(d: int, capped: bool):
    """(sets, lower bound, certificate) without time: d single-target interventions."""
    cert = (
        f"Without time (T = 1) a target group l needs |T_l| distinct interventions "
        f"(Example 13, Remark 6), so a design costs Σ_l |T_l| = Σ_i |Pa_a(i)|. The "
        f"criterion needs pairwise incomparable sets Pa_a(i), so none is empty when d ≥ 2: "
        f"the cost is at least d = {d}, and {d} single-target interventions attain it"
        + (" (and meet any cap on the targets)." if capped else ".")
    )
    return [(i,) for i in range(d)], d, cert


def _sperner_design(d: int):
    """(sets, lower bound, certificate) with time and no cap: the middle layer of [m]."""
    m = sperner_minimum(d)
    half = m // 2
    sets = list(itertools.islice(itertools.combinations(range(m), half), d))
    cert = (
        f"Sperner: an antichain of subsets of [m] has at most C(m, ⌊m/2⌋) members (LYM "
        f"inequality), and the criterion needs the d = {d} sets Pa_a(i) to form one; "
        f"C({m - 1}, {(m - 1) // 2}) = {math.comb(m - 1, (m - 1) // 2)} < {d} ≤ "
        f"C({m}, {half}) = {math.comb(m, half)}, so {m} interventions are needed, and "
        f"giving each latent its own {half}-subset of them suffices. Caveat: a "
        f"multi-target intervention has sufficient influence only with temporal dynamics "
        f"(Example 12); without time one intervention cannot span two targets (Remark 6), "
        f"so use temporal=False there."
    )
    return sets, m, cert


#: Bytes a design holds per (latent, intervention) entry and per latent while its model is
#: built, re-checked and printed (measured: about 150 and 500 at d = 200,000; rounded up).
_BYTES_PER_ENTRY, _BYTES_PER_LATENT = 200, 600
#: Bytes per candidate pair of the re-check by :func:`identkit.analyze` (its sparse subset
#: route holds the candidates as index arrays).
_BYTES_PER_CANDIDATE = 48
#: Above this many candidate pairs the design is re-checked directly (:func:`_antichain_check`)
#: instead of by :func:`identkit.analyze`, whose candidates grow like d² for a middle layer.
_ANALYZE_CANDIDATES = 2 * 10**7
#: The direct re-check of a family of sets of different sizes enumerates Σ 2^|S| subsets.
_SUBSET_LIMIT = 10**7


def _recheck_cost(sets) -> tuple[int, int, int]:
    """``(entries, candidates, subsets)`` of the parent sets: Σ |S_i|; the candidate pairs the
    re-check by :func:`identkit.analyze` would hold (Σ_i the number of sets containing the
    rarest element of S_i); and Σ 2^|S_i| for :func:`_antichain_check` with mixed sizes.
    O(Σ |S_i|) time, O(d) memory."""
    sizes = np.fromiter((len(S) for S in sets), dtype=np.int64, count=len(sets))
    entries = int(sizes.sum())
    if not entries:
        return 0, 0, len(sets)
    flat = np.fromiter(itertools.chain.from_iterable(sets), dtype=np.int64, count=entries)
    counts = np.bincount(flat).astype(np.int64)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    nonempty = sizes > 0
    rare = np.minimum.reduceat(counts[flat], starts[nonempty]) if nonempty.any() else sizes[:0]
    subsets = int(np.sum(np.exp2(np.minimum(sizes, 62)))) if sizes.max() < 62 else 2**62
    return entries, int(rare.sum()), subsets


def _antichain_check(sets) -> bool:
    """Whether the parent sets are pairwise incomparable (distinct, and none inside another):
    the criterion when only the action graph is regularized (§3.4). Sets of one size are
    pairwise incomparable iff they are distinct, O(Σ |S_i|); otherwise each set's proper
    subsets are looked up, O(Σ 2^|S_i|). An independent route from :func:`identkit.analyze`,
    used when its candidate pairs would not fit.

    Examples
    --------
    >>> _antichain_check([(0, 1), (0, 2), (1, 2)]), _antichain_check([(0,), (0, 1)])
    (True, False)
    """
    family = {frozenset(S) for S in sets}
    if len(family) != len(sets):
        return False
    if len({len(S) for S in family}) == 1:
        return True
    for S in family:
        items = sorted(S)
        for r in range(len(items)):
            if any(frozenset(c) in family for c in itertools.combinations(items, r)):
                return False
    return True


def _design_estimate(sets, d: int, max_memory: int) -> bool:
    """Refuse, before the model is built, a design whose model, re-check and output need more
    than ``max_memory`` bytes; returns whether :func:`identkit.analyze` re-checks it (else
    :func:`_antichain_check` does)."""
    from .io import format_bytes

    entries, candidates, subsets = _recheck_cost(sets)
    by_analyze = candidates <= _ANALYZE_CANDIDATES
    if not by_analyze and len({len(S) for S in sets}) > 1 and subsets > _SUBSET_LIMIT:
        raise GraphError(
            f"latents={d:,}: the design's {entries:,} entries cannot be re-checked here "
            f"({candidates:,} candidate pairs, {subsets:,} subsets); give fewer --latents")
    need = (entries * _BYTES_PER_ENTRY + d * _BYTES_PER_LATENT
            + (candidates * _BYTES_PER_CANDIDATE if by_analyze else 0))
    if need > max_memory:
        raise GraphError(
            f"latents={d:,}: the design needs about {format_bytes(need)} of memory "
            f"({entries:,} latent-intervention entries), over the limit of "
            f"{format_bytes(max_memory)}; give fewer --latents or raise max_memory, or "
            "--max-memory on the command line")
    return by_analyze


def _checked_design(names, sets, lb, cert, temporal, reason, max_targets,
                    max_memory=None, progress=None) -> Design:
    """The Design of the parent sets ``sets`` (latent i gets the interventions ``sets[i]``),
    re-checked by :func:`identkit.analyze` (or, when its candidate pairs would not fit, by
    :func:`_antichain_check`) and against its own bound and cap."""
    d = len(names)
    step = progress if progress is not None else (lambda done, total, note: None)
    by_analyze = _design_estimate(sets, d, DESIGN_MEMORY if max_memory is None
                                  else max_memory)
    step(1, 3, f"building the model of {d:,} latents")  # after a refusal could be printed
    columns: dict[int, list] = {}
    for i, s in enumerate(sets):  # O(Σ |Pa_a(i)|)
        for l in s:
            columns.setdefault(l, []).append(names[i])
    targets = tuple(tuple(columns[l]) for l in sorted(columns))
    graph = LatentGraph.from_interventions([list(t) for t in targets], latents=names)
    step(2, 3, "re-checking the criterion")
    if by_analyze:
        _check(graph, "a")
    elif not _antichain_check(sets):
        raise IdentkitError("internal error: the constructed design does not satisfy the "
                            "criterion; please report this with the inputs")
    step(3, 3, "done")
    cost = len(targets) if temporal else sum(len(t) for t in targets)
    if cost < lb or (max_targets is not None and any(len(t) > max_targets for t in targets)):
        raise IdentkitError("internal error: the design contradicts its own bound or cap; "
                            f"please report d = {d}, max_targets = {max_targets}")
    return Design(targets, graph, cost, lb, cost == lb, cert, temporal, reason)


# ---------------------------------------------------------------------------------- repair


@dataclass(frozen=True)
class Repair:
    """A repair: interventions to add, with the verdicts before and after.

    Attributes
    ----------
    added : tuple of tuple of str
        The target sets of the added interventions.
    graph : LatentGraph
        The repaired model (the added interventions appended to ``Ga``).
    before, after : EntanglementReport
        The analyses of the model before (with the graphs regularized as given) and after
        (``after.complete`` is True); ``before.regularize`` and ``after.regularize`` say which
        graphs are regularized. After a repair the action graph is always regularized, the
        existing actions included.
    lower_bound : int
        A proven lower bound on the number of added interventions (static setting: on the
        number performed, ``Σ_l |T_l|``).
    exact : bool
        True when the number of added interventions is proven minimal.
    method : str
        ``"exact"`` (search), ``"greedy"`` (colouring), ``"single-target"`` or ``"none"``.
    explanation : str
    temporal : bool
        The setting used (see :func:`resolve_setting`).
    setting_reason : str
        Why that setting was used.
    """

    added: tuple
    graph: LatentGraph
    before: EntanglementReport = field(repr=False)
    after: EntanglementReport = field(repr=False)
    lower_bound: int
    exact: bool
    method: str
    explanation: str
    temporal: bool = True
    setting_reason: str = ""

    @property
    def cost(self) -> int:
        """The number of added interventions (static setting: performed, ``Σ_l |T_l|``)."""
        return len(self.added) if self.temporal else sum(len(t) for t in self.added)

    def to_dict(self) -> dict:
        return {
            "setting": "temporal" if self.temporal else "static",
            "setting_reason": self.setting_reason,
            "added_interventions": [list(t) for t in self.added],
            "n_added": len(self.added),
            "cost": self.cost,
            "lower_bound": self.lower_bound,
            "exact": self.exact,
            "method": self.method,
            "complete_before": self.before.complete,
            "complete_after": self.after.complete,
            "regularize_before": self.before.regularize,
            "regularize_after": self.after.regularize,
            "explanation": self.explanation,
        }

    def __str__(self) -> str:
        lines = [
            f"Setting: {_setting_text(self.temporal, self.setting_reason)}",
            f"Regularized before: {_reg_names(self.before.regularize)}; after: "
            f"{_reg_names(self.after.regularize)}.",
            f"Before: {'complete' if self.before.complete else 'NOT complete'}; after adding "
            f"{len(self.added)} intervention(s): "
            f"{'complete' if self.after.complete else 'NOT complete'}.",
        ]
        lines += [f"  do({', '.join(quote_name(x) for x in t)})" for t in self.added]
        what = "added interventions" if self.temporal else "interventions performed"
        lines.append(
            f"Cost {self.cost} ({what}); proven lower bound {self.lower_bound} "
            f"({'proven minimal' if self.exact else 'NOT proven minimal'}; method: "
            f"{self.method})."
        )
        lines.append(self.explanation)
        return "\n".join(lines)


def _reg_names(reg: str) -> str:
    names = {"a": "the action graph Ga", "z": "the temporal graph Gz"}
    return " and ".join(names[c] for c in reg) if reg else "none"


def _conflict_structure(g, reg, intervenable):
    rows, cols = entanglement_pairs(g, reg)
    off = rows != cols
    rows, cols = rows[off].tolist(), cols[off].tolist()
    need = sorted(set(rows))
    allowed = set(range(g.n_latents)) if intervenable is None else intervenable
    for i, j in zip(rows, cols):
        if i not in allowed:
            raise RepairError(
                f"no repair can separate {g.latents[i]} from {g.latents[j]}: true "
                f"{g.latents[i]} may depend on learned {g.latents[j]}, and only an intervention "
                f"on {g.latents[i]} can break that, but it is not intervenable"
            )
    return need, list(zip(rows, cols))


class _BudgetCut(Exception):
    """The time budget of a repair ran out (raised inside the search, caught by repair)."""


def _out_of_time(deadline) -> bool:
    return deadline is not None and time.monotonic() > deadline


def _exact_repair(need, pairs, m_min, m_max, deadline=None):
    """Smallest m in [m_min, m_max] and nonempty sets A_i ⊆ [m] (i in ``need``) with
    A_i ⊄ A_j for every entangled pair (latents outside ``need`` keep A_j = ∅). Backtracking
    over subsets; for small cases only: up to (2^m - 1)^|need| nodes. Raises
    :class:`_BudgetCut` once ``deadline`` (a :func:`time.monotonic` value) has passed; the
    clock is read every 4,096 nodes."""
    index = {v: k for k, v in enumerate(need)}
    # constraints between two latents that both get sets; a pair into a latent outside `need`
    # holds for any nonempty A_i
    cons = sorted({(index[i], index[j]) for i, j in pairs if j in index})
    by_last = [[] for _ in need]
    for a, b in cons:
        by_last[max(a, b)].append((a, b))
    for m in range(max(m_min, 1), m_max + 1):
        subsets = [frozenset(c) for s in range(1, m + 1)
                   for c in itertools.combinations(range(m), s)]
        assign = [None] * len(need)
        nodes = [0]

        def rec(k):
            if k == len(need):
                return True
            for S in subsets:
                nodes[0] += 1
                if not nodes[0] & 4095 and _out_of_time(deadline):
                    raise _BudgetCut
                assign[k] = S
                if all(not assign[a] <= assign[b] for a, b in by_last[k]) and rec(k + 1):
                    return True
            assign[k] = None
            return False

        if rec(0):
            return m, list(assign)
    return None


def repair(g: LatentGraph, regularize: str | None = None, *, single_target: bool = False,
           intervenable=None, temporal: bool | None = None, exact_limit: int = 7,
           time_budget: float | None = None, progress=None) -> Repair:
    """The fewest added interventions (new target sets) that make ``g`` completely disentangled.

    The existing actions and temporal graph are kept and count toward the criterion. An added
    intervention only helps when the learned action graph is sparsity-regularized, and the
    penalty is on the whole learned ``Ga``: so after the repair the action graph, existing
    columns included, is regularized (``"a"`` joins ``regularize``). When ``regularize`` left an
    existing ``Ga`` out, regularizing it may already suffice, and then nothing is added.

    Parameters
    ----------
    g : LatentGraph
    regularize : str, optional
        The regularized graphs before the repair (default: all the model has).
    single_target : bool, default False
        Only single-target interventions may be added.
    intervenable : sequence of latent names, optional
        Only these latents may be targeted.
    temporal : bool or None, default None
        As for :func:`design_interventions` (the same default, :func:`resolve_setting`):
        True when temporal dynamics supply the variability multi-target interventions need
        (Example 12); False for i.i.d. data (T = 1), where each target group l needs
        ``|T_l|`` interventions (Example 13), which makes single-target additions optimal.
    exact_limit : int, default 7
        Search exactly when a component of the conflict graph has at most this many latents;
        above it, colour the conflict graph greedily (DSatur).
    time_budget : float, optional
        Seconds the search for fewer interventions may take (default: no limit; the command
        line's ``--time-budget``, default 60). The clock is read between the steps and inside
        the exact search; when it runs out, the components not yet solved are coloured
        greedily, or, once the budget is spent, given single-target interventions, so the
        result is still a repair (re-checked), but ``exact`` is False and the explanation says
        that minimality is undecided. The analyses before and after are not cut.
    progress : callable, optional
        ``progress(done, total, note)`` after each step (a component of the conflict graph),
        for a progress line.

    Returns
    -------
    Repair

    Raises
    ------
    RepairError
        When a needed intervention targets a latent outside ``intervenable``; the message names
        the entangled pair.
    GraphError
        If ``temporal`` is not a bool or None.

    Examples
    --------
    Example 8 leaves the robot z2 and the ball z3 entangled. They are twins, so each needs an
    action the other lacks: two interventions, and no fewer.

    >>> import identkit as ik
    >>> from identkit.design import repair
    >>> r = repair(ik.examples.get("ex8").graph, temporal=True)
    >>> r.added, r.after.complete, r.exact
    ((('z2',), ('z3',)), True, True)
    >>> r.before.regularize, r.after.regularize
    ('z', 'az')

    Notes
    -----
    ``O(Σ_i |rarest column of F_i| · |F_i| + pairs)`` for the analysis; greedy colouring
    O(pairs log d); the exact search is exponential and used only for small components.
    """
    temporal, reason = resolve_setting(temporal, g)
    reg = resolve_regularize(g, regularize)
    deadline = _deadline(time_budget)
    before = analyze(g, reg)
    allowed = _intervenable_indices(g, intervenable)
    reg_after = "".join(ch for ch in "az" if ch in reg + "a")
    # the pattern the added columns start from: the existing Ga is regularized after the repair
    base = before if (g.Ga_sparse is None or reg == reg_after) else analyze(g, reg_after)
    setting = dict(temporal=temporal, setting_reason=reason)
    if before.complete:
        return Repair((), g, before, before, 0, True, "none",
                      "The model already satisfies the criterion: nothing to add.", **setting)
    if base.complete:
        return Repair((), g, before, base, 0, True, "none",
                      "Regularizing the existing action graph as well already satisfies the "
                      "criterion: nothing to add.", **setting)
    need, pairs = _conflict_structure(g, base.regularize, allowed)
    cut = False
    if single_target or not temporal:
        sets, lb, exact, method, why = _single_target_sets(need, temporal)
    elif _out_of_time(deadline):  # the analyses took the whole budget: the repair that is
        sets, _, _, _, _ = _single_target_sets(need, temporal)  # always valid, bound by blocks
        lb = max([sperner_minimum(len(b)) for b in base.blocks if len(b) > 1], default=1)
        exact, method, cut = False, "single-target", True
        why = (f"Each of the {len(need)} latents that some other latent still entangles gets "
               "its own new intervention, which always repairs the model; each block of "
               f"C-twins needs pairwise incomparable sets, so at least {lb} are needed.")
    else:
        sets, lb, exact, method, why, cut = _layered_sets(base, need, pairs, exact_limit,
                                                          deadline, progress)
    if base is not before:
        why += (" The existing action graph was not regularized before; the repair regularizes "
                "it too, so its existing columns count toward the criterion.")
    added = _added_targets(g, sets)
    repaired = g.with_interventions([list(t) for t in added])
    after = _check(repaired, reg_after)
    if any(len(t) > 1 for t in added):
        why += (" Caveat: multi-target interventions have sufficient influence only with "
                "temporal dynamics (Example 12, Remark 6); for i.i.d. data repair with "
                "temporal=False.")
    cost = len(added) if temporal else sum(len(t) for t in added)
    if cut:  # the lower bound is proven in every branch, so meeting it proves minimality
        why += (f" The time budget ({time_budget:g} s, --time-budget) ran out before the "
                "search for fewer interventions finished: this repair is valid (re-checked)"
                + (", and minimal, since it meets the proven lower bound." if cost == lb else
                   ", but whether fewer interventions suffice is undecided."))
    return Repair(added, repaired, before, after, lb, (exact or cut) and cost == lb, method,
                  why, **setting)


def _deadline(time_budget):
    """The :func:`time.monotonic` value at which ``time_budget`` seconds run out (None: none)."""
    if time_budget is None:
        return None
    if isinstance(time_budget, bool) or not isinstance(time_budget, (int, float, np.integer,
                                                                     np.floating)) \
            or not 0 < float(time_budget) < math.inf:
        raise GraphError(f"time_budget must be a positive number of seconds, got "
                         f"{time_budget!r}")
    return time.monotonic() + float(time_budget)


def _intervenable_indices(g, intervenable):
    """The indices of the latents that may be targeted (None: all); one name may be a str."""
    if intervenable is None:
        return None
    if isinstance(intervenable, str):
        intervenable = [intervenable]
    return {g.latent_index(v) for v in intervenable}


def _single_target_sets(need, temporal):
    """``(sets, lower bound, exact, method, why)``: one new single-target intervention for each
    latent that some other latent still entangles."""
    sets = {i: frozenset([k]) for k, i in enumerate(need)}
    m = len(need)
    why = (
        f"Each of the {m} latents i that some j still entangles (true i may depend on "
        f"learned j) must be targeted by a new intervention: a pair stays entangled unless "
        f"i gets an action j lacks, and new actions are new columns"
        + ("; with single-target interventions each needs its own." if temporal else
           "; without time each target group l costs |T_l| interventions (Example 13), so "
           f"any repair performs at least {m}, and single-target ones attain it.")
    )
    return sets, m, True, "single-target", why


def _layered_sets(base, need, pairs, exact_limit, deadline=None, progress=None):
    """``(sets, lower bound, exact, method, why, cut)`` with multi-target interventions: each
    component of the conflict graph solved by search (small) or coloured (large); ``cut``
    when the deadline stopped a search (that component, and every later one, is then
    coloured, or given single-target sets once the deadline has passed)."""
    import networkx as nx

    need_set = set(need)
    conflict = nx.Graph()
    conflict.add_nodes_from(need)
    conflict.add_edges_from((i, j) for i, j in pairs if j in need_set)
    # latents in different components share no constraint, so they can reuse the same
    # interventions: solve each component and take the largest count
    sets, m, lb, used_greedy, used_search, cut = {}, 0, 1, False, False, False
    comps = sorted((sorted(c) for c in nx.connected_components(conflict)), key=len)
    by_comp: dict = {}
    for i, j in pairs:  # O(pairs), not O(pairs · components)
        by_comp.setdefault(i, []).append((i, j))
    for done, comp in enumerate(comps):
        if progress is not None:
            progress(done, len(comps), f"component of {len(comp)} latents")
        comp_set = set(comp)
        comp_pairs = [p for i in comp for p in by_comp.get(i, ())]
        comp_blocks = [len(b) for b in base.blocks if len(b) > 1 and b[0] in comp_set]
        comp_lb = max(sperner_minimum(max(comp_blocks, default=1)), 1)
        res = None
        if len(comp) <= exact_limit and not cut:
            try:
                res = _exact_repair(comp, comp_pairs, comp_lb, len(comp), deadline)
            except _BudgetCut:
                cut = True
        if res is None and cut and _out_of_time(deadline) and len(comp) > 1:
            # no time left even to colour: one new intervention per latent of the
            # component (disjoint singletons are pairwise incomparable)
            used_greedy = True
            offset = m  # fresh interventions, so no earlier set is reused
            sets.update({i: frozenset([offset + k]) for k, i in enumerate(comp)})
            m = max(m, offset + len(comp))
            lb = max(lb, comp_lb)
            continue
        if res is not None:
            used_search = True
            m_c, assign = res
            sets.update({i: assign[k] for k, i in enumerate(comp)})
            lb = max(lb, m_c)  # the search proves this component needs m_c
        else:
            used_greedy = True
            # a copy: colouring a subgraph view costs O(d) per neighbour lookup
            tick = None if progress is None else (
                lambda k, n, done=done, total=len(comps):
                progress(done, total, f"colouring {k:,}/{n:,} latents of a component"))
            m_c, comp_sets, cut_here = _coloured_sets(
                conflict if len(comps) == 1 else conflict.subgraph(comp).copy(), deadline, tick)
            cut |= cut_here
            sets.update(comp_sets)
            lb = max(lb, comp_lb)
        m = max(m, m_c)
    if progress is not None:
        progress(len(comps), len(comps), "done")
    exact = m == lb and not cut
    method = "greedy" if used_greedy else "exact"
    why = [
        "A pair (i, j) stays entangled unless the new target sets satisfy A_i ⊄ A_j. "
        "Latents in different components of the conflict graph (joined when entangled in "
        "either direction) share no constraint and reuse the same interventions."]
    if used_search:
        why.append(f"Components of at most {exact_limit} latents were solved by exhaustive "
                   "search over the subsets of the new interventions, which proves each "
                   "one's count.")
    if used_greedy:
        why.append("Larger components were coloured greedily (DSatur), each colour one "
                   "set of a layer of the subsets of the new interventions; there, each "
                   "block of C-twins needs pairwise incomparable sets, so Sperner's bound "
                   "on the largest block is the lower bound.")
    if cut:  # repair() says whether the cut repair is minimal all the same
        why.append(f"At least {lb} needed; this repair adds {m}.")
    else:
        why.append(f"At least {lb} needed; this repair adds {m}"
                   + ("." if exact else f": NOT proven minimal (gap {m - lb})."))
    return sets, lb, exact, method, " ".join(why), cut


def _coloured_sets(component, deadline=None, tick=None):
    """``(m, sets, cut)`` for one component of the conflict graph: a DSatur colouring, each
    colour one set of the middle layer of the subsets of m new interventions. DSatur costs up
    to O(V³) set operations on a dense component (a clique of 2,000 latents: over half an
    hour), so the clock is read before each vertex it colours; at ``deadline`` the colouring
    is redone largest-first, O(V + E), and ``cut`` is True. ``tick(k, V)`` is called every
    64 vertices, for a progress line."""
    import networkx as nx
    from networkx.algorithms.coloring.greedy_coloring import strategy_saturation_largest_first

    def dsatur(G, colors):
        for k, v in enumerate(strategy_saturation_largest_first(G, colors)):
            if tick is not None and not k % 64:
                tick(k, len(G))
            if _out_of_time(deadline):
                raise _BudgetCut
            yield v

    cut = False
    try:
        colouring = nx.greedy_color(component, strategy=dsatur)
    except _BudgetCut:
        cut = True
        colouring = nx.greedy_color(component, strategy="largest_first")
    n_colours = max(colouring.values()) + 1
    m = max(sperner_minimum(n_colours), 1)
    layer = list(itertools.combinations(range(m), max(m // 2, 1)))
    return m, {i: frozenset(layer[colouring[i]]) for i in component}, cut


def _added_targets(g, sets) -> tuple:
    """The target sets (latent names) of the new interventions l = 0, 1, ... given each
    latent's new parent set ``sets[i]``; interventions that target no latent are dropped."""
    n_new = max((max(S) for S in sets.values()), default=-1) + 1
    added = tuple(
        tuple(g.latents[i] for i in sorted(sets) if l in sets[i]) for l in range(n_new)
    )
    return tuple(t for t in added if t)
