"""Helpers for property-based tests of CRL code, and pytest fixtures (a pytest plugin).

Two checks a CRL codebase usually wants, each a few lines in a user's test:

* :func:`assert_invariant_to_preserving_maps` — a metric (or any function of true and learned
  latents) gives the same value when the learned latents are pushed through graph-preserving
  maps (linear ones by default, the case linear-regression metrics such as Rcon must respect);
* :func:`assert_accepts_relabelings` — a learned-graph checker accepts every relabeling of the
  true graph by a permutation of the latents.

With identkit installed, pytest loads this module as a plugin, so the fixtures
``identkit_catalogue`` (the paper's graphs) and ``identkit_rng`` (a seeded generator) are
available in any test.

>>> import numpy as np, identkit as ik
>>> from identkit.metrics import rcon
>>> from identkit.testing import assert_invariant_to_preserving_maps
>>> g = ik.examples.get("ex8").graph
>>> z = np.random.default_rng(0).standard_normal((500, 3))
>>> assert_invariant_to_preserving_maps(lambda z, zh: rcon(z, zh, g, matching=[0, 1, 2]), g, z)
"""

from __future__ import annotations

import numpy as np

from ._rng import as_generator
from .errors import IdentkitError
from .graphs import LatentGraph

__all__ = ["assert_invariant_to_preserving_maps", "assert_accepts_relabelings",
           "random_preserving_matrix"]


def random_preserving_matrix(g: LatentGraph, regularize=None, seed=None) -> np.ndarray:
    """An invertible real matrix supported on the pattern C (diagonally dominant).

    Examples
    --------
    >>> import identkit as ik
    >>> from identkit.testing import random_preserving_matrix
    >>> g = ik.examples.get("ex4").graph
    >>> ik.is_graph_preserving(random_preserving_matrix(g, seed=0), g)
    True
    """
    from .entanglement import entanglement_graph

    rng = as_generator(seed)
    C = entanglement_graph(g, regularize)
    M = rng.standard_normal(C.shape) * C
    np.fill_diagonal(M, 0.0)
    np.fill_diagonal(M, np.abs(M).sum(axis=1) + 1.0)
    return M


def _number(v):
    """A metric's value: a ``MetricResult`` gives its ``value``; anything else is kept."""
    return getattr(v, "value", v)


def assert_invariant_to_preserving_maps(metric, g: LatentGraph, z, *, regularize=None,
                                        maps: int = 5, kind: str = "linear", seed=0,
                                        rtol: float = 1e-6, atol: float = 1e-9) -> None:
    """Assert ``metric(z, v(z)) == metric(z, z)`` for ``maps`` sampled graph-preserving v.

    ``kind="linear"`` uses invertible matrices on the pattern (the learned latents are
    ``z @ Mᵀ``); ``"nonlinear"`` uses the numeric backend's diffeomorphisms.

    Raises
    ------
    AssertionError
        Naming the map that changed the value.

    Examples
    --------
    >>> import numpy as np, identkit as ik
    >>> from identkit.metrics import r_score
    >>> from identkit.testing import assert_invariant_to_preserving_maps
    >>> z = np.random.default_rng(0).standard_normal((200, 3))
    >>> assert_invariant_to_preserving_maps(r_score, ik.examples.get("ex8").graph, z)
    """
    rng = as_generator(seed)
    z = np.asarray(z, dtype=float)
    base = _number(metric(z, z))
    for k in range(maps):
        if kind == "linear":
            M = random_preserving_matrix(g, regularize, rng)
            zh = z @ M.T
        elif kind == "nonlinear":
            from .numeric import sample_preserving_map

            zh = sample_preserving_map(g, regularize, seed=rng)(z)
        else:
            raise IdentkitError(f"kind must be 'linear' or 'nonlinear', got {kind!r}")
        val = _number(metric(z, zh))
        if not np.allclose(val, base, rtol=rtol, atol=atol):
            raise AssertionError(
                f"map {k}: the metric changed from {base!r} to {val!r} under a graph-preserving "
                f"{kind} map")


def assert_accepts_relabelings(checker, g: LatentGraph, *, n: int = 10, seed=0) -> None:
    """Assert ``checker(g, g.permute(p))`` is truthy for ``n`` random permutations p (and the
    identity).

    Examples
    --------
    >>> import identkit as ik
    >>> from identkit.testing import assert_accepts_relabelings
    >>> assert_accepts_relabelings(ik.are_consistent, ik.examples.get("fig1").graph)
    """
    rng = as_generator(seed)
    perms = [np.arange(g.n_latents)] + [rng.permutation(g.n_latents) for _ in range(n)]
    for p in perms:
        if not checker(g, g.permute(p)):
            raise AssertionError(f"the checker rejected the relabeling {p.tolist()}")


try:  # the fixtures need pytest; the helpers above do not
    import pytest

    @pytest.fixture
    def identkit_catalogue():
        """The paper's catalogue entries (see :mod:`identkit.examples`)."""
        from . import examples

        return examples.catalogue()

    @pytest.fixture
    def identkit_rng():
        """A ``numpy.random.Generator`` seeded with 0."""
        return np.random.default_rng(0)
except ImportError:  # pragma: no cover
    pass
