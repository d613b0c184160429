"""The coloured-graph encoding and the twin reduction shared by symmetry and consistency (internal).

:mod:`identkit.symmetry` (the order of the automorphism group) and :mod:`identkit.consistency`
(relabelings between a true and a learned model) read a model the same way: as a vertex-coloured
digraph of its regularized graphs (:func:`coloured_graph`; colour = self-loop and row of ``Ga``),
reduced by collapsing structural twins round after round (:func:`reduce_models`), then split
into weakly connected components (:func:`components`, :func:`subgraph`) for the canonical search
of :mod:`identkit._search`. The encoding of colours is joint across the models compared
(:func:`encode`, :func:`latent_colours`), so equal colours get equal ints in every model.

A coloured digraph is a triple ``(out, inn, colors)``: the out- and in-neighbours of each
vertex (tuples of ints) and an int colour per vertex.
"""

from __future__ import annotations

import math

import numpy as np

from . import _search
from .graphs import LatentGraph

__all__ = ["coloured_graph", "encode", "structural_twin_classes", "twin_quotients",
           "latent_colours", "SparseRows", "offdiagonal", "row_of", "first_twin_round",
           "reduce_models", "components", "subgraph", "symmetric_generators", "lift"]


def symmetric_generators(cls: list[int], degree: int) -> list[tuple]:
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

def coloured_graph(g: LatentGraph, reg: str, extra_colors=None):
    """Vertex-coloured digraph of the regularized graphs: Gz edges (no loops); colour = (loop,
    Ga row). Returns ``(out, inn, keys)`` with hashable colour keys."""
    d = g.n_latents
    out = [()] * d
    inn = [()] * d
    loops = [False] * d
    if "z" in reg:
        Gz, GzT = g.Gz_csr, g.Gz_T_csr
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
        Ga = g.Ga_csr
        rows = [tuple(Ga.indices[Ga.indptr[i]: Ga.indptr[i + 1]].tolist()) for i in range(d)]
    keys = [(loops[i], rows[i]) if extra_colors is None else (loops[i], rows[i], extra_colors[i])
            for i in range(d)]
    return out, inn, keys

def encode(keys_list):
    """Map hashable colour keys (possibly from several graphs) to ints, consistently."""
    table = {k: n for n, k in enumerate(sorted(set(k for keys in keys_list for k in keys),
                                               key=repr))}
    return [[table[k] for k in keys] for keys in keys_list]

def structural_twin_classes(out, inn, colors) -> list[list[int]]:
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

def twin_quotients(graphs, starts=None):
    """Collapse structural twins, round after round, in several graphs with one colour encoding.

    ``graphs`` is a list of ``(out, inn, colors)`` whose int colours share one encoding. Each
    round replaces every twin class by one vertex coloured ``(colour, class size, whether the
    members are joined)``; rounds repeat until no graph has twins. Because twin classes, the
    new colours and the quotient edges are defined without reference to vertex names, an
    isomorphism between two graphs maps their quotients onto each other, and an isomorphism of
    the quotients lifts to the graphs by sending the k-th member of a class to the k-th member
    of its image.

    ``starts`` (from :func:`first_twin_round`) replaces ``graphs`` with the state after a
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
            classes = structural_twin_classes(s["out"], s["inn"], s["col"])
            if all(len(c) == 1 for c in classes):
                new_keys.append(s["col"])
                s["classes"] = None
                continue
            any_twins = True
            for c in classes:
                s["order"] *= math.factorial(len(c))
                s["sizes"].append(len(c))
                for sigma in symmetric_generators(c, len(s["col"])):
                    s["gens"].append(lift(sigma, s["members"], s["n"]))
            s["classes"] = classes
            keys = []
            for c in classes:
                v = c[0]
                internal = len(c) > 1 and c[1] in set(s["out"][v])
                keys.append((s["col"][v], len(c), internal))
            new_keys.append(keys)
        if not any_twins:
            break
        encoded = encode(new_keys)
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

def latent_colours(models, reg: str) -> list[np.ndarray]:
    """Int colours of the latents of several models, from one joint encoding.

    The colour of a latent is its self-loop (when Gz is regularized) and its row of Ga (when Ga
    is); equal keys get equal ints in every model, numbered in the order of the sorted keys.
    O(d + nnz) per model.
    """
    keys_list = []
    for g in models:
        d = g.n_latents
        loops = (g.Gz_csr.diagonal().astype(bool) if "z" in reg
                 else np.zeros(d, dtype=bool))
        if "a" in reg:
            Ga = g.Ga_csr
            rows = [Ga.indices[Ga.indptr[i]: Ga.indptr[i + 1]].astype(np.int64).tobytes()
                    for i in range(d)]
        else:
            rows = [b""] * d
        keys_list.append(list(zip(loops.tolist(), rows)))
    table = {k: n for n, k in enumerate(sorted(set().union(*map(set, keys_list))))}
    return [np.array([table[k] for k in keys], dtype=np.int64) for keys in keys_list]

def offdiagonal(g: LatentGraph, reg: str):
    """``(A, Aᵀ)``: Gz without its diagonal and its transpose, as :class:`SparseRows` (empty
    without z). O(d + E log E)."""
    d = g.n_latents
    if "z" not in reg:
        empty = np.zeros(0, dtype=np.int64)
        return SparseRows(empty, empty, d), SparseRows(empty, empty, d)
    out = []
    for M in (g.Gz_csr, g.Gz_T_csr):  # canonical CSR: rows and the indices in each are sorted
        rows = np.repeat(np.arange(d, dtype=np.int64), np.diff(M.indptr))
        cols = M.indices.astype(np.int64)
        keep = rows != cols
        out.append(SparseRows(rows[keep], cols[keep], d, is_sorted=True))
    return out[0], out[1]

def row_of(M, v):
    return M.indices[M.indptr[v]: M.indptr[v + 1]]

class SparseRows:
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

    def with_diagonal(self) -> "SparseRows":
        """The same rows with v added to row v (the matrix has no diagonal). O(E + d) in numpy:
        each entry moves right by its row number, plus one if it lies after the new one."""
        d = self.indptr.size - 1
        rows, cols = self.tocoo_arrays()
        less = cols < rows
        before = np.bincount(rows[less], minlength=d)
        out = SparseRows.__new__(SparseRows)
        out.indices = np.empty(cols.size + d, dtype=np.int64)
        out.indices[np.arange(cols.size) + rows + ~less] = cols
        out.indices[self.indptr[:-1] + np.arange(d) + before] = np.arange(d)
        out.indptr = self.indptr + np.arange(d + 1)
        return out

    def tocoo_arrays(self):
        d = self.indptr.size - 1
        return np.repeat(np.arange(d), np.diff(self.indptr)), self.indices

def first_twin_round(A, AT, colors: np.ndarray) -> dict:
    """The first twin round on sparse rows (``A[v]``: the neighbours one way, ``AT[v]`` the
    other way; no diagonal), as a state for :func:`twin_quotients`.

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
            key = (col[v], row_of(M, v).tobytes(), row_of(MT, v).tobytes())
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
        outs = set(np.unique(cls_id[row_of(A, r)]).tolist())
        ins = set(np.unique(cls_id[row_of(AT, r)]).tolist())
        internal = k in outs
        outs.discard(k)
        ins.discard(k)
        out_q.append(tuple(sorted(outs)))
        in_q.append(tuple(sorted(ins)))
        keys.append((col[r], len(c), internal and len(c) > 1))
        if len(c) > 1:
            order *= math.factorial(len(c))
            sizes.append(len(c))
            gens.extend(symmetric_generators(c, d))
    return {"out": out_q, "inn": in_q, "col": keys, "members": [list(c) for c in classes],
            "order": order, "gens": gens, "n": d, "sizes": sizes}

def reduce_models(models, reg: str, colours=None, mats=None):
    """Twin quotients of several models with one colour encoding (see :func:`twin_quotients`).

    Also returns the latent colours and the off-diagonal matrices of each model (which may be
    passed in when already computed).
    """
    colours = latent_colours(models, reg) if colours is None else colours
    mats = [offdiagonal(g, reg) for g in models] if mats is None else mats
    starts = [first_twin_round(A, AT, col) for (A, AT), col in zip(mats, colours)]
    for s, enc in zip(starts, encode([s["col"] for s in starts])):
        s["col"] = enc
    return twin_quotients(None, starts=starts), colours, mats

def components(G) -> list[list[int]]:
    out, _, colors = G
    sets = _search.DisjointSets(len(colors))
    for v in range(len(colors)):
        for u in out[v]:
            sets.union(v, u)
    return sets.groups()

def subgraph(G, comp):
    out, inn, colors = G
    pos = {v: k for k, v in enumerate(comp)}
    return (tuple(tuple(pos[u] for u in out[v]) for v in comp),
            tuple(tuple(pos[u] for u in inn[v]) for v in comp),
            [colors[v] for v in comp])

def lift(sigma, members, n):
    p = list(range(n))
    for v, w in enumerate(sigma):
        if v != w:
            for a, b in zip(members[v], members[w]):
                p[a] = b
    return tuple(p)
