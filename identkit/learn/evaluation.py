"""Hold a fitted model against the truth and against the theory.

:func:`evaluate` computes the paper's metrics of a learned representation (MCC, R, Rcon and the
SHD of the learned graph, §6, all after the MCC matching) and the learned entanglement: the
regression of the true latents on the learned ones, ``|L̂P̂|`` normalised by its largest entry
(the paper's Figs. 6 and 8), beside the pattern ``C`` the theory allows
(:func:`identkit.entanglement_graph`). Where the learned map has weight outside ``C`` the
learned model is not in the equivalence class the theory predicts, and :func:`evaluate` names
those entries.
"""

from __future__ import annotations

import numpy as np

from ..entanglement import entanglement_graph, resolve_regularize
from ..errors import DependencyError, LearnError
from ..graphs import LatentGraph
from ..metrics import MetricError, mcc, r_score, rcon, shd

__all__ = ["Evaluation", "evaluate", "plot_evaluation", "regression_pattern"]


def regression_pattern(truth, learned, matching) -> np.ndarray:
    """``|L̂P̂| / max |L̂|``: the linear regression of the standardised true latents on the
    standardised learned ones, columns in matching order (column j: the learned latent matched
    to true j), in absolute value, divided by the largest coefficient.

    Standardising both sides (a departure from the paper's raw coefficients) makes the entries
    comparable when the learned latents have different scales; it changes no zero.

    Examples
    --------
    >>> import numpy as np
    >>> z = np.random.default_rng(0).standard_normal((500, 2))
    >>> zh = np.c_[z[:, 1], z[:, 0] + z[:, 1]]     # z1 = zh2 - zh1 reads both learned latents
    >>> np.round(regression_pattern(z, zh, matching=(1, 0)), 2)
    array([[1.  , 0.7 ],
           [0.  , 0.71]])

    Notes
    -----
    O(n d̂² + d̂³): one least-squares solve.
    """
    z = np.asarray(truth, dtype=np.float64)
    zh = np.asarray(learned, dtype=np.float64)
    zs = (z - z.mean(0)) / z.std(0)
    sd = zh.std(0)
    zhs = (zh - zh.mean(0)) / np.where(sd > 0, sd, 1.0)
    coef, *_ = np.linalg.lstsq(zhs, zs, rcond=None)           # (d̂, d): zs ≈ zhs @ coef
    L = np.abs(coef.T)                                         # (d, d̂): row i true latent
    top = L.max()
    LP = L[:, list(matching)]
    return LP / top if top > 0 else LP


class Evaluation:
    """What :func:`evaluate` measured (read the attributes, or ``to_dict()``).

    Attributes
    ----------
    mcc, r, rcon : float
        The paper's metrics (§6) after the MCC matching.
    shd : float or None
        Normalised SHD of the learned graph against the true one (None for a model without a
        learned graph).
    matching : tuple of int
        True latent i ↔ learned latent ``matching[i]``.
    pattern : ndarray of bool (d, d)
        The entanglement graph ``C`` of the true model.
    entanglement : ndarray (d, d)
        ``|L̂P̂| / max |L̂|`` (:func:`regression_pattern`).
    mass_outside : float
        The share of ``|L̂P̂|``'s total weight on the entries C forbids.
    leaving : tuple of (str, str)
        The (true latent, learned latent) pairs with weight above ``tol`` where C forbids one.
    tol : float
    regularize : str
    """

    def __init__(self, **fields):
        self.__dict__.update(fields)

    def to_dict(self) -> dict:
        """Plain JSON-ready values."""
        return {"mcc": self.mcc, "r": self.r, "rcon": self.rcon, "shd": self.shd,
                "matching": list(self.matching), "mass_outside": self.mass_outside,
                "leaving": [list(p) for p in self.leaving], "tol": self.tol,
                "regularize": self.regularize,
                "pattern": self.pattern.astype(int).tolist(),
                "entanglement": np.round(self.entanglement, 6).tolist()}

    def __str__(self) -> str:
        shd_text = "-" if self.shd is None else f"{self.shd:.4f}"
        lines = [f"MCC {self.mcc:.4f}  R {self.r:.4f}  Rcon {self.rcon:.4f}  SHD {shd_text}",
                 f"|L̂P̂| outside the pattern C ({self.regularize}): "
                 f"{100 * self.mass_outside:.1f}% of its weight"]
        if self.leaving:
            pairs = ", ".join(f"{t}<-{h}" for t, h in self.leaving[:12])
            if len(self.leaving) > 12:
                pairs += f" and {len(self.leaving) - 12} more"
            lines.append(f"entries above {self.tol:g} that C forbids: {pairs}")
        else:
            lines.append(f"no entry above {self.tol:g} outside C")
        return "\n".join(lines)

    __repr__ = __str__

    def plot(self):
        """The picture of :func:`plot_evaluation`."""
        return plot_evaluation(self)


def evaluate(model, x, z_true, graph: LatentGraph, *, regularize: str | None = None,
             tol: float = 0.1) -> Evaluation:
    """MCC, R, Rcon and SHD of a fitted model, and its learned entanglement against C.

    Parameters
    ----------
    model : fitted estimator of :mod:`identkit.learn`
        Anything with ``transform``; a learned graph is read from ``graph_`` when there is one.
    x : array_like (n, x_dim)
        Held-out observations (the last step of temporal data).
    z_true : array_like (n, d)
        Their true latents.
    graph : LatentGraph
        The true model: C and the SHD come from it.
    regularize : str, optional
        Which graphs define C (default: the ones the model learned sparse, else every graph of
        ``graph``).
    tol : float
        Weight of ``|L̂P̂|`` above which an entry outside C is listed in ``leaving``.

    Returns
    -------
    Evaluation

    Raises
    ------
    LearnError
        If the shapes disagree (the message names the argument) or the model is not fitted.

    Examples
    --------
    A model whose encoder returns the truth, up to a permutation, is perfect:

    >>> import numpy as np, identkit as ik
    >>> from identkit.learn import evaluate
    >>> class Oracle:
    ...     def transform(self, x):
    ...         return x[:, ::-1]
    >>> z = np.random.default_rng(0).standard_normal((400, 2))
    >>> ev = evaluate(Oracle(), z, z, ik.LatentGraph(Ga=[[1, 0], [0, 1]]))
    >>> round(ev.mcc, 6), ev.matching, ev.leaving
    (1.0, (1, 0), ())
    """
    if not isinstance(graph, LatentGraph):
        raise LearnError(f"graph must be a LatentGraph, got {type(graph).__name__}")
    z = np.asarray(z_true, dtype=np.float64)
    if z.ndim != 2 or z.shape[1] != graph.n_latents:
        raise LearnError(f"z_true must be (n, {graph.n_latents}) for this graph, got shape "
                         f"{z.shape}")
    zh = np.asarray(model.transform(x), dtype=np.float64)
    if zh.shape[0] != z.shape[0]:
        raise LearnError(f"x has {zh.shape[0]} rows but z_true has {z.shape[0]}")
    learned_graph = getattr(model, "graph_", None)
    if regularize is None:
        reg = getattr(model, "learned_regularize", None)
        regularize = reg() if callable(reg) else None
    try:
        regularize = resolve_regularize(graph, regularize)
        m = mcc(z, zh)
        matching = m.matching
        r = r_score(z, zh)
        rc = rcon(graph, z, zh, regularize=regularize, matching=matching)
        s = None if learned_graph is None else float(shd(graph, learned_graph, matching=matching))
    except MetricError as exc:
        raise LearnError(f"cannot evaluate: {exc}") from None
    C = entanglement_graph(graph, regularize)
    E = regression_pattern(z, zh, matching)
    total = float(E.sum())
    outside = float(E[~C].sum()) / total if total > 0 else 0.0
    names = graph.latents
    hat = [f"zhat{k + 1}" for k in range(zh.shape[1])]
    leaving = tuple((names[i], hat[matching[j]]) for i, j in zip(*np.nonzero((E > tol) & ~C)))
    return Evaluation(mcc=float(m), r=float(r), rcon=float(rc), shd=s, matching=tuple(matching),
                      pattern=C, entanglement=E, mass_outside=outside, leaving=leaving,
                      tol=float(tol), regularize=regularize, learned_graph=learned_graph,
                      true_graph=graph)


def _figure():
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise DependencyError("pictures need matplotlib: pip install 'identkit[plot]'") from None
    return Figure


def plot_evaluation(ev: Evaluation):
    """The paper's Fig. 8 layout: the pattern C, the learned ``|L̂P̂|`` beside it (entries
    outside C outlined in red), and the learned graph in matching order beside the true one.

    Returns a ``matplotlib.figure.Figure`` (save it with :func:`identkit.plot.save`).

    Raises
    ------
    DependencyError
        Without matplotlib.
    """
    Figure = _figure()
    graphs = []
    if ev.learned_graph is not None:
        p = list(ev.matching)
        for name in ("Ga", "Gz"):
            true_m = getattr(ev.true_graph, name)
            learned = getattr(ev.learned_graph, name)
            if true_m is None or learned is None or name[1] not in ev.regularize:
                continue
            learned = learned[p][:, p] if name == "Gz" else learned[p]
            graphs += [(f"true {name}", true_m), (f"learned {name} (matched)", learned)]
    panels = [("pattern C", ev.pattern.astype(float)), ("|L̂P̂| / max", ev.entanglement)] + graphs
    fig = Figure(figsize=(3.2 * len(panels), 3.4))
    d = ev.pattern.shape[0]
    for k, (title, M) in enumerate(panels):
        ax = fig.add_subplot(1, len(panels), k + 1)
        ax.imshow(np.asarray(M, dtype=float), cmap="Greys", vmin=0, vmax=1)
        ax.set_title(title, fontsize=10)
        ax.set_xticks([])
        ax.set_yticks([])
        if k == 1:
            for i, j in zip(*np.nonzero((ev.entanglement > ev.tol) & ~ev.pattern)):
                ax.add_patch(_rect(j, i))
        ax.set_xlim(-0.5, np.asarray(M).shape[1] - 0.5)
        ax.set_ylim(d - 0.5, -0.5)
    fig.suptitle(f"MCC {ev.mcc:.3f}   Rcon {ev.rcon:.3f}   mass outside C "
                 f"{100 * ev.mass_outside:.1f}%", fontsize=11)
    fig.tight_layout()
    return fig


def _rect(col, row):
    from matplotlib.patches import Rectangle

    return Rectangle((col - 0.5, row - 0.5), 1, 1, fill=False, edgecolor="red", linewidth=1.5)
