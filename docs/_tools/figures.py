"""Make every figure of the documentation with identkit itself (called by conf.py)."""

from __future__ import annotations

import os


def make_figures(outdir: str) -> list[str]:
    import matplotlib

    matplotlib.use("Agg")
    import identkit as ik
    from identkit import plot
    from identkit.design import design_interventions, repair

    os.makedirs(outdir, exist_ok=True)
    made = []

    def save(fig, name):
        path = os.path.join(outdir, name)
        plot.save(fig, path)
        made.append(path)

    for ex in ik.examples.catalogue():
        save(plot.draw(ex.graph, ex.regularize), f"{ex.name}.svg")
    fig1 = ik.examples.get("fig1").graph
    save(plot.draw(fig1, "a"), "fig1-actions-only.svg")
    save(plot.draw(design_interventions(6).graph), "design-6.svg")
    rep = repair(ik.examples.get("TimeBlockDiag").graph)
    save(plot.draw(rep.graph, rep.after.regularize), "repair-timeblockdiag.svg")

    from identkit.symbolic import check_mechanism, mechanism_from_dict

    for ex in ik.examples.catalogue("mechanism"):
        res = check_mechanism(mechanism_from_dict(ex.spec, source=ex.name))
        save(plot.draw(res.derived.graph, report=res.report), f"{ex.name}.svg")
    save(plot.draw(ik.LatentGraph(Gz=[[0, 0], [0, 0]])), "shrunk-counterexample.svg")
    edges = [("tree", "tree"), ("robot", "robot"), ("robot", "ball"), ("ball", "ball")]
    lesson = ik.LatentGraph.from_edges(temporal_edges=edges)
    save(plot.draw(lesson), "lesson-1.svg")
    lesson2 = ik.LatentGraph.from_edges(temporal_edges=edges + [("ball", "robot")],
                                        latents=lesson.latents)
    save(plot.draw(lesson2), "lesson-2.svg")
    fixed = repair(lesson2)
    save(plot.draw(fixed.graph, fixed.after.regularize), "lesson-3.svg")
    save(_metrics_figure(), "metrics-timeblockdiag.svg")
    phase, paper = _sweep_figures()
    save(phase, "sweep-phase-diagram.svg")
    save(paper, "sweep-paper-graphs.svg")
    return made


def _sweep_figures():
    """The sweeps page's pictures, computed by identkit.sweep (one thread worker: the same
    table as any cluster would give, and no processes to start inside the build)."""
    import tempfile

    from identkit.sweep import plot_results, run

    er = {"kind": "graphs", "family": "erdos-renyi", "graphs_per_cell": 100, "seed": 0,
          "axes": {"d": [2, 4, 6, 8, 10], "p": {"from": 0.1, "to": 0.9, "step": 0.1},
                   "regularize": ["a", "z", "az"]}}
    paper = {"kind": "graphs", "family": "paper", "d": 10, "graphs_per_cell": 200, "seed": 0,
             "axes": {"regularize": ["a", "z"], "p": {"from": 0.1, "to": 0.9, "step": 0.1}}}
    figures = []
    for spec, style in ((er, None), (paper, "curves")):
        with tempfile.TemporaryDirectory() as folder:
            done = run(spec, folder, workers=1, processes=False, progress=False)
            figures.append(plot_results(done.results, style=style, x="p",
                                        y="regularize" if style else None))
    return figures


def _metrics_figure():
    """MCC, Rcon and R of three learned representations of the TimeBlockDiag dataset."""
    import numpy as np
    from matplotlib.figure import Figure

    import identkit as ik
    from identkit.metrics import mcc, r_score, rcon
    from identkit.numeric import generate

    z = generate("TimeBlockDiag", 3000, seed=0)["z"]
    g = ik.examples.get("TimeBlockDiag").graph
    allowed = z.copy()
    for b in range(5):
        i, j = 2 * b, 2 * b + 1
        allowed[:, i], allowed[:, j] = z[:, i] + z[:, j], z[:, i] - 0.5 * z[:, j]
    forbidden = allowed.copy()
    forbidden[:, 0] = z[:, 0] + z[:, 1] + z[:, 4]
    reps = {"ideal": z[:, ::-1], "mixed within blocks\n(allowed)": allowed,
            "mixed across blocks\n(forbidden)": forbidden}
    fig = Figure(figsize=(6.4, 3.4), layout="constrained")
    ax = fig.subplots()
    width = 0.25
    for k, (label, fn) in enumerate((("MCC", lambda zh: mcc(z, zh).value),
                                     ("Rcon", lambda zh: rcon(g, z, zh).value),
                                     ("R", lambda zh: r_score(z, zh).value))):
        vals = [fn(zh) for zh in reps.values()]
        ax.bar(np.arange(3) + (k - 1) * width, vals, width, label=label)
    ax.set_xticks(range(3), list(reps))
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("score")
    ax.set_title("TimeBlockDiag: what each metric sees")
    ax.legend(loc="lower left")
    return fig
