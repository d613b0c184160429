"""Sweeps: grids of random graphs and of training runs, computed on ``dask.distributed``
(needs the ``[sweep]`` extra).

Two questions cannot be answered one model at a time: *how likely is a graph of this kind to
guarantee disentanglement?* (the ``graphs`` kind: millions of random graphs, a fraction of
complete ones per cell with its Wilson interval) and *does the method work across datasets,
bounds and seeds?* (the ``fit`` kind: a grid of training runs of :mod:`identkit.learn`). A
specification (:func:`load_spec`) names the grid; :func:`run` computes it on a local Dask
cluster or on any scheduler, writes each cell as it finishes and resumes an interrupted sweep;
:func:`plot_results` draws the phase diagram. The command line: ``identkit sweep SPEC.yaml -o
RESULTS_DIR`` and ``identkit sweep plot RESULTS_DIR -o FIG.png``; the guide is the
documentation page "How often does a random graph disentangle?".

>>> from identkit.sweep import load_spec
>>> load_spec({"kind": "graphs", "axes": {"d": [3, 5], "p": [0.1, 0.5, 0.9]}})
<SweepSpec erdos-renyi: d(2) × p(3) = 6 cells>
"""

try:  # the one place the extra is checked
    import distributed as _distributed  # noqa: F401
except ImportError as exc:  # pragma: no cover - exercised in a subprocess without the extra
    from ..errors import DependencyError

    raise DependencyError(
        f"identkit.sweep needs dask.distributed ({exc.name or 'distributed'} is missing): "
        "pip install 'identkit[sweep]'") from None

from .families import (  # noqa: E402 - after the dependency check
    PAPER_SEED_OFFSET, STAT_COLUMNS, GraphCells, draw_graph, graph_generator, graph_statistics,
    graphs_task, paper_random_graph, plan_graph_tasks, wilson_interval)
from .fit import SCORES, FitRuns, fit_task  # noqa: E402
from .plotting import plot_results  # noqa: E402
from .results import (  # noqa: E402
    ResultsStore, SweepResults, format_value, load_results)
from .runner import SweepRun, kind_of, run  # noqa: E402
from .spec import (  # noqa: E402
    FAMILIES, FIT_PARAMETERS, GRAPH_PARAMETERS, MAX_CELLS, SweepSpec, load_spec)

__all__ = [
    "load_spec", "SweepSpec", "run", "SweepRun", "load_results", "SweepResults", "plot_results",
    "paper_random_graph", "graph_generator", "draw_graph", "graph_statistics",
    "wilson_interval", "graphs_task", "plan_graph_tasks", "GraphCells", "fit_task", "FitRuns",
    "ResultsStore", "format_value", "kind_of", "FAMILIES", "GRAPH_PARAMETERS",
    "FIT_PARAMETERS", "MAX_CELLS", "PAPER_SEED_OFFSET", "STAT_COLUMNS", "SCORES",
]
