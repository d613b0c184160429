"""The results folder of a sweep: a tidy table written cell by cell, and a manifest.

``RESULTS_DIR/manifest.json`` records the normalised specification, its digest, how seeds are
derived, the versions of the software and the state of the sweep (``running``,
``interrupted``, ``complete``). ``RESULTS_DIR/cells.csv`` has one row per finished cell
(``runs.csv`` one per finished training run for ``fit`` grids): each row is appended and
flushed the moment its cell finishes, so an interrupted or killed sweep keeps every finished
cell, and a rerun of the same specification computes only the rest. When the sweep completes,
the table is rewritten in the order of the cells. A folder written by another specification is
refused, naming the first key that differs.
"""

from __future__ import annotations

import csv
import io
import json
import os
import platform
import time

from ..errors import SweepError
from .spec import SweepSpec, load_spec

__all__ = ["ResultsStore", "SweepResults", "load_results", "format_value", "MANIFEST", "CELLS",
           "RUNS", "FORMAT"]

MANIFEST, CELLS, RUNS = "manifest.json", "cells.csv", "runs.csv"
FORMAT = "identkit-sweep/1"
_SYNC_EVERY = 1.0  # seconds between two fsyncs of a table (each row is flushed at once)


def format_value(v) -> str:
    """A table entry: ints and strings as written, floats with the digits that read back
    exactly (``repr``), booleans as ``true``/``false``, None as an empty entry.

    Examples
    --------
    >>> from identkit.sweep import format_value
    >>> [format_value(v) for v in (3, 0.1, 1 / 3, True, None, "az")]
    ['3', '0.1', '0.3333333333333333', 'true', '', 'az']
    """
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return repr(v)
    return str(v)


def _versions() -> dict:
    import dask
    import distributed
    import numpy

    from .. import __version__

    return {"identkit": __version__, "numpy": numpy.__version__, "dask": dask.__version__,
            "distributed": distributed.__version__, "python": platform.python_version()}


def _seeding(spec: SweepSpec) -> str:
    if spec.kind == "fit":
        return ("each run's seed (the seeds key) draws its dataset (identkit.numeric.generate) "
                "and initialises its model")
    if spec.family == "paper":
        return (f"graph j of every cell is the paper's graph for seed {spec.seed} + j: "
                "numpy.random.default_rng(45321 + seed).binomial(1, P)")
    return (f"graph j of cell c: numpy.random.default_rng(SeedSequence({spec.seed})"
            ".spawn(n_cells)[c].spawn(graphs_per_cell)[j])")


def _first_difference(a, b, where=""):
    """The first key path where two plain-data values differ, or None."""
    if isinstance(a, dict) and isinstance(b, dict):
        for k in list(a) + [k for k in b if k not in a]:
            if k not in a or k not in b:
                return f"{where}{k}"
            sub = _first_difference(a[k], b[k], f"{where}{k}.")
            if sub:
                return sub
        return None
    return None if a == b and type(a) is type(b) else where.rstrip(".") or "(the whole spec)"


class _Table:
    """One CSV table of a results folder: read what it holds, append rows as they come."""

    def __init__(self, path: str, columns: tuple, key):
        self.path, self.columns, self.key = path, tuple(columns), key
        self.rows: dict = {}
        self.fh = None
        self.synced = time.monotonic()

    def load(self, parse) -> None:
        """Read the finished rows. A last line cut short by a kill is dropped (and removed from
        the file); any other malformed line is refused, naming the row."""
        if not os.path.exists(self.path):
            return
        with open(self.path, encoding="utf-8", newline="") as fh:
            text = fh.read()
        keep = len(text) if text.endswith("\n") or not text else text.rfind("\n") + 1
        if keep != len(text):
            with open(self.path, "r+", encoding="utf-8", newline="") as fh:
                fh.truncate(len(text[:keep].encode("utf-8")))
            text = text[:keep]
        lines = list(csv.reader(io.StringIO(text)))
        if not lines:
            return
        if tuple(lines[0]) != self.columns:
            raise SweepError(f"{self.path}: the header is not this sweep's columns "
                             f"({','.join(self.columns)})")
        for n, fields in enumerate(lines[1:], start=2):
            if len(fields) != len(self.columns):
                raise SweepError(f"{self.path}: row {n} has {len(fields)} entries, not "
                                 f"{len(self.columns)}")
            row = parse(dict(zip(self.columns, fields)), f"{self.path}: row {n}")
            k = self.key(row)
            if k in self.rows and self.rows[k] != row:
                raise SweepError(f"{self.path}: row {n} repeats {k!r} with other values")
            self.rows[k] = row

    def append(self, row: dict) -> None:
        """Write one row and flush it at once (fsync at most once a second)."""
        if self.fh is None:
            new = not os.path.exists(self.path) or os.path.getsize(self.path) == 0
            self.fh = open(self.path, "a", encoding="utf-8", newline="")
            if new:
                csv.writer(self.fh, lineterminator="\n").writerow(self.columns)
        csv.writer(self.fh, lineterminator="\n").writerow(
            [format_value(row[c]) for c in self.columns])
        self.fh.flush()
        self.rows[self.key(row)] = row
        if time.monotonic() - self.synced > _SYNC_EVERY:
            os.fsync(self.fh.fileno())
            self.synced = time.monotonic()

    def close(self, sort: bool) -> None:
        if self.fh is not None:
            self.fh.flush()
            os.fsync(self.fh.fileno())
            self.fh.close()
            self.fh = None
        if sort:
            from ..io import atomic_write

            def write(fh):
                w = csv.writer(fh, lineterminator="\n")
                w.writerow(self.columns)
                for k in sorted(self.rows):
                    w.writerow([format_value(self.rows[k][c]) for c in self.columns])

            atomic_write(self.path, write)


class _Parser:
    """Rows of a table read back with their types (axis values as the spec has them)."""

    def __init__(self, spec: SweepSpec):
        self.axes = {k: {format_value(v): v for v in vals} for k, vals in spec.axes}

    def __call__(self, fields: dict, where: str) -> dict:
        out = {}
        for k, text in fields.items():
            try:
                if k in self.axes:
                    out[k] = self.axes[k][text]
                elif k in ("cell", "seed", "n", "n_complete", "n_runs"):
                    out[k] = int(text)
                else:
                    out[k] = float(text) if text else None
            except (KeyError, ValueError):
                raise SweepError(f"{where}: {k} = {text!r} is not a value of this sweep") \
                    from None
        return out


class ResultsStore:
    """A results folder opened for one specification: what is finished, and where new rows go.

    Parameters
    ----------
    path : str or path-like
        The folder (created if missing).
    spec : SweepSpec
    columns : tuple of str
        The header of ``cells.csv``.
    run_columns : tuple of str, optional
        The header of ``runs.csv`` (``fit`` grids).

    Raises
    ------
    SweepError
        If the folder holds files but no manifest, was written by another specification (the
        first differing key is named), or holds a malformed table (the row is named).
    """

    def __init__(self, path, spec: SweepSpec, columns, run_columns=None):
        try:
            self.path = os.fsdecode(path)
        except TypeError:
            raise SweepError(f"a results folder is a path, got {type(path).__name__}") from None
        self.spec = spec
        self.manifest_path = os.path.join(self.path, MANIFEST)
        if os.path.exists(self.path) and not os.path.isdir(self.path):
            raise SweepError(f"{self.path}: exists and is not a folder")
        if os.path.isdir(self.path) and os.listdir(self.path) \
                and not os.path.exists(self.manifest_path):
            raise SweepError(f"{self.path}: the folder is not empty and holds no {MANIFEST}: "
                             "it is not a sweep's results; give a new or empty folder")
        self.manifest = self._read_manifest()
        parse = _Parser(spec)
        self.cells = _Table(os.path.join(self.path, CELLS), columns, lambda r: r["cell"])
        self.cells.load(parse)
        self.runs = None
        if run_columns is not None:
            self.runs = _Table(os.path.join(self.path, RUNS), run_columns,
                               lambda r: (r["cell"], r["seed"]))
            self.runs.load(parse)

    def _read_manifest(self):
        if not os.path.exists(self.manifest_path):
            return None
        try:
            with open(self.manifest_path, encoding="utf-8") as fh:
                manifest = json.load(fh)
        except (OSError, ValueError) as exc:
            raise SweepError(f"{self.manifest_path}: not a sweep manifest ({exc})") from None
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise SweepError(f"{self.manifest_path}: not a sweep manifest of format {FORMAT}")
        mine = self.spec.to_dict()
        theirs = manifest.get("spec")
        if manifest.get("spec_digest") != self.spec.digest or theirs != mine:
            key = _first_difference(mine, theirs) if isinstance(theirs, dict) else "spec"
            raise SweepError(f"{self.path}: written by another specification ({key} differs); "
                             "give the same specification to resume, or a new folder")
        return manifest

    @property
    def finished_cells(self) -> set:
        """The indices of the cells whose rows are in the table."""
        return set(self.cells.rows)

    def start(self, workers: int, scheduler: str) -> None:
        """Write the manifest (the folder is created): the sweep is running."""
        os.makedirs(self.path, exist_ok=True)
        m = self.manifest or {"format": FORMAT, "spec": self.spec.to_dict(),
                              "spec_digest": self.spec.digest, "source": self.spec.source,
                              "cells": self.spec.n_cells, "seeding": _seeding(self.spec),
                              "sessions": []}
        m["versions"] = _versions()
        m["status"] = "running"
        m["finished_cells"] = len(self.cells.rows)
        m["sessions"].append({"started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                              "workers": workers, "scheduler": scheduler})
        self.manifest = m
        self._write_manifest()

    def add_cell(self, row: dict) -> None:
        self.cells.append(row)

    def add_run(self, row: dict) -> None:
        self.runs.append(row)

    def finish(self, status: str, **session) -> None:
        """Close the tables (sorted when the sweep is complete) and record the status."""
        complete = len(self.cells.rows) == self.spec.n_cells
        status = "complete" if complete else status
        self.cells.close(sort=complete)
        if self.runs is not None:
            self.runs.close(sort=complete)
        if self.manifest is not None:
            self.manifest["status"] = status
            self.manifest["finished_cells"] = len(self.cells.rows)
            self.manifest["sessions"][-1].update(session)
            self._write_manifest()

    def _write_manifest(self):
        from ..io import atomic_write

        text = json.dumps(self.manifest, indent=2, sort_keys=False) + "\n"
        atomic_write(self.manifest_path, lambda fh: fh.write(text))


class SweepResults:
    """A results folder read back: the specification, the manifest and the tables.

    Attributes
    ----------
    path : str
    spec : SweepSpec
    manifest : dict
    cells : list of dict
        The rows of ``cells.csv`` in the order of the cells, with their types.
    runs : list of dict or None
        The rows of ``runs.csv`` (``fit`` grids).
    """

    def __init__(self, path, spec, manifest, cells, runs):
        self.path, self.spec, self.manifest = path, spec, manifest
        self.cells, self.runs = cells, runs

    @property
    def complete(self) -> bool:
        """Whether every cell of the grid is in the table."""
        return len(self.cells) == self.spec.n_cells

    def column(self, name: str) -> list:
        """One column of ``cells.csv``, in the order of the cells."""
        if self.cells and name not in self.cells[0]:
            raise SweepError(f"{self.path}: no column {name!r} in {CELLS}")
        return [r[name] for r in self.cells]

    def __repr__(self):
        return (f"<SweepResults {self.path}: {len(self.cells):,} of {self.spec.n_cells:,} "
                "cells>")


def load_results(path) -> SweepResults:
    """Read a results folder written by :func:`identkit.sweep.run`.

    Raises
    ------
    SweepError
        If the folder has no manifest or a malformed table.
    """
    try:
        path = os.fsdecode(path)
    except TypeError:
        raise SweepError(f"a results folder is a path, got {type(path).__name__}") from None
    manifest_path = os.path.join(path, MANIFEST)
    try:
        with open(manifest_path, encoding="utf-8") as fh:
            manifest = json.load(fh)
    except FileNotFoundError:
        raise SweepError(f"{path}: no {MANIFEST}: not a sweep's results folder") from None
    except (OSError, ValueError) as exc:
        raise SweepError(f"{manifest_path}: not a sweep manifest ({exc})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT \
            or not isinstance(manifest.get("spec"), dict):
        raise SweepError(f"{manifest_path}: not a sweep manifest of format {FORMAT}")
    spec = load_spec(manifest["spec"], yes=True)
    from .runner import kind_of

    kind = kind_of(spec)
    store = ResultsStore(path, spec, kind.columns, kind.run_columns)
    cells = [store.cells.rows[k] for k in sorted(store.cells.rows)]
    runs = None if store.runs is None else [store.runs.rows[k] for k in sorted(store.runs.rows)]
    return SweepResults(path, spec, manifest, cells, runs)
