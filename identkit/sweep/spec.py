"""Sweep specifications: which grid, which task, how many graphs, which seed.

A specification is a mapping (a YAML file, or a dict in Python) with a ``kind`` and the axes of
the grid. Every value is checked here, before any work starts, and a bad one is a
:class:`~identkit.SweepError` naming the file and the key (``spec.yaml: axes.p[2]: 1.5 is not a
probability in [0, 1]``).

The ``graphs`` kind
-------------------
``family`` (default ``erdos-renyi``) says how a graph of a cell is drawn; the parameters of the
family are given either as an axis (``axes: {p: [0.1, 0.5]}``) or fixed at the top level
(``p: 0.3``), never both.

* ``erdos-renyi``: the regularized graphs only (``regularize`` a, z or az), each entry
  Bernoulli(p): ``Gz`` (d × d) and ``Ga`` (d × m, ``m`` defaults to d). ``self_loops: true``
  forces the diagonal of ``Gz`` to one (default false: the diagonal is drawn like the rest).
* ``interventions``: ``k`` interventions, each with ``target_size`` distinct targets drawn
  uniformly among the d latents (``Ga`` is d × k, paper §3.4.1); with ``regularize: az`` a
  temporal graph ``Gz`` ~ Bernoulli(p) is drawn too (``self_loops`` as above).
* ``paper``: the generator of the paper's ``--rand_g_density`` experiments (Table 4, App. C.1)
  exactly: ``regularize: a`` is ActionRandomGraphs (``Ga`` d × d, Bernoulli(p)), ``z`` is
  TimeRandomGraphs (``Gz`` with its diagonal forced to one). Graph j of a cell is the paper's
  graph for seed ``seed + j``, as the authors' code draws it.

Other keys: ``graphs_per_cell`` (default 1000), ``seed`` (the root seed, default 0),
``chunk_size`` (graphs per task at most, default 1000), ``confidence`` (of the Wilson intervals,
default 0.95).

The ``fit`` kind
----------------
Training runs of the paper's estimation procedure (:mod:`identkit.learn`): axes or fixed keys
``dataset`` (a name of :data:`identkit.numeric.DATASETS`), ``bound`` (the sparsity bound:
``null`` trains without sparsity regularization, ``truth`` uses the true graph's edge count, as
the paper does for Table 4, or a number), ``regularize``, ``p`` and ``d`` (of the dataset),
``samples``, ``test_samples``, ``steps``, ``batch_size``, ``learning_rate``, ``hidden`` and
``prior_hidden`` (the widths of the encoder's and decoder's three hidden layers and of the two
of each latent's transition network); and ``seeds``, the replicates of every cell (a count n
for 0 .. n-1, or a list): seed s draws the run's dataset and initialises its model.

Axis values are a list, or a range ``{from: A, to: B, step: S}`` / ``{from: A, to: B, num: N}``
(both ends included; integer ranges step by 1 unless told).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import numbers
import os

from ..errors import SweepError, did_you_mean

__all__ = ["SweepSpec", "load_spec", "FAMILIES", "MAX_CELLS", "GRAPH_PARAMETERS",
           "FIT_PARAMETERS"]

#: Grids with more cells than this are refused unless confirmed (``yes=True``, ``--yes``).
MAX_CELLS = 10 ** 6

FAMILIES = ("erdos-renyi", "interventions", "paper")

#: The parameters of each graph family (axis or fixed key) and whether each is required.
GRAPH_PARAMETERS = {
    "erdos-renyi": ("d", "p", "regularize", "m", "self_loops"),
    "interventions": ("d", "k", "target_size", "regularize", "p", "self_loops"),
    "paper": ("d", "p", "regularize"),
}
_GRAPH_DEFAULTS = {
    "erdos-renyi": {"regularize": "az", "m": None, "self_loops": False},
    "interventions": {"regularize": "a", "self_loops": False, "p": None},
    "paper": {},
}

FIT_PARAMETERS = ("dataset", "bound", "regularize", "p", "d", "samples", "test_samples",
                  "steps", "batch_size", "learning_rate", "hidden", "prior_hidden")
_FIT_DEFAULTS = {"bound": "truth", "regularize": None, "p": 0.5, "d": 10, "samples": 10_000,
                 "test_samples": 2_000, "steps": 2_000, "batch_size": 256,
                 "learning_rate": 1e-3, "hidden": 64, "prior_hidden": 64}

# parameters whose default None means "derived" (m = d; no temporal graph, so no p; the
# dataset's own graph; no sparsity regularization), which may therefore be written as null
_NULLABLE = {"erdos-renyi": {"m"}, "interventions": {"p"}, "paper": set(),
             "fit": {"regularize", "bound"}}

_COMMON_KEYS = {
    "graphs": ("kind", "family", "axes", "graphs_per_cell", "seed", "chunk_size", "confidence"),
    "fit": ("kind", "axes", "seeds"),
}
_MAX_SIZE = 10_000
_MAX_SEED = 2 ** 63 - 1


def _is_int(v) -> bool:
    return isinstance(v, numbers.Integral) and not isinstance(v, bool)


def _is_number(v) -> bool:
    return isinstance(v, numbers.Real) and not isinstance(v, bool)


def _int_in(where, v, lo, hi):
    if not _is_int(v) or not lo <= v <= hi:
        raise SweepError(f"{where}: {v!r} is not an integer from {lo:,} to {hi:,}")
    return int(v)


def _check_value(where: str, name: str, v, nullable: bool = False):
    """One parameter value, checked and normalised (ints as int, probabilities as float,
    ``regularize`` as ``a``/``z``/``az``); None where the parameter has a derived default."""
    if v is None and nullable:
        return None
    if name in ("d", "m", "k", "target_size"):
        return _int_in(where, v, 1, _MAX_SIZE)
    if name == "p":
        if not _is_number(v) or not 0.0 <= float(v) <= 1.0:  # NaN fails the comparison
            raise SweepError(f"{where}: {v!r} is not a probability in [0, 1]")
        return float(v)
    if name == "regularize":
        letters = v.strip().lower() if isinstance(v, str) else None
        if letters is None or not letters or set(letters) - {"a", "z"} \
                or len(set(letters)) != len(letters):
            raise SweepError(f"{where}: {v!r} is not a, z or az (the regularized graphs)")
        return "".join(ch for ch in "az" if ch in letters)
    if name == "self_loops":
        if not isinstance(v, bool):
            raise SweepError(f"{where}: {v!r} is not true or false")
        return v
    if name == "dataset":
        from ..errors import ExampleNotFoundError
        from ..numeric import dataset_name

        try:
            return dataset_name(v)
        except ExampleNotFoundError as exc:
            raise SweepError(f"{where}: {exc}") from None
    if name == "bound":
        if v == "truth":
            return v
        if not _is_number(v) or not 0 <= float(v) < math.inf:
            raise SweepError(f"{where}: {v!r} is not null, truth or a non-negative number")
        return int(v) if _is_int(v) else float(v)
    if name in ("samples", "test_samples", "steps", "batch_size", "hidden", "prior_hidden"):
        return _int_in(where, v, 1, 10 ** 9)
    if name == "learning_rate":
        if not _is_number(v) or not 0 < float(v) < math.inf:
            raise SweepError(f"{where}: {v!r} is not a positive number")
        return float(v)
    raise AssertionError(name)  # pragma: no cover - every parameter is listed above


def _expand(where: str, value) -> list:
    """An axis written as a list or as a range mapping, as a list of raw values."""
    if isinstance(value, dict):
        extra = set(value) - {"from", "to", "step", "num"}
        if extra:
            key = sorted(map(str, extra))[0]
            raise SweepError(f"{where}: unknown range key {key!r}"
                             f"{did_you_mean(key, ['from', 'to', 'step', 'num'])}; a range is "
                             "{from: A, to: B, step: S} or {from: A, to: B, num: N}")
        if "from" not in value or "to" not in value or ("step" in value and "num" in value):
            raise SweepError(f"{where}: a range needs from, to and at most one of step or num")
        lo, hi = value["from"], value["to"]
        if "step" not in value and "num" not in value:
            if not (_is_int(lo) and _is_int(hi)):
                raise SweepError(f"{where}: a range of numbers that are not integers needs a "
                                 "step or a num")
            value = {**value, "step": 1}
        for k in ("from", "to"):
            if not _is_number(value[k]) or not math.isfinite(value[k]):
                raise SweepError(f"{where}.{k}: {value[k]!r} is not a finite number")
        if "num" in value:
            num = _int_in(f"{where}.num", value["num"], 1, MAX_CELLS)
            if hi < lo:
                raise SweepError(f"{where}: empty range (from {lo} to {hi})")
            if num == 1:
                return [lo] if lo == hi else _fail_num(where, lo, hi)
            vals = [lo + (hi - lo) * i / (num - 1) for i in range(num)]
        else:
            step = value["step"]
            if not _is_number(step) or not step > 0 or not math.isfinite(step):
                raise SweepError(f"{where}.step: {step!r} is not a positive number")
            if hi < lo:
                raise SweepError(f"{where}: empty range (from {lo} to {hi})")
            count = math.floor((hi - lo) / step + 1e-9) + 1
            if count > MAX_CELLS:
                raise SweepError(f"{where}: the range has {count:,} values (over {MAX_CELLS:,})")
            vals = [lo + i * step for i in range(count)]
        if all(_is_int(v) for v in (lo, hi, value.get("step", 1))) and "num" not in value:
            return [int(v) for v in vals]
        return [round(float(v), 12) for v in vals]
    if isinstance(value, (list, tuple)):
        if not value:
            raise SweepError(f"{where}: empty range: give at least one value")
        return list(value)
    raise SweepError(f"{where}: an axis is a list of values or a range {{from, to, step}}, "
                     f"got {type(value).__name__} {value!r}")


def _fail_num(where, lo, hi):
    raise SweepError(f"{where}: num = 1 needs from = to (got {lo} and {hi})")


class SweepSpec:
    """A checked sweep specification: the grid's axes, the fixed parameters and the task.

    Build one with :func:`load_spec`. Cells are numbered in the order of the grid: the first
    axis varies slowest (``itertools.product`` of the axes in the order written).

    Attributes
    ----------
    kind : {"graphs", "fit"}
    family : str or None
        The graph family (``graphs`` kind).
    axes : tuple of (str, tuple)
        Each axis and its values, in the order written.
    fixed : dict
        The parameters that are not axes, with the defaults filled in.
    graphs_per_cell, seed, chunk_size : int
    confidence : float
    seeds : tuple of int
        The replicate seeds of a ``fit`` grid.
    source : str
        Where the specification came from (a file name, or ``<spec>``), as messages name it.

    Examples
    --------
    >>> from identkit.sweep import load_spec
    >>> spec = load_spec({"kind": "graphs", "axes": {"d": [3, 5], "p": [0.1, 0.5]},
    ...                   "graphs_per_cell": 100})
    >>> spec.n_cells, spec.cell(3)
    (4, {'d': 5, 'p': 0.5, 'regularize': 'az', 'm': None, 'self_loops': False})
    """

    __slots__ = ("kind", "family", "axes", "fixed", "graphs_per_cell", "seed", "chunk_size",
                 "confidence", "seeds", "source", "_strides")

    def __init__(self, kind, family, axes, fixed, *, graphs_per_cell=1000, seed=0,
                 chunk_size=1000, confidence=0.95, seeds=(), source="<spec>"):
        set_ = object.__setattr__
        set_(self, "kind", kind)
        set_(self, "family", family)
        set_(self, "axes", tuple((k, tuple(v)) for k, v in axes))
        set_(self, "fixed", dict(fixed))
        set_(self, "graphs_per_cell", graphs_per_cell)
        set_(self, "seed", seed)
        set_(self, "chunk_size", chunk_size)
        set_(self, "confidence", confidence)
        set_(self, "seeds", tuple(seeds))
        set_(self, "source", source)
        strides, s = [], 1
        for _, vals in reversed(self.axes):
            strides.append(s)
            s *= len(vals)
        set_(self, "_strides", tuple(reversed(strides)))

    def __setattr__(self, name, value):
        raise AttributeError("SweepSpec is immutable")

    @property
    def axis_names(self) -> tuple:
        """The names of the axes, in order."""
        return tuple(k for k, _ in self.axes)

    @property
    def n_cells(self) -> int:
        """The number of cells of the grid (the product of the axis lengths). O(axes)."""
        return math.prod(len(v) for _, v in self.axes)

    def coordinates(self, index: int) -> dict:
        """The axis values of cell ``index``. O(axes)."""
        return {k: vals[(index // s) % len(vals)]
                for (k, vals), s in zip(self.axes, self._strides)}

    def cell(self, index: int) -> dict:
        """All the parameters of cell ``index``: the fixed ones and its axis values. O(axes)."""
        if not _is_int(index) or not 0 <= index < self.n_cells:
            raise SweepError(f"cell index {index!r} is not in 0 .. {self.n_cells - 1}")
        out = dict(self.fixed)
        out.update(self.coordinates(int(index)))
        order = GRAPH_PARAMETERS[self.family] if self.kind == "graphs" else FIT_PARAMETERS
        return {k: out[k] for k in order if k in out}

    def cells(self):
        """Iterate over ``(index, parameters)`` of every cell, in order. O(cells · axes)."""
        for i in range(self.n_cells):
            yield i, self.cell(i)

    def to_dict(self) -> dict:
        """The normalised specification as plain data (what the manifest records)."""
        out = {"kind": self.kind}
        if self.kind == "graphs":
            out["family"] = self.family
        out["axes"] = {k: list(vals) for k, vals in self.axes}
        out.update(self.fixed)
        if self.kind == "graphs":
            out.update(graphs_per_cell=self.graphs_per_cell, seed=self.seed,
                       chunk_size=self.chunk_size, confidence=self.confidence)
        else:
            out["seeds"] = list(self.seeds)
        return out

    @property
    def digest(self) -> str:
        """SHA-256 of the normalised specification: equal digests, equal grids and tasks."""
        text = json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()

    def __eq__(self, other):
        return isinstance(other, SweepSpec) and self.to_dict() == other.to_dict()

    def __hash__(self):
        return hash(self.digest)

    def __repr__(self):
        shape = " × ".join(f"{k}({len(v)})" for k, v in self.axes) or "one cell"
        what = self.family if self.kind == "graphs" else "fit"
        return f"<SweepSpec {what}: {shape} = {self.n_cells:,} cells>"


def _read(source) -> tuple[dict, str]:
    """The mapping of a specification and the name messages use for it."""
    if isinstance(source, dict):
        return source, "<spec>"
    try:
        path = os.fsdecode(source)
    except TypeError:
        raise SweepError(f"a specification is a mapping or a YAML file path, got "
                         f"{type(source).__name__}") from None
    from ..errors import GraphFileError
    from ..io import parse_data

    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read((1 << 20) + 1)
    except FileNotFoundError:
        raise SweepError(f"{path}: no such specification file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SweepError(f"{path}: cannot read the specification: "
                         f"{getattr(exc, 'strerror', None) or exc}") from None
    if len(text) > 1 << 20:
        raise SweepError(f"{path}: a specification is at most 1 MiB")
    try:
        data = parse_data(text, "yaml", path)
    except GraphFileError as exc:
        raise SweepError(str(exc)) from None
    if not isinstance(data, dict):
        raise SweepError(f"{path}: a specification is a mapping of keys (kind, axes, ...), got "
                         f"{type(data).__name__}")
    return data, path


def load_spec(source, *, yes: bool = False) -> SweepSpec:
    """Read and check a sweep specification.

    Parameters
    ----------
    source : str, path-like, dict or SweepSpec
        A YAML (or JSON) file, or the mapping itself.
    yes : bool, default False
        Confirm a grid of more than :data:`MAX_CELLS` cells.

    Returns
    -------
    SweepSpec

    Raises
    ------
    SweepError
        For an unreadable file, an unknown key, kind, family or axis, an empty range, a value
        out of range (a probability outside [0, 1], a target size above d), an axis that is also
        fixed, a missing parameter, or a grid too large without ``yes``; the message names the
        file and the key.

    Examples
    --------
    The minimal specification of the documentation:

    >>> from identkit.sweep import load_spec
    >>> spec = load_spec({"kind": "graphs", "family": "erdos-renyi",
    ...                   "axes": {"d": [3, 5, 8], "p": [0.1, 0.3, 0.5, 0.7, 0.9],
    ...                            "regularize": ["a", "z", "az"]},
    ...                   "graphs_per_cell": 2000, "seed": 0})
    >>> spec
    <SweepSpec erdos-renyi: d(3) × p(5) × regularize(3) = 45 cells>
    >>> load_spec({"kind": "graphs", "axes": {"d": [3], "p": [0.5, 1.5]}})
    Traceback (most recent call last):
    ...
    identkit.errors.SweepError: <spec>: axes.p[1]: 1.5 is not a probability in [0, 1]

    Notes
    -----
    O(cells) for the checks that depend on a cell (target sizes), O(axis values) otherwise.
    """
    if isinstance(source, SweepSpec):
        spec = source
    else:
        data, name = _read(source)
        try:
            spec = _build(data, yes)
        except SweepError as exc:
            raise SweepError(f"{name}: {exc}") from None
        spec = SweepSpec(spec.kind, spec.family, spec.axes, spec.fixed,
                         graphs_per_cell=spec.graphs_per_cell, seed=spec.seed,
                         chunk_size=spec.chunk_size, confidence=spec.confidence,
                         seeds=spec.seeds, source=name)
    try:
        _too_large(spec, yes)
    except SweepError as exc:
        raise SweepError(f"{spec.source}: {exc}") from None
    return spec


def _too_large(spec: SweepSpec, yes: bool) -> None:
    if spec.n_cells > MAX_CELLS and not yes:
        raise SweepError(f"the grid has {spec.n_cells:,} cells, over {MAX_CELLS:,}: confirm "
                         "with --yes (yes=True) or shrink an axis")


def _build(data: dict, yes: bool) -> SweepSpec:
    kind = data.get("kind")
    if kind not in ("graphs", "fit"):
        if "kind" not in data:
            raise SweepError("kind: missing; give kind: graphs or kind: fit")
        raise SweepError(f"kind: unknown kind {kind!r}"
                         f"{did_you_mean(str(kind), ['graphs', 'fit'])}; use graphs or fit")
    family = None
    if kind == "graphs":
        family = data.get("family", "erdos-renyi")
        if family not in FAMILIES:
            raise SweepError(f"family: unknown family {family!r}"
                             f"{did_you_mean(str(family), FAMILIES)}; known: "
                             f"{', '.join(FAMILIES)}")
        params, defaults = GRAPH_PARAMETERS[family], _GRAPH_DEFAULTS[family]
    else:
        params, defaults = FIT_PARAMETERS, _FIT_DEFAULTS
    nullable = _NULLABLE[family or kind]
    allowed = _COMMON_KEYS[kind] + params
    for key in data:
        if key not in allowed:
            hint = ""
            if kind == "graphs" and any(key in p for p in GRAPH_PARAMETERS.values()):
                hint = f" (the {family} family has no {key!r}; its parameters: " \
                       f"{', '.join(params)})"
            raise SweepError(f"{key}: unknown key{did_you_mean(str(key), allowed)}{hint}")
    axes_raw = data.get("axes", {})
    if not isinstance(axes_raw, dict):
        raise SweepError(f"axes: a mapping of axis names to values, got "
                         f"{type(axes_raw).__name__}")
    axes = []
    for name, raw in axes_raw.items():
        where = f"axes.{name}"
        if name not in params:
            what = f"the {family} family" if kind == "graphs" else "a fit grid"
            raise SweepError(f"{where}: unknown axis {name!r}{did_you_mean(str(name), params)}; "
                             f"{what} has the axes {', '.join(params)}")
        if name in data:
            raise SweepError(f"{where}: {name!r} is both an axis and a fixed key; keep one")
        values = [_check_value(f"{where}[{i}]", name, v, name in nullable)
                  for i, v in enumerate(_expand(where, raw))]
        seen = set()
        for i, v in enumerate(values):
            if v in seen:
                raise SweepError(f"{where}[{i}]: {v!r} is given twice (two identical cells)")
            seen.add(v)
        axes.append((name, values))
    fixed = {}
    for name in params:
        if name in axes_raw:
            continue
        if name in data:
            fixed[name] = _check_value(name, name, data[name], name in nullable)
        elif name in defaults:
            fixed[name] = defaults[name]
        else:
            raise SweepError(f"{name}: missing; give it as an axis (axes: {{{name}: [...]}}) "
                             "or as a fixed key")
    if kind == "graphs":
        graphs_per_cell = _int_in("graphs_per_cell", data.get("graphs_per_cell", 1000), 1,
                                  10 ** 12)
        seed = _int_in("seed", data.get("seed", 0), 0, _MAX_SEED)
        chunk = _int_in("chunk_size", data.get("chunk_size", 1000), 1, 10 ** 9)
        conf = data.get("confidence", 0.95)
        if not _is_number(conf) or not 0 < float(conf) < 1:
            raise SweepError(f"confidence: {conf!r} is not a number strictly between 0 and 1")
        spec = SweepSpec(kind, family, axes, fixed, graphs_per_cell=graphs_per_cell, seed=seed,
                         chunk_size=chunk, confidence=float(conf))
        _too_large(spec, yes)
        _check_graph_cells(spec)
        return spec
    seeds = data.get("seeds", 1)
    if _is_int(seeds):
        seeds = list(range(_int_in("seeds", seeds, 1, 10 ** 6)))
    elif isinstance(seeds, (list, tuple)) and seeds:
        seeds = [_int_in(f"seeds[{i}]", s, 0, 2 ** 32 - 1) for i, s in enumerate(seeds)]
        if len(set(seeds)) != len(seeds):
            raise SweepError("seeds: a seed is given twice")
    else:
        raise SweepError(f"seeds: a count or a non-empty list of seeds, got {seeds!r}")
    spec = SweepSpec(kind, None, axes, fixed, graphs_per_cell=0, chunk_size=1, seeds=seeds)
    _too_large(spec, yes)
    _check_fit_cells(spec)
    return spec


def _check_graph_cells(spec: SweepSpec) -> None:
    family = spec.family

    def test(cell):
        reg = cell["regularize"]
        if family == "paper" and reg == "az":
            return ("regularize: the paper's generator draws one graph, Ga (regularize a, "
                    "ActionRandomGraphs) or Gz (regularize z, TimeRandomGraphs), not az")
        if family == "interventions":
            if "a" not in reg:
                return "regularize: an interventions grid regularizes the action graph (a or az)"
            if cell["target_size"] > cell["d"]:
                return (f"target_size: {cell['target_size']} targets among d = {cell['d']} "
                        "latents")
            if "z" in reg and cell["p"] is None:
                return "p: regularize az draws a temporal graph: give its edge probability p"
        return None

    reads = {"erdos-renyi": (), "paper": ("regularize",),
             "interventions": ("regularize", "target_size", "d", "p")}[family]
    if reads:
        _check_on_distinct(spec, test, reads)


def _check_fit_cells(spec: SweepSpec) -> None:
    def test(cell):
        reg = cell["regularize"]
        if reg is None:
            return None
        has = "a" if cell["dataset"].startswith("Action") else "z"
        if reg != has:
            return (f"regularize: {cell['dataset']} has only "
                    f"{'an action' if has == 'a' else 'a temporal'} graph (regularize {has})")
        return None

    _check_on_distinct(spec, test, ("regularize", "dataset"))


def _check_on_distinct(spec, test, reads):
    """Run ``test`` once per distinct combination of the axes among ``reads`` (the other axes
    do not change its answer), naming the first cell where it fails."""
    names = [k for k, _ in spec.axes if k in reads]
    values = [dict(spec.axes)[k] for k in names]
    for combo in itertools.product(*values):
        cell = dict(spec.fixed)
        cell.update(dict(zip(names, combo)))
        for k, vals in spec.axes:  # the unread axes: their first value
            cell.setdefault(k, vals[0])
        msg = test(cell)
        if msg:
            index = sum(dict(spec.axes)[k].index(cell[k]) * s
                        for (k, _), s in zip(spec.axes, spec._strides))
            coords = ", ".join(f"{k}={v!r}" for k, v in spec.coordinates(index).items()
                               if k in names)
            raise SweepError(f"{msg} (cell {index}{': ' + coords if coords else ''})")
