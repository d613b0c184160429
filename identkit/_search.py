"""Canonical forms and automorphism groups of vertex-coloured digraphs by individualization-refinement.

Internal engine behind :mod:`identkit.symmetry` and :mod:`identkit.consistency`. A graph is given
as ``(out, inn, colors)``: ``out[v]``/``inn[v]`` are tuples of out- and in-neighbours *other than
v* (self-loops must be folded into the colour), ``colors[v]`` a non-negative int. Colours of two
graphs that are to be compared must come from one joint encoding.

The method is the one of nauty and its successors, written iteratively (no recursion, so depth is
limited only by memory):

* **Refinement.** An ordered partition is refined to the coarsest equitable one by splitting cells
  against a queue of splitter cells (each vertex's number of out- and in-neighbours in the
  splitter), new fragments being queued except a largest one when the old cell had been used
  already. Every step depends only on the ordered partition, never on vertex names, so the result
  commutes with isomorphisms; the *trace* (which cells split, into which sizes, by which counts)
  is an isomorphism invariant of the node. Cost ``O(Σ deg)`` over the splitters processed.
* **Search tree.** A node individualizes one vertex of the first smallest non-singleton cell and
  refines; a leaf is a discrete partition, i.e. a labelling. Leaves are compared by their value
  (the traces along the path, then the graph relabelled by the leaf): two leaves with equal value
  differ by an automorphism, and the largest value is the canonical form.
* **Pruning.** A node whose trace differs from the first path's and is below the best path's can
  lead to neither an automorphism nor a better leaf; children of a node that lie in one orbit of
  the automorphisms found so far that fix the node's path lead to equivalent subtrees, so only one
  of them is explored; a subtree that yields an automorphism onto the first leaf is left at once.

The group order is the product, over the first path, of the orbit of the first-path child under
the pointwise stabilizer of the path above it (orbit-stabilizer); each orbit is exact because
every other child was either shown equivalent by an automorphism or searched completely. Every
automorphism is a leaf-to-leaf map whose relabelled graphs are equal, so it is checked by
construction. Worst case exponential (as for every isomorphism search: CFI graphs are the known
hard family); on trees, circulants, Paley graphs and unions the search visits ``O(n)`` paths.
"""

from __future__ import annotations

from collections import deque
from typing import Iterator, Sequence

import numpy as np

Graph = tuple  # (out, inn, colors)


class DisjointSets:
    """Union-find over ``0 .. n-1`` with path halving; roots are the smallest members."""

    def __init__(self, n: int):
        self.parent = list(range(n))

    def find(self, a: int) -> int:
        parent = self.parent
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    def union(self, a: int, b: int) -> int:
        """Merge the sets of a and b; returns the root of the merged set."""
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            ra, rb = min(ra, rb), max(ra, rb)
            self.parent[rb] = ra
        return ra

    def groups(self) -> list[list[int]]:
        """The sets, each sorted, ordered by their smallest member."""
        out: dict[int, list[int]] = {}
        for v in range(len(self.parent)):
            out.setdefault(self.find(v), []).append(v)
        return sorted(out.values(), key=lambda m: m[0])


# ------------------------------------------------------------------------------------------------
# ordered partitions


class _Partition:
    """An ordered partition: ``lab`` lists the vertices cell by cell, ``cell[v]`` is the position
    where v's cell starts and ``size[c]`` the size of the cell starting at position c."""

    __slots__ = ("lab", "cell", "size", "n_cells")

    def __init__(self, lab, cell, size, n_cells):
        self.lab, self.cell, self.size, self.n_cells = lab, cell, size, n_cells

    @classmethod
    def from_colors(cls, colors) -> "_Partition":
        n = len(colors)
        lab = sorted(range(n), key=lambda v: (colors[v], v))
        cell = [0] * n
        size = [0] * n
        start = 0
        n_cells = 0
        for k in range(n + 1):
            if k == n or (k > start and colors[lab[k]] != colors[lab[start]]):
                if k > start:
                    size[start] = k - start
                    for t in range(start, k):
                        cell[lab[t]] = start
                    n_cells += 1
                start = k
        return cls(lab, cell, size, n_cells)

    def copy(self) -> "_Partition":
        return _Partition(self.lab[:], self.cell[:], self.size[:], self.n_cells)

    def starts(self) -> list[int]:
        out, c, n = [], 0, len(self.lab)
        while c < n:
            out.append(c)
            c += self.size[c]
        return out

    def target_cell(self) -> int:
        """Start of the first smallest non-singleton cell, or -1 if the partition is discrete."""
        best, best_size, c, n = -1, 0, 0, len(self.lab)
        size = self.size
        while c < n:
            s = size[c]
            if s > 1 and (best < 0 or s < best_size):
                best, best_size = c, s
                if s == 2:
                    break
            c += s
        return best

    def individualize_pair(self, x: int, y: int) -> None:
        """Make ``{x, y}`` (two members of one cell) a cell of its own at the front."""
        lab, cell, size = self.lab, self.cell, self.size
        c = cell[x]
        for pos, v in ((c, x), (c + 1, y)):
            k = lab.index(v, c, c + size[c])
            lab[pos], lab[k] = lab[k], lab[pos]
        rest = c + 2
        size[rest] = size[c] - 2
        size[c] = 2
        cell[x] = cell[y] = c
        for t in range(rest, rest + size[rest]):
            cell[lab[t]] = rest
        self.n_cells += 1

    def individualize(self, v: int) -> int:
        """Make v a singleton at the front of its cell; returns the start of the rest."""
        lab, cell, size = self.lab, self.cell, self.size
        c = cell[v]
        k = lab.index(v, c, c + size[c])
        lab[c], lab[k] = lab[k], lab[c]
        rest = c + 1
        size[rest] = size[c] - 1
        size[c] = 1
        for t in range(rest, rest + size[rest]):
            cell[lab[t]] = rest
        self.n_cells += 1
        return rest


def _refine(P: _Partition, queue: list[int], out, inn, wide: int) -> tuple:
    """Refine ``P`` in place to the coarsest equitable partition below it; returns the trace.

    ``queue`` holds the starts of the cells to split against first (all cells at the root, the
    new singleton after an individualization). ``wide`` exceeds every degree (an out-count and
    an in-count are packed into one int). The trace is a tuple of ints.
    """
    lab, cell, size = P.lab, P.cell, P.size
    q = deque(queue)
    inq = set(queue)
    trace: list[int] = []
    n = len(lab)
    while q and P.n_cells < n:
        w = q.popleft()
        inq.discard(w)
        count: dict[int, int] = {}
        for x in lab[w: w + size[w]]:
            for u in inn[x]:  # x is an out-neighbour of u
                count[u] = count.get(u, 0) + wide
            for u in out[x]:  # x is an in-neighbour of u
                count[u] = count.get(u, 0) + 1
        touched: dict[int, int] = {}
        for u in count:
            c = cell[u]
            touched[c] = touched.get(c, 0) + 1
        trace.append(-1 - w)
        for c in sorted(touched):
            s = size[c]
            if s == 1:
                continue
            members = lab[c: c + s]
            keys = [count.get(u, 0) for u in members]
            lo, hi = min(keys), max(keys)
            if lo == hi:
                continue
            order = sorted(range(s), key=keys.__getitem__)
            lab[c: c + s] = [members[t] for t in order]
            frags = []  # (start, size, key)
            start = c
            for t in range(1, s + 1):
                if t == s or keys[order[t]] != keys[order[t - 1]]:
                    frags.append((start, c + t - start, keys[order[t - 1]]))
                    start = c + t
            for f_start, f_size, _ in frags:
                size[f_start] = f_size
                for t in range(f_start, f_start + f_size):
                    cell[lab[t]] = f_start
            P.n_cells += len(frags) - 1
            trace.append(c)
            for f in frags:
                trace.append(f[1])
                trace.append(f[2])
            if c in inq:
                new = [f[0] for f in frags[1:]]
            else:
                largest = max(range(len(frags)), key=lambda k: (frags[k][1], -k))
                new = [f[0] for k, f in enumerate(frags) if k != largest]
            for f_start in new:
                if f_start not in inq:
                    inq.add(f_start)
                    q.append(f_start)
    trace.append(-1 - n - P.n_cells)
    return tuple(trace)


# ------------------------------------------------------------------------------------------------
# canonical form and automorphism group


class _Leafer:
    """Relabelled-graph certificates of leaves, vectorised over the edge list."""

    def __init__(self, G: Graph):
        out, _, colors = G
        n = len(colors)
        self.n = n
        src = np.fromiter((v for v in range(n) for _ in out[v]), dtype=np.int64)
        dst = np.fromiter((u for v in range(n) for u in out[v]), dtype=np.int64)
        self.src, self.dst = src, dst
        self.colors = np.asarray(colors, dtype=np.int64)

    def value(self, lab) -> bytes:
        lab = np.asarray(lab, dtype=np.int64)
        pos = np.empty(self.n, dtype=np.int64)
        pos[lab] = np.arange(self.n)
        codes = np.sort(pos[self.src] * self.n + pos[self.dst])
        return self.colors[lab].tobytes() + b"|" + codes.tobytes()


def _perm_between(lab_from, lab_to) -> tuple:
    """The permutation sending ``lab_from[i]`` to ``lab_to[i]`` for every position i."""
    p = [0] * len(lab_from)
    for a, b in zip(lab_from, lab_to):
        p[a] = b
    return tuple(p)


def _orbit_sets(n: int, gens, fixing=None) -> DisjointSets:
    sets = DisjointSets(n)
    for g in gens:
        if fixing is not None and any(g[x] != x for x in fixing):
            continue
        for a, b in enumerate(g):
            if a != b:
                sets.union(a, b)
    return sets


def canonical_search(G: Graph) -> dict:
    """Automorphism group and canonical labelling of a coloured digraph, in one search.

    Returns
    -------
    dict
        ``order`` (exact int), ``generators`` (list of tuples, a strong generating set along the
        first path), ``labelling`` (canonical order of the vertices: position -> vertex) and
        ``certificate`` (bytes). Two graphs whose colours come from one joint encoding are
        isomorphic iff their certificates are equal, and then sending the vertex at each
        position of one labelling to the vertex at the same position of the other is an
        isomorphism.

    Examples
    --------
    >>> from identkit._search import canonical_search
    >>> cycle = ((1,), (2,), (0,)), ((2,), (0,), (1,)), [0, 0, 0]
    >>> canonical_search(cycle)["order"]
    3

    Notes
    -----
    Iterative depth-first search (see the module docstring); memory ``O(n · depth)``.
    """
    out, inn, colors = G
    n = len(colors)
    if n == 0:
        return {"order": 1, "generators": [], "labelling": [], "certificate": b""}
    wide = n + 1
    leafer = _Leafer(G)
    root = _Partition.from_colors(colors)
    root_trace = _refine(root, root.starts(), out, inn, wide)

    # the first path, down to the first leaf
    first_nodes: list[_Partition] = []
    first_traces = [root_trace]
    first_path: list[int] = []
    P = root
    while True:
        c = P.target_cell()
        if c < 0:
            break
        first_nodes.append(P.copy())
        v = P.lab[c]
        first_path.append(v)
        P.individualize(v)
        first_traces.append(_refine(P, [c], out, inn, wide))
    first_traces_t = tuple(first_traces)
    first_lab = P.lab[:]
    first_value = (first_traces_t, leafer.value(first_lab))
    best = {"lab": first_lab, "value": first_value, "traces": first_traces_t}
    gens: list[tuple] = []
    order = 1

    def leaf(Q: _Partition, traces: tuple, eq_first: bool, cmp_best: int) -> bool:
        """Compare a leaf with the first and the best; True iff it is equivalent to the first."""
        if not eq_first and cmp_best < 0:
            return False
        value = (traces, leafer.value(Q.lab))
        if value == first_value:
            gens.append(_perm_between(first_lab, Q.lab))
            return True
        if value == best["value"]:
            gens.append(_perm_between(best["lab"], Q.lab))
        elif value > best["value"]:
            best.update(lab=Q.lab[:], value=value, traces=traces)
        return False

    def child(parent: _Partition, v: int, traces: tuple, eq_first: bool, cmp_best: int):
        """Individualize v below ``parent`` and refine; the child's bookkeeping."""
        Q = parent.copy()
        Q.individualize(v)
        depth = len(traces)
        tr = _refine(Q, [Q.cell[v]], out, inn, wide)
        eq_first = eq_first and depth < len(first_traces) and tr == first_traces[depth]
        if cmp_best == 0:
            bt = best["traces"]
            ref = bt[depth] if depth < len(bt) else None
            cmp_best = 0 if tr == ref else (1 if ref is None or tr > ref else -1)
        return Q, traces + (tr,), eq_first, cmp_best

    for level in range(len(first_nodes) - 1, -1, -1):
        node = first_nodes[level]
        c = node.target_cell()
        cell = sorted(node.lab[c: c + node.size[c]])
        x = first_path[level]
        sets = _orbit_sets(n, gens)
        n_gens = len(gens)
        tried = [x]
        for w in cell:
            if len(gens) > n_gens:
                sets = _orbit_sets(n, gens)
                n_gens = len(gens)
            if any(sets.find(w) == sets.find(u) for u in tried):
                continue
            tried.append(w)
            Q, traces, eq_first, cmp_best = child(node, w, first_traces_t[: level + 1],
                                                  True, 0)
            if not eq_first and cmp_best < 0:
                continue
            if Q.target_cell() < 0:
                leaf(Q, traces, eq_first, cmp_best)
                continue
            # frames: [partition, target cell members, next index, path, traces, eq_first,
            #          cmp_best, tried kids, orbit sets or None, number of gens they used]
            path = first_path[:level] + [w]
            frames = [_frame(Q, path, traces, eq_first, cmp_best)]
            found = False
            while frames and not found:
                fr = frames[-1]
                Qf, kids, k, fpath, ftraces, feq, fcmp, ftried, fsets, fng = fr
                if k >= len(kids):
                    frames.pop()
                    continue
                u = kids[k]
                fr[2] = k + 1
                if ftried:
                    if fsets is None or fng != len(gens):
                        fsets = _orbit_sets(n, gens, fixing=fpath)
                        fr[8], fr[9] = fsets, len(gens)
                    if any(fsets.find(u) == fsets.find(t) for t in ftried):
                        continue
                ftried.append(u)
                R, rtraces, req, rcmp = child(Qf, u, ftraces, feq, fcmp)
                if not req and rcmp < 0:
                    continue
                if R.target_cell() < 0:
                    found = leaf(R, rtraces, req, rcmp)
                    continue
                frames.append(_frame(R, fpath + [u], rtraces, req, rcmp))
        sets = _orbit_sets(n, gens)
        root_x = sets.find(x)
        order *= sum(1 for u in cell if sets.find(u) == root_x)
    return {"order": order, "generators": gens, "labelling": best["lab"],
            "certificate": repr(best["value"][0]).encode() + b"#" + best["value"][1]}


def _frame(Q: _Partition, path, traces, eq_first, cmp_best) -> list:
    t = Q.target_cell()
    return [Q, sorted(Q.lab[t: t + Q.size[t]]), 0, path, traces, eq_first, cmp_best, [], None, 0]


def isomorphisms(A: Graph, B: Graph) -> Iterator[tuple]:
    """Yield every colour-preserving isomorphism ``p`` from A to B (``p[x]`` is x's image).

    Exhaustive, lazy and iterative: individualization-refinement on the disjoint union, each
    leaf checked edge by edge. Meant for enumerating small groups and cosets element by element;
    to decide whether an isomorphism exists use :func:`canonical_search`.
    """
    n = len(A[2])
    if len(B[2]) != n:
        return
    if n == 0:
        yield ()
        return
    out = list(A[0]) + [tuple(u + n for u in nb) for nb in B[0]]
    inn = list(A[1]) + [tuple(u + n for u in nb) for nb in B[1]]
    colors = list(A[2]) + list(B[2])
    wide = 2 * n + 1
    edges_b = {(v, u) for v in range(n) for u in B[0][v]}
    n_edges_a = sum(len(x) for x in A[0])
    if n_edges_a != len(edges_b):
        return

    def balanced(P: _Partition) -> bool:
        for c in P.starts():
            members = P.lab[c: c + P.size[c]]
            if 2 * sum(1 for v in members if v < n) != len(members):
                return False
        return True

    root = _Partition.from_colors(colors)
    _refine(root, root.starts(), out, inn, wide)
    if not balanced(root):
        return
    def target(P: _Partition) -> int:
        t, t_size, c = -1, 0, 0
        while c < 2 * n:  # first smallest cell with more than one vertex of each side
            s = P.size[c]
            if s > 2 and (t < 0 or s < t_size):
                t, t_size = c, s
            c += s
        return t

    def frame(P: _Partition, t: int) -> list:
        members = P.lab[t: t + P.size[t]]
        x = min(v for v in members if v < n)
        return [P, t, x, sorted(v for v in members if v >= n), 0]

    def leaf(P: _Partition):
        p = [0] * n
        for c in range(0, 2 * n, 2):
            a, b = sorted(P.lab[c: c + 2])
            p[a] = b - n
        if all((p[v], p[u]) in edges_b for v in range(n) for u in A[0][v]):
            return tuple(p)
        return None

    t = target(root)
    if t < 0:
        p = leaf(root)
        if p is not None:
            yield p
        return
    stack = [frame(root, t)]  # children are made one at a time, when they are visited
    while stack:
        fr = stack[-1]
        P, t, x, ys, k = fr
        if k >= len(ys):
            stack.pop()
            continue
        fr[4] = k + 1
        Q = P.copy()
        Q.individualize_pair(x, ys[k])
        _refine(Q, [t], out, inn, wide)
        if not balanced(Q):
            continue
        t2 = target(Q)
        if t2 < 0:
            p = leaf(Q)
            if p is not None:
                yield p
            continue
        stack.append(frame(Q, t2))
