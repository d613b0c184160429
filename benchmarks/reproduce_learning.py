"""The paper's headline results of its estimation procedure, reproduced at CPU scale.

Run ``python benchmarks/reproduce_learning.py`` (needs ``identkit[learn]``). Each run trains on
identkit's own datasets (:mod:`identkit.numeric.datasets`, the paper's §8 and App. C.1), is
scored on a fresh test split with :func:`identkit.learn.evaluate`, and is appended at once to a
JSON-lines file (``--results``, default ``learning-results.jsonl``): an interrupted session
keeps its finished runs and a rerun skips them. The table printed at the end puts each cell
beside the paper's number (Lachapelle et al., JMLR 2026: Figs. 5 and 7, Table 3) and states the
wall time, steps per second and peak memory of the runs.

``--only ROW`` runs the rows whose name contains ROW (several may be given) and ``--seeds 0,1``
only those seeds, so two processes can share a 2-core machine; ``--steps N`` sets the training
length of every run (results of different lengths are kept apart); ``--table`` only prints
what the results file holds.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sys
import time

# (row name, dataset, estimator, settings, seeds, paper's numbers)
ROWS = [
    ("ActionNonDiag constraint", "ActionNonDiag", "ms", {"sparsity": "constraint"}, (0, 1, 2),
     {"mcc": "0.998"}),
    ("ActionNonDiag no sparsity", "ActionNonDiag", "ms", {"sparsity": None}, (0, 1, 2),
     {"mcc": "0.758"}),
    ("TimeNonDiag constraint", "TimeNonDiag", "ms", {"sparsity": "constraint"}, (0,),
     {"mcc": "0.83"}),
    ("ActionBlockNonDiag constraint", "ActionBlockNonDiag", "ms", {"sparsity": "constraint"},
     (0,), {"mcc": "0.83-0.88", "rcon": "0.97-0.99"}),
    ("TimeBlockNonDiag constraint", "TimeBlockNonDiag", "ms", {"sparsity": "constraint"}, (0,),
     {"mcc": "0.83-0.88", "rcon": "0.97-0.99"}),
    ("ActionNonDiag beta-VAE", "ActionNonDiag", "beta", {"beta": 4.0}, (0,), {}),
    ("ActionNonDiag beta-TCVAE", "ActionNonDiag", "tcvae", {"beta": 6.0}, (0,), {}),
]

TRAIN, TEST = 20_000, 5_000


def run(dataset, estimator, settings, seed, steps):
    """Train one model and score it; returns a JSON-ready dict."""
    import numpy as np

    import identkit as ik
    from identkit import learn
    from identkit.numeric.datasets import generate

    tr = generate(dataset, TRAIN, seed=0)
    te = generate(dataset, TEST, seed=0, split="test")
    temporal = tr["x_prev"].shape[1] == 1
    x = np.stack([tr["x_prev"][:, 0], tr["x"]], axis=1) if temporal else tr["x"]
    actions = None if temporal else tr["a"]
    graph = ik.LatentGraph(Gz=tr.get("Gz"), Ga=tr.get("Ga"))
    common = {"steps": steps, "seed": seed}
    if estimator == "ms":
        kw = dict(settings)
        if kw.get("sparsity") == "constraint":
            kw["bound"] = int((tr["Gz"] if temporal else tr["Ga"]).sum())
        model = learn.MechanismSparsityVAE(graph.n_latents, **kw, **common)
    elif estimator == "beta":
        model = learn.BetaVAE(graph.n_latents, **settings, **common)
    else:
        model = learn.BetaTCVAE(graph.n_latents, **settings, **common)
    start = time.perf_counter()
    model.fit(x, actions)
    wall = time.perf_counter() - start
    ev = learn.evaluate(model, te["x"], te["z"], graph)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return {"mcc": ev.mcc, "r": ev.r, "rcon": ev.rcon, "shd": ev.shd,
            "mass_outside": ev.mass_outside, "wall_s": wall, "steps": steps,
            "steps_per_s": steps / wall, "peak_rss_bytes": peak}


def _read(path):
    out = {}
    if os.path.exists(path):
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    rec = json.loads(line)
                    out[(rec["row"], rec["seed"], rec["steps"])] = rec
    return out


def _stat(values):
    import numpy as np

    values = [v for v in values if v is not None]
    if not values:
        return "-"
    if len(values) == 1:
        return f"{values[0]:.3f}"
    return f"{np.mean(values):.3f}±{np.std(values):.3f}"


def table(path, steps) -> str:
    """The results file as a Markdown table beside the paper's numbers."""
    done = _read(path)
    lines = ["| run | seeds | MCC (paper) | Rcon (paper) | R | SHD | mass outside C | "
             "wall s / run | steps/s | peak MiB |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for name, _, _, _, seeds, paper in ROWS:
        recs = [done[(name, s, steps)] for s in seeds if (name, s, steps) in done]
        if not recs:
            continue
        col = lambda k: [r[k] for r in recs]  # noqa: E731
        lines.append(
            f"| {name} | {len(recs)} | {_stat(col('mcc'))} ({paper.get('mcc', '–')}) | "
            f"{_stat(col('rcon'))} ({paper.get('rcon', '–')}) | {_stat(col('r'))} | "
            f"{_stat(col('shd'))} | {_stat(col('mass_outside'))} | "
            f"{sum(col('wall_s')) / len(recs):.0f} | "
            f"{sum(col('steps_per_s')) / len(recs):.0f} | "
            f"{max(col('peak_rss_bytes')) / 2**20:.0f} |")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=30_000)
    parser.add_argument("--only", action="append", default=[])
    parser.add_argument("--seeds", type=lambda t: {int(v) for v in t.split(",")},
                        help="run only these of each row's seeds (comma-separated)")
    parser.add_argument("--results", default="learning-results.jsonl")
    parser.add_argument("--table", action="store_true", help="print the table and stop")
    args = parser.parse_args(argv)
    if not args.table:
        done = _read(args.results)
        for name, dataset, estimator, settings, seeds, _ in ROWS:
            if args.only and not any(o in name for o in args.only):
                continue
            for seed in seeds:
                if args.seeds is not None and seed not in args.seeds:
                    continue
                if (name, seed, args.steps) in done:
                    continue
                rec = run(dataset, estimator, settings, seed, args.steps)
                rec.update(row=name, seed=seed, date=time.strftime("%Y-%m-%d"),
                           machine=f"{platform.machine()}, {os.cpu_count()} cores")
                with open(args.results, "a", encoding="utf-8") as fh:
                    fh.write(json.dumps(rec) + "\n")
                print(f"{name} seed {seed}: MCC {rec['mcc']:.3f} Rcon {rec['rcon']:.3f} "
                      f"({rec['wall_s']:.0f} s)", file=sys.stderr, flush=True)
    print(table(args.results, args.steps))
    return 0


if __name__ == "__main__":
    sys.exit(main())
