"""One normalised ``seed`` argument for every random routine."""

from __future__ import annotations

import numbers

import numpy as np

from .errors import SeedError




def as_generator(seed) -> np.random.Generator:
    """Return a ``numpy.random.Generator`` for ``seed`` (None, int >= 0, or a Generator).

    A Generator is used as is (so a caller can thread one stream through several calls); an int
    gives the same stream on every machine (PCG64).
    """
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None:
        return np.random.default_rng()
    if isinstance(seed, numbers.Integral) and not isinstance(seed, bool) and seed >= 0:
        return np.random.default_rng(int(seed))
    raise SeedError(f"seed must be None, a non-negative int or a numpy Generator, got {seed!r}")
