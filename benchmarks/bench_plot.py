"""Speed goal of the pictures (run with ``pytest benchmarks --benchmark-enable``).

Goal on a 2-core machine: drawing a model with 1,500 latents and 30 actions, in 500 twin classes
of three, and saving it as PNG and as SVG, under 5 s (the summarised form: the graphs and the
pattern as images, blocks outlined). In the ordinary test run each body runs once, so the
benchmark also checks what is drawn.
"""

import io

import numpy as np
import pytest
import scipy.sparse as sp

import identkit as ik

pytest.importorskip("matplotlib")
from identkit import plot  # noqa: E402


def twin_model(d=1500, size=3, m=30, seed=0):
    """``d`` latents in classes of ``size`` with equal parents and children in Gz and Ga."""
    rng = np.random.default_rng(seed)
    k = d // size
    B = sp.random_array((k, k), density=3 / k, rng=rng, format="csr").astype(bool)
    B = (B + sp.eye_array(k, dtype=bool)).astype(bool)
    Gz = sp.kron(B, np.ones((size, size), dtype=bool), format="csr").astype(bool)
    A = sp.csr_array((np.ones(k, bool), (np.arange(k), rng.integers(0, m, k))), shape=(k, m))
    Ga = sp.kron(A, np.ones((size, 1), dtype=bool), format="csr").astype(bool)
    return ik.LatentGraph(Gz=Gz, Ga=Ga)


def test_draw_1500_latents(benchmark):
    g = twin_model()
    report = ik.analyze(g)
    assert len(report.blocks) == 500 and all(len(b) == 3 for b in report.blocks)

    def draw_and_save():
        fig = plot.draw(g, report=report)
        for fmt in ("png", "svg"):
            fig.savefig(io.BytesIO(), format=fmt, dpi=100)
        return fig

    fig = benchmark(draw_and_save)
    graphs, pattern = fig.axes
    assert len(graphs.texts) == 0 and len(graphs.images) == 2 and len(pattern.images) == 1
    assert pattern.images[0].get_array().shape[:2] == (500, 500)  # 3 x 3 latents a pixel
    assert len(pattern.collections[0].get_paths()) == 500  # every block outlined
    assert "500 blocks (largest 3)" in fig._suptitle.get_text()
