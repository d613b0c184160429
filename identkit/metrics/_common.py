"""The calling convention, input checks, the result type and small helpers shared by the metrics
(internal module: its names are public within the package).

Every metric that compares a representation with the ground truth takes the ground truth first
and the learned representation second, under the keyword names ``truth`` and ``learned``, and
returns a :class:`MetricResult`. A metric that needs the true graph takes it before both
(``rcon(graph, truth, learned)``, the package's graph-first order); ``_compat.graph_first``
keeps the older order working with a ``DeprecationWarning``. Every held-out metric splits its
rows with :func:`train_test_rows`.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Mapping

import numpy as np

from .._compat import graph_first, keyword_only  # graph_first: re-exported for old callers
from ..errors import DependencyError, MetricError

__all__ = ["MetricError", "MetricWarning", "MetricResult", "DetailsWithRenames", "as_samples",
           "pair", "sklearn", "train_test_rows", "graph_first"]

class MetricWarning(UserWarning):
    """A metric returned a documented fallback value (for example a constant learned column)."""


def _freeze(v):
    if isinstance(v, np.ndarray):
        v = v.copy()
        v.setflags(write=False)
        return v
    if isinstance(v, (list, tuple)):
        return tuple(_freeze(x) for x in v)
    if isinstance(v, dict):
        return MappingProxyType({k: _freeze(x) for k, x in v.items()})
    if isinstance(v, np.generic):
        return v.item()
    return v


class DetailsWithRenames(Mapping):
    """A result's details that still read a renamed entry under its old name, with a
    ``DeprecationWarning`` (``res.details["mutual_information"]`` as before the rename);
    iteration, ``len`` and :meth:`MetricResult.to_dict` know only the new names."""

    __slots__ = ("data", "renamed", "metric")

    def __init__(self, data: Mapping, renamed: Mapping[str, str], metric: str):
        self.data, self.renamed, self.metric = data, renamed, metric

    def current(self, key):
        """The name ``key`` has now (warning, to the caller's caller, when it was renamed)."""
        new = self.renamed.get(key)
        if new is None or key in self.data:
            return key
        warnings.warn(f"{self.metric}: the detail {key!r} is now {new!r}",
                      DeprecationWarning, stacklevel=3)
        return new

    def __getitem__(self, key):
        return self.data[self.current(key)]

    def get(self, key, default=None):
        return self.data.get(self.current(key), default)

    def __contains__(self, key):
        return self.current(key) in self.data

    def __iter__(self):
        return iter(self.data)

    def __len__(self):
        return len(self.data)

    def __repr__(self):
        return f"mappingproxy({dict(self.data)!r})"


def _plain(v):
    if isinstance(v, np.ndarray):
        return v.tolist()
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    if isinstance(v, Mapping):
        return {str(k): _plain(x) for k, x in v.items()}
    return v


@dataclass(frozen=True, eq=False)
class MetricResult:
    """The value of a metric and the details that produced it (read-only).

    Attributes
    ----------
    metric : str
        The metric's name, e.g. ``"MCC (pearson)"``.
    value : float
        The headline number (the one papers report).
    details : mapping
        Everything else the computation produced: the matching, the importance matrix, the
        secondary scores. Entries are also readable as ``result["key"]`` and, for identifiers,
        as attributes (``result.matching``). A name means one thing in every metric:
        ``matching`` maps true latent i to learned latent ``matching[i]`` (a tuple; :func:`score`
        keys the same map by the true latents' names), ``per_latent`` holds one value per true
        latent, ``mutual_information`` is a matrix in nats with the codes as rows.
    renamed : mapping, optional
        Detail names that were renamed, old → new: reading an old name (``result["old"]``,
        ``result.old``, ``result.details["old"]``) gives the new entry with a
        ``DeprecationWarning``; ``to_dict`` and ``str`` show only the new names.

    Examples
    --------
    >>> from identkit.metrics import MetricResult
    >>> res = MetricResult("toy", 0.5, {"matching": (1, 0)})
    >>> float(res), res.matching, res.to_dict()
    (0.5, (1, 0), {'metric': 'toy', 'value': 0.5, 'matching': [1, 0]})
    >>> print(res)
    toy: 0.5000
      matching: (1, 0)
    """

    metric: str
    value: float
    details: Mapping[str, Any] = field(default_factory=dict)
    renamed: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "value", float(self.value))
        object.__setattr__(self, "renamed", MappingProxyType(dict(self.renamed)))
        details = _freeze(dict(self.details))
        if self.renamed:
            details = DetailsWithRenames(details, self.renamed, self.metric)
        object.__setattr__(self, "details", details)

    def _current(self, key: str) -> str:
        new = self.renamed.get(key)
        if new is None:
            return key
        warnings.warn(f"{self.metric}: the detail {key!r} is now {new!r}", DeprecationWarning,
                      stacklevel=3)
        return new

    def __float__(self) -> float:
        return self.value

    @property
    def score(self) -> float:
        """The value (the name earlier versions of :func:`mcc` used)."""
        return self.value

    def __iter__(self):
        raise TypeError(f"a MetricResult ({self.metric}) does not unpack: use .value and "
                        ".details (for MCC, .matching)")

    def __getitem__(self, key: str):
        try:
            return self.details[self._current(key)]
        except KeyError:
            raise KeyError(f"{self.metric} has no detail {key!r}; it has "
                           f"{', '.join(self.details) or 'none'}") from None

    def __getattr__(self, name: str):
        if name.startswith("_") or name in ("metric", "value", "details", "renamed"):
            raise AttributeError(name)
        try:
            return self.details[self._current(name)]
        except KeyError:
            raise AttributeError(f"{type(self).__name__} of {self.metric} has no attribute or "
                                 f"detail {name!r}") from None

    def to_dict(self) -> dict:
        """Plain JSON-ready dict: ``metric``, ``value`` and the details (arrays as lists)."""
        return {"metric": self.metric, "value": self.value, **_plain(self.details)}

    def __str__(self) -> str:
        lines = [f"{self.metric}: {self.value:.4f}"]
        for k, v in self.details.items():
            if isinstance(v, float):
                lines.append(f"  {k}: {v:.4f}")
            elif isinstance(v, np.ndarray) and v.size > 12:
                lines.append(f"  {k}: array of shape {v.shape}")
            elif isinstance(v, tuple) and len(v) > 12:
                lines.append(f"  {k}: {len(v)} entries, first {v[:6]}")
            else:
                lines.append(f"  {k}: {_plain(v) if isinstance(v, np.ndarray) else v}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"MetricResult({self.metric!r}, value={self.value!r}, details={list(self.details)})"


def as_samples(x, name: str, min_rows: int = 2, *, constant: str = "allow") -> np.ndarray:
    """A finite real float array of shape (n_samples, n_dims); 1-D input is one dimension.

    ``constant="error"`` refuses a column with a single value (its correlation is undefined).
    """
    if np.iscomplexobj(x):
        raise MetricError(f"{name} has complex values; metrics need real numbers")
    kind = getattr(getattr(x, "dtype", None), "kind", None)
    if kind in ("m", "M", "U", "S", "V"):  # dates, text and records are not samples
        raise MetricError(f"{name} has dtype {x.dtype}; metrics need an array of real numbers")
    try:
        arr = np.asarray(x, dtype=float)
    except (TypeError, ValueError):
        raise MetricError(f"{name} must be a numeric array of shape (n_samples, n_dims)") from None
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2 or arr.shape[1] == 0:
        raise MetricError(f"{name} must have shape (n_samples, n_dims), got {arr.shape}")
    if arr.shape[0] < min_rows:
        raise MetricError(f"{name} has {arr.shape[0]} samples; at least {min_rows} are needed")
    if not np.isfinite(arr.sum()) and not np.isfinite(arr).all():  # the sum is the fast test
        r, c = np.argwhere(~np.isfinite(arr))[0]
        raise MetricError(f"{name} has a non-finite value ({arr[r, c]}) at row {r}, column {c}")
    if constant == "error":
        flat = np.flatnonzero(np.ptp(arr, axis=0) == 0)
        if flat.size:
            raise MetricError(f"{name} column {flat[0]} is constant ({arr[0, flat[0]]}): "
                              "the metric is undefined for it")
    return arr


def pair(truth, learned, min_rows: int = 2, *, constant_truth: str = "allow"):
    """Check the ground truth and the learned representation: arrays of equal length."""
    truth = as_samples(truth, "truth (true latents)", min_rows, constant=constant_truth)
    learned = as_samples(learned, "learned (learned latents)", min_rows)
    if truth.shape[0] != learned.shape[0]:
        raise MetricError(
            f"truth has {truth.shape[0]} samples but learned has {learned.shape[0]}: "
            "they must be paired row by row")
    return truth, learned


@keyword_only("seed")
def train_test_rows(n: int, test_fraction: float = 1 / 3, *, seed=0, min_test: int = 1,
                    min_train: int = 2):
    """The rows every held-out metric trains and scores on: a seeded permutation, its last
    ``n − round(n · test_fraction)`` entries for training and its first ones for testing (both
    sorted).

    The one split of the package: MCC-based regressions (:func:`~identkit.metrics.r_score`,
    :func:`~identkit.metrics.rcon` with ``test_fraction``) and the classic metrics (SAP,
    modularity and explicitness, DCI) all call it, so one seed gives the same rows everywhere.
    The regressions ask for ``min_test=2`` (a held-out R² needs two rows to have a variance);
    that changes which sizes are refused, never which rows are drawn.

    Parameters
    ----------
    n : int
        Number of rows.
    test_fraction : float in (0, 1)
        The fraction held out for testing.
    seed : int, numpy.random.Generator or None, keyword-only
        Default 0 (deterministic). Positional use still works and warns (deprecated).
    min_test, min_train : int
        The fewest rows either part may have.

    Raises
    ------
    MetricError
        If ``test_fraction`` is outside (0, 1) or either part would be too small.

    Examples
    --------
    >>> from identkit.metrics import train_test_rows
    >>> train, test = train_test_rows(6, 1 / 3, seed=0)
    >>> len(train), len(test), sorted(train.tolist() + test.tolist()) == list(range(6))
    (4, 2, True)
    """
    from .._rng import as_generator

    if not isinstance(test_fraction, (int, float)) or not 0 < test_fraction < 1:
        raise MetricError(f"test_fraction must be in (0, 1), got {test_fraction!r}")
    perm = as_generator(seed).permutation(n)
    k = int(round(n * test_fraction))
    if k < min_test or n - k < min_train:
        raise MetricError(f"{n} samples are too few to hold out a fraction {test_fraction}")
    return np.sort(perm[k:]), np.sort(perm[:k])


def warn(msg: str) -> None:
    warnings.warn(msg, MetricWarning, stacklevel=3)


def sklearn():
    """Import scikit-learn for the classifier-based metrics, or say how to install it."""
    try:
        import sklearn  # noqa: F401
    except ImportError:
        raise DependencyError(
            "this metric trains a classifier and needs scikit-learn: "
            "pip install 'identkit[metrics]'"
        ) from None
    return sklearn
