"""Pictures of a model and of its entanglement pattern (needs the ``plot`` extra: matplotlib).

:func:`draw` makes one figure with two panels:

* left, the graphs: actions on the top row, the latents at time t in the middle row, and the
  latents at time t-1 on the bottom row, so temporal edges go up from t-1 to t and action edges
  go down into t;
* right, the entanglement pattern C as a matrix (rows: true latents, columns: learned latents),
  with the latents grouped by block, each block outlined, and identified latents highlighted.

Figures are built on ``matplotlib.figure.Figure`` without pyplot, so nothing global changes.
"""

from __future__ import annotations

import os

import numpy as np

from .errors import DependencyError, OutputError
from .graphs import LatentGraph
from .report import EntanglementReport, analyze

__all__ = ["draw", "draw_graph", "draw_entanglement", "save"]

_COLORS = {
    "latent": "#dbe9f6",
    "identified": "#2e7d32",
    "action": "#fde2c4",
    "temporal_edge": "#4a6fa5",
    "action_edge": "#d9822b",
    "block": "#c62828",
}


def _mpl():
    try:
        import matplotlib
        from matplotlib.figure import Figure
        from matplotlib.patches import FancyArrowPatch, Rectangle
    except ImportError:
        raise DependencyError(
            "pictures need matplotlib: pip install 'identkit[plot]'"
        ) from None
    return matplotlib, Figure, FancyArrowPatch, Rectangle


def _positions(n: int) -> np.ndarray:
    return np.arange(n, dtype=float) - (n - 1) / 2.0


def draw_graph(ax, g: LatentGraph, report: EntanglementReport | None = None) -> None:
    """Draw the temporal and action graphs of ``g`` on a matplotlib Axes (see module docs).

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> import identkit as ik
    >>> from identkit.plot import draw_graph
    >>> ax = Figure().subplots()
    >>> draw_graph(ax, ik.examples.get("fig1").graph)
    >>> ax.get_title()
    'Graphs (edges point from parent to child)'
    """
    _, _, FancyArrowPatch, _ = _mpl()
    d, m = g.n_latents, g.n_actions
    xs = _positions(d)
    xa = _positions(m) * (max(d, 1) / max(m, 1)) if m else np.array([])
    y_t, y_prev, y_a = 1.0, 0.0, 2.0
    identified = set(report.identified) if report is not None else set()
    small = d <= 12
    font = 9 if small else max(5, 90 / d + 3)
    lw = 1.2 if small else 0.6
    alpha = 0.9 if g.n_edges() < 60 else 0.35

    def arrow(x0, y0, x1, y1, color):
        ax.add_patch(FancyArrowPatch((x0, y0), (x1, y1), arrowstyle="-|>", mutation_scale=8,
                                     color=color, lw=lw, alpha=alpha, shrinkA=9, shrinkB=9))

    if g.Gz_sparse is not None:
        r, c = g.Gz_sparse.nonzero()
        for i, j in zip(r.tolist(), c.tolist()):
            arrow(xs[j], y_prev, xs[i], y_t, _COLORS["temporal_edge"])
    if g.Ga_sparse is not None:
        r, c = g.Ga_sparse.nonzero()
        for i, l in zip(r.tolist(), c.tolist()):
            arrow(xa[l], y_a, xs[i], y_t, _COLORS["action_edge"])
    def node(x, y, text, face, edge="#333333", color="black", rot=0, square=False):
        ax.text(x, y, text, ha="center", va="center", fontsize=font, color=color, zorder=4,
                rotation=rot, bbox=dict(boxstyle="square,pad=0.3" if square else
                                        "round,pad=0.3", fc=face, ec=edge, lw=0.8))

    rot = 0 if small else 90
    for i, x in enumerate(xs):
        ident = i in identified
        node(x, y_t, g.latents[i], _COLORS["identified"] if ident else _COLORS["latent"],
             color="white" if ident else "black", rot=rot)
        if g.Gz_sparse is not None:
            node(x, y_prev, g.latents[i], _COLORS["latent"], edge="#888888", color="#444444",
                 rot=rot)
    for l, x in enumerate(xa):
        node(x, y_a, g.actions[l], _COLORS["action"], rot=0 if m <= 12 else 90, square=True)
    labels = []
    if m:
        labels.append((y_a, "actions a"))
    labels.append((y_t, "latents z at t"))
    if g.Gz_sparse is not None:
        labels.append((y_prev, "latents z at t-1"))
    ax.set_yticks([y for y, _ in labels], [t for _, t in labels])
    ax.set_xticks([])
    half = max(d, m, 2) / 2.0 + 0.5
    ax.set_xlim(-half, half)
    ax.set_ylim((y_prev if g.Gz_sparse is not None else y_t) - 0.45, (y_a if m else y_t) + 0.45)
    for side in ("top", "right", "bottom"):
        ax.spines[side].set_visible(False)
    ax.set_title("Graphs (edges point from parent to child)", fontsize=10)


def draw_entanglement(ax, report: EntanglementReport) -> None:
    """Draw the pattern C, latents grouped by block, blocks outlined, identified highlighted.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> import identkit as ik
    >>> from identkit.plot import draw_entanglement
    >>> ax = Figure().subplots()
    >>> draw_entanglement(ax, ik.analyze(ik.examples.get("ex8").graph))
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['z1', 'z2', 'z3']
    """
    _, _, _, Rectangle = _mpl()
    g = report.graph
    order = [i for b in report.blocks for i in b]
    C = report.entanglement_graph[np.ix_(order, order)]
    d = g.n_latents
    ax.imshow(C, cmap="Greys", vmin=0, vmax=1.6, interpolation="nearest")
    small = d <= 12
    font = 9 if small else max(5, 90 / d + 3)
    names = [g.latents[i] for i in order]
    ax.set_xticks(range(d), names, rotation=90, fontsize=font)
    ax.set_yticks(range(d), names, fontsize=font)
    identified = set(report.identified)
    for k, i in enumerate(order):
        if i in identified:
            ax.get_yticklabels()[k].set_color(_COLORS["identified"])
            ax.get_yticklabels()[k].set_fontweight("bold")
            ax.add_patch(Rectangle((k - 0.5, k - 0.5), 1, 1, fill=True, alpha=0.8,
                                   color=_COLORS["identified"]))
    start = 0
    for b in report.blocks:
        if len(b) > 1:
            ax.add_patch(Rectangle((start - 0.5, start - 0.5), len(b), len(b), fill=False,
                                   lw=2 if small else 1.2, edgecolor=_COLORS["block"]))
        start += len(b)
    ax.set_xlabel("learned latent ẑ_j (column)")
    ax.set_ylabel("true latent z_i (row) may depend on ẑ_j")
    ax.set_title("Entanglement pattern C", fontsize=10)


def draw(g: LatentGraph, regularize: str | None = None, *, report=None):
    """One figure: the graphs beside the entanglement pattern, with the verdict as a title.

    Parameters
    ----------
    g : LatentGraph
    regularize : str, optional
        As in :func:`identkit.analyze`.
    report : EntanglementReport, optional
        Reuse an existing analysis.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    DependencyError
        If matplotlib is not installed.

    Examples
    --------
    >>> import identkit as ik
    >>> from identkit.plot import draw
    >>> fig = draw(ik.examples.get("ex8").graph)
    >>> len(fig.axes)
    2
    """
    _, Figure, _, _ = _mpl()
    if report is None:
        report = analyze(g, regularize)
    d = g.n_latents
    width_graph = max(5.0, 0.32 * max(d, g.n_actions) + 2)
    width_matrix = max(4.0, 0.22 * d + 2)
    height = max(4.0, 0.22 * d + 2.2)
    fig = Figure(figsize=(width_graph + width_matrix, height), layout="constrained")
    ax1, ax2 = fig.subplots(1, 2, width_ratios=[width_graph, width_matrix])
    draw_graph(ax1, g, report)
    draw_entanglement(ax2, report)
    verdict = "complete disentanglement guaranteed" if report.complete else (
        f"partial: {len(report.identified)} of {d} latents identified")
    fig.suptitle(f"{verdict} (regularized: {report.regularize or 'none'})", fontsize=12)
    return fig


def save(fig, path) -> None:
    """Save a figure as ``.svg``, ``.png`` or ``.pdf`` (chosen by the extension).

    Examples
    --------
    >>> import os, tempfile, identkit as ik
    >>> from identkit.plot import draw, save
    >>> path = os.path.join(tempfile.mkdtemp(), "ex4.svg")
    >>> save(draw(ik.examples.get("ex4").graph), path)
    >>> os.path.getsize(path) > 1000
    True
    """
    path = os.fspath(path)
    ext = os.path.splitext(path)[1].lower()
    if ext not in (".svg", ".png", ".pdf"):
        raise OutputError(f"{path}: the picture must be .svg, .png or .pdf, not {ext or 'no extension'!r}")
    from .io import _atomic_write

    _atomic_write(path, lambda fh: fig.savefig(fh, format=ext[1:], dpi=150 if ext == ".png" else None),
                  binary=True)
