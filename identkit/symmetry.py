"""Symmetries of a latent model: graph-preserving permutations and automorphisms.

Two groups act on the latents, and they answer different questions (the paper's Definition 12 of
a graph-preserving map, Prop 3, and consistency up to relabeling, Defs 13-15):

* **Graph-preserving permutations** are the permutation matrices that are C-preserving. Since the
  inverse must be preserving too, they only exchange *C-twins*: latents with identical parent and
  child sets in the regularized graphs. The group is a product of symmetric groups, one per twin
  class, so its order is ``Π |class|!``. These are the relabelings a graph-preserving entanglement
  map can hide.
* **Automorphisms** are the permutations with ``P Gz Pᵀ = Gz`` and ``P Ga = Ga`` (actions fixed):
  the relabelings of a learned graph that still match the truth. The group is larger in general
  (a directed 3-cycle has its rotations). Its order is computed from structure: *structural twins*
  (latents whose transposition is an automorphism) form classes; collapsing each class to one
  coloured vertex gives a quotient, and ``|Aut(G)| = |Aut(quotient)| · Π |class|!``. The
  reduction is repeated until no twins remain; the last quotient is split into weakly connected
  components, isomorphic components are grouped by canonical form
  (``|Aut| = Π |Aut(component)|^k · k!``), and each component's group is measured by the
  individualization-refinement search of :mod:`identkit._search` (canonical labelling with
  automorphism pruning, iterative). Nothing is enumerated: the identity ``Gz`` on 1,000
  latents gives ``1000!`` at once, and :meth:`PermutationGroup.describe` names the group by
  its twin classes (``S_1000``).

Orders are exact Python ints. :func:`format_order` prints them for people (scientific past 30
digits, safe past Python's 4,300-digit ``str`` limit) and :func:`order_to_json` for JSON (exact
digits as a string past 2⁵³).

Permutations are tuples ``p`` with ``p[i]`` the image of latent i; the matching permutation
matrix has ``P[p[i], i] = 1``.
"""

from __future__ import annotations

import itertools
import math
from typing import Callable, Iterator

import numpy as np

from . import _search
from ._twins import (coloured_graph, components, encode, lift, reduce_models, subgraph,
                     symmetric_generators)
from ._validate import check_perm
from .entanglement import resolve_regularize, twin_classes
from .errors import GraphError
from .graphs import LatentGraph

__all__ = [
    "Symmetries",
    "PermutationGroup",
    "format_order",
    "order_to_json",
    "graph_preserving_permutations",
    "automorphisms",
    "permutation_matrix",
]


_DIGIT_CHUNK = 10 ** 1000


def _decimal(n: int) -> str:
    """Exact decimal digits of a non-negative int, also past Python's 4,300-digit ``str`` limit."""
    if n < _DIGIT_CHUNK:
        return str(n)
    chunks = []
    while n >= _DIGIT_CHUNK:
        n, r = divmod(n, _DIGIT_CHUNK)
        chunks.append(str(r).zfill(1000))
    return str(n) + "".join(reversed(chunks))


def _n_digits(n: int) -> int:
    """Number of decimal digits of a positive int, without converting it to a string."""
    k = max(1, int(n.bit_length() * 0.30102999566398120) - 1)
    while 10 ** k <= n:
        k += 1
    return k


def format_order(n: int, max_digits: int = 30) -> str:
    """A group order for people: exact up to ``max_digits`` digits, else scientific.

    The scientific form ``m.mmmmme+E (D digits)`` keeps six significant digits (truncated, not
    rounded) and the exact number of digits; the exact value stays available as the int (and
    as :func:`order_to_json` gives it). Safe for any size, unlike ``str`` past 4,300 digits.

    Examples
    --------
    >>> import math
    >>> from identkit.symmetry import format_order
    >>> format_order(120)
    '120'
    >>> format_order(math.factorial(1600))
    '5.27197e+4433 (4434 digits)'
    """
    n = int(n)
    if n < 10 ** max_digits:
        return str(n)
    k = _n_digits(n)
    lead = str(n // 10 ** (k - 6))
    return f"{lead[0]}.{lead[1:]}e+{k - 1} ({k} digits)"


def order_to_json(n: int):
    """A group order for JSON: an int when a double holds it exactly (below 2⁵³), else its exact
    decimal digits as a string (JSON readers in other languages would round a larger number).

    Examples
    --------
    >>> import math
    >>> from identkit.symmetry import order_to_json
    >>> order_to_json(6)
    6
    >>> order_to_json(math.factorial(25))
    '15511210043330985984000000'
    """
    n = int(n)
    return n if n < 2 ** 53 else _decimal(n)


def permutation_matrix(perm) -> np.ndarray:
    """The permutation matrix ``P`` with ``P[perm[i], i] = 1`` (int, d x d).

    Examples
    --------
    >>> import identkit as ik
    >>> ik.permutation_matrix((1, 2, 0)).tolist()
    [[0, 0, 1], [1, 0, 0], [0, 1, 0]]
    """
    p = check_perm(perm, len(perm))
    P = np.zeros((p.size, p.size), dtype=int)
    P[p, np.arange(p.size)] = 1
    return P


class PermutationGroup:
    """A group of permutations of the latents, with an exact order computed from structure.

    Instances come from :func:`graph_preserving_permutations` and :func:`automorphisms`; they
    are immutable.

    Attributes
    ----------
    name : str
        What the group is ("automorphisms", "graph-preserving permutations").
    degree : int
        The number of latents permuted.
    generators : tuple of tuple of int
        Permutations (``p[i]`` is the image of i) that generate the group.
    symmetric_factors : tuple of (int, int)
        ``(k, m)``: m twin classes of k interchangeable latents (k >= 2), largest k first; each
        contributes ``k!`` to the order.

    Examples
    --------
    >>> import identkit as ik
    >>> group = ik.automorphisms(ik.LatentGraph(Gz=[[1, 0, 0], [0, 1, 0], [0, 0, 1]]))
    >>> print(group)
    automorphisms of 3 latents: order 6 = S_3
    >>> group.to_dict()
    {'order': 6, 'digits': 1, 'symmetric_factors': [[3, 1]], 'remaining_order': 1}
    """

    __slots__ = ("name", "degree", "generators", "symmetric_factors", "_order", "_contains",
                 "_iterate")

    def __init__(self, degree: int, generators, order: int,
                 contains: Callable[[tuple], bool], iterate: Callable[[], Iterator[tuple]],
                 name: str = "group", twin_sizes=()):
        counts: dict = {}
        for s in twin_sizes:
            if s > 1:
                counts[s] = counts.get(s, 0) + 1
        set_ = object.__setattr__
        set_(self, "name", str(name))
        set_(self, "degree", int(degree))
        set_(self, "symmetric_factors", tuple(sorted(counts.items(), reverse=True)))
        set_(self, "generators", tuple(tuple(int(x) for x in g) for g in generators))
        set_(self, "_order", int(order))
        set_(self, "_contains", contains)
        set_(self, "_iterate", iterate)

    def __setattr__(self, name, value):
        raise AttributeError("PermutationGroup is immutable")

    def __delattr__(self, name):
        raise AttributeError("PermutationGroup is immutable")

    def order(self) -> int:
        """The exact number of elements (a Python int). O(1)."""
        return self._order

    def describe(self) -> str:
        """The group by its structure: symmetric factors of the twin classes, then the rest.

        ``S_k^m`` stands for m twin classes of k interchangeable latents (each contributing
        ``k!`` to the order); what the twin classes leave is given by its order, printed safely
        (:func:`format_order`). Nothing is enumerated. O(number of twin classes).

        Examples
        --------
        >>> import numpy as np, identkit as ik
        >>> ik.automorphisms(ik.LatentGraph(Gz=np.eye(1600, dtype=bool))).describe()
        'S_1600'
        >>> ik.automorphisms(ik.LatentGraph(Gz=[[0, 0, 1], [1, 0, 0], [0, 1, 0]])).describe()
        'a group of order 3'
        """
        parts = [f"S_{k}" + (f"^{m}" if m > 1 else "") for k, m in self.symmetric_factors]
        rest = self._order // math.prod(math.factorial(k) ** m for k, m in self.symmetric_factors)
        if rest > 1:
            parts.append(f"a group of order {format_order(rest)}")
        return " × ".join(parts) or "trivial"

    def to_dict(self) -> dict:
        """Plain data for JSON: the order (:func:`order_to_json`), its number of digits, the
        symmetric factors ``[[class size, number of classes], ...]`` and the order of the rest.
        O(1) in the number of elements."""
        rest = self._order // math.prod(math.factorial(k) ** m for k, m in self.symmetric_factors)
        return {"order": order_to_json(self._order), "digits": _n_digits(self._order),
                "symmetric_factors": [[k, m] for k, m in self.symmetric_factors],
                "remaining_order": order_to_json(rest)}

    def __len__(self):
        return self._order

    def __contains__(self, perm) -> bool:
        """Membership test, checked against the definition. O(d + edges)."""
        try:
            p = check_perm(perm, self.degree)
        except (GraphError, TypeError, ValueError):  # not a permutation of the latents
            return False
        return bool(self._contains(tuple(p.tolist())))

    def __iter__(self) -> Iterator[tuple]:
        """Yield the elements lazily, identity first, each once."""
        return self._iterate()

    def orbits(self) -> list[list[int]]:
        """The orbits of the latents under the group, each sorted, ordered by smallest member."""
        sets = _search.DisjointSets(self.degree)
        for g in self.generators:
            for a, b in enumerate(g):
                sets.union(a, b)
        return sets.groups()

    def is_trivial(self) -> bool:
        """True iff the group has only the identity."""
        return self._order == 1

    def __str__(self) -> str:
        """``<name> of <d> latents: order <n>``, with the structure when there are twin classes
        (:meth:`describe`); the order is printed safely at any size (:func:`format_order`)."""
        text = f"{self.name} of {self.degree} latents: order {format_order(self._order)}"
        return text + (f" = {self.describe()}" if self.symmetric_factors else "")

    def __repr__(self):
        return f"<{self.name} of order {format_order(self._order)} on {self.degree} latents>"


# ------------------------------------------------------------------------------------------------
# graph-preserving permutations


def _product_of_symmetric(classes, degree) -> Iterator[tuple]:
    movable = [c for c in classes if len(c) > 1]
    for combo in _lazy_product(movable):
        p = list(range(degree))
        for cls, img in zip(movable, combo):
            for a, b in zip(cls, img):
                p[a] = b
        yield tuple(p)


def _lazy_product(movable):
    """Cartesian product of the permutations of each class without materializing any factor."""
    if not movable:
        yield ()
        return
    first, rest = movable[0], movable[1:]
    for img in itertools.permutations(first):
        for tail in _lazy_product(rest):
            yield (img,) + tail


def graph_preserving_permutations(g: LatentGraph, regularize: str | None = None) -> PermutationGroup:
    """The group of C-preserving permutations: exchanges of C-twins (Prop 3 of the paper).

    Parameters
    ----------
    g : LatentGraph
    regularize : str, optional
        Which learned graphs are regularized (letters ``a``, ``z``); default all the model has.

    Returns
    -------
    PermutationGroup
        Order ``Π |class|!`` over the twin classes (identical parent and child sets).

    Examples
    --------
    Example 8: the robot and the ball may be swapped; a directed 3-cycle allows nothing.

    >>> import identkit as ik
    >>> ik.graph_preserving_permutations(ik.LatentGraph(Gz=[[1,0,0],[1,1,1],[1,1,1]])).order()
    2
    >>> ik.graph_preserving_permutations(ik.LatentGraph(Gz=[[0,0,1],[1,0,0],[0,1,0]])).order()
    1

    Notes
    -----
    O(nnz + d) to build; membership O(d); iteration lazy.
    """
    classes = [list(c) for c in twin_classes(g, regularize)]
    d = g.n_latents
    class_of = [0] * d
    for k, c in enumerate(classes):
        for i in c:
            class_of[i] = k
    order = math.prod(math.factorial(len(c)) for c in classes)
    gens = [s for c in classes for s in symmetric_generators(c, d)]

    def contains(p):
        return all(class_of[p[i]] == class_of[i] for i in range(d))

    return PermutationGroup(d, gens, order, contains,
                            lambda: _product_of_symmetric(classes, d),
                            name="graph-preserving permutations",
                            twin_sizes=[len(c) for c in classes])


# ------------------------------------------------------------------------------------------------
# automorphisms


def _components_aut(G):
    """Aut of a coloured digraph from its weakly connected components.

    Components are grouped into isomorphism classes by their canonical certificates;
    ``|Aut| = Π_classes |Aut(component)|^k · k!`` for a class of k isomorphic components.
    Generators: each component's own (carried to its isomorphic copies), and for each class a
    transposition and a cycle of whole components, built from the canonical labellings.
    """
    n = len(G[2])
    comps = components(G)
    if len(comps) <= 1:
        res = _search.canonical_search(G)
        return res["order"], res["generators"]
    classes: dict = {}
    for comp in comps:
        res = _search.canonical_search(subgraph(G, comp))
        # canonical position -> original vertex
        placed = [comp[v] for v in res["labelling"]]
        classes.setdefault(res["certificate"], []).append((res, placed))
    order = 1
    gens: list[tuple] = []
    for members in classes.values():
        rep, rep_placed = members[0]
        order *= rep["order"] ** len(members) * math.factorial(len(members))
        rep_pos = {v: k for k, v in enumerate(rep_placed)}
        comp_rep = sorted(rep_placed)
        for _, placed in members:
            for sg in rep["generators"]:
                # sg acts on the representative's local indices; carry it through positions
                p = list(range(n))
                for a_local, b_local in enumerate(sg):
                    a, b = comp_rep[a_local], comp_rep[b_local]
                    p[placed[rep_pos[a]]] = placed[rep_pos[b]]
                gens.append(tuple(p))
        if len(members) >= 2:
            def swap(pairs):
                p = list(range(n))
                for src, dst in pairs:
                    for a, b in zip(src, dst):
                        p[a] = b
                return tuple(p)

            placed = [pl for _, pl in members]
            gens.append(swap([(placed[0], placed[1]), (placed[1], placed[0])]))
            if len(members) >= 3:
                gens.append(swap([(placed[t], placed[(t + 1) % len(placed)])
                                  for t in range(len(placed))]))
    return order, gens


def automorphisms(g: LatentGraph, regularize: str | None = None) -> PermutationGroup:
    """The automorphism group: permutations with ``P Gz Pᵀ = Gz`` and ``P Ga = Ga``.

    Actions stay fixed. Only the regularized graphs take part (default: all the model has).
    These are the relabelings of a learned graph that match the truth, so a learned model can be
    compared with the truth only up to this group.

    Returns
    -------
    PermutationGroup
        With an exact order computed from twin classes and a small quotient (see the module
        docstring), a generating set, membership by the definition and lazy iteration.

    Examples
    --------
    The identity ``Gz``: every permutation is an automorphism, though no two latents are C-twins.

    >>> import identkit as ik
    >>> g = ik.LatentGraph(Gz=[[1, 0, 0], [0, 1, 0], [0, 0, 1]])
    >>> ik.automorphisms(g).order(), ik.graph_preserving_permutations(g).order()
    (6, 1)
    >>> ik.automorphisms(ik.LatentGraph(Gz=[[0, 0, 1], [1, 0, 0], [0, 1, 0]])).order()  # 3-cycle
    3

    Notes
    -----
    Twin reduction costs O((d + E) log d) per round; the canonical search of the final quotient
    visits O(d) root-to-leaf paths on trees, circulants, Paley graphs and unions (worst case
    exponential, as for any graph isomorphism search; CFI graphs are the hard family).
    Membership is O(d + E). Iteration runs an iterative backtracking search and yields each
    element once.
    """
    reg = resolve_regularize(g, regularize)
    d = g.n_latents
    [(quotient, members, order, gens, sizes)], [colours], [(A, _)] = reduce_models([g], reg)
    q_order, q_gens = _components_aut(quotient)
    order *= q_order
    gens = list(gens) + [lift(s, members, d) for s in q_gens]
    src_v, dst_v = A.tocoo_arrays()
    codes = np.sort(src_v * d + dst_v)

    def contains(p):
        p = np.asarray(p, dtype=np.int64)
        if (colours[p] != colours).any():
            return False
        return bool(np.array_equal(np.sort(p[src_v] * d + p[dst_v]), codes))

    def iterate():
        out, inn, keys = coloured_graph(g, reg)
        G = (out, inn, encode([keys])[0])
        ident = tuple(range(d))
        yield ident
        for p in _search.isomorphisms(G, G):
            if p != ident:
                yield p

    return PermutationGroup(d, gens, order, contains, iterate, name="automorphisms",
                            twin_sizes=sizes)


class Symmetries:
    """The two permutation groups of a model, as the command line and reports show them.

    Attributes
    ----------
    preserving : PermutationGroup
        The graph-preserving permutations (:func:`graph_preserving_permutations`):
        relabelings a preserving map may hide.
    automorphisms : PermutationGroup
        The automorphisms of the regularized graphs (:func:`automorphisms`): relabelings of the
        learned graph that match the truth.

    Examples
    --------
    >>> import identkit as ik
    >>> from identkit.symmetry import Symmetries
    >>> s = Symmetries.of(ik.LatentGraph(Gz=[[1, 0, 0], [1, 1, 1], [1, 1, 1]]))   # Example 8
    >>> print(s)
    Graph-preserving permutations: 2 = S_2 (relabelings a preserving map may hide)
    Automorphisms: 2 = S_2 (relabelings of the learned graph that match the truth)
    >>> s.to_dict()["graph_preserving_permutations"]
    2
    """

    __slots__ = ("preserving", "automorphisms")

    def __init__(self, preserving: PermutationGroup, automorphisms: PermutationGroup):
        object.__setattr__(self, "preserving", preserving)
        object.__setattr__(self, "automorphisms", automorphisms)

    def __setattr__(self, name, value):
        raise AttributeError("Symmetries is immutable")

    @classmethod
    def of(cls, g: LatentGraph, regularize: str | None = None) -> "Symmetries":
        """Both groups of ``g`` under ``regularize`` (default: every graph it has)."""
        return cls(graph_preserving_permutations(g, regularize), automorphisms(g, regularize))

    @staticmethod
    def order_text(group: PermutationGroup) -> str:
        """A group's order, exact up to 30 digits, else scientific (:func:`format_order`), and
        its structure when it has twin classes (:meth:`PermutationGroup.describe`)."""
        text = format_order(group.order())
        return text + (f" = {group.describe()}" if group.symmetric_factors else "")

    def lines(self, explain: bool = True) -> list[str]:
        """The two lines of text; ``explain`` adds what each group means."""
        gp = f"Graph-preserving permutations: {self.order_text(self.preserving)}"
        aut = f"Automorphisms: {self.order_text(self.automorphisms)}"
        if explain:
            gp += " (relabelings a preserving map may hide)"
            aut += " (relabelings of the learned graph that match the truth)"
        return [gp, aut]

    def __str__(self) -> str:
        return "\n".join(self.lines())

    def to_dict(self) -> dict:
        """Orders as JSON values (:func:`order_to_json`: ints below 2**53, exact digit strings
        above) and the groups' structure (:meth:`PermutationGroup.to_dict`)."""
        return {"graph_preserving_permutations": order_to_json(self.preserving.order()),
                "automorphisms": order_to_json(self.automorphisms.order()),
                "graph_preserving_group": self.preserving.to_dict(),
                "automorphism_group": self.automorphisms.to_dict()}
