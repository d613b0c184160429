"""The ``graphs`` kind: random graphs of a family, their verdicts, and the table of a cell.

Graph j of cell c is drawn from its own generator, ``numpy.random.default_rng`` of
``SeedSequence(seed).spawn(n_cells)[c].spawn(graphs_per_cell)[j]`` (built directly from the
spawn key ``(c, j)``, which is what ``spawn`` does), so a graph does not depend on which task,
worker or order drew it; the ``paper`` family uses the paper's own rule instead
(:func:`paper_random_graph`). Each graph's verdict comes from the core:
:func:`identkit.entanglement_pairs` (complete disentanglement, identified latents, the edges of
the pattern ``C``) and :func:`identkit.graph_preserving_permutations` (the twin blocks and the
number of graph-preserving permutations).

A cell's row sums its graphs exactly (integers, and fractions for the logarithms), so the table
is the same bytes however the graphs were split into tasks.
"""

from __future__ import annotations

import math
from fractions import Fraction
from statistics import NormalDist

import numpy as np

from ..entanglement import entanglement_pairs
from ..errors import SweepError
from ..graphs import LatentGraph
from ..symmetry import graph_preserving_permutations

__all__ = ["PAPER_SEED_OFFSET", "paper_random_graph", "graph_generator", "draw_graph",
           "graph_statistics", "wilson_interval", "graphs_task", "plan_graph_tasks",
           "GraphCells", "STAT_COLUMNS"]

#: The official code draws the graph of ``--seed s`` from ``default_rng(45321 + s)``.
PAPER_SEED_OFFSET = 45321

#: The columns of a ``graphs`` table after the cell index and the axes.
STAT_COLUMNS = ("n", "n_complete", "fraction_complete", "ci_low", "ci_high", "mean_identified",
                "mean_largest_block", "mean_log_permutations", "mean_pattern_edges",
                "sd_identified", "sd_largest_block", "sd_log_permutations", "sd_pattern_edges")

# the per-graph statistics summed in a cell (besides the count and the complete ones)
_MEASURES = ("identified", "largest_block", "log_permutations", "pattern_edges")


def paper_random_graph(d: int, p: float, *, temporal: bool, seed: int = 0) -> np.ndarray:
    """The random graph of the paper's ``--rand_g_density p`` experiments (Table 4, App. C.1).

    The authors' rule: a generator ``numpy.random.default_rng(45321 + seed)`` draws every
    entry of a d × d matrix as Bernoulli(p) (``binomial(1, P)`` with P the matrix of edge
    probabilities); for the temporal datasets (TimeRandomGraphs) the diagonal's probability is
    one, so every latent has its self-loop. The action datasets (ActionRandomGraphs) have
    m = d actions and no forced entry.

    Parameters
    ----------
    d : int
        Number of latents (the paper: 10).
    p : float in [0, 1]
        The edge probability (``--rand_g_density``).
    temporal : bool
        Keyword-only. True for ``Gz`` (TimeRandomGraphs), False for ``Ga``
        (ActionRandomGraphs).
    seed : int, default 0
        Keyword-only. The run's seed (``--seed``), a non-negative integer.

    Returns
    -------
    numpy.ndarray of int, shape (d, d)
        Rows are children.

    Examples
    --------
    >>> from identkit.sweep import paper_random_graph
    >>> G = paper_random_graph(4, 0.3, temporal=True, seed=0)
    >>> G.diagonal().tolist()
    [1, 1, 1, 1]
    >>> bool((G == paper_random_graph(4, 0.3, temporal=True, seed=0)).all())
    True

    Notes
    -----
    O(d²). One generator draw per entry, the diagonal included, as the authors' code does; so
    for one seed the graphs at p and 1 - p are complements off the diagonal (numpy draws
    Bernoulli(p > 1/2) as the complement of Bernoulli(1 - p)).
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise SweepError(f"seed must be a non-negative integer, got {seed!r}")
    proba = np.minimum(1.0, np.eye(d) + p) if temporal else np.full((d, d), float(p))
    return np.random.default_rng(PAPER_SEED_OFFSET + int(seed)).binomial(1, proba)


def graph_generator(cell: int, j: int, *, seed: int = 0) -> np.random.Generator:
    """The generator of graph ``j`` of cell ``cell`` under the root seed ``seed``.

    Equal to ``default_rng(SeedSequence(seed).spawn(cell + 1)[cell].spawn(j + 1)[j])``,
    built from the spawn key ``(cell, j)`` in O(1) instead of spawning every sibling first.

    Examples
    --------
    >>> import numpy as np
    >>> from identkit.sweep import graph_generator
    >>> child = np.random.SeedSequence(7).spawn(3)[2].spawn(5)[4]
    >>> graph_generator(2, 4, seed=7).random() == np.random.default_rng(child).random()
    True
    """
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(cell, j)))


def _bernoulli(rng, shape, p, loops=False):
    m = rng.random(shape) < p
    if loops:
        np.fill_diagonal(m, True)
    return m


def draw_cell_graph(family: str, params: dict, cell: int, j: int, *, seed: int = 0
                    ) -> LatentGraph:
    """Graph ``j`` of a cell, from the family, the cell's parameters and the root seed."""
    d, reg = params["d"], params["regularize"]
    if family == "paper":
        G = paper_random_graph(d, params["p"], temporal=reg == "z", seed=seed + j)
        return LatentGraph(Gz=G) if reg == "z" else LatentGraph(Ga=G)
    rng = graph_generator(cell, j, seed=seed)
    Gz = _bernoulli(rng, (d, d), params["p"], params["self_loops"]) if "z" in reg else None
    if family == "erdos-renyi":
        m = d if params["m"] is None else params["m"]
        Ga = _bernoulli(rng, (d, m), params["p"]) if "a" in reg else None
    else:  # interventions: k target sets of target_size distinct latents, uniformly
        k, size = params["k"], params["target_size"]
        targets = np.argsort(rng.random((k, d)), axis=1)[:, :size]
        Ga = np.zeros((d, k), dtype=bool)
        Ga[targets, np.arange(k)[:, None]] = True
    return LatentGraph(Gz=Gz, Ga=Ga)


def draw_graph(spec, cell: int, j: int) -> LatentGraph:
    """Graph ``j`` (0-based) of cell ``cell`` of a ``graphs`` specification.

    Parameters
    ----------
    spec : SweepSpec
    cell : int
        The cell index (see :meth:`SweepSpec.cell`).
    j : int
        The graph's index in the cell, ``0 <= j < spec.graphs_per_cell``.

    Returns
    -------
    LatentGraph
        With the regularized graphs only.

    Examples
    --------
    >>> from identkit.sweep import draw_graph, load_spec
    >>> spec = load_spec({"kind": "graphs", "axes": {"d": [3]}, "p": 0.5,
    ...                   "regularize": "z", "self_loops": True})
    >>> g = draw_graph(spec, 0, 0)
    >>> g.graphs, bool(g.Gz.diagonal().all())
    ('z', True)
    >>> g == draw_graph(spec, 0, 0)
    True
    """
    if spec.kind != "graphs":
        raise SweepError(f"draw_graph needs a graphs specification, got kind {spec.kind!r}")
    n = spec.graphs_per_cell
    if isinstance(j, bool) or not isinstance(j, (int, np.integer)) or not 0 <= j < n:
        raise SweepError(f"graph index {j!r} is not in 0 .. {n - 1}")
    return draw_cell_graph(spec.family, spec.cell(cell), int(cell), int(j), seed=spec.seed)


def graph_statistics(g: LatentGraph, regularize: str | None = None) -> dict:
    """What one graph guarantees, as numbers: the per-graph values a sweep averages.

    Returns
    -------
    dict
        ``complete`` (bool: ``C`` is the identity), ``identified`` (latents whose row of ``C``
        is ``{i}``), ``largest_block`` (the size of the largest C-twin class),
        ``log_permutations`` (the natural logarithm of the number of graph-preserving
        permutations, ``Σ log |class|!``) and ``pattern_edges`` (the nonzero entries of ``C``,
        the diagonal included: the paper's ``‖V‖₀`` of Table 4).

    Examples
    --------
    Example 8 of the paper: z1 is identified, the robot and the ball form a block of two.

    >>> import identkit as ik
    >>> from identkit.sweep import graph_statistics
    >>> s = graph_statistics(ik.LatentGraph(Gz=[[1, 0, 0], [1, 1, 1], [1, 1, 1]]))
    >>> s["complete"], s["identified"], s["largest_block"], s["pattern_edges"]
    (False, 1, 2, 5)
    >>> round(s["log_permutations"], 6)   # log 2!
    0.693147

    Notes
    -----
    The cost of :func:`identkit.entanglement_pairs` and of
    :func:`identkit.graph_preserving_permutations`: ``O(Σ_i |rarest column of F_i| · |F_i| +
    nnz(C))`` and O(nnz + d).
    """
    rows, cols = entanglement_pairs(g, regularize)
    off = rows != cols
    d = g.n_latents
    entangled = np.zeros(d, dtype=bool)
    entangled[rows[off]] = True
    group = graph_preserving_permutations(g, regularize)
    largest = max((k for k, _ in group.symmetric_factors), default=1)
    return {"complete": not off.any(), "identified": int(d - np.count_nonzero(entangled)),
            "largest_block": int(largest), "log_permutations": math.log(group.order()),
            "pattern_edges": int(rows.size)}


def wilson_interval(successes: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """The Wilson score interval of a binomial proportion.

    ``(k + z²/2) / (n + z²) ± z √(k (n - k) / n + z²/4) / (n + z²)`` with z the
    ``(1 + confidence) / 2`` quantile of the standard normal; exactly 0 (1) at its lower
    (upper) end when k = 0 (k = n). Unlike the normal-approximation interval it stays inside
    [0, 1] and keeps its coverage near 0 and 1, where fractions of complete graphs often are.

    Examples
    --------
    >>> from identkit.sweep import wilson_interval
    >>> [round(v, 4) for v in wilson_interval(7, 10)]
    [0.3968, 0.8922]
    >>> wilson_interval(0, 50)[0], wilson_interval(50, 50)[1]
    (0.0, 1.0)

    Notes
    -----
    O(1).
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1 \
            or not 0 <= successes <= n:
        raise SweepError(f"a Wilson interval needs 0 <= successes <= n and n >= 1, got "
                         f"{successes!r} of {n!r}")
    if not 0 < confidence < 1:
        raise SweepError(f"confidence {confidence!r} is not strictly between 0 and 1")
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    z2 = z * z
    center = (successes + z2 / 2) / (n + z2)
    half = z * math.sqrt(successes * (n - successes) / n + z2 / 4) / (n + z2)
    low = 0.0 if successes == 0 else max(0.0, center - half)
    high = 1.0 if successes == n else min(1.0, center + half)
    return low, high


def graphs_task(family: str, pieces: list, *, seed: int = 0) -> list:
    """One task: the exact sums of the statistics of each piece ``(cell, params, start, stop)``
    of graphs. A pure function of its arguments (what a worker runs).

    Returns
    -------
    list of dict
        Per piece: ``cell``, ``n`` and, for each statistic, its sum and its sum of squares
        (ints, and :class:`fractions.Fraction` for the logarithms, so sums are exact).

    Notes
    -----
    O(graphs · (cost of :func:`graph_statistics` + d (d + m))).
    """
    out = []
    for cell, params, start, stop in pieces:
        acc = {"cell": cell, "n": 0, "complete": 0}
        for name in _MEASURES:
            acc[name] = acc[name + "_sq"] = 0
        reg = params["regularize"]
        for j in range(start, stop):
            s = graph_statistics(draw_cell_graph(family, params, cell, j, seed=seed), reg)
            acc["n"] += 1
            acc["complete"] += s["complete"]
            for name in _MEASURES:
                v = Fraction(s[name]) if name == "log_permutations" else s[name]
                acc[name] += v
                acc[name + "_sq"] += v * v
        out.append(acc)
    return out


def plan_graph_tasks(spec, pending, n_workers: int) -> list:
    """Pack the graphs of the pending cells into tasks of about the same size.

    A task holds at most ``chunk_size`` graphs, and fewer when the work would otherwise give
    under four tasks per worker; several small cells share one task (so the scheduler's cost
    per task stays small against the work), and a large cell is split. Results do not depend
    on the packing: each graph has its own generator and the sums are exact.

    Returns
    -------
    list of list
        Per task, its pieces ``(cell, params, start, stop)``.

    Notes
    -----
    O(pending cells + tasks).
    """
    n = spec.graphs_per_cell
    total = n * len(pending)
    size = max(1, min(spec.chunk_size, math.ceil(total / (4 * max(1, n_workers)))))
    tasks, current, filled = [], [], 0
    for cell in pending:
        params = spec.cell(cell)
        for start in range(0, n, size):
            stop = min(n, start + size)
            if filled + (stop - start) > size and current:
                tasks.append(current)
                current, filled = [], 0
            current.append((cell, params, start, stop))
            filled += stop - start
    if current:
        tasks.append(current)
    return tasks


class GraphCells:
    """The sums of the cells in progress; a cell's row is made when its last graph arrives.

    Examples
    --------
    >>> from identkit.sweep import GraphCells, graphs_task, load_spec
    >>> spec = load_spec({"kind": "graphs", "axes": {"p": [0.2, 0.8]}, "d": 2,
    ...                   "graphs_per_cell": 10})
    >>> cells = GraphCells(spec)
    >>> part = graphs_task(spec.family, [(1, spec.cell(1), 0, 4)], seed=spec.seed)
    >>> cells.absorb(part)
    []
    >>> rows = cells.absorb(graphs_task(spec.family, [(1, spec.cell(1), 4, 10)], seed=0))
    >>> [(r["cell"], r["p"], r["n"]) for r in rows]
    [(1, 0.8, 10)]
    """

    def __init__(self, spec):
        self.spec = spec
        self.partial: dict = {}

    @property
    def columns(self) -> tuple:
        """The table's header: ``cell``, the axes, then :data:`STAT_COLUMNS`."""
        return ("cell",) + self.spec.axis_names + STAT_COLUMNS

    def absorb(self, pieces) -> list:
        """Add a task's piece sums; return the rows of the cells it completed."""
        done = []
        for piece in pieces:
            cell = piece["cell"]
            acc = self.partial.get(cell)
            if acc is None:
                self.partial[cell] = acc = dict(piece)
            else:
                for k, v in piece.items():
                    if k != "cell":
                        acc[k] += v
            if acc["n"] == self.spec.graphs_per_cell:
                done.append(self.row(self.partial.pop(cell)))
        return done

    def row(self, acc) -> dict:
        """The table row of a cell from its exact sums."""
        spec, n, k = self.spec, acc["n"], acc["complete"]
        low, high = wilson_interval(k, n, spec.confidence)
        row = {"cell": acc["cell"], **spec.coordinates(acc["cell"]), "n": n, "n_complete": k,
               "fraction_complete": k / n, "ci_low": low, "ci_high": high}
        for name in _MEASURES:
            row["mean_" + name] = float(Fraction(acc[name]) / n)
        for name in _MEASURES:
            s, s2 = Fraction(acc[name]), Fraction(acc[name + "_sq"])
            var = (n * s2 - s * s) / (n * (n - 1)) if n > 1 else Fraction(0)
            row["sd_" + name] = math.sqrt(float(var))
        return row
