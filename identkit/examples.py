"""The paper's catalogue of graphs, each with its citation and expected verdict.

Every entry reproduces a graph of Lachapelle et al., *Nonparametric Partial Disentanglement via
Mechanism Sparsity* (JMLR 27, 2026; arXiv 2401.04890): Figure 1, Examples 3-8, 11 and 12, and
the ten dataset graphs of §8 and Appendix C.1 (d = 10). The expected verdicts are the paper's
statements, typed in by hand; the test suite recomputes each one.

>>> import identkit as ik
>>> ex = ik.examples.get("ex4")
>>> ex.reference, ex.complete, ex.identified
('Example 4', False, ('z2',))
>>> ik.analyze(ex.graph, ex.regularize).identified
(1,)
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

import numpy as np

from ._rng import as_generator
from .errors import ExampleNotFoundError, GraphError
from .graphs import LatentGraph

__all__ = ["Example", "get", "names", "catalogue", "random_graph"]


@dataclass(frozen=True)
class Example:
    """One entry of the catalogue.

    Attributes
    ----------
    name : str
        Short key (``"ex8"``, ``"TimeBlockNonDiag"``).
    title : str
        One line saying what the example shows.
    reference : str
        Where it is in the paper.
    graph : LatentGraph
    regularize : str
        The learned graphs the paper regularizes for this example.
    complete : bool
        The paper's verdict: is complete disentanglement guaranteed?
    identified : tuple of str
        Names of the latents the paper says are identified (all of them when complete).
    pattern : tuple of tuple of int or None
        The entanglement pattern C when the paper writes it out.
    """

    name: str
    title: str
    reference: str
    graph: LatentGraph
    regularize: str
    complete: bool
    identified: tuple
    pattern: tuple | None = None

    def to_dict(self) -> dict:
        """Plain data: the fields, with the graph as names and 0/1 matrices."""
        return {
            "name": self.name,
            "title": self.title,
            "reference": self.reference,
            "regularize": self.regularize,
            "complete": self.complete,
            "identified": list(self.identified),
            "pattern": None if self.pattern is None else [list(r) for r in self.pattern],
            "graph": self.graph.to_dict(),
        }


def _tri(d):
    return np.tril(np.ones((d, d), dtype=int))


def _pattern_blocks(d=10, extra=False):
    C = np.kron(np.eye(d // 2, dtype=int), np.ones((2, 2), dtype=int))
    if extra:
        C[0:2, 8:10] = 1
    return tuple(tuple(r) for r in C.tolist())


def _build() -> dict[str, Example]:
    d = 10
    z3 = ("z1", "z2", "z3")
    z10 = tuple(f"z{k}" for k in range(1, d + 1))
    entries = []

    def add(name, title, reference, graph, regularize, complete, identified, pattern=None):
        entries.append(Example(name, title, reference, graph, regularize, complete,
                               tuple(identified), pattern))

    add("fig1", "Tree, robot and ball: a torque moves the robot; the ball follows both",
        "Figure 1",
        LatentGraph(Gz=_tri(3), Ga=[[0], [1], [0]], latents=["tree", "robot", "ball"],
                    actions=["torque"]),
        "az", True, ("tree", "robot", "ball"))
    add("ex3", "Ga = I: each action targets one latent", "Example 3",
        LatentGraph(Ga=np.eye(3, dtype=int)), "a", True, z3)
    add("ex4", "One action targeting a single latent identifies it", "Example 4",
        LatentGraph(Ga=[[0], [1], [0]]), "a", False, ("z2",),
        ((1, 1, 1), (0, 1, 0), (1, 1, 1)))
    add("ex5", "Three multi-target actions disentangle three latents", "Example 5",
        LatentGraph(Ga=[[1, 1, 0], [1, 0, 1], [0, 1, 1]]), "a", True, z3)
    add("ex6", "Gz = I: independent factors with temporal dependencies", "Example 6",
        LatentGraph(Gz=np.eye(3, dtype=int)), "z", True, z3)
    add("ex7", "Lower-triangular Gz with self-loops", "Example 7",
        LatentGraph(Gz=_tri(3)), "z", True, z3)
    add("ex8", "The robot follows the ball: partial disentanglement via temporal sparsity",
        "Example 8", LatentGraph(Gz=[[1, 0, 0], [1, 1, 1], [1, 1, 1]]), "z", False, ("z1",),
        ((1, 0, 0), (0, 1, 1), (0, 1, 1)))
    add("ex11", "Single-target interventions without time (T = 1)", "Example 11",
        LatentGraph.from_interventions([["z1"], ["z2"], ["z3"]]), "a", True, z3)
    add("ex12", "The interventions of Example 5 with (dense, unregularized) temporal dynamics",
        "Example 12",
        LatentGraph.from_interventions([["z1", "z2"], ["z1", "z3"], ["z2", "z3"]],
                                       Gz=np.ones((3, 3), dtype=int)),
        "a", True, z3)

    ga_nondiag = np.eye(d, dtype=int)
    ga_nondiag[np.arange(d), (np.arange(d) - 1) % d] = 1
    ga_block = np.repeat(np.eye(5, dtype=int), 2, axis=0)
    ga_block_nd = ga_block.copy()
    ga_block_nd[8:10, 0] = 1
    gz_block = np.kron(np.eye(5, dtype=int), np.ones((2, 2), dtype=int))
    gz_block_nd = gz_block.copy()
    gz_block_nd[0:2, 8:10] = 1
    gz_block_nd[8:10, 0:2] = 1
    gz_block_nd[8:10, 4:6] = 1
    ident = tuple(tuple(r) for r in np.eye(d, dtype=int).tolist())
    add("ActionDiag", "Dataset: each action targets one latent (Ga = I)", "§8, Figure 5",
        LatentGraph(Ga=np.eye(d, dtype=int)), "a", True, z10, ident)
    add("ActionNonDiag", "Dataset: Ga[i, i] = Ga[i, i-1 mod d] = 1", "§8, Figure 5, eq. (72)",
        LatentGraph(Ga=ga_nondiag), "a", True, z10, ident)
    add("ActionBlockDiag", "Dataset: each action targets a pair of latents", "§8, Figure 7",
        LatentGraph(Ga=ga_block), "a", False, (), _pattern_blocks())
    add("ActionBlockNonDiag", "Dataset: pairs, and z9, z10 also depend on a1", "§8, Figure 7",
        LatentGraph(Ga=ga_block_nd), "a", False, (), _pattern_blocks(extra=True))
    add("TimeDiag", "Dataset: each latent depends only on its own past (Gz = I)",
        "§8, Figure 5", LatentGraph(Gz=np.eye(d, dtype=int)), "z", True, z10, ident)
    add("TimeNonDiag", "Dataset: full lower-triangular Gz with self-loops",
        "§8, Figure 5, eq. (75)", LatentGraph(Gz=_tri(d)), "z", True, z10, ident)
    add("TimeBlockDiag", "Dataset: five 2x2 all-ones blocks", "§8, Figure 7",
        LatentGraph(Gz=gz_block), "z", False, (), _pattern_blocks())
    add("TimeBlockNonDiag", "Dataset: 2x2 blocks with extra edges between blocks 1, 3 and 5",
        "§8, Figure 7", LatentGraph(Gz=gz_block_nd), "z", False, (),
        _pattern_blocks(extra=True))
    return {e.name: e for e in entries}


_CATALOGUE: dict[str, Example] | None = None


def _catalogue() -> dict[str, Example]:
    global _CATALOGUE
    if _CATALOGUE is None:
        _CATALOGUE = _build()
    return _CATALOGUE


def names() -> list[str]:
    """The catalogue's names, in the paper's order.

    >>> import identkit as ik
    >>> ik.examples.names()[:4]
    ['fig1', 'ex3', 'ex4', 'ex5']
    """
    return list(_catalogue())


def catalogue() -> list[Example]:
    """Every entry of the catalogue, in the paper's order.

    Examples
    --------
    >>> import identkit as ik
    >>> [(e.name, e.complete) for e in ik.examples.catalogue()][:3]
    [('fig1', True), ('ex3', True), ('ex4', False)]
    """
    return list(_catalogue().values())


def get(name: str) -> Example:
    """The catalogue entry called ``name`` (case-insensitive).

    Raises
    ------
    ExampleNotFoundError
        If there is no such entry; the message suggests the closest name.

    Examples
    --------
    >>> import identkit as ik
    >>> ik.examples.get("TimeBlockDiag").reference
    '§8, Figure 7'
    """
    cat = _catalogue()
    if isinstance(name, str):
        for key in cat:
            if key.lower() == name.lower():
                return cat[key]
    close = difflib.get_close_matches(str(name), list(cat), n=1, cutoff=0.5)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    raise ExampleNotFoundError(
        f"no example named {name!r}{hint}; known: {', '.join(cat)}"
    )


def random_graph(n_latents: int, *, kind: str = "action", p: float = 0.5,
                 n_actions: int | None = None, seed=None) -> LatentGraph:
    """A random graph following the paper's protocol (Appendix C.1, Table 4).

    ``kind="action"`` (ActionRandomGraphs): ``Ga[i, l] ~ Bernoulli(p)`` i.i.d., with
    ``n_actions`` actions (default ``n_latents``). ``kind="time"`` (TimeRandomGraphs):
    ``Gz[i, j] ~ Bernoulli(p)`` i.i.d. off the diagonal, self-loops forced.
    ``kind="both"`` draws both.

    Parameters
    ----------
    n_latents : int
        d >= 1.
    kind : {"action", "time", "both"}
    p : float in [0, 1]
        Edge probability.
    n_actions : int, optional
    seed : None, int or numpy.random.Generator

    Raises
    ------
    GraphError
        If a size or probability is out of range or ``kind`` is unknown.

    Examples
    --------
    >>> import identkit as ik
    >>> g = ik.examples.random_graph(5, kind="time", p=0.3, seed=0)
    >>> bool(g.Gz.diagonal().all())
    True
    >>> g == ik.examples.random_graph(5, kind="time", p=0.3, seed=0)
    True

    Notes
    -----
    O(d (d + m)) time and memory.
    """
    if not isinstance(n_latents, (int, np.integer)) or n_latents < 1:
        raise GraphError(f"n_latents must be a positive integer, got {n_latents!r}")
    if not (isinstance(p, (int, float)) and 0.0 <= p <= 1.0):
        raise GraphError(f"p must be a probability in [0, 1], got {p!r}")
    if kind not in ("action", "time", "both"):
        raise GraphError(f"kind must be 'action', 'time' or 'both', got {kind!r}")
    m = n_latents if n_actions is None else n_actions
    if not isinstance(m, (int, np.integer)) or m < 1:
        raise GraphError(f"n_actions must be a positive integer, got {n_actions!r}")
    rng = as_generator(seed)
    Gz = Ga = None
    if kind in ("time", "both"):
        Gz = rng.random((n_latents, n_latents)) < p
        np.fill_diagonal(Gz, True)
    if kind in ("action", "both"):
        Ga = rng.random((n_latents, m)) < p
    return LatentGraph(Gz=Gz, Ga=Ga)
