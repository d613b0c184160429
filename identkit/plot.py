"""Pictures of a model and of its entanglement pattern (needs the ``plot`` extra: matplotlib).

:func:`draw` makes one figure with two panels and a legend:

* left, the graphs: actions on the top row, the latents at time t in the middle row, and the
  latents at time t-1 on the bottom row, so temporal edges go up from t-1 to t and action edges
  go down into t;
* right, the entanglement pattern C as a matrix (rows: true latents, columns: learned latents),
  with the latents grouped by block, each block outlined, and identified latents highlighted.

Names are laid out so that no two labels collide: the spacing of the nodes is computed from the
measured width of the longest name, and rows of long names are turned upright. Names such as
``z1`` or ``x_t`` are set as mathematics (:math:`z_{1}`, :math:`x_{t}`); other names are written
as they are. A character the font cannot draw (an emoji, say) is written as its code point
(``U+1F916``) instead of an empty box, without a warning.

Models with more than 40 latents or actions are drawn in a summarised form: the graphs and the
pattern as images, the latents ordered by block (C-twin class), the blocks outlined and the
identified latents marked on the diagonal. No names are drawn; the title counts the blocks.

Figures are built on ``matplotlib.figure.Figure`` without pyplot, so nothing global changes.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache

import numpy as np

from ._compat import graph_first
from .errors import DependencyError, OutputError
from .graphs import LatentGraph
from .report import EntanglementReport, analyze

__all__ = ["draw", "draw_graph", "draw_entanglement", "save", "picture_format", "to_svg", "label",
           "SUMMARY_ABOVE"]

#: Models with more latents or actions than this are drawn in the summarised form.
SUMMARY_ABOVE = 40

_COLORS = {
    "latent": "#dbe9f6",
    "identified": "#2e7d32",
    "action": "#fde2c4",
    "temporal_edge": "#4a6fa5",
    "action_edge": "#d9822b",
    "block": "#c62828",
    "allowed": "#9e9e9e",
}
_FONT = 9.0          # points, names in the detailed form
_PAD = 0.3 * _FONT   # points, the padding of a name's box on each side
_GAP = 6.0           # points, the least space between two name boxes
_ROW_GAP = 0.9       # inches between two rows of boxes, room for the arrows
_MAX_ROW = 13.0      # inches: a row of upright names wider than this is turned on its side
_CELL = 0.2          # inches, one cell of the pattern in the detailed form
_MAX_PIXELS = 600    # image side above which f x f entries share one pixel (any entry colours it)


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


# ------------------------------------------------------------------------------------ labels

_MATH_NAME = re.compile(r"^([A-Za-z]{1,2})_?(\d{1,4})$|^([A-Za-z])_([A-Za-z0-9]{1,3})$")


@lru_cache(maxsize=1)
def _charmap() -> frozenset:
    """The code points the default font can draw (read once from the font file)."""
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    path = font_manager.findfont(font_manager.FontProperties(), fallback_to_default=True)
    return frozenset(FT2Font(path).get_charmap())


def _drawable(text: str) -> str:
    """``text`` with every character the font lacks, and every space but ``" "`` (a newline or a
    tab would break the layout), written as its code point (``U+1F916``)."""
    have = _charmap()
    return "".join(ch if ord(ch) in have and (ch == " " or not ch.isspace()) else f"U+{ord(ch):04X}"
                   for ch in text)


def label(name: str) -> str:
    """The matplotlib text that draws a name.

    Short names with an index (``z1``, ``a12``, ``x_t``) become mathematics with a subscript;
    other names are kept as written, with ``$`` escaped (so it is never read as mathematics) and
    characters the font lacks written as their code points.

    Examples
    --------
    >>> from identkit.plot import label
    >>> label("z1"), label("x_t"), label("wrist_pitch"), label("cost $"), label("🤖 arm")
    ('$z_{1}$', '$x_{t}$', 'wrist_pitch', 'cost \\\\$', 'U+1F916 arm')
    """
    m = _MATH_NAME.match(name)
    if m:
        base, sub = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
        return f"${base}_{{{sub}}}$"
    return _drawable(name).replace("$", r"\$")


def _extent(texts, size: float) -> tuple[float, float]:
    """Widest and tallest of the drawn ``texts`` at ``size`` points, in points (no renderer)."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextToPath

    tp, prop = TextToPath(), FontProperties(size=size)
    w = h = 0.0
    for t in set(texts):
        math = t.startswith("$") and t.endswith("$") and len(t) > 1
        tw, th, _ = tp.get_text_width_height_descent(t, prop, ismath=math)
        w, h = max(w, tw), max(h, th)
    return w, max(h, size)


def _summarised(g: LatentGraph) -> bool:
    return max(g.n_latents, g.n_actions) > SUMMARY_ABOVE


def _block_order(report: EntanglementReport) -> list[int]:
    return [i for b in report.blocks for i in b]


# ------------------------------------------------------------------------ the graphs (panel)


def _row(names, size):
    """Layout of one row of names: (texts, step between centres, box height, upright?) in inches."""
    texts = [label(n) for n in names]
    w, h = _extent(texts, size) if texts else (0.0, size)
    box_w, box_h = (w + 2 * _PAD) / 72, (h + 2 * _PAD) / 72
    flat_step = box_w + _GAP / 72
    if len(texts) * flat_step <= _MAX_ROW:
        return texts, flat_step, box_h, 0
    return texts, box_h + _GAP / 72, box_w, 90


def _graph_layout(g: LatentGraph):
    """Node positions in inches: every pair of neighbouring boxes is ``_GAP`` apart or more."""
    tz, step_z, hz, rot_z = _row(g.latents, _FONT)
    ta, step_a, ha, rot_a = _row(g.actions, _FONT)
    d, m = g.n_latents, g.n_actions
    width = max(d * step_z, m * step_a, 1.0)
    # spread each row over the common width, never closer than its own step
    xz = (np.arange(d) - (d - 1) / 2.0) * max(step_z, width / max(d, 1))
    xa = (np.arange(m) - (m - 1) / 2.0) * max(step_a, width / max(m, 1)) if m else np.array([])
    has_z = g.Gz_sparse is not None
    y_prev = 0.0
    y_t = hz + _ROW_GAP if has_z else 0.0
    y_a = y_t + (hz + ha) / 2 + _ROW_GAP
    return dict(tz=tz, ta=ta, xz=xz, xa=xa, rot_z=rot_z, rot_a=rot_a, hz=hz, ha=ha,
                y_prev=y_prev, y_t=y_t, y_a=y_a, width=width, has_z=has_z)


@graph_first("ax", "g", "report")
def draw_graph(g: LatentGraph, ax, report: EntanglementReport | None = None) -> None:
    """Draw the temporal and action graphs of ``g`` on a matplotlib Axes (see module docs).

    Positions are in inches and the aspect is kept equal, so in a figure at least as large as
    the layout (as :func:`draw` makes) no two name boxes overlap. Models with more than
    ``SUMMARY_ABOVE`` latents or actions are drawn as the image of ``[Ga | Gz]`` instead,
    latents ordered by block.

    The graph comes first, as for every function of the package that takes one; the old order
    ``draw_graph(ax, g)`` still works, recognised by type, with a DeprecationWarning.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> import identkit as ik
    >>> from identkit.plot import draw_graph
    >>> ax = Figure().subplots()
    >>> draw_graph(ik.examples.get("fig1").graph, ax)
    >>> ax.get_title()
    'Graphs (edges point from parent to child)'
    >>> sorted(t.get_text() for t in ax.texts)[:3]
    ['ball', 'ball', 'robot']

    Notes
    -----
    Time O(d + m + nnz) artists; the summarised form costs O(d (d + m)) pixels.
    """
    _, _, FancyArrowPatch, _ = _mpl()
    if report is None:
        report = analyze(g)
    if _summarised(g):
        _draw_adjacency(ax, g, report)
        return
    L = _graph_layout(g)
    xs, xa = L["xz"], L["xa"]
    y_t, y_prev, y_a = L["y_t"], L["y_prev"], L["y_a"]
    identified = set(report.identified)
    alpha = 0.9 if g.n_edges() < 60 else 0.45
    shrink = 2.0  # points: the arrows already start and end at the boxes

    def arrow(x0, y0, x1, y1, color):
        ax.add_patch(FancyArrowPatch((x0, y0), (x1, y1), arrowstyle="-|>", mutation_scale=8,
                                     color=color, lw=1.0, alpha=alpha, shrinkA=shrink,
                                     shrinkB=shrink))

    if g.Gz_sparse is not None:
        r, c = g.Gz_sparse.nonzero()
        for i, j in zip(r.tolist(), c.tolist()):
            arrow(xs[j], y_prev + L["hz"] / 2, xs[i], y_t - L["hz"] / 2, _COLORS["temporal_edge"])
    if g.Ga_sparse is not None:
        r, c = g.Ga_sparse.nonzero()
        for i, l in zip(r.tolist(), c.tolist()):
            arrow(xa[l], y_a - L["ha"] / 2, xs[i], y_t + L["hz"] / 2, _COLORS["action_edge"])

    def node(x, y, text, face, rot, edge="#333333", color="black", square=False):
        ax.text(x, y, text, ha="center", va="center", fontsize=_FONT, color=color, zorder=4,
                rotation=rot, rotation_mode="anchor",
                bbox=dict(boxstyle=f"{'square' if square else 'round'},pad=0.3", fc=face, ec=edge,
                          lw=0.8))

    for i, x in enumerate(xs):
        ident = i in identified
        node(x, y_t, L["tz"][i], _COLORS["identified"] if ident else _COLORS["latent"], L["rot_z"],
             color="white" if ident else "black")
        if L["has_z"]:
            node(x, y_prev, L["tz"][i], _COLORS["latent"], L["rot_z"], edge="#888888",
                 color="#444444")
    for k, x in enumerate(xa):
        node(x, y_a, L["ta"][k], _COLORS["action"], L["rot_a"], square=True)
    ticks = []
    if g.n_actions:
        ticks.append((y_a, "actions $a$"))
    ticks.append((y_t, "latents $z^{t}$"))
    if L["has_z"]:
        ticks.append((y_prev, "latents $z^{t-1}$"))
    ax.set_yticks([y for y, _ in ticks], [t for _, t in ticks])
    ax.set_xticks([])
    half = L["width"] / 2 + 0.1
    ax.set_xlim(-half, half)
    top = (y_a + L["ha"] / 2) if g.n_actions else (y_t + L["hz"] / 2)
    ax.set_ylim(y_prev - L["hz"] / 2 - 0.1, top + 0.1)
    ax.set_aspect("equal", adjustable="box")
    for side in ("top", "right", "bottom"):
        ax.spines[side].set_visible(False)
    ax.set_title("Graphs (edges point from parent to child)", fontsize=10)


def _pixels(n: int) -> int:
    """Latents per pixel side: 1 up to ``_MAX_PIXELS`` latents, then enough to fit."""
    return max(1, -(-n // _MAX_PIXELS))


def _canvas(rows: int, cols: int, f: int, fc: int | None = None) -> np.ndarray:
    fc = f if fc is None else fc
    return np.full((-(-rows // f), -(-cols // fc), 3), 255, dtype=np.uint8)


def _draw_adjacency(ax, g: LatentGraph, report: EntanglementReport) -> None:
    """The summarised graphs: ``[Ga | Gz]`` as one image, rows and Gz columns ordered by block.

    A pixel stands for ``f x f`` entries (``f = ceil(d / 600)``) and is coloured when any of them
    is an edge, so no edge vanishes when the image is shrunk. O(nnz + d + m) time.
    """
    d, m = g.n_latents, g.n_actions
    f = _pixels(d)
    pos = np.empty(d, dtype=np.int64)
    pos[np.asarray(_block_order(report), dtype=np.int64)] = np.arange(d)
    # Ga takes max(m, d/8) columns of the axes, so that a few actions stay visible
    wa = max(m, d / 8) if g.Ga_sparse is not None else 0.0
    if g.Ga_sparse is not None:
        fa = _pixels(m)
        ga = _canvas(d, m, f, fa)
        r, c = g.Ga_sparse.nonzero()
        ga[pos[r] // f, c // fa] = (0xd9, 0x82, 0x2b)
        ax.imshow(ga, interpolation="nearest", aspect="auto",
                  extent=(-0.5, wa - 0.5, d - 0.5, -0.5))
    if g.Gz_sparse is not None:
        gz = _canvas(d, d, f)
        r, c = g.Gz_sparse.nonzero()
        gz[pos[r] // f, pos[c] // f] = (0x4a, 0x6f, 0xa5)
        ax.imshow(gz, interpolation="nearest", aspect="auto",
                  extent=(wa - 0.5, wa + d - 0.5, d - 0.5, -0.5))
        if wa:
            ax.axvline(wa - 0.5, color="black", lw=0.8)
    ax.set_xlim(-0.5, wa + (d if g.Gz_sparse is not None else 0) - 0.5)
    ax.set_ylim(d - 0.5, -0.5)
    ax.set_xticks([])
    ax.set_yticks([])
    parts = ([f"Ga ({m} actions)"] if m else []) + (["Gz"] if g.Gz_sparse is not None else [])
    ax.set_xlabel(" | ".join(parts) + ": parents (columns)")
    ax.set_ylabel(f"{d} latents, children (rows), by block")
    ax.set_title("Graphs as images (rows are children)", fontsize=10)


# ---------------------------------------------------------------------- the pattern (panel)


def draw_entanglement(ax, report: EntanglementReport) -> None:
    """Draw the pattern C, latents grouped by block, blocks outlined, identified highlighted.

    Rows are true latents :math:`z_i`, columns learned latents :math:`\\hat z_j`; a grey cell
    means true :math:`z_i` may depend on learned :math:`\\hat z_j`. Models with more than
    ``SUMMARY_ABOVE`` latents are drawn without names.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> import identkit as ik
    >>> from identkit.plot import draw_entanglement
    >>> ax = Figure().subplots()
    >>> draw_entanglement(ax, ik.analyze(ik.examples.get("ex8").graph))
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['$z_{1}$', '$z_{2}$', '$z_{3}$']

    Notes
    -----
    O(d²) pixels plus O(blocks) outlines.
    """
    _, _, _, Rectangle = _mpl()
    from matplotlib.collections import PatchCollection

    g = report.graph
    order = _block_order(report)
    d = g.n_latents
    f = _pixels(d)
    pos = np.empty(d, dtype=np.int64)
    pos[np.asarray(order, dtype=np.int64)] = np.arange(d)
    img = _canvas(d, d, f)
    rows, cols = report.pairs
    img[pos[rows] // f, pos[cols] // f] = (0x9e, 0x9e, 0x9e)
    diag = np.arange(d) // f
    img[diag, diag] = (0x9e, 0x9e, 0x9e)
    ident = pos[np.asarray(report.identified, dtype=np.int64)] // f
    img[ident, ident] = (0x2e, 0x7d, 0x32)
    big = _summarised(g)
    ax.imshow(img, interpolation="nearest", extent=(-0.5, d - 0.5, d - 0.5, -0.5))
    start, boxes = 0, []
    for b in report.blocks:
        if len(b) > 1:
            boxes.append(Rectangle((start - 0.5, start - 0.5), len(b), len(b)))
        start += len(b)
    if boxes:
        ax.add_collection(PatchCollection(boxes, facecolor="none", edgecolor=_COLORS["block"],
                                          lw=0.8 if big else 2))
    if big:
        ax.set_xticks([])
        ax.set_yticks([])
    else:
        names = [label(g.latents[i]) for i in order]
        ax.set_xticks(range(d), names, rotation=90, fontsize=_FONT)
        ax.set_yticks(range(d), names, fontsize=_FONT)
        identified = set(report.identified)
        for k, i in enumerate(order):
            if i in identified:
                ax.get_yticklabels()[k].set_color(_COLORS["identified"])
                ax.get_yticklabels()[k].set_fontweight("bold")
    ax.set_xlabel(r"learned latent $\hat{z}_j$ (column)")
    ax.set_ylabel(r"true latent $z_i$ (row) may depend on $\hat{z}_j$")
    ax.set_title("Entanglement pattern C", fontsize=10)


# ----------------------------------------------------------------------------- the figure


def _legend_handles(g: LatentGraph):
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles = [Patch(fc=_COLORS["identified"], ec="#333333", label="identified latent")]
    if not _summarised(g):
        handles.append(Patch(fc=_COLORS["latent"], ec="#333333", label="latent"))
        if g.n_actions:
            handles.append(Patch(fc=_COLORS["action"], ec="#333333", label="action"))
    if g.Gz_sparse is not None:
        handles.append(Line2D([], [], color=_COLORS["temporal_edge"], lw=2,
                              label="temporal edge"))
    if g.Ga_sparse is not None:
        handles.append(Line2D([], [], color=_COLORS["action_edge"], lw=2, label="action edge"))
    handles += [
        Patch(fc=_COLORS["allowed"], ec="none", label=r"allowed: $z_i$ may depend on $\hat{z}_j$"),
        Patch(fc="white", ec="#bbbbbb", label="not allowed"),
        Patch(fc="none", ec=_COLORS["block"], lw=2, label="entangled block (may mix freely)"),
    ]
    return handles


def _title(report: EntanglementReport) -> str:
    g = report.graph
    d = g.n_latents
    verdict = "complete disentanglement guaranteed" if report.complete else (
        f"partial: {len(report.identified)} of {d} latents identified")
    text = f"{verdict} (regularized: {report.regularize or 'none'})"
    if _summarised(g):
        sizes = sorted((len(b) for b in report.blocks), reverse=True)
        text += (f"\n{d} latents, {g.n_actions} actions, {len(report.blocks)} blocks "
                 f"(largest {sizes[0]}), {sum(s > 1 for s in sizes)} entangled")
        f = _pixels(d)
        if f > 1:
            text += f"; one pixel: {f} x {f} latents"
    return text


def draw(g: LatentGraph, regularize: str | None = None, *, report=None):
    """One figure: the graphs beside the entanglement pattern, a legend, the verdict as a title.

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
    >>> len(fig.axes), len(fig.legends)
    (2, 1)

    Notes
    -----
    Models with more than ``SUMMARY_ABOVE`` latents or actions are drawn summarised (see the
    module docs): time O(d (d + m)) for the images, a few seconds for 1,500 latents.
    """
    _, Figure, _, _ = _mpl()
    if report is None:
        report = analyze(g, regularize)
    d = g.n_latents
    if _summarised(g):
        width_graph, width_matrix, height = 6.0, 6.0, 6.6
    else:
        L = _graph_layout(g)
        names = [label(n) for n in g.latents]
        w_name = _extent(names, _FONT)[0] / 72
        top = L["y_a"] + L["ha"] / 2 if g.n_actions else L["y_t"] + L["hz"] / 2
        width_graph = max(4.0, L["width"] + 1.9)
        width_matrix = max(3.5, d * _CELL + w_name + 1.0)
        height = max(top + L["hz"] / 2 + 1.2, d * _CELL + w_name + 1.4, 3.5) + 1.4
    fig = Figure(figsize=(width_graph + width_matrix, height), layout="constrained")
    ax1, ax2 = fig.subplots(1, 2, width_ratios=[width_graph, width_matrix])
    draw_graph(g, ax1, report)
    draw_entanglement(ax2, report)
    fig.legend(handles=_legend_handles(g), loc="outside lower center", ncols=4, fontsize=8,
               frameon=False)
    fig.suptitle(_title(report), fontsize=12)
    return fig


def to_svg(fig) -> str:
    """The SVG text of a figure (for inline display).

    Examples
    --------
    >>> import identkit as ik
    >>> from identkit.plot import draw, to_svg
    >>> to_svg(draw(ik.examples.get("ex4").graph)).lstrip().startswith("<?xml")
    True
    """
    import io

    buf = io.StringIO()
    fig.savefig(buf, format="svg")
    return buf.getvalue()


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
    fmt = picture_format(path)
    from .io import atomic_write

    atomic_write(path, lambda fh: fig.savefig(fh, format=fmt, dpi=150 if fmt == "png" else None),
                 binary=True)


def picture_format(path) -> str:
    """The picture format :func:`save` writes to ``path``: ``"svg"``, ``"png"`` or ``"pdf"``,
    by the extension (any case); checked before anything is drawn by the ``draw`` command.

    Raises
    ------
    OutputError
        For any other extension (the message names the path and the extension), or a
        ``path`` that is not a path at all (``picture_format(3)``).

    Examples
    --------
    >>> from identkit.plot import picture_format
    >>> picture_format("out/ex4.SVG")
    'svg'
    >>> picture_format("ex4.gif")
    Traceback (most recent call last):
    ...
    identkit.errors.OutputError: ex4.gif: the picture must be .svg, .png or .pdf, not '.gif'
    """
    try:
        path = os.fsdecode(path)
    except TypeError:
        raise OutputError(f"path: a picture path is a str or os.PathLike, got "
                          f"{type(path).__name__} {path!r}") from None
    ext = os.path.splitext(path)[1].lower()
    if ext not in (".svg", ".png", ".pdf"):
        raise OutputError(f"{path}: the picture must be .svg, .png or .pdf, not "
                          f"{ext or 'no extension'!r}")
    return ext[1:]
