"""Experiment design: the fewest interventions that guarantee complete disentanglement, and the
smallest set of added interventions that repairs a model that does not.

The facts used (THEORY §6, paper §3.4 and §3.9):

* When only the action graph is regularized, the criterion holds iff the action-parent sets
  ``Pa_a(i)`` are pairwise incomparable: an *antichain* of subsets of the m interventions.
* **With temporal dynamics** (T > 1; Example 12 shows time supplies the variability that
  multi-target interventions need), Sperner's theorem says an antichain in the subsets of [m]
  has at most ``C(m, ⌊m/2⌋)`` members (the LYM inequality ``Σ 1/C(m, |S|) ≤ 1`` proves it), so
  the fewest interventions for d latents is the smallest m with ``C(m, ⌊m/2⌋) ≥ d``; giving
  each latent its own ⌊m/2⌋-subset attains it.
* **Without time** (T = 1), an intervention group l needs ``|T_l|`` distinct interventions for
  sufficient influence (Example 13, Remark 6), so a design costs ``Σ_l |T_l| = Σ_i |Pa_a(i)|``
  interventions; an antichain of d ≥ 2 sets has no empty member, so the cost is at least d, and d
  single-target interventions attain it.
* **With at most K targets per intervention**, each intervention appears in at most K of the
  sets, so ``Σ_i |Pa_a(i)| ≤ K m``; together with LYM this gives a linear-programming lower
  bound on m, which the construction meets in most cases (the result says when it is proven
  optimal).
* **Repair.** New interventions are new columns, so a pair stays entangled iff it was entangled
  before *and* ``A_i ⊆ A_j`` for the new parent sets A. A repair must therefore give every
  entangled pair (i, j) sets with ``A_i ⊄ A_j``. Sets drawn from one layer of the subsets of [m]
  satisfy this whenever they differ, so a proper colouring of the *conflict graph* (latents,
  joined when entangled in either direction) with at most ``C(m, ⌊m/2⌋)`` colours is a repair
  with m interventions; each block of C-twins is a clique whose sets must be pairwise
  incomparable, which gives the lower bound.

Every design and repair is re-checked with :func:`identkit.analyze` before it is returned.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field

import numpy as np

from .entanglement import entanglement_pairs, resolve_regularize
from .errors import GraphError, IdentkitError
from .graphs import LatentGraph
from .report import EntanglementReport, analyze

__all__ = [
    "Design",
    "Repair",
    "RepairError",
    "sperner_minimum",
    "design_interventions",
    "repair",
]


class RepairError(IdentkitError, ValueError):
    """No repair exists under the given restrictions (the message names the pair at fault)."""


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
        What the design costs: the number of interventions, or with ``temporal=False`` the
        number of interventions performed, ``Σ_l |T_l|`` (Example 13).
    lower_bound : int
        A proven lower bound on the cost of any design that satisfies the criterion.
    optimal : bool
        True when ``cost == lower_bound``.
    certificate : str
        Why the lower bound holds and how the design meets it.
    """

    targets: tuple
    graph: LatentGraph | None
    cost: int
    lower_bound: int
    optimal: bool
    certificate: str

    @property
    def n_interventions(self) -> int:
        """The number of distinct target sets (action columns)."""
        return len(self.targets)

    def to_dict(self) -> dict:
        return {
            "interventions": [list(t) for t in self.targets],
            "n_interventions": self.n_interventions,
            "cost": self.cost,
            "lower_bound": self.lower_bound,
            "optimal": self.optimal,
            "certificate": self.certificate,
        }

    def __str__(self) -> str:
        lines = [f"{self.n_interventions} interventions (cost {self.cost}; proven lower bound "
                 f"{self.lower_bound}{', optimal' if self.optimal else ''})"]
        for k, t in enumerate(self.targets, 1):
            lines.append(f"  do({', '.join(t)})")
        lines.append("Certificate: " + self.certificate)
        return "\n".join(lines)


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


def _lp_lower_bound(d: int, K: int) -> int:
    """Smallest m for which d sets with at most K per element can form an antichain, by the
    LP relaxation of LYM (Σ n_s / C(m, s) ≤ 1) and the degree count (Σ s n_s ≤ K m)."""
    from scipy.optimize import linprog

    m = max(sperner_minimum(d), 1)
    while True:
        sizes = np.arange(1, m // 2 + 1) if m >= 2 else np.array([1])
        inv = np.array([1.0 / math.comb(m, int(s)) for s in sizes])
        res = linprog(c=sizes.astype(float), A_ub=[inv], b_ub=[1.0],
                      A_eq=[np.ones(sizes.size)], b_eq=[float(d)], bounds=(0, None),
                      method="highs")
        if res.status == 0 and res.fun <= K * m + 1e-9:
            return m
        m += 1


def _balanced_subsets(m: int, s: int, d: int, K: int):
    """d distinct s-subsets of range(m), each element in at most K of them, or None.

    Greedy: each new subset takes the s least-used elements (ties by a rotating offset),
    trying nearby alternatives when that subset is taken.
    """
    if math.comb(m, s) < d or s * d > K * m:
        return None
    deg = np.zeros(m, dtype=np.int64)
    used = set()
    out = []
    for k in range(d):
        order = sorted(range(m), key=lambda e: (deg[e], (e - k) % m))
        # the least-used elements first; widen to all of them only when those are exhausted
        chosen = None
        for pool in (order[: min(m, s + 4)], order):
            chosen = next((key for key in (tuple(sorted(c)) for c in itertools.combinations(pool, s))
                           if key not in used and all(deg[e] < K for e in key)), None)
            if chosen is not None:
                break
        if chosen is None:
            return None
        used.add(chosen)
        out.append(chosen)
        deg[list(chosen)] += 1
    return out


def _exact_capped(d: int, K: int, m_max: int):
    """Brute force for small d: the smallest m <= m_max with an antichain of d nonempty subsets
    of [m], each element in at most K of them. Returns (m, sets) or None."""
    for m in range(max(sperner_minimum(d), 1), m_max + 1):
        subsets = [frozenset(c) for s in range(1, m + 1)
                   for c in itertools.combinations(range(m), s)]

        def extend(chosen, start, deg):
            if len(chosen) == d:
                return list(chosen)
            for idx in range(start, len(subsets)):
                S = subsets[idx]
                if any(deg[e] >= K for e in S):
                    continue
                if any(S <= T or T <= S for T in chosen):
                    continue
                for e in S:
                    deg[e] += 1
                chosen.append(S)
                res = extend(chosen, idx + 1, deg)
                if res:
                    return res
                chosen.pop()
                for e in S:
                    deg[e] -= 1
            return None

        found = extend([], 0, [0] * m)
        if found:
            return m, [tuple(sorted(S)) for S in found]
    return None


def design_interventions(n_latents: int, temporal: bool = True, max_targets: int | None = None,
                         latents=None) -> Design:
    """Target sets with the fewest interventions that satisfy the criterion, with a certificate.

    Parameters
    ----------
    n_latents : int
        d, the number of latents.
    temporal : bool, default True
        True when the data have temporal dynamics (T > 1) that supply the variability
        multi-target interventions need (Example 12); False for i.i.d. data (T = 1), where a
        group of interventions sharing targets T_l needs ``|T_l|`` members (Example 13), so
        the cost counts ``Σ_l |T_l|``.
    max_targets : int, optional
        At most this many latents per intervention (only with ``temporal=True``).
    latents : sequence of str, optional
        Names (default ``z1 .. zd``).

    Returns
    -------
    Design
        The target sets, the model they give (re-checked by :func:`identkit.analyze`), the cost,
        a proven lower bound and the argument for it.

    Raises
    ------
    GraphError
        If ``n_latents`` or ``max_targets`` is not a positive integer or the names are bad.

    Examples
    --------
    Six latents need only four two-target interventions when time supplies variability:

    >>> import identkit as ik
    >>> from identkit.design import design_interventions
    >>> des = design_interventions(6)
    >>> des.n_interventions, des.lower_bound, des.optimal
    (4, 4, True)
    >>> ik.analyze(des.graph).complete
    True
    >>> design_interventions(6, temporal=False).targets[:2]
    (('z1',), ('z2',))

    Notes
    -----
    O(d m) time and memory for the unconstrained and static designs (m = O(log d)); with a cap,
    a linear program per candidate m and a greedy construction, exact search when d <= 6.
    """
    names = _latent_names(n_latents, latents)
    d = len(names)
    if max_targets is not None:
        if not isinstance(max_targets, (int, np.integer)) or isinstance(max_targets, bool) \
                or max_targets < 1:
            raise GraphError(f"max_targets must be a positive integer, got {max_targets!r}")
        max_targets = int(max_targets)
    if d == 1:
        return Design((), None, 0, 0, True,
                      "A single latent is always identified up to an element-wise map: no "
                      "intervention is needed.")
    if not temporal:
        sets = [(i,) for i in range(d)]
        cert = (
            f"Without time (T = 1) a target group l needs |T_l| distinct interventions "
            f"(Example 13, Remark 6), so a design costs Σ_l |T_l| = Σ_i |Pa_a(i)|. The "
            f"criterion needs pairwise incomparable sets Pa_a(i), so none is empty when d ≥ 2: "
            f"the cost is at least d = {d}, and {d} single-target interventions attain it."
        )
        lb = cost = d
    elif max_targets is None or max_targets >= math.comb(sperner_minimum(d) - 1,
                                                         sperner_minimum(d) // 2 - 1):
        m = sperner_minimum(d)
        half = m // 2
        sets = [c for c, _ in zip(itertools.combinations(range(m), half), range(d))]
        lb = cost = m
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
    else:
        K = max_targets
        lb = _lp_lower_bound(d, K)
        sets = None
        m = lb
        while sets is None:
            for s in range(1, m // 2 + 1):
                sets = _balanced_subsets(m, s, d, K)
                if sets is not None:
                    break
            if sets is None:
                m += 1
        cost = m
        if cost > lb and d <= 6:
            exact = _exact_capped(d, K, cost - 1)
            if exact is not None:
                cost, sets = exact
            lb = cost  # the exhaustive search proves no smaller m works
        cert = (
            f"Each intervention targets at most K = {K} latents, so Σ_i |Pa_a(i)| ≤ K m; with "
            f"the LYM inequality Σ_i 1/C(m, |Pa_a(i)|) ≤ 1 for an antichain, a linear program "
            f"shows no design with fewer than {lb} interventions exists"
            + (" (exhaustive search for small d)." if d <= 6 else ".")
            + f" The design uses {cost}."
        )
    m_total = max((max(s) for s in sets), default=-1) + 1
    targets = tuple(tuple(names[i] for i in range(d) if l in sets[i]) for l in range(m_total))
    targets = tuple(t for t in targets if t)
    graph = LatentGraph.from_interventions([list(t) for t in targets], latents=names)
    _check(graph, "a")
    if temporal:
        cost = len(targets)
    return Design(targets, graph, cost, lb, cost == lb, cert)


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
        The analyses of the model before and after (``after.complete`` is True).
    lower_bound : int
        A proven lower bound on the number of added interventions.
    exact : bool
        True when the number of added interventions is proven minimal.
    method : str
        ``"exact"`` (search), ``"greedy"`` (colouring), ``"single-target"`` or ``"none"``.
    explanation : str
    """

    added: tuple
    graph: LatentGraph
    before: EntanglementReport = field(repr=False)
    after: EntanglementReport = field(repr=False)
    lower_bound: int
    exact: bool
    method: str
    explanation: str

    def to_dict(self) -> dict:
        return {
            "added_interventions": [list(t) for t in self.added],
            "n_added": len(self.added),
            "lower_bound": self.lower_bound,
            "exact": self.exact,
            "method": self.method,
            "complete_before": self.before.complete,
            "complete_after": self.after.complete,
            "regularize_after": self.after.regularize,
            "explanation": self.explanation,
        }

    def __str__(self) -> str:
        lines = [
            f"Before: {'complete' if self.before.complete else 'NOT complete'}; after adding "
            f"{len(self.added)} intervention(s): "
            f"{'complete' if self.after.complete else 'NOT complete'}.",
        ]
        lines += [f"  do({', '.join(t)})" for t in self.added]
        lines.append(
            f"Lower bound: {self.lower_bound} ({'proven minimal' if self.exact else 'the repair may not be minimal'}; method: {self.method})."
        )
        lines.append(self.explanation)
        return "\n".join(lines)


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


def _exact_repair(need, pairs, m_min, m_max):
    """Smallest m in [m_min, m_max] and nonempty sets A_i ⊆ [m] (i in ``need``) with
    A_i ⊄ A_j for every entangled pair (latents outside ``need`` keep A_j = ∅). Backtracking
    over subsets; for small cases only."""
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

        def rec(k):
            if k == len(need):
                return True
            for S in subsets:
                assign[k] = S
                if all(not assign[a] <= assign[b] for a, b in by_last[k]) and rec(k + 1):
                    return True
            assign[k] = None
            return False

        if rec(0):
            return m, list(assign)
    return None


def repair(g: LatentGraph, regularize: str | None = None, *, single_target: bool = False,
           intervenable=None, static: bool | None = None, exact_limit: int = 7) -> Repair:
    """The fewest added interventions (new target sets) that make ``g`` completely disentangled.

    The existing actions and temporal graph are kept and count toward the criterion; the
    learned action graph is regularized afterwards (``"a"`` joins ``regularize``).

    Parameters
    ----------
    g : LatentGraph
    regularize : str, optional
        The regularized graphs before the repair (default: all the model has).
    single_target : bool, default False
        Only single-target interventions may be added.
    intervenable : sequence of latent names, optional
        Only these latents may be targeted.
    static : bool, optional
        True for i.i.d. data (T = 1), where each target group l needs ``|T_l|`` interventions
        (Example 13), which makes single-target additions optimal. Default: True iff the model
        has no ``Gz``.
    exact_limit : int, default 7
        Search exactly when at most this many latents need an intervention; above it, colour
        the conflict graph greedily (DSatur).

    Returns
    -------
    Repair

    Raises
    ------
    RepairError
        When a needed intervention targets a latent outside ``intervenable``; the message names
        the entangled pair.

    Examples
    --------
    Example 8 leaves the robot z2 and the ball z3 entangled. They are twins, so each needs an
    action the other lacks: two interventions, and no fewer.

    >>> import identkit as ik
    >>> from identkit.design import repair
    >>> r = repair(ik.examples.get("ex8").graph)
    >>> r.added, r.after.complete, r.exact
    ((('z2',), ('z3',)), True, True)

    Notes
    -----
    ``O(Σ_i |rarest column of F_i| · |F_i| + pairs)`` for the analysis; greedy colouring O(pairs log d); the exact
    search is exponential and used only for small cases.
    """
    reg = resolve_regularize(g, regularize)
    before = analyze(g, reg)
    allowed = None
    if intervenable is not None:
        if isinstance(intervenable, str):
            intervenable = [intervenable]
        allowed = {g.latent_index(v) for v in intervenable}
    if static is None:
        static = g.Gz_sparse is None
    reg_after = "".join(ch for ch in "az" if ch in reg + "a")
    if before.complete:
        return Repair((), g, before, before, 0, True, "none",
                      "The model already satisfies the criterion: nothing to add.")
    need, pairs = _conflict_structure(g, reg, allowed)
    block_sizes = [len(b) for b in before.blocks if len(b) > 1]
    if single_target or static:
        sets = {i: frozenset([k]) for k, i in enumerate(need)}
        m = len(need)
        lb, exact, method = m, True, "single-target"
        why = (
            f"Each of the {m} latents that are not identified must be targeted by a new "
            "intervention (a pair i, j stays entangled unless i gets an action j lacks)"
            + ("; without time each target group l costs |T_l| interventions (Example 13), so "
               "single-target interventions are optimal." if static else
               "; with single-target interventions each needs its own.")
        )
    else:
        import networkx as nx

        lb = max(sperner_minimum(max(block_sizes, default=1)), 1)
        need_set = set(need)
        conflict = nx.Graph()
        conflict.add_nodes_from(need)
        conflict.add_edges_from((i, j) for i, j in pairs if j in need_set)
        # latents in different components share no constraint, so they can reuse the same
        # interventions: solve each component and take the largest count
        sets, m, exact, used_greedy = {}, 0, True, False
        for comp in sorted((sorted(c) for c in nx.connected_components(conflict)), key=len):
            comp_pairs = [(i, j) for i, j in pairs if i in comp]
            comp_blocks = [len(b) for b in before.blocks if len(b) > 1 and b[0] in comp]
            comp_lb = max(sperner_minimum(max(comp_blocks, default=1)), 1)
            res = None
            if len(comp) <= exact_limit:
                res = _exact_repair(comp, comp_pairs, comp_lb, len(comp))
            if res is not None:
                m_c, assign = res
                sets.update({i: assign[k] for k, i in enumerate(comp)})
            else:
                used_greedy = True
                colouring = nx.greedy_color(conflict.subgraph(comp), strategy="DSATUR")
                n_colours = max(colouring.values()) + 1
                m_c = max(sperner_minimum(n_colours), 1)
                layer = list(itertools.combinations(range(m_c), max(m_c // 2, 1)))
                sets.update({i: frozenset(layer[colouring[i]]) for i in comp})
                exact = exact and m_c == comp_lb
                lb = max(lb, comp_lb)
            if res is not None:
                lb = max(lb, m_c)  # the search proves this component needs m_c
            m = max(m, m_c)
        exact = exact and m == lb
        method = "greedy" if used_greedy else "exact"
        why = (
            "A pair (i, j) stays entangled unless the new target sets satisfy A_i ⊄ A_j. "
            "Latents in different components of the conflict graph (joined when entangled in "
            "either direction) share no constraint and reuse the same interventions; "
            + ("each component was solved by exhaustive search, so no smaller repair exists."
               if not used_greedy else
               f"large components were coloured greedily (DSatur; at most Δ + 1 colours, "
               f"realised as one layer of the subsets of the new interventions). Each block of "
               f"C-twins needs pairwise incomparable sets (Sperner), so at least {lb} are "
               f"needed; this repair uses {m}.")
        )
    n_new = max((max(S) for S in sets.values()), default=-1) + 1
    added = tuple(
        tuple(g.latents[i] for i in sorted(sets) if l in sets[i]) for l in range(n_new)
    )
    added = tuple(t for t in added if t)
    repaired = g.with_interventions([list(t) for t in added])
    after = _check(repaired, reg_after)
    if static and not single_target and g.Gz_sparse is None:
        why += " (The model has no temporal graph, so it was treated as static.)"
    if any(len(t) > 1 for t in added):
        why += (" Caveat: multi-target interventions have sufficient influence only with "
                "temporal dynamics (Example 12, Remark 6); for i.i.d. data repair with "
                "static=True.")
    return Repair(added, repaired, before, after, lb, exact and len(added) == lb, method, why)
