"""Isomorphisms of vertex-coloured directed graphs by individualization and refinement.

Internal engine behind :mod:`identkit.symmetry` and :mod:`identkit.consistency`. A graph is given
as ``(out, inn, colors)``: ``out[v]``/``inn[v]`` are tuples of out- and in-neighbours *other than
v* (self-loops must be folded into the colour), ``colors[v]`` a non-negative int. Two graphs are
searched as one disjoint union, so colour refinement (1-dimensional Weisfeiler-Leman) labels both
consistently; an isomorphism is found at a leaf where every colour class has one vertex on each
side, and every leaf is verified edge by edge before it is yielded.

Written for the small quotient graphs left after twin reduction and for brute-force-sized inputs:
each refinement costs O((n + E) log n) per round.
"""

from __future__ import annotations

from typing import Iterator, Sequence

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


def _refine(out, inn, colors: list[int]) -> list[int]:
    """Coarsest equitable refinement of ``colors`` (canonical: colours renumbered by signature)."""
    n_classes = len(set(colors))
    while True:
        sigs = [
            (colors[v], tuple(sorted(colors[u] for u in out[v])),
             tuple(sorted(colors[u] for u in inn[v])))
            for v in range(len(colors))
        ]
        table = {s: k for k, s in enumerate(sorted(set(sigs)))}
        new = [table[s] for s in sigs]
        if len(table) == n_classes:
            return new
        n_classes = len(table)
        colors = new


def _union(A: Graph, B: Graph):
    n = len(A[2])
    out = list(A[0]) + [tuple(u + n for u in nb) for nb in B[0]]
    inn = list(A[1]) + [tuple(u + n for u in nb) for nb in B[1]]
    return out, inn, list(A[2]) + list(B[2])


def isomorphisms(A: Graph, B: Graph, forced: Sequence[tuple[int, int]] = ()) -> Iterator[tuple]:
    """Yield every colour-preserving isomorphism ``p`` from A to B (``p[x]`` is x's image).

    ``forced`` pairs ``(x, y)`` must satisfy ``p[x] = y``. Isomorphisms come lazily, in a
    deterministic order.
    """
    n = len(A[2])
    if len(B[2]) != n:
        return
    if n == 0:
        yield ()
        return
    out, inn, colors = _union(A, B)
    top = max(colors) + 1
    for x, y in forced:
        colors[x] = top
        colors[y + n] = top
        top += 1
    edges_a = {(v, u) for v in range(n) for u in A[0][v]}
    edges_b = {(v, u) for v in range(n) for u in B[0][v]}

    def balanced(cols):
        counts: dict[int, int] = {}
        for v in range(n):
            counts[cols[v]] = counts.get(cols[v], 0) + 1
        for v in range(n, 2 * n):
            c = counts.get(cols[v], 0) - 1
            if c < 0:
                return False
            counts[cols[v]] = c
        return True

    def rec(cols):
        cols = _refine(out, inn, cols)
        if not balanced(cols):
            return
        cells: dict[int, list[int]] = {}
        for v in range(n):
            cells.setdefault(cols[v], []).append(v)
        target = None
        for c, members in sorted(cells.items(), key=lambda kv: (len(kv[1]), kv[0])):
            if len(members) > 1:
                target = c
                break
        if target is None:
            where = {cols[v]: v - n for v in range(n, 2 * n)}
            p = tuple(where[cols[v]] for v in range(n))
            if all((p[v], p[u]) in edges_b for v, u in edges_a) and len(edges_a) == len(edges_b):
                yield p
            return
        x = cells[target][0]
        fresh = max(cols) + 1
        for y in range(n, 2 * n):
            if cols[y] != target:
                continue
            new = list(cols)
            new[x] = fresh
            new[y] = fresh
            yield from rec(new)

    yield from rec(colors)


def automorphism_group_data(G: Graph) -> tuple[int, list[tuple]]:
    """Order and a generating set of the automorphism group of a coloured digraph.

    Walks a stabilizer chain: at each level pick a vertex v of a smallest non-trivial cell of the
    refined partition (earlier base points fixed), find its orbit under the pointwise stabilizer
    by searching for one automorphism per candidate image (skipping images already reached by the
    generators found at this level), and multiply the orbit sizes (orbit-stabilizer theorem).
    The automorphisms found form a strong generating set.
    """
    n = len(G[2])
    out, inn, colors0 = G
    base: list[int] = []
    order = 1
    gens: list[tuple] = []
    while True:
        cols = list(colors0)
        top = (max(cols) + 1) if cols else 0
        for k, b in enumerate(base):
            cols[b] = top + k
        cols = _refine(out, inn, cols)
        cells: dict[int, list[int]] = {}
        for v in range(n):
            cells.setdefault(cols[v], []).append(v)
        nontrivial = sorted((m for m in cells.values() if len(m) > 1), key=lambda m: (len(m), m))
        if not nontrivial:
            return order, gens
        cell = nontrivial[0]
        v = cell[0]
        sets = DisjointSets(n)
        failed_roots: set[int] = set()
        fixed = [(b, b) for b in base]
        for w in cell[1:]:
            if sets.find(w) == sets.find(v) or sets.find(w) in failed_roots:
                continue
            sigma = next(isomorphisms(G, G, fixed + [(v, w)]), None)
            if sigma is None:
                failed_roots.add(sets.find(w))
                continue
            gens.append(sigma)
            for a in range(n):
                ra, rb = sets.find(a), sets.find(sigma[a])
                if ra != rb:
                    failed = ra in failed_roots or rb in failed_roots
                    root = sets.union(ra, rb)
                    if failed:
                        failed_roots.add(root)
        root = sets.find(v)
        orbit = sum(1 for a in cell if sets.find(a) == root)
        order *= orbit
        base.append(v)
