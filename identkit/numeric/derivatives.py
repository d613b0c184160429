"""Measuring graphs by derivatives: pushforwards through maps, finite differences, and
:func:`estimate_graph`.

The graph of a mechanism (Assumption 3) is the support of its cross-derivatives:
``Ga[i, l] = 1`` iff ``∂²/∂z_i ∂a_l log p`` is not identically zero, ``Gz[i, j] = 1`` iff
``∂²/∂z_i ∂z_j^{t-τ} log p`` is not identically zero for some lag τ (for discrete actions, the
partial differences of Assumption 7 replace the derivative in a). :func:`estimate_graph`
evaluates them at sampled points. Analytic derivatives are judged entry by entry against the
scale of the terms each is computed from, so an ill-conditioned map cannot hide a genuine edge
under a threshold set by a much larger entry; finite differences, whose errors are not exact
zeros, are judged relative to the largest entry of their graph.

A mechanism seen through a map ``z = v(ẑ)`` (:class:`Pushforward`) has
``log p̂(ẑ | ĥ, a) = log p(v(ẑ) | v(ĥ), a) + log |det Dv(ẑ)|``; the log-determinant depends on
``ẑ^t`` alone, so ``Ĥ_za = Dv(ẑ)ᵀ H_za`` and ``Ĥ_zz,τ = Dv(ẑ)ᵀ H_zz,τ Dv(ĥ_τ)`` exactly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._rng import as_generator
from ..graphs import LatentGraph
from .._compat import keyword_only
from .mechanisms import MechanismError, NumericMechanism, require_numeric

__all__ = ["Pushforward", "CallableMechanism", "finite_difference_cross_derivatives",
           "estimate_graph", "GraphEstimate", "DEFAULT_THRESHOLD"]

DEFAULT_THRESHOLD = {"analytic": 1e-9, "fd": 1e-4}


class Pushforward(NumericMechanism):
    """A mechanism expressed in the coordinates ``ẑ`` of another representation, ``z = v(ẑ)``.

    It has the same interface as :class:`~identkit.numeric.GaussianMechanism` for what graphs
    need: ``log_prob``, ``cross_derivatives`` (analytic when the mechanism's are),
    ``action_differences``, ``sample_inputs``, and the scales of their terms
    (:meth:`cross_derivatives_with_scales`). It is not an exponential family in ``ẑ``
    (``statistic_dim`` is None).
    """

    def __init__(self, mechanism, v):
        if v.d != mechanism.d:
            raise MechanismError(f"the map acts on R^{v.d} but the mechanism has d = {mechanism.d}")
        self.mech = mechanism
        self.v = v
        self.d, self.m, self.lags = mechanism.d, mechanism.m, mechanism.lags
        self.discrete = mechanism.discrete
        self.temporal = mechanism.temporal
        self.graph = mechanism.graph
        self.action_values = mechanism.action_values
        self.analytic = mechanism.analytic

    def _jac(self, x):
        J = self.v.jacobian(x)
        sign, _ = np.linalg.slogdet(J)
        if np.any(sign == 0):
            from .maps import MapError

            raise MapError("the map is not invertible at some points (singular Jacobian)")
        return J

    def _hist(self, hist):
        n, L, d = hist.shape
        return self.v(hist.reshape(n * L, d)).reshape(n, L, d)

    def log_prob(self, z, hist=None, a=None):
        z = np.asarray(z, float)
        hist = None if hist is None else np.asarray(hist, float)
        _, logdet = np.linalg.slogdet(self._jac(z))
        return self.mech.log_prob(self.v(z), None if hist is None else self._hist(hist), a) + logdet

    def cross_derivatives(self, z, hist=None, a=None):
        """``Ĥ_za = Dv(ẑ)ᵀ H_za`` (n, d, m) and ``Ĥ_zz,τ = Dv(ẑ)ᵀ H_zz,τ Dv(ĥ_τ)`` (n, L, d, d)."""
        return self.cross_derivatives_with_scales(z, hist, a)[:2]

    def cross_derivatives_with_scales(self, z, hist=None, a=None):
        """The cross-derivatives and the scales of their terms (None when the mechanism's are
        unknown): ``|Dv(ẑ)|ᵀ S_za`` and ``|Dv(ẑ)|ᵀ S_zz,τ |Dv(ĥ_τ)|``, so an entry far below
        its scale is a cancellation at rounding level, not an edge."""
        z = np.asarray(z, float)
        n = z.shape[0]
        if hist is None:
            hist = np.zeros((n, self.lags, self.d))
        hist = np.asarray(hist, float)
        Jz = self._jac(z)
        JzT, AzT = np.swapaxes(Jz, 1, 2), np.abs(np.swapaxes(Jz, 1, 2))
        H_za, H_zz, S_za, S_zz = self.mech.cross_derivatives_with_scales(
            self.v(z), self._hist(hist), a)
        Hza_hat = JzT @ H_za
        Hzz_hat = np.empty_like(H_zz)
        Szz_hat = None if S_zz is None else np.empty_like(S_zz)
        for tau in range(H_zz.shape[1]):
            Jh = self._jac(hist[:, tau])
            Hzz_hat[:, tau] = JzT @ H_zz[:, tau] @ Jh
            if Szz_hat is not None:
                Szz_hat[:, tau] = AzT @ S_zz[:, tau] @ np.abs(Jh)
        return Hza_hat, Hzz_hat, None if S_za is None else AzT @ S_za, Szz_hat

    def action_differences(self, z, hist=None, base=None):
        """``Dv(ẑ)ᵀ`` times the mechanism's partial differences (n, d, m)."""
        return self.action_differences_with_scales(z, hist, base)[0]

    def action_differences_with_scales(self, z, hist=None, base=None):
        """The partial differences and their term scales ``|Dv(ẑ)|ᵀ S`` (None when unknown)."""
        z = np.asarray(z, float)
        n = z.shape[0]
        if hist is None:
            hist = np.zeros((n, self.lags, self.d))
        Jz = self._jac(z)
        D, S = self.mech.action_differences_with_scales(
            self.v(z), self._hist(np.asarray(hist, float)), base)
        JzT = np.swapaxes(Jz, 1, 2)
        return JzT @ D, None if S is None else np.abs(JzT) @ S

    @keyword_only("seed")
    def sample_inputs(self, n, *, seed=0):
        """The mechanism's points (:meth:`GaussianMechanism.sample_inputs`); default seed 0."""
        return self.mech.sample_inputs(n, seed=seed)


class CallableMechanism(NumericMechanism):
    """Wrap a user's ``log_prob(z, hist, a) -> (n,)`` so graphs can be measured by finite
    differences. Non-finite values raise :class:`~identkit.numeric.MechanismError`.

    Parameters
    ----------
    log_prob : callable
    graph : LatentGraph
        Gives d, m and the names (its edges are not used to measure anything).
    lags : int
    discrete : bool
        Whether actions take the values {0, e_1, .., e_m}.
    """

    def __init__(self, log_prob, graph: LatentGraph, lags: int = 1, discrete: bool = False):
        if not callable(log_prob):
            raise MechanismError("log_prob must be callable")
        self._fn = log_prob
        self.graph = graph
        self.d, self.m = graph.n_latents, graph.n_actions
        self.temporal = graph.Gz_sparse is not None
        self.lags = lags if self.temporal else 0
        self.discrete = discrete
        self.action_values = np.vstack([np.zeros((1, self.m)), np.eye(self.m)]) if discrete else None

    def log_prob(self, z, hist=None, a=None):
        n = np.asarray(z).shape[0]
        hist = np.zeros((n, self.lags, self.d)) if hist is None else hist
        a = np.zeros((n, self.m)) if a is None else a
        try:
            out = np.asarray(self._fn(z, hist, a), dtype=float)
        except MechanismError:
            raise
        except Exception as exc:  # a user's function: report, do not hide
            raise MechanismError(f"the user-supplied log_prob raised {type(exc).__name__}: {exc}") \
                from exc
        if out.shape != (n,):
            raise MechanismError(f"the user-supplied log_prob returned shape {out.shape}, "
                                 f"expected ({n},)")
        if not np.all(np.isfinite(out)):
            raise MechanismError("the user-supplied log_prob returned non-finite values")
        return out

    @keyword_only("seed")
    def sample_inputs(self, n, *, seed=0):
        """Points ``{"z", "hist", "a"}``: standard normal z and histories; actions standard
        normal or uniform on ``{0, e_1, .., e_m}``. Deterministic by default (seed 0)."""
        rng = as_generator(seed)
        a = (self.action_values[rng.integers(0, self.m + 1, n)] if self.discrete
             else rng.standard_normal((n, self.m)))
        return {"z": rng.standard_normal((n, self.d)),
                "hist": rng.standard_normal((n, self.lags, self.d)), "a": a}

    def action_differences(self, z, hist=None, base=None):
        return _fd_action_differences(self, z, hist, base)


def _fd_score(mech, z, hist, a, h):
    """Central-difference ∇_z log p, (n, d)."""
    n, d = z.shape
    zz = np.repeat(z[:, None, :], 2 * d, axis=1)
    idx = np.arange(d)
    zz[:, idx, idx] += h
    zz[:, d + idx, idx] -= h
    def rep(x):
        return np.repeat(x[:, None], 2 * d, axis=1).reshape((n * 2 * d,) + x.shape[1:])

    f = mech.log_prob(zz.reshape(n * 2 * d, d), rep(hist), rep(a)).reshape(n, 2 * d)
    return (f[:, :d] - f[:, d:]) / (2 * h)


def _fd_action_differences(mech, z, hist=None, base=None, h=1e-5):
    z = np.asarray(z, float)
    n = z.shape[0]
    hist = np.zeros((n, mech.lags, mech.d)) if hist is None else np.asarray(hist, float)
    base = np.zeros((n, mech.m)) if base is None else np.asarray(base, float)
    s0 = _fd_score(mech, z, hist, base, h)
    out = np.empty((n, mech.d, mech.m))
    for l in range(mech.m):
        a1 = base.copy()
        a1[:, l] += 1.0
        out[:, :, l] = _fd_score(mech, z, hist, a1, h) - s0
    return out


def finite_difference_cross_derivatives(mech, z, hist=None, a=None, h: float = 1e-3):
    """``H_za`` (n, d, m) and ``H_zz`` (n, L, d, d) from ``log_prob`` by central differences.

    Each entry uses four evaluations: ``[f(+,+) - f(+,-) - f(-,+) + f(-,-)] / (4h²)``, with
    truncation error O(h²) and rounding error O(ε |log p| / h²). All perturbed points are
    evaluated in one batched call per graph.

    Examples
    --------
    >>> import numpy as np, identkit as ik
    >>> from identkit.numeric import GaussianMechanism, finite_difference_cross_derivatives
    >>> mech = GaussianMechanism(ik.examples.get("fig1").graph)
    >>> pts = mech.sample_inputs(3, seed=0)
    >>> fd = finite_difference_cross_derivatives(mech, pts["z"], pts["hist"], pts["a"])
    >>> exact = mech.cross_derivatives(pts["z"], pts["hist"], pts["a"])
    >>> bool(np.allclose(fd[1], exact[1], atol=1e-4))
    True
    """
    z = np.asarray(z, float)
    n, d = z.shape
    m, L = mech.m, mech.lags
    hist = np.zeros((n, L, d)) if hist is None else np.asarray(hist, float)
    a = np.zeros((n, m)) if a is None else np.asarray(a, float)
    signs = np.array([[1, 1], [1, -1], [-1, 1], [-1, -1]], dtype=float)
    coef = np.array([1.0, -1.0, -1.0, 1.0])

    def perturbed_z(nv):
        # z ± h e_i for every latent i, repeated for nv partners and 4 sign pairs: (n, d, nv, 4, d)
        Z = np.broadcast_to(z[:, None, None, None, :], (n, d, nv, 4, d)).copy()
        idx = np.arange(d)
        Z[:, idx, :, :, idx] += h * signs[None, None, :, 0]
        return Z

    H_za = np.zeros((n, d, m))
    if m:
        Z = perturbed_z(m)
        A = np.broadcast_to(a[:, None, None, None, :], (n, d, m, 4, m)).copy()
        k = np.arange(m)
        A[:, :, k, :, k] += h * signs[None, None, :, 1]
        Hs = np.broadcast_to(hist[:, None, None, None], (n, d, m, 4, L, d))
        N = n * d * m * 4
        f = mech.log_prob(Z.reshape(N, d), Hs.reshape(N, L, d), A.reshape(N, m))
        H_za = (f.reshape(n, d, m, 4) * coef).sum(-1) / (4 * h * h)
    H_zz = np.zeros((n, L, d, d))
    for tau in range(L):
        Z = perturbed_z(d)
        Hs = np.broadcast_to(hist[:, None, None, None], (n, d, d, 4, L, d)).copy()
        k = np.arange(d)
        Hs[:, :, k, :, tau, k] += h * signs[None, None, :, 1]
        A = np.broadcast_to(a[:, None, None, None, :], (n, d, d, 4, m))
        N = n * d * d * 4
        f = mech.log_prob(Z.reshape(N, d), Hs.reshape(N, L, d), A.reshape(N, m))
        H_zz[:, tau] = (f.reshape(n, d, d, 4) * coef).sum(-1) / (4 * h * h)
    return H_za, H_zz


@dataclass(frozen=True)
class GraphEstimate:
    """A measured graph with the magnitudes behind it.

    Attributes
    ----------
    graph : LatentGraph
    magnitude_z, magnitude_a : numpy.ndarray or None
        Per entry, the largest over the points of the quantity compared with ``threshold``:
        ``|H| / S`` (the entry against the scale of its own terms, 1.0 when nothing cancels)
        under the ``"entry scale"`` rule, ``|H|`` divided by the largest entry of that graph
        under the ``"graph maximum"`` rule.
    threshold : float
    method : str
        ``"analytic"`` or ``"fd"``.
    rule : str
        ``"entry scale"`` (analytic derivatives whose term scales are known) or
        ``"graph maximum"`` (finite differences, or analytic derivatives of other objects).
    """

    graph: LatentGraph
    magnitude_z: np.ndarray | None
    magnitude_a: np.ndarray | None
    threshold: float
    method: str
    rule: str = "graph maximum"

    def to_dict(self) -> dict:
        """Plain data: the measured graph (as :meth:`LatentGraph.to_dict`), the magnitudes as
        nested lists (None for a graph the model lacks), the threshold, method and rule."""
        def rows(m):
            return None if m is None else np.asarray(m, dtype=float).tolist()

        return {"graph": self.graph.to_dict(), "magnitude_z": rows(self.magnitude_z),
                "magnitude_a": rows(self.magnitude_a), "threshold": float(self.threshold),
                "method": self.method, "rule": self.rule}

    def __str__(self) -> str:
        """The measured edges and how they were decided.

        Examples
        --------
        >>> import identkit as ik
        >>> from identkit.numeric import estimate_graph, make_mechanism
        >>> g = ik.LatentGraph(Gz=[[1, 0], [1, 1]])
        >>> print(estimate_graph(make_mechanism(g, seed=0), 20, details=True))
        measured graph (analytic derivatives, entry scale rule, threshold 1e-09): 3 edges in Gz
        """
        parts = [f"{self.graph.n_edges(k)} edges in G{k}" for k in self.graph.graphs]
        how = "analytic derivatives" if self.method == "analytic" else "finite differences"
        return (f"measured graph ({how}, {self.rule} rule, threshold {self.threshold:g}): "
                + ", ".join(parts))


@keyword_only("seed", "method", "threshold", "details")
def estimate_graph(mech, n_points: int = 100, *, seed=0, method: str | None = None,
                   threshold: float | None = None, details: bool = False):
    """Measure ``Gz`` and ``Ga`` of a mechanism as the support of its cross-derivatives.

    Two rules decide whether an entry is an edge:

    * **entry scale** (analytic derivatives of a
      :class:`~identkit.numeric.GaussianMechanism`, directly or through any number of
      :class:`Pushforward` maps): the entry is an edge when at some point its magnitude exceeds
      ``threshold`` times the sum of the magnitudes of the terms it is computed from
      (``|Dv|ᵀ |H|``). A structural zero is an exact zero or a cancellation at rounding level;
      a genuine edge is not, however small it is next to the other entries (an ill-conditioned
      map can make one entry 10⁹ times smaller than another).
    * **graph maximum** (finite differences, or analytic derivatives of other objects): the
      entry's largest magnitude over the points must exceed ``threshold`` times the largest
      entry of its graph.

    Parameters
    ----------
    mech : GaussianMechanism, Pushforward or CallableMechanism
    n_points : int
        Points (z, history, a) drawn by ``mech.sample_inputs``.
    seed : int, numpy.random.Generator or None, keyword-only
        Default 0; positional use is deprecated.
    method : {"analytic", "fd"}, optional
        Analytic derivatives when the mechanism has them (default), else finite differences.
    threshold : float in (0, 1), optional
        Defaults: 1e-9 (analytic), 1e-4 (finite differences).
    details : bool
        Return a :class:`GraphEstimate` instead of the graph.

    Returns
    -------
    LatentGraph or GraphEstimate
        With the mechanism's names; ``Gz`` present iff the mechanism is temporal, ``Ga`` iff it
        has actions.

    Raises
    ------
    MechanismError
        For a threshold outside (0, 1), a non-positive ``n_points``, an unknown method, or
        non-finite derivatives.

    Examples
    --------
    >>> import identkit as ik
    >>> from identkit.numeric import GaussianMechanism, estimate_graph
    >>> g = ik.examples.get("fig1").graph
    >>> estimate_graph(GaussianMechanism(g)) == g
    True
    >>> estimate_graph(GaussianMechanism(g), details=True).rule
    'entry scale'

    Notes
    -----
    O(n_points · d² (d + m) · L) for a pushforward (two d×d products per point and lag).
    """
    if threshold is not None and not (isinstance(threshold, (int, float)) and 0 < threshold < 1):
        raise MechanismError(f"threshold must be in (0, 1), got {threshold!r}")
    if not (isinstance(n_points, (int, np.integer)) and n_points > 0):
        raise MechanismError(f"n_points must be a positive integer, got {n_points!r}")
    require_numeric(mech, "estimate_graph")
    has_analytic = mech.analytic
    method = method or ("analytic" if has_analytic else "fd")
    if method not in ("analytic", "fd"):
        raise MechanismError(f"method must be 'analytic' or 'fd', got {method!r}")
    if method == "analytic" and not has_analytic:
        raise MechanismError("this mechanism has no analytic derivatives; use method='fd'")
    thr = DEFAULT_THRESHOLD[method] if threshold is None else float(threshold)
    pts = mech.sample_inputs(n_points, seed=seed)
    z, hist, a = pts["z"], pts["hist"], pts["a"]
    S_za = S_zz = None
    if method == "analytic":
        H_za, H_zz, S_za, S_zz = mech.cross_derivatives_with_scales(z, hist, a)
    else:
        H_za, H_zz = finite_difference_cross_derivatives(mech, z, hist, a)
    if mech.discrete and mech.m:
        if method == "analytic":
            H_za, S_za = mech.action_differences_with_scales(z, hist)
        else:
            H_za = _fd_action_differences(mech, z, hist)
    for name, H in (("H_za", H_za), ("H_zz", H_zz)):
        if not np.all(np.isfinite(H)):
            raise MechanismError(f"non-finite values in the cross-derivatives {name}")
    by_entry = method == "analytic" and (S_za is not None or not mech.m) and \
        (S_zz is not None or not mech.temporal)

    def support(H, S):
        """H (n, ..., rows, cols), S the same shape or None: (edges, magnitudes)."""
        H = np.abs(H).reshape((-1,) + H.shape[-2:])
        if by_entry:
            S = S.reshape(H.shape)
            ratio = np.divide(H, S, out=np.zeros_like(H), where=S > 0)
            rel = ratio.max(axis=0, initial=0.0)
        else:
            mag = H.max(axis=0, initial=0.0)
            top = mag.max(initial=0.0)
            rel = mag / top if top > 0 else mag
        return rel > thr, rel

    g0 = mech.graph
    Gz = Ga = mz = ma = None
    if mech.temporal:
        Gz, mz = support(H_zz, S_zz)
    if mech.m:
        Ga, ma = support(H_za, S_za)
    graph = LatentGraph(Gz=Gz, Ga=Ga, latents=g0.latents,
                        actions=g0.actions if Ga is not None else None)
    if details:
        return GraphEstimate(graph, mz, ma, thr, method,
                             "entry scale" if by_entry else "graph maximum")
    return graph
