"""Speed of the metrics (run with ``pytest benchmarks/bench_metrics.py --benchmark-enable``).

Goals on a 2-core machine, at the full sizes: MCC on 10⁶ samples × 50 latents under 1 s (one
50 × 50 cross product, ~2.5·10⁹ multiply-adds; ``np.corrcoef`` on the same data is timed beside
it); R and Rcon on 20,000 samples × 600 latents under 2 s each; R at the paper's size (10,000
samples × 10 and × 50 latents, Lachapelle et al., JMLR 2026, §8) at least 5x faster than the
paper's way, one scikit-learn ``LinearRegression`` per true latent, timed beside it on the same
data (same numbers to 1e-10 relative); DCI (boosted trees) on 10⁴ samples as a reference point.

The ordinary test run (``--benchmark-disable``) runs each body once at small sizes so the whole
suite stays fast; it still checks the answers. Set the environment variable
``IDENTKIT_BENCH_FULL=1`` for the full sizes. On a machine shared with other work, BLAS threads
fight over the cores: ``OPENBLAS_NUM_THREADS=1`` (or ``OMP_NUM_THREADS=1``) gives steadier and
often faster figures.
"""

import os

import numpy as np
import pytest
import scipy.sparse as sp

import identkit as ik
from identkit.metrics import dci, mcc, r_score, rcon

FULL = os.environ.get("IDENTKIT_BENCH_FULL", "") not in ("", "0")
N_MCC, D_MCC = (1_000_000, 50) if FULL else (20_000, 50)
N_R, D_R = (20_000, 600) if FULL else (2_000, 60)
N_DCI = 10_000 if FULL else 400
N_PAPER = 10_000 if FULL else 1_000


def _paired(n, d, seed=0):
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((n, d))
    zhat = z[:, rng.permutation(d)] + 0.1 * rng.standard_normal((n, d))
    return z, zhat


@pytest.fixture(scope="module")
def mcc_data():
    return _paired(N_MCC, D_MCC)


@pytest.fixture(scope="module")
def r_data():
    rng = np.random.default_rng(1)
    z = rng.standard_normal((N_R, D_R))
    mix = np.eye(D_R) + 0.1 * rng.standard_normal((D_R, D_R))
    return z, z @ mix + 0.1 * rng.standard_normal((N_R, D_R))


def test_mcc(benchmark, mcc_data):
    z, zhat = mcc_data
    res = benchmark.pedantic(mcc, args=(z, zhat), rounds=3 if FULL else 1, iterations=1)
    assert res.value > 0.99


def test_corrcoef_on_the_same_data(benchmark, mcc_data):
    """The baseline the MCC goal is measured against: numpy's full (2d × 2d) correlation."""
    z, zhat = mcc_data
    C = benchmark.pedantic(np.corrcoef, args=(z.T, zhat.T), rounds=1, iterations=1)
    d = z.shape[1]
    assert np.allclose(np.abs(C[:d, d:]), mcc(z, zhat).correlations, atol=1e-9)


def test_r(benchmark, r_data):
    z, zhat = r_data
    res = benchmark.pedantic(r_score, args=(z, zhat), rounds=3 if FULL else 1, iterations=1)
    assert res.value > 0.95


@pytest.fixture(scope="module", params=[10, 50], ids=lambda d: f"d{d}")
def paper_data(request):
    d = request.param
    rng = np.random.default_rng(d)
    z = rng.standard_normal((N_PAPER, d))
    mix = np.eye(d) + 0.3 * rng.standard_normal((d, d))
    return z, z @ mix + 0.2 * rng.standard_normal((N_PAPER, d))


def _r_sklearn_per_latent(z, zhat):
    """The paper's way: one LinearRegression per true latent, √R² in sample, averaged."""
    from sklearn.linear_model import LinearRegression

    per = [np.sqrt(max(LinearRegression().fit(zhat, z[:, i]).score(zhat, z[:, i]), 0.0))
           for i in range(z.shape[1])]
    return np.array(per)


def test_r_paper_size_sklearn_baseline(benchmark, paper_data):
    """The baseline of the paper-size goal (group ``R paper size d=…``)."""
    pytest.importorskip("sklearn")
    z, zhat = paper_data
    benchmark.group = f"R paper size d={z.shape[1]}"
    per = benchmark.pedantic(_r_sklearn_per_latent, args=(z, zhat), rounds=3 if FULL else 1,
                             iterations=1)
    np.testing.assert_allclose(per, r_score(z, zhat).per_latent, rtol=1e-10, atol=0)


def test_r_paper_size(benchmark, paper_data):
    z, zhat = paper_data
    benchmark.group = f"R paper size d={z.shape[1]}"
    res = benchmark.pedantic(r_score, args=(z, zhat), rounds=20 if FULL else 1, iterations=1)
    assert res.value > 0.9


def test_rcon_block_graph(benchmark, r_data):
    """Blocks of 3 latents (the mask has D/3 distinct rows), MCC matching computed outside."""
    z, zhat = r_data
    g = ik.LatentGraph(Gz=sp.kron(sp.eye_array(D_R // 3), np.ones((3, 3)), format="csr"))
    matching = mcc(z, zhat).matching
    res = benchmark.pedantic(rcon, args=(g, z, zhat), kwargs={"matching": matching},
                             rounds=3 if FULL else 1, iterations=1)
    assert 0.0 < res.value <= r_score(z, zhat).value + 1e-9


def test_dci(benchmark):
    rng = np.random.default_rng(0)
    f = rng.integers(0, 5, (N_DCI, 3))
    codes = np.c_[f + 0.1 * rng.standard_normal(f.shape), rng.standard_normal((N_DCI, 2))]
    out = benchmark.pedantic(dci, args=(f, codes), rounds=1, iterations=1)
    assert out["disentanglement"] > 0.5
