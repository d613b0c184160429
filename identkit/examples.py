"""The paper's catalogue of graphs, each with its citation and expected verdict.

Every entry reproduces a graph of Lachapelle et al., *Nonparametric Partial Disentanglement via
Mechanism Sparsity* (JMLR 27, 2026; arXiv 2401.04890): Figure 1, Examples 3-8, 11 and 12, and
the ten dataset graphs of §8 and Appendix C.1 (d = 10). The expected verdicts are the paper's
statements, typed in by hand; the test suite recomputes each one.

The same catalogue holds the paper's worked mechanisms (§3.9, §4; Examples 9-16, Remark 6) as
plain-data mechanism files, named ``mechanism-<name>``: every entry has a ``kind``, ``"graph"``
(:class:`Example`) or ``"mechanism"`` (:class:`MechanismExample`). This module does not import
the symbolic backend; ``identkit.symbolic.mechanism_from_dict(ex.spec, source=ex.name)`` builds
the mechanism of an entry.

>>> import identkit as ik
>>> ex = ik.examples.get("ex4")
>>> ex.reference, ex.complete, ex.identified
('Example 4', False, ('z2',))
>>> ik.analyze(ex.graph, ex.regularize).identified
(1,)
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from ._rng import as_generator
from .errors import ExampleNotFoundError, GraphError, OutputError, did_you_mean
from .graphs import LatentGraph

__all__ = ["Example", "MechanismExample", "KINDS", "MECHANISM_PREFIX", "get", "names",
           "catalogue", "listing", "random_graph"]

#: The kinds of catalogue entries: graphs (the criterion) and worked mechanisms (the assumptions).
KINDS = ("graph", "mechanism")

#: Worked mechanisms are named ``mechanism-<name>`` in the catalogue (and on the command line).
MECHANISM_PREFIX = "mechanism-"


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
    kind : str
        ``"graph"`` (a class attribute: every :class:`Example` is a graph entry).
    """

    kind: ClassVar[str] = "graph"

    name: str
    title: str
    reference: str
    graph: LatentGraph
    regularize: str
    complete: bool
    identified: tuple
    pattern: tuple | None = None

    def __str__(self) -> str:
        """One line: name, reference, title and the paper's verdict.

        >>> import identkit as ik
        >>> print(ik.examples.get("ex8"))
        ex8 (Example 8): The robot follows the ball: partial disentanglement via temporal sparsity [partial]
        """
        return (f"{self.name} ({self.reference}): {self.title} "
                f"[{'complete' if self.complete else 'partial'}]")

    def to_dict(self) -> dict:
        """Plain data: the fields, with the graph as names and 0/1 matrices."""
        return {
            "kind": self.kind,
            "name": self.name,
            "title": self.title,
            "reference": self.reference,
            "regularize": self.regularize,
            "complete": self.complete,
            "identified": list(self.identified),
            "pattern": None if self.pattern is None else [list(r) for r in self.pattern],
            "graph": self.graph.to_dict(),
        }

    def dumps(self, format: str = "json") -> str:
        """The entry's graph as a graph file: ``"json"``, ``"yaml"`` or ``"text"``
        (:func:`identkit.io.dumps_graph`; what ``identkit examples NAME`` prints, as
        :meth:`MechanismExample.dumps` for a worked mechanism).

        Examples
        --------
        >>> import identkit as ik
        >>> print(ik.examples.get("ex4").dumps("text"), end="")
        latents: z1 z2 z3
        actions: a1
        graphs: a
        a1 -> z2

        Another format is an :class:`~identkit.errors.OutputError`, as for a worked mechanism.
        """
        from . import io

        if not isinstance(format, str) or format not in ("json", "yaml", "text"):
            raise OutputError(f"a graph example prints as json, yaml or text, not {format!r}")
        return io.dumps_graph(self.graph, format)


@dataclass(frozen=True)
class MechanismExample:
    """A worked mechanism of the catalogue: its mechanism file, reference and expected verdicts.

    Constants the paper leaves free (W, μ, δ, g) are fixed to simple values that satisfy the
    stated conditions (W invertible, μ_l ≠ 0, δ_l ≠ 0 or = 0 as the example requires).

    Attributes
    ----------
    name : str
        ``"mechanism-<name>"`` (``"mechanism-ex9"``), unique in the catalogue.
    reference : str
        Where it is in the paper.
    title : str
        One line saying what the example shows.
    spec : dict
        The mechanism file as plain data (what :func:`identkit.symbolic.mechanism_from_dict`
        reads); :func:`get` and :func:`catalogue` hand out a copy, so editing it cannot change
        the catalogue.
    expected : dict
        An assumption name (``"Assumption 6"`` ...) -> True/False, the paper's verdict for
        every target it is checked on.
    Gz, Ga : list of list of int or None
        The graphs the mechanism should give (rows are children), or None.
    kind : str
        ``"mechanism"`` (a class attribute).

    Examples
    --------
    >>> import identkit as ik
    >>> ex = ik.examples.get("mechanism-ex9")
    >>> ex.kind, ex.reference, ex.expected
    ('mechanism', 'Example 9', {'Assumption 6': True})
    """

    kind: ClassVar[str] = "mechanism"

    name: str
    reference: str
    title: str
    spec: dict
    expected: dict
    Gz: list | None = None
    Ga: list | None = None

    def __str__(self) -> str:
        """One line: name, reference and title."""
        return f"{self.name} ({self.reference}): {self.title}"

    def dumps(self, format: str = "yaml") -> str:
        """The mechanism file as text: ``"json"`` or ``"yaml"`` (what ``identkit examples NAME``
        prints, and what :func:`identkit.symbolic.load_mechanism` reads back).

        Raises
        ------
        OutputError
            For another format (a mechanism has no text form or ``.npz`` form).

        Examples
        --------
        >>> import identkit as ik
        >>> print(ik.examples.get("mechanism-ex10").dumps("yaml").splitlines()[0])
        latents:
        """
        from . import _jsonfmt, io
        from .errors import OutputError

        if format == "json":
            return _jsonfmt.dumps(self.spec) + "\n"
        if format == "yaml":
            return io.yaml_module().safe_dump(self.spec, sort_keys=False, width=100)
        raise OutputError(f"a worked mechanism prints as json or yaml, not {format!r}")

    def to_dict(self) -> dict:
        """Plain data: the fields."""
        return {"kind": self.kind, "name": self.name, "reference": self.reference,
                "title": self.title, "spec": self.spec, "expected": dict(self.expected),
                "Gz": self.Gz, "Ga": self.Ga}


_ONE_HOT_3 = [[0, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1]]
_Z3 = ["z1", "z2", "z3"]
_A3 = ["a1", "a2", "a3"]


def _mechanisms() -> list[MechanismExample]:
    def m(name, *rest, **kw):
        return MechanismExample(MECHANISM_PREFIX + name, *rest, **kw)

    return [
        m("ex9", "Example 9", "A torque moves the robot (single-target continuous action)",
          {"latents": _Z3, "actions": ["a"],
           "mean": {"z1": "z1_lag1 + sin(z1_lag1)/2",
                    "z2": "z2_lag1 + sin(z1_lag1 + z2_lag1)/2 + a",
                    "z3": "z3_lag1 + tanh(z1_lag1 + z2_lag1 + z3_lag1)/2"},
           "variance": "1/4"},
          {"Assumption 6": True},
          Gz=[[1, 0, 0], [1, 1, 0], [1, 1, 1]], Ga=[[0], [1], [0]]),
        m("ex10", "Example 10", "Multi-target continuous actions with nonlinear means (T = 1)",
          {"latents": _Z3, "actions": _A3,
           "mean": {"z1": "a1 + a2", "z2": "a1**2 + a3", "z3": "a2**2 + a3**2"}},
          {"Assumption 6": True}, Ga=[[1, 1, 0], [1, 0, 1], [0, 1, 1]]),
        m("ex10-linear", "Example 10 (linear counterpart)", "μ(a) = W a: no sufficient influence",
          {"latents": _Z3, "actions": _A3,
           "mean": {"z1": "a1 + 2*a2", "z2": "3*a1 + a3", "z3": "a2 - a3"}},
          {"Assumption 6": False}, Ga=[[1, 1, 0], [1, 0, 1], [0, 1, 1]]),
        m("ex11", "Example 11", "Single-target interventions without time",
          {"latents": _Z3, "actions": _A3, "action_values": _ONE_HOT_3,
           "mean": {"z1": "2*a1", "z2": "-a2", "z3": "3*a3"},
           "variance": {"z1": "1 + a1/2", "z2": "1 + a2", "z3": "1 - a3/2"}},
          {"Assumption 7": True}, Ga=[[1, 0, 0], [0, 1, 0], [0, 0, 1]]),
        m("remark6", "Remark 6", "One intervention on {z1, z2} without time",
          {"latents": _Z3, "actions": ["a1"], "action_values": [[0], [1]],
           "mean": {"z1": "a1", "z2": "2*a1", "z3": "0"}},
          {"Assumption 7": False}, Ga=[[1], [1], [0]]),
        m("ex12", "Example 12", "The interventions of Example 5 with temporal dynamics",
          {"latents": _Z3, "actions": _A3, "action_values": _ONE_HOT_3,
           "mean": {"z1": "z1_lag1 + (1 - a1 - a2)*(z1_lag1 + z2_lag1)",
                    "z2": "z2_lag1 + (1 - a1 - a3)*(z2_lag1 + z3_lag1)",
                    "z3": "z3_lag1 + (1 - a2 - a3)*(z1_lag1 + z3_lag1)"}},
          {"Assumption 7": True}, Ga=[[1, 1, 0], [1, 0, 1], [0, 1, 1]]),
        m("ex13", "Example 13", "Two interventions in one group targeting {z1, z2}, no time",
          {"latents": ["z1", "z2"], "actions": ["a1"], "action_values": [[0], [1], [2]],
           "mean": {"z1": "a1", "z2": "a1**2"}},
          {"Assumption 7": True}, Ga=[[1], [1]]),
        m("ex14-constant", "Example 14 (constant W)", "μ = z^{t-1} + W z^{t-1}: too simple",
          {"latents": _Z3,
           "mean": {"z1": "z1_lag1 + z1_lag1/2", "z2": "z2_lag1 + z1_lag1/3 + z2_lag1/5",
                    "z3": "z3_lag1 + z1_lag1/7 + 2*z2_lag1 + z3_lag1/2"}},
          {"Assumption 8": False}, Gz=[[1, 0, 0], [1, 1, 0], [1, 1, 1]]),
        m("ex14-varying", "Example 14 (varying W)", "μ = z^{t-1} + W(z^{t-2}) z^{t-1}",
          {"latents": _Z3,
           "mean": {"z1": "z1_lag1 + z1_lag2*z1_lag1",
                    "z2": "z2_lag1 + z2_lag2**2*z1_lag1 + z2_lag2*z2_lag1",
                    "z3": "z3_lag1 + z3_lag2**3*z1_lag1 + z3_lag2**2*z2_lag1 + z3_lag2*z3_lag1"}},
          {"Assumption 8": True}, Gz=[[1, 0, 0], [1, 1, 0], [1, 1, 1]]),
        m("ex15-mean", "Example 15 (δ = 0)", "Interventions that shift means only: k = 1",
          {"latents": _Z3, "actions": _A3, "action_values": _ONE_HOT_3,
           "mean": {"z1": "2*a1", "z2": "-a2", "z3": "3*a3"}},
          {"Assumption 10": True, "Assumption 7": True}, Ga=[[1, 0, 0], [0, 1, 0], [0, 0, 1]]),
        m("ex15-variance", "Example 15 (δ ≠ 0)",
          "Means and variances shift: k = 2, too few points",
          {"latents": _Z3, "actions": _A3, "action_values": _ONE_HOT_3,
           "mean": {"z1": "2*a1", "z2": "-a2", "z3": "3*a3"},
           "variance": {"z1": "1 + a1/2", "z2": "1 + a2", "z3": "1 - a3/2"}},
          {"Assumption 10": False, "Assumption 7": True}, Ga=[[1, 0, 0], [0, 1, 0], [0, 0, 1]]),
        m("ex16", "Example 16", "Markovian, no actions: Assumption 8 fails, Assumption 11 holds",
          {"latents": _Z3,
           "mean": {"z1": "z1_lag1 + z1_lag1**2/2",
                    "z2": "z2_lag1 + z1_lag1**3/3 + z2_lag1**2/2",
                    "z3": "z3_lag1 + z1_lag1**4/4 + z2_lag1**3/3 + z3_lag1**2/2"}},
          {"Assumption 8": False, "Assumption 11": True}, Gz=[[1, 0, 0], [1, 1, 0], [1, 1, 1]]),
    ]


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
    return {e.name: e for e in entries + _mechanisms()}


_CATALOGUE: dict | None = None


def _catalogue() -> dict:
    global _CATALOGUE
    if _CATALOGUE is None:
        _CATALOGUE = _build()
    return _CATALOGUE


def _handed_out(entry):
    """The entry as given to a caller: a worked mechanism's plain data (``spec``, ``expected``,
    ``Gz``, ``Ga``) is copied, so editing it cannot change the catalogue (graph entries are
    immutable already). O(size of the mechanism file)."""
    if entry.kind != "mechanism":
        return entry
    import copy

    return dataclasses.replace(entry, spec=copy.deepcopy(entry.spec),
                               expected=dict(entry.expected), Gz=copy.deepcopy(entry.Gz),
                               Ga=copy.deepcopy(entry.Ga))


def _of_kind(kind: str | None) -> list:
    if kind is not None and kind not in KINDS:
        raise ExampleNotFoundError(f"no kind of example named {kind!r}"
                                   f"{did_you_mean(kind, KINDS)}; known: {', '.join(KINDS)}")
    return [_handed_out(e) for e in _catalogue().values() if kind is None or e.kind == kind]


def names(kind: str | None = "graph") -> list[str]:
    """The catalogue's names of one kind, in the paper's order.

    Parameters
    ----------
    kind : {"graph", "mechanism"} or None, default "graph"
        ``"graph"``: the graphs (what ``names()`` has always listed); ``"mechanism"``: the
        worked mechanisms (``mechanism-<name>``); None: every entry, graphs first.

    Raises
    ------
    ExampleNotFoundError
        If ``kind`` is not one of :data:`KINDS` or None.

    Examples
    --------
    >>> import identkit as ik
    >>> ik.examples.names()[:4]
    ['fig1', 'ex3', 'ex4', 'ex5']
    >>> ik.examples.names("mechanism")[:2]
    ['mechanism-ex9', 'mechanism-ex10']
    >>> len(ik.examples.names(None)) == len(ik.examples.names()) + len(ik.examples.names("mechanism"))
    True
    """
    return [e.name for e in _of_kind(kind)]


def listing() -> str:
    """The catalogue as ``identkit examples`` lists it: graphs with the paper's verdict, then the
    worked mechanisms, one per line, names aligned.

    Examples
    --------
    >>> import identkit as ik
    >>> print(ik.examples.listing().splitlines()[0])
    Graphs (the criterion):
    """
    width = max(len(n) for n in names(None))
    lines = ["Graphs (the criterion):"]
    for ex in catalogue("graph"):
        verdict = "complete" if ex.complete else "partial "
        lines.append(f"  {ex.name:<{width}}  {verdict}  {ex.reference:<24} {ex.title}")
    lines.append("Worked mechanisms (the assumptions; `check --example NAME` runs the exact "
                 "checks):")
    for ex in catalogue("mechanism"):
        lines.append(f"  {ex.name:<{width}}  {ex.reference:<34} {ex.title}")
    return "\n".join(lines) + "\n"


def catalogue(kind: str | None = "graph") -> list:
    """Every entry of one kind, in the paper's order (``kind`` as for :func:`names`).

    Examples
    --------
    >>> import identkit as ik
    >>> [(e.name, e.complete) for e in ik.examples.catalogue()][:3]
    [('fig1', True), ('ex3', True), ('ex4', False)]
    >>> sorted({e.kind for e in ik.examples.catalogue(None)})
    ['graph', 'mechanism']
    """
    return _of_kind(kind)


def get(name: str):
    """The catalogue entry called ``name`` (case-insensitive), of either kind.

    Returns
    -------
    Example or MechanismExample
        ``entry.kind`` says which; worked mechanisms are named ``mechanism-<name>``.

    Raises
    ------
    ExampleNotFoundError
        If there is no such entry; the message suggests the closest name of the same kind.

    Examples
    --------
    >>> import identkit as ik
    >>> ik.examples.get("TimeBlockDiag").reference
    '§8, Figure 7'
    >>> ik.examples.get("Mechanism-Remark6").name
    'mechanism-remark6'
    """
    cat = _catalogue()
    if isinstance(name, str):
        for key in cat:
            if key.lower() == name.lower():
                return _handed_out(cat[key])
        if name.lower().startswith(MECHANISM_PREFIX):
            short = [n[len(MECHANISM_PREFIX):] for n in names("mechanism")]
            raise ExampleNotFoundError(f"no worked mechanism named "
                                       f"{name[len(MECHANISM_PREFIX):]!r}; known: "
                                       f"{', '.join(short)}")
    graphs = names("graph")
    raise ExampleNotFoundError(
        f"no example named {name!r}{did_you_mean(str(name), graphs, cutoff=0.5)}; known: "
        f"{', '.join(graphs)}"
    )


def random_graph(n_latents: int, *, kind: str = "action", p: float = 0.5,
                 n_actions: int | None = None, seed=0) -> LatentGraph:
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
    seed : int, numpy.random.Generator or None, default 0
        Keyword-only. The default 0 makes the function deterministic (it used to default to
        fresh entropy; pass ``seed=None`` for that).

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
