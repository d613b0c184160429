"""Speed of the metrics: MCC and Rcon with 10^6 samples and 50 latents, DCI with 10^4 samples."""

import numpy as np
import scipy.sparse as sp

import identkit as ik
from identkit.metrics import dci, mcc, rcon


def _data(n=1_000_000, d=50, seed=0):
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((n, d))
    zhat = z[:, rng.permutation(d)] + 0.1 * rng.standard_normal((n, d))
    return z, zhat


def test_mcc_million_samples_50_latents(benchmark):
    z, zhat = _data()
    res = benchmark.pedantic(mcc, args=(z, zhat), rounds=1, iterations=1)
    assert res.score > 0.99


def test_rcon_million_samples_50_latents(benchmark):
    z, zhat = _data()
    blocks = sp.kron(sp.eye_array(25), np.ones((2, 2)), format="csr")
    g = ik.LatentGraph(Gz=blocks)
    matching = mcc(z, zhat).matching
    score = benchmark.pedantic(rcon, args=(z, zhat, g), kwargs={"matching": matching},
                               rounds=1, iterations=1)
    assert score > 0.99


def test_dci_ten_thousand_samples(benchmark):
    rng = np.random.default_rng(0)
    f = rng.integers(0, 5, (10_000, 3))
    codes = np.c_[f + 0.1 * rng.standard_normal(f.shape), rng.standard_normal((10_000, 2))]
    out = benchmark.pedantic(dci, args=(codes, f), rounds=1, iterations=1)
    assert out["disentanglement"] > 0.5
