"""Running a sweep on ``dask.distributed``: a local cluster by default, any scheduler unchanged.

:func:`run` checks the specification, opens the results folder (refusing one written by another
specification), packs the remaining work into tasks, submits them to Dask and writes each cell
the moment its last task returns. Tasks are pure functions of their arguments (the cell's
parameters, its seeds, a range of graphs), so Dask may run them anywhere, in any order, and run
them again when a worker dies: the table does not change. Scheduling, retries and the transport
are Dask's; identkit adds no pool or retry logic of its own.
"""

from __future__ import annotations

import logging
import os
import sys
import time
import uuid

from distributed import Client, KilledWorker, LocalCluster, as_completed

from .._progress import Progress
from ..errors import SweepError
from .families import GraphCells, graphs_task, plan_graph_tasks
from .fit import FitRuns
from .results import CELLS, ResultsStore, load_results
from .spec import SweepSpec, load_spec

__all__ = ["run", "SweepRun", "kind_of"]

_WINDOW = 4096  # tasks in flight at most: the rest are submitted as these finish
_REDRAW = 0.1   # seconds between two redraws of the progress line


class _GraphKind:
    """The ``graphs`` kind as the runner sees it."""

    unit = "graphs"
    run_columns = None

    def __init__(self, spec):
        self.spec, self.cells = spec, GraphCells(spec)
        self.columns = self.cells.columns

    def resume(self, finished_cells, finished_runs) -> list:
        return []

    def plan(self, finished_cells, finished_runs, n_workers) -> list:
        """Tasks ``(function, args, kwargs, graphs)`` for the cells not finished."""
        pending = [c for c in range(self.spec.n_cells) if c not in finished_cells]
        return [(graphs_task, (self.spec.family, pieces), {"seed": self.spec.seed},
                 sum(stop - start for _, _, start, stop in pieces))
                for pieces in plan_graph_tasks(self.spec, pending, n_workers)]

    def absorb(self, result) -> tuple[list, list]:
        return [], self.cells.absorb(result)


def kind_of(spec: SweepSpec):
    """The object that plans a kind's tasks and turns their results into rows."""
    return _GraphKind(spec) if spec.kind == "graphs" else FitRuns(spec)


class SweepRun:
    """What one call of :func:`run` did.

    Attributes
    ----------
    results : SweepResults
        The folder read back (:func:`identkit.sweep.load_results`).
    computed : int
        Cells finished by this call.
    skipped : int
        Cells already in the folder (from an earlier, interrupted call).
    tasks : int
        Tasks submitted to Dask by this call.
    units : int
        Graphs (or training runs) computed by this call.
    seconds : float
        Wall time of the computation (cluster start excluded).
    """

    def __init__(self, results, computed, skipped, tasks, units, unit, seconds):
        self.results, self.computed, self.skipped = results, computed, skipped
        self.tasks, self.units, self.unit, self.seconds = tasks, units, unit, seconds

    def __str__(self) -> str:
        table = os.path.join(self.results.path, CELLS)
        rate = f", {self.units / self.seconds:,.0f} {self.unit}/s" if self.seconds > 0 and \
            self.units else ""
        return (f"{table}: {len(self.results.cells):,} of {self.results.spec.n_cells:,} cells "
                f"({self.computed:,} computed now, {self.skipped:,} already done; "
                f"{self.units:,} {self.unit} in {self.seconds:.1f} s{rate})")

    def __repr__(self):
        return f"<SweepRun {self.computed} computed, {self.skipped} skipped>"


def run(spec, results_dir, *, client=None, scheduler: str | None = None,
        workers: int | None = None, processes: bool = True, yes: bool = False,
        progress: bool | None = None, on_cell=None) -> SweepRun:
    """Compute a sweep on Dask and write its table; resume a folder's unfinished cells.

    Parameters
    ----------
    spec : SweepSpec, dict or path
        The specification (:func:`load_spec`), checked before anything starts.
    results_dir : str or path-like
        The results folder (created if missing). Rerunning with the same specification skips
        the finished cells.
    client : distributed.Client, optional
        An existing client (a cluster of yours, ``dask-jobqueue`` included). Left open.
    scheduler : str, optional
        The address of a running scheduler (``tcp://host:8786``), when ``client`` is not given.
    workers : int, optional
        Workers of the local cluster started when neither ``client`` nor ``scheduler`` is
        given (default: one per core, each with one thread).
    processes : bool, default True
        Local workers are processes (the graph work holds Python's GIL, so threads would share
        one core); False starts thread workers, quicker to start for a small sweep.
    yes : bool, default False
        Confirm a grid of over :data:`~identkit.sweep.MAX_CELLS` cells.
    progress : bool, optional
        Show a progress line on standard error; default: when it is a terminal.
    on_cell : callable, optional
        Called with each finished cell's row, after the row is written.

    Returns
    -------
    SweepRun

    Raises
    ------
    SweepError
        For a bad specification or results folder (before any work), or a task that kept
        losing its worker.
    KeyboardInterrupt
        On Ctrl-C, after the finished cells are saved (a rerun computes the rest).

    Examples
    --------
    >>> import tempfile
    >>> from identkit.sweep import run
    >>> spec = {"kind": "graphs", "axes": {"p": [0.2, 0.8]}, "d": 3, "regularize": "a",
    ...         "graphs_per_cell": 50}
    >>> out = run(spec, tempfile.mkdtemp(), workers=1, processes=False)
    >>> [(r["p"], r["n"]) for r in out.results.cells]
    [(0.2, 50), (0.8, 50)]

    Notes
    -----
    The driver holds at most 4,096 tasks in flight and O(cells in progress) sums; each row is
    appended and flushed at once.
    """
    spec = load_spec(spec, yes=yes)
    kind = kind_of(spec)
    store = ResultsStore(results_dir, spec, kind.columns, kind.run_columns)
    finished = store.finished_cells
    runs_done = dict(store.runs.rows) if store.runs is not None else {}
    skipped = len(finished)
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int)
                                or workers < 1):
        raise SweepError(f"workers must be a positive integer, got {workers!r}")
    own = []
    if client is None and len(finished) < spec.n_cells:
        if scheduler is not None:
            try:
                client = Client(scheduler, timeout="10s")
            except (OSError, TimeoutError) as exc:
                raise SweepError(f"cannot reach the scheduler {scheduler}: {exc}") from None
            own.append(client)
        else:
            cluster = LocalCluster(n_workers=workers or os.cpu_count() or 1,
                                   threads_per_worker=1, processes=processes,
                                   dashboard_address=":0", silence_logs=logging.ERROR,
                                   scheduler_kwargs={"dashboard": False})
            own.append(cluster)
            client = Client(cluster)
            own.insert(0, client)
    status, computed, n_tasks, units, seconds = "interrupted", 0, 0, 0, 0.0
    bar = None
    try:
        n_workers = max(1, len(client.scheduler_info()["workers"])) if client else 1
        where = "local" if own and scheduler is None else \
            scheduler or str(getattr(getattr(client, "scheduler", None), "address", "client"))
        store.start(n_workers, where)
        for row in kind.resume(finished, runs_done):
            store.add_cell(row)
            computed += 1
        finished = store.finished_cells
        tasks = kind.plan(finished, runs_done, n_workers)
        bar = _SweepProgress(spec.n_cells, len(finished), sum(t[-1] for t in tasks),
                             kind.unit, progress)
        start = time.monotonic()
        if tasks:
            computed_, n_tasks, units = _compute(client, tasks, kind, store, bar, on_cell)
            computed += computed_
        seconds = time.monotonic() - start
        status = "complete"
    except KeyboardInterrupt:
        if bar is not None:
            bar.close()
            bar = None
        print(f"identkit sweep: interrupted; {len(store.finished_cells):,} of "
              f"{spec.n_cells:,} cells are saved in {store.path} (rerun to compute the rest)",
              file=sys.stderr)
        raise
    finally:
        if bar is not None:
            bar.close()
        store.finish(status, computed_cells=computed, tasks=n_tasks,
                     seconds=round(seconds, 3))
        for obj in own:
            obj.close()
    return SweepRun(load_results(store.path), computed, skipped, n_tasks, units, kind.unit,
                    seconds)


class _SweepProgress:
    """The sweep's counts drawn on the one progress line of :mod:`identkit._progress`: units
    (graphs or runs) done with their rate and the time left, and the cells done as its note;
    redrawn at most every ``_REDRAW`` seconds, and once more at the end."""

    def __init__(self, cells_total, cells_done, units_total, unit, enabled):
        self.line = Progress(units_total, "sweep", unit=unit, enabled=enabled)
        self.cells_total, self.cells_done, self.units_done = cells_total, cells_done, 0
        self.drawn = None

    def update(self, cells, units) -> None:
        self.cells_done += cells
        self.units_done += units
        now = time.monotonic()
        if self.drawn is None or now - self.drawn >= _REDRAW:
            self.draw()
            self.drawn = now

    def draw(self) -> None:
        self.line.update(self.units_done, f"{self.cells_done:,}/{self.cells_total:,} cells")

    def close(self) -> None:
        if self.drawn is not None:
            self.draw()
        self.line.close()


def _compute(client, tasks, kind, store, bar, on_cell):
    """Submit the tasks (at most ``_WINDOW`` in flight) and write rows as results arrive; on
    any exit, the tasks still in flight are cancelled."""
    tag = uuid.uuid4().hex[:8]
    pending = iter(enumerate(tasks))
    flight = as_completed()
    live = {}
    computed = units = 0

    def submit():
        item = next(pending, None)
        if item is not None:
            i, (fn, args, kwargs, n) = item
            fut = client.submit(fn, *args, **kwargs, key=f"identkit-sweep-{tag}-{i}",
                                pure=False)
            live[fut.key] = (fut, n)
            flight.add(fut)

    try:
        for _ in range(min(_WINDOW, len(tasks))):
            submit()
        for fut in flight:
            try:
                result = fut.result()
            except KilledWorker as exc:
                raise SweepError(f"a task lost its worker too many times ({exc}); the "
                                 "finished cells are saved: rerun to compute the rest") from None
            _, n = live.pop(fut.key)
            fut.release()
            run_rows, cell_rows = kind.absorb(result)
            for row in run_rows:
                store.add_run(row)
            for row in cell_rows:
                store.add_cell(row)
                computed += 1
                if on_cell is not None:
                    on_cell(row)
            units += n
            bar.update(cells=len(cell_rows), units=n)
            submit()
    finally:
        flight.clear()
        if live:
            client.cancel([f for f, _ in live.values()])
    return computed, len(tasks), units
