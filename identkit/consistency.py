"""Consistency between a true and a learned graph (paper Defs 13-15, Prop 6).

A learned model is a-consistent (z-consistent, (a,z)-consistent) with the truth only if a
permutation P relabels the true graphs into the learned ones: ``Ĝa = P Ga`` and
``Ĝz = P Gz Pᵀ``, with one common P when both graphs are regularized. This module finds every
such P. The set of them is a coset of the automorphism group
(:func:`identkit.automorphisms`): it is empty or has exactly ``|Aut(G)|`` elements.
"""

from __future__ import annotations

from typing import Iterator

from . import _search
from .entanglement import resolve_regularize
from .errors import GraphError
from .graphs import LatentGraph
from .symmetry import _coloured_graph, _encode

__all__ = ["relabelings", "are_consistent"]


def _check_pair(g: LatentGraph, g_hat: LatentGraph, regularize):
    if not isinstance(g_hat, LatentGraph) or not isinstance(g, LatentGraph):
        raise GraphError("relabelings compares two LatentGraph objects")
    reg = resolve_regularize(g, regularize)
    reg_hat = resolve_regularize(g_hat, reg)
    if g.n_latents != g_hat.n_latents:
        raise GraphError(
            f"the true model has {g.n_latents} latents but the learned one has {g_hat.n_latents}"
        )
    if "a" in reg and g.n_actions != g_hat.n_actions:
        raise GraphError(
            f"the true model has {g.n_actions} actions but the learned one has {g_hat.n_actions}"
        )
    return reg_hat


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
    Individualization-refinement search over the disjoint union of the two coloured graphs;
    polynomial per solution on the graphs met in practice, exponential in the worst case.
    """
    reg = _check_pair(g, g_hat, regularize)
    out_a, in_a, keys_a = _coloured_graph(g, reg)
    out_b, in_b, keys_b = _coloured_graph(g_hat, reg)
    if "z" in reg and g.n_edges("z") != g_hat.n_edges("z"):
        return iter(())
    if "a" in reg and g.n_edges("a") != g_hat.n_edges("a"):
        return iter(())
    col_a, col_b = _encode([keys_a, keys_b])
    return _search.isomorphisms((out_a, in_a, col_a), (out_b, in_b, col_b))


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
    Stops at the first relabeling found; see :func:`relabelings`.
    """
    return next(iter(relabelings(g, g_hat, regularize)), None) is not None
