"""Small helpers shared by the theorem checks."""

from __future__ import annotations

import itertools

import numpy as np


def all_matrices(rows: int, cols: int):
    """Every 0/1 matrix of a shape, as boolean arrays (2**(rows*cols) of them)."""
    n = rows * cols
    for bits in range(2**n):
        yield np.array([(bits >> k) & 1 for k in range(n)], dtype=bool).reshape(rows, cols)


def random_matrix(rng, rows, cols, p=None):
    """A random 0/1 matrix with each entry 1 with probability ``p`` (drawn in [0.2, 0.7) when
    None)."""
    p = rng.uniform(0.2, 0.7) if p is None else p
    return rng.random((rows, cols)) < p


def def11_pattern(G: np.ndarray, rng) -> np.ndarray:
    """The G-preserving pattern by Definition 11 alone: (i, j) belongs iff ``I + c E_ij``
    keeps ``Mᵀ A`` supported on G for random real A supported on G."""
    d = G.shape[0]
    out = np.eye(d, dtype=bool)
    for i, j in itertools.product(range(d), repeat=2):
        if i == j:
            continue
        M = np.eye(d)
        M[i, j] = rng.uniform(0.5, 2.0)
        ok = True
        for _ in range(2):
            A = rng.standard_normal(G.shape) * G
            if np.any((M.T @ A)[~G] != 0):
                ok = False
                break
        out[i, j] = ok
    return out


def show(M) -> str:
    return str(np.asarray(M).astype(int).tolist())
