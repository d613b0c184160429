"""Pictures of a sweep: phase diagrams of a ``graphs`` table, the Table 4 layout of a ``fit`` one.

A ``graphs`` table is drawn as a heatmap of one column (the fraction of completely disentangled
graphs by default) over two axes, with one panel per value of the remaining axes; or as curves
over one axis, one curve per value of another, with the confidence band of each point (the
Wilson interval of the fraction, ``mean ± z sd / √n`` for a mean). A ``fit`` table is drawn as
the paper's Table 4: one row per setting, one group of columns per sparsity bound, each entry
``mean ± sd`` over the seeds. matplotlib is imported when a picture is asked for.
"""

from __future__ import annotations

import itertools
import math
from statistics import NormalDist

import numpy as np

from ..errors import DependencyError, SweepError
from .results import SweepResults, load_results

__all__ = ["plot_results", "AXIS_LABELS"]

#: How the axes are named on pictures.
AXIS_LABELS = {"d": "latents d", "p": "edge probability p", "regularize": "regularized graphs",
               "m": "actions m", "k": "interventions k", "target_size": "targets per "
               "intervention", "self_loops": "forced self-loops", "dataset": "dataset",
               "bound": "sparsity bound", "learning_rate": "learning rate"}
_VALUE_LABELS = {"fraction_complete": "fraction of graphs completely disentangled",
                 "mean_identified": "mean identified latents",
                 "mean_largest_block": "mean largest block",
                 "mean_log_permutations": "mean log(graph-preserving permutations)",
                 "mean_pattern_edges": "mean edges of C (‖V‖₀)"}
_MAX_PANELS = 16


def _figure():
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise DependencyError("pictures need matplotlib: pip install 'identkit[plot]'") from None
    return Figure


def _band(row, value, confidence):
    """The lower and upper ends of a point's confidence band."""
    if value == "fraction_complete":
        return row["ci_low"], row["ci_high"]
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    half = z * row["sd_" + value[len("mean_"):]] / math.sqrt(row["n"])
    return row[value] - half, row[value] + half


def plot_results(results, *, x: str | None = None, y: str | None = None,
                 value: str = "fraction_complete", style: str | None = None):
    """Draw a sweep's table: a phase diagram (``graphs``) or the Table 4 layout (``fit``).

    Parameters
    ----------
    results : SweepResults or path
        A results folder (:func:`load_results`), complete or not (missing cells stay blank).
    x, y : str, optional
        The axes of the heatmap (``x`` across, ``y`` down), or of the curves (``x`` along,
        one curve per value of ``y``). Defaults: ``p`` across when it varies, else the last
        varying axis; ``d`` down when it varies, else the first other varying axis. The other
        varying axes give one panel per combination of their values (16 at most).
    value : str, default "fraction_complete"
        The column drawn: ``fraction_complete`` or one of the ``mean_`` columns.
    style : {"heatmap", "curves"}, optional
        Default: a heatmap when two axes vary, curves when one does.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    SweepError
        For an unknown axis, value or style, or more than 16 panels.
    DependencyError
        If matplotlib is not installed.

    Examples
    --------
    >>> import tempfile
    >>> from identkit.sweep import plot_results, run
    >>> spec = {"kind": "graphs", "axes": {"d": [2, 3], "p": [0.3, 0.7]}, "regularize": "a",
    ...         "graphs_per_cell": 20}
    >>> out = run(spec, tempfile.mkdtemp(), workers=1, processes=False)
    >>> fig = plot_results(out.results)
    >>> [ax.get_xlabel() for ax in fig.axes[:1]]
    ['edge probability p']
    """
    if not isinstance(results, SweepResults):
        results = load_results(results)
    if results.spec.kind == "fit":
        return _fit_table(results)
    spec = results.spec
    allowed = ("fraction_complete",) + tuple(_VALUE_LABELS)[1:]
    if value not in allowed:
        raise SweepError(f"value: {value!r} is not a column to draw; use one of "
                         f"{', '.join(allowed)}")
    axes = dict(spec.axes)
    varying = [k for k, v in spec.axes if len(v) > 1]
    for name, given in (("x", x), ("y", y)):
        if given is not None and given not in axes:
            raise SweepError(f"{name}: {given!r} is not an axis of this sweep (its axes: "
                             f"{', '.join(axes) or 'none'})")
    if x is None:
        rest = [k for k in varying if k != y]
        x = "p" if "p" in rest else (rest[-1] if rest else None)
    if y is None:
        rest = [k for k in varying if k != x]
        y = "d" if "d" in rest else (rest[0] if rest else None)
    if style is None:
        style = "heatmap" if x is not None and y is not None else "curves"
    if style not in ("heatmap", "curves"):
        raise SweepError(f"style: {style!r} is not heatmap or curves")
    if x is None:
        raise SweepError("nothing varies in this sweep: a picture needs an axis with two "
                         "values or more")
    if style == "heatmap" and y is None:
        raise SweepError("a heatmap needs two axes that vary; draw curves instead")
    facets = [k for k in varying if k not in (x, y)]
    combos = list(itertools.product(*(axes[k] for k in facets)))
    if len(combos) > _MAX_PANELS:
        raise SweepError(f"{len(combos)} panels (one per value of {', '.join(facets)}): at "
                         f"most {_MAX_PANELS}; choose x and y among them, or sweep fewer values")
    by_coords = {tuple(r[k] for k, _ in spec.axes): r for r in results.cells}
    fixed = {k: v[0] for k, v in spec.axes if len(v) == 1}

    def lookup(coords):
        key = tuple(coords.get(k, fixed.get(k)) for k, _ in spec.axes)
        return by_coords.get(key)

    Figure = _figure()
    ncols = min(3, len(combos))
    nrows = math.ceil(len(combos) / ncols)
    xs = axes[x]
    ys = axes[y] if y is not None else [None]
    if style == "heatmap":
        w = max(3.2, 0.55 * len(xs) + 1.6)
        h = max(2.6, 0.45 * len(ys) + 1.4)
    else:
        w, h = 4.2, 3.2
    fig = Figure(figsize=(w * ncols + (1.2 if style == "heatmap" else 0), h * nrows + 0.8),
                 layout="constrained")
    panels = np.atleast_1d(fig.subplots(nrows, ncols, squeeze=False).ravel())
    image = None
    finite = [r[value] for r in results.cells]
    top = 1.0 if value == "fraction_complete" or not finite else max(max(finite), 1e-12)
    for ax, combo in zip(panels, combos):
        where = dict(zip(facets, combo))
        title = ", ".join(f"{k} = {v}" for k, v in where.items())
        if style == "heatmap":
            grid = np.full((len(ys), len(xs)), np.nan)
            for (i, yv), (j, xv) in itertools.product(enumerate(ys), enumerate(xs)):
                row = lookup({**where, x: xv, y: yv})
                if row is not None:
                    grid[i, j] = row[value]
            image = ax.imshow(grid, origin="lower", aspect="auto", cmap="viridis", vmin=0,
                              vmax=top)
            ax.set_xticks(range(len(xs)), [str(v) for v in xs])
            ax.set_yticks(range(len(ys)), [str(v) for v in ys])
            ax.set_ylabel(AXIS_LABELS.get(y, y))
            if len(xs) * len(ys) <= 144:
                for (i, j), v in np.ndenumerate(grid):
                    if np.isfinite(v):
                        ax.text(j, i, f"{v:.2f}", ha="center", va="center", fontsize=7,
                                color="black" if v > 0.6 * top else "white")
        else:
            numeric = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in xs)
            pos = list(xs) if numeric else list(range(len(xs)))
            for yv in ys:
                pts = [(p, lookup({**where, x: xv, **({y: yv} if y else {})}))
                       for p, xv in zip(pos, xs)]
                pts = [(p, r) for p, r in pts if r is not None]
                if not pts:
                    continue
                px = [p for p, _ in pts]
                mid = [r[value] for _, r in pts]
                lo, hi = zip(*(_band(r, value, spec.confidence) for _, r in pts))
                label = str(yv) if y else None
                line, = ax.plot(px, mid, marker="o", ms=3, label=label)
                ax.fill_between(px, lo, hi, color=line.get_color(), alpha=0.2, lw=0)
            if not numeric:
                ax.set_xticks(pos, [str(v) for v in xs])
            ax.set_ylabel(_VALUE_LABELS[value])
            if value == "fraction_complete":
                ax.set_ylim(-0.02, 1.02)
            if y:
                ax.legend(fontsize=7, title=AXIS_LABELS.get(y, y), title_fontsize=7)
        ax.set_xlabel(AXIS_LABELS.get(x, x))
        if title:
            ax.set_title(title, fontsize=9)
    for ax in panels[len(combos):]:
        ax.set_visible(False)
    if image is not None:
        fig.colorbar(image, ax=list(panels[:len(combos)]), label=_VALUE_LABELS[value])
    conf = f"{spec.confidence:.0%}"
    band = "Wilson intervals" if value == "fraction_complete" else "normal intervals"
    fig.suptitle(f"{spec.family} graphs, {spec.graphs_per_cell:,} per cell"
                 + (f" ({conf} {band} shaded)" if style == "curves" else ""), fontsize=10)
    return fig


def _fmt(mean, sd) -> str:
    """The paper's ``.58±.13``: two decimals, no leading zero."""
    def short(v):
        text = f"{v:.2f}"
        return text[1:] if text.startswith("0.") else text.replace("-0.", "-.")

    return f"{short(mean)}±{short(sd)}"


def _fit_table(results):
    """Table 4's layout: rows are settings, a group of columns per bound (no bound first)."""
    spec = results.spec
    axes = dict(spec.axes)
    bounds = list(axes.get("bound", [spec.fixed.get("bound")]))
    others = [k for k, _ in spec.axes if k != "bound"]
    by = {tuple(r[k] for k, _ in spec.axes): r for r in results.cells}
    scores = (("MCC", "mcc"), ("Rcon", "rcon"), ("R", "r"), ("SHD", "shd"))
    header = [AXIS_LABELS.get(k, k) for k in others]
    for b in bounds:
        name = "without sparsity" if b is None else f"bound {b}"
        header += [f"{s}\n{name}" for s, _ in scores]
    body = []
    for combo in itertools.product(*(axes[k] for k in others)):
        where = dict(zip(others, combo))
        line = [str(v) for v in combo]
        for b in bounds:
            key = tuple(b if k == "bound" else where[k] for k, _ in spec.axes)
            row = by.get(key)
            line += ["" if row is None else _fmt(row[f"{c}_mean"], row[f"{c}_sd"])
                     for _, c in scores]
        body.append(line)
    Figure = _figure()
    fig = Figure(figsize=(max(4.0, 0.9 * len(header)), 0.9 + 0.3 * (len(body) + 2)),
                 layout="constrained")
    ax = fig.subplots()
    ax.axis("off")
    table = ax.table(cellText=body or [[""] * len(header)], colLabels=header, loc="center",
                     cellLoc="center")
    table.auto_set_font_size(False)
    table.set_fontsize(7)
    table.scale(1.0, 1.6)
    seeds = len(spec.seeds)
    fig.suptitle(f"mean ± sd over {seeds} seed{'s' if seeds > 1 else ''}", fontsize=9)
    return fig
