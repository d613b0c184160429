"""The ``fit`` kind: training runs of the paper's estimation procedure over a grid.

Each run trains :class:`identkit.learn.MechanismSparsityVAE` on a dataset of
:mod:`identkit.numeric.datasets` (the training split of the process of its seed) and scores it
on the test split of the same process with :func:`identkit.learn.evaluate`: MCC, R, Rcon and
the normalised SHD (§6), and the wall time of the training. A cell is one setting of the axes;
its row holds the mean and the standard deviation of each score over the seeds, as the paper's
Table 4 reports them (``mean ± sd`` over 5 seeds).

This kind needs the ``[learn]`` extra (jax and optax); the import happens inside the task, on
the worker, so a ``graphs`` sweep never loads jax.
"""

from __future__ import annotations

import importlib.util
import math
import time

import numpy as np

from ..errors import DependencyError

__all__ = ["fit_task", "FitRuns", "SCORES"]

#: The scores of a run, in the columns' order.
SCORES = ("mcc", "r", "rcon", "shd")


def fit_task(cell: int, params: dict, *, seed: int = 0) -> dict:
    """Train and score one run: the cell's parameters with one seed (what a worker runs).

    The run is what a user would write with the public API: the dataset's process
    :func:`identkit.numeric.dataset_process` of ``seed`` (``d``, ``p``) gives the ``train``
    split (``samples`` examples; temporal datasets as pairs ``(x^0, x^1)``, action datasets with
    their actions) and the ``test`` split (``test_samples``);
    :class:`identkit.learn.MechanismSparsityVAE` with the same ``seed`` is fitted on the first
    and :func:`identkit.learn.evaluate` scores it on the second (its last time step).

    ``bound`` ``truth`` is the number of edges of the dataset's true regularized graphs (the
    paper's choice in Table 4), a number is the budget itself, and ``None`` trains without
    sparsity regularization (``sparsity=None``). ``hidden`` and ``prior_hidden`` are the widths
    of the estimator's hidden layers (three for the encoder and the decoder, two for each
    latent's transition network, as its defaults have).

    Returns
    -------
    dict
        ``cell``, ``seed``, the scores ``mcc``, ``r``, ``rcon``, ``shd``, the ``bound_used``
        and ``seconds`` (training wall time).

    Raises
    ------
    LearnError
        For a bound larger than the learned graphs can hold, or training data the estimator
        refuses (raised on the worker, re-raised by the runner).
    """
    from ..learn import MechanismSparsityVAE, evaluate
    from ..numeric import dataset_process

    proc = dataset_process(params["dataset"], seed=seed, d=params["d"], p=params["p"])
    graph = proc.graph
    reg = params["regularize"] or graph.graphs
    bound = params["bound"]
    if bound == "truth":
        bound = sum(graph.n_edges(which) for which in reg)
    train = proc.split("train", params["samples"])
    test = proc.split("test", params["test_samples"])
    x = np.stack([train["x_prev"][:, 0], train["x"]], axis=1) if proc.temporal else train["x"]
    width, prior_width = params["hidden"], params["prior_hidden"]
    model = MechanismSparsityVAE(
        graph.n_latents, regularize=params["regularize"],
        sparsity=None if bound is None else "constraint", bound=bound,
        steps=params["steps"], batch_size=min(params["batch_size"], params["samples"]),
        learning_rate=params["learning_rate"], hidden=(width,) * 3,
        prior_hidden=(prior_width,) * 2, seed=seed, progress=False)
    start = time.perf_counter()
    model.fit(x, actions=None if proc.temporal else train["a"])
    seconds = time.perf_counter() - start
    scores = evaluate(model, test["x"], test["z"], graph)
    out = {"cell": cell, "seed": seed}
    out.update({k: float(getattr(scores, k)) for k in SCORES})
    out["bound_used"] = None if bound is None else float(bound)
    out["seconds"] = seconds
    return out


class FitRuns:
    """The runs of a ``fit`` grid: which remain, and the cell rows as their last run arrives.

    The tables: ``runs.csv`` (``cell``, ``seed``, the axes, the scores, ``bound_used``,
    ``seconds``) and ``cells.csv`` (``cell``, the axes, ``n_runs``, ``<score>_mean`` and
    ``<score>_sd`` for each score, ``seconds_mean``).
    """

    unit = "runs"

    def __init__(self, spec):
        self.spec = spec
        self.runs: dict = {}

    @property
    def run_columns(self) -> tuple:
        return ("cell", "seed") + self.spec.axis_names + SCORES + ("bound_used", "seconds")

    @property
    def columns(self) -> tuple:
        stats = tuple(f"{s}_{w}" for s in SCORES for w in ("mean", "sd"))
        return ("cell",) + self.spec.axis_names + ("n_runs",) + stats + ("seconds_mean",)

    def resume(self, finished_cells, finished_runs) -> list:
        """Take in the runs already on disk; return the rows of cells they complete."""
        done = []
        for (cell, seed), row in sorted(finished_runs.items()):
            if cell not in finished_cells:
                done += self._add(row)
        return done

    def plan(self, finished_cells, finished_runs, n_workers) -> list:
        """One task per remaining run: ``(function, args, kwargs, 1)``.

        Raises
        ------
        DependencyError
            When runs remain and jax or optax is not installed here (before any task starts;
            the workers are expected to have what the driver has).
        """
        tasks = []
        for cell in range(self.spec.n_cells):
            if cell in finished_cells:
                continue
            params = self.spec.cell(cell)
            for seed in self.spec.seeds:
                if (cell, seed) not in finished_runs:
                    tasks.append((fit_task, (cell, params), {"seed": seed}, 1))
        missing = [m for m in ("jax", "optax") if importlib.util.find_spec(m) is None]
        if tasks and missing:
            raise DependencyError(f"a fit grid trains identkit.learn, which needs jax and optax "
                                  f"({missing[0]} is missing): pip install 'identkit[learn]'")
        return tasks

    def absorb(self, result) -> tuple[list, list]:
        row = {"cell": result["cell"], "seed": result["seed"],
               **self.spec.coordinates(result["cell"])}
        row.update({k: result[k] for k in SCORES + ("bound_used", "seconds")})
        return [row], self._add(row)

    def _add(self, row) -> list:
        runs = self.runs.setdefault(row["cell"], {})
        runs[row["seed"]] = row
        if len(runs) < len(self.spec.seeds):
            return []
        return [self.cell_row(row["cell"], [runs[s] for s in self.spec.seeds])]

    def cell_row(self, cell, runs) -> dict:
        """Means and sample standard deviations over the seeds (sd 0 for one seed)."""
        del self.runs[cell]
        out = {"cell": cell, **self.spec.coordinates(cell), "n_runs": len(runs)}
        for s in SCORES:
            vals = [r[s] for r in runs]
            mean = math.fsum(vals) / len(vals)
            var = math.fsum((v - mean) ** 2 for v in vals) / (len(vals) - 1) \
                if len(vals) > 1 else 0.0
            out[f"{s}_mean"], out[f"{s}_sd"] = mean, math.sqrt(var)
        out["seconds_mean"] = math.fsum(r["seconds"] for r in runs) / len(runs)
        return out
