"""Speed of graph sweeps on a local Dask cluster: 10^6 random graphs at d = 10.

Goals: the graphs per second per core; a speed-up of at least 1.7x from one worker to two; the
scheduler's share of the time under 10 %. The share is measured from Dask's task stream: one
minus the time the workers spent computing tasks over ``workers × wall time`` (so it counts the
scheduler, the transfers, the driver writing rows, and workers idle at the end).

Run ``python benchmarks/bench_sweep.py [--graphs N] [--workers 1,2]`` for the measurement (the
default N is 10^6; it takes minutes). With ``--benchmark-disable`` (how the test suite runs this
file) the case below sweeps 2,000 graphs on one thread worker, to keep the suite fast;
benchmarking proper (``pytest benchmarks/bench_sweep.py --benchmark-enable``) sweeps 10^6 on two
worker processes.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import time


def sweep_spec(n_graphs: int) -> dict:
    """Ten cells of Erdős–Rényi models at d = 10 (both graphs regularized, p from 0.05 to 0.95),
    ``n_graphs`` graphs in all."""
    return {"kind": "graphs", "family": "erdos-renyi", "d": 10, "regularize": "az",
            "axes": {"p": [0.05, 0.15, 0.25, 0.35, 0.45, 0.55, 0.65, 0.75, 0.85, 0.95]},
            "graphs_per_cell": max(1, n_graphs // 10), "seed": 0}


def measure(n_graphs: int, workers: int, processes: bool = True) -> dict:
    """Sweep ``n_graphs`` graphs on a fresh local cluster; the cluster's start is not timed.

    Returns
    -------
    dict
        ``graphs``, ``workers``, ``tasks``, ``seconds`` (wall time of the sweep), ``graphs_per_s``,
        ``graphs_per_s_per_core``, ``compute_seconds`` (summed over the workers' tasks) and
        ``scheduler_share``.
    """
    from distributed import Client, LocalCluster, get_task_stream

    from identkit.sweep import run

    spec = sweep_spec(n_graphs)
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=processes,
                           dashboard_address=":0", silence_logs=logging.ERROR,
                           scheduler_kwargs={"dashboard": False})
    client = Client(cluster)
    try:
        client.run(lambda: __import__("identkit.sweep"))          # imports, not timed
        with tempfile.TemporaryDirectory() as folder, get_task_stream(client) as ts:
            start = time.perf_counter()
            done = run(spec, folder, client=client, progress=False)
            wall = time.perf_counter() - start
        compute = sum(s["stop"] - s["start"] for t in ts.data
                      if str(t["key"]).startswith("identkit-sweep-")
                      for s in t["startstops"] if s["action"] == "compute")
    finally:
        client.close()
        cluster.close()
    graphs = done.units
    return {"graphs": graphs, "workers": workers, "tasks": done.tasks, "seconds": wall,
            "graphs_per_s": graphs / wall, "graphs_per_s_per_core": graphs / wall / workers,
            "compute_seconds": compute, "scheduler_share": 1 - compute / (workers * wall)}


def test_sweep_a_million_graphs_at_d10(benchmark):
    n, workers, processes = (2_000, 1, False) if benchmark.disabled else (1_000_000, 2, True)
    res = benchmark.pedantic(measure, args=(n, workers, processes), rounds=1, iterations=1)
    assert res["graphs"] == n and res["tasks"] >= 1
    assert 0 < res["compute_seconds"] <= workers * res["seconds"] * 1.01


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--graphs", type=int, default=1_000_000)
    parser.add_argument("--workers", default="1,2", help="comma-separated worker counts")
    args = parser.parse_args(argv)
    rows = [measure(args.graphs, int(w)) for w in args.workers.split(",")]
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"{args.graphs:,} graphs at d = 10 on {os.cpu_count()} cores (load average {load:.1f})")
    for r in rows:
        print(f"  {r['workers']} worker(s): {r['seconds']:.1f} s, {r['tasks']} tasks, "
              f"{r['graphs_per_s']:,.0f} graphs/s, {r['graphs_per_s_per_core']:,.0f} graphs/s "
              f"per core, scheduler share {r['scheduler_share']:.1%}")
    if len(rows) >= 2:
        print(f"  speed-up from {rows[0]['workers']} to {rows[-1]['workers']} workers: "
              f"{rows[0]['seconds'] / rows[-1]['seconds']:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
