"""Helpers for property-based tests of CRL code, and pytest fixtures (a pytest plugin).

Two checks a CRL codebase usually wants, each a few lines in a user's test:

* :func:`assert_invariant_to_preserving_maps` — a metric (or any function of true and learned
  latents) gives the same value when the learned latents are pushed through graph-preserving
  maps (linear ones by default, the case linear-regression metrics such as Rcon must respect);
* :func:`assert_accepts_relabelings` — a learned-graph checker accepts every relabeling of the
  true graph by a permutation of the latents.

Both take the graph first, as every function of the package that takes a graph; the older
order (the callable first) still works and warns. :func:`matrix_on_pattern` is the one
construction of an invertible matrix supported on a pattern C: :func:`random_preserving_matrix`
fills it with normal draws and :func:`identkit.strategies.preserving_matrices` with values
hypothesis draws.

With identkit installed, pytest loads this module as a plugin, so the fixtures
``identkit_catalogue`` (the paper's graphs) and ``identkit_rng`` (a seeded generator) are
available in any test.

>>> import numpy as np, identkit as ik
>>> from identkit.metrics import rcon
>>> from identkit.testing import assert_invariant_to_preserving_maps
>>> g = ik.examples.get("ex8").graph
>>> z = np.random.default_rng(0).standard_normal((500, 3))
>>> assert_invariant_to_preserving_maps(g, lambda z, zh: rcon(g, z, zh, matching=[0, 1, 2]), z)
"""

from __future__ import annotations

import numpy as np

from ._compat import graph_first, keyword_only
from ._rng import as_generator
from ._csr import is_scipy_sparse
from .errors import GraphError, IdentkitError
from .graphs import LatentGraph

__all__ = ["assert_invariant_to_preserving_maps", "assert_accepts_relabelings",
           "random_preserving_matrix", "matrix_on_pattern"]


def matrix_on_pattern(C, values) -> np.ndarray:
    """The invertible matrix with support C built from ``values``: off the diagonal
    ``values[i, j]`` where ``C[i, j]`` and 0 elsewhere; on the diagonal ``1 + Σ_j |M[i, j]|``
    over the row's off-diagonal entries (``2 Σ_j |M[i, j]|`` where adding 1 would be lost to
    rounding), so M is strictly diagonally dominant, hence invertible (Lévy–Desplanques),
    whatever the values.

    With C an entanglement pattern (diagonal True), M is graph-preserving (paper Def 11).

    Parameters
    ----------
    C : array_like of bool, shape (d, d)
        The allowed entries.
    values : array_like of float, shape (d, d)
        The off-diagonal values to place on C (the diagonal and the entries outside C are
        ignored).

    Raises
    ------
    GraphError
        If C has an entry other than True/False or 0/1.
    IdentkitError
        If C is not square, ``values`` has another shape, a value is complex or not finite,
        or the values are so large that a diagonal entry would overflow.

    Examples
    --------
    >>> import numpy as np
    >>> from identkit.testing import matrix_on_pattern
    >>> C = np.array([[1, 1], [0, 1]], dtype=bool)
    >>> matrix_on_pattern(C, [[9.0, -2.0], [5.0, 9.0]]).tolist()
    [[3.0, -2.0], [0.0, 1.0]]
    """
    if is_scipy_sparse(C):
        C = C.toarray()
    C0 = np.asarray(C)
    if C0.dtype != bool and not (np.issubdtype(C0.dtype, np.number)
                                 and np.isin(C0, (0, 1)).all()):
        raise GraphError("C: a pattern has boolean or 0/1 entries (NaN, 2, complex or "
                         "text are not a pattern)")
    if np.iscomplexobj(values):  # a float cast would drop the imaginary part silently
        raise IdentkitError("the values must be real, got complex entries")
    C = C0.astype(bool)
    M = np.array(values, dtype=float)
    if C.ndim != 2 or C.shape[0] != C.shape[1] or M.shape != C.shape:
        raise IdentkitError(f"a square pattern and values of its shape are needed, got "
                            f"{C.shape} and {M.shape}")
    if not np.isfinite(M).all():
        raise IdentkitError("the values must be finite")
    M = M * C
    np.fill_diagonal(M, 0.0)
    with np.errstate(over="ignore"):
        s = np.abs(M).sum(axis=1)
        # 1 + s rounds to s once s >= 2**53, which is not strictly dominant; 2 s is exact
        diag = np.where(s + 1.0 > s, s + 1.0, 2.0 * s)
    if not np.isfinite(diag).all():
        raise IdentkitError("the values are too large: a row's diagonal entry would overflow")
    np.fill_diagonal(M, diag)
    return M


@keyword_only("seed")
def random_preserving_matrix(g: LatentGraph, regularize=None, *, seed=0) -> np.ndarray:
    """An invertible real matrix supported on the pattern C: :func:`matrix_on_pattern` with
    standard normal values.

    ``seed`` is keyword-only and defaults to 0, so the matrix is the same on every call unless
    a seed (or a Generator, or None for fresh entropy) is given; it used to default to None
    (a fresh matrix each call). Passing it positionally still works and warns.

    Examples
    --------
    >>> import identkit as ik
    >>> from identkit.testing import random_preserving_matrix
    >>> g = ik.examples.get("ex4").graph
    >>> ik.is_graph_preserving(g, random_preserving_matrix(g, seed=0))
    True
    """
    from .entanglement import entanglement_graph

    C = entanglement_graph(g, regularize)
    return matrix_on_pattern(C, as_generator(seed).standard_normal(C.shape))


def _number(v):
    """A metric's value: a ``MetricResult`` gives its ``value``; anything else is kept."""
    return getattr(v, "value", v)


@graph_first("metric", "g", "z")
def assert_invariant_to_preserving_maps(g: LatentGraph, metric, z, *, regularize=None,
                                        maps: int = 5, kind: str = "linear", seed=0,
                                        rtol: float = 1e-6, atol: float = 1e-9) -> None:
    """Assert ``metric(z, v(z)) == metric(z, z)`` for ``maps`` sampled graph-preserving v.

    ``kind="linear"`` uses invertible matrices on the pattern (the learned latents are
    ``z @ Mᵀ``); ``"nonlinear"`` uses the numeric backend's diffeomorphisms. The graph comes
    first; the older order ``(metric, g, z)`` still works and warns (``DeprecationWarning``).
    ``seed`` (keyword-only, default 0) draws the maps.

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
    >>> assert_invariant_to_preserving_maps(ik.examples.get("ex8").graph, r_score, z)
    """
    rng = as_generator(seed)
    z = np.asarray(z, dtype=float)
    base = _number(metric(z, z))
    for k in range(maps):
        if kind == "linear":
            M = random_preserving_matrix(g, regularize, seed=rng)
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


@graph_first("checker", "g")
def assert_accepts_relabelings(g: LatentGraph, checker, *, n: int = 10, seed=0) -> None:
    """Assert ``checker(g, g.permute(p))`` is truthy for ``n`` random permutations p (and the
    identity), drawn with ``seed`` (keyword-only, default 0).

    The graph comes first; the older order ``(checker, g)`` still works and warns.

    Examples
    --------
    >>> import identkit as ik
    >>> from identkit.testing import assert_accepts_relabelings
    >>> assert_accepts_relabelings(ik.examples.get("fig1").graph, ik.are_consistent)
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
