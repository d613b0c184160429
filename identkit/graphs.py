"""The data model: a latent causal model's graphs and names.

A :class:`LatentGraph` holds the two graphs of the mechanism-sparsity theory (Lachapelle et al.,
JMLR 2026, §2-3) with the paper's orientation, **rows are children**:

* ``Gz`` (d x d): ``Gz[i, j] = 1`` iff latent ``z_j`` at a past step is a parent of ``z_i^t``;
* ``Ga`` (d x m): ``Ga[i, l] = 1`` iff auxiliary variable (action) ``a_l`` is a parent of ``z_i^t``.

Either graph may be absent (``None``), not both. The graphs are stored sparse, in compressed rows
built with numpy alone (scipy is imported only when ``Gz_sparse``/``Ga_sparse`` is asked for or a
large graph needs it), so a model with 10,000 latents costs memory proportional to its edges; the
dense boolean arrays are built only when the ``Gz``/``Ga`` properties are read. The stored rows
are public and read-only (``Gz_csr``, ``Ga_csr`` and their transposes ``Gz_T_csr``, ``Ga_T_csr``,
plus the parent and child sets in ``adjacency``): the modules that analyse a graph read those, never
the private storage. Names are labels carried alongside the matrices.

networkx uses the opposite orientation (an edge ``u -> v`` is ``A[u, v]``); the conversions
:meth:`LatentGraph.to_networkx` and :meth:`LatentGraph.from_networkx` are the only places where the
orientation changes.
"""

from __future__ import annotations

import numbers
from functools import cached_property
from types import MappingProxyType
from typing import Iterable, Sequence

import numpy as np

from ._csr import BoolCSR, is_scipy_sparse
from ._validate import BARE, as_bool_csr, check_names, check_perm, first_duplicate, first_seen
from .errors import GraphError, did_you_mean

__all__ = ["LatentGraph", "quote_name"]


def quote_name(name: str) -> str:
    r"""A name as identkit prints it: bare when unambiguous, else double-quoted with escapes.

    A bare name is a letter or ``_`` followed by letters, digits, ``_``, ``.``, ``'`` or ``-``
    (never ``->``). Any other name (spaces, commas, arrows, quotes, unprintable characters) is
    written as a JSON string with every unprintable character escaped, so ``a, b`` prints as
    ``"a, b"`` and cannot be read as two names. The text form of graph files uses the same
    rule, so whatever identkit writes it reads back.

    Examples
    --------
    >>> from identkit.graphs import quote_name
    >>> print(quote_name("robot"), quote_name("z'1"), quote_name("α"), quote_name("a, b"))
    robot z'1 α "a, b"
    >>> print(quote_name('say "hi"'), quote_name("tab\there"))
    "say \"hi\"" "tab\u0009here"

    Notes
    -----
    O(len(name)).
    """
    if BARE.fullmatch(name):
        return name
    out = ['"']
    for ch in name:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch.isprintable():  # every whitespace character but " " is unprintable
            out.append(ch)
        else:
            code = ord(ch)
            if code > 0xFFFF:  # a surrogate pair, as JSON writes it
                code -= 0x10000
                out.append(f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}")
            else:
                out.append(f"\\u{code:04x}")
    out.append('"')
    return "".join(out)


def _set_str(names: Sequence[str], idx: Iterable[int]) -> str:
    """Format a set of indices with their names, e.g. ``{a1, a5}``; the empty set is ``∅``.

    Names that would print ambiguously (``a, b``) are quoted (:func:`quote_name`).
    """
    idx = sorted(idx)
    if not idx:
        return "∅"
    return "{" + ", ".join(quote_name(names[k]) for k in idx) + "}"


# ----------------------------------------------------------------------------------------------

_REPR_MAX_NAMES = 60   # latents + actions up to which repr() is code that rebuilds the model
_REPR_MAX_EDGES = 200  # edges up to which repr() is code that rebuilds the model


class LatentGraph:
    """The temporal graph ``Gz`` and action graph ``Ga`` of a latent causal model, with names.

    Parameters
    ----------
    Gz : array_like of 0/1 or bool, shape (d, d), or scipy sparse, optional
        ``Gz[i, j] = 1`` iff ``z_j`` (at any past lag) is a parent of ``z_i^t``. Rows are children.
    Ga : array_like of 0/1 or bool, shape (d, m), or scipy sparse, optional
        ``Ga[i, l] = 1`` iff action ``a_l`` is a parent of ``z_i^t``. Rows are children.
    latents : sequence of str or int, optional
        Names of the d latents (default ``z1 .. zd``), or d itself.
    actions : sequence of str or int, optional
        Names of the m actions (default ``a1 .. am``), or m itself. Only with ``Ga``.

    Raises
    ------
    GraphError
        If both graphs are absent, a graph is not 2-D, ``Gz`` is not square, ``Ga`` has a different
        number of rows than ``Gz``, an entry is not 0/1/True/False (2, -1, 0.5, NaN, strings), a
        graph is empty, rows are ragged, or names are duplicated, missing or of the wrong count.

    Examples
    --------
    The graph of Example 8 of the paper: the robot ``z2`` follows the ball ``z3``.

    >>> import identkit as ik
    >>> g = ik.LatentGraph(Gz=[[1, 0, 0], [1, 1, 1], [1, 1, 1]])
    >>> g.n_latents, g.latents
    (3, ('z1', 'z2', 'z3'))
    >>> sorted(g.parents_z("z2")), sorted(g.children_z(0))
    ([0, 1, 2], [0, 1, 2])
    >>> g.Ga is None
    True

    Notes
    -----
    Instances are immutable and hashable; two graphs are equal when their matrices and names are.
    Construction costs O(d * (d + m)) for dense input and O(nnz) for sparse input; memory is
    O(nnz + d + m).
    """

    def __init__(self, Gz=None, Ga=None, *, latents=None, actions=None):
        if Gz is None and Ga is None:
            raise GraphError("a LatentGraph needs at least one graph: pass Gz, Ga or both")
        gz = None if Gz is None else as_bool_csr(Gz, "Gz")
        ga = None if Ga is None else as_bool_csr(Ga, "Ga")
        if gz is not None and gz.shape[0] != gz.shape[1]:
            raise GraphError(f"Gz must be square (d x d), got shape {gz.shape}")
        if gz is not None and ga is not None and ga.shape[0] != gz.shape[0]:
            raise GraphError(
                f"Ga has {ga.shape[0]} rows but Gz has {gz.shape[0]}: "
                "both graphs have one row per latent (rows are children)"
            )
        d = gz.shape[0] if gz is not None else ga.shape[0]
        m = ga.shape[1] if ga is not None else 0
        set_ = object.__setattr__
        set_(self, "_Gz", gz)
        set_(self, "_Ga", ga)
        set_(self, "_latents", check_names(latents, d, "z", "latents"))
        if ga is None and actions not in (None, 0, (), []):
            raise GraphError("actions were named but there is no Ga")
        set_(self, "_actions", check_names(actions, m, "a", "actions") if ga is not None else ())
        clash = set(self._latents) & set(self._actions)
        if clash:
            raise GraphError(
                f"the name {sorted(clash)[0]!r} is used for both a latent and an action"
            )

    # --------------------------------------------------------------------------- constructors

    @classmethod
    def from_edges(
        cls,
        temporal_edges=None,
        action_edges=None,
        latents=None,
        actions=None,
    ) -> "LatentGraph":
        """Build a model from edge lists of names.

        Parameters
        ----------
        temporal_edges : iterable of (parent, child), optional
            ``(u, v)`` means ``u`` at step t-1 is a parent of ``v`` at step t; ``(u, u)`` is a
            self-loop. Giving a list (even empty) creates ``Gz``.
        action_edges : iterable of (action, latent), optional
            ``(a, v)`` means action ``a`` is a parent of ``v``. Giving a list (even empty) creates
            ``Ga``.
        latents, actions : sequence of str, optional
            The names, in order. When omitted, the names used in the edges are taken in order of
            first appearance.

        Returns
        -------
        LatentGraph

        Raises
        ------
        GraphError
            If an edge uses a name not declared in ``latents``/``actions``, an edge is not a pair,
            an edge is repeated, or both edge lists are None.

        Examples
        --------
        The tree-robot-ball model of Figure 1:

        >>> import identkit as ik
        >>> g = ik.LatentGraph.from_edges(
        ...     temporal_edges=[("tree", "tree"), ("tree", "robot"), ("robot", "robot"),
        ...                     ("tree", "ball"), ("robot", "ball"), ("ball", "ball")],
        ...     action_edges=[("torque", "robot")],
        ...     latents=["tree", "robot", "ball"])
        >>> g.Gz.astype(int).tolist(), g.Ga.astype(int).tolist()
        ([[1, 0, 0], [1, 1, 0], [1, 1, 1]], [[0], [1], [0]])

        Notes
        -----
        O(E log E) for E edges.
        """
        if temporal_edges is None and action_edges is None:
            raise GraphError("from_edges needs temporal_edges, action_edges or both")
        t_edges = None if temporal_edges is None else _pairs(temporal_edges, "temporal_edges")
        a_edges = None if action_edges is None else _pairs(action_edges, "action_edges")
        if latents is None:
            latents = first_seen([x for e in t_edges or () for x in e]
                                  + [v for _, v in a_edges or ()])
            if not latents:
                raise GraphError("no latents: the edge lists are empty and latents is not given")
        else:
            latents = check_names(latents, len(list(latents)) if not isinstance(latents, int)
                                   else latents, "z", "latents")
        if actions is None and a_edges is not None:
            actions = first_seen(a for a, _ in a_edges)
            if not actions:
                raise GraphError("no actions: action_edges is empty and actions is not given")
        elif actions is not None:
            actions = check_names(actions, len(list(actions)) if not isinstance(actions, int)
                                   else actions, "a", "actions")
        lat_index = {n: k for k, n in enumerate(latents)}
        d = len(latents)
        Gz = Ga = None
        if t_edges is not None:
            rows, cols = [], []
            for k, (u, v) in enumerate(t_edges):
                rows.append(_lookup(lat_index, v, f"temporal_edges[{k}]", "latent"))
                cols.append(_lookup(lat_index, u, f"temporal_edges[{k}]", "latent"))
            Gz = _edges_to_matrix(rows, cols, (d, d), t_edges, "temporal_edges")
        if a_edges is not None or actions is not None:
            if actions is None:
                raise GraphError("actions were declared but action_edges is None")
            act_index = {n: k for k, n in enumerate(actions)}
            rows, cols = [], []
            for k, (a, v) in enumerate(a_edges or ()):
                cols.append(_lookup(act_index, a, f"action_edges[{k}]", "action"))
                rows.append(_lookup(lat_index, v, f"action_edges[{k}]", "latent"))
            Ga = _edges_to_matrix(rows, cols, (d, len(actions)), a_edges or [], "action_edges")
        return cls(Gz=Gz, Ga=Ga, latents=latents, actions=actions)

    @classmethod
    def from_interventions(cls, targets, latents=None, *, Gz=None, actions=None) -> "LatentGraph":
        """Build the action graph of interventions with unknown targets (paper §3.4.1).

        Intervention l targets the set ``targets[l]``; the model gets one action per intervention
        with ``Ga[i, l] = 1`` iff latent i is in ``targets[l]``. Action value 0 is the observational
        regime and ``e_l`` the l-th intervention; hard and soft interventions have the same graph.

        Parameters
        ----------
        targets : sequence of sequences of latent names
            The target set of each intervention.
        latents : sequence of str or int, optional
            The latent names in order; by default the names used in ``targets``, in order of first
            appearance.
        Gz : array_like, optional
            A temporal graph to carry along (rows are children).
        actions : sequence of str, optional
            Names of the interventions (default ``a1 .. am``).

        Returns
        -------
        LatentGraph

        Raises
        ------
        GraphError
            If a target set is empty, repeats a latent, or names an undeclared latent.

        Examples
        --------
        The three two-target interventions of Example 5 disentangle three latents:

        >>> import identkit as ik
        >>> g = ik.LatentGraph.from_interventions([["z1", "z2"], ["z1", "z3"], ["z2", "z3"]])
        >>> g.Ga.astype(int).tolist()
        [[1, 1, 0], [1, 0, 1], [0, 1, 1]]
        >>> ik.analyze(g).complete
        True

        Notes
        -----
        O(total size of the target sets).
        """
        if isinstance(targets, (str, bytes)) or not isinstance(targets, Iterable):
            raise GraphError("targets must be a list of target sets (lists of latent names)")
        targets = [t for t in targets]
        if not targets:
            raise GraphError("targets is empty: give at least one intervention")
        sets = []
        for l, t in enumerate(targets):
            if isinstance(t, (str, bytes)) or not isinstance(t, Iterable):
                raise GraphError(f"targets[{l}] must be a list of latent names, got {t!r}")
            t = list(t)
            if not t:
                raise GraphError(f"targets[{l}] is empty: an intervention must target a latent")
            dup = first_duplicate(t)
            if dup is not None:
                raise GraphError(f"targets[{l}] names {dup!r} twice")
            sets.append(t)
        if latents is None:
            if Gz is not None:
                latents = check_names(None, Gz.shape[0] if is_scipy_sparse(Gz)
                                       or isinstance(Gz, BoolCSR) else np.shape(Gz)[0],
                                       "z", "latents")
            else:
                latents = first_seen(v for t in sets for v in t)
        elif isinstance(latents, numbers.Integral):
            latents = check_names(latents, int(latents), "z", "latents")
        else:
            latents = check_names(latents, len(list(latents)), "z", "latents")
        index = {n: k for k, n in enumerate(latents)}
        rows, cols = [], []
        for l, t in enumerate(sets):
            for v in t:
                rows.append(_lookup(index, v, f"targets[{l}]", "latent"))
                cols.append(l)
        Ga = BoolCSR.from_coo(rows, cols, (len(latents), len(sets)))
        return cls(Gz=Gz, Ga=Ga, latents=latents, actions=actions)

    @classmethod
    def from_networkx(cls, G) -> "LatentGraph":
        """Build a model from a networkx ``DiGraph`` whose edges point from parent to child.

        Nodes with attribute ``kind="action"`` are actions, all others latents. An edge
        ``u -> v`` between latents means ``Gz[v, u] = 1`` (the orientation flips: rows are
        children); an edge from action ``a`` to latent ``v`` means ``Ga[v, a] = 1``. Node names
        are ``str(node)``. The graph attributes ``temporal`` and ``actions`` (as written by
        :meth:`to_networkx`) say whether ``Gz`` and ``Ga`` exist even when they have no edges;
        without them, ``Gz`` exists when some latent-latent edge does or no action node exists,
        and ``Ga`` exists when an action node does.

        Raises
        ------
        GraphError
            If an edge points into an action, the graph is undirected, or two nodes have the
            same string name.

        Examples
        --------
        >>> import networkx as nx, identkit as ik
        >>> G = nx.DiGraph([("z1", "z2")])        # z1 at t-1 is a parent of z2 at t
        >>> ik.LatentGraph.from_networkx(G).Gz.astype(int).tolist()
        [[0, 0], [1, 0]]

        Notes
        -----
        O(V + E).
        """
        if not G.is_directed():
            raise GraphError("from_networkx needs a directed graph (edges point parent -> child)")
        latents, actions = [], []
        for node, data in G.nodes(data=True):
            (actions if data.get("kind") == "action" else latents).append(node)
        names = [str(n) for n in latents + actions]
        dup = first_duplicate(names)
        if dup is not None:
            raise GraphError(f"two nodes are both named {dup!r}")
        if not latents:
            raise GraphError("the networkx graph has no latent nodes")
        li = {n: k for k, n in enumerate(latents)}
        ai = {n: k for k, n in enumerate(actions)}
        zr, zc, ar, ac = [], [], [], []
        for u, v in G.edges():
            if v in ai:
                raise GraphError(f"edge {u!r} -> {v!r} points into the action {v!r}")
            if u in ai:
                ar.append(li[v])
                ac.append(ai[u])
            else:
                zr.append(li[v])
                zc.append(li[u])
        has_z = G.graph.get("temporal", bool(zr) or not actions)
        has_a = G.graph.get("actions", bool(actions))
        d, m = len(latents), len(actions)
        Gz = (
            BoolCSR.from_coo(zr, zc, (d, d)) if has_z else None
        )
        Ga = (
            BoolCSR.from_coo(ar, ac, (d, m))
            if has_a and m
            else None
        )
        if Gz is None and Ga is None:
            raise GraphError("the networkx graph describes neither a temporal nor an action graph")
        return cls(
            Gz=Gz,
            Ga=Ga,
            latents=[str(n) for n in latents],
            actions=[str(n) for n in actions] if Ga is not None else None,
        )

    def to_networkx(self):
        """Return a networkx ``DiGraph`` with edges from parent to child.

        ``Gz[i, j] = 1`` becomes the edge ``latents[j] -> latents[i]`` (attribute
        ``kind="temporal"``, read "z_j at t-1 causes z_i at t"); ``Ga[i, l] = 1`` becomes
        ``actions[l] -> latents[i]`` (``kind="action"``). Nodes carry ``kind`` ("latent" or
        "action"); the graph attributes ``temporal`` and ``actions`` record which graphs exist.

        Examples
        --------
        >>> import identkit as ik
        >>> g = ik.LatentGraph(Gz=[[1, 0], [1, 1]], Ga=[[0], [1]])
        >>> sorted(g.to_networkx().edges())
        [('a1', 'z2'), ('z1', 'z1'), ('z1', 'z2'), ('z2', 'z2')]

        Notes
        -----
        O(d + m + nnz).
        """
        import networkx as nx

        G = nx.DiGraph(temporal=self._Gz is not None, actions=self._Ga is not None)
        G.add_nodes_from(self._latents, kind="latent")
        G.add_nodes_from(self._actions, kind="action")
        if self._Gz is not None:
            r, c = self._Gz.nonzero()
            G.add_edges_from(
                ((self._latents[j], self._latents[i]) for i, j in zip(r.tolist(), c.tolist())),
                kind="temporal",
            )
        if self._Ga is not None:
            r, c = self._Ga.nonzero()
            G.add_edges_from(
                ((self._actions[l], self._latents[i]) for i, l in zip(r.tolist(), c.tolist())),
                kind="action",
            )
        return G

    # ---------------------------------------------------------------------------- properties

    @property
    def n_latents(self) -> int:
        """d, the number of latents."""
        return len(self._latents)

    @property
    def n_actions(self) -> int:
        """m, the number of actions (0 when there is no ``Ga``)."""
        return len(self._actions)

    @property
    def latents(self) -> tuple[str, ...]:
        """The latent names, in row order."""
        return self._latents

    @property
    def actions(self) -> tuple[str, ...]:
        """The action names, in column order of ``Ga``."""
        return self._actions

    @property
    def graphs(self) -> str:
        """The letters of the graphs this model has: ``"a"``, ``"z"`` or ``"az"``."""
        return ("a" if self._Ga is not None else "") + ("z" if self._Gz is not None else "")

    @cached_property
    def Gz(self):
        """Dense read-only boolean ``Gz`` (d x d, rows are children), or None. O(d^2) memory."""
        return None if self._Gz is None else _readonly(self._Gz.toarray())

    @cached_property
    def Ga(self):
        """Dense read-only boolean ``Ga`` (d x m, rows are children), or None. O(d m) memory."""
        return None if self._Ga is None else _readonly(self._Ga.toarray())

    @cached_property
    def Gz_sparse(self):
        """``Gz`` as a boolean scipy CSR array (do not modify), or None. Imports scipy."""
        return None if self._Gz is None else self._Gz.to_scipy()

    @cached_property
    def Ga_sparse(self):
        """``Ga`` as a boolean scipy CSR array (do not modify), or None. Imports scipy."""
        return None if self._Ga is None else self._Ga.to_scipy()

    def matrices(self) -> dict:
        """The dense graphs this model has, keyed by their letter: ``{"a": Ga, "z": Gz}``.

        A key is present only for a graph the model has, so the dict's keys are the letters of
        :attr:`graphs`. The arrays are the read-only :attr:`Ga` and :attr:`Gz`.

        Examples
        --------
        >>> import identkit as ik
        >>> m = ik.LatentGraph(Ga=[[1, 0], [0, 1]]).matrices()
        >>> sorted(m), m["a"].astype(int).tolist()
        (['a'], [[1, 0], [0, 1]])
        """
        out = {}
        if self._Ga is not None:
            out["a"] = self.Ga
        if self._Gz is not None:
            out["z"] = self.Gz
        return out

    @property
    def Gz_csr(self) -> BoolCSR | None:
        """``Gz`` as the numpy-only :class:`~identkit._csr.BoolCSR` it is stored in, or None.

        Row i holds the sorted indices of ``Pa_z(i)`` (``indptr``, ``indices``, ``shape`` mean
        what they mean in ``scipy.sparse.csr_array``). Read-only and O(1): this is the storage
        itself, for the modules that walk the graph row by row without building a dense matrix
        or importing scipy.

        Examples
        --------
        >>> import identkit as ik
        >>> m = ik.LatentGraph(Gz=[[1, 0], [1, 1]]).Gz_csr
        >>> m.indptr.tolist(), m.indices.tolist(), m.shape
        ([0, 1, 3], [0, 0, 1], (2, 2))
        """
        return self._Gz

    @property
    def Ga_csr(self) -> BoolCSR | None:
        """``Ga`` as the :class:`~identkit._csr.BoolCSR` it is stored in (row i: the sorted
        indices of ``Pa_a(i)``), or None. Read-only, O(1); see :attr:`Gz_csr`."""
        return self._Ga

    @cached_property
    def Gz_T_csr(self) -> BoolCSR | None:
        """The transpose of ``Gz`` as a :class:`~identkit._csr.BoolCSR` (row j: the sorted
        indices of ``Ch_z(j)``), or None. Computed once, O(nnz log nnz); read-only.

        Examples
        --------
        >>> import identkit as ik
        >>> ik.LatentGraph(Gz=[[1, 0], [1, 1]]).Gz_T_csr.indices.tolist()
        [0, 1, 1]
        """
        return None if self._Gz is None else self._Gz.T

    @cached_property
    def Ga_T_csr(self) -> BoolCSR | None:
        """The transpose of ``Ga`` as a :class:`~identkit._csr.BoolCSR` (row l: the sorted
        indices of ``Ch_a(l)``), or None. Computed once, O(nnz log nnz); read-only."""
        return None if self._Ga is None else self._Ga.T

    @property
    def adjacency(self):
        """Parent and child sets of every latent and action, computed once (O(nnz)).

        A read-only mapping with the keys ``"pa_z"``, ``"ch_z"`` (one frozenset of latent
        indices per latent: ``Pa_z(i)``, ``Ch_z(i)``), ``"pa_a"`` (one frozenset of action
        indices per latent: ``Pa_a(i)``) and ``"ch_a"`` (one frozenset of latent indices per
        action: ``Ch_a(l)``). The value of a graph the model lacks is None. The methods
        :meth:`parents_z`, :meth:`children_z`, :meth:`parents_a`, :meth:`children_a` read it.

        Examples
        --------
        >>> import identkit as ik
        >>> adj = ik.LatentGraph(Gz=[[1, 0], [1, 1]]).adjacency
        >>> [sorted(s) for s in adj["ch_z"]], adj["pa_a"]
        ([[0, 1], [1]], None)
        """
        return MappingProxyType(self._adjacency_sets)

    @cached_property
    def _adjacency_sets(self) -> dict:
        def sets(m):
            if m is None:
                return None
            ind, ptr = m.indices.tolist(), m.indptr.tolist()
            return tuple(frozenset(ind[ptr[k]: ptr[k + 1]]) for k in range(len(ptr) - 1))

        return {
            "pa_z": sets(self._Gz),
            "ch_z": sets(self.Gz_T_csr),
            "pa_a": sets(self._Ga),
            "ch_a": sets(self.Ga_T_csr),
        }

    def n_edges(self, which: str | None = None) -> int:
        """Number of edges, ``‖Gz‖₀ + ‖Ga‖₀`` (or of one graph: ``which="z"`` or ``"a"``)."""
        total = 0
        if which in (None, "z") and self._Gz is not None:
            total += int(self._Gz.nnz)
        if which in (None, "a") and self._Ga is not None:
            total += int(self._Ga.nnz)
        return total

    # ------------------------------------------------------------------------ index and names

    def latent_index(self, latent) -> int:
        """Index of a latent given by name or index; GraphError if unknown."""
        return _resolve(latent, self._latents, "latent")

    def action_index(self, action) -> int:
        """Index of an action given by name or index; GraphError if unknown."""
        return _resolve(action, self._actions, "action")

    def _need(self, which):
        mat = self._Gz if which == "z" else self._Ga
        if mat is None:
            raise GraphError(f"this model has no {'Gz' if which == 'z' else 'Ga'}")
        return mat

    def parents_z(self, latent) -> frozenset[int]:
        """``Pa_z(i)``: indices of the latents whose past is a parent of latent i (row i of Gz)."""
        self._need("z")
        return self._adjacency_sets["pa_z"][self.latent_index(latent)]

    def children_z(self, latent) -> frozenset[int]:
        """``Ch_z(i)``: indices of the latents that latent i influences at the next step (column i of Gz)."""
        self._need("z")
        return self._adjacency_sets["ch_z"][self.latent_index(latent)]

    def parents_a(self, latent) -> frozenset[int]:
        """``Pa_a(i)``: indices of the actions that are parents of latent i (row i of Ga)."""
        self._need("a")
        return self._adjacency_sets["pa_a"][self.latent_index(latent)]

    def children_a(self, action) -> frozenset[int]:
        """``Ch_a(l)``: indices of the latents action l targets (column l of Ga)."""
        self._need("a")
        return self._adjacency_sets["ch_a"][self.action_index(action)]

    def latent_set(self, indices) -> str:
        """Format latent indices as a set of names, e.g. ``{z1, z3}`` (``∅`` when empty)."""
        return _set_str(self._latents, indices)

    def action_set(self, indices) -> str:
        """Format action indices as a set of names, e.g. ``{a1, a5}`` (``∅`` when empty)."""
        return _set_str(self._actions, indices)

    # ---------------------------------------------------------------------------- derivations

    def permute(self, perm) -> "LatentGraph":
        """Relabel the latents: latent i of this model becomes latent ``perm[i]`` of the result.

        With ``P[perm[i], i] = 1`` the result has ``Gz' = P Gz Pᵀ`` and ``Ga' = P Ga``; names
        move with their latents. Actions keep their order.

        Examples
        --------
        >>> import identkit as ik
        >>> g = ik.LatentGraph(Ga=[[1], [0]])
        >>> h = g.permute([1, 0])
        >>> h.Ga.astype(int).tolist(), h.latents
        ([[0], [1]], ('z2', 'z1'))
        """
        p = check_perm(perm, self.n_latents)
        inv = np.empty_like(p)
        inv[p] = np.arange(p.size)
        Gz = None if self._Gz is None else self._Gz.take(inv, inv)
        Ga = None if self._Ga is None else self._Ga.take(inv)
        latents = [self._latents[k] for k in inv.tolist()]
        return LatentGraph(Gz=Gz, Ga=Ga, latents=latents,
                           actions=self._actions if self._Ga is not None else None)

    def with_interventions(self, targets, names=None) -> "LatentGraph":
        """Return this model with one new action per target set (appended columns of ``Ga``).

        Examples
        --------
        >>> import identkit as ik
        >>> g = ik.LatentGraph(Gz=[[1, 1], [1, 1]]).with_interventions([["z1"]])
        >>> g.Ga.astype(int).tolist(), g.actions
        ([[1], [0]], ('a1',))
        """
        extra = LatentGraph.from_interventions(targets, latents=self._latents)
        m0 = self.n_actions
        if names is None:
            taken = set(self._actions) | set(self._latents)
            names, k = [], m0
            while len(names) < extra.n_actions:
                k += 1
                if f"a{k}" not in taken:
                    names.append(f"a{k}")
        Ga = extra.Ga_csr if self._Ga is None else self._Ga.hstack(extra.Ga_csr)
        return LatentGraph(Gz=self._Gz, Ga=Ga, latents=self._latents,
                           actions=list(self._actions) + list(names))

    def restrict(self, regularize: str) -> "LatentGraph":
        """Keep only the graphs named by ``regularize`` (letters ``a`` and ``z``)."""
        keep_a = "a" in regularize and self._Ga is not None
        keep_z = "z" in regularize and self._Gz is not None
        return LatentGraph(Gz=self._Gz if keep_z else None, Ga=self._Ga if keep_a else None,
                           latents=self._latents, actions=self._actions if keep_a else None)

    def to_dict(self) -> dict:
        """Plain-data form: names and 0/1 matrices (rows are children); absent graphs omitted."""
        out = {"latents": list(self._latents)}
        if self._Ga is not None:
            out["actions"] = list(self._actions)
        if self._Gz is not None:
            out["Gz"] = self.Gz.astype(int).tolist()
        if self._Ga is not None:
            out["Ga"] = self.Ga.astype(int).tolist()
        return out

    # ------------------------------------------------------------------------- dunder methods

    def __eq__(self, other):
        if not isinstance(other, LatentGraph):
            return NotImplemented
        return _identity_key(self) == _identity_key(other)

    def __hash__(self):
        return hash(_identity_key(self))

    def __setattr__(self, name, value):
        raise AttributeError("LatentGraph is immutable")

    def __delattr__(self, name):
        raise AttributeError("LatentGraph is immutable")

    def __repr__(self):
        """Code that rebuilds a small model; a one-line summary of a large one.

        A model with at most 60 latents and actions and 200 edges is shown as the
        :meth:`from_edges` call that rebuilds it (evaluate it after
        ``from identkit import LatentGraph``), so a failing example can be pasted back as code.

        Examples
        --------
        >>> import identkit as ik
        >>> ik.LatentGraph(Gz=[[1, 0], [1, 1]], Ga=[[0], [1]])
        LatentGraph.from_edges(temporal_edges=[('z1', 'z1'), ('z1', 'z2'), ('z2', 'z2')], \
action_edges=[('a1', 'z2')], latents=['z1', 'z2'], actions=['a1'])
        >>> ik.LatentGraph(Gz=[[0] * 70] * 70)
        <LatentGraph: 70 latents, Gz with 0 edges>
        """
        if self.n_latents + self.n_actions <= _REPR_MAX_NAMES and self.n_edges() <= _REPR_MAX_EDGES:
            args = []
            for key, mat, parents in (("temporal_edges", self.Gz_T_csr, self._latents),
                                      ("action_edges", self.Ga_T_csr, self._actions)):
                if mat is None:
                    continue
                edges = [(parents[p], self._latents[c]) for p in range(mat.shape[0])
                         for c in mat.indices[mat.indptr[p]: mat.indptr[p + 1]].tolist()]
                args.append(f"{key}={edges!r}")
            args.append(f"latents={list(self._latents)!r}")
            if self._Ga is not None:
                args.append(f"actions={list(self._actions)!r}")
            return f"LatentGraph.from_edges({', '.join(args)})"
        parts = [f"{self.n_latents} latents"]
        if self._Gz is not None:
            parts.append(f"Gz with {self._Gz.nnz} edges")
        if self._Ga is not None:
            parts.append(f"{self.n_actions} actions, Ga with {self._Ga.nnz} edges")
        return f"<LatentGraph: {', '.join(parts)}>"

    def _repr_html_(self):
        """Jupyter display: the names, the picture of :func:`identkit.plot.draw`, the verdict."""
        from ._display import graph_html

        return graph_html(self)


# ----------------------------------------------------------------------------------------------


def _readonly(a):
    a = np.ascontiguousarray(a, dtype=bool)
    a.setflags(write=False)
    return a


def _identity_key(g: LatentGraph):
    """What equality and hashing compare: the names and the stored rows of both graphs."""
    def mkey(m):
        if m is None:
            return None
        return (m.shape, m.indptr.astype(np.int64).tobytes(), m.indices.astype(np.int64).tobytes())

    return (g.latents, g.actions, mkey(g.Gz_csr), mkey(g.Ga_csr))


def _resolve(key, names, kind):
    if isinstance(key, (numbers.Integral, np.integer)) and not isinstance(key, bool):
        k = int(key)
        if not 0 <= k < len(names):
            raise GraphError(f"{kind} index {k} is out of range (there are {len(names)})")
        return k
    try:
        return names.index(key)
    except ValueError:
        raise GraphError(f"unknown {kind} {key!r}{did_you_mean(key, names)}") from None


def _lookup(index, name, where, kind):
    try:
        return index[name]
    except (KeyError, TypeError):
        raise GraphError(
            f"{where} uses the undeclared {kind} {name!r}{did_you_mean(name, list(index))}"
        ) from None


def _pairs(edges, arg):
    if isinstance(edges, (str, bytes)):
        raise GraphError(f"{arg} must be a list of pairs, not a string")
    out = []
    for k, e in enumerate(edges):
        if isinstance(e, (str, bytes)) or not isinstance(e, Iterable):
            raise GraphError(f"{arg}[{k}] must be a pair, got {e!r}")
        e = tuple(e)
        if len(e) != 2:
            raise GraphError(f"{arg}[{k}] must be a pair (parent, child), got {e!r}")
        out.append(e)
    return out


def _edges_to_matrix(rows, cols, shape, edges, arg):
    if rows:
        flat = np.asarray(rows, dtype=np.int64) * shape[1] + np.asarray(cols, dtype=np.int64)
        uniq, first, counts = np.unique(flat, return_index=True, return_counts=True)
        if (counts > 1).any():
            k = int(first[np.flatnonzero(counts > 1)[0]])
            raise GraphError(f"{arg}[{k}] = {edges[k]!r} is listed more than once")
    return BoolCSR.from_coo(rows, cols, shape)


