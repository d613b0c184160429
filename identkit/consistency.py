"""Consistency between a true and a learned graph (paper Defs 13-15, Prop 6).

A learned model is a-consistent (z-consistent, (a,z)-consistent) with the truth only if a
permutation P relabels the true graphs into the learned ones: ``Ĝa = P Ga`` and
``Ĝz = P Gz Pᵀ``, with one common P when both graphs are regularized. This module finds every
such P. The set of them is a coset of the automorphism group
(:func:`identkit.automorphisms`): it is empty or has exactly ``|Aut(G)|`` elements.

The decision compares cheap invariants first and stops at the first that differs: edge counts,
the multiset of latent colours (self-loop, action parents), the degree sequence, and the
twin-class sizes of the repeated twin reduction. Only then are the twin quotients compared by
canonical forms (individualization-refinement with automorphism pruning, component by
component), and the isomorphism found is lifted to the latents and checked against the
definition. Nothing is recursive, so the size of a model is limited only by memory.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

from . import _search
from ._twins import (coloured_graph, components, encode, latent_colours, offdiagonal,
                     reduce_models, subgraph)
from .entanglement import resolve_regularize
from .errors import GraphError, RegularizeError
from .graphs import LatentGraph

__all__ = ["Consistency", "relabelings", "are_consistent"]


def _check_pair(g: LatentGraph, g_hat: LatentGraph, regularize):
    for name, v in (("g", g), ("g_hat", g_hat)):
        if not isinstance(v, LatentGraph):
            raise GraphError(f"relabelings compares two LatentGraph objects; {name} is "
                             f"{type(v).__name__}")
    reg = resolve_regularize(g, regularize)
    try:
        reg_hat = resolve_regularize(g_hat, reg)
    except RegularizeError as exc:  # "this model" would be read as the true one
        raise RegularizeError(f"g_hat (the learned model): {exc}") from None
    if g.n_latents != g_hat.n_latents:
        raise GraphError(
            f"the true model has {g.n_latents} latents but the learned one has {g_hat.n_latents}"
        )
    if "a" in reg and g.n_actions != g_hat.n_actions:
        raise GraphError(
            f"the true model has {g.n_actions} actions but the learned one has {g_hat.n_actions}"
        )
    return reg_hat


def _compare(g: LatentGraph, g_hat: LatentGraph, reg: str):
    """``(p, None)`` with one relabeling p, or ``(None, reason)`` naming the invariant that differs.

    Cost: O((d + E) log d) for the invariants and the twin reduction, then the canonical search
    of the two twin quotients (see :mod:`identkit._search`).
    """
    d = g.n_latents
    for letter, name in (("z", "temporal"), ("a", "action")):
        if letter in reg and g.n_edges(letter) != g_hat.n_edges(letter):
            return None, (f"the {name} graphs have {g.n_edges(letter)} and "
                          f"{g_hat.n_edges(letter)} edges")
    import numpy as np

    col_a, col_b = latent_colours([g, g_hat], reg)
    if not np.array_equal(np.sort(col_a), np.sort(col_b)):
        return None, ("the latents' self-loops and action parents differ as multisets"
                      if "a" in reg else "the numbers of latents with a self-loop differ")
    degrees, mats = [], []
    for h, col in ((g, col_a), (g_hat, col_b)):
        A, AT = offdiagonal(h, reg)
        mats.append((A, AT))
        degrees.append(np.sort(col * (d + 1) ** 2 + np.diff(A.indptr) * (d + 1)
                               + np.diff(AT.indptr)))
    if not np.array_equal(*degrees):
        return None, "the degree sequences differ"
    ((qa, mem_a, ord_a, _, sz_a), (qb, mem_b, ord_b, _, sz_b)), _, _ = reduce_models(
        [g, g_hat], reg, [col_a, col_b], mats)
    if sorted(qa[2]) != sorted(qb[2]) or sorted(sz_a) != sorted(sz_b):
        return None, "the twin classes differ in number or size"
    forms = []
    for Q in (qa, qb):
        comps = []
        for comp in components(Q):
            res = _search.canonical_search(subgraph(Q, comp))
            comps.append((res["certificate"], [comp[v] for v in res["labelling"]]))
        comps.sort(key=lambda c: c[0])
        forms.append(comps)
    if [c[0] for c in forms[0]] != [c[0] for c in forms[1]]:
        return None, "the twin quotients are not isomorphic (their canonical forms differ)"
    p = [0] * d
    for (_, placed_a), (_, placed_b) in zip(*forms):
        for va, vb in zip(placed_a, placed_b):
            for x, y in zip(mem_a[va], mem_b[vb]):
                p[x] = y
    p = tuple(p)
    _check_relabeling(g, g_hat, reg, p)
    return p, None


def _check_relabeling(g: LatentGraph, g_hat: LatentGraph, reg: str, p: tuple) -> None:
    """Check ``Ĝa = P Ga`` and ``Ĝz = P Gz Pᵀ`` on sorted edge codes; raise if it fails.

    O(E log E), vectorised.
    """
    import numpy as np

    perm = np.asarray(p, dtype=np.int64)

    def codes(M, rows_map, cols_map):
        rows = np.repeat(np.arange(M.shape[0], dtype=np.int64), np.diff(M.indptr))
        cols = M.indices.astype(np.int64)
        rows = rows_map[rows] if rows_map is not None else rows
        cols = cols_map[cols] if cols_map is not None else cols
        return np.sort(rows * M.shape[1] + cols)

    ok = True
    if "z" in reg:
        ok &= np.array_equal(codes(g.Gz_sparse, perm, perm), codes(g_hat.Gz_sparse, None, None))
    if "a" in reg:
        ok &= np.array_equal(codes(g.Ga_sparse, perm, None), codes(g_hat.Ga_sparse, None, None))
    if not ok:  # the search and the definition disagree: a bug of ours, never a verdict
        raise AssertionError("internal error: the relabeling found does not match the graphs")


def relabelings(g: LatentGraph, g_hat: LatentGraph, regularize: str | None = None
                ) -> Iterator[tuple]:
    """Yield every permutation p with ``Ĝa = P Ga`` and ``Ĝz = P Gz Pᵀ`` (``P[p[i], i] = 1``).

    True latent i corresponds to learned latent ``p[i]``. Actions are observed, so they keep
    their order.

    Parameters
    ----------
    g, g_hat : LatentGraph
        The true and the learned model, with the same numbers of latents and actions.
    regularize : str, optional
        Which graphs must match (letters ``a``, ``z``); default all that the true model has.

    Yields
    ------
    tuple of int
        First the relabeling found by the canonical forms, then the rest of its coset
        ``p ∘ σ`` for σ in the automorphism group of ``g``, lazily, each once.

    Raises
    ------
    GraphError
        If the models differ in the number of latents or actions.
    RegularizeError
        If ``regularize`` names a graph one of the models lacks.

    Examples
    --------
    A learned graph that is the truth with z1 and z3 swapped:

    >>> import identkit as ik
    >>> g = ik.LatentGraph(Gz=[[1, 0, 0], [1, 1, 0], [1, 1, 1]])
    >>> list(ik.relabelings(g, g.permute([2, 1, 0])))
    [(2, 1, 0)]

    Notes
    -----
    The first element costs what :func:`are_consistent` costs (see the module docstring); each
    further one comes from an exhaustive, iterative search of the automorphism group.
    """
    reg = _check_pair(g, g_hat, regularize)
    p, _ = _compare(g, g_hat, reg)
    if p is None:
        return iter(())
    return _coset(g, reg, p)


def _coset(g: LatentGraph, reg: str, p: tuple) -> Iterator[tuple]:
    yield p
    out, inn, keys = coloured_graph(g, reg)
    col = encode([keys])[0]
    ident = tuple(range(len(p)))
    for sigma in _search.isomorphisms((out, inn, col), (out, inn, col)):
        if sigma != ident:
            yield tuple(p[s] for s in sigma)


@dataclass(frozen=True)
class Consistency:
    """Whether a learned model's graphs match the truth up to relabeling, and why (Defs 13-15).

    Attributes
    ----------
    consistent : bool
        Whether some permutation P gives ``Ĝa = P Ga`` and ``Ĝz = P Gz Pᵀ`` for the graphs in
        ``regularize`` (the verdict of :func:`are_consistent`).
    regularize : str
        The graphs compared (``"a"``, ``"z"`` or ``"az"``).
    relabeling : tuple of int or None
        One such permutation ``p`` (true latent i is learned latent ``p[i]``; ``P[p[i], i] = 1``),
        the first that :func:`relabelings` yields; None when there is none.
    reason : str or None
        When there is none, the first invariant that differs (edge counts, colours, degree
        sequences, twin classes, canonical forms); None when consistent.

    Examples
    --------
    >>> import identkit as ik
    >>> from identkit.consistency import Consistency
    >>> g = ik.LatentGraph(Gz=[[1, 0, 0], [1, 1, 0], [1, 1, 1]])
    >>> print(Consistency.of(g, g.permute([2, 1, 0])))
    consistent (z): true latent i is learned latent p[i] for p = (2, 1, 0)
    >>> c = Consistency.of(g, ik.LatentGraph(Gz=[[1, 0, 0], [1, 1, 0], [0, 1, 1]]))
    >>> print(c)
    not consistent (z): the temporal graphs have 6 and 5 edges
    >>> c.to_dict()
    {'consistent': False, 'regularize': 'z', 'relabeling': None,
     'reason': 'the temporal graphs have 6 and 5 edges'}
    """

    consistent: bool
    regularize: str
    relabeling: tuple | None
    reason: str | None

    @classmethod
    def of(cls, g: LatentGraph, g_hat: LatentGraph, regularize: str | None = None
           ) -> "Consistency":
        """Compare the true model ``g`` with the learned ``g_hat`` (see :func:`relabelings`
        for the arguments and the errors); the cost is that of :func:`are_consistent`."""
        reg = _check_pair(g, g_hat, regularize)
        p, reason = _compare(g, g_hat, reg)
        return cls(p is not None, reg, p, reason)

    def __str__(self) -> str:
        if self.consistent:
            return (f"consistent ({self.regularize}): true latent i is learned latent p[i] for "
                    f"p = {self.relabeling}")
        return f"not consistent ({self.regularize}): {self.reason}"

    def to_dict(self) -> dict:
        """Plain data for JSON: the four fields, the relabeling as a list."""
        return {"consistent": self.consistent, "regularize": self.regularize,
                "relabeling": None if self.relabeling is None else list(self.relabeling),
                "reason": self.reason}


def are_consistent(g: LatentGraph, g_hat: LatentGraph, regularize: str | None = None) -> bool:
    """Whether some permutation relabels the true graphs into the learned ones.

    This is the graph part of a-, z- or (a,z)-consistency (Defs 13-15): a learned model whose
    graphs no relabeling matches cannot be consistent with the truth.

    Examples
    --------
    >>> import identkit as ik
    >>> g = ik.LatentGraph(Ga=[[1, 0], [0, 1]])
    >>> ik.are_consistent(g, ik.LatentGraph(Ga=[[0, 1], [1, 0]]))
    True
    >>> ik.are_consistent(g, ik.LatentGraph(Ga=[[1, 1], [0, 1]]))
    False

    Notes
    -----
    Cheap invariants first, then canonical forms of the twin quotients (module docstring).
    """
    reg = _check_pair(g, g_hat, regularize)
    return _compare(g, g_hat, reg)[0] is not None
