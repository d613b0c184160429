"""The paper's synthetic datasets (§8, Appendix C.1), generated with numpy.

Each sample is one transition: a history ``z^{t-1}`` (and ``z^{t-2}`` for lag-2 mechanisms) and
an action drawn as in :meth:`GaussianMechanism.sample_inputs`, then ``z^t`` from the mechanism,
and observations ``x = f(z)`` through an injective mixing function (the orthogonal leaky-ReLU
MLP of Appendix C.2). Names:

* ``ActionDiag``, ``ActionNonDiag``, ``ActionBlockDiag``, ``ActionBlockNonDiag`` (sinusoidal
  means of eq. 73 on the action graph), ``TimeDiag`` … ``TimeBlockNonDiag`` (eq. 76 on the
  temporal graph);
* ``ActionNonDiagNoSuffInf``, ``TimeNonDiagNoSuffInf`` (linear means, Table 3);
* ``ActionNonDiagK2``, ``TimeNonDiagK2`` (heteroscedastic variances, eqs. 74 and 77);
* ``ActionRandomGraphs``, ``TimeRandomGraphs`` (Table 4; edge probability ``p``).
"""

from __future__ import annotations

import difflib

import numpy as np

from .. import examples
from .._rng import as_generator
from ..errors import ExampleNotFoundError
from ..graphs import LatentGraph
from .maps import Mixing
from .mechanisms import GaussianMechanism, MechanismError

__all__ = ["DATASETS", "dataset_graph", "generate"]

_BASE = ["ActionDiag", "ActionNonDiag", "ActionBlockDiag", "ActionBlockNonDiag",
         "TimeDiag", "TimeNonDiag", "TimeBlockDiag", "TimeBlockNonDiag"]
DATASETS = _BASE + ["ActionNonDiagNoSuffInf", "TimeNonDiagNoSuffInf", "ActionNonDiagK2",
                    "TimeNonDiagK2", "ActionRandomGraphs", "TimeRandomGraphs"]


def dataset_graph(name: str, p: float = 0.5, seed=None) -> tuple[LatentGraph, str, str]:
    """The graph, mean family and variance family of a dataset name.

    Raises
    ------
    ExampleNotFoundError
        For an unknown name (the closest is suggested).

    Examples
    --------
    >>> from identkit.numeric import dataset_graph
    >>> g, mean, variance = dataset_graph("TimeNonDiagK2")
    >>> g.n_latents, mean, variance
    (10, 'sinusoidal', 'heteroscedastic')
    """
    canon = {n.lower(): n for n in DATASETS}
    key = name.lower().replace("k=2", "k2")
    if key not in canon:
        close = difflib.get_close_matches(name, DATASETS, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ExampleNotFoundError(f"no dataset named {name!r}{hint}; known: {', '.join(DATASETS)}")
    name = canon[key]
    if name == "ActionRandomGraphs":
        return examples.random_graph(10, kind="action", p=p, seed=seed), "sinusoidal", "constant"
    if name == "TimeRandomGraphs":
        return examples.random_graph(10, kind="time", p=p, seed=seed), "sinusoidal", "constant"
    base = name.replace("NoSuffInf", "").replace("K2", "")
    g = examples.get(base).graph
    mean = "linear" if name.endswith("NoSuffInf") else "sinusoidal"
    var = "heteroscedastic" if name.endswith("K2") else "constant"
    return g, mean, var


def generate(source, n_samples: int, seed=0, *, d_x: int | None = None, p: float = 0.5,
             mechanism: str | None = None, chunk: int = 50_000) -> dict:
    """Generate a dataset: ``x``, ``z``, ``a``, ``z_prev``, ``x_prev`` and the graphs.

    Parameters
    ----------
    source : str or LatentGraph
        A dataset name (see module docs) or any model.
    n_samples : int
    seed : None, int or numpy.random.Generator
    d_x : int, optional
        Observation dimension (default 2d).
    p : float
        Edge probability for the random-graph datasets.
    mechanism : str, optional
        For a LatentGraph source: ``nonlinear`` (default), ``heteroscedastic``, ``linear``,
        ``hard`` or ``soft``.
    chunk : int
        Samples generated per vectorised block (bounds peak memory).

    Returns
    -------
    dict of numpy arrays
        ``x`` (n, d_x), ``z`` (n, d), ``a`` (n, m), ``z_prev`` (n, L, d), ``x_prev`` (n, L, d_x),
        ``Gz``/``Ga`` (0/1, when present), ``latents``/``actions`` (names).

    Examples
    --------
    >>> from identkit.numeric import generate
    >>> data = generate("TimeBlockDiag", 100, seed=0)
    >>> data["x"].shape, data["z"].shape
    ((100, 20), (100, 10))
    """
    if not isinstance(n_samples, (int, np.integer)) or n_samples < 1:
        raise MechanismError(f"n_samples must be a positive integer, got {n_samples!r}")
    rng = as_generator(seed)
    if isinstance(source, LatentGraph):
        from .mechanisms import make_mechanism

        g = source
        mech = make_mechanism(g, mechanism or "nonlinear", seed=rng)
    else:
        g, mean, var = dataset_graph(source, p=p, seed=rng)
        if mechanism is not None:
            raise MechanismError("a named dataset fixes its mechanism; omit --mechanism")
        mech = GaussianMechanism(g, mean=mean, variance=var, seed=rng)
    f = Mixing(g.n_latents, d_x, seed=rng)
    parts = {k: [] for k in ("x", "z", "a", "z_prev", "x_prev")}
    done = 0
    while done < n_samples:
        n = min(chunk, n_samples - done)
        s = mech.sample(n, rng)
        parts["z"].append(s["z"])
        parts["a"].append(s["a"])
        parts["z_prev"].append(s["hist"])
        parts["x"].append(f(s["z"]))
        L = s["hist"].shape[1]
        xp = f(s["hist"].reshape(n * L, g.n_latents)).reshape(n, L, f.d_x) if L else \
            np.zeros((n, 0, f.d_x))
        parts["x_prev"].append(xp)
        done += n
    out = {k: np.concatenate(v) for k, v in parts.items()}
    if g.Gz_sparse is not None:
        out["Gz"] = g.Gz.astype(np.int8)
    if g.Ga_sparse is not None:
        out["Ga"] = g.Ga.astype(np.int8)
        out["actions"] = np.array(g.actions, dtype=str)
    out["latents"] = np.array(g.latents, dtype=str)
    return out
