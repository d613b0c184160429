"""One call for what ``identkit score`` prints: MCC, R and (given the true graph) Rcon, from
arrays or from files."""

from __future__ import annotations

import os
import zipfile

import numpy as np

from .._compat import keyword_only
from ..graphs import LatentGraph
from ._common import MetricError, MetricResult
from .paper import mcc, r_score, rcon

__all__ = ["read_array", "score"]


def read_array(path, key: str | None = None) -> np.ndarray:
    """Read a 2-D array of samples from ``.npy``, ``.npz`` or ``.csv``.

    Parameters
    ----------
    path : str or os.PathLike
    key : str, optional
        For ``.npz``: the array to take; optional when the file holds one array.
        A ``.csv`` may start with one header line (detected by letters other than exponents).

    Raises
    ------
    MetricError
        Naming the file: missing, unreadable, an unsupported extension, or an ``.npz`` with
        several arrays and none called ``key``.

    Examples
    --------
    >>> import numpy as np, tempfile, os
    >>> from identkit.metrics import read_array
    >>> path = os.path.join(tempfile.mkdtemp(), "z.csv")
    >>> np.savetxt(path, np.eye(2), delimiter=",", header="z1,z2", comments="")
    >>> read_array(path).tolist()
    [[1.0, 0.0], [0.0, 1.0]]
    """
    try:
        path = os.fsdecode(path)
    except TypeError:
        raise MetricError(f"path: an array file path is a str or os.PathLike, got "
                          f"{type(path).__name__} {path!r}") from None
    if not os.path.exists(path):
        raise MetricError(f"{path}: no such file")
    if not os.path.isfile(path):  # a named pipe would block, a device read without end
        raise MetricError(f"{path}: not a regular file")
    ext = os.path.splitext(path)[1].lower()
    try:
        if ext == ".npy":
            return np.load(path, allow_pickle=False)
        if ext == ".npz":
            with np.load(path, allow_pickle=False) as data:
                name = key if key is not None and key in data.files else (
                    data.files[0] if len(data.files) == 1 else None)
                if name is not None:
                    arr = data[name]
                    if not isinstance(arr, np.ndarray):  # a member without an .npy header
                        raise MetricError(f"{path}: member {name!r} is not a .npy array")
                    return arr
                ask = ("name one with key" if key is None else
                       f"no array is named {key!r}; name one of them")
                raise MetricError(f"{path}: holds {', '.join(data.files)}; {ask} "
                                  "or keep one array")
        if ext == ".csv":
            with open(path, encoding="utf-8") as fh:
                first = fh.readline()
            skip = 1 if any(c.isalpha() for c in first.replace("e", "").replace("E", "")) else 0
            return np.loadtxt(path, delimiter=",", skiprows=skip, ndmin=2)
    except MetricError:
        raise
    except (ValueError, OSError, EOFError, zipfile.BadZipFile) as exc:
        raise MetricError(f"{path}: cannot read the array: "
                          f"{(str(exc).splitlines() or [type(exc).__name__])[0]}") from None
    raise MetricError(f"{path}: use .npy, .npz or .csv")


def _samples(x, key):
    if isinstance(x, (str, os.PathLike)):
        return read_array(x, key)
    return x


class ScoreResult(MetricResult):
    """What :func:`score` returns: a :class:`MetricResult` (MCC is the headline value) whose
    text and summary are the ones ``identkit score`` prints.

    Examples
    --------
    >>> import numpy as np
    >>> from identkit.metrics import score
    >>> z = np.random.default_rng(0).standard_normal((200, 2))
    >>> res = score(z, z[:, ::-1])
    >>> print(res.to_text())
    MCC (pearson): 1.0000
    R:    1.0000
    Matching (true latent -> learned column): true 0 -> 1, true 1 -> 0
    >>> sorted(res.summary())
    ['matching', 'mcc', 'r', 'rcon']
    """

    __slots__ = ()

    def summary(self) -> dict:
        """The plain data ``identkit score --format json`` prints: ``mcc``, ``r``, ``rcon``
        (None without a graph) and ``matching`` (true latent name -> learned column)."""
        full = self.to_dict()
        return {k: full[k] for k in ("mcc", "r", "rcon", "matching")}

    def to_text(self) -> str:
        """MCC, R, Rcon (when a graph was given) and the matching, one per line."""
        d = self.summary()
        lines = [f"MCC ({self.details['method']}): {d['mcc']:.4f}", f"R:    {d['r']:.4f}"]
        if d["rcon"] is not None:
            lines.append(f"Rcon: {d['rcon']:.4f}")
        lines.append("Matching (true latent -> learned column): "
                     + ", ".join(f"{k} -> {v}" for k, v in d["matching"].items()))
        return "\n".join(lines)


@keyword_only("regularize")
def score(truth, learned, graph: LatentGraph | None = None, *, regularize: str | None = None,
          example: str | None = None, method: str = "pearson") -> MetricResult:
    """MCC, R and, when the true graph is given, Rcon, of learned latents against true ones.

    Unlike :func:`rcon`, ``score`` keeps the data first: the graph is optional (R and MCC need
    none; ``example`` may name one instead), and the order is that of ``identkit score TRUE
    LEARNED [--graph G]``. A graph in the first slot is refused with a message saying so.

    Parameters
    ----------
    truth, learned : array_like or path
        Arrays (n_samples, d) and (n_samples, d̂), or files read by :func:`read_array`
        (an ``.npz`` key ``z`` for the truth, ``zhat`` for the learned latents).
    graph : LatentGraph or path, optional
        The true graph, for Rcon (a path is read with :func:`identkit.io.read_model`; a
        mechanism file gives the graphs derived from it).
    regularize : str, optional
        As in :func:`rcon`, keyword-only; with ``example`` the example's own setting is the
        default, and an empty string means no graph regularized (as ``--regularize ""``): the
        model and its setting are resolved as the command line resolves them.
    example : str, optional
        A catalogue example whose graph to use instead of ``graph`` (for a worked mechanism,
        ``"mechanism-ex9"``, the graphs derived from it, as ``identkit check`` reads them).
    method : {"pearson", "spearman"}
        For MCC and its matching (which Rcon reuses).

    Returns
    -------
    MetricResult
        ``value`` the MCC; details ``mcc``, ``r``, ``rcon`` (None without a graph), ``method``
        and ``matching`` (true latent name → learned column).

    Raises
    ------
    MetricError
        Unreadable files or inputs the metrics refuse; both ``graph`` and ``example``.

    Examples
    --------
    >>> import numpy as np
    >>> from identkit.metrics import score
    >>> z = np.random.default_rng(1).standard_normal((400, 3))
    >>> res = score(z, np.c_[z[:, 0], z[:, 1] + z[:, 2], z[:, 1] - z[:, 2]], example="ex8")
    >>> round(res["rcon"], 6), round(res["r"], 6), res["matching"]["z1"]
    (1.0, 1.0, 0)

    Notes
    -----
    The cost of :func:`mcc` plus :func:`r_score` plus :func:`rcon`.
    """
    if isinstance(truth, LatentGraph):
        raise MetricError("score takes the data first: score(truth, learned, graph); the graph "
                          "comes third here because it is optional (rcon takes it first)")
    if graph is not None and example is not None:
        raise MetricError("give the true graph or an example, not both")
    if regularize is not None and graph is None and example is None:
        raise MetricError(f"regularize={regularize!r} chooses the pattern of Rcon, which needs "
                          "the true graph: give graph or example (--graph or --example)")
    if graph is not None or example is not None:
        from .._model import resolve_model

        model = resolve_model(graph, example=example, regularize=regularize)
        graph, regularize = model.graph(), model.regularize
    z = _samples(truth, "z")
    zhat = _samples(learned, "zhat")
    m = mcc(z, zhat, method=method)
    r = r_score(z, zhat)
    details = {"mcc": m.value, "r": r.value, "rcon": None, "method": method}
    if graph is not None:
        details["rcon"] = rcon(graph, z, zhat, regularize=regularize, matching=m.matching).value
        names = graph.latents
    else:
        names = [f"true {i}" for i in range(len(m.matching))]
    details["matching"] = {names[i]: j for i, j in enumerate(m.matching)}
    return ScoreResult(f"MCC ({method})", m.value, details)
