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
from types import MappingProxyType
from typing import Any, Mapping

import numpy as np

from .._compat import graph_first, keyword_only  # graph_first: re-exported for old callers
from ..errors import DependencyError, MetricError

__all__ = ["MetricError", "MetricWarning", "MetricResult", "DetailsWithRenames", "as_samples",
           "pair", "sklearn", "train_test_rows", "graph_first", "refuse_masked",
           "check_discrete", "classifier_rows", "MIN_ROWS_PER_CLASS"]

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


class MetricResult(float):
    """The value of a metric, a number, with the details that produced it (read-only).

    A ``MetricResult`` is a ``float``: formatting (``f"{res:.3f}"``), comparisons, ``round``,
    arithmetic, ``numpy`` (``np.mean``, ``np.isclose``), ``sorted``, ``json.dumps`` and
    ``pickle`` treat it as its value, so it goes wherever a score is expected (a scorer, a
    table column). Arithmetic gives a plain ``float``. ``str`` is the readable report (the
    value and the details), ``f"{res}"`` the bare number.

    Attributes
    ----------
    metric : str
        The metric's name, e.g. ``"MCC (pearson)"``.
    value : float
        The headline number (the one papers report), the float the result is.
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
    >>> import json, numpy as np
    >>> from identkit.metrics import MetricResult
    >>> res = MetricResult("toy", 0.5, {"matching": (1, 0)})
    >>> float(res), res.matching, res.to_dict()
    (0.5, (1, 0), {'metric': 'toy', 'value': 0.5, 'matching': [1, 0]})
    >>> f"{res:.3f}", res > 0.4, round(res, 1), res + 1, float(np.mean([res, 1.0]))
    ('0.500', True, 0.5, 1.5, 0.75)
    >>> json.dumps({"score": res})
    '{"score": 0.5}'
    >>> print(res)
    toy: 0.5000
      matching: (1, 0)
    """

    __slots__ = ("metric", "details", "renamed")

    def __new__(cls, metric: str, value, details: Mapping[str, Any] | None = None,
                renamed: Mapping[str, str] | None = None):
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise MetricError(f"{metric}: a metric's value is a real number, got "
                              f"{type(value).__name__} {value!r}") from None
        self = super().__new__(cls, number)
        renamed = MappingProxyType(dict(renamed or {}))
        frozen = _freeze(dict(details or {}))
        if renamed:
            frozen = DetailsWithRenames(frozen, renamed, metric)
        object.__setattr__(self, "metric", str(metric))
        object.__setattr__(self, "renamed", renamed)
        object.__setattr__(self, "details", frozen)
        return self

    def __init__(self, *args, **kwargs):  # everything is set in __new__ (a float is immutable)
        super().__init__()

    def __setattr__(self, name, value):
        raise AttributeError(f"a MetricResult is read-only: cannot set {name!r}")

    def __delattr__(self, name):
        raise AttributeError(f"a MetricResult is read-only: cannot delete {name!r}")

    def __reduce__(self):
        details = self.details.data if isinstance(self.details, DetailsWithRenames) \
            else self.details
        return (_rebuild, (type(self), self.metric, self.value, _thaw(details),
                           dict(self.renamed)))

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self

    def _current(self, key: str) -> str:
        new = self.renamed.get(key)
        if new is None:
            return key
        warnings.warn(f"{self.metric}: the detail {key!r} is now {new!r}", DeprecationWarning,
                      stacklevel=3)
        return new

    @property
    def value(self) -> float:
        """The headline number, as a plain ``float``."""
        return float.__float__(self)

    def __float__(self) -> float:
        return float.__float__(self)

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
        if name.startswith("_") or name in ("metric", "details", "renamed"):
            raise AttributeError(name)
        try:
            return self.details[self._current(name)]
        except KeyError:
            raise AttributeError(f"{type(self).__name__} of {self.metric} has no attribute or "
                                 f"detail {name!r}") from None

    def to_dict(self) -> dict:
        """Plain JSON-ready dict: ``metric``, ``value`` and the details (arrays as lists)."""
        return {"metric": self.metric, "value": self.value, **_plain(self.details)}

    def to_text(self) -> str:
        """The value and the details, one per line (what ``str`` and ``print`` show)."""
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

    def __str__(self) -> str:
        return self.to_text()

    def __format__(self, spec: str) -> str:
        return float.__repr__(self.value) if not spec else format(self.value, spec)

    def __repr__(self) -> str:
        return (f"{type(self).__name__}({self.metric!r}, value={self.value!r}, "
                f"details={list(self.details)})")


def _thaw(v):
    """The plain (writable) form of frozen details, for pickling."""
    if isinstance(v, np.ndarray):
        return v.copy()
    if isinstance(v, tuple):
        return tuple(_thaw(x) for x in v)
    if isinstance(v, Mapping):
        return {k: _thaw(x) for k, x in v.items()}
    return v


def _rebuild(cls, metric, value, details, renamed):
    return cls(metric, value, details, renamed)


def refuse_masked(x, name: str) -> None:
    """Refuse a numpy masked array: ``np.asarray`` would drop its mask and score the hidden
    values as data."""
    if np.ma.isMaskedArray(x):
        raise MetricError(f"{name} is a masked array: metrics do not read a mask; fill the "
                          "masked entries (x.filled(value)) or keep the unmasked rows "
                          "(x[~np.ma.getmaskarray(x).any(axis=1)]) first")


def check_discrete(f, metric: str, option: str = "factor_bins") -> None:
    """Refuse ground-truth factors with a non-integer value: ``metric`` is defined for discrete
    factors (class labels, or bins of a mutual information), where every distinct float would
    become a class of its own. The message names ``option``, the argument that discretizes."""
    f = np.asarray(f)
    if not np.issubdtype(f.dtype, np.floating):
        return
    frac = np.flatnonzero((f != np.round(f)).any(axis=0))
    if frac.size:
        k = int(frac[0])
        v = float(f[np.flatnonzero(f[:, k] != np.round(f[:, k]))[0], k])
        raise MetricError(
            f"{metric} is defined for discrete factors, but truth column {k} has the "
            f"non-integer value {v!r}: pass {option}=N to cut each factor into N equal-width "
            "bins, or give integer labels")


MIN_ROWS_PER_CLASS = 2


def classifier_rows(y_train, n: int, test_fraction: float, metric: str, k: int) -> None:
    """Refuse a factor whose training rows cannot train a classifier: at least two classes and
    :data:`MIN_ROWS_PER_CLASS` training rows per class; the message names the rows needed."""
    classes = np.unique(y_train).size
    if classes >= 2 and y_train.size >= MIN_ROWS_PER_CLASS * classes:
        return
    c = max(classes, 2)
    need = int(np.ceil(MIN_ROWS_PER_CLASS * c / (1 - test_fraction)))
    raise MetricError(
        f"{metric}: factor {k} has {classes} class(es) on {y_train.size} training rows (of {n}); "
        f"its classifier needs at least 2 classes and {MIN_ROWS_PER_CLASS} training rows per "
        f"class: give at least {need} rows")


def as_samples(x, name: str, min_rows: int = 2, *, constant: str = "allow") -> np.ndarray:
    """A finite real float array of shape (n_samples, n_dims); 1-D input is one dimension.

    ``constant="error"`` refuses a column with a single value (its correlation is undefined).
    A masked array is refused (:func:`refuse_masked`).
    """
    refuse_masked(x, name)
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
