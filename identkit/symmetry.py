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
from .entanglement import resolve_regularize, twin_classes
from .errors import GraphError
from .graphs import LatentGraph, _check_perm

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
    p = _check_perm(perm, len(perm))
    P = np.zeros((p.size, p.size), dtype=int)
    P[p, np.arange(p.size)] = 1
    return P


class PermutationGroup:
    """A group of permutations of the latents, with an exact order computed from structure.

    Instances come from :func:`graph_preserving_permutations` and :func:`automorphisms`.

    Attributes
    ----------
    degree : int
        The number of latents permuted.
    generators : tuple of tuple of int
        Permutations (``p[i]`` is the image of i) that generate the group.
    """

    def __init__(self, degree: int, generators, order: int,
                 contains: Callable[[tuple], bool], iterate: Callable[[], Iterator[tuple]],
                 name: str = "group", twin_sizes=()):
        self.degree = degree
        counts: dict = {}
        for s in twin_sizes:
            if s > 1:
                counts[s] = counts.get(s, 0) + 1
        self.symmetric_factors = tuple(sorted(counts.items(), reverse=True))
        self.generators = tuple(tuple(int(x) for x in g) for g in generators)
        self._order = int(order)
        self._contains = contains
        self._iterate = iterate
        self._name = name

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
            p = _check_perm(perm, self.degree)
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

    def __repr__(self):
        return f"<{self._name} of order {format_order(self._order)} on {self.degree} latents>"


# ------------------------------------------------------------------------------------------------
# graph-preserving permutations


def _symmetric_generators(cls: list[int], degree: int) -> list[tuple]:
    """A transposition and a cycle, which together generate the symmetric group on ``cls``."""
    gens = []
    if len(cls) >= 2:
        t = list(range(degree))
        t[cls[0]], t[cls[1]] = cls[1], cls[0]
        gens.append(tuple(t))
    if len(cls) >= 3:
        c = list(range(degree))
        for a, b in zip(cls, cls[1:] + cls[:1]):
            c[a] = b
        gens.append(tuple(c))
    return gens


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
    d = g.n_latents
    classes = [list(c) for c in twin_classes(g, regularize)]
    class_of = [0] * d
    for k, c in enumerate(classes):
        for i in c:
            class_of[i] = k
    order = math.prod(math.factorial(len(c)) for c in classes)
    gens = [s for c in classes for s in _symmetric_generators(c, d)]

    def contains(p):
        return all(class_of[p[i]] == class_of[i] for i in range(d))

    return PermutationGroup(d, gens, order, contains,
                            lambda: _product_of_symmetric(classes, d),
                            name="graph-preserving permutations",
                            twin_sizes=[len(c) for c in classes])


# ------------------------------------------------------------------------------------------------
# automorphisms


def _coloured_graph(g: LatentGraph, reg: str, extra_colors=None):
    """Vertex-coloured digraph of the regularized graphs: Gz edges (no loops); colour = (loop,
    Ga row). Returns ``(out, inn, keys)`` with hashable colour keys."""
    d = g.n_latents
    out = [()] * d
    inn = [()] * d
    loops = [False] * d
    if "z" in reg:
        Gz, GzT = g._Gz, g._Gz_T
        out_l, in_l = [], []
        for i in range(d):
            # edge j -> i (j at t-1 is a parent of i): out-neighbours of j are Ch_z(j)
            ch = GzT.indices[GzT.indptr[i]: GzT.indptr[i + 1]].tolist()
            pa = Gz.indices[Gz.indptr[i]: Gz.indptr[i + 1]].tolist()
            loops[i] = i in pa
            out_l.append(tuple(x for x in ch if x != i))
            in_l.append(tuple(x for x in pa if x != i))
        out, inn = out_l, in_l
    rows = [()] * d
    if "a" in reg:
        Ga = g._Ga
        rows = [tuple(Ga.indices[Ga.indptr[i]: Ga.indptr[i + 1]].tolist()) for i in range(d)]
    keys = [(loops[i], rows[i]) if extra_colors is None else (loops[i], rows[i], extra_colors[i])
            for i in range(d)]
    return out, inn, keys


def _encode(keys_list):
    """Map hashable colour keys (possibly from several graphs) to ints, consistently."""
    table = {k: n for n, k in enumerate(sorted(set(k for keys in keys_list for k in keys),
                                               key=repr))}
    return [[table[k] for k in keys] for keys in keys_list]


def _twin_classes(out, inn, colors) -> list[list[int]]:
    """Structural-twin classes: vertices whose transposition is an automorphism.

    False twins (no edge between them) have equal colour, out-set and in-set; true twins (edges
    both ways) have equal colour and equal closed sets. The relation is an equivalence (the
    conjugate of a twin transposition by another is one), and no vertex has both kinds.
    O((n + E) log n).
    """
    n = len(colors)
    sets = _search.DisjointSets(n)
    for closed in (False, True):
        seen: dict = {}
        for v in range(n):
            o = frozenset(out[v]) | ({v} if closed else frozenset())
            i = frozenset(inn[v]) | ({v} if closed else frozenset())
            key = (colors[v], o, i)
            if key in seen:
                sets.union(seen[key], v)
            else:
                seen[key] = v
    return sets.groups()


def _twin_quotients(graphs, starts=None):
    """Collapse structural twins, round after round, in several graphs with one colour encoding.

    ``graphs`` is a list of ``(out, inn, colors)`` whose int colours share one encoding. Each
    round replaces every twin class by one vertex coloured ``(colour, class size, whether the
    members are joined)``; rounds repeat until no graph has twins. Because twin classes, the
    new colours and the quotient edges are defined without reference to vertex names, an
    isomorphism between two graphs maps their quotients onto each other, and an isomorphism of
    the quotients lifts to the graphs by sending the k-th member of a class to the k-th member
    of its image.

    ``starts`` (from :func:`_first_twin_round`) replaces ``graphs`` with the state after a
    first round done on the sparse matrices.

    Returns, for each graph, ``(quotient, members, order, generators, sizes)``: the last quotient,
    the original vertices each of its vertices stands for (in lifting order), the product of
    ``|class|!`` over all rounds, and generators of those symmetric factors on the original
    vertices, and the sizes of all twin classes met. O((n + E) log n) per round.
    """
    if starts is not None:
        state = starts
    else:
        state = []
        for out, inn, colors in graphs:
            n = len(colors)
            state.append({"out": list(out), "inn": list(inn), "col": list(colors),
                          "members": [[v] for v in range(n)], "order": 1, "gens": [], "n": n,
                          "sizes": []})
    while True:
        any_twins = False
        new_keys = []
        for s in state:
            classes = _twin_classes(s["out"], s["inn"], s["col"])
            if all(len(c) == 1 for c in classes):
                new_keys.append(s["col"])
                s["classes"] = None
                continue
            any_twins = True
            for c in classes:
                s["order"] *= math.factorial(len(c))
                s["sizes"].append(len(c))
                for sigma in _symmetric_generators(c, len(s["col"])):
                    s["gens"].append(_lift(sigma, s["members"], s["n"]))
            s["classes"] = classes
            keys = []
            for c in classes:
                v = c[0]
                internal = len(c) > 1 and c[1] in set(s["out"][v])
                keys.append((s["col"][v], len(c), internal))
            new_keys.append(keys)
        if not any_twins:
            break
        encoded = _encode(new_keys)
        for s, cols in zip(state, encoded):
            classes = s["classes"]
            if classes is None:
                s["col"] = cols
                continue
            idx = {}
            for k, c in enumerate(classes):
                for v in c:
                    idx[v] = k
            out_q, in_q = [], []
            for c in classes:
                v = c[0]
                out_q.append(tuple(sorted({idx[u] for u in s["out"][v]} - {idx[v]})))
                in_q.append(tuple(sorted({idx[u] for u in s["inn"][v]} - {idx[v]})))
            s["members"] = [[x for v in c for x in s["members"][v]] for c in classes]
            s["out"], s["inn"], s["col"] = out_q, in_q, cols
    return [((s["out"], s["inn"], s["col"]), s["members"], s["order"], s["gens"], s["sizes"])
            for s in state]


def _latent_colours(models, reg: str) -> list[np.ndarray]:
    """Int colours of the latents of several models, from one joint encoding.

    The colour of a latent is its self-loop (when Gz is regularized) and its row of Ga (when Ga
    is); equal keys get equal ints in every model, numbered in the order of the sorted keys.
    O(d + nnz) per model.
    """
    keys_list = []
    for g in models:
        d = g.n_latents
        loops = (g._Gz.diagonal().astype(bool) if "z" in reg
                 else np.zeros(d, dtype=bool))
        if "a" in reg:
            Ga = g._Ga
            rows = [Ga.indices[Ga.indptr[i]: Ga.indptr[i + 1]].astype(np.int64).tobytes()
                    for i in range(d)]
        else:
            rows = [b""] * d
        keys_list.append(list(zip(loops.tolist(), rows)))
    table = {k: n for n, k in enumerate(sorted(set().union(*map(set, keys_list))))}
    return [np.array([table[k] for k in keys], dtype=np.int64) for keys in keys_list]


class _CSR:
    """Bare CSR arrays (``indptr``, ``indices``, rows sorted): cheaper than scipy for the many
    small graphs of exhaustive checks."""

    __slots__ = ("indptr", "indices")

    def __init__(self, rows: np.ndarray, cols: np.ndarray, d: int, is_sorted: bool = False):
        if not is_sorted:
            order = np.lexsort((cols, rows))
            cols = cols[order]
        self.indices = cols
        self.indptr = np.zeros(d + 1, dtype=np.int64)
        np.cumsum(np.bincount(rows, minlength=d), out=self.indptr[1:])

    def with_diagonal(self) -> "_CSR":
        """The same rows with v added to row v (the matrix has no diagonal). O(E + d) in numpy:
        each entry moves right by its row number, plus one if it lies after the new one."""
        d = self.indptr.size - 1
        rows, cols = self.tocoo_arrays()
        less = cols < rows
        before = np.bincount(rows[less], minlength=d)
        out = _CSR.__new__(_CSR)
        out.indices = np.empty(cols.size + d, dtype=np.int64)
        out.indices[np.arange(cols.size) + rows + ~less] = cols
        out.indices[self.indptr[:-1] + np.arange(d) + before] = np.arange(d)
        out.indptr = self.indptr + np.arange(d + 1)
        return out

    def tocoo_arrays(self):
        d = self.indptr.size - 1
        return np.repeat(np.arange(d), np.diff(self.indptr)), self.indices


def _offdiagonal(g: LatentGraph, reg: str):
    """``(A, Aᵀ)``: Gz without its diagonal and its transpose, as :class:`_CSR` (empty without
    z). O(d + E log E)."""
    d = g.n_latents
    if "z" not in reg:
        empty = np.zeros(0, dtype=np.int64)
        return _CSR(empty, empty, d), _CSR(empty, empty, d)
    out = []
    for M in (g._Gz, g._Gz_T):  # canonical CSR: rows and the indices in each are sorted
        rows = np.repeat(np.arange(d, dtype=np.int64), np.diff(M.indptr))
        cols = M.indices.astype(np.int64)
        keep = rows != cols
        out.append(_CSR(rows[keep], cols[keep], d, is_sorted=True))
    return out[0], out[1]


def _row(M, v):
    return M.indices[M.indptr[v]: M.indptr[v + 1]]


def _first_twin_round(A, AT, colors: np.ndarray) -> dict:
    """The first twin round on sparse rows (``A[v]``: the neighbours one way, ``AT[v]`` the
    other way; no diagonal), as a state for :func:`_twin_quotients`.

    Twins are found by exact row keys (bytes of the sorted index rows, with v itself added for
    true twins), so a dense model with millions of edges costs O(d + E log E) in numpy plus
    O(d) dictionary operations; the quotient's adjacency is built from one representative per
    class.
    """
    d = len(colors)
    sets = _search.DisjointSets(d)
    col = colors.tolist()
    for M, MT in ((A, AT), (A.with_diagonal(), AT.with_diagonal())):
        seen: dict = {}
        for v in range(d):
            key = (col[v], _row(M, v).tobytes(), _row(MT, v).tobytes())
            if key in seen:
                sets.union(seen[key], v)
            else:
                seen[key] = v
    classes = sets.groups()
    cls_id = np.empty(d, dtype=np.int64)
    for k, c in enumerate(classes):
        cls_id[c] = k
    out_q, in_q, keys, gens, sizes = [], [], [], [], []
    order = 1
    for k, c in enumerate(classes):
        r = c[0]
        outs = set(np.unique(cls_id[_row(A, r)]).tolist())
        ins = set(np.unique(cls_id[_row(AT, r)]).tolist())
        internal = k in outs
        outs.discard(k)
        ins.discard(k)
        out_q.append(tuple(sorted(outs)))
        in_q.append(tuple(sorted(ins)))
        keys.append((col[r], len(c), internal and len(c) > 1))
        if len(c) > 1:
            order *= math.factorial(len(c))
            sizes.append(len(c))
            gens.extend(_symmetric_generators(c, d))
    return {"out": out_q, "inn": in_q, "col": keys, "members": [list(c) for c in classes],
            "order": order, "gens": gens, "n": d, "sizes": sizes}


def _reduce_models(models, reg: str, colours=None, mats=None):
    """Twin quotients of several models with one colour encoding (see :func:`_twin_quotients`).

    Also returns the latent colours and the off-diagonal matrices of each model (which may be
    passed in when already computed).
    """
    colours = _latent_colours(models, reg) if colours is None else colours
    mats = [_offdiagonal(g, reg) for g in models] if mats is None else mats
    starts = [_first_twin_round(A, AT, col) for (A, AT), col in zip(mats, colours)]
    for s, enc in zip(starts, _encode([s["col"] for s in starts])):
        s["col"] = enc
    return _twin_quotients(None, starts=starts), colours, mats


def _components(G) -> list[list[int]]:
    out, _, colors = G
    sets = _search.DisjointSets(len(colors))
    for v in range(len(colors)):
        for u in out[v]:
            sets.union(v, u)
    return sets.groups()


def _subgraph(G, comp):
    out, inn, colors = G
    pos = {v: k for k, v in enumerate(comp)}
    return (tuple(tuple(pos[u] for u in out[v]) for v in comp),
            tuple(tuple(pos[u] for u in inn[v]) for v in comp),
            [colors[v] for v in comp])


def _components_aut(G):
    """Aut of a coloured digraph from its weakly connected components.

    Components are grouped into isomorphism classes by their canonical certificates;
    ``|Aut| = Π_classes |Aut(component)|^k · k!`` for a class of k isomorphic components.
    Generators: each component's own (carried to its isomorphic copies), and for each class a
    transposition and a cycle of whole components, built from the canonical labellings.
    """
    n = len(G[2])
    comps = _components(G)
    if len(comps) <= 1:
        res = _search.canonical_search(G)
        return res["order"], res["generators"]
    classes: dict = {}
    for comp in comps:
        res = _search.canonical_search(_subgraph(G, comp))
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


def _lift(sigma, members, n):
    p = list(range(n))
    for v, w in enumerate(sigma):
        if v != w:
            for a, b in zip(members[v], members[w]):
                p[a] = b
    return tuple(p)


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
    [(quotient, members, order, gens, sizes)], [colours], [(A, _)] = _reduce_models([g], reg)
    q_order, q_gens = _components_aut(quotient)
    order *= q_order
    gens = list(gens) + [_lift(s, members, d) for s in q_gens]
    src_v, dst_v = A.tocoo_arrays()
    codes = np.sort(src_v * d + dst_v)

    def contains(p):
        p = np.asarray(p, dtype=np.int64)
        if (colours[p] != colours).any():
            return False
        return bool(np.array_equal(np.sort(p[src_v] * d + p[dst_v]), codes))

    def iterate():
        out, inn, keys = _coloured_graph(g, reg)
        G = (out, inn, _encode([keys])[0])
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
