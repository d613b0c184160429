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
    return made
